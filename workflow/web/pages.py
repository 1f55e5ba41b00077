"""Rendering: the Jinja2 environment (autoescape on, the German catalogue), static files with
content hashes in their URLs, and the error page."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from workflow.core.clock import local
from workflow.core.i18n import N_, _, day_text, ngettext
from workflow.core.labels import state_text
from workflow.core.model import Role, WebSessionView
from workflow.core.model.audit import action_text

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
#: A year: a static file's URL changes with its content.
STATIC_MAX_AGE = 365 * 24 * 3600


def static_hashes() -> dict[str, str]:
    """relative path -> the first 12 hex digits of the SHA-256 of its content."""
    return {
        path.relative_to(STATIC).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(STATIC.rglob("*"))
        if path.is_file()
    }


#: The main navigation: path, label, and the roles that see the entry (empty: everyone). It only
#: shows the way; each page's service calls decide what a user may read and do.
NAV: tuple[tuple[str, str, frozenset[Role]], ...] = (
    ("/vorlagen", N_("Papers"), frozenset()),
    ("/mitzeichnung", N_("Co-signing"), frozenset({Role.OFFICE_HEAD, Role.ADMIN})),
    ("/fristen", N_("Deadlines"), frozenset()),
    ("/sitzungen", N_("Meetings"), frozenset()),
    ("/pruefung", N_("Audit"), frozenset({Role.AUDITOR, Role.ADMIN, Role.SESSION_OFFICE})),
)


def nav_of(session: WebSessionView | None) -> list[tuple[str, str]]:
    if session is None:
        return []
    return [(href, _(label)) for href, label, roles in NAV if not roles or session.roles & roles]


class Pages:
    """The templates and static files of the app."""

    def __init__(self) -> None:
        self.hashes = static_hashes()
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(_=_, ngettext=ngettext, static=self.static_url)
        self.env.filters.update(
            day=_day, moment=moment, action=action_text, state=state_text, thousands=_thousands
        )

    def static_url(self, path: str) -> str:
        return f"/static/{self.hashes[path]}/{path}"

    def render(
        self,
        request: Request,
        template: str,
        session: WebSessionView | None,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        page = self.env.get_template(template).render(
            request=request,
            session=session,
            path=request.url.path,
            nav=nav_of(session),
            **context,
        )
        return HTMLResponse(page, status_code=status)

    def error(
        self, request: Request, status: int, message: str, session: WebSessionView | None
    ) -> HTMLResponse:
        return self.render(
            request, "error.html", session, status, message=message, title=_(ERROR_TITLES[status])
        )

    def static_file(self, digest: str, path: str) -> Response:
        """A static file under its current hash (an old or unknown one: 404)."""
        if self.hashes.get(path) != digest:
            return Response(status_code=404)
        media = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if media.startswith("text/") or media.endswith("javascript"):
            media += "; charset=utf-8"
        headers = {"cache-control": f"public, max-age={STATIC_MAX_AGE}, immutable"}
        return Response((STATIC / path).read_bytes(), media_type=media, headers=headers)


#: The German headings of error pages, by status.
ERROR_TITLES: Mapping[int, str] = {
    400: N_("Bad request"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    409: N_("Not possible now"),
    422: N_("Invalid input"),
    500: N_("Error"),
    503: N_("Not available now"),
}


def _thousands(value: int) -> str:
    """``12.345``: German digit grouping."""
    return f"{value:,}".replace(",", ".")


def _day(value: Any) -> str:
    return day_text(value) if value else ""


def moment(value: Any) -> str:
    """An instant in Europe/Berlin: ``Di 13.12.2011 17:00``."""
    if not value:
        return ""
    at = local(value)
    return f"{day_text(at.date())} {at:%H:%M}"
