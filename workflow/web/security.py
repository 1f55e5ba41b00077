"""Security of every response and every unsafe request: headers, the origin check and the
CSRF token."""

from __future__ import annotations

import hmac
from collections.abc import MutableMapping
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Only own scripts, styles, images and forms; no inline script, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = "ratsweg_session"


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: MutableMapping[str, Any] = message
                present = {name.lower() for name, _ in headers.get("headers", [])}
                extra = [(n, v) for n, v in HEADERS if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def same_origin(request: Request, origins: tuple[str, ...]) -> bool:
    """Whether an unsafe request comes from a page of this app: ``Sec-Fetch-Site`` (when the
    browser sends it) is ``same-origin`` and ``Origin`` (which must be there) is the app's
    own or one of the configured ``origins``."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return False
    own = f"{request.url.scheme}://{request.url.netloc}"
    return origin.rstrip("/") in {own, *origins}


def csrf_ok(expected: str, given: str | None) -> bool:
    """The session's CSRF token, compared in constant time."""
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


def cookie_secure(request: Request, configured: bool | None) -> bool:
    return request.url.scheme == "https" if configured is None else configured
