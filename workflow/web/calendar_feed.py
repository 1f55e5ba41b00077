"""``/kalender/<token>/...ics``: the iCalendar feeds calendar programs subscribe to.

A calendar program cannot log in with a cookie, so the private address holds the user's feed
token (``service.accounts.create_feed_token``); the feed is read with the rights of the
token's owner. An unknown or revoked token is 404, like an address that never existed. No
session, no CSRF: these are reads."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from workflow.calendar.ical import DeadlineStyle, build_calendar
from workflow.core.errors import NotFoundError
from workflow.web.auth import web_of

#: A feed's media type; browsers download it, calendar programs read it.
ICAL = "text/calendar; charset=utf-8"


def _feed(
    request: Request,
    *,
    mine: bool = False,
    office: str | None = None,
    organization: str | None = None,
) -> Response:
    web = web_of(request)
    body = web.settings.body
    owner = web.service.accounts.feed_owner(str(request.path_params["token"]), body=body)
    if owner is None:
        return _not_found()
    try:
        feed = web.service.calendar.calendar_feed(
            user=owner if mine else None,
            office=office,
            organization=organization,
            body=body,
            reader=owner,
        )
    except NotFoundError:
        return _not_found()
    text = build_calendar(feed, now=web.service.clock.now(), style=DeadlineStyle.EVENT)
    headers = {"cache-control": "private, no-store", "referrer-policy": "no-referrer"}
    return Response(text, media_type=ICAL, headers=headers)


def _not_found() -> Response:
    return Response("Not Found\n", status_code=404, media_type="text/plain; charset=utf-8")


def my_feed(request: Request) -> Response:
    return _feed(request, mine=True)


def office_feed(request: Request) -> Response:
    return _feed(request, office=str(request.path_params["office"]))


def gremium_feed(request: Request) -> Response:
    return _feed(request, organization=str(request.path_params["organization"]))


ROUTES = [
    Route("/kalender/{token}/meine.ics", my_feed),
    Route("/kalender/{token}/amt/{office}.ics", office_feed),
    Route("/kalender/{token}/gremium/{organization}.ics", gremium_feed),
]
