"""The query behind a list of papers: filters, the full-text search, sort and one page.

The service resolves who "mine" and "waiting for me" mean (``Mine``, ``Waiting``) and checks
every value; this module turns them into one SELECT for the page and one COUNT for the total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session

from storage.schema import AuditEvent, Consultation, CoSignature, Paper
from storage.search import matches, matching_ids
from workflow.core.model import AuditAction, CoSignatureState, PaperQuery, PaperSort, SortDirection


@dataclass(frozen=True, slots=True)
class Mine:
    """Papers ``user`` created, and papers written by one of ``offices``."""

    user: str
    offices: frozenset[str]


@dataclass(frozen=True, slots=True)
class Waiting:
    """Papers on which an action of the user is due: drafts (``draft_state``) of
    ``draft_offices``, open co-signatures of ``co_sign_offices`` on papers in
    ``co_sign_state``, and papers in ``released_state`` (None: not the user's)."""

    draft_state: str
    draft_offices: frozenset[str]
    co_sign_state: str
    co_sign_offices: frozenset[str]
    released_state: str | None


@dataclass(frozen=True, slots=True)
class Filters:
    """A checked ``PaperQuery`` with its search words and whom "mine" and "waiting" mean."""

    query: PaperQuery
    words: Sequence[str] = ()
    mine: Mine | None = None
    waiting: Waiting | None = None


def list_papers(
    session: Session, body_id: str, filters: Filters, count_limit: int
) -> tuple[Sequence[Paper], int]:
    """One page of the body's papers that pass ``filters``, and how many pass, counted up to
    ``count_limit`` (the count stops there).

    The search ranks the matches only when the page is sorted by relevance; otherwise it is
    a filter on the index like the others.
    """
    query, words = filters.query, list(filters.words)
    dialect = session.get_bind().dialect.name
    # SQLite: ``id + 0`` keeps the planner from driving the page by a set of ids (the
    # search's, "mine") and sorting all of them; it walks the order's index instead and
    # checks each paper against the set, stopping at the end of the page
    probe = Paper.id + 0 if dialect == "sqlite" else Paper.id
    conditions = [Paper.body_id == body_id, *_conditions(filters, probe)]
    page = select(Paper).where(*conditions)
    counted = select(Paper.id).where(*conditions)
    rank = None
    if words and query.sort_key is PaperSort.RELEVANCE:
        found = matches(dialect, words)
        page = page.join(found, found.c.paper_id == Paper.id)
        counted = counted.join(found, found.c.paper_id == Paper.id)
        rank = found.c.rank
    elif words:
        page = page.where(probe.in_(matching_ids(dialect, words)))
        counted = counted.where(Paper.id.in_(matching_ids(dialect, words)))
    bounded = select(func.count()).select_from(counted.limit(count_limit).subquery())
    total = session.scalar(bounded)
    page = _ordered(page, query, rank).limit(query.limit).offset(query.offset)
    return session.scalars(page).all(), int(total or 0)


def _conditions(filters: Filters, probe: Any) -> list[ColumnElement[bool]]:
    query, found = filters.query, []
    for column, value in (
        (Paper.paper_type, query.paper_type),
        (Paper.state, query.state),
        (Paper.office_id, query.office),
    ):
        if value is not None:
            found.append(column == value)
    if query.organization is not None:
        found.append(
            exists().where(
                Consultation.paper_id == Paper.id,
                Consultation.organization_id == query.organization,
            )
        )
    found.extend(_period(query))
    if filters.mine is not None:
        found.append(_mine(filters.mine, probe))
    if filters.waiting is not None:
        found.append(_waiting(filters.waiting))
    return found


def _period(query: PaperQuery) -> list[ColumnElement[bool]]:
    found = []
    if query.year is not None:
        found += [
            Paper.date >= dt.date(query.year, 1, 1),
            Paper.date <= dt.date(query.year, 12, 31),
        ]
    if query.since is not None:
        found.append(Paper.date >= query.since)
    if query.until is not None:
        found.append(Paper.date <= query.until)
    return found


def _mine(mine: Mine, probe: Any) -> ColumnElement[bool]:
    created = select(AuditEvent.paper_id).where(
        AuditEvent.actor == mine.user, AuditEvent.action == AuditAction.PAPER_CREATED.value
    )
    return or_(probe.in_(created), Paper.office_id.in_(sorted(mine.offices)))


def _waiting(waiting: Waiting) -> ColumnElement[bool]:
    due: list[ColumnElement[bool]] = []
    if waiting.draft_offices:
        due.append(
            and_(
                Paper.state == waiting.draft_state,
                Paper.office_id.in_(sorted(waiting.draft_offices)),
            )
        )
    if waiting.co_sign_offices:
        open_signature = exists().where(
            CoSignature.paper_id == Paper.id,
            CoSignature.state == CoSignatureState.PENDING.value,
            CoSignature.office_id.in_(sorted(waiting.co_sign_offices)),
        )
        due.append(and_(Paper.state == waiting.co_sign_state, open_signature))
    if waiting.released_state is not None:
        due.append(Paper.state == waiting.released_state)
    return or_(*due) if due else false()


#: each order is one of the paper indexes (body_id first), so that a page needs no sort
_SORT_COLUMNS: dict[PaperSort, Any] = {
    PaperSort.DATE: (Paper.date,),
    PaperSort.NUMBER: (Paper.number,),  # as text: padded numbers (2011/007) in their order
    PaperSort.TITLE: (Paper.title,),
    PaperSort.STATE: (Paper.state, Paper.date),
    PaperSort.TYPE: (Paper.paper_type, Paper.date),
    PaperSort.OFFICE: (Paper.office_id, Paper.date),
    PaperSort.MODIFIED: (Paper.modified_at,),
}


def _ordered(base: Select[Any], query: PaperQuery, rank: Any) -> Select[Any]:
    """``base`` in the query's order; ties by id (the paper created first first, or last when
    descending), so that pages neither repeat nor skip a paper."""
    descending = query.sort_direction is SortDirection.DESCENDING
    if query.sort_key is PaperSort.RELEVANCE:
        # smaller ranks match better: "descending" relevance is the best match first
        keys = (rank if descending else rank.desc(), Paper.id.desc())
        return base.order_by(*keys)
    columns = (*_SORT_COLUMNS[query.sort_key], Paper.id)
    return base.order_by(*(c.desc() if descending else c for c in columns))
