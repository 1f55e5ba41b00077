"""Lifecycles on ``transitions``: one shared Machine per lifecycle and definitions version.

Rows are never given to ``add_model``. A short-lived flow object wraps a row for the length of
one trigger (``add_model`` ... ``remove_model``). Guards and effects come from the fixed set
named in ``workflow.core.catalog``; each guard explains itself so that a refusal says why. The
engine knows nothing of the database: it works on objects shaped like the rows (protocols
below) and reports every state change through ``FlowContext.record``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from transitions import EventData, Machine, MachineError

from workflow.core.catalog import Catalog, Lifecycle, LifecycleTransition
from workflow.core.errors import PermissionDenied, TransitionNotAllowed
from workflow.core.model import Actor, AuditAction, ConsultationRole, Outcome
from workflow.core.model import ResultEffect as Effect


class CoSignatureRecord(Protocol):
    office_id: str
    state: str


class ConsultationRecord(Protocol):
    position: int
    level: int
    organization_id: str
    role: str
    public: bool
    state: str
    date: dt.date | None
    planned_date: dt.date | None
    outcome: str | None


class PaperRecord(Protocol):
    number: str
    state: str
    frozen: bool

    @property
    def consultations(self) -> Sequence[ConsultationRecord]: ...

    @property
    def co_signatures(self) -> Sequence[CoSignatureRecord]: ...


class MeetingRecord(Protocol):
    id: int
    state: str

    @property
    def agenda_items(self) -> Sequence[Any]: ...


Recorder = Callable[[AuditAction, str | None, str | None, dict[str, Any]], None]


class StepInserter(Protocol):
    """Inserts a planned step on a new level right after ``after``'s level; returns it."""

    def __call__(
        self,
        after: ConsultationRecord,
        *,
        organization: str,
        role: ConsultationRole,
        public: bool | None,
        planned_date: dt.date | None,
        note: str,
    ) -> ConsultationRecord: ...


class _Acting(Protocol):
    catalog: Catalog
    actor: Actor


@dataclass(slots=True)
class FlowContext:
    """What a trigger needs besides its row: the definitions, who acts, the audit sink, and
    how to insert a step when a result re-routes the paper."""

    catalog: Catalog
    actor: Actor
    record: Recorder
    paper: PaperRecord
    insert_step: StepInserter | None = None


@dataclass(slots=True)
class MeetingContext:
    """What a meeting trigger needs: definitions, actor, the meeting's audit sink and a label."""

    catalog: Catalog
    actor: Actor
    record: Recorder
    meeting: MeetingRecord
    label: str


# Guards return None when satisfied, else the reason in words.
Guard = Callable[["_Flow", dict[str, Any]], str | None]


def _has_consultations(flow: _Flow, _kw: dict[str, Any]) -> str | None:
    return None if flow.ctx.paper.consultations else "its Beratungsfolge is empty"


def _has_concluding_step(flow: _Flow, _kw: dict[str, Any]) -> str | None:
    steps = flow.ctx.paper.consultations
    if steps and ConsultationRole(steps[-1].role).concludes:
        return None
    return "its Beratungsfolge does not end in an Entscheidung or Kenntnisnahme"


def _all_co_signed(flow: _Flow, _kw: dict[str, Any]) -> str | None:
    pending = [c.office_id for c in flow.ctx.paper.co_signatures if c.state == "pending"]
    return f"co-signature pending from {', '.join(pending)}" if pending else None


def _no_objections(flow: _Flow, _kw: dict[str, Any]) -> str | None:
    objected = [c.office_id for c in flow.ctx.paper.co_signatures if c.state == "objected"]
    return f"objection by {', '.join(objected)} not resolved" if objected else None


def _has_date(flow: _Flow, kw: dict[str, Any]) -> str | None:
    row = flow.row
    return None if kw.get("date") or row.date or row.planned_date else "no date given"


def _previous_steps_done(flow: _Flow, _kw: dict[str, Any]) -> str | None:
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
    return f"step {first.position} ({name}) has no result yet"


