"""``/vorlagen``: the list of papers and a paper's page with the actions allowed now."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from workflow.core.catalog import Catalog
from workflow.core.errors import InvalidInput, NotFoundError, PermissionDenied
from workflow.core.i18n import N_, _
from workflow.core.labels import action_label, value_label
from workflow.core.model import (
    Action,
    AuditEventView,
    PaperPage,
    PaperQuery,
    PaperView,
    WebSessionView,
)
from workflow.service import WorkflowService
from workflow.web.auth import Web, fireable, form_of, may, page, status_of, web_of
from workflow.web.labels import Labels

#: What a paper's action form calls: the service method, with the logged-in user.
Call = Callable[[WorkflowService, str, str, str | None, FormData], PaperView]
ACTIONS: dict[str, Call] = {
    "submit": lambda s, n, u, b, f: s.papers.submit_paper(n, user=u, body=b),
    "release": lambda s, n, u, b, f: s.papers.release_paper(n, user=u, body=b),
    "withdraw": lambda s, n, u, b, f: s.papers.withdraw_paper(
        n, user=u, reason=str(f.get("reason") or ""), body=b
    ),
}
#: The sources of a text version, in German.
VERSION_SOURCES = {
    "draft": N_("draft"),
    "released": N_("as released"),
    "amended": N_("as amended by the body"),
}
#: Actions whose form asks for a reason.
WITH_REASON = frozenset({"withdraw"})


def paper_url(number: str) -> str:
    return "/vorlagen/" + quote(number, safe="/")


#: The Vorlagen list's filter fields in the query string.
FILTERS = ("type", "state", "office", "gremium")
#: The sort orders the list offers, with their names.
SORTS = {
    "date": N_("Date"),
    "number": N_("Number"),
    "title": N_("Title"),
    "modified": N_("Last change"),
    "relevance": N_("Relevance (with a search)"),
}
PAGE_SIZE = 50


@page
def list_papers(request: Request, session: WebSessionView) -> Response:
    """The municipality's papers, filtered, searched, sorted and one page at a time (the query
    string holds the form's fields, so a list can be bookmarked); bad values show the form
    again with the message."""
    web, params = web_of(request), request.query_params
    catalog = web.service.bodies.catalog(web.settings.body, reader=session.user_id)
    chosen, flags = _chosen(request)
    error, error_field, result = None, None, None
    try:
        error_field = "year"
        _check_year(chosen["year"])
        error_field = None
        query = _query(chosen, flags, _page_number(params.get("seite")))
        result = web.service.papers.list_papers(
            query, body=web.settings.body, reader=session.user_id
        )
    except (InvalidInput, NotFoundError) as exc:  # a value not in the form's choices
        error = str(exc)
    rows = [
        {
            "number": p.number,
            "url": paper_url(p.number),
            "title": p.title,
            "type": p.paper_type_name or p.paper_type,
            "office": p.office_name or p.office_id,
            "date": p.date,
            "state": p.state_label or p.state,
        }
        for p in (result.items if result else ())
    ]
    options = {
        "type": sorted((t.id, t.name) for t in catalog.paper_types.values()),
        "state": [(s.id, s.label or s.id) for s in catalog.lifecycle("paper").states],
        "office": organization_choices(catalog, offices=True),
        "gremium": organization_choices(catalog, offices=False),
        "sort": [(key, _(label)) for key, label in SORTS.items()],
    }
    context: dict[str, Any] = {
        "papers": rows,
        "page": result,
        "chosen": chosen,
        "flags": flags,
        "options": options,
        "error": error,
        "error_field": error_field,
        "pages": _page_links(request, result),
        "writer": may(catalog, session, Action.PAPER_CREATE),
        "csv_max": f"{CSV_MAX_ROWS:,}".replace(",", "."),
        "csv_url": "/vorlagen.csv" + (f"?{request.url.query}" if request.url.query else ""),
    }
    return web.pages.render(request, "papers.html", session, 400 if error else 200, **context)


#: The columns of the CSV download (English, stable keys).
CSV_COLUMNS = (
    "number",
    "paper_type",
    "paper_type_name",
    "date",
    "state",
    "state_label",
    "office_id",
    "office_name",
    "title",
)
#: The most rows one CSV download holds; the list's filters narrow a larger result.
CSV_MAX_ROWS = 20_000


@page
def download_papers(request: Request, session: WebSessionView) -> Response:
    """The list's papers as CSV (UTF-8 with BOM, so spreadsheet programs read the umlauts),
    with the same filters and order, at most ``CSV_MAX_ROWS`` rows, fetched page by page as
    the download goes."""
    web = web_of(request)
    chosen, flags = _chosen(request)
    _check_year(chosen["year"])
    first = _query(chosen, flags, 1)
    batch = 500
    body, reader = web.settings.body, session.user_id
    # the first page now, so that a bad filter is a refusal and not a broken download
    head = web.service.papers.list_papers(
        dataclasses.replace(first, limit=batch, offset=0), body=body, reader=reader
    )

    def rows() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        yield "\ufeff" + out.getvalue()
        result, sent = head, 0
        while True:
            out.seek(0)
            out.truncate()
            for p in result.items[: CSV_MAX_ROWS - sent]:
                writer.writerow([getattr(p, key) for key in CSV_COLUMNS])
            sent += len(result.items)
            yield out.getvalue()
            if not result.has_more or sent >= CSV_MAX_ROWS:
                return
            result = web.service.papers.list_papers(
                dataclasses.replace(first, limit=batch, offset=sent), body=body, reader=reader
            )

    headers = {"content-disposition": 'attachment; filename="vorlagen.csv"'}
    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers=headers)


def _chosen(request: Request) -> tuple[dict[str, str], dict[str, bool]]:
    """The list's form fields from the query string (bounded), and its two check boxes."""
    params = request.query_params
    chosen = {key: str(params.get(key) or "")[:200] for key in (*FILTERS, "q", "sort", "year")}
    return chosen, {key: params.get(key) == "1" for key in ("mine", "waiting")}


