"""Audit replay, rebuilding: a paper from its ``paper_created`` event on, one handler per
action that changes what the paper view shows, each transition checked against the paper's
lifecycle. ``workflow.audit.replay`` describes replay.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from workflow.audit.replay_state import (
    Continued,
    ReplayedCoSignature,
    ReplayedPaper,
    ReplayedStep,
    ReplayedTextVersion,
    ReplayProblem,
    ReplayStatus,
    _day,
    _need,
    replayed_step,
)
from workflow.core.catalog import Catalog
from workflow.core.i18n import _
from workflow.core.model import (
    AuditAction,
    AuditEventView,
    Ballot,
    NamedBallot,
    VoteCount,
    VoteKind,
)

#: Events in a paper's chain that change nothing the paper view shows.
_NOT_REPLAYED = frozenset(
    {
        AuditAction.CO_SIGNATURE_REQUESTED,
        AuditAction.OBJECTION_RAISED,
        AuditAction.IMPLEMENTATION_TASK_ADDED,
        AuditAction.IMPLEMENTATION_REPORTED,
        AuditAction.IMPLEMENTATION_COMPLETED,
        AuditAction.REMINDER_PLANNED,
        AuditAction.REMINDER_MOVED,
        AuditAction.REMINDER_CANCELLED,
        AuditAction.REMINDER_SENT,
        AuditAction.REMINDER_FAILED,
        AuditAction.REMINDER_RETRIED,
        AuditAction.ANSWER_RECORDED,
        AuditAction.ATTACHMENT_ADDED,
    }
)


def replay_events(
    events: Iterable[AuditEventView],
    catalog_of: Callable[[str], Catalog],
    continued: Continued | None = None,
) -> ReplayedPaper:
    """The paper as its events tell it; ``catalog_of(version)`` gives its definitions and
    ``continued(number)`` the replayed paper an Ergänzungsvorlage continues (the steps it takes
    over keep what that paper's events gave them, e.g. the note of a step "vertagt" inserted).

    :raises ReplayProblem: an event contradicts the replay so far or the lifecycle, or lacks a
        field replay needs.
    """
    paper: ReplayedPaper | None = None
    catalog: Catalog | None = None
    for event in events:
        if paper is None or catalog is None:
            if event.action != AuditAction.PAPER_CREATED:
                raise ReplayProblem(
                    event.seq,
                    ReplayStatus.INCOMPLETE,
                    _("event {seq} ({action}) comes before the paper_created event").format(
                        seq=event.seq, action=event.action
                    ),
                )
            version = _need(event, "definitions_version")
            catalog = catalog_of(version)
            paper = _created(event, catalog)
            if continued is not None and event.payload.get("continues"):
                _take_over(paper, event, continued)
            continue
        paper.events += 1
        handler = _HANDLERS.get(event.action)
        if handler is None:
            if event.action in _NOT_REPLAYED:
                continue
            raise ReplayProblem(
                event.seq,
                ReplayStatus.INCOMPLETE,
                _("event {seq}: replay does not know the action {action!r}").format(
                    seq=event.seq, action=event.action
                ),
            )
        handler(paper, catalog, event)
    if paper is None:
        raise ReplayProblem(0, ReplayStatus.INCOMPLETE, _("the paper's audit chain is empty"))
    return paper


def _created(event: AuditEventView, catalog: Catalog) -> ReplayedPaper:
    initial = catalog.lifecycle("consultation").initial
    text_known = "text" in event.payload
    paper = ReplayedPaper(
        number=_need(event, "number"),
        paper_type=_need(event, "paper_type"),
        title=_need(event, "title"),
        office_id=_need(event, "office"),
        date=dt.date.fromisoformat(_need(event, "date")),
        reference=event.payload.get("reference"),
        definitions_version=_need(event, "definitions_version"),
        state=event.to_state or catalog.lifecycle("paper").initial,
        text=event.payload.get("text"),
        text_known=text_known,
        seq=event.seq,
        events=1,
    )
    paper.steps = [_step_of(event, item, initial) for item in _need(event, "consultations")]
    paper.co_signatures = {
        office: ReplayedCoSignature(office_id=office, state="pending", seq=event.seq)
        for office in _need(event, "participants")
    }
    return paper


def _take_over(paper: ReplayedPaper, event: AuditEventView, continued: Continued) -> None:
    """An Ergänzungsvorlage's steps as the paper it continues handed them over: the creating
    event names each step's former position; what it does not record (note, result) comes
    from the other paper's chain, and the two must agree on the step."""
    previous = str(event.payload["continues"])
    try:
        handed = continued(previous).handed_over.get(paper.number)
    except ReplayProblem as problem:
        raise ReplayProblem(
            event.seq,
            problem.status,
            _("the paper it continues, {previous}, does not replay: {message}").format(
                previous=previous, message=problem.message
            ),
        ) from None
    if handed is None:
        raise ReplayProblem(
            event.seq,
            ReplayStatus.MISMATCH,
            _(
                "event {seq}: the paper continues {previous}, but {previous}'s audit "
                "trail hands no steps over to it"
            ).format(seq=event.seq, previous=previous),
        )
    by_position = {s.position: s for s in handed}
    for step, item in zip(paper.steps, event.payload["consultations"], strict=True):
        old = by_position.get(item.get("from_position"))
        if old is None or (old.organization_id, old.role) != (step.organization_id, step.role):
            raise ReplayProblem(
                event.seq,
                ReplayStatus.MISMATCH,
                _(
                    "event {seq}: step {position} ({organization_id}) is not the step "
                    "{from_position} that {previous}'s audit trail hands over"
                ).format(
                    seq=event.seq,
                    position=step.position,
                    organization_id=step.organization_id,
                    from_position=item.get("from_position"),
                    previous=previous,
                ),
            )
        step.note, step.outcome, step.result_label = old.note, old.outcome, old.result_label
        step.votes = old.votes


def _step_of(event: AuditEventView, item: Mapping[str, Any], state: str) -> ReplayedStep:
    missing = [k for k in ("position", "level", "organization", "role", "public") if k not in item]
    if missing:
        raise ReplayProblem(
            event.seq,
            ReplayStatus.INCOMPLETE,
            _(
                "event {seq} ({action}) lacks {field!r} of a step: it was recorded "
                "before ratsweg kept that field, so the paper cannot be replayed past it"
            ).format(seq=event.seq, action=event.action, field=missing[0]),
        )
    return ReplayedStep(
        position=int(item["position"]),
        level=int(item["level"]),
        organization_id=str(item["organization"]),
        role=str(item["role"]),
        public=bool(item["public"]),
        state=str(item.get("state", state)),  # an Ergänzungsvorlage takes steps over as they are
        planned_date=_day(item.get("planned_date")),
        date=_day(item.get("date")),
        seq=event.seq,
    )


def _transition(
    catalog: Catalog, name: str, event: AuditEventView, current: str, what: str
) -> tuple[str, tuple[str, ...]]:
    """The checked destination of a transition event and the effects it ran."""
    trigger = _need(event, "trigger")
    if event.from_state != current:
        raise ReplayProblem(
            event.seq,
            ReplayStatus.MISMATCH,
            _(
                "event {seq}: {what} left {from_state!r}, but the audit trail so far has "
                "it {current!r}"
            ).format(seq=event.seq, what=what, from_state=event.from_state, current=current),
        )
    transition = catalog.lifecycle(name).transition(trigger, current)
    if transition is None or transition.dest != event.to_state:
        raise ReplayProblem(
            event.seq,
            ReplayStatus.MISMATCH,
            _(
                "event {seq}: the {name} lifecycle cannot explain {trigger!r} taking "
                "{what} from {current!r} to {to_state!r}"
            ).format(
                seq=event.seq,
                name=name,
                trigger=trigger,
                what=what,
                current=current,
                to_state=event.to_state,
            ),
        )
    return transition.dest, transition.effects


def _paper_transitioned(paper: ReplayedPaper, catalog: Catalog, event: AuditEventView) -> None:
    paper.state, effects = _transition(catalog, "paper", event, paper.state, _("the paper"))
    paper.frozen = paper.frozen or "freeze_text" in effects
    paper.seq = event.seq


def _consultation_transitioned(
    paper: ReplayedPaper, catalog: Catalog, event: AuditEventView
) -> None:
    step = replayed_step(paper, event, _need(event, "position"))
    what = _("step {position}").format(position=step.position)
    step.state, _trigger = _transition(catalog, "consultation", event, step.state, what)
    payload = event.payload
    trigger = payload["trigger"]
    if trigger == "schedule":
        step.date = _day(payload.get("date")) or step.date
    elif trigger == "unschedule":
        step.date = None
    elif trigger == "cancel" and "note" in payload:
        step.note = payload["note"]
    step.seq = event.seq


def _co_signed(paper: ReplayedPaper, _catalog: Catalog, event: AuditEventView) -> None:
    office = _need(event, "office")
    signature = paper.co_signatures.get(office)
    if signature is None:
        raise ReplayProblem(
            event.seq,
            ReplayStatus.MISMATCH,
            _(
                "event {seq}: {office!r} signs, but it is no participating office of the "
                "paper created in the audit trail"
            ).format(seq=event.seq, office=office),
        )
    if event.from_state != signature.state:
        raise ReplayProblem(
            event.seq,
            ReplayStatus.MISMATCH,
            _(
                "event {seq}: the co-signature of {office!r} left {from_state!r}, but "
                "the audit trail so far has it {state!r}"
            ).format(
                seq=event.seq, office=office, from_state=event.from_state, state=signature.state
            ),
        )
    signature.state = event.to_state or signature.state
    signature.actor, signature.comment, signature.seq = (
        event.actor,
        event.payload.get("comment"),
        (event.seq),
    )


def _co_signature_overruled(paper: ReplayedPaper, _catalog: Catalog, event: AuditEventView) -> None:
    """The office head overruled an objection: the state changes; the objecting office's
    signer and comment stay."""
    office = _need(event, "office")
    signature = paper.co_signatures.get(office)
    if signature is None or signature.state != event.from_state:
        have = (
            _("no co-signature")
            if signature is None
            else _("it {state!r}").format(state=signature.state)
        )
        raise ReplayProblem(
            event.seq,
            ReplayStatus.MISMATCH,
            _(
                "event {seq}: the objection of {office!r} is overruled, but the audit "
                "trail so far has {have}"
            ).format(seq=event.seq, office=office, have=have),
        )
    signature.state, signature.seq = event.to_state or signature.state, event.seq


def _supplement_created(paper: ReplayedPaper, _catalog: Catalog, event: AuditEventView) -> None:
    """The open steps went on to the Ergänzungsvorlage: they leave this paper."""
    moved = {int(m["from_position"]) for m in _need(event, "moved")}
    missing = moved - {step.position for step in paper.steps}
    if missing:
        raise ReplayProblem(
            event.seq,
            ReplayStatus.MISMATCH,
            _(
                "event {seq}: step {position} goes on to "
                "{supplement}, but the audit trail so far has no such "
                "step"
            ).format(
                seq=event.seq,
                position=min(missing),
                supplement=event.payload.get("supplement"),
            ),
        )
    handed = [dataclasses.replace(s) for s in paper.steps if s.position in moved]
    paper.handed_over[str(event.payload.get("supplement"))] = handed
    paper.steps = [step for step in paper.steps if step.position not in moved]


def _consultation_added(paper: ReplayedPaper, catalog: Catalog, event: AuditEventView) -> None:
    """A step inserted by the session office, by a result's routing effect, or a decided step.

    Steps on the level of the new one move one level down unless the new step joins the
    group right before it (``--parallel-to``); later positions move one place back.
    """
    state = event.to_state or catalog.lifecycle("consultation").initial
    new = _step_of(event, event.payload, state)
    at = new.position
    if not 1 <= at <= len(paper.steps) + 1:
        raise ReplayProblem(
            event.seq,
            ReplayStatus.MISMATCH,
            _(
                "event {seq}: a step is added at position {at}, but the audit trail so "
                "far has {count} steps"
            ).format(seq=event.seq, at=at, count=len(paper.steps)),
        )
    before = paper.steps[at - 2] if at > 1 else None
    if before is None or before.level != new.level:
        for step in paper.steps:
            if step.level >= new.level:
                step.level += 1
    for step in paper.steps:
        if step.position >= at:
            step.position += 1
    payload = event.payload
    new.note = payload.get("reason")
    if "outcome" in payload:  # the Bürgermeister's decision, held at once
        new.date, new.outcome = _day(payload.get("date")), payload["outcome"]
    paper.steps.insert(at - 1, new)


def _consultation_removed(paper: ReplayedPaper, _catalog: Catalog, event: AuditEventView) -> None:
    step = replayed_step(paper, event, _need(event, "position"))
    paper.steps.remove(step)
    for later in paper.steps:
        if later.position > step.position:
            later.position -= 1
    if not any(s.level == step.level for s in paper.steps):
        for later in paper.steps:
            if later.level > step.level:
                later.level -= 1


def _consultation_moved(paper: ReplayedPaper, _catalog: Catalog, event: AuditEventView) -> None:
    step = replayed_step(paper, event, _need(event, "from_position"))
    to = int(_need(event, "to_position"))
    steps = sorted(paper.steps, key=lambda s: s.position)
    steps.remove(step)
    steps.insert(to - 1, step)
    old = [s.level for s in steps]
    level = 0
    for index, item in enumerate(steps):
        item.position = index + 1
        if index == 0 or old[index] != old[index - 1]:
            level += 1
        item.level = level
    paper.steps = steps


def _path_replaced(paper: ReplayedPaper, catalog: Catalog, event: AuditEventView) -> None:
    """A neue Beratungsfolge: before release the old steps go, afterwards they stay (the open
    ones were cancelled by the events before this one); the new steps follow."""
    if not paper.frozen:
        paper.steps = []
    note = f"neue Beratungsfolge: {_need(event, 'reason')}"
    initial = catalog.lifecycle("consultation").initial
    for item in _need(event, "new"):
        if int(item["position"]) > len(paper.steps):
            step = _step_of(event, item, initial)
            step.note = note
            paper.steps.append(step)


def _result_recorded(paper: ReplayedPaper, _catalog: Catalog, event: AuditEventView) -> None:
    step = replayed_step(paper, event, _need(event, "position"))
    payload = event.payload
    step.date = _day(_need(event, "date"))
    step.outcome = _need(event, "outcome")
    step.result_label = payload.get("label")
    if payload.get("note"):
        step.note = payload["note"]
    step.votes = tuple(_vote(v) for v in _need(event, "votes"))
    step.seq = event.seq


def _vote(data: Mapping[str, Any]) -> VoteCount:
    return VoteCount(
        subject=data["subject"],
        kind=VoteKind(data["kind"]),
        yes=data.get("yes"),
        no=data.get("no"),
        abstain=data.get("abstain"),
        biased=data.get("biased"),
        not_participating=data.get("not_participating"),
        absent=data.get("absent"),
        label=data.get("label"),
        raw=data.get("raw"),
        named=tuple(
            NamedBallot(member=n["member"], ballot=Ballot(n["ballot"]))
            for n in data.get("named") or ()
        ),
    )


def _text_version_created(paper: ReplayedPaper, _catalog: Catalog, event: AuditEventView) -> None:
    paper.text_versions.append(
        ReplayedTextVersion(
            number=int(_need(event, "version")),
            text=_need(event, "text"),
            source=_need(event, "source"),
            position=event.payload.get("position"),
            organization_id=event.payload.get("organization"),
            actor=event.actor,
            seq=event.seq,
        )
    )


def _paper_edited(paper: ReplayedPaper, _catalog: Catalog, event: AuditEventView) -> None:
    """A draft's new title, participating offices and planned dates (its new wording comes
    with the draft text version's own event)."""
    changes = _need(event, "changes")
    if "title" in changes:
        paper.title = changes["title"]["new"]
    if "participants" in changes:
        paper.co_signatures = {
            office: ReplayedCoSignature(office_id=office, state="pending", seq=event.seq)
            for office in changes["participants"]["new"]
        }
    for position, day in (changes.get("planned_dates") or {}).get("new", {}).items():
        step = replayed_step(paper, event, int(position))
        step.planned_date, step.seq = _day(day), event.seq
    paper.seq = event.seq


def _urgent_decision_recorded(
    paper: ReplayedPaper, _catalog: Catalog, event: AuditEventView
) -> None:
    step = replayed_step(paper, event, _need(event, "decided_position"))
    step.result_label = _need(event, "decided_label")
    step.seq = event.seq


_HANDLERS: dict[str, Callable[[ReplayedPaper, Catalog, AuditEventView], None]] = {
    AuditAction.PAPER_TRANSITIONED: _paper_transitioned,
    AuditAction.PAPER_EDITED: _paper_edited,
    AuditAction.CONSULTATION_TRANSITIONED: _consultation_transitioned,
    AuditAction.CO_SIGNED: _co_signed,
    AuditAction.CO_SIGNATURE_OBJECTED: _co_signed,
    AuditAction.CO_SIGNATURE_OVERRULED: _co_signature_overruled,
    AuditAction.SUPPLEMENT_CREATED: _supplement_created,
    AuditAction.CONSULTATION_ADDED: _consultation_added,
    AuditAction.CONSULTATION_REMOVED: _consultation_removed,
    AuditAction.CONSULTATION_MOVED: _consultation_moved,
    AuditAction.PATH_REPLACED: _path_replaced,
    AuditAction.RESULT_RECORDED: _result_recorded,
    AuditAction.TEXT_VERSION_CREATED: _text_version_created,
    AuditAction.URGENT_DECISION_RECORDED: _urgent_decision_recorded,
}
