"""The app factory: routes, the security headers, the pages."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from workflow.core.errors import WorkflowError
from workflow.core.i18n import _
from workflow.service import WorkflowService
from workflow.web import (
    agenda,
    audit,
    audit_chain,
    calendar_feed,
    drafts,
    fristen,
    inbox,
    login,
    meeting,
    meetings,
    oidc,
    papers,
    session_mode,
)
from workflow.web.auth import Web, status_of, web_of
from workflow.web.pages import Pages
from workflow.web.security import SecurityHeaders
from workflow.web.settings import WebSettings

logger = logging.getLogger(__name__)


def create_app(service: WorkflowService, settings: WebSettings | None = None) -> Starlette:
    """The web workplace on ``service``: sessions and CSRF tokens live in its database, so
    any number of processes serve the same users."""
    settings = settings or WebSettings()
    routes = [
        Route("/", start),
        *login.ROUTES,
        *oidc.routes_of(settings.oidc, settings.secure_cookie),
        *drafts.ROUTES,
        *papers.ROUTES,
        *agenda.ROUTES,
        *meetings.ROUTES,
        *meeting.ROUTES,
        *session_mode.ROUTES,
        *calendar_feed.ROUTES,
        *audit.ROUTES,
        *audit_chain.ROUTES,
        *inbox.ROUTES,
        *fristen.ROUTES,
        Route("/static/{digest}/{path:path}", static),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])
    app.state.web = Web(service=service, settings=settings, pages=Pages())
    if settings.oidc is not None:
        app.state.oidc = oidc.OidcClient(settings.oidc)
    app.add_exception_handler(400, unreadable)
    app.add_exception_handler(404, not_found)
    app.add_exception_handler(405, not_allowed)
    app.add_exception_handler(WorkflowError, refused)
    app.add_exception_handler(Exception, failed)
    return app


def start(request: Request) -> Response:
    return RedirectResponse("/vorlagen", status_code=303)


def static(request: Request) -> Response:
    params = request.path_params
    return web_of(request).pages.static_file(str(params["digest"]), str(params["path"]))


def unreadable(request: Request, exc: Exception) -> Response:
    """A post Starlette cannot read (a field longer than the bound, too many fields)."""
    message = _("The form is too large or cannot be read; shorten the input and try again.")
    return web_of(request).pages.error(request, 400, message, None)


def not_found(request: Request, exc: Exception) -> Response:
    return web_of(request).pages.error(request, 404, _("There is no such page."), None)


def not_allowed(request: Request, exc: Exception) -> Response:
    message = _("This page does not take that request.")
    return web_of(request).pages.error(request, 400, message, None)


def refused(request: Request, exc: Exception) -> Response:
    """A service error outside a page's own handling (e.g. no such municipality)."""
    assert isinstance(exc, WorkflowError)
    return web_of(request).pages.error(request, status_of(exc), str(exc), None)


def failed(request: Request, exc: Exception) -> Response:
    """An unexpected error: a German page, never a traceback (the log has it)."""
    logger.exception("ratsweg web: %s %s failed", request.method, request.url.path)
    message = _("Something went wrong on the server; please try again later.")
    return web_of(request).pages.error(request, 500, message, None)