def _check_year(year: str) -> None:
    year = year.strip()
    if year and not (year.isdigit() and len(year) == 4):
        raise InvalidInput(_("the year is four digits, e.g. 2025, not {year!r}").format(year=year))


def _query(chosen: dict[str, str], flags: dict[str, bool], page_number: int) -> PaperQuery:
    from workflow.core.model import PaperSort

    year = chosen["year"].strip()
    sort = chosen["sort"] if chosen["sort"] in SORTS else None
    return PaperQuery(
        paper_type=chosen["type"] or None,
        state=chosen["state"] or None,
        office=chosen["office"] or None,
        organization=chosen["gremium"] or None,
        year=int(year) if year else None,
        text=chosen["q"].strip() or None,
        mine=flags["mine"],
        waiting_for_me=flags["waiting"],
        sort=PaperSort(sort) if sort else None,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )


def _page_number(value: str | None) -> int:
    """The page asked for (``seite``), from 1; anything else is the first page."""
    if value and value.isdigit() and 0 < len(value) <= 6:
        return max(1, int(value))
    return 1


def organization_choices(catalog: Any, *, offices: bool) -> list[tuple[str, str]]:
    from workflow.core.model import OrganizationKind

    return sorted(
        (
            (o.id, o.name)
            for o in catalog.organizations.values()
            if (o.kind is OrganizationKind.OFFICE) == offices
        ),
        key=lambda pair: pair[1],
    )


def _page_links(request: Request, result: PaperPage | None) -> dict[str, str]:
    """The links to the previous and the next page, keeping the filters."""
    if result is None:
        return {}
    number = result.offset // PAGE_SIZE + 1
    links: dict[str, str] = {}
    if result.offset > 0:
        links["previous"] = str(request.url.include_query_params(seite=number - 1))
    if result.has_more:
        links["next"] = str(request.url.include_query_params(seite=number + 1))
    return {k: v.removeprefix(str(request.base_url).rstrip("/")) for k, v in links.items()}


