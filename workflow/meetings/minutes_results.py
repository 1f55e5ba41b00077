"""Recording the results of a whole meeting from its minutes (Niederschrift), all items or
none: ``MinutesService`` (the minutes file is read by ``workflow.meetings.minutes``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from storage.schema import Consultation, Meeting, Paper
from workflow.core.catalog import Catalog
from workflow.core.clock import local
from workflow.core.errors import (
    InvalidInput,
    MinutesFileError,
    NotFoundError,
    Problem,
    TransitionNotAllowed,
    did_you_mean,
)
from workflow.core.i18n import _
from workflow.core.model import (
    Action,
    Actor,
    AuditAction,
    MinutesResult,
    ResultEntry,
)
from workflow.meetings.common import meeting_catalog_actor, record_meeting
from workflow.meetings.minutes import MinutesItem
from workflow.papers.results import RESULT_MEETING_STATES, apply_result
from workflow.papers.votes import check_result_texts
from workflow.uow import Shared, UnitOfWork, require


class MinutesService:
    """The results of a whole meeting from its minutes, all items or none."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def record_minutes(
        self,
        meeting_id: int,
        items: Sequence[MinutesItem],
        *,
        user: str | None,
        body: str | None = None,
    ) -> list[MinutesResult]:
        """Record the results of a whole meeting in one transaction: every item or none.

        Items name their agenda item by TOP number or by paper. Each result is recorded for
        the meeting's day exactly as ``record_result`` would; every problem of every item is
        collected (named with its TOP and its line in the file) and rolls everything back.

        :raises MinutesFileError: one or more items have a problem; nothing is recorded.
        """
        if not items:
            raise InvalidInput(_("the minutes hold no results"))
        problems: list[Problem] = []
        for item in items:
            try:
                check_result_texts(item.votes, item.label, item.amended_text, item.note)
            except InvalidInput as exc:
                problems.append(item.problem(str(exc)))
        if problems:
            raise MinutesFileError(problems)
        with self._shared.write(user, body) as uow:
            meeting = uow.meeting(meeting_id, for_update=True)
            meeting_catalog, actor = meeting_catalog_actor(uow, meeting)
            label = _("meeting {id}").format(id=meeting.id)
            require(meeting_catalog, actor, Action.CONSULTATION_RECORD, label)
            self._require_results_open(meeting_catalog, meeting, label)
            targets = _agenda_targets(meeting, items, problems)
            day = local(meeting.start).date()
            papers = _lock_papers(uow, targets)
            results: list[MinutesResult] = []
            for item, step in targets:
                paper, catalog = papers[step.paper_id]
                try:
                    results.append(_record_item(uow, actor, paper, catalog, step, item, day))
                except InvalidInput as exc:  # go on: the file's other problems are reported too
                    problems.append(item.problem(str(exc)))
            if problems:  # raised inside the unit of work: it rolls back every item
                raise MinutesFileError(problems)
            payload = {
                "items": [r.item for r in results],
                "papers": sorted({r.paper_number for r in results}),
            }
            record_meeting(uow, meeting, actor, AuditAction.MINUTES_RECORDED, payload, None, None)
            meeting.modified_at = self._shared.clock.now()
            return results

    def _require_results_open(self, catalog: Catalog, meeting: Meeting, label: str) -> None:
        """Results are recorded for an invited or held meeting only."""
        if meeting.state not in RESULT_MEETING_STATES:
            raise TransitionNotAllowed(
                label,
                meeting.state,
                _("record the minutes"),
                self._shared.engine.meeting_triggers(catalog, meeting.state),
                _("results are recorded for an invited or held meeting"),
            )


def _lock_papers(
    uow: UnitOfWork, targets: list[tuple[MinutesItem, Consultation]]
) -> dict[int, tuple[Paper, Catalog]]:
    """The papers of the minutes' consultations with their catalogs, locked by paper id."""
    papers: dict[int, tuple[Paper, Catalog]] = {}
    for paper_id in sorted({c.paper_id for _item, c in targets}):  # lock order: paper id
        number = next(c.paper.number for _item, c in targets if c.paper_id == paper_id)
        paper = uow.paper(number, for_update=True)
        papers[paper_id] = (paper, uow.catalog(paper.definitions_version))
    return papers


def _record_item(
    uow: UnitOfWork,
    actor: Actor,
    paper: Paper,
    catalog: Catalog,
    step: Consultation,
    item: MinutesItem,
    day: dt.date,
) -> MinutesResult:
    """Record one item's result for the meeting's day exactly as ``record_result`` would; a
    problem is named with the item's TOP and paper."""
    entry = ResultEntry(
        position=step.position,
        outcome=item.outcome,
        date=day,
        votes=item.votes,
        label=item.label,
        refer_to=item.refer_to,
        refer_role=item.refer_role,
        target_date=item.target_date,
        amended_text=item.amended_text,
        note=item.note,
    )
    try:
        warnings = apply_result(uow, paper, catalog, actor, entry)
    except (InvalidInput, NotFoundError, TransitionNotAllowed) as exc:
        raise InvalidInput(f"{item.shown} ({paper.number}): {exc}") from exc
    return MinutesResult(
        item=item.name,
        paper_number=paper.number,
        position=step.position,
        outcome=step.outcome or item.outcome,
        paper_state=paper.state,
        warnings=tuple(warnings),
    )


def _agenda_targets(
    meeting: Any, items: Sequence[MinutesItem], problems: list[Problem]
) -> list[tuple[MinutesItem, Consultation]]:
    """The consultation behind each item; an item not on the agenda adds its problem."""
    targets: list[tuple[MinutesItem, Consultation]] = []
    for item in items:
        try:
            targets.append((item, _agenda_target(meeting, item)))
        except InvalidInput as exc:
            problems.append(item.problem(str(exc)))
    return targets


def _agenda_target(meeting: Any, item: MinutesItem) -> Consultation:
    """The consultation behind a minutes item (by TOP number or by paper)."""
    agenda = [a for a in meeting.agenda_items if a.consultation is not None]
    if item.top is not None:
        wanted = item.top.replace(" ", "").casefold()
        found = [
            a
            for a in meeting.agenda_items
            if (a.number or "").replace(" ", "").casefold() == wanted
        ]
        if not found:
            numbers = [a.number for a in meeting.agenda_items if a.number]
            hint = (
                _(" (TOPs: {numbers})").format(numbers=", ".join(numbers))
                if numbers
                else _(" (the agenda is not numbered yet)")
            )
            raise InvalidInput(
                _("meeting {id} has no TOP {top!r}{hint}").format(
                    id=meeting.id, top=item.top, hint=hint
                )
            )
        if found[0].consultation is None:
            raise InvalidInput(_("TOP {top} is no paper's consultation").format(top=item.top))
        return cast(Consultation, found[0].consultation)
    matches = [a for a in agenda if a.consultation.paper.number == item.paper]
    if not matches:
        papers = sorted({a.consultation.paper.number for a in agenda})
        raise InvalidInput(
            _("paper {paper!r} is not on the agenda of meeting {id}").format(
                paper=item.paper, id=meeting.id
            )
            + (
                did_you_mean(item.paper or "", papers)
                or _(" (papers: {papers})").format(papers=", ".join(papers) or _("none"))
            )
        )
    if len(matches) > 1:
        raise InvalidInput(
            _("paper {paper} is on the agenda twice; name the TOP").format(paper=item.paper)
        )
    return cast(Consultation, matches[0].consultation)
