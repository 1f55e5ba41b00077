"""Audit replay of meetings: rebuild a meeting and its agenda purely from its ``meeting:<id>``
chain and compare them with the database, naming the first difference.

What is rebuilt: the meeting's organization, start and end (``meeting_created``,
``meeting_moved``), its state (each ``meeting_transitioned`` must leave the state the replay
stands in) and its agenda: every item (``agenda_item_added``) with its part, title and number
(given when it is added after the invitation, else by ``agenda_numbered``) in the order the
items were added. A meeting imported from OParl records neither its end nor its items' order;
those two are not compared for it. Reminders and minutes in the chain change nothing replay
compares (the results of the minutes are replayed with their papers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from workflow.audit.replay_state import ReplayProblem, ReplayReport, ReplayStatus, _need
from workflow.core.i18n import _
from workflow.core.model import AgendaPart, AuditAction, AuditEventView, MeetingView

#: ``VerifyReport.problem`` of a meeting its chain does not reproduce.
MEETING_PROBLEM = "differs from the database"


@dataclass(slots=True, kw_only=True)
class ReplayedItem:
    id: int
    part: str
    title: str
    number: str | None
    seq: int


@dataclass(slots=True, kw_only=True)
class ReplayedMeeting:
    organization_id: str
    start: dt.datetime
    end: dt.datetime | None
    end_known: bool  # an imported meeting's creating event does not record its end
    order_known: bool  # nor the order of its items
    state: str
    items: list[ReplayedItem] = field(default_factory=list)
    seq: int = 0  # the last event that changed the meeting itself


def meeting_label(meeting_id: int) -> str:
    return f"meeting {meeting_id}"


def check_meeting(events: list[AuditEventView], stored: MeetingView) -> ReplayReport:
    """Replay a meeting's ``events`` and compare the result with the ``stored`` meeting."""
    label, count = meeting_label(stored.id), len(events)
    try:
        replayed = replay_meeting(events)
    except ReplayProblem as problem:
        return ReplayReport(
            paper_number=label,
            meeting=stored.id,
            events=count,
            status=problem.status,
            difference=problem.message,
            seq=problem.seq,
        )
    found = meeting_difference(replayed, stored)
    if found is None:
        return ReplayReport(
            paper_number=label, meeting=stored.id, events=count, status=ReplayStatus.MATCH
        )
    text, seq = found
    return ReplayReport(
        paper_number=label,
        meeting=stored.id,
        events=count,
        status=ReplayStatus.MISMATCH,
        difference=text,
        seq=seq,
    )


def replay_meeting(events: Iterable[AuditEventView]) -> ReplayedMeeting:
    """The meeting as its events tell it.

    :raises ReplayProblem: the chain does not start with ``meeting_created``, or a transition
        leaves a state the meeting was not in.
    """
    meeting: ReplayedMeeting | None = None
    for event in events:
        if meeting is None:
            meeting = _created(event)
        elif event.action == AuditAction.MEETING_TRANSITIONED:
            _transitioned(meeting, event)
        elif event.action == AuditAction.MEETING_MOVED:
            meeting.start = _instant(_need(event, "start"))
            meeting.end = _instant(event.payload["end"]) if event.payload.get("end") else None
            meeting.seq = event.seq
        elif event.action == AuditAction.AGENDA_ITEM_ADDED:
            meeting.items.append(_item(event))
        elif event.action == AuditAction.AGENDA_ITEM_REMOVED:
            _removed(meeting, event)
        elif event.action == AuditAction.AGENDA_NUMBERED:
            _numbered(meeting, event)
        elif event.action == AuditAction.AGENDA_ORDERED:
            _ordered(meeting, event)
    if meeting is None:
        raise ReplayProblem(0, ReplayStatus.MISMATCH, _("the meeting's audit chain is empty"))
    return meeting


def _created(event: AuditEventView) -> ReplayedMeeting:
    if event.action != AuditAction.MEETING_CREATED:
        raise ReplayProblem(
            event.seq,
            ReplayStatus.INCOMPLETE,
            _("event {seq} ({action}) comes before the meeting_created event").format(
                seq=event.seq, action=event.action
            ),
        )
    payload = event.payload
    imported = "oparl_id" in payload
    return ReplayedMeeting(
        organization_id=_need(event, "organization"),
        start=_instant(_need(event, "start")),
        end=_instant(payload["end"]) if payload.get("end") else None,
        end_known="end" in payload,
        order_known=not imported,
        state=str(event.to_state),
        seq=event.seq,
    )


def _transitioned(meeting: ReplayedMeeting, event: AuditEventView) -> None:
    if event.from_state != meeting.state:
        raise ReplayProblem(
            event.seq,
            ReplayStatus.MISMATCH,
            _(
                "event {seq}: the meeting left {from_state!r}, but the audit trail so "
                "far has it {state!r}"
            ).format(seq=event.seq, from_state=event.from_state, state=meeting.state),
        )
    meeting.state, meeting.seq = str(event.to_state), event.seq


