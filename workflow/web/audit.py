"""``/pruefung``: the auditors' screens. The event search with the filters of ``ratsweg audit
search`` (a GET form, so a search can be bookmarked), its CSV download, a paper's trail and
its decision-trail report as HTML or PDF. The service decides who may read what."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from workflow.core.catalog import Catalog
from workflow.core.errors import InvalidInput, NotFoundError, WorkflowError
from workflow.core.i18n import N_, _
from workflow.core.model import AuditAction, AuditEventView, AuditQuery, WebSessionView
from workflow.core.model.audit import EXPORT_FIELDS
from workflow.web.auth import FieldError, Web, page, web_of
from workflow.web.labels import Labels
from workflow.web.papers import paper_url

#: The search form's fields in the query string, with their longest accepted value.
FIELDS = {
    "paper": 100,
    "actor": 100,
    "action": 64,
    "paper_type": 100,
    "organization": 100,
    "meeting": 9,
    "since": 10,
    "until": 10,
}
PAGE_SIZE = 50
#: The payload entries the details column shows, with their names.
DETAILS = {
    "trigger": N_("Action"),
    "position": N_("Step"),
    "organization": N_("Gremium"),
    "outcome": N_("Result"),
    "office": N_("Office"),
    "date": N_("Date"),
    "reason": N_("Reason"),
}


def audit_url(number: str) -> str:
    return "/pruefung/vorlagen/" + quote(number, safe="/")


def query_of(chosen: dict[str, str]) -> AuditQuery:
    """The service's query from the form's values; a value of the wrong shape is a
    ``FieldError`` for its field (the service checks the rest)."""
    dates: dict[str, dt.date | None] = {}
    for key in ("since", "until"):
        text = chosen[key].strip()
        try:
            dates[key] = dt.date.fromisoformat(text) if text else None
        except ValueError:
            message = _("the date is written like 2025-03-31, not {value!r}").format(value=text)
            raise FieldError(key, message) from None
    since, until = dates["since"], dates["until"]
    if since and until and since > until:  # the service refuses it in the command line's words
        message = _("the period starts {since:%d.%m.%Y} but ends {until:%d.%m.%Y}")
        raise FieldError("until", message.format(since=since, until=until))
    meeting = chosen["meeting"].strip()
    if meeting and not (meeting.isdigit() and int(meeting) > 0):
        message = _("the meeting is its number, e.g. 12, not {value!r}").format(value=meeting)
        raise FieldError("meeting", message)
    return AuditQuery(
        paper=chosen["paper"].strip() or None,
        actor=chosen["actor"].strip() or None,
        action=chosen["action"] or None,
        paper_type=chosen["paper_type"] or None,
        organization=chosen["organization"] or None,
        meeting=int(meeting) if meeting else None,
        since=since,
        until=until,
    )


def field_of(exc: WorkflowError, query: AuditQuery) -> str | None:
    """The field a refusal of the service names (None: the form as a whole)."""
    if isinstance(exc, FieldError):
        return exc.field
    message = str(exc)
    for key in ("paper", "paper_type", "organization", "meeting", "action"):
        value = getattr(query, key)
        if value is not None and str(value) in message:
            return key
    return None


def chosen_of(params: QueryParams) -> dict[str, str]:
    return {key: str(params.get(key) or "")[:size] for key, size in FIELDS.items()}


def search_page(request: Request, session: WebSessionView) -> Response:
    """The events matching every given filter, oldest first, a page at a time; a bad value
    shows the form again (400) with the message at its field."""
    web, params = web_of(request), request.query_params
    chosen = chosen_of(params)
    number = _page_number(params.get("seite"))
    catalog = web.service.bodies.catalog(web.settings.body, reader=session.user_id)
    query: AuditQuery | None = None
    error, error_field, total, events = None, None, 0, []
    try:
        query = query_of(chosen)
        with web.service.audit.audit_events(
            query, body=web.settings.body, reader=session.user_id
        ) as found:
            total = found.count()
            start = (number - 1) * PAGE_SIZE
            events = list(itertools.islice(found, start, start + PAGE_SIZE))
    except (InvalidInput, NotFoundError) as exc:
        error = str(exc)
        error_field = field_of(exc, query) if query else getattr(exc, "field", None)
    labels = Labels(catalog)
    context: dict[str, Any] = {
        "chosen": chosen,
        "options": _options(catalog),
        "error": error,
        "error_field": error_field,
        "events": [row_of(e, labels) for e in events],
        "total": total,
        "first": (number - 1) * PAGE_SIZE + 1,
        "pages": _page_links(request, number, total),
        "csv": _csv_url(chosen),
    }
    return web.pages.render(request, "audit.html", session, 400 if error else 200, **context)


search = page(search_page)


def _csv_url(chosen: dict[str, str]) -> str:
    given = {key: value for key, value in chosen.items() if value}
    return "/pruefung/ereignisse.csv" + (f"?{urlencode(given)}" if given else "")


def _options(catalog: Catalog) -> dict[str, list[tuple[str, str]]]:
    return {
        "action": sorted(((a.value, a.label) for a in AuditAction), key=lambda p: p[1]),
        "paper_type": sorted((t.id, t.name) for t in catalog.paper_types.values()),
        "organization": sorted(
            ((o.id, o.name) for o in catalog.organizations.values()), key=lambda p: p[1]
        ),
        "actor": sorted(((u.id, u.name) for u in catalog.users.values()), key=lambda p: p[1]),
    }


def row_of(event: AuditEventView, labels: Labels) -> dict[str, Any]:
    action = event.action
    return {
        "seq": event.seq,
        "stream": event.stream,
        "at": event.occurred_at,
        "actor": event.actor,
        "action": action,
        "paper": event.paper_number,
        "url": audit_url(event.paper_number) if event.paper_number else None,
        "from_state": labels.state(action, event.from_state),
        "to_state": labels.state(action, event.to_state),
        "details": details_of(event, labels),
        "hash": event.hash[:12],
    }


def details_of(event: AuditEventView, labels: Labels) -> list[tuple[str, str]]:
    """The payload's entries a person reads, with German names."""
    shown = []
    for key, label in DETAILS.items():
        value = event.payload.get(key)
        if value is None or value == "":
            continue
        shown.append((_(label), labels.detail(event.action, key, value)[:300]))
    return shown


