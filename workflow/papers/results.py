"""Recording the result of a step: the outcome's effect on the path, votes, the amended text,
and the checks of dates, meetings and windows. ``apply_result`` is the one way a result is
recorded: for a single step, for a meeting's minutes and for the OParl import."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from storage import papers as paper_store
from storage.schema import (
    Consultation,
    Paper,
    TextVersion,
)
from workflow.core.catalog import Catalog
from workflow.core.clock import local
from workflow.core.engine import FlowContext
from workflow.core.errors import (
    InvalidInput,
    TransitionNotAllowed,
    did_you_mean,
)
from workflow.core.i18n import _
from workflow.core.model import (
    Action,
    Actor,
    AuditAction,
    ConsultationRole,
    Outcome,
    PaperView,
    ResultChoice,
    ResultEffect,
    ResultEntry,
    VoteCount,
    VoteKind,
)
from workflow.papers.present import present
from workflow.papers.result_check import ALLOWED_EFFECTS, result_choices, result_warnings
from workflow.papers.steps import (
    check_window,
    meeting_label,
    routing_arguments,
    step_at,
)
from workflow.papers.tally import check_votes, complete_vote, shown, stored, vote_row
from workflow.papers.types import (
    check_result,
)
from workflow.papers.votes import check_result_texts
from workflow.reminders.sync import paper_changed
from workflow.uow import KNOWN_USERS, TRUSTED, Reader, Shared, UnitOfWork, require_paper


class ResultService:
    """Results of the steps of a paper's Beratungsfolge."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def record_result(
        self,
        number: str,
        *,
        user: str | None,
        position: int,
        outcome: str,
        date: dt.date | None = None,
        votes: Sequence[VoteCount] = (),
        label: str | None = None,
        refer_to: str | None = None,
        refer_role: str | None = None,
        target_date: dt.date | None = None,
        amended_text: str | None = None,
        note: str | None = None,
        body: str | None = None,
    ) -> PaperView:
        """Record the result of one step and apply its routing effect (domain.md 2.2).

        ``outcome`` is a normalised outcome or a label from the municipality's definitions.
        Vertagt/zurückgestellt/abgesetzt insert the same body again (``target_date`` as its
        planned date); überwiesen/zurückverwiesen insert a step in ``refer_to``; geändert
        beschlossen and mit Änderungen empfohlen need the ``amended_text``, which becomes a new
        text version; the result of the concluding step decides the paper.

        :raises TransitionNotAllowed: the paper is not released, the step is already held, or
            an earlier step has no result yet.
        :raises InvalidInput: the outcome does not fit the step's role, or a vote is wrong.
        """
        check_result_texts(votes, label, amended_text, note)
        entry = ResultEntry(
            position=position,
            outcome=outcome,
            date=date,
            votes=tuple(votes),
            label=label,
            refer_to=refer_to,
            refer_role=refer_role,
            target_date=target_date,
            amended_text=amended_text,
            note=note,
        )
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number, Action.CONSULTATION_RECORD)
            warnings = apply_result(uow, paper, catalog, actor, entry)
            return replace(present(uow, catalog, paper), warnings=tuple(warnings))

    def result_options(
        self,
        number: str,
        *,
        position: int,
        body: str | None = None,
        reader: str | Reader | None = TRUSTED,
    ) -> tuple[ResultChoice, ...]:
        """The results step ``position`` of ``number`` may record, with the labels a person
        picks them by (the municipality's first).

        :raises NotFoundError: no such paper or step.
        """
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            paper = uow.paper(number)
            step = step_at(paper, position)
            catalog = uow.catalog(paper.definitions_version)
            return result_choices(catalog, ConsultationRole(step.role))

    def check_result_votes(
        self,
        number: str,
        *,
        position: int,
        outcome: str | None,
        votes: Sequence[VoteCount],
        body: str | None = None,
        reader: str | Reader | None = TRUSTED,
    ) -> tuple[str, ...]:
        """The quorum and majority warnings that recording ``outcome`` with ``votes`` for step
        ``position`` would give; nothing is recorded.

        :raises InvalidInput: counts that cannot be (see ``result_warnings``).
        :raises NotFoundError: no such paper or step.
        """
        check_result_texts(votes, None, None, None)
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            paper = uow.paper(number)
            step = step_at(paper, position)
            catalog = uow.catalog(paper.definitions_version)
            return tuple(result_warnings(catalog, step.organization_id, outcome, votes))


# The meeting states in which results are recorded (a step on its agenda, or the minutes).
RESULT_MEETING_STATES = ("invited", "held")


def _parse_outcome(catalog: Catalog, text: str) -> Outcome:
    """A normalised outcome, or a label the municipality's definitions map onto one."""
    outcome = catalog.procedure.outcome(text)
    if outcome is None:
        known = catalog.procedure.outcome_names()
        hint = did_you_mean(text, known) or _(" (use one of {results})").format(
            results=", ".join(o.value for o in Outcome)
        )
        raise InvalidInput(_("unknown result {text!r}{hint}").format(text=text, hint=hint))
    return outcome


