"""Meetings and deadlines as an iCalendar file (RFC 5545), built with the ``icalendar`` package.

- **Meetings** are VEVENTs in the municipality's time zone (``DTSTART;TZID=Europe/Berlin``,
  with its VTIMEZONE for the exported period, daylight-saving changes included), with place,
  publicity (``CLASS`` and the text) and the agenda (non-public items by number only).
  A meeting planned without an end ends after its Gremium's ``meeting_length_minutes`` (three
  hours by default), so every client shows it with a length.
  ``STATUS`` is TENTATIVE before the invitation, CONFIRMED after it and CANCELLED for a
  cancelled meeting; ``SEQUENCE`` counts the meeting's changes (its row version) and
  ``LAST-MODIFIED`` is its last change, so calendar clients update the entry in place.
- **Deadlines** (Vorlagenschluss, Ladung, Mitzeichnung, Beschlusskontrolle reports) are
  all-day VEVENTs on their last day (``DeadlineStyle.EVENT``, shown by every client) or
  VTODOs with ``DUE`` (``DeadlineStyle.TODO``), naming the paper and what to do, in German.

Every UID is derived from what the entry is about (meeting id; kind, paper and step or office;
task id) and the municipality, never from the time, so a re-export keeps its UIDs.
Pure: the caller passes the data and the clock's ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from workflow.core.catalog import DEFAULT_MEETING_MINUTES
from workflow.core.deadlines import DeadlineEntry, DeadlineKind, show
from workflow.core.model import AgendaPart, ImplementationTaskView, MeetingView

if TYPE_CHECKING:
    from icalendar import Event, Todo

PRODID = "-//ratsweg//Sitzungskalender//DE"
#: how long a meeting planned without an end is shown when the feed names no length for its
#: Gremium (``workflow.core.catalog.DEFAULT_MEETING_MINUTES``)
DEFAULT_LENGTH = dt.timedelta(minutes=DEFAULT_MEETING_MINUTES)


class DeadlineStyle(StrEnum):
    """How deadlines are written: all-day events, or to-dos with DUE."""

    EVENT = "event"
    TODO = "todo"


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarFeed:
    """What one calendar export holds (the service's answer to ``calendar export``)."""

    body_id: str
    body_name: str
    time_zone: str
    title: str  # whose calendar: "Stadtrat", "Sozialamt", "Claudia Weber", ...
    start: dt.date
    end: dt.date
    meetings: tuple[MeetingView, ...]
    deadlines: tuple[DeadlineEntry, ...]
    tasks: tuple[ImplementationTaskView, ...]
    #: organization id -> name, for the texts
    names: dict[str, str]
    #: organization id -> the Gremium meets in public by default
    public_by_default: dict[str, bool]
    #: meeting id -> how often the meeting was changed (its SEQUENCE)
    sequences: dict[int, int]
    #: organization id -> how long its meetings take when they are planned without an end
    #: (``meeting_length_minutes`` of the definitions); others take ``DEFAULT_LENGTH``
    lengths: dict[str, dt.timedelta] = field(default_factory=dict)


_TODO_TEXT = {
    DeadlineKind.SUBMISSION_CUTOFF: (
        "Vorlage fertigstellen, mitzeichnen lassen und vor dem Vorlagenschluss freigeben "
        "(ratsweg paper release {paper})."
    ),
    DeadlineKind.INVITATION: "Einladung zur Sitzung mit dieser Vorlage fristgerecht versenden.",
    DeadlineKind.CO_SIGNING: (
        "Vorlage mitzeichnen oder Bedenken erheben "
        "(ratsweg paper co-sign {paper} --office {organization})."
    ),
}
_SUMMARY = {
    DeadlineKind.SUBMISSION_CUTOFF: "Vorlagenschluss",
    DeadlineKind.INVITATION: "Ladung fällig",
    DeadlineKind.CO_SIGNING: "Mitzeichnung fällig",
}
_STATUS = {"cancelled": "CANCELLED", "planned": "TENTATIVE"}


def build_calendar(feed: CalendarFeed, *, now: dt.datetime, style: DeadlineStyle) -> bytes:
    """The iCalendar text (UTF-8, CRLF line ends) of ``feed``."""
    from icalendar import Calendar  # imported here: commands that export nothing stay fast

    zone = ZoneInfo(feed.time_zone)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{feed.body_name}: {feed.title}")
    cal.add("x-wr-timezone", feed.time_zone)
    for meeting in feed.meetings:
        cal.add_component(_meeting(feed, meeting, zone, now))
    for entry in feed.deadlines:
        cal.add_component(_deadline(feed, entry, now, style))
    for task in feed.tasks:
        cal.add_component(_task(feed, task, now, style))
    first = min([feed.start, *(m.start.astimezone(zone).date() for m in feed.meetings)])
    last = max([feed.end, *(m.start.astimezone(zone).date() for m in feed.meetings)])
    cal.add_missing_timezones(first_date=first, last_date=last + dt.timedelta(days=1))
    return bytes(cal.to_ical())


def _uid(feed: CalendarFeed, *parts: object) -> str:
    text = "-".join(str(p).replace("/", "_").replace(" ", "_") for p in parts)
    return f"{text}@{feed.body_id}.ratsweg"


def _meeting(feed: CalendarFeed, meeting: MeetingView, zone: ZoneInfo, now: dt.datetime) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", _uid(feed, "sitzung", meeting.id))
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", meeting.start.astimezone(zone))
    end = meeting.end or meeting.start + feed.lengths.get(meeting.organization_id, DEFAULT_LENGTH)
    event.add("dtend", end.astimezone(zone))
    name = meeting.name or f"Sitzung {meeting.organization_name}"
    public = _public(feed, meeting)
    event.add("summary", name if public else f"{name} (nichtöffentlich)")
    if meeting.location:
        event.add("location", meeting.location)
    event.add("class", "PUBLIC" if public else "CONFIDENTIAL")
    event.add("status", _STATUS.get(meeting.state, "CONFIRMED"))
    event.add("sequence", feed.sequences.get(meeting.id, 0))
    event.add("created", meeting.created_at.astimezone(dt.UTC))
    event.add("last-modified", meeting.modified_at.astimezone(dt.UTC))
    event.add("categories", ["Sitzung", meeting.organization_name])
    event.add("description", _meeting_text(meeting, public))
    return event


def _public(feed: CalendarFeed, meeting: MeetingView) -> bool:
    """Public when it has a public part; without an agenda, as the Gremium meets by default."""
    if meeting.agenda:
        return any(item.part is AgendaPart.PUBLIC for item in meeting.agenda)
    return feed.public_by_default.get(meeting.organization_id, True)


def _meeting_text(meeting: MeetingView, public: bool) -> str:
    parts = [p for p in meeting.agenda if p.part is AgendaPart.PUBLIC]
    hidden = [p for p in meeting.agenda if p.part is not AgendaPart.PUBLIC]
    kind = "Öffentliche Sitzung" if public else "Nichtöffentliche Sitzung"
    if public and hidden:
        kind += " mit nichtöffentlichem Teil"
    lines = [f"{kind} ({meeting.organization_name}), Stand: {meeting.state_label}."]
    if meeting.state == "cancelled":
        lines.append("Die Sitzung wurde abgesagt.")
    if parts:
        lines += ["", "Tagesordnung, öffentlicher Teil:"]
        lines += [_item_line(p.number, p.title, p.paper_number, p.nachtrag) for p in parts]
    if hidden:
        numbers = ", ".join(p.number or "ohne Nummer" for p in hidden)
        lines += ["", f"Nichtöffentlicher Teil: {len(hidden)} Punkt(e) ({numbers})."]
    return "\n".join(lines)


def _item_line(number: str | None, title: str, paper: str | None, nachtrag: bool) -> str:
    head = f"{number or '-'} {title}"
    return head + (f" (Vorlage {paper})" if paper else "") + (" [Nachtrag]" if nachtrag else "")


def _deadline(
    feed: CalendarFeed, entry: DeadlineEntry, now: dt.datetime, style: DeadlineStyle
) -> Event | Todo:
    deadline = entry.deadline
    where = entry.position if entry.position is not None else entry.organization_id
    uid = _uid(feed, deadline.kind.value, entry.paper, where)
    summary = f"{_SUMMARY.get(deadline.kind, deadline.kind.label)}: {entry.paper} {entry.title}"
    if entry.meeting:
        summary += f" ({entry.organization_name}, Sitzung {entry.meeting:%d.%m.%Y})"
    lines = [
        f"Vorlage: {entry.paper} „{entry.title}“",
        (
            f"Sitzung: {entry.organization_name} am {show(entry.meeting)}"
            if entry.meeting
            else f"Mitzeichnung durch: {entry.organization_name}"
        ),
        f"Frist: {show(deadline.day)}, 24:00 Uhr",
        f"Berechnung: {deadline.explanation}",
        *(f"Achtung: {w}" for w in deadline.warnings),
        "",
        "Was zu tun ist: "
        + _TODO_TEXT.get(deadline.kind, "").format(
            paper=entry.paper, organization=entry.organization_id
        ),
    ]
    return _due_entry(uid, summary, "\n".join(lines), deadline.day, now, style)


def _task(
    feed: CalendarFeed, task: ImplementationTaskView, now: dt.datetime, style: DeadlineStyle
) -> Event | Todo:
    assert task.due is not None
    receiver = feed.names.get(task.report_to, task.report_to) if task.report_to else None
    what = f"Bericht alle {task.interval_months} Monate" if task.interval_months else "Umsetzung"
    lines = [
        f"Vorlage: {task.paper_number}",
        f"Aufgabe {task.id}: {task.title}",
        f"Zuständig: {feed.names.get(task.office_id, task.office_id)}",
        f"{what}" + (f", an {receiver}" if receiver else ""),
        f"Fällig: {show(task.due)}",
        "",
        (
            "Was zu tun ist: Umsetzungsbericht vorlegen und erfassen "
            f"(ratsweg decisions report {task.id} --text ...) oder die Umsetzung melden "
            f"(ratsweg decisions implemented {task.id} --text ...)."
        ),
    ]
    summary = f"Beschlusskontrolle: {task.paper_number} {task.title}"
    uid = _uid(feed, DeadlineKind.IMPLEMENTATION_REPORT.value, "aufgabe", task.id)
    return _due_entry(uid, summary, "\n".join(lines), task.due, now, style)


def _due_entry(
    uid: str, summary: str, text: str, day: dt.date, now: dt.datetime, style: DeadlineStyle
) -> Event | Todo:
    from icalendar import Event, Todo

    entry: Event | Todo
    if style is DeadlineStyle.TODO:
        entry = Todo()
        entry.add("due", day)
        entry.add("status", "NEEDS-ACTION")
    else:
        entry = Event()
        entry.add("dtstart", day)
        entry.add("dtend", day + dt.timedelta(days=1))
        entry.add("transp", "TRANSPARENT")
    entry.add("uid", uid)
    entry.add("dtstamp", now.astimezone(dt.UTC))
    entry.add("summary", f"Frist: {summary}")
    entry.add("description", text)
    entry.add("categories", ["Frist"])
    return entry


def feed_period(
    today: dt.date, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    """The exported days: by default from 30 days ago to a year ahead (never after the last
    day a date can have; ``calendar_feed`` refuses such periods)."""
    first = start or today - dt.timedelta(days=30)
    if end is not None:
        return first, end
    default_end = max(first, today)
    return first, default_end + min(dt.timedelta(days=365), dt.date.max - default_end)


def task_in_period(task: ImplementationTaskView, start: dt.date, end: dt.date) -> bool:
    return task.due is not None and start <= task.due <= end


def sorted_meetings(meetings: Sequence[MeetingView]) -> tuple[MeetingView, ...]:
    return tuple(sorted(meetings, key=lambda m: (m.start, m.id)))
