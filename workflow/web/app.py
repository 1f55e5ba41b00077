"""The app factory: routes, the security headers, the pages."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from workflow.service import WorkflowService
from workflow.web import login, papers
from workflow.web.auth import Web, web_of
from workflow.web.pages import Pages
from workflow.web.security import SecurityHeaders
from workflow.web.settings import WebSettings


def create_app(service: WorkflowService, settings: WebSettings | None = None) -> Starlette:
    """The web workplace on ``service``: sessions and CSRF tokens live in its database, so
    any number of processes serve the same users."""
    routes = [
        Route("/", start),
        Route("/anmelden", login.login_form, methods=["GET"]),
        Route("/anmelden", login.log_in, methods=["POST"]),
        Route("/abmelden", login.log_out, methods=["POST"]),
        Route("/vorlagen", papers.list_papers),
        Route("/vorlagen/{number:path}/aktion", papers.act_on_paper, methods=["POST"]),
        Route("/vorlagen/{number:path}", papers.show_paper),
        Route("/static/{digest}/{path:path}", static),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])
    app.state.web = Web(service=service, settings=settings or WebSettings(), pages=Pages())
    app.add_exception_handler(404, not_found)
    app.add_exception_handler(405, not_allowed)
    return app


def start(request: Request) -> Response:
    return RedirectResponse("/vorlagen", status_code=303)


def static(request: Request) -> Response:
    params = request.path_params
    return web_of(request).pages.static_file(str(params["digest"]), str(params["path"]))


def not_found(request: Request, exc: Exception) -> Response:
    from workflow.core.i18n import _

    return web_of(request).pages.error(request, 404, _("There is no such page."), None)


def not_allowed(request: Request, exc: Exception) -> Response:
    from workflow.core.i18n import _

    return web_of(request).pages.error(
        request, 400, _("This page does not take that request."), None
    )
