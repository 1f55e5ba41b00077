"""``/sitzungen/{id}``: a meeting's page (its Gremium, time, place, state, Ladungsfrist and
agenda) with the lifecycle's actions (move, invite, hold, cancel), and ``/sitzungen/neu`` to
plan one. Each action calls ``service.meetings``, which decides who may."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from workflow.core.clock import wall_clock
from workflow.core.errors import InvalidInput, NotFoundError, PermissionDenied, WorkflowError
from workflow.core.i18n import N_, _
from workflow.core.model import MeetingView, WebSessionView
from workflow.service import WorkflowService
from workflow.web.auth import FieldError, Web, fireable, form_of, page, status_of, web_of
from workflow.web.meetings import gremien_of, may_manage, meeting_url

#: Bounds of the form's texts.
MAX_PLACE, MAX_REASON = 200, 500
_DAY_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")

#: The lifecycle's actions this page has a form for: the trigger that must be allowed now,
#: the label, and the fields of the form.
ACTIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "move": ("cancel", N_("Move"), ("datum", "zeit", "grund")),
    "invite": ("invite", N_("Send the invitation"), ()),
    "hold": ("hold", N_("Mark as held"), ()),
    "cancel": ("cancel", N_("Cancel the meeting"), ("grund",)),
}
#: States in which the agenda editor and the Sitzungsmodus are linked.
EDITOR_STATES = frozenset({"planned", "invited"})
SESSION_MODE_STATES = frozenset({"invited", "held"})


def parse_day(text: str, field: str = "datum") -> dt.date:
    text = text.strip()
    for fmt in _DAY_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise FieldError(
        field, _("{value!r} is not a day; use e.g. 13.12.2011 or 2011-12-13").format(value=text)
    )


def parse_time(text: str, field: str = "zeit") -> dt.time:
    found = _TIME.fullmatch(text.strip())
    if not found:
        raise FieldError(
            field, _("{value!r} is not a time; use HH:MM, e.g. 17:00").format(value=text)
        )
    return dt.time(int(found[1]), int(found[2]))


def _text(form: FormData, name: str, limit: int) -> str:
    value = str(form.get(name) or "").strip()
    if len(value) > limit:
        raise FieldError(name, _("at most {n} characters, please").format(n=limit))
    return value


# -- create ------------------------------------------------------------------------------------


@page
def new_meeting(request: Request, session: WebSessionView) -> Response:
    return _render_new(web_of(request), request, session)


@page
def create_meeting(request: Request, session: WebSessionView) -> Response:
    """Plan a meeting; bad input shows the form again (422) and creates nothing."""
    web, form = web_of(request), form_of(request)
    values = {
        key: str(form.get(key) or "")[:MAX_REASON] for key in ("gremium", "datum", "zeit", "ort")
    }
    try:
        day, at = parse_day(values["datum"]), parse_time(values["zeit"])
        place = _text(form, "ort", MAX_PLACE) or None
        start = _start(day, at)
        gremium = values["gremium"].strip()
        if not gremium:
            raise FieldError("gremium", _("choose the Gremium"))
        view = web.service.meetings.create_meeting(
            user=session.user_id,
            organization=gremium,
            start=start,
            location=place,
            body=web.settings.body,
        )
    except FieldError as exc:
        return _render_new(web, request, session, 422, values, {exc.field or "": str(exc)})
    except NotFoundError as exc:
        return _render_new(web, request, session, 422, values, {"gremium": str(exc)})
    except (InvalidInput, PermissionDenied) as exc:
        return _render_new(web, request, session, status_of(exc), values, {"": str(exc)})
    return RedirectResponse(meeting_url(view.id), status_code=303)


def _start(day: dt.date, at: dt.time) -> dt.datetime:
    try:
        return wall_clock(day, at)
    except InvalidInput as exc:  # a time the clocks skip or show twice that day
        raise FieldError("zeit", str(exc)) from exc


def _render_new(
    web: Web,
    request: Request,
    session: WebSessionView,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    catalog = web.service.bodies.catalog(web.settings.body, reader=session.user_id)
    context: dict[str, Any] = {
        "values": values or {"gremium": str(request.query_params.get("gremium") or "")[:64]},
        "errors": errors or {},
        "gremien": gremien_of(catalog),
        "may_manage": may_manage(catalog, session),
    }
    return web.pages.render(request, "meeting_new.html", session, status, **context)


# -- show and act ------------------------------------------------------------------------------


@page
def show_meeting(request: Request, session: WebSessionView) -> Response:
    web = web_of(request)
    return render_meeting(web, request, session, int(request.path_params["meeting_id"]))


#: The form's field for the input a service refusal names (``InvalidInput.field``).
SERVICE_FIELDS = {"reason": "grund", "day": "datum", "time": "zeit"}


def _form_field(exc: WorkflowError, action: str) -> str:
    """The field of the action's form a refusal is about ('' for the form as a whole)."""
    field = SERVICE_FIELDS.get(getattr(exc, "field", None) or "", "")
    return field if field in ACTIONS.get(action, ("", "", ()))[2] else ""