GUARDS: dict[str, Guard] = {
    "has_consultations": _has_consultations,
    "has_concluding_step": _has_concluding_step,
    "all_co_signed": _all_co_signed,
    "no_objections": _no_objections,
    "has_date": _has_date,
    "previous_steps_done": _previous_steps_done,
}


def _has_agenda(flow: _MeetingFlow, _kw: dict[str, Any]) -> str | None:
    return None if flow.row.agenda_items else "its agenda is empty; build it or add items first"


MEETING_GUARDS: dict[str, Callable[[_MeetingFlow, dict[str, Any]], str | None]] = {
    "has_agenda": _has_agenda,
}


class _Flow:
    """The transitions model for one row during one trigger; ``state`` is the row's state."""

    def __init__(self, engine: WorkflowEngine, lifecycle: Lifecycle, row: Any, ctx: FlowContext):
        self.engine = engine
        self.lifecycle = lifecycle
        self.row = row
        self.ctx = ctx
        self.final_states = frozenset(s.id for s in lifecycle.states if s.final)

    @property
    def state(self) -> str:
        return str(self.row.state)

    @state.setter
    def state(self, value: str) -> None:
        self.row.state = value


class _MeetingFlow:
    """The transitions model for one meeting row during one trigger."""

    def __init__(
        self, engine: WorkflowEngine, lifecycle: Lifecycle, row: MeetingRecord, ctx: MeetingContext
    ):
        self.engine = engine
        self.lifecycle = lifecycle
        self.row = row
        self.ctx = ctx

    @property
    def state(self) -> str:
        return str(self.row.state)

    @state.setter
    def state(self, value: str) -> None:
        self.row.state = value


def _flow(event: EventData) -> _Flow:
    return cast(_Flow, event.model)


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
                flow.ctx, step, "cancel", internal=True, reason="paper withdrawn"
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
    origin = f"{outcome.label} in step {step.position}"
    if effect.repeats_step:
        _insert(ctx, step, step.organization_id, role, step.public, kw.get("target_date"), origin)
    elif effect is Effect.REFER:
        target_role = ConsultationRole(kw.get("refer_role") or ConsultationRole.VORBERATUNG)
        referred = _insert(ctx, step, kw["refer_to"], target_role, None, None, origin)
        if role.concludes and not target_role.concludes:
            again = f"{step.organization_id} decides after the referral in step {step.position}"
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


