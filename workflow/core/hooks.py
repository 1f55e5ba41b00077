"""The guards and effects a lifecycle transition may name (``workflow.core.catalog`` lists
the names), and the audit event of every state entry. Each guard explains itself, so that a
refusal says why; effects are the transitions' ``after`` callbacks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from transitions import EventData

from workflow.core.flows import ConsultationRecord, Flow, FlowContext, MeetingFlow
from workflow.core.i18n import _
from workflow.core.model import AuditAction, ConsultationRole, Outcome
from workflow.core.model import ResultEffect as Effect

# Guards return None when satisfied, else the reason in words.
Guard = Callable[[Flow, dict[str, Any]], str | None]


def _has_consultations(flow: Flow, _kw: dict[str, Any]) -> str | None:
    return None if flow.ctx.paper.consultations else _("its Beratungsfolge is empty")


def _has_concluding_step(flow: Flow, _kw: dict[str, Any]) -> str | None:
    steps = flow.ctx.paper.consultations
    if steps and ConsultationRole(steps[-1].role).concludes:
        return None
    return _("its Beratungsfolge does not end in an Entscheidung or Kenntnisnahme")


def _all_co_signed(flow: Flow, _kw: dict[str, Any]) -> str | None:
    pending = [c.office_id for c in flow.ctx.paper.co_signatures if c.state == "pending"]
    if not pending:
        return None
    return _("co-signature pending from {offices}").format(offices=", ".join(pending))


def _no_objections(flow: Flow, _kw: dict[str, Any]) -> str | None:
    objected = [c.office_id for c in flow.ctx.paper.co_signatures if c.state == "objected"]
    if not objected:
        return None
    return _("objection by {offices} not resolved").format(offices=", ".join(objected))


def _has_date(flow: Flow, kw: dict[str, Any]) -> str | None:
    row = flow.row
    return None if kw.get("date") or row.date or row.planned_date else _("no date given")


def _previous_steps_done(flow: Flow, _kw: dict[str, Any]) -> str | None:
    """Every step on an earlier level is done (steps on the same level run in parallel)."""
    open_before = [
        c
        for c in flow.ctx.paper.consultations
        if c.level < flow.row.level and c.state not in flow.final_states
    ]
    if not open_before:
        return None
    first = open_before[0]
    name = flow.ctx.catalog.organization(first.organization_id).name
    return _("step {position} ({name}) has no result yet").format(
        position=first.position, name=name
    )


GUARDS: dict[str, Guard] = {
    "has_consultations": _has_consultations,
    "has_concluding_step": _has_concluding_step,
    "all_co_signed": _all_co_signed,
    "no_objections": _no_objections,
    "has_date": _has_date,
    "previous_steps_done": _previous_steps_done,
}


def _has_agenda(flow: MeetingFlow, _kw: dict[str, Any]) -> str | None:
    if flow.row.agenda_items:
        return None
    return _("its agenda is empty; build it or add items first")


MEETING_GUARDS: dict[str, Callable[[MeetingFlow, dict[str, Any]], str | None]] = {
    "has_agenda": _has_agenda,
}


def _flow(event: EventData) -> Flow:
    return cast(Flow, event.model)


def _request_co_signatures(event: EventData) -> None:
    flow = _flow(event)
    for signature in flow.ctx.paper.co_signatures:
        flow.ctx.record(
            AuditAction.CO_SIGNATURE_REQUESTED,
            None,
            signature.state,
            {"office": signature.office_id},
        )


def _freeze_text(event: EventData) -> None:
    _flow(event).row.frozen = True


def _close_open_steps(event: EventData) -> None:
    flow = _flow(event)
    for step in flow.ctx.paper.consultations:
        if "cancel" in flow.engine.consultation_triggers(
            flow.ctx.catalog, step.state, internal=True
        ):
            flow.engine.fire_consultation(
                flow.ctx, step, "cancel", internal=True, reason=_("paper withdrawn")
            )


def _advance_paper(event: EventData) -> None:
    """Apply the recorded result to the path (domain.md section 2.2).

    Vertagt, zurückgestellt and abgesetzt bring the same body again at a later meeting;
    überwiesen / zurückverwiesen insert a step in another body (and, if the deciding body
    referred, its decision again afterwards); zurückgezogen ends the path without a decision;
    the result of a concluding step decides the paper. Everything else lets the path go on.
    """
    flow = _flow(event)
    step, ctx, kw = flow.row, flow.ctx, event.kwargs
    outcome = Outcome(step.outcome)
    effect = outcome.effect
    role = ConsultationRole(step.role)
    # notes people read with the step (stored as written; older ones are English)
    origin = _("{result} in step {position}").format(result=outcome.label, position=step.position)
    if effect.repeats_step:
        _insert(ctx, step, step.organization_id, role, step.public, kw.get("target_date"), origin)
    elif effect is Effect.REFER:
        target_role = ConsultationRole(kw.get("refer_role") or ConsultationRole.VORBERATUNG)
        referred = _insert(ctx, step, kw["refer_to"], target_role, None, None, origin)
        if role.concludes and not target_role.concludes:
            again = _("{organization} decides after the referral in step {position}").format(
                organization=ctx.catalog.organization_name(step.organization_id),
                position=step.position,
            )
            _insert(ctx, referred, step.organization_id, role, step.public, None, again)
    elif effect is Effect.WITHDRAW:
        flow.engine.fire_paper(
            ctx, "withdraw", internal=True, position=step.position, outcome=outcome.value
        )
    elif role.concludes:
        trigger = {
            Effect.ADOPT: "adopt",
            Effect.APPROVE: "adopt",
            Effect.REJECT: "reject",
            Effect.NOTE: "note",
            Effect.ANNUL: "annul",
        }[effect]
        extra = _objection_period(ctx, step) if effect is Effect.ADOPT else {}
        flow.engine.fire_paper(
            ctx,
            "adopt_delegated" if extra else trigger,
            internal=True,
            position=step.position,
            outcome=outcome.value,
            **extra,
        )


def _objection_period(ctx: FlowContext, step: ConsultationRecord) -> dict[str, Any]:
    """A delegated committee's decision waits for its Einspruchsfrist (GO NRW § 57 Abs. 4)
    when the definitions configure one and the lifecycle has ``adopt_delegated``."""
    rule = ctx.catalog.decisions.delegated.get(step.organization_id)
    paper_lifecycle = ctx.catalog.lifecycle("paper")
    if rule is None or step.date is None:
        return {}
    if paper_lifecycle.transition("adopt_delegated", ctx.paper.state) is None:
        return {}
    return {"objection_period_until": step.date + dt.timedelta(days=rule.days)}


def _insert(
    ctx: FlowContext,
    after: ConsultationRecord,
    organization: str,
    role: ConsultationRole,
    public: bool | None,
    planned_date: dt.date | None,
    note: str,
) -> ConsultationRecord:
    if ctx.insert_step is None:  # the service always passes one; a bare engine cannot re-route
        raise RuntimeError("this result re-routes the paper, but no step inserter was given")
    return ctx.insert_step(
        after,
        organization=organization,
        role=role,
        public=public,
        planned_date=planned_date,
        note=note,
    )


EFFECTS: dict[str, Callable[[EventData], None]] = {
    "request_co_signatures": _request_co_signatures,
    "freeze_text": _freeze_text,
    "close_open_steps": _close_open_steps,
    "advance_paper": _advance_paper,
}


def audit_transition(event: EventData) -> None:
    flow = _flow(event)
    action = _TRANSITIONED.get(flow.lifecycle.name, AuditAction.CONSULTATION_TRANSITIONED)
    payload: dict[str, Any] = {"trigger": event.event.name}
    if flow.lifecycle.name == "consultation":
        payload["position"] = flow.row.position
    payload.update({k: _plain(v) for k, v in event.kwargs.items()})
    transition = event.transition
    assert transition is not None  # on_enter runs only inside a transition
    flow.ctx.record(action, transition.source, transition.dest, payload)


_TRANSITIONED = {
    "paper": AuditAction.PAPER_TRANSITIONED,
    "meeting": AuditAction.MEETING_TRANSITIONED,
}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