def apply_result(
    uow: UnitOfWork,
    paper: Paper,
    catalog: Catalog,
    actor: Actor,
    entry: ResultEntry,
    origin: Mapping[str, str] | None = None,
) -> list[str]:
    """Record one result on the locked paper and apply its effect; return the warnings.
    ``origin`` (where a result taken over from another system comes from) joins the
    audit payload."""
    require_paper(catalog, actor, Action.CONSULTATION_RECORD, paper)
    votes = [complete_vote(v) for v in entry.votes]
    result = _parse_outcome(catalog, entry.outcome)
    step = step_at(paper, entry.position)
    extra = _check_outcome(catalog, paper, step, result, votes, entry)
    org = catalog.organization(step.organization_id)
    warnings = check_votes(catalog.procedure.voting_rule(org.id), org, result, votes)
    ctx = uow.flow(catalog, actor, paper)
    _begin_consultation(uow, ctx, paper, catalog)
    when = _result_day(uow, catalog, paper, step, entry)
    if step.state == catalog.lifecycle("consultation").initial:
        uow.engine.fire_consultation(ctx, step, "schedule", date=when)
    step.date = when
    step.outcome = result.value
    configured_label = None if entry.outcome == result.value else entry.outcome.strip()
    step.result_label = entry.label or configured_label or result.label
    if entry.note:
        step.note = entry.note
    step.votes = [vote_row(i, v) for i, v in enumerate(votes, start=1)]
    payload = _result_payload(step, entry, when, votes, stored(warnings))
    payload.update(origin or {})
    uow.record(paper, actor, AuditAction.RESULT_RECORDED, None, None, payload)
    if entry.amended_text is not None:
        add_text_version(uow, paper, actor, entry.amended_text, step)
    trigger = "hold" if result.effect.deliberated else "drop"
    uow.engine.fire_consultation(ctx, step, trigger, outcome=result.value, **extra)
    paper_changed(uow, catalog, paper)
    return shown(warnings)


def _check_outcome(
    catalog: Catalog,
    paper: Paper,
    step: Consultation,
    result: Outcome,
    votes: Sequence[VoteCount],
    entry: ResultEntry,
) -> dict[str, Any]:
    """Refuse a result that does not fit the step (its role, the paper's type and state, the
    votes a result not deliberated can carry); return the arguments of its routing effect."""
    role = ConsultationRole(step.role)
    if result.effect not in ALLOWED_EFFECTS[role]:
        fitting = [o.value for o in Outcome if o.effect in ALLOWED_EFFECTS[role]]
        raise InvalidInput(
            _("{value!r} does not fit step {position} ({role_value}); use one of {fitting}").format(
                value=result.value,
                position=entry.position,
                role_value=role.value,
                fitting=", ".join(fitting),
            )
        )
    check_result(catalog, paper, step, result, votes)
    if result.effect is ResultEffect.ANNUL and not _can_annul(catalog, paper):
        raise InvalidInput(
            _(
                "{value!r} annuls only a Dringlichkeitsentscheidung awaiting its "
                "follow-up; {number} is {state!r}"
            ).format(value=result.value, number=paper.number, state=paper.state)
        )
    extra = routing_arguments(
        catalog, result, entry.refer_to, entry.refer_role, entry.target_date, entry.amended_text
    )
    if not result.effect.deliberated and any(v.kind is not VoteKind.PROCEDURAL for v in votes):
        raise InvalidInput(
            _(
                "{value!r}: the item was not deliberated, so only the procedural vote on "
                "taking it off the agenda can be recorded (kind: procedural)"
            ).format(value=result.value)
        )
    return extra


def _result_day(
    uow: UnitOfWork, catalog: Catalog, paper: Paper, step: Consultation, entry: ResultEntry
) -> dt.date:
    """The day the result of ``step`` is dated: its meeting's day, else the entry's date, else
    the step's scheduled or planned date; refused when there is none, when it comes before an
    earlier level's result, lies outside an objection window or in the future."""
    position, date = entry.position, entry.date
    meeting_day = _meeting_day(uow, paper, step, date)
    when = meeting_day or date or step.date or step.planned_date
    if when is None:
        raise InvalidInput(
            _("step {position} of {number} has no meeting date; give the day").format(
                position=position, number=paper.number
            ),
            field="date",
        )
    check_result_date(catalog, paper, step, when)
    check_window(uow.session, paper, step, when)
    uow.refuse_future(
        _("the result of step {position} of {number} is dated").format(
            position=position, number=paper.number
        ),
        when,
        _("that is the day of its meeting: record it once the meeting has taken place")
        if meeting_day
        else _("record it once it is taken")
        if date
        else _("that is its planned day, not the day it was taken"),
        field=None if meeting_day else "date",
    )
    return when


