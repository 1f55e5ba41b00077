"""``calendar export``: the meetings and deadlines of a person, an office or a Gremium, as the
service half of ``workflow.calendar.ical`` (which writes the iCalendar text).

``WorkflowService`` mixes in ``CalendarOperations``. Who sees what:
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
from workflow.decisions.operations import open_tasks
from workflow.papers.deadlines import open_deadlines
from workflow.papers.views import meeting_view
from workflow.uow import Shared

if TYPE_CHECKING:
    from storage.schema import Meeting


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
    ) -> CalendarFeed:
        """Meetings, open deadlines and Beschlusskontrolle tasks between ``start`` and ``end``
        (local days, both included; default from 30 days ago to a year ahead) for at most one
        of ``user``, ``office`` and ``organization``.

        :raises InvalidInput: more than one of them, or the period ends before it starts.
        :raises NotFoundError: unknown user, office or Gremium.
        """
        if sum(x is not None for x in (user, office, organization)) > 1:
            raise InvalidInput("pass only one of --user, --office and --organization")
        first, last = feed_period(local(self._shared.clock.now()).date(), start, end)
        if first > last:
            raise InvalidInput(f"--from {first.isoformat()} is after --to {last.isoformat()}")
        with self._shared.read(body) as uow:
            session = uow.session
            body_row = uow.body()
            catalog = uow.catalog(body_row.definitions_version)
            title, offices = body_row.name, set[str]()
            if user is not None:
                person = catalog.user(user)
                title, offices = person.name, set(person.offices)
            elif office is not None:
                unit = catalog.office(office)
                title, offices = unit.name, {unit.id}
            elif organization is not None:
                gremium = catalog.body_organization(organization)
                title, organization = gremium.name, gremium.id
            rows = repository.list_meetings(
                session,
                body_row.id,
                organization=organization,
                start_from=_midnight(first),
                start_before=_midnight(last + dt.timedelta(days=1)),
            )
            rows = [m for m in rows if not offices or _concerns(m, offices)]
            meetings = [meeting_view(uow.catalog(m.definitions_version), m, ()) for m in rows]
            sequences = {m.id: m.row_version - 1 for m in rows}
            orgs = catalog.organizations.values()
            deadlines = [
                d
                for d in open_deadlines(
                    uow,
                    user=user,
                    office=office,
                    organization=organization,
                    start=first,
                    end=last,
                )
                if d.task is None  # a task's report is exported as the task's entry below
            ]
            tasks = [
                t
                for t in open_tasks(uow)
                if task_in_period(t, first, last)
                and (not offices or t.office_id in offices)
                and (organization is None or t.report_to == organization)
            ]
        return CalendarFeed(
            body_id=body_row.id,
            body_name=body_row.name,
            time_zone=catalog.body.time_zone,
            title=title,
            start=first,
            end=last,
            meetings=sorted_meetings(meetings),
            deadlines=tuple(deadlines),
            tasks=tuple(tasks),
            names={o.id: o.name for o in orgs},
            public_by_default={o.id: o.public for o in orgs},
            sequences=sequences,
        )


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=BERLIN)


def _concerns(meeting: Meeting, offices: set[str]) -> bool:
    """A paper of one of ``offices`` is on the meeting's agenda."""
    return any(
        item.consultation is not None and item.consultation.paper.office_id in offices
        for item in meeting.agenda_items
    )
