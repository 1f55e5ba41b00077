"""The queries the service needs, in one place."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Table,
    bindparam,
    func,
    inspect,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload, selectinload

from storage.audit import (
    DELIVERY_PREFIX,
    body_stream,
    canonical_json,
    known_chain_head,
    meeting_stream,
    paper_stream,
)
from storage.schema import (
    AgendaItem,
    AuditEvent,
    Body,
    Consultation,
    DefinitionVersion,
    Meeting,
    Paper,
    PaperSequence,
    storable_id,
)


def get_body(session: Session, body_id: str) -> Body | None:
    return session.get(Body, body_id)


# Statements of the hot paths are built once: SQLAlchemy memoizes a statement's cache key on
# the statement object, so a prebuilt one skips both its construction and the cache key
# walk on every call (values go in as bound parameters).
_BODIES = select(Body).order_by(Body.id)


def list_bodies(session: Session) -> Sequence[Body]:
    return session.scalars(_BODIES).all()


def get_definition_files(session: Session, version: str) -> dict[str, str] | None:
    row = session.get(DefinitionVersion, version)
    return dict(row.files) if row else None


def get_paper(
    session: Session, body_id: str, number: str, *, for_update: bool = False
) -> Paper | None:
    """The paper with its path, votes and co-signatures.

    With ``for_update`` the paper row is locked first, in a statement of its own. The path
    is then read by a later statement, which on PostgreSQL (READ COMMITTED) sees everything
    the previous lock holder committed. Locking inside the joined query would return child
    rows from the snapshot taken before the wait. For the same reason the head of the
    paper's audit chain is read in that later statement, next to the path: the events the
    caller appends under the lock then need no query of their own.
    """
    params = {"body_id": body_id, "number": number}
    lock = for_update and session.get_bind().dialect.name == "postgresql"
    if lock and session.execute(_LOCK_PAPER, params).first() is None:
        return None
    if not for_update:
        return session.scalars(_PAPER, params).unique().first()
    row = session.execute(_PAPER_WITH_HEAD, params).unique().first()
    if row is None:
        return None
    paper, seq, digest = row
    known_chain_head(session, paper_stream(paper.id), seq, digest)
    return cast(Paper, paper)


def _paper_chain_head() -> tuple[Any, Any]:
    """(seq, hash) of the last event in the paper's stream, as correlated scalar subqueries
    (each one lookup in the unique (stream, seq) index)."""
    stream = literal("paper:") + sql_cast(Paper.id, String)  # storage.audit.paper_stream in SQL
    last = select().where(AuditEvent.stream == stream).order_by(AuditEvent.seq.desc()).limit(1)
    return (
        last.add_columns(AuditEvent.seq).scalar_subquery(),
        last.add_columns(AuditEvent.hash).scalar_subquery(),
    )


_PAPER_KEY = (Paper.body_id == bindparam("body_id")) & (Paper.number == bindparam("number"))
_LOCK_PAPER = select(Paper.id).where(_PAPER_KEY).with_for_update()
# The text versions are joined too: every caller builds a view that needs them, and a lazy
# load was one more statement (and round trip) after the changes had been made. Papers have
# few of them (one per amended wording), so the joined rows multiply little.
_PAPER = (
    select(Paper)
    .where(_PAPER_KEY)
    .options(
        joinedload(Paper.consultations).joinedload(Consultation.votes),
        joinedload(Paper.co_signatures),
        joinedload(Paper.text_versions),
    )
    .execution_options(populate_existing=True)
)
_PAPER_WITH_HEAD = _PAPER.add_columns(*_paper_chain_head())


def list_papers(session: Session, body_id: str, state: str | None = None) -> Sequence[Paper]:
    query = select(Paper).where(Paper.body_id == body_id).order_by(Paper.id)
    if state:
        query = query.where(Paper.state == state)
    return session.scalars(query).all()


def paper_numbers(session: Session, body_id: str, limit: int = 500) -> Sequence[str]:
    query = select(Paper.number).where(Paper.body_id == body_id).order_by(Paper.id.desc())
    return session.scalars(query.limit(limit)).all()


def next_sequence(session: Session, body_id: str, paper_type: str, year: int) -> int:
    """Increment and return the yearly counter; the row lock makes numbers gap-free."""
    table = cast(Table, PaperSequence.__table__)
    key = (table.c.body_id == body_id) & (table.c.paper_type == paper_type) & (table.c.year == year)
    bump = update(table).where(key).values(last_value=table.c.last_value + 1)
    value = session.execute(bump.returning(table.c.last_value)).scalar()
    if value is not None:
        return int(value)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(table)
        .values(body_id=body_id, paper_type=paper_type, year=year, last_value=0)
        .on_conflict_do_nothing()
    )
    return int(session.execute(bump.returning(table.c.last_value)).scalar_one())


def paper_events(session: Session, stream: str) -> Sequence[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.stream == stream).order_by(AuditEvent.seq)
    return session.scalars(query).all()


def paper_trail(session: Session, paper_id: int, stream: str) -> list[AuditEvent]:
    """A paper's events: its own chain in seq order, with the workers' delivery events of the
    paper (``reminder_sent``, ``reminder_failed``; each in its worker's chain) merged in by
    time."""
    own = paper_events(session, stream)
    deliveries = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.paper_id == paper_id,
            AuditEvent.stream.startswith(DELIVERY_PREFIX, autoescape=True),
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    if not deliveries:
        return list(own)
    return list(heapq.merge(own, deliveries, key=lambda e: e.occurred_at))


def get_meeting(
    session: Session, body_id: str, meeting_id: int, *, for_update: bool = False
) -> Meeting | None:
    """The meeting with its agenda (and each item's consultation and paper).

    Locked like ``get_paper``: the row lock in a statement of its own, then a fresh read.
    """
    if not storable_id(meeting_id):
        return None
    key = (Meeting.body_id == body_id) & (Meeting.id == meeting_id)
    lock = for_update and session.get_bind().dialect.name == "postgresql"
    if lock and session.execute(select(Meeting.id).where(key).with_for_update()).first() is None:
        return None
    query = select(Meeting).where(key).options(_AGENDA).execution_options(populate_existing=True)
    return session.scalars(query).first()


_AGENDA = (
    selectinload(Meeting.agenda_items)
    .joinedload(AgendaItem.consultation)
    .joinedload(Consultation.paper)
)


def list_meetings(
    session: Session,
    body_id: str,
    *,
    organization: str | None = None,
    start_from: dt.datetime | None = None,
    start_before: dt.datetime | None = None,
    state: str | None = None,
    latest: int | None = None,
) -> Sequence[Meeting]:
    """The meetings by start; with ``latest`` only the last that many of them."""
    query = select(Meeting).where(Meeting.body_id == body_id).options(_AGENDA)
    if organization:
        query = query.where(Meeting.organization_id == organization)
    if start_from:
        query = query.where(Meeting.start >= start_from)
    if start_before:
        query = query.where(Meeting.start < start_before)
    if state:
        query = query.where(Meeting.state == state)
    if latest is not None:
        newest = query.order_by(Meeting.start.desc(), Meeting.id.desc()).limit(latest)
        return list(reversed(session.scalars(newest).all()))
    return session.scalars(query.order_by(Meeting.start, Meeting.id)).all()


def meeting_ids(session: Session, body_id: str, limit: int = 500) -> Sequence[int]:
    query = select(Meeting.id).where(Meeting.body_id == body_id).order_by(Meeting.id.desc())
    return session.scalars(query.limit(limit)).all()


def papers_due_for_meeting(
    session: Session,
    body_id: str,
    meeting_id: int,
    organization_id: str,
    day: dt.date,
    planned: str,
    scheduled: str,
) -> Sequence[str]:
    """Numbers (by paper id) of released papers that may have a step due for the meeting: a
    step of ``organization_id`` scheduled into the meeting, or one in no meeting, planned or
    scheduled, whose date (the scheduled date, else the planned one) is ``day``, earlier, or
    not set. The service decides per paper which step goes (earlier levels done)."""
    step = Consultation
    when = func.coalesce(step.date, step.planned_date)
    free = (
        step.meeting_id.is_(None)
        & step.state.in_((planned, scheduled))
        & (when.is_(None) | (when <= day))
    )
    query = (
        select(Paper.number, Paper.id)
        .join(step, step.paper_id == Paper.id)
        .where(Paper.body_id == body_id, Paper.frozen.is_(True))
        .where(step.organization_id == organization_id)
        .where((step.meeting_id == meeting_id) | free)
        .distinct()
        .order_by(Paper.id)
    )
    return [number for number, _ in session.execute(query)]


def papers_in_meeting(session: Session, meeting_id: int) -> Sequence[str]:
    """Numbers (by paper id) of papers with a step scheduled into the meeting."""
    query = (
        select(Paper.number, Paper.id)
        .join(Consultation, Consultation.paper_id == Paper.id)
        .where(Consultation.meeting_id == meeting_id)
        .distinct()
        .order_by(Paper.id)
    )
    return [number for number, _ in session.execute(query)]


def has_tables(session: Session) -> bool:
    """True once the schema exists (``ratsweg init`` has run)."""
    return inspect(session.connection()).has_table("body")


def audit_search(
    session: Session,
    body_id: str,
    *,
    paper_id: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    paper_type: str | None = None,
    organization: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    meeting_id: int | None = None,
) -> Select[*tuple[Any, ...]]:
    """Events of one body (its papers' streams, its meetings' streams and its own stream),
    oldest first, filtered in SQL. ``until`` is exclusive. An event concerns an organization
    when its payload names it as ``organization`` (steps, results) or ``office``
    (co-signatures, the writing office); the payload is canonical JSON, so the exact text
    ``"organization":"<id>"`` is looked for. ``meeting_id`` keeps the events of the papers
    with a step on that meeting's agenda (also an item kept after the step left it) or
    scheduled into it, and the meeting's own events."""
    query = _events_with_paper_number()
    if paper_id is not None:
        query = query.where(AuditEvent.paper_id == paper_id)
    else:
        query = query.where(_of_body(body_id))
    if meeting_id is not None:
        query = query.where(
            AuditEvent.paper_id.in_(_meeting_papers(meeting_id))
            | (AuditEvent.stream == meeting_stream(meeting_id))
        )
    if actor is not None:
        query = query.where(AuditEvent.actor == actor)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if paper_type is not None:
        query = query.where(Paper.paper_type == paper_type)
    if organization is not None:
        query = query.where(_names_organization(organization))
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    return query


def _events_with_paper_number() -> Select[*tuple[Any, ...]]:
    """Every event with the number of its paper (None without one), in the order stored."""
    return (
        select(
            AuditEvent.stream,
            AuditEvent.seq,
            AuditEvent.paper_id,
            Paper.number.label("paper_number"),
            AuditEvent.occurred_at,
            AuditEvent.actor,
            AuditEvent.action,
            AuditEvent.from_state,
            AuditEvent.to_state,
            AuditEvent.payload,
            AuditEvent.prev_hash,
            AuditEvent.hash,
        )
        .outerjoin(Paper, Paper.id == AuditEvent.paper_id)
        .order_by(AuditEvent.id)
    )


def _of_body(body_id: str) -> ColumnElement[bool]:
    """The events of a body: its papers' streams, its own stream and its meetings' streams."""
    meetings = select(literal("meeting:", String) + Meeting.id.cast(String)).where(
        Meeting.body_id == body_id
    )
    return (
        (Paper.body_id == body_id)
        | (AuditEvent.stream == body_stream(body_id))
        | AuditEvent.stream.in_(meetings.scalar_subquery())
    )


def _names_organization(organization: str) -> ColumnElement[bool]:
    """The payload names ``organization`` as ``organization`` or ``office`` (canonical JSON,
    so the exact text is looked for)."""
    value = canonical_json(organization)
    names = [_like(f'"{key}":{value}') for key in ("organization", "office")]
    return or_(*(AuditEvent.payload.like(f"%{n}%", escape="\\") for n in names))


def _meeting_papers(meeting_id: int) -> Any:
    on_agenda = (
        select(Consultation.paper_id)
        .join(AgendaItem, AgendaItem.consultation_id == Consultation.id)
        .where(AgendaItem.meeting_id == meeting_id)
    )
    scheduled = select(Consultation.paper_id).where(Consultation.meeting_id == meeting_id)
    return on_agenda.union(scheduled).scalar_subquery()


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def count_rows(session: Session, query: Select[*tuple[Any, ...]]) -> int:
    return int(
        session.execute(
            select(func.count()).select_from(query.order_by(None).subquery())
        ).scalar_one()
    )


def stream_paper_number(session: Session, stream: str) -> str | None:
    """The number of the paper whose events form ``stream`` (None for body and delivery
    streams)."""
    if stream.startswith(DELIVERY_PREFIX):
        return None
    return session.scalar(
        select(Paper.number)
        .join(AuditEvent, AuditEvent.paper_id == Paper.id)
        .where(AuditEvent.stream == stream)
        .limit(1)
    ) or _paper_number_of_stream(session, stream)


def _paper_number_of_stream(session: Session, stream: str) -> str | None:
    """For a stream whose events are all gone: its name holds the paper id."""
    kind, _, ident = stream.partition(":")
    if kind != "paper" or not ident.isdigit():
        return None
    return session.scalar(select(Paper.number).where(Paper.id == int(ident)))
