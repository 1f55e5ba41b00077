"""The tables of ratsweg (SQLAlchemy 2 typed ORM). Alembic migrations mirror this module."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime
from workflow.core.model import PAPER_NUMBER_LENGTH

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: The largest id a table stores (PostgreSQL's integer); a larger one names no row.
MAX_ROW_ID = 2**31 - 1


def storable_id(value: int) -> bool:
    """Whether ``value`` can be the id of a row (so a lookup by it can find one)."""
    return 1 <= value <= MAX_ROW_ID


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class DefinitionVersion(Base):
    """A snapshot of one municipality's definitions, keyed by its content hash."""

    __tablename__ = "definition_version"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    body_id: Mapped[str] = mapped_column(String(64), index=True)
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    loaded_by: Mapped[str] = mapped_column(String(128))


class Body(Base):
    """A municipality (Kommune) registered in this database, with its current definitions."""

    __tablename__ = "body"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(2))
    definitions_version: Mapped[str] = mapped_column(ForeignKey("definition_version.version"))
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class PaperSequence(Base):
    """Gap-free yearly numbering per body and paper type (incremented inside the creating
    transaction, so a rolled-back creation gives its number back)."""

    __tablename__ = "paper_sequence"

    body_id: Mapped[str] = mapped_column(ForeignKey("body.id"), primary_key=True)
    paper_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class Paper(Base):
    """A Vorlage / Drucksache."""

    __tablename__ = "paper"
    __table_args__ = (
        UniqueConstraint("body_id", "number"),
        Index("ix_paper_body_id_date", "body_id", "date", "id"),  # paper lists (migration 0013)
        Index("ix_paper_body_id_state_date", "body_id", "state", "date"),
        Index("ix_paper_body_id_paper_type_date", "body_id", "paper_type", "date"),
        Index("ix_paper_body_id_office_id_date", "body_id", "office_id", "date"),
        Index("ix_paper_body_id_title", "body_id", "title"),
        Index("ix_paper_body_id_modified_at", "body_id", "modified_at"),
        Index("ix_paper_body_id_definitions_version", "body_id", "definitions_version"),  # 0015
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[str] = mapped_column(ForeignKey("body.id"))
    definitions_version: Mapped[str] = mapped_column(ForeignKey("definition_version.version"))
    number: Mapped[str] = mapped_column(String(PAPER_NUMBER_LENGTH))
    paper_type: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(255))
    office_id: Mapped[str] = mapped_column(String(64))
    date: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(64))
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    row_version: Mapped[int] = mapped_column(Integer)
    #: Ergänzungsvorlage: the original paper of the chain and this supplement's place in it
    #: (1 for E01); both None for an original.
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("paper.id"), index=True)
    supplement_no: Mapped[int | None] = mapped_column(Integer)
    #: Antrag / Anfrage: the submitting faction and members, for types submitted by a faction.
    faction: Mapped[str | None] = mapped_column(String(255))
    members: Mapped[list[str] | None] = mapped_column(JSON)
    #: Anfrage: the administration's answer and its date.
    answer: Mapped[str | None] = mapped_column(Text)
    answer_date: Mapped[dt.date | None] = mapped_column(Date)

    consultations: Mapped[list[Consultation]] = relationship(
        back_populates="paper", order_by="Consultation.position", cascade="all, delete-orphan"
    )
    co_signatures: Mapped[list[CoSignature]] = relationship(
        back_populates="paper", order_by="CoSignature.id", cascade="all, delete-orphan"
    )
    text_versions: Mapped[list[TextVersion]] = relationship(
        back_populates="paper", order_by="TextVersion.number", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="paper", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    #: the original of an Ergänzungsvorlage's chain (read only: ``origin_id`` is what is written)
    origin: Mapped[Paper | None] = relationship(remote_side="Paper.id", viewonly=True)

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012 (SQLAlchemy reads it)


class Consultation(Base):
    """One step (Beratung) of a paper's Beratungsfolge."""

    __tablename__ = "consultation"
    __table_args__ = (Index(None, "organization_id", "paper_id"),)  # a Gremium's papers (0013)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    organization_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    public: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(64), index=True)  # open steps (0015)
    planned_date: Mapped[dt.date | None] = mapped_column(Date)
    date: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(64))
    result_label: Mapped[str | None] = mapped_column(String(255))
    #: Steps with the same level run in parallel; a level starts when the one before is done.
    level: Mapped[int] = mapped_column(Integer)
    #: Why the step was inserted (e.g. "vertagt in step 3"), or a note with the result.
    note: Mapped[str | None] = mapped_column(Text)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)

    paper: Mapped[Paper] = relationship(back_populates="consultations")
    votes: Mapped[list[Vote]] = relationship(
        back_populates="consultation", order_by="Vote.position", cascade="all, delete-orphan"
    )