class WorkflowEngine:
    """Builds and caches the machines; fires triggers with permission and guard checks."""

    def __init__(self) -> None:
        self._machines: dict[tuple[str, str], Machine] = {}
        self._lock = threading.RLock()

    def machine(self, catalog: Catalog, name: str) -> Machine:
        key = (catalog.version, name)
        with self._lock:
            machine = self._machines.get(key)
            if machine is None:
                machine = self._machines[key] = self._build(catalog.lifecycle(name))
            return machine

    @staticmethod
    def _build(lifecycle: Lifecycle) -> Machine:
        guards: Mapping[str, Callable[[Any, dict[str, Any]], str | None]] = (
            MEETING_GUARDS if lifecycle.name == "meeting" else GUARDS
        )
        transitions = [
            {
                "trigger": t.trigger,
                "source": list(t.sources),
                "dest": t.dest,
                "conditions": [_condition(g, guards) for g in t.guards],
                "after": [EFFECTS[e] for e in t.effects],
            }
            for t in lifecycle.transitions
        ]
        return Machine(
            model=None,
            # Audited on entering the new state, so the event precedes the effects' events.
            states=[{"name": s.id, "on_enter": [_audit_transition]} for s in lifecycle.states],
            transitions=transitions,
            initial=lifecycle.initial,
            auto_transitions=False,
            send_event=True,
        )

    # -- queries -------------------------------------------------------------------------

    def paper_triggers(self, catalog: Catalog, state: str, *, internal: bool = False) -> list[str]:
        """The paper's triggers from ``state``, without the decision procedures the
        municipality does not configure (so views and refusals name only what can happen)."""
        return [
            t
            for t in self._triggers(catalog.lifecycle("paper"), state, internal)
            if catalog.procedure_configured(t)
        ]

    def consultation_triggers(
        self, catalog: Catalog, state: str, *, internal: bool = False
    ) -> list[str]:
        return self._triggers(catalog.lifecycle("consultation"), state, internal)

    def meeting_triggers(self, catalog: Catalog, state: str) -> list[str]:
        return self._triggers(catalog.lifecycle("meeting"), state, False)

    @staticmethod
    def _triggers(lifecycle: Lifecycle, state: str, internal: bool) -> list[str]:
        return [
            t.trigger for t in lifecycle.transitions if state in t.sources and (internal or t.roles)
        ]

    # -- firing --------------------------------------------------------------------------

    def fire_paper(
        self, ctx: FlowContext, trigger: str, *, internal: bool = False, **kwargs: Any
    ) -> None:
        """Fire ``trigger`` on the paper; ``internal`` when the engine, not a user, causes it."""
        self._fire(ctx, "paper", ctx.paper, trigger, ctx.paper.number, internal, kwargs)

    def fire_consultation(
        self,
        ctx: FlowContext,
        step: ConsultationRecord,
        trigger: str,
        *,
        internal: bool = False,
        **kwargs: Any,
    ) -> None:
        label = f"step {step.position} of {ctx.paper.number}"
        self._fire(ctx, "consultation", step, trigger, label, internal, kwargs)

    def _fire(
        self,
        ctx: FlowContext,
        name: str,
        row: Any,
        trigger: str,
        label: str,
        internal: bool,
        kw: dict[str, Any],
    ) -> None:
        flow = _Flow(self, ctx.catalog.lifecycle(name), row, ctx)
        self._run(ctx, flow, trigger, label, internal, kw, lambda guard: GUARDS[guard](flow, kw))

    def fire_meeting(self, ctx: MeetingContext, trigger: str, **kwargs: Any) -> None:
        """Fire ``trigger`` on the meeting (always a user's action; roles are checked)."""
        flow = _MeetingFlow(self, ctx.catalog.lifecycle("meeting"), ctx.meeting, ctx)
        self._run(
            ctx, flow, trigger, ctx.label, False, kwargs, lambda g: MEETING_GUARDS[g](flow, kwargs)
        )

    def _run(
        self,
        ctx: _Acting,
        flow: _Flow | _MeetingFlow,
        trigger: str,
        label: str,
        internal: bool,
        kw: dict[str, Any],
        check: Callable[[str], str | None],
    ) -> None:
        lifecycle = flow.lifecycle
        state = flow.state
        transition = lifecycle.transition(trigger, state)
        allowed = self._triggers(lifecycle, state, internal=False)
        if transition is None:
            raise TransitionNotAllowed(label, state, trigger, allowed)
        if not internal:
            _check_roles(ctx, transition, label)
        for guard in transition.guards:
            reason = check(guard)
            if reason:
                raise TransitionNotAllowed(
                    label, state, trigger, allowed, f"{trigger} needs: {reason}"
                )
        machine = self.machine(ctx.catalog, lifecycle.name)
        with self._lock:
            machine.add_model(flow, initial=state)
            try:
                if not machine.events[trigger].trigger(flow, **kw):
                    raise TransitionNotAllowed(
                        label, state, trigger, allowed, f"a condition of {trigger} failed"
                    )
            except MachineError as exc:
                raise TransitionNotAllowed(label, state, trigger, allowed, exc.value) from exc
            finally:
                machine.remove_model(flow)


def _condition(
    guard: str, guards: Mapping[str, Callable[[Any, dict[str, Any]], str | None]]
) -> Callable[[EventData], bool]:
    def check(event: EventData) -> bool:
        return guards[guard](event.model, event.kwargs) is None

    check.__name__ = guard
    return check


def _check_roles(ctx: _Acting, transition: LifecycleTransition, label: str) -> None:
    if not transition.roles:
        raise PermissionDenied(
            f"{transition.trigger!r} on {label} happens only as a consequence of another step"
        )
    if not (ctx.actor.roles & transition.roles):
        needed = ", ".join(sorted(transition.roles))
        raise PermissionDenied(
            f"{ctx.actor.user_id!r} may not {transition.trigger} {label}: needs one of the "
            f"roles {needed}"
        )


def _audit_transition(event: EventData) -> None:
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
