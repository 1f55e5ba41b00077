"""Reading OParl 1.0 and 1.1 data: a folder of JSON files, one file, or a live endpoint.

``read_source`` collects every object it finds, by type, and never stops at the first
problem: a file that is no JSON, an object without ``id`` or ``type``, or a list page that
cannot be fetched is noted in ``Source.problems`` (one line each, naming the file or URL) and
the rest is read. Deleted objects (``deleted: true``, also the stubs without ``type`` that
SD.NET emits) are counted and skipped. Keys with a vendor prefix (``STERNBERG:...``) are
counted in ``Source.vendor_keys``; the import ignores them.

A source that mixes OParl versions (``https://schema.oparl.org/1.0/`` and ``.../1.1/`` type
URLs) is refused as a whole: its objects cannot come from one system.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.core.errors import InvalidInput

_TYPE = re.compile(r"^https?://schema\.oparl\.org/(1\.[01])/([A-Za-z]+)$")
#: Object types whose lists an endpoint's Body links to, in the order they are read.
_BODY_LISTS = ("organization", "meeting", "paper")
#: Objects that other objects embed and that are collected from their parents too.
_EMBEDDED = {"agendaItem": "AgendaItem", "consultation": "Consultation"}
MAX_PAGES = 100_000  # a guard against a server whose links.next never ends
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
                self.problems.append(f"{where}: 'data' of a list page must be a list")
                return
            for index, item in enumerate(items):
                self._add_object(item, f"{where} data[{index}]", where)
        elif isinstance(data, dict):
            self._add_object(data, where, where)
        else:
            self.problems.append(f"{where}: expected an OParl object or list page, got JSON text")

    def _add_object(self, item: Any, where: str, origin: str) -> None:
        if not isinstance(item, dict):
            self.problems.append(f"{where}: expected an object, got {type(item).__name__}")
            return
        object_id = item.get("id")
        if item.get("deleted") is True:
            self.deleted += 1
            return
        if not isinstance(object_id, str) or not object_id:
            self.problems.append(f"{where}: an object without 'id' (every OParl object needs one)")
            return
        match = _TYPE.match(item.get("type", "")) if isinstance(item.get("type"), str) else None
        if match is None:
            given = item.get("type")
            self.problems.append(
                f"{object_id}: 'type' must be an OParl type URL such as "
                f"https://schema.oparl.org/1.1/Paper, got {given!r}"
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


def read_source(location: str, fetch: Fetch | None = None) -> Source:
    """Read a folder of JSON files, one JSON file, or an http(s) URL (followed page by page).

    :raises InvalidInput: the location does not exist, or the data mixes OParl versions.
    """
    if location.startswith(("http://", "https://")):
        source = Source(location=location, fetch=fetch or _urlopen)
        _read_endpoint(source, location)
    else:
        path = Path(location)
        if not path.exists():
            raise InvalidInput(
                f"{location!r} does not exist; pass a folder of OParl JSON files, one JSON "
                "file or an http(s) URL"
            )
        source = Source(location=location)
        files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
        if not files:
            raise InvalidInput(f"{location!r} holds no *.json files")
        for file in files:
            _read_file(source, file)
    if len(source.versions) > 1:
        where = "; ".join(f"OParl {v} in {w}" for v, w in sorted(source.versions.items()))
        raise InvalidInput(
            f"the source mixes OParl versions ({where}); one system speaks one version, so "
            "import each version's data separately"
        )
    return source


def _read_file(source: Source, file: Path) -> None:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        source.problems.append(f"{file}: not UTF-8 text; OParl data is UTF-8 JSON")
        return
    except json.JSONDecodeError as exc:
        source.problems.append(f"{file}: broken JSON at line {exc.lineno}: {exc.msg}")
        return
    except OSError as exc:
        source.problems.append(f"{file}: cannot be read ({exc.strerror or exc})")
        return
    source.add(data, str(file))


def _urlopen(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        body: bytes = response.read()
        return body


def _fetch_json(source: Source, url: str) -> Any:
    assert source.fetch is not None
    try:
        return json.loads(source.fetch(url))
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        source.problems.append(f"{url}: could not be fetched ({reason})")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        source.problems.append(f"{url}: the answer is no JSON ({exc})")
    return None


def _read_endpoint(source: Source, url: str) -> None:
    """Start anywhere: a System, a Body, or a list page; follow bodies' lists page by page."""
    data = _fetch_json(source, url)
    if data is None:
        raise InvalidInput(f"{url!r} gives no OParl data: {source.problems[-1].split(': ', 1)[1]}")
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
    while url and url not in seen and len(seen) < MAX_PAGES:
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
