"""Lifecycles on ``transitions``: one shared Machine per lifecycle and definitions version.

Rows are never given to ``add_model``. A short-lived flow object wraps a row for the length of
one trigger (``add_model`` ... ``remove_model``). Guards and effects (``workflow.core.hooks``)
come from the fixed set named in ``workflow.core.catalog``; each guard explains itself so that a
refusal says why. The engine knows nothing of the database: it works on objects shaped like the
rows (protocols in ``workflow.core.flows``) and reports every state change through
``FlowContext.record``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from transitions import EventData, Machine, MachineError

from workflow.core.catalog import Catalog, Lifecycle, LifecycleTransition
from workflow.core.errors import PermissionDenied, TransitionNotAllowed
from workflow.core.flows import (
    ConsultationRecord,
    CoSignatureRecord,
    Flow,
    FlowContext,
    MeetingContext,
    MeetingFlow,
    MeetingRecord,
    PaperRecord,
    Recorder,
    StepInserter,
)
from workflow.core.hooks import EFFECTS, GUARDS, MEETING_GUARDS, Guard, audit_transition
from workflow.core.i18n import _
from workflow.core.labels import Offer, Offers, action_label
from workflow.core.model import Actor

#: The engine is the lifecycles' public face: the rows' protocols, the contexts, the guards
#: and effects are imported from here.
__all__ = [
    "EFFECTS",
    "GUARDS",
    "MEETING_GUARDS",
    "CoSignatureRecord",
    "ConsultationRecord",
    "FlowContext",
    "Guard",
    "MeetingContext",
    "MeetingRecord",
    "PaperRecord",
    "Recorder",
    "StepInserter",
    "WorkflowEngine",
]


class _Acting(Protocol):
    catalog: Catalog
    actor: Actor


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
            states=[{"name": s.id, "on_enter": [audit_transition]} for s in lifecycle.states],
            transitions=transitions,
            initial=lifecycle.initial,
            auto_transitions=False,
            send_event=True,
        )

    # -- queries -------------------------------------------------------------------------

    def paper_triggers(self, catalog: Catalog, state: str, *, internal: bool = False) -> Offers:
        """The paper's triggers from ``state``, without the decision procedures the
        municipality does not configure (so views and refusals name only what can happen)."""
        offers = self._triggers(catalog.lifecycle("paper"), state, internal)
        return Offers((t for t in offers if catalog.procedure_configured(t)), offers.state_label)

    def consultation_triggers(
        self, catalog: Catalog, state: str, *, internal: bool = False
    ) -> Offers:
        return self._triggers(catalog.lifecycle("consultation"), state, internal)

    def meeting_triggers(self, catalog: Catalog, state: str) -> Offers:
        return self._triggers(catalog.lifecycle("meeting"), state, False)

    @staticmethod
    def _triggers(lifecycle: Lifecycle, state: str, internal: bool) -> Offers:
        """The triggers from ``state``, each with its label, and the state's label."""
        state_label = _state_label(lifecycle, state)
        offers = (
            Offer(t.trigger, t.label, state_label)
            for t in lifecycle.transitions
            if state in t.sources and (internal or t.roles)
        )
        return Offers(offers, state_label)

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
        label = _("step {position} of {number}").format(
            position=step.position, number=ctx.paper.number
        )
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
        flow = Flow(self, ctx.catalog.lifecycle(name), row, ctx)
        self._run(ctx, flow, trigger, label, internal, kw, lambda guard: GUARDS[guard](flow, kw))

    def fire_meeting(self, ctx: MeetingContext, trigger: str, **kwargs: Any) -> None:
        """Fire ``trigger`` on the meeting (always a user's action; roles are checked)."""
        flow = MeetingFlow(self, ctx.catalog.lifecycle("meeting"), ctx.meeting, ctx)
        self._run(
            ctx, flow, trigger, ctx.label, False, kwargs, lambda g: MEETING_GUARDS[g](flow, kwargs)
        )

    def _run(
        self,
        ctx: _Acting,
        flow: Flow | MeetingFlow,
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
        action = _action(lifecycle, trigger, transition)
        named = _state_label(lifecycle, state)
        if transition is None:
            raise TransitionNotAllowed(label, state, action, allowed, state_label=named)
        if not internal:
            _check_roles(ctx, transition, label)
        for guard in transition.guards:
            reason = check(guard)
            if reason:
                detail = _("it needs: {reason}").format(reason=reason)
                raise TransitionNotAllowed(label, state, action, allowed, detail, state_label=named)
        machine = self.machine(ctx.catalog, lifecycle.name)
        with self._lock:
            machine.add_model(flow, initial=state)
            try:
                if not machine.events[trigger].trigger(flow, **kw):
                    detail = _("one of its conditions failed")
                    raise TransitionNotAllowed(
                        label, state, action, allowed, detail, state_label=named
                    )
            except MachineError as exc:
                raise TransitionNotAllowed(
                    label, state, action, allowed, exc.value, state_label=named
                ) from exc
            finally:
                machine.remove_model(flow)


def _condition(
    guard: str, guards: Mapping[str, Callable[[Any, dict[str, Any]], str | None]]
) -> Callable[[EventData], bool]:
    def check(event: EventData) -> bool:
        return guards[guard](event.model, event.kwargs) is None

    check.__name__ = guard
    return check


def _state_label(lifecycle: Lifecycle, state: str) -> str:
    """The definitions' label of ``state``; '' for a state this version does not know."""
    return next((s.label for s in lifecycle.states if s.id == state), "")


def _action(lifecycle: Lifecycle, trigger: str, transition: LifecycleTransition | None) -> Offer:
    """The refused trigger with its label: the transition's, else the first transition's of
    that trigger, else the catalogue's."""
    named = transition or next((t for t in lifecycle.transitions if t.trigger == trigger), None)
    return Offer(trigger, named.label if named else action_label(trigger))


def _check_roles(ctx: _Acting, transition: LifecycleTransition, label: str) -> None:
    action = transition.label or action_label(transition.trigger)
    if not transition.roles:
        raise PermissionDenied(
            _(
                "{action!r} ({trigger}) on {subject} happens only as a consequence of another step"
            ).format(action=action, trigger=transition.trigger, subject=label)
        )
    if not (ctx.actor.roles & transition.roles):
        raise PermissionDenied(
            _(
                "{user!r} may not {action!r} ({trigger}) {subject}: needs one of the roles {roles}"
            ).format(
                user=ctx.actor.user_id,
                action=action,
                trigger=transition.trigger,
                subject=label,
                roles=", ".join(sorted(transition.roles)),
            )
        )
