"""``/sitzungen/{id}/tagesordnung``: the Tagesordnung editor (issue 14, screen 7). Build the
agenda from the consultations due, add items and papers, order the TOPs (drag-and-drop with
SortableJS, and up/down buttons that work without JavaScript), take one off or move it to
another meeting of the Gremium before the invitation; after it, add a Nachtrag. Every change
is one call of ``service.agendas``, which decides what is allowed; a refusal shows the page
again with the message at its form, and nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from workflow.core.errors import (
    ConflictError,
    InvalidInput,
    NotFoundError,
    PermissionDenied,
    TransitionNotAllowed,
)
from workflow.core.i18n import _
from workflow.core.model import Action, AgendaPart, AgendaShift, MeetingView, WebSessionView
from workflow.web.auth import Web, form_of, may, page, status_of, web_of
from workflow.web.papers import paper_url

#: Bounds of the editor's text inputs (characters).
MAX_TITLE, MAX_NUMBER = 500, 64


def agenda_url(meeting_id: int) -> str:
    return f"/sitzungen/{meeting_id}/tagesordnung"


@page
def show_agenda(request: Request, session: WebSessionView) -> Response:
    web, meeting_id = web_of(request), int(request.path_params["meeting_id"])
    moved = _moved(request)
    return render_agenda(web, request, session, meeting_id, moved=moved)


def _moved(request: Request) -> tuple[int, str] | None:
    """The item the up/down buttons just moved (``?top=ID&richtung=up``): its button of the
    same direction gets the focus, so that a keyboard user can press it again."""
    top, direction = request.query_params.get("top", ""), request.query_params.get("richtung")
    if top.isdigit() and len(top) <= 12 and direction in ("up", "down"):
        return int(top), str(direction)
    return None


#: What each form of the page calls: the service method, with the logged-in user. Each
#: returns the place to go afterwards (the page, anchored at the item concerned).
Call = Callable[[Web, int, str, FormData], str]


def _build(web: Web, meeting_id: int, user: str, form: FormData) -> str:
    web.service.agendas.build_agenda(meeting_id, user=user, body=web.settings.body)
    return agenda_url(meeting_id) + "#tagesordnung"


def _add(web: Web, meeting_id: int, user: str, form: FormData) -> str:
    title = _text(form, "title", MAX_TITLE, _("The title"))
    public = str(form.get("part") or "public") != AgendaPart.NON_PUBLIC.value
    item = web.service.agendas.add_agenda_item(
        meeting_id, user=user, title=title, public=public, body=web.settings.body
    )
    return f"{agenda_url(meeting_id)}#top-{item.id}"


def _schedule(web: Web, meeting_id: int, user: str, form: FormData) -> str:
    number = _text(form, "paper", MAX_NUMBER, _("The paper number")).strip()
    if not number:
        raise InvalidInput(_("give the number of the paper, e.g. 2025/0815"))
    item = web.service.agendas.schedule_into_meeting(
        number,
        user=user,
        position=_integer(form, "position", _("the step")),
        meeting_id=meeting_id,
        body=web.settings.body,
    )
    return f"{agenda_url(meeting_id)}#top-{item.id}"


def _order(web: Web, meeting_id: int, user: str, form: FormData) -> str:
    given = str(form.get("order") or "")
    if len(given) > 10_000:
        raise InvalidInput(_("the order names too many items"))
    parts = [p.strip() for p in given.split(",") if p.strip()]
    if not parts or not all(p.isdigit() and len(p) <= 12 for p in parts):
        raise InvalidInput(
            _("the order is a list of the agenda's item ids, e.g. 3,1,2, not {given!r}").format(
                given=given[:64]
            )
        )
    web.service.agendas.order_agenda(
        meeting_id, user=user, items=[int(p) for p in parts], body=web.settings.body
    )
    return agenda_url(meeting_id) + "#tagesordnung"


def _shift(web: Web, meeting_id: int, user: str, form: FormData) -> str:
    item = _integer(form, "item", _("the item"))
    try:
        shift = AgendaShift(str(form.get("shift") or ""))
    except ValueError:
        raise InvalidInput(_("move an item up or down")) from None
    web.service.agendas.shift_agenda_item(
        meeting_id, user=user, item=item, shift=shift, body=web.settings.body
    )
    # no fragment: a browser ignores ``autofocus`` on a page whose URL has one
    return f"{agenda_url(meeting_id)}?top={item}&richtung={shift.value}"


def _remove(web: Web, meeting_id: int, user: str, form: FormData) -> str:
    item = _integer(form, "item", _("the item"))
    web.service.agendas.remove_agenda_item(meeting_id, user=user, item=item, body=web.settings.body)
    return agenda_url(meeting_id) + "#tagesordnung"


def _move(web: Web, meeting_id: int, user: str, form: FormData) -> str:
    item = _integer(form, "item", _("the item"))
    target = _integer(form, "to_meeting", _("the meeting"))
    web.service.agendas.move_agenda_item(
        meeting_id, user=user, item=item, to_meeting=target, body=web.settings.body
    )
    return agenda_url(meeting_id) + "#tagesordnung"


#: The page's forms by their ``form`` value: the path of their POST (``.../tagesordnung/<x>``).
FORMS: dict[str, Call] = {
    "aufbauen": _build,
    "punkt": _add,
    "vorlage": _schedule,
    "reihenfolge": _order,
    "schieben": _shift,
    "absetzen": _remove,
    "verlegen": _move,
}


@page
def change_agenda(request: Request, session: WebSessionView) -> Response:
    """One form of the editor, by the logged-in user; the service refuses what they may not
    do. A refusal shows the page again with the message at the form, with its status."""
    web, meeting_id = web_of(request), int(request.path_params["meeting_id"])
    name = str(request.path_params["form"])
    call = FORMS.get(name)
    if call is None:
        return web.pages.error(request, 404, _("There is no such page."), session)
    form = form_of(request)
    try:
        target = call(web, meeting_id, session.user_id, form)
    except (
        InvalidInput,
        PermissionDenied,
        TransitionNotAllowed,
        NotFoundError,
        ConflictError,
    ) as exc:
        failed = {"form": name, "message": str(exc)}
        # the typed values come back into their fields (bounded, escaped by the template)
        failed |= {f: str(form.get(f) or "")[:MAX_TITLE] for f in ("title", "paper")}
        return render_agenda(web, request, session, meeting_id, status_of(exc), failed)
    return RedirectResponse(target, status_code=303)


def render_agenda(
    web: Web,
    request: Request,
    session: WebSessionView,
    meeting_id: int,
    status: int = 200,
    failed: dict[str, str] | None = None,
    *,
    moved: tuple[int, str] | None = None,
) -> Response:
    body, reader = web.settings.body, session.user_id
    meeting = web.service.meetings.get_meeting(meeting_id, body=body, reader=reader)
    catalog = web.service.bodies.catalog(body, reader=reader)
    manager = may(catalog, session, Action.MEETING_MANAGE)
    is_open = "cancel" in meeting.allowed_actions  # planned or invited: its agenda changes
    editable = manager and is_open and meeting.invited_at is None
    context: dict[str, Any] = {
        "meeting": meeting,
        "url": agenda_url(meeting.id),
        "parts": _parts(meeting),
        "manager": manager and is_open,
        "is_open": is_open,
        "editable": editable,
        "nachtrag": manager and is_open and meeting.invited_at is not None,
        "others": [
            {"id": m.id, "start": m.start, "invited": m.invited_at is not None}
            for m in (_others(web, session, meeting) if editable else [])
        ],
        "failed": failed,
        "moved": moved,
        "paper_url": paper_url,
        "max_title": MAX_TITLE,
    }
    return web.pages.render(request, "agenda.html", session, status, **context)


def _parts(meeting: MeetingView) -> list[dict[str, Any]]:
    """The agenda by part (public first), each with its items in order."""
    return [
        {
            "part": part,
            "rows": [i for i in meeting.agenda if i.part is part],
        }
        for part in AgendaPart
    ]


def _others(web: Web, session: WebSessionView, meeting: MeetingView) -> list[MeetingView]:
    """The Gremium's other meetings whose agenda still changes (a TOP's move targets; the
    service decides when the form is posted)."""
    meetings = web.service.meetings.list_meetings(
        organization=meeting.organization_id, body=web.settings.body, reader=session.user_id
    )
    return [m for m in meetings if m.id != meeting.id and "cancel" in m.allowed_actions][:100]


def _text(form: FormData, field: str, limit: int, what: str) -> str:
    value = str(form.get(field) or "")
    if len(value) > limit:
        raise InvalidInput(
            _("{what} has at most {limit} characters").format(what=what, limit=limit)
        )
    return value


def _integer(form: FormData, field: str, what: str) -> int:
    value = str(form.get(field) or "").strip()
    if not (value.isdigit() and len(value) <= 12):
        raise InvalidInput(
            _("{what} is a number, not {value!r}").format(what=what, value=value[:64])
        )
    return int(value)


ROUTES = [
    Route("/sitzungen/{meeting_id:int}/tagesordnung", show_agenda),
    Route(
        "/sitzungen/{meeting_id:int}/tagesordnung/{form}",
        change_agenda,
        methods=["POST"],
    ),
]
