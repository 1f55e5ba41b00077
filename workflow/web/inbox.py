"""``/mitzeichnung``: the co-signatures waiting for the logged-in user (the service's
``co_signing.waiting_for``), each with its forms (templates/signing.html, also on the paper's
page): sign, object with a reason, overrule an objection. The service decides who may do what;
the page shows only the forms its flags allow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from workflow.core.errors import InvalidInput, WorkflowError
from workflow.core.i18n import _
from workflow.core.model import PaperView, WebSessionView
from workflow.service import WorkflowService
from workflow.web.auth import Web, form_of, page, status_of, web_of
from workflow.web.papers import paper_url, render_paper

#: The most rows the inbox shows (the service's list is bounded too).
LIMIT = 200
#: The longest reason or comment taken from the form (the service checks it as a line).
MAX_REASON = 500

#: What a row's form calls: the service method with the logged-in user.
Call = Callable[[WorkflowService, str, str, str, str | None, str], PaperView]
ACTIONS: dict[str, Call] = {
    "sign": lambda s, n, o, u, b, r: s.co_signing.co_sign(
        n, user=u, office=o, comment=r.strip() or None, body=b
    ),
    "object": lambda s, n, o, u, b, r: s.co_signing.co_sign(
        n, user=u, office=o, objection=True, comment=r, body=b
    ),
    "overrule": lambda s, n, o, u, b, r: s.co_signing.overrule_objection(
        n, user=u, office=o, reason=r, body=b
    ),
}


@page
def show_inbox(request: Request, session: WebSessionView) -> Response:
    return render_inbox(web_of(request), request, session)


@page
def act_on_signature(request: Request, session: WebSessionView) -> Response:
    """Sign, object or overrule, as the logged-in user; a refusal shows the inbox again with
    the message at the row's form (or above the list when the row is gone)."""
    web, form = web_of(request), form_of(request)
    number, office, action, reason = _fields(form)
    try:
        call = ACTIONS.get(action)
        if call is None:
            raise InvalidInput(_("unknown action {action!r}").format(action=action[:64]))
        if len(reason) > MAX_REASON:
            raise InvalidInput(
                _("the reason has {length} characters, at most {most} are allowed").format(
                    length=len(reason), most=MAX_REASON
                )
            )
        call(web.service, number, office, session.user_id, web.settings.body, reason)
    except WorkflowError as exc:
        failed = {
            "number": number,
            "office": office,
            "action": action,
            "reason": reason[:MAX_REASON],
            "message": str(exc),
        }
        if form.get("back") == "paper":
            return render_paper(web, request, session, number, status_of(exc), failed)
        return render_inbox(web, request, session, status_of(exc), failed)
    if form.get("back") == "paper":
        return RedirectResponse(paper_url(number), status_code=303)
    return RedirectResponse("/mitzeichnung", status_code=303)


def _fields(form: FormData) -> tuple[str, str, str, str]:
    """The paper's number, the co-signing office, the action and the reason, as posted."""
    return (
        str(form.get("number") or "")[:200],
        str(form.get("office") or "")[:200],
        str(form.get("action") or "")[:64],
        str(form.get("reason") or ""),
    )


def render_inbox(
    web: Web,
    request: Request,
    session: WebSessionView,
    status: int = 200,
    failed: dict[str, str] | None = None,
) -> Response:
    items = web.service.co_signing.waiting_for(
        session.user_id, body=web.settings.body, reader=session.user_id, limit=LIMIT + 1
    )
    rows = [{"item": i, "url": paper_url(i.number)} for i in items[:LIMIT]]
    placed = failed is not None and any(
        (i.number, i.office_id) == (failed["number"], failed["office"]) for i in items[:LIMIT]
    )
    context: dict[str, Any] = {
        "rows": rows,
        "more": len(items) > LIMIT,
        "limit": LIMIT,
        "failed": failed,
        "general_error": failed["message"] if failed and not placed else None,
    }
    return web.pages.render(request, "inbox.html", session, status, **context)


ROUTES = [
    Route("/mitzeichnung", show_inbox),
    Route("/mitzeichnung/aktion", act_on_signature, methods=["POST"]),
]
