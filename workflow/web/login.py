"""``/anmelden`` and ``/abmelden``: the login form, the login and the logout."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from workflow.core.errors import LoginRefused
from workflow.core.model import WebSessionView
from workflow.web.auth import (
    current_session,
    form_of,
    local_path,
    origin_refusal,
    page,
    set_session_cookie,
    web_of,
)
from workflow.web.security import SESSION_COOKIE


def login_form(request: Request) -> Response:
    """The login form (a logged-in user goes on to where they wanted)."""
    target = local_path(request.query_params.get("next"))
    if current_session(request) is not None:
        return RedirectResponse(target, status_code=303)
    return web_of(request).pages.render(
        request, "login.html", None, next=target, oidc=oidc_label(request)
    )


def log_in(request: Request) -> Response:
    """Check the password; a new session id (the old one is deleted) and on to ``next``."""
    refused = origin_refusal(request)
    if refused is not None:
        return refused
    web, form = web_of(request), form_of(request)
    target = local_path(str(form.get("next") or ""))
    user_id = str(form.get("user") or "")
    try:
        login = web.service.accounts.log_in(
            user_id,
            str(form.get("password") or ""),
            address=request.client.host if request.client else "",
            previous=request.cookies.get(SESSION_COOKIE),
            body=web.settings.body,
        )
    except LoginRefused as exc:
        return web.pages.render(
            request,
            "login.html",
            None,
            401,
            next=target,
            error=str(exc),
            user=user_id[:128],
            oidc=oidc_label(request),
        )
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, login.session_id)
    return response


def oidc_label(request: Request) -> str | None:
    """The name of the city's OpenID Connect provider for its button (None: none)."""
    oidc = web_of(request).settings.oidc
    return oidc.label if oidc is not None else None


@page
def log_out(request: Request, session: WebSessionView) -> Response:
    web = web_of(request)
    web.service.accounts.log_out(request.cookies.get(SESSION_COOKIE, ""), body=web.settings.body)
    response = RedirectResponse("/anmelden", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


ROUTES = [
    Route("/anmelden", login_form, methods=["GET"]),
    Route("/anmelden", log_in, methods=["POST"]),
    Route("/abmelden", log_out, methods=["POST"]),
]
