"""``/sitzungen``: the Sitzungskalender, a month grid or a list of upcoming and past meetings,
by Gremium, and the user's private calendar address (iCal subscriptions, see
``workflow.web.calendar_feed``)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from workflow.core.clock import local
from workflow.core.errors import InvalidInput, NotFoundError, PermissionDenied
from workflow.core.i18n import N_, _
from workflow.core.model import (
    Action,
    FeedTokenCreated,
    MeetingView,
    OrganizationKind,
    WebSessionView,
)
from workflow.web.auth import Web, may, page, status_of, web_of

#: ``?monat=2026-12``
MONTH = re.compile(r"(\d{4})-(\d{2})")
#: The weekday headings of the month grid, Monday first.
WEEKDAYS = (
    (N_("Mon"), N_("Monday")),
    (N_("Tue"), N_("Tuesday")),
    (N_("Wed"), N_("Wednesday")),
    (N_("Thu"), N_("Thursday")),
    (N_("Fri"), N_("Friday")),
    (N_("Sat"), N_("Saturday")),
    (N_("Sun"), N_("Sunday")),
)
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
#: How many past meetings the list view shows (the latest).
PAST_MEETINGS = 50


def meeting_url(meeting_id: int) -> str:
    return f"/sitzungen/{meeting_id}"


@page
def show_calendar(request: Request, session: WebSessionView) -> Response:
    return render_calendar(web_of(request), request, session)


def render_calendar(
    web: Web,
    request: Request,
    session: WebSessionView,
    status: int = 200,
    created: FeedTokenCreated | None = None,
    feed_error: str | None = None,
) -> Response:
    """The month grid (``?monat=YYYY-MM``) or the list (``?ansicht=liste``), of one Gremium
    (``?gremium=ID``) or all; a bad value shows the form again with the message at its field."""
    params, body, reader = request.query_params, web.settings.body, session.user_id
    catalog = web.service.bodies.catalog(body, reader=reader)
    today = local(web.service.clock.now()).date()
    chosen = {key: str(params.get(key) or "")[:64].strip() for key in ("gremium", "monat")}
    as_list = params.get("ansicht") == "liste"
    errors: dict[str, str] = {}
    month = _month(chosen["monat"], today, errors)
    organization = _gremium(catalog, chosen["gremium"], errors)
    context: dict[str, Any] = {
        "chosen": chosen,
        "as_list": as_list,
        "errors": errors,
        "gremien": gremien_of(catalog),
        "offices": sorted(
            ((o.id, o.name) for o in catalog.organizations.values() if _is_office(o)),
            key=lambda pair: pair[1],
        ),
        "may_manage": may_manage(catalog, session),
        "feed": web.service.accounts.feed_token(reader=reader, body=body),
        "created": created,
        "feed_error": feed_error,
        "today": today,
        "time_of": lambda instant: f"{local(instant):%H:%M}",
    }
    if not errors:
        if as_list:
            context |= _list_view(web, session, organization, today)
        else:
            context |= _month_view(web, session, organization, month, today, chosen["gremium"])
    status = 400 if errors else status
    return web.pages.render(request, "meetings.html", session, status, **context)


def _month(text: str, today: dt.date, errors: dict[str, str]) -> dt.date:
    """The first day of the month asked for; this month when none is."""
    if not text:
        return today.replace(day=1)
    found = MONTH.fullmatch(text)
    if found and 1 <= int(found[2]) <= 12 and 1900 <= int(found[1]) <= 2999:
        return dt.date(int(found[1]), int(found[2]), 1)
    errors["monat"] = _("the month is year and month, e.g. 2026-12, not {value!r}").format(
        value=text
    )
    return today.replace(day=1)


def _gremium(catalog: Any, gremium: str, errors: dict[str, str]) -> str | None:
    if not gremium:
        return None
    try:
        return str(catalog.body_organization(gremium).id)
    except NotFoundError as exc:
        errors["gremium"] = str(exc)
        return None


def _is_office(org: Any) -> bool:
    return bool(org.kind is OrganizationKind.OFFICE)


def gremien_of(catalog: Any) -> list[tuple[str, str]]:
    """The Gremien of the municipality (id, name), by name."""
    return sorted(
        ((o.id, o.name) for o in catalog.organizations.values() if not _is_office(o)),
        key=lambda pair: pair[1],
    )


def may_manage(catalog: Any, session: WebSessionView) -> bool:
    """Whether one of the user's roles has meeting.manage (only to show the forms; the
    service decides when one is posted)."""
    return may(catalog, session, Action.MEETING_MANAGE)


def _month_view(
    web: Web,
    session: WebSessionView,
    organization: str | None,
    month: dt.date,
    today: dt.date,
    gremium: str,
) -> dict[str, Any]:
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    meetings = web.service.meetings.list_meetings(
        organization=organization,
        since=weeks[0][0],
        until=weeks[-1][-1],
        body=web.settings.body,
        reader=session.user_id,
    )
    by_day: dict[dt.date, list[MeetingView]] = {}
    for meeting in meetings:
        by_day.setdefault(local(meeting.start).date(), []).append(meeting)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=31)).replace(day=1)
    suffix = f"&gremium={gremium}" if gremium else ""
    return {
        "month": month,
        "month_name": f"{_(MONTHS[month.month - 1])} {month.year}",
        "weekdays": [(_(short), _(full)) for short, full in WEEKDAYS],
        "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
        "previous_url": f"/sitzungen?monat={previous:%Y-%m}{suffix}",
        "next_url": f"/sitzungen?monat={following:%Y-%m}{suffix}",
        "previous_name": f"{_(MONTHS[previous.month - 1])} {previous.year}",
        "next_name": f"{_(MONTHS[following.month - 1])} {following.year}",
        "count": sum(1 for m in meetings if local(m.start).date().month == month.month),
    }


def _list_view(
    web: Web, session: WebSessionView, organization: str | None, today: dt.date
) -> dict[str, Any]:
    body, reader = web.settings.body, session.user_id
    upcoming = web.service.meetings.list_meetings(
        organization=organization, since=today, body=body, reader=reader
    )
    past = web.service.meetings.list_meetings(
        organization=organization,
        until=today - dt.timedelta(days=1),
        latest=PAST_MEETINGS,
        body=body,
        reader=reader,
    )
    return {"upcoming": upcoming, "past": list(reversed(past)), "past_limit": PAST_MEETINGS}


@page
def create_feed(request: Request, session: WebSessionView) -> Response:
    """A new private calendar address, shown once on the calendar page (never stored)."""
    web = web_of(request)
    created = web.service.accounts.create_feed_token(user=session.user_id, body=web.settings.body)
    response = render_calendar(web, request, session, created=created)
    response.headers["cache-control"] = "no-store"
    return response


@page
def revoke_feed(request: Request, session: WebSessionView) -> Response:
    web = web_of(request)
    try:
        web.service.accounts.revoke_feed_token(user=session.user_id, body=web.settings.body)
    except (InvalidInput, PermissionDenied) as exc:
        return render_calendar(web, request, session, status_of(exc), feed_error=str(exc))
    return RedirectResponse("/sitzungen#abonnieren", status_code=303)


ROUTES = [
    Route("/sitzungen", show_calendar),
    Route("/sitzungen/kalenderadresse", create_feed, methods=["POST"]),
    Route("/sitzungen/kalenderadresse/widerrufen", revoke_feed, methods=["POST"]),
]
