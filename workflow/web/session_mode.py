"""``/sitzungen/{meeting_id}/sitzungsmodus``: the session office during the meeting, TOP by
TOP. For the current TOP (``?top=N``, from 1 in the agenda's order) it records the result by
the municipality's labels, the votes (counts or named ballots, procedural motions and
amendments before the main vote) and shows the service's quorum and majority warnings; then
the next TOP. The service decides what may be recorded and when; this module only reads the
form and shows what the service says."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from workflow.core.errors import WorkflowError
from workflow.core.i18n import _
from workflow.core.labels import value_label
from workflow.core.model import (
    Action,
    AgendaItemView,
    Ballot,
    ConsultationView,
    MeetingView,
    NamedBallot,
    OrganizationKind,
    ResultChoice,
    VoteCount,
    VoteKind,
    WebSessionView,
)
from workflow.web.auth import Web, form_of, may, page, status_of, web_of
from workflow.web.papers import paper_url

#: The largest count a vote field takes (the service refuses more members than seats).
MAX_COUNT = 9999
#: Procedural motions and amendments the form holds at most (each row is five fields).
MAX_PRE_VOTES = 4
#: Named ballots: lines of the text field, and the length of one line.
MAX_NAMED, MAX_NAME = 120, 120
#: The lengths of the texts of a result.
MAX_SUBJECT, MAX_VOTE_LABEL, MAX_NOTE, MAX_TEXT = 200, 100, 2000, 20000
COUNT_FIELDS = ("yes", "no", "abstain")
#: The kinds of vote taken before the main vote.
PRE_KINDS = (VoteKind.PROCEDURAL, VoteKind.AMENDMENT)


def mode_url(meeting_id: int, top: int | None = None, saved: int | None = None) -> str:
    url = f"/sitzungen/{meeting_id}/sitzungsmodus"
    query = [f"top={top}"] if top else []
    query += [f"gespeichert={saved}"] if saved else []
    return url + ("?" + "&".join(query) if query else "")


@dataclass(slots=True)
class ResultForm:
    """The posted form: the values as typed (to show them again), the problems by field, and
    what they mean for the service."""

    values: dict[str, str]
    pre_rows: int
    errors: dict[str, str] = field(default_factory=dict)
    votes: list[VoteCount] = field(default_factory=list)
    target_date: dt.date | None = None


@page
def session_mode(request: Request, session: WebSessionView) -> Response:
    web = web_of(request)
    meeting = _meeting(web, request, session)
    items = list(meeting.agenda)
    if request.method == "GET":
        index = _top_of(request.query_params.get("top"), items)
        return _render(web, request, session, meeting, index)
    return _post(web, request, session, meeting, items)


def _post(
    web: Web,
    request: Request,
    session: WebSessionView,
    meeting: MeetingView,
    items: list[AgendaItemView],
) -> Response:
    """Check the votes, show one more motion row, or record the result and go on."""
    form = form_of(request)
    index = _top_of(str(form.get("top") or ""), items)
    item = items[index - 1] if items else None
    if item is None or str(item.id) != str(form.get("item") or ""):
        # the TOP the form was shown for, not another one: the agenda may have changed since
        message = _("The agenda has changed since this page was loaded; check the TOP again.")
        return _render(web, request, session, meeting, index, status=409, form_error=message)
    if item.paper_number is None or item.consultation_position is None:
        message = _("This TOP has no paper whose result could be recorded.")
        return _render(web, request, session, meeting, index, status=422, form_error=message)
    choices = web.service.results.result_options(
        item.paper_number, position=item.consultation_position, **_reader(web, session)
    )
    action = str(form.get("action") or "")
    parsed = read_form(form, choices, need_result=action == "save")
    if action == "more":
        parsed.pre_rows = min(MAX_PRE_VOTES, parsed.pre_rows + 1)
        parsed.errors.clear()
    if parsed.errors or action == "more":
        status = 422 if parsed.errors else 200
        return _render(web, request, session, meeting, index, status=status, form=parsed)
    try:
        if action == "save":
            _record(web, session, item, parsed)
            following = index + 1 if index < len(items) else index
            return RedirectResponse(mode_url(meeting.id, following, index), status_code=303)
        warnings = web.service.results.check_result_votes(
            item.paper_number,
            position=item.consultation_position,
            outcome=parsed.values["result"] or None,
            votes=parsed.votes,
            **_reader(web, session),
        )
    except WorkflowError as exc:
        return _render(
            web, request, session, meeting, index, status_of(exc), parsed, form_error=str(exc)
        )
    return _render(web, request, session, meeting, index, form=parsed, warnings=warnings)


def _record(web: Web, session: WebSessionView, item: AgendaItemView, parsed: ResultForm) -> None:
    values = parsed.values
    assert item.paper_number is not None and item.consultation_position is not None
    web.service.results.record_result(
        item.paper_number,
        user=session.user_id,
        position=item.consultation_position,
        outcome=values["result"],
        votes=parsed.votes,
        refer_to=values["refer_to"] or None,
        target_date=parsed.target_date,
        amended_text=values["text"] or None,
        note=values["note"] or None,
        body=web.settings.body,
    )


def _reader(web: Web, session: WebSessionView) -> dict[str, Any]:
    return {"body": web.settings.body, "reader": session.user_id}


def _meeting(web: Web, request: Request, session: WebSessionView) -> MeetingView:
    meeting_id = int(request.path_params["meeting_id"])
    return web.service.meetings.get_meeting(meeting_id, **_reader(web, session))


def _top_of(value: str | None, items: list[AgendaItemView]) -> int:
    """The TOP asked for (from 1); else the first whose step is still open, else the first."""
    if value and value.isdigit() and len(value) <= 4 and 1 <= int(value) <= len(items):
        return int(value)
    open_items = [i for i, item in enumerate(items, start=1) if _open(item)]
    return open_items[0] if open_items else 1


def _open(item: AgendaItemView) -> bool:
    return item.paper_number is not None and item.consultation_state in ("planned", "scheduled")


# -- reading the form ---------------------------------------------------------------------------


def read_form(
    form: FormData, choices: tuple[ResultChoice, ...], *, need_result: bool
) -> ResultForm:
    """The form's values checked for their shape (numbers, lengths, dates); whether they make
    a result is the service's to say."""
    pre_rows = _count_of(str(form.get("pre_rows") or ""), 1, MAX_PRE_VOTES)
    names = ["result", "vote_label", "named", "refer_to", "until", "text", "note", *COUNT_FIELDS]
    for row in range(1, pre_rows + 1):
        names += [f"pre{row}_{key}" for key in ("kind", "subject", *COUNT_FIELDS)]
    values = {name: str(form.get(name) or "").strip() for name in names}
    parsed = ResultForm(values=values, pre_rows=pre_rows)
    _check_lengths(parsed)
    if values["result"] and values["result"] not in {c.label for c in choices}:
        parsed.errors["result"] = _("Choose one of the results shown.")
    elif need_result and not values["result"]:
        parsed.errors["result"] = _("Choose the result of this TOP.")
    parsed.votes = [*_pre_votes(parsed), *_main_vote(parsed)]
    parsed.target_date = _date(parsed, "until")
    return parsed


