"""``service.accounts``: passwords, logins, sessions and logouts of the web workplace.

The users are the definitions' users (users.yaml); a password is stored as an argon2id hash,
a session as the SHA-256 of its opaque id, so that neither a password nor a usable session id
is ever in the database. Every change is audited in the municipality's chain in the same
transaction: ``password_set`` (without the hash), ``logged_in``, ``login_failed``,
``logged_out``. A login through a city's identity provider (OpenID Connect, checked by the web
layer) opens the same session: ``log_in_verified``, audited with ``via``.

Calendar programs cannot log in with a cookie: a user subscribes to a private address holding
a random feed token, stored as its SHA-256 like a session id, one live token per user,
created and revoked by the user (``feed_token_created``, ``feed_token_revoked``, never with
the token). A feed is read with its owner's rights.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from storage import accounts as store
from storage.audit import append_event, body_stream
from workflow.accounts.passwords import hash_password, verify_password
from workflow.core.errors import InvalidInput, LoginRefused
from workflow.core.i18n import N_, _
from workflow.core.model import (
    AuditAction,
    FeedTokenCreated,
    FeedTokenView,
    Role,
    WebLogin,
    WebSessionView,
)
from workflow.uow import KNOWN_USERS, SYSTEM_ACTOR, TRUSTED, Shared, UnitOfWork, require_role

#: The longest user id and client address kept (longer input is cut, never stored whole).
MAX_USER_LENGTH, MAX_ADDRESS_LENGTH, MAX_SESSION_ID_LENGTH = 128, 64, 128
#: The longest feed token looked up (a token is 43 characters; longer input names none).
MAX_FEED_TOKEN_LENGTH = 128
#: How often a session's last-seen time is written (not on every request).
TOUCH_EVERY = dt.timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class AccountSettings:
    """Idle and absolute expiry of a session; failed logins allowed per user and per address
    within a minute before further attempts are refused."""

    idle: dt.timedelta = dt.timedelta(minutes=30)
    absolute: dt.timedelta = dt.timedelta(hours=10)
    failures_per_minute: int = 5


def session_hash(session_id: str) -> str:
    """What the database keeps of a session id."""
    return hashlib.sha256(session_id.encode()).hexdigest()


class AccountService:
    """Passwords and web sessions of the definitions' users."""

    def __init__(self, shared: Shared, settings: AccountSettings | None = None) -> None:
        self._shared = shared
        self.settings = settings or AccountSettings()

    def set_password(
        self, target: str, password: str, *, user: str | None, body: str | None = None
    ) -> None:
        """Set ``target``'s password (admins only), audited as ``password_set`` without it.

        :raises PermissionDenied: the acting user is not an admin.
        :raises NotFoundError: ``target`` is not in users.yaml.
        :raises InvalidInput: the password is too short or too long.
        """
        with self._shared.write(user, body) as uow:
            actor = uow.actor()
            require_role(actor, {Role.ADMIN}, N_("set passwords"))
            known = uow.catalog().user(target)
            hashed = hash_password(password)
            store.put_credential(uow.session, uow.body().id, known.id, hashed, uow.now())
            _record(uow, actor.user_id, AuditAction.PASSWORD_SET, {"user": known.id})

    def log_in(
        self,
        user_id: str,
        password: str,
        *,
        address: str,
        previous: str | None = None,
        body: str | None = None,
    ) -> WebLogin:
        """A new session for a user whose password matches (``previous``, the browser's old
        session id, is deleted: the id changes at every login).

        :raises LoginRefused: unknown user or wrong password (the same message), or too many
            failed logins of the user or from the address within the last minute. The failure
            is recorded all the same.
        """
        user_id, address = user_id.strip()[:MAX_USER_LENGTH], address[:MAX_ADDRESS_LENGTH]
        with self._shared.write(None, body) as uow:
            if previous:
                store.delete_session(uow.session, session_hash(previous[:MAX_SESSION_ID_LENGTH]))
            refusal = self._refusal(uow, user_id, address)
            if refusal is None:
                known = uow.catalog().users.get(user_id)
                stored = (
                    store.get_credential(uow.session, uow.body().id, user_id) if known else None
                )
                if verify_password(stored.hash if stored else None, password) and known:
                    return self._open_session(uow, known.id)
                store.add_failure(uow.session, uow.body().id, user_id, address, uow.now())
                refusal = "password"
            known_id = user_id if user_id in uow.catalog().users else None
            payload = {"user": known_id, "address": address, "reason": refusal}
            _record(uow, known_id or SYSTEM_ACTOR, AuditAction.LOGIN_FAILED, payload)
        if refusal == "throttled":
            raise LoginRefused(_("too many failed logins; wait a minute and try again"))
        raise LoginRefused(_("user name or password is wrong"))

    def log_in_verified(
        self,
        claimed: str | None,
        *,
        via: str,
        address: str,
        previous: str | None = None,
        body: str | None = None,
    ) -> WebLogin:
        """A new session for the user an identity provider vouched for (``via``: how, e.g.
        ``oidc``; the provider's answer was verified by the caller): ``claimed`` must be a user
        id of users.yaml. Audited as ``logged_in`` with ``via``; ``previous`` is deleted as at
        a password login. No password is involved, so nothing is throttled.

        :raises LoginRefused: ``claimed`` is missing (None or empty) or no user of users.yaml;
            audited as ``login_failed`` with the reason and the claimed name.
        """
        claimed = (claimed or "").strip()[:MAX_USER_LENGTH]
        via, address = via[:32], address[:MAX_ADDRESS_LENGTH]
        with self._shared.write(None, body) as uow:
            if previous:
                store.delete_session(uow.session, session_hash(previous[:MAX_SESSION_ID_LENGTH]))
            known = uow.catalog().users.get(claimed) if claimed else None
            if known is not None:
                return self._open_session(uow, known.id, via=via)
            reason = "unknown_user" if claimed else "no_claim"
            payload = {
                "user": None,
                "claimed": claimed or None,
                "address": address,
                "reason": reason,
                "via": via,
            }
            _record(uow, SYSTEM_ACTOR, AuditAction.LOGIN_FAILED, payload)
        if reason == "no_claim":
            raise LoginRefused(_("the identity provider did not name a user"))
        raise LoginRefused(
            _("{user!r} is not a user of ratsweg; ask the administrator to add them").format(
                user=claimed
            )
        )

    def record_refused_login(
        self, *, via: str, reason: str, address: str, body: str | None = None
    ) -> None:
        """Audit a login that an identity provider's answer failed before any user was named
        (e.g. ``invalid_token``: a signature, issuer, audience, expiry or nonce that does not
        hold) as ``login_failed`` without a user."""
        payload = {"user": None, "address": address[:MAX_ADDRESS_LENGTH], "reason": reason[:32]}
        with self._shared.write(None, body) as uow:
            _record(uow, SYSTEM_ACTOR, AuditAction.LOGIN_FAILED, payload | {"via": via[:32]})

    def session(self, session_id: str, *, body: str | None = None) -> WebSessionView | None:
        """The live session of ``session_id``; None when there is none, or it expired (idle
        or absolute: then it is deleted), or its user left users.yaml."""
        if not session_id or len(session_id) > MAX_SESSION_ID_LENGTH:
            return None
        with self._shared.write(None, body) as uow:
            row = store.get_session(uow.session, session_hash(session_id))
            if row is None or row.body_id != uow.body().id:
                return None
            now, known = uow.now(), uow.catalog().users.get(row.user_id)
            idle, age = now - row.last_seen_at, now - row.created_at
            if known is None or idle >= self.settings.idle or age >= self.settings.absolute:
                uow.session.delete(row)
                return None
            if idle >= TOUCH_EVERY:
                row.last_seen_at = now
            return _view(row, known.name, known.roles)

    def log_out(self, session_id: str, *, body: str | None = None) -> None:
        """End the session (nothing happens for an unknown one), audited as ``logged_out``."""
        if not session_id or len(session_id) > MAX_SESSION_ID_LENGTH:
            return
        with self._shared.write(None, body) as uow:
            row = store.delete_session(uow.session, session_hash(session_id))
            if row is not None:
                _record(uow, row.user_id, AuditAction.LOGGED_OUT, {"user": row.user_id})

    # -- private calendar addresses ------------------------------------------------------------

    def create_feed_token(self, *, user: str | None, body: str | None = None) -> FeedTokenCreated:
        """A new private calendar address for ``user`` (any user of users.yaml, for themself);
        a live one the user had is revoked, so one address works at a time. The token is in
        the answer only; the database keeps its SHA-256.

        :raises PermissionDenied: no user, or not in users.yaml.
        """
        with self._shared.write(user, body) as uow:
            actor, body_id, now = uow.actor(), uow.body().id, uow.now()
            revoked = self._revoke_all(uow, actor.user_id, "replaced")
            token = secrets.token_urlsafe(32)
            row = store.add_feed_token(
                uow.session, session_hash(token), body_id, actor.user_id, now
            )
            payload = {"user": actor.user_id, "token": row.id, "replaced": list(revoked)}
            _record(uow, actor.user_id, AuditAction.FEED_TOKEN_CREATED, payload)
            return FeedTokenCreated(token=token, feed=_feed_view(row), revoked=revoked)

    def revoke_feed_token(self, *, user: str | None, body: str | None = None) -> tuple[int, ...]:
        """Revoke ``user``'s private calendar address: it answers 404 from now on.

        :raises InvalidInput: the user has no live address.
        :raises PermissionDenied: no user, or not in users.yaml.
        """
        with self._shared.write(user, body) as uow:
            revoked = self._revoke_all(uow, uow.actor().user_id, "revoked")
            if not revoked:
                raise InvalidInput(_("you have no calendar address to revoke"))
            return revoked

    def feed_token(self, *, reader: str | None, body: str | None = None) -> FeedTokenView | None:
        """The reader's live private calendar address (without the token), or None."""
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            rows = store.live_feed_tokens(uow.session, uow.body().id, uow.actor().user_id)
            return _feed_view(rows[-1]) if rows else None

    def feed_owner(self, token: str, *, body: str | None = None) -> str | None:
        """The user whose live address holds ``token``; None for an unknown or revoked token,
        another municipality's, or a user who left users.yaml."""
        if not token or len(token) > MAX_FEED_TOKEN_LENGTH:
            return None
        with self._shared.read(body, TRUSTED) as uow:
            row = store.feed_token_by_hash(uow.session, session_hash(token))
            if row is None or row.revoked_at is not None or row.body_id != uow.body().id:
                return None
            return row.user_id if row.user_id in uow.catalog().users else None

    def _revoke_all(self, uow: UnitOfWork, user_id: str, reason: str) -> tuple[int, ...]:
        """Revoke the user's live tokens, each audited as ``feed_token_revoked``."""
        rows = store.live_feed_tokens(uow.session, uow.body().id, user_id)
        for row in rows:
            row.revoked_at = uow.now()
            payload = {"user": user_id, "token": row.id, "reason": reason}
            _record(uow, user_id, AuditAction.FEED_TOKEN_REVOKED, payload)
        uow.session.flush()
        return tuple(row.id for row in rows)

    def _refusal(self, uow: UnitOfWork, user_id: str, address: str) -> str | None:
        """``throttled`` when the user or the address failed too often in the last minute."""
        since = uow.now() - dt.timedelta(minutes=1)
        counts = store.count_failures(uow.session, uow.body().id, user_id, address, since)
        return "throttled" if max(counts) >= self.settings.failures_per_minute else None

    def _open_session(self, uow: UnitOfWork, user_id: str, *, via: str = "password") -> WebLogin:
        now, settings = uow.now(), self.settings
        store.delete_expired_sessions(uow.session, now - settings.absolute, now - settings.idle)
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        store.add_session(uow.session, session_hash(session_id), uow.body().id, user_id, csrf, now)
        payload = {"user": user_id} if via == "password" else {"user": user_id, "via": via}
        _record(uow, user_id, AuditAction.LOGGED_IN, payload)
        row = store.get_session(uow.session, session_hash(session_id))
        assert row is not None
        known = uow.catalog().user(user_id)
        return WebLogin(session_id=session_id, session=_view(row, known.name, known.roles))


def _record(uow: UnitOfWork, actor: str, action: AuditAction, payload: dict[str, Any]) -> None:
    append_event(
        uow.session,
        stream=body_stream(uow.body().id),
        occurred_at=uow.now(),
        actor=actor,
        action=action,
        payload=payload,
    )


def _view(row: store.WebSession, name: str, roles: frozenset[Role]) -> WebSessionView:
    return WebSessionView(
        body_id=row.body_id,
        user_id=row.user_id,
        name=name,
        roles=roles,
        csrf_token=row.csrf_token,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
    )


def _feed_view(row: store.FeedToken) -> FeedTokenView:
    return FeedTokenView(id=row.id, user_id=row.user_id, created_at=row.created_at)