def _page_number(value: str | None) -> int:
    if value and value.isdigit() and 0 < len(value) <= 6:
        return max(1, int(value))
    return 1


def _page_links(request: Request, number: int, total: int) -> dict[str, str]:
    links: dict[str, str] = {}
    if number > 1:
        links["previous"] = str(request.url.include_query_params(seite=number - 1))
    if number * PAGE_SIZE < total:
        links["next"] = str(request.url.include_query_params(seite=number + 1))
    return {k: v.removeprefix(str(request.base_url).rstrip("/")) for k, v in links.items()}


@page
def search_csv(request: Request, session: WebSessionView) -> Response:
    """The same search as CSV (all pages), the columns of ``ratsweg audit export``; written to
    a spooled file inside one read transaction, then sent."""
    web = web_of(request)
    out = tempfile.SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115 (closed by stream)
    try:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        writer = csv.DictWriter(text, fieldnames=EXPORT_FIELDS, lineterminator="\n")
        writer.writeheader()
        query = query_of(chosen_of(request.query_params))
        with web.service.audit.audit_events(
            query, body=web.settings.body, reader=session.user_id
        ) as events:
            for event in events:
                writer.writerow({key: _cell(getattr(event, key)) for key in EXPORT_FIELDS})
        text.detach()
    except (InvalidInput, NotFoundError):
        out.close()
        return search_page(request, session)  # the form with the message at its field
    except BaseException:
        out.close()
        raise
    out.seek(0)
    stamp = web.service.clock.now().strftime("%Y%m%d-%H%M%S")
    headers = {"content-disposition": f'attachment; filename="pruefpfad-{stamp}.csv"'}
    return StreamingResponse(_chunks(out), media_type="text/csv; charset=utf-8", headers=headers)