class Vote(Base):
    """One Abstimmung within a consultation."""

    __tablename__ = "vote"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))  # procedural, amendment, main
    yes: Mapped[int | None] = mapped_column(Integer)
    no: Mapped[int | None] = mapped_column(Integer)
    abstain: Mapped[int | None] = mapped_column(Integer)
    biased: Mapped[int | None] = mapped_column(Integer)
    not_participating: Mapped[int | None] = mapped_column(Integer)
    absent: Mapped[int | None] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(String(255))
    raw: Mapped[str | None] = mapped_column(Text)
    #: Named ballots: [{"member": ..., "ballot": "yes"}, ...]
    named: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)

    consultation: Mapped[Consultation] = relationship(back_populates="votes")


class TextVersion(Base):
    """One wording of a paper's Beschlussvorschlag: as released, then each amendment."""

    __tablename__ = "text_version"
    __table_args__ = (UniqueConstraint("paper_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))  # released, amended
    position: Mapped[int | None] = mapped_column(Integer)
    organization_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(128))

    paper: Mapped[Paper] = relationship(back_populates="text_versions")


class CoSignature(Base):
    """Mitzeichnung of one participating office."""

    __tablename__ = "co_signature"
    __table_args__ = (UniqueConstraint("paper_id", "office_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id"), index=True)
    office_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(32), index=True)  # pending (0015)
    actor: Mapped[str | None] = mapped_column(String(128))
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(Text)
    #: An objection overruled by the head of the writing office, with the reason.
    overruled_by: Mapped[str | None] = mapped_column(String(128))
    overruled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    overrule_reason: Mapped[str | None] = mapped_column(Text)

    paper: Mapped[Paper] = relationship(back_populates="co_signatures")


class Meeting(Base):
    """A Sitzung of one organization. ``start``/``end`` are UTC instants."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_body_id_start", "body_id", "start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[str] = mapped_column(ForeignKey("body.id"))
    definitions_version: Mapped[str] = mapped_column(ForeignKey("definition_version.version"))
    organization_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(255))
    number: Mapped[str | None] = mapped_column(String(64))
    start: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    location: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(64))
    invited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    row_version: Mapped[int] = mapped_column(Integer)

    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.sort_order", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012 (SQLAlchemy reads it)


class AgendaItem(Base):
    """A Tagesordnungspunkt. ``number`` ("Ö 3", "N 1") is set by the invitation, then stable."""

    __tablename__ = "agenda_item"
    __table_args__ = (
        UniqueConstraint("meeting_id", "number", name="uq_agenda_item_meeting_id_number"),
        UniqueConstraint("meeting_id", "sort_order", name="uq_agenda_item_meeting_id_sort_order"),
        UniqueConstraint(
            "meeting_id", "consultation_id", name="uq_agenda_item_meeting_id_consultation_id"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    part: Mapped[str] = mapped_column(String(16))
    number: Mapped[str | None] = mapped_column(String(16))
    sort_order: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id"), index=True)
    nachtrag: Mapped[bool] = mapped_column(Boolean, default=False)
    nachtrag_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    consultation: Mapped[Consultation | None] = relationship()


class DecisionProcedure(Base):
    """A Dringlichkeitsentscheidung or an objection (Widerspruch, Beanstandung, Aussetzung,
    Einspruch) recorded against a paper's decision, with the re-decision window if any."""

    __tablename__ = "decision_procedure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    date: Mapped[dt.date] = mapped_column(Date)
    organization_id: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(128))
    co_signer: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(String(255))
    position: Mapped[int | None] = mapped_column(Integer)  # the step it created
    window_start: Mapped[dt.date | None] = mapped_column(Date)
    window_end: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(128))