@page
def show_paper(request: Request, session: WebSessionView) -> Response:
    web = web_of(request)
    return render_paper(web, request, session, str(request.path_params["number"]))


@page
def act_on_paper(request: Request, session: WebSessionView) -> Response:
    """One allowed action, by the logged-in user; the service refuses what they may not do.
    A refusal shows the paper again with the message at the action's form."""
    web, number = web_of(request), str(request.path_params["number"])
    form = form_of(request)
    action = str(form.get("action") or "")
    call = ACTIONS.get(action)
    try:
        if call is None:
            raise InvalidInput(_("unknown action {action!r}").format(action=action[:64]))
        call(web.service, number, session.user_id, web.settings.body, form)
    except (InvalidInput, PermissionDenied) as exc:
        failed = {"action": action, "message": str(exc)}
        return render_paper(web, request, session, number, status_of(exc), failed)
    return RedirectResponse(paper_url(number), status_code=303)


def render_paper(
    web: Web,
    request: Request,
    session: WebSessionView,
    number: str,
    status: int = 200,
    failed: dict[str, str] | None = None,
) -> Response:
    body, reader = web.settings.body, session.user_id
    paper = web.service.papers.get_paper(number, body=body, reader=reader)
    checks = web.service.deadlines.check_path(number, body=body, reader=reader)
    trail: list[AuditEventView] | None
    try:
        trail = web.service.audit.audit_trail(number, body=body, reader=reader)
    except PermissionDenied:
        trail = None  # the audit trail is for auditors, admins and the session office
    catalog = web.service.bodies.catalog(body, reader=reader)
    actions = offered(catalog, session, paper)
    initial = catalog.lifecycle("paper").initial
    signing = {
        i.office_id: i
        for i in web.service.co_signing.waiting_for(
            session.user_id, paper=number, body=body, reader=reader
        )
    }
    context: dict[str, Any] = {
        "paper": paper,
        "url": paper_url(paper.number),
        "fristen": [f for check in checks for f in check.fristen],
        "trail": trail,
        "trail_state": Labels(catalog).state,
        "actions": actions,
        "editable": paper.state == initial and may(catalog, session, Action.PAPER_EDIT),
        "failed": failed,
        "signing": signing,
        "step_label": lambda s: value_label("step", s),
        "signature_label": lambda s: value_label("co_signature", s),
        "version_label": lambda s: _(VERSION_SOURCES[s]) if s in VERSION_SOURCES else s,
        "organization_name": catalog.organization_name,
        "paper_url": paper_url,
        "size": file_size,
    }
    return web.pages.render(request, "paper.html", session, status, **context)


def file_size(size: int) -> str:
    """``1,2 MB``, ``340 kB``, ``12 Bytes``."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB".replace(".", ",")
    if size >= 1_000:
        return f"{size / 1_000:.0f} kB"
    return f"{size} Bytes"


def offered(catalog: Catalog, session: WebSessionView, paper: PaperView) -> list[dict[str, Any]]:
    """The paper's allowed actions that this page has a form for and that one of the user's
    roles may fire (only what is shown: the service decides when the form is posted)."""
    mine = fireable(catalog, "paper", paper.state, session)
    return [
        {"id": str(a), "label": action_label(a), "reason": a in WITH_REASON}
        for a in paper.allowed_actions
        if a in ACTIONS and a in mine
    ]


#: ``{number:path}`` last: a paper's number may hold slashes (``2025/0815``).
ROUTES = [
    Route("/vorlagen", list_papers),
    Route("/vorlagen.csv", download_papers),
    Route("/vorlagen/{number:path}/aktion", act_on_paper, methods=["POST"]),
    Route("/vorlagen/{number:path}", show_paper),
]