def _cell(value: Any) -> str:
    """A plain CSV cell as ``ratsweg audit export`` writes it: UTC ISO-8601 instants, JSON for
    the payload, so that the hashes can be recomputed from the file."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := file.read(64 * 1024):
            yield chunk
    finally:
        file.close()


@page
def open_paper(request: Request, session: WebSessionView) -> Response:
    """The "trail of paper …" form: to that paper's trail page."""
    number = str(request.query_params.get("nummer") or "").strip()[:100]
    if not number:
        return RedirectResponse("/pruefung", status_code=303)
    return RedirectResponse(audit_url(number), status_code=303)


@page
def trail(request: Request, session: WebSessionView) -> Response:
    """A paper's audit trail (with the Ergänzungsvorlagen of its chain) and its reports."""
    web, number = web_of(request), str(request.path_params["number"])
    body, reader = web.settings.body, session.user_id
    paper = web.service.papers.get_paper(number, body=body, reader=reader)
    events = web.service.supplements.chain_audit_trail(number, body=body, reader=reader)
    papers = list(dict.fromkeys(e.paper_number for e in events)) or [paper.number]
    labels = Labels(web.service.bodies.catalog(body, reader=reader))
    context: dict[str, Any] = {
        "paper": paper,
        "paper_url": paper_url(paper.number),
        "url": audit_url(paper.number),
        "groups": [
            (p, [row_of(e, labels) for e in events if e.paper_number == p])
            for p in papers
            if p is not None
        ],
        "count": len(events),
    }
    return web.pages.render(request, "audit_trail.html", session, **context)


@page
def report_html(request: Request, session: WebSessionView) -> Response:
    """The decision-trail report of ``ratsweg audit report``, as a download."""
    number = str(request.path_params["number"])
    document = _report(web_of(request), session, number)
    return Response(
        document.encode("utf-8"),
        media_type="text/html; charset=utf-8",
        headers=_attachment(number, "html"),
    )


@page
def report_pdf(request: Request, session: WebSessionView) -> Response:
    """The report as PDF, printed by the converter ``ratsweg audit report --pdf`` uses."""
    from workflow.audit.report import find_pdf_converter, write_pdf

    web, number = web_of(request), str(request.path_params["number"])
    document = _report(web, session, number)
    try:
        converter = find_pdf_converter()
        with tempfile.TemporaryDirectory(prefix="ratsweg-report-") as folder:
            target = Path(folder) / "bericht.pdf"
            write_pdf(document, target, converter)
            data = target.read_bytes()
    except InvalidInput as exc:  # no converter, or it failed: the server cannot print now
        return web.pages.error(request, 503, str(exc), session)
    return Response(data, media_type="application/pdf", headers=_attachment(number, "pdf"))


def _report(web: Web, session: WebSessionView, number: str) -> str:
    from workflow.audit.report import render_report

    trails = web.service.trail.paper_report(number, body=web.settings.body, reader=session.user_id)
    return render_report(trails, generated_at=web.service.clock.now())


def _attachment(number: str, suffix: str) -> dict[str, str]:
    """A download under a file name of letters, digits, ``.``, ``_`` and ``-`` only."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", number).strip("-.")[:80] or "vorlage"
    return {"content-disposition": f'attachment; filename="entscheidungspfad-{safe}.{suffix}"'}


#: ``{number:path}`` routes with a suffix first: a paper's number may hold slashes.
ROUTES = [
    Route("/pruefung", search),
    Route("/pruefung/ereignisse.csv", search_csv),
    Route("/pruefung/vorlage", open_paper),
    Route("/pruefung/vorlagen/{number:path}/bericht.html", report_html),
    Route("/pruefung/vorlagen/{number:path}/bericht.pdf", report_pdf),
    Route("/pruefung/vorlagen/{number:path}", trail),
]