def _check_lengths(parsed: ResultForm) -> None:
    limits = {"vote_label": MAX_VOTE_LABEL, "note": MAX_NOTE, "text": MAX_TEXT}
    limits |= {f"pre{r}_subject": MAX_SUBJECT for r in range(1, parsed.pre_rows + 1)}
    limits |= {"named": MAX_NAMED * (MAX_NAME + 20), "refer_to": 100, "result": 200}
    for name, limit in limits.items():
        if len(parsed.values[name]) > limit:
            parsed.errors[name] = _("At most {limit} characters.").format(limit=limit)


def _number(parsed: ResultForm, name: str) -> int | None:
    raw = parsed.values[name]
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and int(raw) <= MAX_COUNT:
        return int(raw)
    parsed.errors[name] = _("Enter a whole number from 0 to {max}.").format(max=MAX_COUNT)
    return None


def _pre_votes(parsed: ResultForm) -> list[VoteCount]:
    """The procedural motions and amendments voted on before the main vote, in their order."""
    votes = []
    for row in range(1, parsed.pre_rows + 1):
        key = f"pre{row}_"
        yes, no, abstain = (_number(parsed, key + name) for name in COUNT_FIELDS)
        subject = parsed.values[key + "subject"]
        if not subject and yes is None and no is None and abstain is None:
            continue
        kinds = {k.value: k for k in PRE_KINDS}
        kind = kinds.get(parsed.values[key + "kind"], VoteKind.PROCEDURAL)
        if not subject:
            parsed.errors[key + "subject"] = _("Name the motion, e.g. Vertagungsantrag.")
        votes.append(VoteCount(subject=subject, kind=kind, yes=yes, no=no, abstain=abstain))
    return votes


