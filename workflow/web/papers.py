"""``/vorlagen``: the list of papers and a paper's page with the actions allowed now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from workflow.core.errors import InvalidInput, PermissionDenied
from workflow.core.i18n import N_, _
from workflow.core.labels import action_label
from workflow.core.model import AuditEventView, PaperView, WebSessionView
from workflow.service import WorkflowService
from workflow.web.auth import Web, form_of, page, status_of, web_of

#: What a paper's action form calls: the service method, with the logged-in user.
Call = Callable[[WorkflowService, str, str, str | None, FormData], PaperView]
ACTIONS: dict[str, Call] = {
    "submit": lambda s, n, u, b, f: s.papers.submit_paper(n, user=u, body=b),
    "release": lambda s, n, u, b, f: s.papers.release_paper(n, user=u, body=b),
    "withdraw": lambda s, n, u, b, f: s.papers.withdraw_paper(
        n, user=u, reason=str(f.get("reason") or ""), body=b
    ),
}
#: Actions whose form asks for a reason.
WITH_REASON = frozenset({"withdraw"})

STEP_LABELS = {
    "planned": N_("planned"),
    "scheduled": N_("scheduled"),
    "held": N_("deliberated"),
    "dropped": N_("taken off the agenda"),
    "cancelled": N_("not needed"),
}
CO_SIGNATURE_LABELS = {
    "pending": N_("pending"),
    "signed": N_("signed"),
    "objected": N_("objected"),
    "overruled": N_("objection overruled"),
}


def paper_url(number: str) -> str:
    return "/vorlagen/" + quote(number, safe="/")


@page
def list_papers(request: Request, session: WebSessionView) -> Response:
    """Every paper of the municipality: number, title, type, Amt and state."""
    web = web_of(request)
    papers = web.service.papers.list_papers(body=web.settings.body, reader=session.user_id)
    catalog = web.service.bodies.catalog(web.settings.body, reader=session.user_id)
    lifecycle = catalog.lifecycle("paper")
    rows = [
        {
            "number": p.number,
            "url": paper_url(p.number),
            "title": p.title,
            "type": catalog.paper_types[p.paper_type].name
            if p.paper_type in catalog.paper_types
            else p.paper_type,
            "office": catalog.organization_name(p.office_id),
            "date": p.date,
            "state": lifecycle.state_label(p.state),
        }
        for p in papers
    ]
    return web.pages.render(request, "papers.html", session, papers=rows)


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
    actions = offered(web, session, paper)
    context: dict[str, Any] = {
        "paper": paper,
        "url": paper_url(paper.number),
        "fristen": [f for check in checks for f in check.fristen],
        "trail": trail,
        "actions": actions,
        "failed": failed,
        "step_label": lambda s: _(STEP_LABELS[s]) if s in STEP_LABELS else s,
        "signature_label": lambda s: _(CO_SIGNATURE_LABELS.get(str(s), str(s))),
    }
    return web.pages.render(request, "paper.html", session, status, **context)


def offered(web: Web, session: WebSessionView, paper: PaperView) -> list[dict[str, Any]]:
    """The paper's allowed actions that this page has a form for and that one of the user's
    roles may fire (only what is shown: the service decides when the form is posted)."""
    lifecycle = web.service.bodies.catalog(web.settings.body, reader=session.user_id).lifecycle(
        "paper"
    )
    mine = {
        t.trigger
        for t in lifecycle.transitions
        if paper.state in t.sources and session.roles & t.roles
    }
    return [
        {"id": str(a), "label": action_label(a), "reason": a in WITH_REASON}
        for a in paper.allowed_actions
        if a in ACTIONS and a in mine
    ]