def _item(event: AuditEventView) -> ReplayedItem:
    return ReplayedItem(
        id=int(_need(event, "item")),
        part=str(_need(event, "part")),
        title=str(_need(event, "title")),
        number=event.payload.get("number"),
        seq=event.seq,
    )


def _removed(meeting: ReplayedMeeting, event: AuditEventView) -> None:
    """A step moved to another day before the invitation left the agenda."""
    item = int(_need(event, "item"))
    if not any(i.id == item for i in meeting.items):
        raise ReplayProblem(
            event.seq,
            ReplayStatus.MISMATCH,
            _(
                "event {seq}: agenda item {item} is removed, but the audit trail so far "
                "never added it"
            ).format(seq=event.seq, item=item),
        )
    meeting.items = [i for i in meeting.items if i.id != item]
    meeting.seq = event.seq


def _ordered(meeting: ReplayedMeeting, event: AuditEventView) -> None:
    """The Sitzungsdienst gave the agenda a new order, naming every item once."""
    order = [int(i) for i in _need(event, "order")]
    items = {i.id: i for i in meeting.items}
    if sorted(order) != sorted(items):
        raise ReplayProblem(
            event.seq,
            ReplayStatus.MISMATCH,
            _(
                "event {seq}: the new order names the items {order}, but the audit trail "
                "so far has {items}"
            ).format(seq=event.seq, order=sorted(order), items=sorted(items)),
        )
    meeting.items = [items[i] for i in order]
    for item in meeting.items:
        item.seq = event.seq
    meeting.seq = event.seq


def _numbered(meeting: ReplayedMeeting, event: AuditEventView) -> None:
    """The invitation numbers the items part by part, in their order, as it lists them."""
    listed = list(_need(event, "items"))
    ordered = [i for part in AgendaPart for i in meeting.items if i.part == part.value]
    if len(listed) != len(ordered):
        raise ReplayProblem(
            event.seq,
            ReplayStatus.MISMATCH,
            _(
                "event {seq}: the invitation numbers {listed} items, but the audit "
                "trail so far has {ordered}"
            ).format(seq=event.seq, listed=len(listed), ordered=len(ordered)),
        )
    for item, (number, *_rest) in zip(ordered, listed, strict=True):
        item.number, item.seq = number, event.seq


def meeting_difference(replayed: ReplayedMeeting, stored: MeetingView) -> tuple[str, int] | None:
    """The first field where the replayed meeting differs from the stored one: the meeting's
    organization, start, end and state, then its agenda."""
    fields: list[tuple[str, Any, Any]] = [
        ("organization", replayed.organization_id, stored.organization_id),
        ("start", replayed.start, stored.start),
        ("state", replayed.state, stored.state),
    ]
    if replayed.end_known:
        fields.append(("end", replayed.end, stored.end))
    for name, ours, theirs in fields:
        if ours != theirs:
            return _differs(_("the meeting's {name}").format(name=name), ours, theirs), replayed.seq
    return _agenda_difference(replayed, stored)


def _agenda_difference(replayed: ReplayedMeeting, stored: MeetingView) -> tuple[str, int] | None:
    ours = {i.id: i for i in replayed.items}
    theirs = {i.id: i for i in stored.agenda}
    if set(ours) != set(theirs):
        text = _differs(_("the agenda items"), sorted(ours), sorted(theirs))
        return text, max((i.seq for i in replayed.items), default=replayed.seq)
    for item in stored.agenda:
        mine = ours[item.id]
        for name, value in (("part", item.part.value), ("title", item.title)):
            if getattr(mine, name) != value:
                return _differs(
                    _("agenda item {id} {name}").format(id=item.id, name=name),
                    getattr(mine, name),
                    value,
                ), (mine.seq)
        if mine.number != item.number:
            return _differs(
                _("agenda item {id} number").format(id=item.id), mine.number, item.number
            ), mine.seq
    if replayed.order_known:
        order = [i.id for part in AgendaPart for i in replayed.items if i.part == part.value]
        stored_order = [i.id for i in stored.agenda]
        if order != stored_order:
            text = _differs(_("the agenda's order (item ids)"), order, stored_order)
            return text, max(i.seq for i in replayed.items)
    return None


def _instant(value: Any) -> dt.datetime:
    return dt.datetime.fromisoformat(str(value)).astimezone(dt.UTC)


def _differs(what: str, ours: Any, theirs: Any) -> str:
    return _("{what}: the audit trail gives {ours}, the database holds {theirs}").format(
        what=what, ours=_show(ours), theirs=_show(theirs)
    )


def _show(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return repr(value)
