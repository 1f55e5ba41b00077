"""The state an audit replay rebuilds (``ReplayedPaper`` and its steps, co-signatures and
text versions), how a replay ends (``ReplayStatus``, ``ReplayReport``, ``ReplayProblem``) and
the reading of event payloads every handler shares. ``workflow.audit.replay`` describes replay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from workflow.core.i18n import _
from workflow.core.model import AuditEventView, VoteCount


class ReplayStatus(StrEnum):
    MATCH = "match"  # the audit trail reproduces the stored paper
    MISMATCH = "mismatch"  # it does not: ``difference`` names the first difference
    INCOMPLETE = "incomplete"  # an old event lacks what replay needs: ``difference`` says which


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayReport:
    paper_number: str
    events: int
    status: ReplayStatus
    difference: str | None = None
    seq: int | None = None  # the event where replay stopped, or that last set what differs
    meeting: int | None = None  # a meeting's report (``paper_number`` is then "meeting <id>")

    @property
    def ok(self) -> bool:
        return self.status is ReplayStatus.MATCH


class ReplayProblem(Exception):
    """Replay cannot go on at event ``seq``: ``status`` says whether the trail contradicts
    itself or the lifecycle (mismatch) or an old event lacks a field (incomplete)."""

    def __init__(self, seq: int, status: ReplayStatus, message: str):
        super().__init__(message)
        self.seq, self.status, self.message = seq, status, message


@dataclass(slots=True, kw_only=True)
class ReplayedStep:
    position: int
    level: int
    organization_id: str
    role: str
    public: bool
    state: str
    planned_date: dt.date | None = None
    date: dt.date | None = None
    outcome: str | None = None
    result_label: str | None = None
    votes: tuple[VoteCount, ...] = ()
    note: str | None = None
    seq: int = 0  # the last event that changed this step


@dataclass(slots=True, kw_only=True)
class ReplayedCoSignature:
    office_id: str
    state: str
    actor: str | None = None
    comment: str | None = None
    seq: int = 0


@dataclass(slots=True, kw_only=True)
class ReplayedTextVersion:
    number: int
    text: str
    source: str
    position: int | None
    organization_id: str | None
    actor: str
    seq: int


@dataclass(slots=True, kw_only=True)
class ReplayedPaper:
    number: str
    paper_type: str
    title: str
    office_id: str
    date: dt.date
    reference: str | None
    definitions_version: str
    state: str
    text: str | None
    text_known: bool  # False when the creating event predates the recorded draft text
    frozen: bool = False
    steps: list[ReplayedStep] = field(default_factory=list)
    co_signatures: dict[str, ReplayedCoSignature] = field(default_factory=dict)
    text_versions: list[ReplayedTextVersion] = field(default_factory=list)
    #: The steps each Ergänzungsvorlage took over, by its number, as they were then.
    handed_over: dict[str, list[ReplayedStep]] = field(default_factory=dict)
    seq: int = 0  # the last event that changed the paper's state
    events: int = 0

    @property
    def current_text(self) -> str | None:
        return self.text_versions[-1].text if self.text_versions else self.text


#: The replayed paper an Ergänzungsvorlage continues, by its number (``ReplayProblem`` when
#: that paper's own chain does not replay).
Continued = Callable[[str], ReplayedPaper]


def _need(event: AuditEventView, name: str) -> Any:
    if name not in event.payload:
        raise ReplayProblem(
            event.seq,
            ReplayStatus.INCOMPLETE,
            _(
                "event {seq} ({action}) lacks {name!r}: it was recorded before ratsweg "
                "kept that field, so the paper cannot be replayed past it"
            ).format(seq=event.seq, action=event.action, name=name),
        )
    return event.payload[name]


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def replayed_step(paper: ReplayedPaper, event: AuditEventView, position: Any) -> ReplayedStep:
    """The step at ``position`` of the paper replayed so far."""
    for step in paper.steps:
        if step.position == position:
            return step
    raise ReplayProblem(
        event.seq,
        ReplayStatus.MISMATCH,
        _(
            "event {seq} ({action}) names step {position}, but the audit trail so "
            "far has {count} steps"
        ).format(seq=event.seq, action=event.action, position=position, count=len(paper.steps)),
    )
