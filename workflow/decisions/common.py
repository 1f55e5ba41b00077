"""What the decisions after the vote share: the step whose result is a paper's decision in
force, required reasons, month arithmetic for due dates, and how a recorded procedure
(Dringlichkeitsentscheidung or objection) appears in the audit trail and in the API."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from storage.schema import Consultation, DecisionProcedure, Paper
from workflow.core.errors import InvalidInput
from workflow.core.i18n import _
from workflow.core.model import Outcome, ProcedureView, ResultEffect

#: The results that make a step's decision the paper's decision in force.
DECIDING = (ResultEffect.ADOPT, ResultEffect.APPROVE)


def required(value: str | None, message: str, field: str) -> str:
    """``value`` without surrounding blanks; ``message`` (about the input ``field``) when there
    is nothing left."""
    if not (value and value.strip()):
        raise InvalidInput(message, field=field)
    return value.strip()


def decision_step(paper: Paper) -> Consultation:
    """The step whose result is the paper's decision in force."""
    for step in sorted(paper.consultations, key=lambda c: -c.position):
        if step.outcome and Outcome(step.outcome).effect in DECIDING and step.date:
            return step
    raise InvalidInput(
        _("{number} has no decision yet; there is nothing to object to").format(number=paper.number)
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` ``months`` later, on the month's last day where it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plain(payload: dict[str, Any]) -> dict[str, Any]:
    """An audit payload with its dates as ISO strings."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in payload.items()}


def procedure_payload(row: DecisionProcedure) -> dict[str, Any]:
    """A recorded procedure as its audit event carries it."""
    return plain(
        {
            "kind": row.kind,
            "date": row.date,
            "organization": row.organization_id,
            "decided_by": row.decided_by,
            "co_signer": row.co_signer,
            "reason": row.reason,
            "legal_basis": row.legal_basis,
            "position": row.position,
            "window_start": row.window_start,
            "window_end": row.window_end,
        }
    )


def procedure_view(number: str, row: DecisionProcedure) -> ProcedureView:
    """A recorded procedure as the API returns it."""
    return ProcedureView(
        paper_number=number,
        kind=row.kind,
        date=row.date,
        organization_id=row.organization_id,
        decided_by=row.decided_by,
        co_signer=row.co_signer,
        reason=row.reason,
        legal_basis=row.legal_basis,
        position=row.position,
        window_start=row.window_start,
        window_end=row.window_end,
        actor=row.actor,
    )
