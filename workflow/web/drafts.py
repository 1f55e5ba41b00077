"""``/vorlagen/neu`` and ``/vorlagen/{number}/bearbeiten``: writing a new Vorlage from a
routing template and editing a draft. The form reads what was typed and checks its shape (a
date is a date, a choice is one of the choices); the service checks everything else, and its
refusals come back next to the field they name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from workflow.core.catalog import Catalog
from workflow.core.clock import today
from workflow.core.errors import InvalidInput, NotFoundError, PermissionDenied, TransitionNotAllowed
from workflow.core.i18n import _
from workflow.core.model import DraftChanges, OrganizationKind, PaperView, Submitter, WebSessionView
from workflow.web.auth import FieldError, Web, form_of, page, status_of, web_of
from workflow.web.papers import paper_url

#: The most participating offices and submitting members one form may name.
MAX_CHOICES = 40
#: The longest title and text a form takes (characters).
MAX_TITLE, MAX_TEXT = 500, 60_000


@page
def new_paper_form(request: Request, session: WebSessionView) -> Response:
    web = web_of(request)
    catalog = web.service.bodies.catalog(web.settings.body, reader=session.user_id)
    user = catalog.users.get(session.user_id)
    own = sorted(user.offices) if user else []
    values = {
        "paper_type": _default_type(catalog),
        "office": own[0] if own else "",
        "date": today(web.service.clock).isoformat(),
    }
    return _render_new(web, request, session, catalog, values)


@page
def create_paper(request: Request, session: WebSessionView) -> Response:
    """Create the draft; a bad value shows the form again with the message at its field."""
    web, form = web_of(request), form_of(request)
    catalog = web.service.bodies.catalog(web.settings.body, reader=session.user_id)
    values = {key: _one_line(form, key) for key in NEW_FIELDS}
    values["text"] = _text(form, "text")
    values["members"] = _text(form, "members")
    participants: list[str] = []
    try:
        participants = _many(form, "participants")
        title = _required(values, "title", _("Give the paper a title."))
        _bounded(values)
        kind = _choice(values, "paper_type", catalog.paper_types, _("Choose the type."))
        office = _choice(values, "office", _offices(catalog), _("Choose the writing office."))
        route = _choice(values, "route", catalog.routes, None) if values["route"] else None
        date = _date(values["date"], "date")
        _known(participants, _offices(catalog), "participants")
        members = [m.strip() for m in values["members"].splitlines() if m.strip()]
        if len(members) > MAX_CHOICES:
            raise FieldError("members", _("Name at most {n} members.").format(n=MAX_CHOICES))
        paper = web.service.papers.create_paper(
            user=session.user_id,
            paper_type=kind,
            title=title,
            office=office,
            date=date,
            route=route,
            reference=values["reference"] or None,
            text=values["text"] or None,
            participants=participants,
            body=web.settings.body,
            faction=values["faction"] or None,
            members=members,
        )
    except (InvalidInput, NotFoundError, PermissionDenied) as exc:
        field = getattr(exc, "field", None) or (
            "office" if isinstance(exc, PermissionDenied) else ""
        )
        status = status_of(exc)
        return _render_new(web, request, session, catalog, values, participants, field, exc, status)
    return RedirectResponse(paper_url(paper.number), status_code=303)


#: The one-line fields of the new-paper form.
NEW_FIELDS = ("paper_type", "title", "office", "route", "date", "reference", "faction")


def _render_new(
    web: Web,
    request: Request,
    session: WebSessionView,
    catalog: Catalog,
    values: Mapping[str, str],
    participants: list[str] | None = None,
    error_field: str | None = None,
    error: Exception | None = None,
    status: int | None = None,
) -> Response:
    context: dict[str, Any] = {
        "values": values,
        "participants": participants or [],
        "types": sorted(
            ((t.id, t.name) for t in catalog.paper_types.values() if not t.is_supplement),
            key=lambda pair: pair[1],
        ),
        "faction_types": sorted(
            t.name for t in catalog.paper_types.values() if t.submitted_by is Submitter.FACTION
        ),
        "offices": sorted(_offices(catalog).items(), key=lambda pair: pair[1]),
        "routes": [
            (r.id, r.name, ", ".join(catalog.organization_name(s.organization) for s in r.steps))
            for r in sorted(catalog.routes.values(), key=lambda r: r.name)
        ],
        "error": str(error) if error else None,
        "error_field": error_field or ("form" if error else None),
        "limits": {"title": MAX_TITLE, "text": MAX_TEXT},
    }
    code = status if status is not None else (422 if error else 200)
    return web.pages.render(request, "paper_new.html", session, code, **context)


@page
def edit_form(request: Request, session: WebSessionView) -> Response:
    web = web_of(request)
    paper = web.service.papers.get_paper(
        str(request.path_params["number"]), body=web.settings.body, reader=session.user_id
    )
    values = {"title": paper.title, "text": paper.text or ""}
    planned = {
        c.position: (c.planned_date.isoformat() if c.planned_date else "")
        for c in paper.consultations
    }
    chosen = [c.office_id for c in paper.co_signatures]
    return _render_edit(web, request, session, paper, values, chosen, planned)


@page
def edit_paper(request: Request, session: WebSessionView) -> Response:
    """Save the changed fields of a draft (only those that differ from the draft as it is)."""
    web, form = web_of(request), form_of(request)
    number = str(request.path_params["number"])
    body, user = web.settings.body, session.user_id
    paper = web.service.papers.get_paper(number, body=body, reader=user)
    catalog = web.service.bodies.catalog(body, reader=user)
    values = {"title": _one_line(form, "title"), "text": _text(form, "text")}
    chosen: list[str] = []
    planned_typed = {
        c.position: _one_line(form, f"planned-{c.position}") for c in paper.consultations
    }
    try:
        _required(values, "title", _("Give the paper a title."))
        _bounded(values)
        chosen = _many(form, "participants")
        _known(chosen, _offices(catalog), "participants")
        planned = {
            position: _date(typed, f"planned-{position}") if typed else None
            for position, typed in planned_typed.items()
        }
        changes = DraftChanges(
            title=values["title"] if values["title"] != paper.title else None,
            text=values["text"]
            if values["text"] and values["text"] != (paper.text or "")
            else None,
            participants=chosen
            if sorted(chosen) != sorted(c.office_id for c in paper.co_signatures)
            else None,
            planned={
                c.position: planned[c.position]
                for c in paper.consultations
                if planned[c.position] != c.planned_date
            }
            or None,
        )
        web.service.papers.edit_paper(number, user=user, changes=changes, body=body)
    except (InvalidInput, NotFoundError, PermissionDenied, TransitionNotAllowed) as exc:
        field = getattr(exc, "field", None)
        if field == "planned":
            field = "form"
        return _render_edit(
            web,
            request,
            session,
            paper,
            values,
            chosen,
            planned_typed,
            field,
            exc,
            status_of(exc),
        )
    return RedirectResponse(paper_url(number), status_code=303)


def _render_edit(
    web: Web,
    request: Request,
    session: WebSessionView,
    paper: PaperView,
    values: Mapping[str, str],
    participants: list[str],
    planned: Mapping[int, str],
    error_field: str | None = None,
    error: Exception | None = None,
    status: int | None = None,
) -> Response:
    catalog = web.service.bodies.catalog(web.settings.body, reader=session.user_id)
    offices = {k: v for k, v in _offices(catalog).items() if k != paper.office_id}
    context: dict[str, Any] = {
        "paper": paper,
        "url": paper_url(paper.number),
        "values": values,
        "participants": participants,
        "planned": planned,
        "offices": sorted(offices.items(), key=lambda pair: pair[1]),
        "error": str(error) if error else None,
        "error_field": error_field or ("form" if error else None),
        "limits": {"title": MAX_TITLE, "text": MAX_TEXT},
    }
    code = status if status is not None else (422 if error else 200)
    return web.pages.render(request, "paper_edit.html", session, code, **context)


def _default_type(catalog: Catalog) -> str:
    kinds = [
        t
        for t in catalog.paper_types.values()
        if t.submitted_by is Submitter.OFFICE and not t.is_supplement
    ]
    return min(kinds, key=lambda t: t.id).id if kinds else ""


def _offices(catalog: Catalog) -> dict[str, str]:
    return {
        o.id: o.name for o in catalog.organizations.values() if o.kind is OrganizationKind.OFFICE
    }


def _one_line(form: FormData, key: str) -> str:
    return str(form.get(key) or "").strip()


def _text(form: FormData, key: str) -> str:
    """A textarea's value with the browser's CR LF line ends as LF."""
    return str(form.get(key) or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def _many(form: FormData, key: str) -> list[str]:
    values = [str(v) for v in form.getlist(key) if str(v).strip()]
    if len(values) > MAX_CHOICES:
        raise FieldError(key, _("Choose at most {n}.").format(n=MAX_CHOICES))
    return list(dict.fromkeys(values))


def _required(values: Mapping[str, str], key: str, message: str) -> str:
    if not values[key]:
        raise FieldError(key, message)
    return values[key]


def _bounded(values: Mapping[str, str]) -> None:
    """Titles and texts within the form's limits."""
    if len(values.get("title", "")) > MAX_TITLE:
        raise FieldError("title", _("The title has more than {n} characters.").format(n=MAX_TITLE))
    if len(values.get("text", "")) > MAX_TEXT:
        raise FieldError("text", _("The text has more than {n} characters.").format(n=MAX_TEXT))


def _choice(
    values: Mapping[str, str], key: str, choices: Mapping[str, Any], message: str | None
) -> str:
    value = values[key]
    if value not in choices:
        raise FieldError(key, message or _("Choose one of the offered values."))
    return value


def _known(chosen: list[str], choices: Mapping[str, str], key: str) -> None:
    if any(c not in choices for c in chosen):
        raise FieldError(key, _("Choose offices from the list."))


def _date(value: str, key: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FieldError(
            key, _("{value!r} is not a date; give it as 2026-12-31.").format(value=value[:40])
        ) from None


ROUTES = [
    Route("/vorlagen/neu", new_paper_form, methods=["GET"]),
    Route("/vorlagen/neu", create_paper, methods=["POST"]),
    Route("/vorlagen/{number:path}/bearbeiten", edit_form, methods=["GET"]),
    Route("/vorlagen/{number:path}/bearbeiten", edit_paper, methods=["POST"]),
]
