"""``calendar export``: the meetings and deadlines of a person, an office or a Gremium, as the
service half of ``workflow.calendar.ical`` (which writes the iCalendar text).

``service.calendar`` (``CalendarService``) reads it in one unit of work. Who sees what:
- ``--organization G``: the meetings of G, the deadlines of steps in G, the Beschlusskontrolle
  tasks reporting to G;
- ``--office O``: meetings with a paper of O on the agenda, the deadlines of O's papers and
  co-signatures, O's tasks;
- ``--user U``: as ``--office`` for each of U's offices; a user without offices (Sitzungsdienst,
  auditors) sees the whole municipality, as without any of the three.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from storage import repository
from workflow.calendar.ical import CalendarFeed, feed_period, sorted_meetings, task_in_period
from workflow.core.clock import BERLIN, local
from workflow.core.errors import InvalidInput
from workflow.core.i18n import _, date_text
from workflow.decisions.tasks import open_tasks
from workflow.papers.deadlines import open_deadlines
from workflow.papers.views import meeting_view
from workflow.uow import KNOWN_USERS, TRUSTED, Reader, Shared

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.orm import Session

    from storage.schema import Meeting
    from workflow.core.catalog import Catalog
    from workflow.core.model import ImplementationTaskView


#: The days a calendar can cover, and the longest period one export covers.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
MAX_PERIOD_DAYS = 20 * 366


class CalendarService:
    """Meetings, deadlines and tasks for calendar programs, read in one unit of work."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def calendar_feed(
        self,
        *,
        user: str | None = None,
        office: str | None = None,
        organization: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        body: str | None = None,
        reader: str | Reader | None = TRUSTED,
    ) -> CalendarFeed:
        """Meetings, open deadlines and Beschlusskontrolle tasks between ``start`` and ``end``
        (local days, both included; default from 30 days ago to a year ahead) for at most one
        of ``user``, ``office`` and ``organization``.

        :raises InvalidInput: more than one of them, or the period ends before it starts.
        :raises NotFoundError: unknown user, office or Gremium.
        """
        first, last = _request(
            local(self._shared.clock.now()).date(), user, office, organization, start, end
        )
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            body_row = uow.body()
            catalog = uow.catalog()
            title, offices, organization = _audience(
                catalog, body_row.name, user, office, organization
            )
            rows = _meetings_in(uow.session, body_row.id, organization, offices, first, last)
            meetings = [meeting_view(uow.catalog(m.definitions_version), m, ()) for m in rows]
            sequences = {m.id: m.row_version - 1 for m in rows}
            orgs = catalog.organizations.values()
            deadlines = open_deadlines(
                uow, user=user, office=office, organization=organization, start=first, end=last
            )
            tasks = open_tasks(uow)
        return CalendarFeed(
            body_id=body_row.id,
            body_name=body_row.name,
            time_zone=catalog.body.time_zone,
            title=title,
            start=first,
            end=last,
            meetings=sorted_meetings(meetings),
            # a task's report is exported as the task's entry
            deadlines=tuple(d for d in deadlines if d.task is None),
            tasks=tuple(_tasks_for(tasks, first, last, offices, organization)),
            names={o.id: o.name for o in orgs},
            public_by_default={o.id: o.public for o in orgs},
            sequences=sequences,
            lengths={o.id: catalog.meeting_length(o.id) for o in orgs},
        )


def _request(
    today: dt.date,
    user: str | None,
    office: str | None,
    organization: str | None,
    start: dt.date | None,
    end: dt.date | None,
) -> tuple[dt.date, dt.date]:
    """The feed's first and last day, once the request is checked.

    :raises InvalidInput: more than one of ``user``, ``office`` and ``organization``, or the
        period ends before it starts.
    """
    if sum(x is not None for x in (user, office, organization)) > 1:
        raise InvalidInput(_("give only one of a user, an office and a Gremium"))
    first, last = feed_period(today, start, end)
    if first > last:
        raise InvalidInput(
            _("the period ends before it starts: {start} is after {end}").format(
                start=first.isoformat(), end=last.isoformat()
            ),
            field="end",
        )
    for field, day in (("start", first), ("end", last)):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidInput(
                _("the day {day} is outside {first}–{last}; choose a day in that range").format(
                    day=date_text(day),
                    first=date_text(FIRST_DAY),
                    last=date_text(LAST_DAY),
                ),
                field=field,
            )
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(
            _(
                "the period {first} to {last} spans more than {years} years; "
                "export at most that many at a time"
            ).format(first=date_text(first), last=date_text(last), years=MAX_PERIOD_DAYS // 366),
            field="end",
        )
    return first, last


def _audience(
    catalog: Catalog,
    body_name: str,
    user: str | None,
    office: str | None,
    organization: str | None,
) -> tuple[str, set[str], str | None]:
    """Whose feed it is: its title, the offices it is for (none: every office) and the Gremium
    (by its id).

    :raises NotFoundError: unknown user, office or Gremium.
    """
    if user is not None:
        person = catalog.user(user)
        return person.name, set(person.offices), organization
    if office is not None:
        unit = catalog.office(office)
        return unit.name, {unit.id}, organization
    if organization is not None:
        gremium = catalog.body_organization(organization)
        return gremium.name, set(), gremium.id
    return body_name, set(), organization


def _meetings_in(
    session: Session,
    body_id: str,
    organization: str | None,
    offices: set[str],
    first: dt.date,
    last: dt.date,
) -> list[Meeting]:
    """The meetings of the feed's period, of ``organization`` and concerning ``offices``."""
    rows = repository.list_meetings(
        session,
        body_id,
        organization=organization,
        start_from=_midnight(first),
        start_before=_midnight(last + dt.timedelta(days=1)),
    )
    return [m for m in rows if not offices or _concerns(m, offices)]


def _tasks_for(
    tasks: Iterable[ImplementationTaskView],
    first: dt.date,
    last: dt.date,
    offices: set[str],
    organization: str | None,
) -> list[ImplementationTaskView]:
    """The tasks in the feed's period, of ``offices`` and reporting to ``organization``."""
    return [
        t
        for t in tasks
        if task_in_period(t, first, last)
        and (not offices or t.office_id in offices)
        and (organization is None or t.report_to == organization)
    ]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=BERLIN)


def _concerns(meeting: Meeting, offices: set[str]) -> bool:
    """A paper of one of ``offices`` is on the meeting's agenda."""
    return any(
        item.consultation is not None and item.consultation.paper.office_id in offices
        for item in meeting.agenda_items
    )