Call = Callable[[WorkflowService, int, str, str | None, FormData], Any]
CALLS: dict[str, Call] = {
    "invite": lambda s, m, u, b, f: s.meetings.invite_meeting(m, user=u, body=b),
    "hold": lambda s, m, u, b, f: s.meetings.hold_meeting(m, user=u, body=b),
    "cancel": lambda s, m, u, b, f: s.meetings.cancel_meeting(
        m, user=u, reason=_text(f, "grund", MAX_REASON), body=b
    ),
    "move": lambda s, m, u, b, f: s.meetings.move_meeting(
        m,
        user=u,
        day=parse_day(str(f.get("datum") or "")),
        time=parse_time(str(f.get("zeit") or "")) if str(f.get("zeit") or "").strip() else None,
        reason=_text(f, "grund", MAX_REASON) or None,
        body=b,
    ),
}


@page
def act_on_meeting(request: Request, session: WebSessionView) -> Response:
    """One action by the logged-in user; the service refuses what they may not do. A refusal
    shows the page again with the message at the action's form; a move shows the page with the
    Ladungsfrist warnings the service gives for the new day."""
    web, meeting_id = web_of(request), int(request.path_params["meeting_id"])
    form = form_of(request)
    action = str(form.get("action") or "")
    call = CALLS.get(action)
    try:
        if call is None:
            raise InvalidInput(_("unknown action {action!r}").format(action=action[:64]))
        result = call(web.service, meeting_id, session.user_id, web.settings.body, form)
    except FieldError as exc:
        failed = {"action": action, "message": str(exc), "field": exc.field or ""}
        return render_meeting(web, request, session, meeting_id, 422, failed)
    except (InvalidInput, PermissionDenied) as exc:
        failed = {"action": action, "message": str(exc), "field": _form_field(exc, action)}
        return render_meeting(web, request, session, meeting_id, status_of(exc), failed)
    except WorkflowError as exc:  # not possible now (409): the page again, with the message
        if isinstance(exc, NotFoundError):
            raise
        failed = {"action": action, "message": str(exc), "field": ""}
        return render_meeting(web, request, session, meeting_id, status_of(exc), failed)
    if action == "move" and result.warnings:
        return render_meeting(web, request, session, meeting_id, moved=tuple(result.warnings))
    return RedirectResponse(meeting_url(meeting_id), status_code=303)


def render_meeting(
    web: Web,
    request: Request,
    session: WebSessionView,
    meeting_id: int,
    status: int = 200,
    failed: dict[str, str] | None = None,
    moved: tuple[str, ...] = (),
) -> Response:
    body, reader = web.settings.body, session.user_id
    meeting = web.service.meetings.get_meeting(meeting_id, body=body, reader=reader)
    notice = web.service.meetings.meeting_notice(meeting_id, body=body, reader=reader)
    catalog = web.service.bodies.catalog(body, reader=reader)
    context: dict[str, Any] = {
        "meeting": meeting,
        "url": meeting_url(meeting.id),
        "notice": notice,
        "actions": offered(catalog, session, meeting),
        "failed": failed,
        "moved": moved,
        "editor": meeting.state in EDITOR_STATES,
        "session_mode": meeting.state in SESSION_MODE_STATES,
        "public_items": [i for i in meeting.agenda if i.part.value == "public"],
        "non_public_items": [i for i in meeting.agenda if i.part.value != "public"],
    }
    return web.pages.render(request, "meeting.html", session, status, **context)


def offered(catalog: Any, session: WebSessionView, meeting: MeetingView) -> list[dict[str, Any]]:
    """The actions allowed now that one of the user's roles may take (only what is shown:
    the service decides when the form is posted)."""
    mine = fireable(catalog, "meeting", meeting.state, session)
    return [
        {"id": action, "label": _(label), "fields": fields}
        for action, (trigger, label, fields) in ACTIONS.items()
        if trigger in meeting.allowed_actions
        and trigger in mine
        and (action != "move" or may_manage(catalog, session))
    ]


ROUTES = [
    Route("/sitzungen/neu", new_meeting),
    Route("/sitzungen/neu", create_meeting, methods=["POST"]),
    Route("/sitzungen/{meeting_id:int}", show_meeting),
    Route("/sitzungen/{meeting_id:int}/aktion", act_on_meeting, methods=["POST"]),
]