def _main_vote(parsed: ResultForm) -> list[VoteCount]:
    yes, no, abstain = (_number(parsed, name) for name in COUNT_FIELDS)
    named = _named(parsed)
    label = parsed.values["vote_label"] or None
    if yes is None and no is None and abstain is None and not named and label is None:
        return []
    return [VoteCount(label=label, named=named, yes=yes, no=no, abstain=abstain)]


def ballot_words() -> dict[str, Ballot]:
    """The words a named ballot is written with: the German labels (Ja, Nein, Enthaltung, ...)
    and the ids, case-insensitive."""
    words = {b.value.casefold(): b for b in Ballot}
    return words | {b.label.casefold(): b for b in Ballot}


def _named(parsed: ResultForm) -> tuple[NamedBallot, ...]:
    """``Name: Stimme`` per line (``Müller, Anna: Ja``)."""
    lines = [line.strip() for line in parsed.values["named"].splitlines() if line.strip()]
    if len(lines) > MAX_NAMED:
        parsed.errors["named"] = _("At most {count} lines.").format(count=MAX_NAMED)
        return ()
    words, ballots = ballot_words(), []
    for number, line in enumerate(lines, start=1):
        member, colon, word = line.rpartition(":")
        ballot = words.get(word.strip().casefold())
        if not colon or not member.strip() or ballot is None or len(member) > MAX_NAME:
            allowed = ", ".join(b.label for b in Ballot)
            parsed.errors["named"] = _(
                "Line {number}: write 'name: vote', e.g. 'Müller, Anna: Ja' (votes: {allowed})."
            ).format(number=number, allowed=allowed)
            return ()
        ballots.append(NamedBallot(member=member.strip(), ballot=ballot))
    return tuple(ballots)


def _date(parsed: ResultForm, name: str) -> dt.date | None:
    raw = parsed.values[name]
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw) if len(raw) == 10 else _german_date(raw)
    except ValueError:
        parsed.errors[name] = _("Enter a date such as 20.05.2025.")
        return None


def _german_date(raw: str) -> dt.date:
    return dt.datetime.strptime(raw, "%d.%m.%Y").date()


def _count_of(raw: str, default: int, most: int) -> int:
    return max(1, min(most, int(raw))) if raw.isascii() and raw.isdigit() and raw else default


# -- the page ------------------------------------------------------------------------------------


