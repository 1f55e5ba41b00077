"""Reading OParl 1.0 and 1.1 data: a folder of JSON files, one file, or a live endpoint.

``read_source`` collects every object it finds, by type, and never stops at the first
problem: a file that is no JSON, an object without ``id`` or ``type``, or a list page that
cannot be fetched is noted in ``Source.problems`` (one line each, naming the file or URL) and
the rest is read. Deleted objects (``deleted: true``, also the stubs without ``type`` that
SD.NET emits) are counted and skipped. Keys with a vendor prefix (``STERNBERG:...``) are
counted in ``Source.vendor_keys``; the import ignores them.

A live endpoint is read on its own host only: a link to another host (or another port) is
noted as a problem and not fetched unless ``allow_hosts`` names that host, and nothing but
http(s) is ever fetched (no ``file:``, no ``ftp:``, also not by a redirect). Each fetch ends
within ``RATSWEG_FETCH_SECONDS`` (default 60) as a whole, however slowly the server sends, and
reads at most ``RATSWEG_MAX_FILE_BYTES``; a list is read up to ``RATSWEG_MAX_PAGES`` pages
(default 100,000) and a problem says where it was cut.

A source that mixes OParl versions (``https://schema.oparl.org/1.0/`` and ``.../1.1/`` type
URLs) is refused as a whole: its objects cannot come from one system.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from workflow.core.errors import InvalidInput
from workflow.core.i18n import _
from workflow.core.inputs import (
    env_int,
    env_seconds,
    loads_json,
    max_file_bytes,
    read_file_bytes,
)

_TYPE = re.compile(r"^https?://schema\.oparl\.org/(1\.[01])/([A-Za-z]+)$")
#: Object types whose lists an endpoint's Body links to, in the order they are read.
_BODY_LISTS = ("organization", "meeting", "paper")
#: Objects that other objects embed and that are collected from their parents too.
_EMBEDDED = {"agendaItem": "AgendaItem", "consultation": "Consultation"}
MAX_PAGES = 100_000  # default of RATSWEG_MAX_PAGES: against a links.next that never ends
FETCH_SECONDS = 60.0  # default of RATSWEG_FETCH_SECONDS: the longest one fetch may take
_DEFAULT_PORTS = {"http": 80, "https": 443}
Fetch = Callable[[str], bytes]


@dataclass(slots=True)
class Source:
    """Everything read from one source, by OParl type and id."""

    location: str
    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # object id -> file or URL read from
    versions: dict[str, str] = field(default_factory=dict)  # version -> first file or URL
    problems: list[str] = field(default_factory=list)
    deleted: int = 0
    vendor_keys: Counter[str] = field(default_factory=Counter)
    fetch: Fetch | None = None  # set for a live endpoint: objects not in a list are fetched
    allow_hosts: frozenset[str] = frozenset()  # hosts besides the source's own to follow

    @property
    def version(self) -> str | None:
        return next(iter(self.versions), None)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return list(self.objects.get(kind, {}).values())

    def get(self, kind: str, object_id: str) -> dict[str, Any] | None:
        """An object by id; from a live endpoint, one not in any list is fetched."""
        found = self.objects.get(kind, {}).get(object_id)
        if found is None and self.fetch is not None and object_id.startswith("http"):
            data = _fetch_json(self, object_id)
            if isinstance(data, dict):
                self.add(data, object_id)
                found = self.objects.get(kind, {}).get(object_id)
        return found

    def add(self, data: Any, where: str) -> None:
        """Collect one JSON document: an object, a list page (``data``) or a plain array."""
        if isinstance(data, list):
            for index, item in enumerate(data):
                self._add_object(item, f"{where}[{index}]", where)
        elif isinstance(data, dict) and "data" in data and "type" not in data:
            items = data["data"]
            if not isinstance(items, list):
                self.problems.append(
                    _("{where}: 'data' of a list page must be a list").format(where=where)
                )
                return
            for index, item in enumerate(items):
                self._add_object(item, f"{where} data[{index}]", where)
        elif isinstance(data, dict):
            self._add_object(data, where, where)
        else:
            self.problems.append(
                _("{where}: expected an OParl object or list page, got JSON text").format(
                    where=where
                )
            )

    def _add_object(self, item: Any, where: str, origin: str) -> None:
        if not isinstance(item, dict):
            self.problems.append(
                _("{where}: expected an object, got {kind}").format(
                    where=where, kind=type(item).__name__
                )
            )
            return
        object_id = item.get("id")
        if item.get("deleted") is True:
            self.deleted += 1
            return
        if not isinstance(object_id, str) or not object_id:
            self.problems.append(
                _("{where}: an object without 'id' (every OParl object needs one)").format(
                    where=where
                )
            )
            return
        match = _TYPE.match(item.get("type", "")) if isinstance(item.get("type"), str) else None
        if match is None:
            given = item.get("type")
            self.problems.append(
                _(
                    "{object_id}: 'type' must be an OParl type URL such as "
                    "https://schema.oparl.org/1.1/Paper, got {given!r}"
                ).format(object_id=object_id, given=given)
            )
            return
        version, kind = match.groups()
        self.versions.setdefault(version, origin)
        self.vendor_keys.update(k for k in item if ":" in k)
        self.objects.setdefault(kind, {})[object_id] = item
        self.origin.setdefault(object_id, origin)
        for key, embedded_kind in _EMBEDDED.items():
            children = item.get(key)
            if isinstance(children, list):
                for child in children:
                    if isinstance(child, dict) and isinstance(child.get("id"), str):
                        self.objects.setdefault(embedded_kind, {}).setdefault(child["id"], child)
                        self.origin.setdefault(child["id"], origin)


def read_source(
    location: str, fetch: Fetch | None = None, *, allow_hosts: Iterable[str] = ()
) -> Source:
    """Read a folder of JSON files, one JSON file, or an http(s) URL (followed page by page;
    links to hosts other than the URL's are followed only to ``allow_hosts``).

    :raises InvalidInput: the location does not exist, or the data mixes OParl versions.
    """
    if location.startswith(("http://", "https://")):
        source = Source(location=location, allow_hosts=frozenset(h.lower() for h in allow_hosts))
        source.fetch = fetch or (lambda url: _urlopen(url, lambda to: refusal(source, to)))
        _read_endpoint(source, location)
    else:
        path = Path(location)
        if not path.exists():
            raise InvalidInput(
                _(
                    "{location!r} does not exist; pass a folder of OParl JSON files, one "
                    "JSON file or an http(s) URL"
                ).format(location=location)
            )
        source = Source(location=location)
        files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
        if not files:
            raise InvalidInput(_("{location!r} holds no *.json files").format(location=location))
        for file in files:
            _read_file(source, file)
    if len(source.versions) > 1:
        where = "; ".join(
            _("OParl {v} in {w}").format(v=v, w=w) for v, w in sorted(source.versions.items())
        )
        raise InvalidInput(
            _(
                "the source mixes OParl versions ({where}); one system speaks one "
                "version, so import each version's data separately"
            ).format(where=where)
        )
    return source


def _read_file(source: Source, file: Path) -> None:
    try:
        data = loads_json(read_file_bytes(file))
    except InvalidInput as exc:
        source.problems.append(str(exc))
        return
    except UnicodeDecodeError:
        source.problems.append(
            _("{file}: not UTF-8 text; OParl data is UTF-8 JSON").format(file=file)
        )
        return
    except json.JSONDecodeError as exc:
        source.problems.append(
            _("{file}: broken JSON at line {lineno}: {msg}").format(
                file=file, lineno=exc.lineno, msg=exc.msg
            )
        )
        return
    except OSError as exc:
        source.problems.append(
            _("{file}: cannot be read ({reason})").format(file=file, reason=exc.strerror or exc)
        )
        return
    source.add(data, str(file))


def _host(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, else ``None``."""
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    except ValueError:
        return None
    return (scheme, host, port) if scheme in _DEFAULT_PORTS and host else None


def refusal(source: Source, url: str) -> str | None:
    """Why ``url`` is not fetched for ``source``, or ``None`` when it may be."""
    target, home = _host(url), _host(source.location)
    if target is None:
        return _("only http(s) URLs are fetched")
    if home is None:
        return _("the source is no http(s) URL")
    (_scheme, host, port), (_scheme2, home_host, home_port) = target, home
    default = port in _DEFAULT_PORTS.values() and home_port in _DEFAULT_PORTS.values()
    if host == home_host and (port == home_port or default):
        return None
    if host in source.allow_hosts or f"{host}:{port}" in source.allow_hosts:
        return None
    return _(
        "{host}:{port} is not the source's host {home_host}:{home_port}; pass "
        "--allow-host {host}:{port} to follow it"
    ).format(host=host, port=port, home_host=home_host, home_port=home_port)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only where a link may lead (same host or allowed, http(s) only)."""

    def __init__(self, check: Callable[[str], str | None]) -> None:
        self.check = check

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        refused = self.check(newurl)
        if refused is not None:
            raise urllib.error.URLError(
                _("redirected to {newurl}: {refused}").format(newurl=newurl, refused=refused)
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _urlopen(url: str, check: Callable[[str], str | None]) -> bytes:
    """The body of ``url``, within RATSWEG_FETCH_SECONDS in all and RATSWEG_MAX_FILE_BYTES."""
    seconds = env_seconds("RATSWEG_FETCH_SECONDS", FETCH_SECONDS)
    deadline = time.monotonic() + seconds
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    opener = urllib.request.build_opener(_Redirects(check))
    try:
        with opener.open(request, timeout=seconds) as response:
            return _read_all(response, deadline)
    except TimeoutError:
        raise TimeoutError(
            _("no complete answer within {seconds:g} s (RATSWEG_FETCH_SECONDS)").format(
                seconds=seconds
            )
        ) from None


def _read_all(response: Any, deadline: float) -> bytes:
    limit, received = max_file_bytes(), 0
    parts: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        _limit_wait(response, left)
        chunk = response.read1(64 * 1024)
        if not chunk:
            return b"".join(parts)
        received += len(chunk)
        if received > limit:
            raise OSError(
                _("the answer is larger than {limit} bytes (RATSWEG_MAX_FILE_BYTES)").format(
                    limit=limit
                )
            )
        parts.append(chunk)


def _limit_wait(response: Any, seconds: float) -> None:
    """Let the next read of ``response`` wait at most ``seconds`` (the rest of the deadline)."""
    sock = getattr(getattr(response.fp, "raw", None), "_sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.001))


def _fetch_json(source: Source, url: str) -> Any:
    assert source.fetch is not None
    refused = refusal(source, url) if source.location.startswith("http") else None
    if refused is not None:
        source.problems.append(_("{url}: not fetched: {refused}").format(url=url, refused=refused))
        return None
    try:
        return loads_json(source.fetch(url))
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        source.problems.append(
            _("{url}: could not be fetched ({reason})").format(url=url, reason=reason)
        )
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        source.problems.append(_("{url}: the answer is no JSON ({exc})").format(url=url, exc=exc))
    return None


def _read_endpoint(source: Source, url: str) -> None:
    """Start anywhere: a System, a Body, or a list page; follow bodies' lists page by page."""
    data = _fetch_json(source, url)
    if data is None:
        raise InvalidInput(
            _("{url!r} gives no OParl data: {problem}").format(
                url=url, problem=source.problems[-1].split(": ", 1)[1]
            )
        )
    kind = data.get("type", "") if isinstance(data, dict) else ""
    if isinstance(kind, str) and kind.endswith("/System"):
        source.add(data, url)
        body_list = data.get("body")
        if isinstance(body_list, str):
            for page_url, page in _pages(source, body_list):
                source.add(page, page_url)
    elif isinstance(kind, str) and kind.endswith("/Body"):
        source.add(data, url)
    else:
        source.add(data, url)
        next_url = _next(data)
        if next_url:
            for page_url, page in _pages(source, next_url):
                source.add(page, page_url)
        return
    for body in source.of_type("Body"):
        for key in _BODY_LISTS:
            list_url = body.get(key)
            if isinstance(list_url, str):
                for page_url, page in _pages(source, list_url):
                    source.add(page, page_url)


def _pages(source: Source, url: str | None) -> Iterator[tuple[str, Any]]:
    seen: set[str] = set()
    first, most = url, env_int("RATSWEG_MAX_PAGES", MAX_PAGES)
    while url and url not in seen:
        if len(seen) >= most:
            source.problems.append(
                _(
                    "{first}: the list was cut after {most} pages (RATSWEG_MAX_PAGES); {url} "
                    "and the pages after it were not read"
                ).format(first=first, most=most, url=url)
            )
            return
        seen.add(url)
        page = _fetch_json(source, url)
        if page is None:
            return
        yield url, page
        url = _next(page)


def _next(page: Any) -> str | None:
    links = page.get("links") if isinstance(page, dict) else None
    nxt = links.get("next") if isinstance(links, dict) else None
    return nxt if isinstance(nxt, str) and nxt else None
