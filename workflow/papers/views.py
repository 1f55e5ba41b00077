"""Frozen views of stored rows, built while their session is still open."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from workflow.core.catalog import Catalog
from workflow.core.model import (
    AgendaItemView,
    AgendaPart,
    AttachmentView,
    AuditEventView,
    Ballot,
    ConsultationRole,
    ConsultationView,
    CoSignatureState,
    CoSignatureView,
    MeetingView,
    NamedBallot,
    Outcome,
    PaperSummary,
    PaperView,
    TextVersionView,
    VoteCount,
    VoteKind,
)

if TYPE_CHECKING:  # rows are only read here: no storage import at run time
    from sqlalchemy import Row

    from storage.schema import (
        AgendaItem,
        Attachment,
        AuditEvent,
        Consultation,
        CoSignature,
        Meeting,
        Paper,
        Vote,
    )


def paper_view(catalog: Catalog, paper: Paper, allowed: Sequence[str]) -> PaperView:
    """``paper`` with its steps, votes, co-signatures, text versions and attachments loaded."""
    kind = catalog.paper_types.get(paper.paper_type)
    return PaperView(
        id=paper.id,
        body_id=paper.body_id,
        number=paper.number,
        paper_type=paper.paper_type,
        paper_type_name=kind.name if kind else paper.paper_type,
        title=paper.title,
        reference=paper.reference,
        office_id=paper.office_id,
        office_name=catalog.organization_name(paper.office_id),
        date=paper.date,
        state=paper.state,
        state_label=catalog.lifecycle("paper").state(paper.state).label,
        definitions_version=paper.definitions_version,
        created_at=paper.created_at,
        modified_at=paper.modified_at,
        consultations=tuple(
            _consultation_view(catalog, c)
            for c in sorted(paper.consultations, key=lambda c: c.position)
        ),
        co_signatures=tuple(_co_signature_view(catalog, c) for c in paper.co_signatures),
        allowed_actions=tuple(allowed),
        text=paper.text_versions[-1].text if paper.text_versions else paper.text,
        text_versions=tuple(
            TextVersionView(
                number=v.number,
                text=v.text,
                source=v.source,
                position=v.position,
                organization_id=v.organization_id,
                created_at=v.created_at,
                actor=v.actor,
            )
            for v in paper.text_versions
        ),
        attachments=tuple(attachment_view(a) for a in paper.attachments),
    )


def attachment_view(row: Attachment) -> AttachmentView:
    return AttachmentView(
        id=row.id,
        file_name=row.file_name,
        media_type=row.media_type,
        size=row.size,
        sha256=row.sha256,
        public=row.public,
        created_at=row.created_at,
        actor=row.actor,
    )


def _consultation_view(catalog: Catalog, step: Consultation) -> ConsultationView:
    return ConsultationView(
        position=step.position,
        organization_id=step.organization_id,
        organization_name=catalog.organization_name(step.organization_id),
        role=ConsultationRole(step.role),
        public=step.public,
        state=step.state,
        planned_date=step.planned_date,
        date=step.date,
        outcome=Outcome(step.outcome) if step.outcome else None,
        result_label=step.result_label,
        votes=tuple(vote_view(v) for v in step.votes),
        level=step.level,
        note=step.note,
        meeting_id=step.meeting_id,
    )


def vote_view(vote: Vote) -> VoteCount:
    return VoteCount(
        subject=vote.subject,
        kind=VoteKind(vote.kind),
        yes=vote.yes,
        no=vote.no,
        abstain=vote.abstain,
        biased=vote.biased,
        not_participating=vote.not_participating,
        absent=vote.absent,
        label=vote.label,
        raw=vote.raw,
        named=tuple(
            NamedBallot(member=n["member"], ballot=Ballot(n["ballot"])) for n in vote.named or ()
        ),
    )


def _co_signature_view(catalog: Catalog, signature: CoSignature) -> CoSignatureView:
    return CoSignatureView(
        office_id=signature.office_id,
        office_name=catalog.organization_name(signature.office_id),
        state=CoSignatureState(signature.state),
        actor=signature.actor,
        signed_at=signature.signed_at,
        comment=signature.comment,
        overruled_by=signature.overruled_by,
        overruled_at=signature.overruled_at,
        overrule_reason=signature.overrule_reason,
    )


def paper_summary(paper: Paper, catalog: Catalog | None = None) -> PaperSummary:
    """``paper`` in a list; with ``catalog`` (the municipality's current definitions) also the
    names a person reads (a type or state those do not know: its id)."""
    kind = catalog.paper_types.get(paper.paper_type) if catalog else None
    states = {s.id: s.label for s in catalog.lifecycle("paper").states} if catalog else {}
    return PaperSummary(
        number=paper.number,
        paper_type=paper.paper_type,
        title=paper.title,
        office_id=paper.office_id,
        date=paper.date,
        state=paper.state,
        paper_type_name=kind.name if kind else paper.paper_type,
        state_label=states.get(paper.state, paper.state),
        office_name=catalog.organization_name(paper.office_id) if catalog else paper.office_id,
    )


def audit_event_view(
    event: AuditEvent | Row[*tuple[Any, ...]], paper_number: str | None
) -> AuditEventView:
    """``event`` is a stored event or a row of ``storage.repository.audit_search`` (its
    columns, and the paper's number)."""
    payload = json.loads(event.payload)
    return AuditEventView(
        stream=event.stream,
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor=event.actor,
        action=event.action,
        paper_number=paper_number,
        from_state=event.from_state,
        to_state=event.to_state,
        payload=payload if isinstance(payload, dict) else {"value": payload},
        hash=event.hash,
        paper_id=event.paper_id,
        prev_hash=event.prev_hash,
    )


def meeting_view(catalog: Catalog, meeting: Meeting, allowed: Sequence[str]) -> MeetingView:
    """``meeting`` with its agenda loaded; the agenda is ordered public part first, then by
    entry."""
    items = sorted(
        meeting.agenda_items,
        key=lambda i: (AgendaPart(i.part) is not AgendaPart.PUBLIC, i.sort_order),
    )
    return MeetingView(
        id=meeting.id,
        body_id=meeting.body_id,
        organization_id=meeting.organization_id,
        organization_name=catalog.organization_name(meeting.organization_id),
        name=meeting.name,
        number=meeting.number,
        start=meeting.start,
        end=meeting.end,
        location=meeting.location,
        state=meeting.state,
        state_label=catalog.lifecycle("meeting").state(meeting.state).label,
        invited_at=meeting.invited_at,
        created_at=meeting.created_at,
        modified_at=meeting.modified_at,
        agenda=tuple(agenda_item_view(i) for i in items),
        allowed_actions=tuple(allowed),
    )


def agenda_item_view(item: AgendaItem) -> AgendaItemView:
    step = item.consultation
    return AgendaItemView(
        id=item.id,
        part=AgendaPart(item.part),
        number=item.number,
        sort_order=item.sort_order,
        title=item.title,
        paper_number=step.paper.number if step is not None else None,
        consultation_position=step.position if step is not None else None,
        consultation_state=step.state if step is not None else None,
        result_label=step.result_label if step is not None else None,
        nachtrag=item.nachtrag,
        nachtrag_at=item.nachtrag_at,
        note=item.note,
    )
