"""The queries of OParl: what ``ratsweg oparl import`` knows of the objects it took over from
another council information system, and what ``ratsweg oparl export``/``serve`` read to publish
a municipality's public record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.schema import (
    AgendaItem,
    Attachment,
    AuditEvent,
    Consultation,
    DefinitionVersion,
    ImportedObject,
    Meeting,
    Paper,
)

# -- the import ------------------------------------------------------------------------------


def imported_object(session: Session, body_id: str, external_id: str) -> ImportedObject | None:
    """What the municipality's object with the OParl id ``external_id`` became, if imported."""
    return session.scalars(
        select(ImportedObject).where(
            ImportedObject.body_id == body_id, ImportedObject.external_id == external_id
        )
    ).one_or_none()


def imported_meeting_id(session: Session, body_id: str, meeting_id: int) -> str | None:
    """The OParl id the meeting ``meeting_id`` was imported from (None: made in ratsweg)."""
    return session.scalars(
        select(ImportedObject.external_id).where(
            ImportedObject.body_id == body_id,
            ImportedObject.kind == "meeting",
            ImportedObject.local_id == meeting_id,
        )
    ).first()


def lock_paper(session: Session, paper_id: int) -> Paper:
    """The paper ``paper_id``, locked for the caller's transaction."""
    return session.get_one(Paper, paper_id, with_for_update=True)


def meeting(session: Session, meeting_id: int) -> Meeting:
    return session.get_one(Meeting, meeting_id)


def numbers_starting(session: Session, body_id: str, prefix: str) -> set[str]:
    """The municipality's paper numbers that begin with ``prefix``."""
    return set(
        session.scalars(
            select(Paper.number).where(Paper.body_id == body_id, Paper.number.startswith(prefix))
        )
    )


def first_event_not_by(session: Session, paper_id: int, actor: str) -> AuditEvent | None:
    """The paper's first audit event of another actor than ``actor``, reminders left out."""
    return session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.paper_id == paper_id,
            AuditEvent.actor != actor,
            AuditEvent.action.not_like("reminder%"),
        )
        .order_by(AuditEvent.id)
        .limit(1)
    ).first()


# -- the publication -------------------------------------------------------------------------


def attachment_content(session: Session, attachment_id: int) -> bytes:
    return session.scalars(select(Attachment.content).where(Attachment.id == attachment_id)).one()


def definitions_loaded_at(session: Session, body_id: str) -> Sequence[dt.datetime]:
    """When each definitions version of the municipality was loaded."""
    return session.scalars(
        select(DefinitionVersion.loaded_at).where(DefinitionVersion.body_id == body_id)
    ).all()


def definitions_versions(session: Session, body_id: str) -> Sequence[str]:
    return session.scalars(
        select(DefinitionVersion.version).where(DefinitionVersion.body_id == body_id)
    ).all()


def meetings_with_agenda(session: Session, body_id: str) -> Sequence[Meeting]:
    """The municipality's meetings by start, with their agenda items and the items' steps."""
    return session.scalars(
        select(Meeting)
        .where(Meeting.body_id == body_id)
        .order_by(Meeting.start, Meeting.id)
        .options(selectinload(Meeting.agenda_items).selectinload(AgendaItem.consultation))
    ).all()


def released_papers(session: Session, body_id: str) -> Sequence[Paper]:
    """The municipality's released (frozen) papers by id, with their steps and the steps'
    votes, their text versions and attachments."""
    return session.scalars(
        select(Paper)
        .where(Paper.body_id == body_id, Paper.frozen.is_(True))
        .order_by(Paper.id)
        .options(
            selectinload(Paper.consultations).selectinload(Consultation.votes),
            selectinload(Paper.text_versions),
            selectinload(Paper.attachments),
        )
    ).all()


def supplements(session: Session, body_id: str) -> Sequence[Paper]:
    """The municipality's Ergänzungsvorlagen, with their steps."""
    return session.scalars(
        select(Paper)
        .where(Paper.body_id == body_id, Paper.origin_id.is_not(None))
        .options(selectinload(Paper.consultations))
    ).all()


def creation_payload(session: Session, paper_id: int) -> str | None:
    """The payload (JSON) of the paper's ``paper_created`` event."""
    return session.scalar(
        select(AuditEvent.payload)
        .where(AuditEvent.paper_id == paper_id, AuditEvent.action == "paper_created")
        .order_by(AuditEvent.id)
        .limit(1)
    )


def paper(session: Session, paper_id: int) -> Paper:
    return session.get_one(Paper, paper_id)
