"""``/fristen``: the open and overdue deadlines of the municipality (the service's
``deadlines.list_deadlines``: Vorlagenschluss, Ladung, Mitzeichnung, Beschlusskontrolle),
filtered by Amt, Gremium and user in the query string, each linking to where to act."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from workflow.core.deadlines import DeadlineEntry, DeadlineKind
from workflow.core.errors import InvalidInput, NotFoundError
from workflow.core.i18n import _
from workflow.core.model import WebSessionView
from workflow.web.auth import page, web_of
from workflow.web.papers import organization_choices, paper_url

#: The most deadlines the page shows (the service's list is bounded too).
LIMIT = 200
#: The filter fields in the query string.
FILTERS = ("office", "gremium", "user")
#: Where each kind of deadline is acted on: the paper page's section.
SECTIONS = {
    DeadlineKind.SUBMISSION_CUTOFF: "aktionen",
    DeadlineKind.CO_SIGNING: "mitzeichnungen",
    DeadlineKind.IMPLEMENTATION_REPORT: "beratungsfolge",
}


@page
def list_fristen(request: Request, session: WebSessionView) -> Response:
    """The deadlines the filters ask for, due first; a value not in the form's choices shows
    the form again with the message at its field (400)."""
    web, params = web_of(request), request.query_params
    catalog = web.service.bodies.catalog(web.settings.body, reader=session.user_id)
    chosen = {key: str(params.get(key) or "")[:200] for key in FILTERS}
    overdue = params.get("overdue") == "1"
    options = {
        "office": organization_choices(catalog, offices=True),
        "gremium": organization_choices(catalog, offices=False),
        "user": sorted(((u.id, u.name) for u in catalog.users.values()), key=lambda p: p[1]),
    }
    error, error_field, entries = None, None, None
    try:
        entries = web.service.deadlines.list_deadlines(
            body=web.settings.body,
            office=chosen["office"] or None,
            organization=chosen["gremium"] or None,
            user=chosen["user"] or None,
            overdue=overdue,
            limit=LIMIT + 1,
            reader=session.user_id,
        )
    except (InvalidInput, NotFoundError) as exc:
        error = str(exc)
        error_field = next(
            (k for k in FILTERS if chosen[k] and chosen[k] not in dict(options[k])), None
        )
    context: dict[str, Any] = {
        "rows": [_row(e) for e in (entries or [])[:LIMIT]],
        "listed": entries is not None,
        "more": entries is not None and len(entries) > LIMIT,
        "limit": LIMIT,
        "chosen": chosen,
        "overdue": overdue,
        "options": options,
        "fields": [("office", _("Office")), ("gremium", _("Gremium")), ("user", _("User"))],
        "error": error,
        "error_field": error_field,
        "has_offices": bool(catalog.user(session.user_id).offices),
    }
    return web.pages.render(request, "fristen.html", session, 400 if error else 200, **context)


def _row(entry: DeadlineEntry) -> dict[str, Any]:
    deadline = entry.deadline
    meeting_url = f"/sitzungen/{entry.meeting_id}" if entry.meeting_id is not None else None
    if deadline.kind is DeadlineKind.INVITATION and meeting_url:
        act = (meeting_url, _("To the meeting"))
    else:
        section = SECTIONS.get(deadline.kind, "fristen")
        act = (f"{paper_url(entry.paper)}#{section}", _("To the paper"))
    return {
        "kind": deadline.kind.label,
        "number": entry.paper,
        "url": paper_url(entry.paper),
        "title": entry.title,
        "organization": entry.organization_name,
        "co_signing": deadline.kind is DeadlineKind.CO_SIGNING,
        "report": deadline.kind is DeadlineKind.IMPLEMENTATION_REPORT,
        "meeting": entry.meeting,
        "meeting_url": meeting_url,
        "due": deadline.day,
        "overdue": entry.overdue,
        "legal_basis": deadline.legal_basis,
        "act": act,
    }


ROUTES = [Route("/fristen", list_fristen)]
