"""Who is logged in, and the checks every page makes before its endpoint runs: the session
from its cookie (else a redirect to the login), the origin and the CSRF token of every unsafe
request, and the service's errors as German pages with their status."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import anyio.from_thread
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from workflow.core.catalog import Catalog
from workflow.core.errors import (
    ConflictError,
    InvalidInput,
    NotFoundError,
    PermissionDenied,
    TransitionNotAllowed,
    WorkflowError,
)
from workflow.core.i18n import _
from workflow.core.model import Action, WebSessionView
from workflow.service import WorkflowService
from workflow.web.pages import Pages
from workflow.web.security import (
    SAFE_METHODS,
    SESSION_COOKIE,
    cookie_secure,
    csrf_ok,
    same_origin,
)
from workflow.web.settings import WebSettings

#: Bounds of a form post (fields and bytes of one field).
MAX_FIELDS, MAX_PART_SIZE = 50, 64 * 1024


@dataclass(frozen=True, slots=True)
class Web:
    """What every endpoint needs: the service, the settings and the pages."""

    service: WorkflowService
    settings: WebSettings
    pages: Pages


class FieldError(InvalidInput):
    """Bad input for one field of a form (its name in ``field``), found by the page before
    it asks the service: the form again with the message at that field (422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


def may(catalog: Catalog, session: WebSessionView, action: Action) -> bool:
    """Whether one of the user's roles has ``action`` in the definitions' permissions: only
    whether a page shows the way or the form; the service decides when one is posted."""
    return bool(session.roles & catalog.permissions.get(action, frozenset()))


def fireable(catalog: Catalog, lifecycle: str, state: str, session: WebSessionView) -> set[str]:
    """The triggers of ``lifecycle`` from ``state`` that one of the user's roles may fire (only
    what a page shows; the service decides)."""
    return {
        t.trigger
        for t in catalog.lifecycle(lifecycle).transitions
        if state in t.sources and session.roles & t.roles
    }


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def form_of(request: Request) -> FormData:
    """The posted form, read from a plain ``def`` endpoint (Starlette's thread pool)."""
    cached: FormData | None = getattr(request.state, "form", None)
    if cached is None:

        async def read() -> FormData:
            return await request.form(
                max_files=0, max_fields=MAX_FIELDS, max_part_size=MAX_PART_SIZE
            )

        cached = anyio.from_thread.run(read)
        request.state.form = cached
    return cached


def current_session(request: Request) -> WebSessionView | None:
    web = web_of(request)
    session_id = request.cookies.get(SESSION_COOKIE, "")
    return web.service.accounts.session(session_id, body=web.settings.body) if session_id else None


def status_of(exc: WorkflowError) -> int:
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError | TransitionNotAllowed):
        return 409
    if isinstance(exc, InvalidInput):
        return 422
    return 400


def origin_refusal(request: Request) -> Response | None:
    """403 for an unsafe request that does not come from a page of this app."""
    web = web_of(request)
    if request.method in SAFE_METHODS or same_origin(request, web.settings.origins):
        return None
    message = _("This form did not come from a page of ratsweg; reload the page and try again.")
    return web.pages.error(request, 403, message, None)


Page = Callable[[Request, WebSessionView], Response]


def page(handler: Page) -> Callable[[Request], Response]:
    """A page for logged-in users: the checks, then ``handler(request, session)``; the
    service's refusals become German error pages."""

    @functools.wraps(handler)
    def endpoint(request: Request) -> Response:
        web = web_of(request)
        refused = origin_refusal(request)
        if refused is not None:
            return refused
        session = current_session(request)
        if session is None:
            return RedirectResponse(login_url(request), status_code=303)
        if request.method not in SAFE_METHODS:
            given = request.headers.get("x-csrf-token") or form_of(request).get("csrf_token")
            if not csrf_ok(session.csrf_token, str(given or "")):
                message = _("The form has expired or is not valid; reload the page and try again.")
                return web.pages.error(request, 403, message, session)
        try:
            return handler(request, session)
        except WorkflowError as exc:
            return web.pages.error(request, status_of(exc), str(exc), session)

    return endpoint


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/anmelden?next=" + quote(target, safe="/")


def local_path(target: str | None) -> str:
    """``target`` when it is a path of this app (``/vorlagen``), else the start page: a login
    never sends the browser elsewhere."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/vorlagen"
    if any(c in target for c in "\r\n\\") or "://" in target.split("?")[0]:
        return "/vorlagen"
    return target


def set_session_cookie(response: Response, request: Request, session_id: str, **kw: Any) -> None:
    web = web_of(request)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request, web.settings.secure_cookie),
        path="/",
        **kw,
    )
