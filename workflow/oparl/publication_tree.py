"""The published tree of OParl objects (``Publication``): every object by path, the lists and
their pages, the files' contents; and the OParl date-times and text cuts the builders share.
``workflow.oparl.publication`` builds it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from workflow.core.clock import local

OPARL = "https://schema.oparl.org/1.1/"
DEFAULT_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class Content:
    """The bytes behind a File's ``accessUrl``: in memory (texts) or read on demand."""

    media_type: str
    read: Callable[[], bytes]


@dataclass(slots=True)
class Publication:
    """Every public object by path (relative to ``base``), the lists, the file contents."""

    base: str
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    contents: dict[str, Content] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"

    def pages(self, list_path: str, size: int) -> int:
        return max(1, math.ceil(len(self.lists[list_path]) / size))

    def page(
        self,
        list_path: str,
        number: int,
        size: int,
        modified_since: dt.datetime | None = None,
        query: str = "",
    ) -> dict[str, Any] | None:
        """One list page (``data``, ``pagination``, absolute ``links``), or None past the end.

        ``query`` (e.g. ``modified_since=...``) is kept on every link.
        """
        members = [self.objects[p] for p in self.lists[list_path]]
        if modified_since is None:  # a full list: only what exists; a sync also gets deletions
            members = [m for m in members if not m.get("deleted")]
        else:
            members = [
                m for m in members if dt.datetime.fromisoformat(m["modified"]) >= modified_since
            ]
        total = max(1, math.ceil(len(members) / size))
        if not 1 <= number <= total:
            return None
        suffix = f"?{query}" if query else ""

        def link(n: int) -> str:
            return self.url(list_path if n == 1 else f"{list_path}/page-{n}") + suffix

        links = {"first": link(1), "last": link(total)}
        if number > 1:
            links["prev"] = link(number - 1)
        if number < total:
            links["next"] = link(number + 1)
        return {
            "data": members[(number - 1) * size : number * size],
            "pagination": {
                "totalElements": len(members),
                "elementsPerPage": size,
                "currentPage": number,
                "totalPages": total,
            },
            "links": links,
        }

    def list_page_of(self, path: str) -> tuple[str, int] | None:
        """(list path, page number) when ``path`` names a list page."""
        if path in self.lists:
            return path, 1
        head, _, tail = path.rpartition("/")
        match = re.fullmatch(r"page-([1-9][0-9]*)", tail)
        if head in self.lists and match and int(match.group(1)) > 1:
            return head, int(match.group(1))
        return None


def stamp(instant: dt.datetime) -> str:
    """An OParl date-time: Europe/Berlin with its offset, whole seconds."""
    return local(instant).replace(microsecond=0).isoformat()


def latest(*stamps: str) -> str:
    """The latest of OParl date-times (compared as instants, not as strings)."""
    return max(stamps, key=dt.datetime.fromisoformat)


def clip(text: str | None, limit: int) -> str | None:
    """``text`` cut to ``limit`` characters, the cut marked with "…"."""
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def walk(publication: Publication, page_size: int) -> Iterator[tuple[str, Any]]:
    """(path, object or list page) for everything a static tree holds."""
    yield from publication.objects.items()
    for list_path in publication.lists:
        for number in range(1, publication.pages(list_path, page_size) + 1):
            page = publication.page(list_path, number, page_size)
            yield (list_path if number == 1 else f"{list_path}/page-{number}"), page
