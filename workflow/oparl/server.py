"""Serve the public record read-only over HTTP (``ratsweg oparl serve``).

The same builder as the static export (``workflow.oparl.publication``), run for each request
against the database, so the answer is always current. Ids use the scheme, host and port the
client asked for (its ``Host`` header), unless a fixed public base URL is configured (behind a
reverse proxy). Every list accepts ``modified_since`` (ISO date-time with offset) and keeps it
in its links.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, urlencode, urlsplit

from workflow.core.errors import InvalidInput, WorkflowError
from workflow.core.i18n import _
from workflow.core.inputs import is_media_type
from workflow.oparl.export import dump
from workflow.oparl.publication import build_publication

if TYPE_CHECKING:
    from workflow.uow import Shared

log = logging.getLogger(__name__)


def make_server(
    shared: Shared,
    host: str,
    port: int,
    *,
    page_size: int,
    base_url: str | None = None,
) -> ThreadingHTTPServer:
    """A server bound to ``host:port`` (0: any free port); call ``serve_forever()`` on it.

    :raises InvalidInput: the address cannot be used.
    """
    fixed = urlsplit(base_url) if base_url else None

    class Handler(OParlHandler):
        pass

    Handler.shared, Handler.page_size, Handler.fixed_base = shared, page_size, base_url
    Handler.prefix = fixed.path.rstrip("/") if fixed else ""
    try:
        server = ThreadingHTTPServer((host, port), Handler)
    except OSError as exc:
        raise InvalidInput(
            _("cannot listen on {host}:{port}: {reason}; choose another --port").format(
                host=host, port=port, reason=exc.strerror or exc
            )
        ) from None
    server.daemon_threads = True
    return server


class OParlHandler(BaseHTTPRequestHandler):
    shared: Shared
    page_size: int
    fixed_base: str | None
    prefix: str
    server_version = "ratsweg-oparl"

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s " + format, self.address_string(), *args)

    def _base(self) -> str:
        if self.fixed_base:
            return self.fixed_base
        address = cast("tuple[str, int]", self.server.server_address)
        return f"http://{self.headers.get('Host') or f'{address[0]}:{address[1]}'}"

    def _answer(self, *, with_body: bool) -> None:
        parts = urlsplit(self.path)
        if not parts.path.startswith(self.prefix + "/"):
            return self._error(HTTPStatus.NOT_FOUND, _("nothing at {path}").format(path=parts.path))
        path = parts.path[len(self.prefix) + 1 :].strip("/")
        base = self._base()
        if path == "":
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", f"{base}/system")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        try:
            publication = build_publication(self.shared, base)
        except WorkflowError as exc:
            return self._error(HTTPStatus.SERVICE_UNAVAILABLE, str(exc))
        if path in publication.objects:
            return self._send(dump(publication.objects[path]), "application/json", with_body)
        if path in publication.contents:
            content = publication.contents[path]
            return self._send(content.read(), content.media_type, with_body)
        listed = publication.list_page_of(path)
        if listed is None:
            return self._error(HTTPStatus.NOT_FOUND, _("nothing at {path}").format(path=parts.path))
        try:
            since, query = _modified_since(parts.query)
        except ValueError as exc:
            return self._error(HTTPStatus.BAD_REQUEST, str(exc))
        page = publication.page(*listed, self.page_size, since, query)
        if page is None:
            return self._error(
                HTTPStatus.NOT_FOUND, _("{path} is past the last page").format(path=parts.path)
            )
        return self._send(dump(page), "application/json", with_body)

    def _send(self, data: bytes, media_type: str, with_body: bool) -> None:
        self.send_response(HTTPStatus.OK)
        if not is_media_type(media_type):  # stored before it was checked, or written around it
            media_type = "application/octet-stream"
        if media_type == "application/json":
            media_type += "; charset=utf-8"
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def _error(self, status: HTTPStatus, message: str) -> None:
        data = json.dumps({"error": status.phrase, "message": message}).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def _modified_since(query: str) -> tuple[dt.datetime | None, str]:
    """The ``modified_since`` filter and the query string the list's links keep."""
    values = parse_qs(query).get("modified_since")
    if not values:
        return None, ""
    try:
        since = dt.datetime.fromisoformat(values[0])
    except ValueError:
        since = None
    if since is None or since.tzinfo is None:
        raise ValueError(
            _(
                "modified_since={value!r} is not a date-time with offset, e.g. "
                "2025-01-01T00:00:00+00:00 (encode + as %2B)"
            ).format(value=values[0])
        )
    return since, urlencode({"modified_since": values[0]})
