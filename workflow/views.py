"""Frozen views of stored rows, built while their session is still open."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from workflow.catalog import Catalog
from workflow.model import (
    AuditEventView,
    ConsultationRole,
    ConsultationView,
    CoSignatureState,
    CoSignatureView,
    Outcome,
    PaperSummary,
    PaperView,
    VoteCount,
)


def paper_view(catalog: Catalog, paper: Any, allowed: Sequence[str]) -> PaperView:
    """``paper`` is a storage row (duck-typed so that this module needs no storage import)."""
    office = catalog.organizations.get(paper.office_id)
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
        office_name=office.name if office else paper.office_id,
        date=paper.date,
        state=paper.state,
        state_label=catalog.lifecycle("paper").state(paper.state).label,
        definitions_version=paper.definitions_version,
        created_at=paper.created_at,
        modified_at=paper.modified_at,
        consultations=tuple(_consultation_view(catalog, c) for c in paper.consultations),
        co_signatures=tuple(_co_signature_view(catalog, c) for c in paper.co_signatures),
        allowed_actions=tuple(allowed),
    )


def _consultation_view(catalog: Catalog, step: Any) -> ConsultationView:
    org = catalog.organizations.get(step.organization_id)
    return ConsultationView(
        position=step.position,
        organization_id=step.organization_id,
        organization_name=org.name if org else step.organization_id,
        role=ConsultationRole(step.role),
        public=step.public,
        state=step.state,
        planned_date=step.planned_date,
        date=step.date,
        outcome=Outcome(step.outcome) if step.outcome else None,
        result_label=step.result_label,
        votes=tuple(
            VoteCount(
                subject=v.subject,
                yes=v.yes,
                no=v.no,
                abstain=v.abstain,
                biased=v.biased,
                label=v.label,
            )
            for v in step.votes
        ),
    )


def _co_signature_view(catalog: Catalog, signature: Any) -> CoSignatureView:
    office = catalog.organizations.get(signature.office_id)
    return CoSignatureView(
        office_id=signature.office_id,
        office_name=office.name if office else signature.office_id,
        state=CoSignatureState(signature.state),
        actor=signature.actor,
        signed_at=signature.signed_at,
        comment=signature.comment,
    )


def paper_summary(paper: Any) -> PaperSummary:
    return PaperSummary(
        number=paper.number,
        paper_type=paper.paper_type,
        title=paper.title,
        office_id=paper.office_id,
        date=paper.date,
        state=paper.state,
    )


def audit_event_view(event: Any, paper_number: str | None) -> AuditEventView:
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