class ImplementationTask(Base):
    """Beschlusskontrolle: a follow-up on a decision's execution."""

    __tablename__ = "implementation_task"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    office_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), index=True)  # open, reported, implemented
    due: Mapped[dt.date | None] = mapped_column(Date)  # next report or completion due
    interval_months: Mapped[int | None] = mapped_column(Integer)
    report_to: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(128))

    paper: Mapped[Paper] = relationship()
    reports: Mapped[list[ImplementationReport]] = relationship(
        back_populates="task", order_by="ImplementationReport.id", cascade="all, delete-orphan"
    )


class ImplementationReport(Base):
    """One report on an implementation task (Umsetzungsbericht), or its completion."""

    __tablename__ = "implementation_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("implementation_task.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    implemented: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(128))

    task: Mapped[ImplementationTask] = relationship(back_populates="reports")


class AuditEvent(Base):
    """Append-only: triggers refuse UPDATE and DELETE. Written only by storage.audit."""

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("stream", "seq"),
        Index("ix_audit_event_paper_id_seq", "paper_id", "seq"),
        Index("ix_audit_event_actor_action", "actor", "action"),  # "mine" (migration 0013)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stream: Mapped[str] = mapped_column(String(128))
    seq: Mapped[int] = mapped_column(Integer)
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("paper.id"))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(64))
    to_state: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, exactly as hashed
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def _only(condition: str) -> dict[str, Any]:
    """A partial index's condition, on both backends."""
    return {"postgresql_where": text(condition), "sqlite_where": text(condition)}


class Reminder(Base):
    """A planned reminder, kept in step with its paper by the transaction that changes it.

    ``slot`` says what it is about (kind, paper, step or office); ``key`` adds the due instant
    and is unique: it becomes the outbox row's idempotency key and the e-mail's Message-ID.
    """

    __tablename__ = "reminder"
    __table_args__ = (
        Index("ix_reminder_paper_id_slot", "paper_id", "slot"),
        # the claim's order among pending reminders only (migration 0009)
        Index("ix_reminder_pending_due_at", "due_at", "id", **_only("state = 'pending'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    slot: Mapped[str] = mapped_column(String(255))
    body_id: Mapped[str] = mapped_column(ForeignKey("body.id"))
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("paper.id"))
    consultation_id: Mapped[int | None] = mapped_column(Integer)  # no FK: steps can be removed
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    deadline_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    escalate_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    recipients: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Outbox(Base):
    """A message to deliver, written in the transaction that claims its reminder.

    A worker leases a row (``state`` sending, ``claimed_until``, a ``lease_token`` new for
    every lease); a lease that runs out (the worker died or stalled) makes the row deliverable
    again. Before sending, the worker proves it still holds the lease (``fenced_at``, set only
    while the row carries its token: ``storage.reminders.fence``).
    """

    __tablename__ = "outbox"
    # what the lease looks for, and nothing else (migration 0009)
    __table_args__ = (
        Index("ix_outbox_queued_next_attempt_at", "next_attempt_at", **_only("state = 'queued'")),
        Index(
            "ix_outbox_sending_claimed_until",
            "claimed_until",
            **_only("state = 'sending' AND claimed_until IS NOT NULL"),  # see migration 0009
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminder.id"), index=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # recipients the server refused while it accepted the message for the others:
    # [{"address", "code", "reply"}], set when the message is marked sent (migration 0010)
    refused: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # the token of the lease in force, and when its holder last proved it before sending
    # (migration 0011)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    fenced_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ImportedObject(Base):
    """An object taken over from another council information system (OParl), by its id there.

    Makes an import idempotent: an object whose ``external_id`` is recorded is not imported
    again. ``local_id`` is the row it became (a paper's or a meeting's id).
    """

    __tablename__ = "imported_object"
    __table_args__ = (
        UniqueConstraint("body_id", "external_id", name="uq_imported_object_body_id_external_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[str] = mapped_column(ForeignKey("body.id"))
    external_id: Mapped[str] = mapped_column(String(1024))  # the OParl id, a URL
    kind: Mapped[str] = mapped_column(String(32))  # paper, meeting
    local_id: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)  # the file or URL it was read from
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(128))  # the user who ran the import


class Attachment(Base):
    """An Anlage of a paper: a file with its publicity (public or non-public, per attachment).

    The content is deferred: it is read only when a file is published or served.
    """

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    public: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(128))

    paper: Mapped[Paper] = relationship(back_populates="attachments")
