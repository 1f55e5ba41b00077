"""The Ladungsfrist of a meeting: whether the invitation still keeps it after a move
(``notice_warnings``), and where a meeting stands now (``notice_status``, the Sitzung page).

The warnings are stored English in the meeting_moved audit payload and shown German
(``workflow.papers.tally.Warning``)."""

from __future__ import annotations

import datetime as dt

from storage.schema import Meeting
from workflow.core.catalog import Catalog
from workflow.core.clock import local
from workflow.core.deadlines import earliest_meeting, invitation_deadline, satisfies, show
from workflow.core.i18n import N_
from workflow.core.model import MeetingNotice
from workflow.papers.steps import meeting_label_values
from workflow.papers.tally import Warning, shown


def notice_warnings(catalog: Catalog, meeting: Meeting, day: dt.date) -> list[Warning]:
    """After the invitation: whether it still keeps the Ladungsfrist for the new day."""
    if meeting.invited_at is None:
        return []
    values = meeting_label_values(catalog, meeting)
    values |= {"sent": show(local(meeting.invited_at).date()), "day": show(day)}
    sent = local(meeting.invited_at).date()
    rule = catalog.deadlines.for_organization(meeting.organization_id).notice
    if rule is None:
        text = N_(
            "the invitation to meeting {id} ({name}, {when}) went out on {sent}: check the "
            "Ladungsfrist again; the definitions set no Ladungsfrist for {organization}"
        )
        return [(text, values | {"organization": meeting.organization_id})]
    cal = catalog.calendar()
    name = catalog.organization_name(meeting.organization_id)
    deadline = invitation_deadline(cal, day, rule, body_name=name)
    values["dispatch"] = show(deadline.day)
    if satisfies(cal, rule, sent, day):
        text = N_(
            "the invitation to meeting {id} ({name}, {when}) went out on {sent}: check the "
            "Ladungsfrist again; it keeps the notice for {day} (dispatch by {dispatch})"
        )
        return [(text, values)]
    later = earliest_meeting(cal, rule, sent - dt.timedelta(days=1))
    text = N_(
        "the invitation to meeting {id} ({name}, {when}) went out on {sent}: check the "
        "Ladungsfrist again; it is too late for {day}: the invitation had to go out by "
        "{dispatch}; invite again with the urgent notice or move the meeting to {later} "
        "or later"
    )
    return [(text, values | {"later": show(later)})]


def notice_status(catalog: Catalog, meeting: Meeting, today: dt.date) -> MeetingNotice:
    """The last day the invitation may go out, the day it went out, and a warning when a
    planned meeting's invitation is overdue or an invitation was sent too late for the day the
    meeting is on now (e.g. after a move)."""
    day = local(meeting.start).date()
    sent = local(meeting.invited_at).date() if meeting.invited_at else None
    rule = catalog.deadlines.for_organization(meeting.organization_id).notice
    if rule is None:
        return MeetingNotice(dispatch_by=None, invited_on=sent)
    cal = catalog.calendar()
    name = catalog.organization_name(meeting.organization_id)
    dispatch = invitation_deadline(cal, day, rule, body_name=name).day
    warnings: list[Warning] = []
    if sent is not None and not satisfies(cal, rule, sent, day):
        warnings = notice_warnings(catalog, meeting, day)
    elif (
        sent is None and today > dispatch and meeting.state == catalog.lifecycle("meeting").initial
    ):
        values = meeting_label_values(catalog, meeting) | {
            "dispatch": show(dispatch),
            "later": show(earliest_meeting(cal, rule, today - dt.timedelta(days=1))),
        }
        text = N_(
            "the invitation to meeting {id} ({name}, {when}) is late: it had to go out by "
            "{dispatch}; invite with the urgent notice or move the meeting to {later} or later"
        )
        warnings = [(text, values)]
    return MeetingNotice(dispatch_by=dispatch, invited_on=sent, warnings=tuple(shown(warnings)))
