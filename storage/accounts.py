"""The tables and queries of web logins: password hashes, server-side sessions, recent login
failures (for throttling) and the private addresses of calendar feeds. Only
``workflow.accounts`` uses them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String, delete, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.schema import Base
from storage.types import UTCDateTime


class PasswordCredential(Base):
    """The argon2id hash of one user's password (one per user of a municipality)."""

    __tablename__ = "password_credential"

    body_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    hash: Mapped[str] = mapped_column(String(255))
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A logged-in browser. Only the SHA-256 of the opaque session id is stored."""

    __tablename__ = "web_session"
    __table_args__ = (Index("ix_web_session_body_id_user_id", "body_id", "user_id"),)

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    body_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class FeedToken(Base):
    """A user's private calendar address. Only the SHA-256 of the random token is stored; a
    revoked token keeps its row (``revoked_at``) and never works again."""

    __tablename__ = "feed_token"
    __table_args__ = (Index("ix_feed_token_body_id_user_id", "body_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    body_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LoginFailure(Base):
    """One failed login, kept for a while to throttle guessing per user and per address."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_user_id_failed_at", "user_id", "failed_at"),
        Index("ix_login_failure_address_failed_at", "address", "failed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128))
    address: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


def get_credential(session: Session, body_id: str, user_id: str) -> PasswordCredential | None:
    return session.get(PasswordCredential, (body_id, user_id))


def put_credential(
    session: Session, body_id: str, user_id: str, hashed: str, at: dt.datetime
) -> None:
    row = get_credential(session, body_id, user_id)
    if row is None:
        session.add(PasswordCredential(body_id=body_id, user_id=user_id, hash=hashed, set_at=at))
    else:
        row.hash, row.set_at = hashed, at
    session.flush()


def count_failures(
    session: Session, body_id: str, user_id: str, address: str, since: dt.datetime
) -> tuple[int, int]:
    """(failures of the user, failures from the address) since ``since``."""
    recent = LoginFailure.failed_at >= since
    by_user = select(func.count()).where(
        recent, LoginFailure.body_id == body_id, LoginFailure.user_id == user_id
    )
    by_address = select(func.count()).where(recent, LoginFailure.address == address)
    return session.scalar(by_user) or 0, session.scalar(by_address) or 0


def add_failure(
    session: Session, body_id: str, user_id: str, address: str, at: dt.datetime
) -> None:
    """Record a failure and forget those older than a day."""
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at < at - dt.timedelta(days=1)))
    session.add(LoginFailure(body_id=body_id, user_id=user_id, address=address, failed_at=at))
    session.flush()


def add_session(
    session: Session, id_hash: str, body_id: str, user_id: str, csrf: str, at: dt.datetime
) -> None:
    session.add(
        WebSession(
            id_hash=id_hash,
            body_id=body_id,
            user_id=user_id,
            csrf_token=csrf,
            created_at=at,
            last_seen_at=at,
        )
    )
    session.flush()


def get_session(session: Session, id_hash: str) -> WebSession | None:
    return session.get(WebSession, id_hash)


def delete_session(session: Session, id_hash: str) -> WebSession | None:
    """Delete one session; the deleted row, or None when there was none."""
    row = get_session(session, id_hash)
    if row is not None:
        session.delete(row)
        session.flush()
    return row


def delete_expired_sessions(
    session: Session, created_before: dt.datetime, seen_before: dt.datetime
) -> None:
    session.execute(
        delete(WebSession).where(
            or_(WebSession.created_at < created_before, WebSession.last_seen_at < seen_before)
        )
    )


def add_feed_token(
    session: Session, token_hash: str, body_id: str, user_id: str, at: dt.datetime
) -> FeedToken:
    row = FeedToken(token_hash=token_hash, body_id=body_id, user_id=user_id, created_at=at)
    session.add(row)
    session.flush()
    return row


def live_feed_tokens(session: Session, body_id: str, user_id: str) -> list[FeedToken]:
    """The user's tokens that are not revoked (at most one, but never assumed)."""
    query = select(FeedToken).where(
        FeedToken.body_id == body_id, FeedToken.user_id == user_id, FeedToken.revoked_at.is_(None)
    )
    return list(session.scalars(query.order_by(FeedToken.id)))


def feed_token_by_hash(session: Session, token_hash: str) -> FeedToken | None:
    return session.scalar(select(FeedToken).where(FeedToken.token_hash == token_hash))
