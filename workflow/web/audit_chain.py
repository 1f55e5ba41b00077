"""``/pruefung/kette`` and ``/pruefung/beschluesse``: verify the hash chains (optionally
against a seal), seal them, and the decisions with the Fristen kept or missed on their way
(``ratsweg audit verify|seal`` and ``ratsweg decisions list``). The service decides who may
verify and who may seal."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from workflow.core.errors import InvalidInput, NotFoundError, PermissionDenied, WorkflowError
from workflow.core.i18n import _
from workflow.core.model import AuditAction, AuditQuery, Outcome, Seal, WebSessionView
from workflow.web.audit import audit_url
from workflow.web.auth import FieldError, form_of, page, status_of, web_of
from workflow.web.pages import moment

#: The longest seal a verification form takes (a seal holds one head per chain).
MAX_SEAL = 60_000


def render_chain(
    request: Request,
    session: WebSessionView,
    status: int = 200,
    **context: Any,
) -> Response:
    """The chain page: the seals taken so far, the verify form and (when the service lets the
    user seal) the seal form, with the result of what was just done."""
    web = web_of(request)
    body, reader = web.settings.body, session.user_id
    seals = web.service.audit.search_audit(
        AuditQuery(action=AuditAction.AUDIT_SEALED.value), body=body, reader=reader
    )
    try:
        web.service.audit.require_sealer(session.user_id, body=body)
        may_seal = True
    except PermissionDenied:
        may_seal = False
    context.setdefault("seal_text", "")
    return web.pages.render(
        request,
        "audit_chain.html",
        session,
        status,
        seals=list(reversed(seals)),
        may_seal=may_seal,
        **context,
    )


@page
def chain(request: Request, session: WebSessionView) -> Response:
    return render_chain(request, session)


@page
def verify(request: Request, session: WebSessionView) -> Response:
    """Recompute every hash chain (and check the pasted seal, if any); nothing is written."""
    web = web_of(request)
    text = str(form_of(request).get("seal") or "").strip()
    try:
        seal = seal_of(text) if text else None
        report = web.service.audit.verify_audit(
            seal, body=web.settings.body, reader=session.user_id
        )
    except FieldError as exc:
        return render_chain(request, session, 400, seal_error=str(exc), seal_text=text)
    except InvalidInput as exc:  # a seal of another database
        return render_chain(request, session, 422, seal_error=str(exc), seal_text=text)
    return render_chain(request, session, report=verdict(report, seal), seal_text=text)


def seal_of(text: str) -> Seal:
    from workflow.audit.seal import parse_seal

    name = _("the pasted seal")
    if len(text) > MAX_SEAL:
        raise FieldError("seal", _("the seal is longer than {n} characters").format(n=MAX_SEAL))
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        message = _("{name} is not JSON ({exc}); paste the file written when sealing")
        raise FieldError("seal", message.format(name=name, exc=exc)) from None
    try:
        return parse_seal(document, name)
    except InvalidInput as exc:
        raise FieldError("seal", str(exc)) from None


def verdict(report: Any, seal: Seal | None) -> dict[str, Any]:
    """The verification in German: intact, or where the first break is."""
    if report.broken_stream is not None:
        where = report.broken_stream
        if report.broken_paper:
            where = _("paper {number} ({stream})").format(
                number=report.broken_paper, stream=report.broken_stream
            )
        text = _("Audit trail BROKEN in {where} at event {seq}: {reason}").format(
            where=where, seq=report.broken_seq, reason=report.reason
        )
        link = audit_url(report.broken_paper) if report.broken_paper else None
        return {"ok": False, "text": text, "paper_url": link, "seal": None}
    text = _("Audit trail intact: {events} events in {chains} chains.").format(
        events=report.events, chains=report.streams
    )
    sealed = None
    if seal is not None:
        sealed = _(
            "Seal of {time} by {actor} (root hash {hash}): all {sealed} sealed events "
            "unchanged; {after} events after the seal."
        ).format(
            time=moment(seal.sealed_at),
            actor=seal.actor,
            hash=seal.root_hash[:16],
            sealed=report.sealed_events,
            after=report.events_after_seal,
        )
    return {"ok": True, "text": text, "paper_url": None, "seal": sealed}


@page
def seal(request: Request, session: WebSessionView) -> Response:
    """Seal every chain as the logged-in user; the service refuses whom it does not allow
    (403 page) and a broken trail (the chain page with the message)."""
    from workflow.audit.seal import dump_seal

    web = web_of(request)
    try:
        sealed = web.service.audit.seal_audit(user=session.user_id, body=web.settings.body)
    except PermissionDenied:
        raise  # not allowed to seal: the error page (403) with the service's message
    except WorkflowError as exc:  # e.g. a broken trail is not sealed
        return render_chain(request, session, status_of(exc), seal_failed=str(exc))
    done = {
        "text": _("sealed {events} events in {chains} chains at {time}; root hash {hash}").format(
            events=sealed.events,
            chains=len(sealed.heads),
            time=moment(sealed.sealed_at),
            hash=sealed.root_hash,
        ),
        "document": dump_seal(sealed),
    }
    return render_chain(request, session, sealed=done)


#: The decisions form's fields, with their longest accepted value.
DECISION_FIELDS = {
    "organization": 100,
    "paper_type": 100,
    "outcome": 64,
    "year": 4,
    "since": 10,
    "until": 10,
}


@page
def decisions(request: Request, session: WebSessionView) -> Response:
    """Decisions by meeting day with their votes and the Fristen kept or missed."""
    from workflow.audit.trail import DecisionQuery

    web, params = web_of(request), request.query_params
    chosen = {k: str(params.get(k) or "")[:n] for k, n in DECISION_FIELDS.items()}
    error, error_field, found = None, None, []
    try:
        since, until = _period(chosen)
        query = DecisionQuery(
            organization=chosen["organization"] or None,
            paper_type=chosen["paper_type"] or None,
            outcome=chosen["outcome"] or None,
            since=since,
            until=until,
        )
        found = web.service.trail.list_decisions(
            query, body=web.settings.body, reader=session.user_id
        )
    except (InvalidInput, NotFoundError) as exc:
        error = str(exc)
        error_field = exc.field if isinstance(exc, FieldError) else _decision_field(exc, chosen)
    catalog = web.service.bodies.catalog(web.settings.body, reader=session.user_id)
    options = {
        "organization": sorted(
            ((o.id, o.name) for o in catalog.organizations.values()), key=lambda p: p[1]
        ),
        "paper_type": sorted((t.id, t.name) for t in catalog.paper_types.values()),
        "outcome": [(o.value, o.label) for o in Outcome],
    }
    rows = [_decision(d) for d in found]
    context = {"chosen": chosen, "options": options, "rows": rows}
    context |= {
        "error": error,
        "error_field": error_field,
        "missed": sum(r["missed"] for r in rows),
    }
    status = 400 if error else 200
    return web.pages.render(request, "audit_decisions.html", session, status, **context)


def _period(chosen: dict[str, str]) -> tuple[dt.date | None, dt.date | None]:
    """From and to day: the dates given, within the year given."""
    days: dict[str, dt.date | None] = {}
    for key in ("since", "until"):
        text = chosen[key].strip()
        try:
            days[key] = dt.date.fromisoformat(text) if text else None
        except ValueError:
            message = _("the date is written like 2025-03-31, not {value!r}").format(value=text)
            raise FieldError(key, message) from None
    year = chosen["year"].strip()
    if year:
        if not (year.isdigit() and len(year) == 4):
            message = _("the year is four digits, e.g. 2025, not {year!r}").format(year=year)
            raise FieldError("year", message)
        first, last = dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
        days["since"] = max(days["since"] or first, first)
        days["until"] = min(days["until"] or last, last)
    return days["since"], days["until"]


def _decision_field(exc: WorkflowError, chosen: dict[str, str]) -> str | None:
    if chosen["since"] and chosen["until"] and chosen["since"] > chosen["until"]:
        return "until"
    for key in ("organization", "paper_type", "outcome"):
        if chosen[key] and chosen[key] in str(exc):
            return key
    return None


def _decision(d: Any) -> dict[str, Any]:
    vote = d.vote
    return {
        "date": d.date,
        "organization": d.organization_name,
        "paper": d.paper,
        "url": audit_url(d.paper),
        "title": d.title,
        "result": d.result,
        "vote": vote,
        "public": d.public,
        "deadlines": [
            {
                "kind": c.kind,
                "position": c.position,
                "organization": c.organization_name,
                "due": c.due,
                "done_at": c.done_at,
                "status": c.status.value,
                "label": c.status.label,
                "explanation": c.explanation,
            }
            for c in d.deadlines
        ],
        "kept": sum(c.status.value == "kept" for c in d.deadlines),
        "missed": len(d.missed),
    }


ROUTES = [
    Route("/pruefung/kette", chain),
    Route("/pruefung/kette/pruefen", verify, methods=["POST"]),
    Route("/pruefung/kette/versiegeln", seal, methods=["POST"]),
    Route("/pruefung/beschluesse", decisions),
]
