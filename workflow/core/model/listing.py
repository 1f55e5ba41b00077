"""What a list of papers asks for (``PaperQuery``) and what it returns (``PaperPage``).

``service.papers.list_papers(query, user=…)`` takes the query; the CLI's ``paper list`` and the
web app's Vorlagen list build it from their options. Every field is optional; the fields given
narrow the list together (AND).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from workflow.core.model.papers import PaperSummary

#: Papers per page: the default and the most one page holds.
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
#: The longest search text and the most words of it that are searched for.
MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 12
#: The largest offset (a page beyond the millionth paper lists nothing anyway).
MAX_OFFSET = 10_000_000
#: A list counts its matches exactly up to this many (or up to the end of the page asked
#: for, if that is further); beyond, it says "more than": counting every one of 100,000
#: papers that contain a common word costs more than the page itself.
COUNT_LIMIT = 10_000


class PaperSort(StrEnum):
    """What a list of papers is sorted by (ties: the paper created first comes first)."""

    DATE = "date"  # the paper's date
    NUMBER = "number"  # as text: numbers with padded counters (2011/007) in their order
    TITLE = "title"
    STATE = "state"  # the state's id, then the date
    TYPE = "type"  # the type's id, then the date
    OFFICE = "office"  # the writing office's id, then the date
    MODIFIED = "modified"  # the last change
    RELEVANCE = "relevance"  # how well the paper matches the search text (needs ``text``)


class SortDirection(StrEnum):
    ASCENDING = "asc"
    DESCENDING = "desc"


@dataclass(frozen=True, slots=True, kw_only=True)
class PaperQuery:
    """Which papers to list, in which order, and which page of them.

    - ``paper_type``, ``state``, ``office`` (the writing office, federführendes Amt) and
      ``organization`` (a Gremium of the paper's Beratungsfolge) are ids of the definitions.
    - ``year`` (the paper's date) or the period ``since``..``until`` (both days included).
    - ``mine``: papers the user created (including Ergänzungsvorlagen) and papers written by
      one of the user's offices.
    - ``waiting_for_me``: papers on which an action of the user is due now, by their roles:
      a clerk's drafts of their offices (to submit), an office head's open Mitzeichnung of
      one of their offices (to sign or object), the session office's released papers (to
      put on an agenda). Other roles (auditor, mayor, admin) have none waiting.
    - ``text``: words searched in the number, title and current text; every word must occur
      (see docs/search.md for how SQLite and PostgreSQL match them).
    - ``sort``: by default ``date``; ``relevance`` needs a search text. ``direction``: by
      default descending (newest, best match first) for dates and relevance, else ascending.
    - ``limit`` (1..``MAX_PAGE_SIZE``) papers from ``offset`` on.
    """

    paper_type: str | None = None
    state: str | None = None
    office: str | None = None
    organization: str | None = None
    year: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    mine: bool = False
    waiting_for_me: bool = False
    text: str | None = None
    sort: PaperSort | None = None
    direction: SortDirection | None = None
    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0

    @property
    def sort_key(self) -> PaperSort:
        """The sort in force: the one asked for, else the date (a search too: ranking every
        match by relevance costs more the more papers match, see docs/search.md)."""
        return self.sort or PaperSort.DATE

    @property
    def sort_direction(self) -> SortDirection:
        if self.direction is not None:
            return self.direction
        newest_first = {PaperSort.DATE, PaperSort.MODIFIED, PaperSort.RELEVANCE}
        if self.sort_key in newest_first:
            return SortDirection.DESCENDING
        return SortDirection.ASCENDING


@dataclass(frozen=True, slots=True, kw_only=True)
class PaperPage:
    """One page of a list of papers: ``items`` from ``offset`` on, of ``total`` that match;
    with ``total_exact`` False, more than ``total`` match (the count stopped there, see
    ``COUNT_LIMIT``)."""

    items: tuple[PaperSummary, ...]
    total: int
    limit: int
    offset: int
    total_exact: bool = True

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.total
