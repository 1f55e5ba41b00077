"""The names of the audit chains (one per paper, meeting, body and reminder worker) and the
lock that serialises appends to a chain without a row to lock."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session


def paper_stream(paper_id: int) -> str:
    return f"paper:{paper_id}"


def body_stream(body_id: str) -> str:
    return f"body:{body_id}"


def meeting_stream(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


DELIVERY_PREFIX = "delivery:"


def delivery_stream(worker: str) -> str:
    """The chain of one reminder worker's deliveries (``reminder_sent``, ``reminder_failed``).

    Only that worker appends to it, so workers never wait for each other's paper locks; each
    event still names its paper (``paper_id``), and ``audit trail`` shows it with the paper."""
    return f"{DELIVERY_PREFIX}{worker}"[:128]


def lock_stream(session: Session, stream: str) -> None:
    """Serialise appends to a stream that has no row to lock (PostgreSQL: a transaction-level
    advisory lock on the stream's name; SQLite serialises every writer anyway). Uncontended
    for delivery streams unless two workers share a name."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(stream))))
