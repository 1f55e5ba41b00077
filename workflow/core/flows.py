"""What the engine works on: objects shaped like the rows (protocols), the context of one
trigger, and the flow objects the ``transitions`` Machine moves: a row wrapped for the
length of one trigger, whose ``state`` is the row's state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from workflow.core.catalog import Catalog, Lifecycle
from workflow.core.model import Actor, AuditAction, ConsultationRole


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


class Firing(Protocol):
    """What the effects ask of the engine (``WorkflowEngine`` is one)."""

    def consultation_triggers(
        self, catalog: Catalog, state: str, *, internal: bool = False
    ) -> Sequence[str]: ...

    def fire_paper(
        self, ctx: FlowContext, trigger: str, *, internal: bool = False, **kwargs: Any
    ) -> None: ...

    def fire_consultation(
        self,
        ctx: FlowContext,
        step: ConsultationRecord,
        trigger: str,
        *,
        internal: bool = False,
        **kwargs: Any,
    ) -> None: ...


class Flow:
    """The transitions model for one row during one trigger; ``state`` is the row's state."""

    def __init__(self, engine: Firing, lifecycle: Lifecycle, row: Any, ctx: FlowContext):
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


class MeetingFlow:
    """The transitions model for one meeting row during one trigger."""

    def __init__(
        self, engine: Firing, lifecycle: Lifecycle, row: MeetingRecord, ctx: MeetingContext
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