def _render(
    web: Web,
    request: Request,
    session: WebSessionView,
    meeting: MeetingView,
    index: int,
    status: int = 200,
    form: ResultForm | None = None,
    form_error: str | None = None,
    warnings: tuple[str, ...] | None = None,
) -> Response:
    items = list(meeting.agenda)
    item = items[index - 1] if items else None
    context: dict[str, Any] = {
        "meeting": meeting,
        "meeting_url": f"/sitzungen/{meeting.id}",
        "action_url": mode_url(meeting.id),
        "items": [_row(meeting.id, i, it, i == index) for i, it in enumerate(items, start=1)],
        "index": index,
        "item": item,
        "previous_url": mode_url(meeting.id, index - 1) if index > 1 else None,
        "next_url": mode_url(meeting.id, index + 1) if index < len(items) else None,
        "form": form or ResultForm(values={}, pre_rows=1),
        "form_error": form_error,
        "warnings": warnings,
        "saved": _saved(web, request, session, meeting),
        "may_record": _may_record(web, session),
        "pre_kinds": [(k.value, k.label) for k in PRE_KINDS],
        "ballot_labels": ", ".join(b.label for b in (Ballot.YES, Ballot.NO, Ballot.ABSTAIN)),
        "max_pre_votes": MAX_PRE_VOTES,
        "max_count": MAX_COUNT,
    }
    context |= _current(web, session, item)
    return web.pages.render(request, "session_mode.html", session, status, **context)


def _row(meeting_id: int, index: int, item: AgendaItemView, current: bool) -> dict[str, Any]:
    state = item.consultation_state
    return {
        "index": index,
        "number": item.number or str(index),
        "title": item.title,
        "paper_number": item.paper_number,
        "state": value_label("step", state) if state else _("no paper"),
        "result": item.result_label,
        "done": state is not None and not _open(item),
        "current": current,
        "url": mode_url(meeting_id, index),
    }


def _current(web: Web, session: WebSessionView, item: AgendaItemView | None) -> dict[str, Any]:
    """The current TOP's paper, its step and the results the step may record."""
    if item is None or item.paper_number is None or item.consultation_position is None:
        return {"paper": None, "step": None, "choices": (), "organizations": ()}
    reader = _reader(web, session)
    paper = web.service.papers.get_paper(item.paper_number, **reader)
    step = _step(paper.consultations, item.consultation_position)
    choices = web.service.results.result_options(
        item.paper_number, position=item.consultation_position, **reader
    )
    catalog = web.service.bodies.catalog(web.settings.body, reader=session.user_id)
    organizations = sorted(
        (o.id, o.name)
        for o in catalog.organizations.values()
        if o.kind is not OrganizationKind.OFFICE
    )
    return {
        "paper": paper,
        "paper_url": paper_url(paper.number),
        "step": step,
        "step_open": step is not None and step.state in ("planned", "scheduled"),
        "choices": choices,
        "organizations": organizations,
    }


def _step(steps: tuple[ConsultationView, ...], position: int) -> ConsultationView | None:
    return next((s for s in steps if s.position == position), None)


def _may_record(web: Web, session: WebSessionView) -> bool:
    """Only whether to show the form: the service decides when it is posted."""
    catalog = web.service.bodies.catalog(web.settings.body, reader=session.user_id)
    return may(catalog, session, Action.CONSULTATION_RECORD)


def _saved(
    web: Web, request: Request, session: WebSessionView, meeting: MeetingView
) -> dict[str, Any] | None:
    """The TOP just recorded (``?gespeichert=N``): its result and the warnings its votes give."""
    raw = request.query_params.get("gespeichert") or ""
    items = list(meeting.agenda)
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4 and 1 <= int(raw) <= len(items)):
        return None
    item = items[int(raw) - 1]
    if item.paper_number is None or item.consultation_position is None:
        return None
    reader = _reader(web, session)
    paper = web.service.papers.get_paper(item.paper_number, **reader)
    step = _step(paper.consultations, item.consultation_position)
    if step is None or step.outcome is None:
        return None
    warnings = web.service.results.check_result_votes(
        paper.number, position=step.position, outcome=step.outcome, votes=step.votes, **reader
    )
    return {"number": item.number or raw, "step": step, "warnings": warnings, "paper": paper}


ROUTES = [
    Route("/sitzungen/{meeting_id:int}/sitzungsmodus", session_mode, methods=["GET", "POST"]),
]