def _result_payload(
    step: Consultation,
    entry: ResultEntry,
    when: dt.date,
    votes: Sequence[VoteCount],
    warnings: list[str],
) -> dict[str, Any]:
    """What ``result_recorded`` records of the result just set on ``step`` (dated ``when``)."""
    note = entry.note
    payload: dict[str, Any] = {
        "position": entry.position,
        "organization": step.organization_id,
        "date": when.isoformat(),
        "outcome": step.outcome,
        "label": step.result_label,
        "votes": [v.as_dict() for v in votes],
    }
    if note:
        payload["note"] = note
    if warnings:
        payload["warnings"] = warnings
    return payload


def check_result_date(catalog: Catalog, paper: Paper, step: Consultation, when: dt.date) -> None:
    """Refuse a result dated before the result of a step on an earlier level."""
    what = _("the result of step {position} of {number} is dated {when:%d.%m.%Y}").format(
        position=step.position, number=paper.number, when=when
    )
    earlier = [
        s
        for s in paper.consultations
        if s.level < step.level and s.outcome is not None and s.date is not None
    ]
    latest = max(earlier, key=lambda s: (s.date, s.position), default=None)
    if latest is not None and latest.date is not None and when < latest.date:
        name = catalog.organization(latest.organization_id).name
        raise InvalidInput(
            _(
                "{what}, before the result of the earlier step {position} ({name}) on "
                "{date:%d.%m.%Y}"
            ).format(what=what, position=latest.position, name=name, date=latest.date),
            field="date",
        )


def _meeting_day(
    uow: UnitOfWork, paper: Paper, step: Consultation, date: dt.date | None
) -> dt.date | None:
    """The day of the meeting whose agenda holds ``step`` (None: in no meeting), checked
    for a result: the meeting is invited or held, and ``date``, if given, is its day."""
    if step.meeting_id is None:
        return None
    meeting = paper_store.step_meeting(uow.session, step.meeting_id)
    catalog = uow.catalog(meeting.definitions_version)
    label = meeting_label(catalog, meeting)
    day = local(meeting.start).date()
    what = _("record the result of step {position} of {number}").format(
        position=step.position, number=paper.number
    )
    if meeting.state not in RESULT_MEETING_STATES:
        lifecycle = catalog.lifecycle("meeting")
        invite = lifecycle.transition("invite", meeting.state) is not None
        todo = (
            _(
                "invite it first (meeting invite {id}) or cancel it, which takes the "
                "step off its agenda"
            ).format(id=meeting.id)
            if invite
            else _("the step stays on its agenda")
        )
        raise TransitionNotAllowed(
            label,
            meeting.state,
            what,
            uow.engine.meeting_triggers(catalog, meeting.state),
            _("results are recorded for an invited or held meeting; {todo}").format(todo=todo),
        )
    if date is not None and date != day:
        raise InvalidInput(
            _(
                "step {position} of {number} is on the agenda of {label}: its result is "
                "dated {day:%d.%m.%Y}, the meeting's day, not {date:%d.%m.%Y}"
            ).format(position=step.position, number=paper.number, label=label, day=day, date=date),
            field="date",
        )
    return day


def _can_annul(catalog: Catalog, paper: Paper) -> bool:
    return catalog.lifecycle("paper").transition("annul", paper.state) is not None


def _begin_consultation(uow: UnitOfWork, ctx: FlowContext, paper: Paper, catalog: Catalog) -> None:
    lifecycle = catalog.lifecycle("paper")
    if lifecycle.transition("begin_consultation", paper.state):
        uow.engine.fire_paper(ctx, "begin_consultation", internal=True)
    elif not any(lifecycle.transition(t, paper.state) for t in ("adopt", "reject", "note")):
        raise TransitionNotAllowed(
            paper.number,
            paper.state,
            _("record a result"),
            uow.engine.paper_triggers(catalog, paper.state),
            _("results can be recorded once the paper is released"),
        )


def add_text_version(
    uow: UnitOfWork,
    paper: Paper,
    actor: Actor,
    text: str,
    step: Consultation | None,
) -> None:
    version = TextVersion(
        number=len(paper.text_versions) + 1,
        text=text,
        source="released" if step is None else "amended",
        position=step.position if step else None,
        organization_id=step.organization_id if step else None,
        created_at=uow.clock.now(),
        actor=actor.user_id,
    )
    paper.text_versions.append(version)
    uow.record(
        paper,
        actor,
        AuditAction.TEXT_VERSION_CREATED,
        None,
        None,
        {
            "version": version.number,
            "source": version.source,
            "position": version.position,
            "organization": version.organization_id,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "text": text,
        },
    )
