"""Lists of papers: the query checked against the definitions, "mine" and "waiting for me"
resolved from the reader's roles and offices, one page read."""

from __future__ import annotations

from storage import paper_list
from storage.paper_list import Filters, Mine, Waiting
from storage.search import search_words
from workflow.core.catalog import Catalog
from workflow.core.errors import InvalidInput, NotFoundError, did_you_mean
from workflow.core.i18n import _
from workflow.core.inputs import check_line
from workflow.core.model import (
    MAX_PAGE_SIZE,
    MAX_SEARCH_LENGTH,
    Actor,
    PaperPage,
    PaperQuery,
    PaperSort,
    Role,
)
from workflow.core.model.listing import COUNT_LIMIT, MAX_OFFSET
from workflow.papers.views import paper_summary
from workflow.uow import UnitOfWork

#: the lifecycle states "waiting for me" looks at (the standard lifecycle's)
CO_SIGNING, RELEASED = "co_signing", "released"


def list_papers(uow: UnitOfWork, query: PaperQuery) -> PaperPage:
    """One page of the papers ``query`` asks for, as ``uow``'s reader may read them.

    :raises InvalidInput: a bound is exceeded, or "mine" or "waiting for me" without a user.
    :raises NotFoundError: an unknown paper type, office, organization, or a state neither
        the definitions know nor any paper is in.
    """
    catalog = uow.catalog()
    words = _check(catalog, query)
    actor = uow.actor() if query.mine or query.waiting_for_me else None
    filters = Filters(
        query=query,
        words=words,
        mine=_mine(actor) if actor and query.mine else None,
        waiting=_waiting(catalog, actor) if actor and query.waiting_for_me else None,
    )
    most = max(COUNT_LIMIT, query.offset + query.limit)
    rows, counted = paper_list.list_papers(uow.session, uow.body().id, filters, most + 1)
    if query.state is not None and counted == 0:
        _check_state(catalog, query.state)
    return PaperPage(
        items=tuple(paper_summary(p, catalog) for p in rows),
        total=min(counted, most),
        limit=query.limit,
        offset=query.offset,
        total_exact=counted <= most,
    )


def _check(catalog: Catalog, query: PaperQuery) -> list[str]:
    """The query's ids exist and its numbers are in bounds; the words searched for."""
    if query.paper_type is not None:
        catalog.paper_type(query.paper_type)
    if query.office is not None:
        catalog.office(query.office)
    if query.organization is not None:
        catalog.body_organization(query.organization)
    _check_page(query)
    if query.year is not None and not 1 <= query.year <= 9999:
        raise InvalidInput(_("year {year} is out of range").format(year=query.year))
    if query.since and query.until and query.since > query.until:
        raise InvalidInput(_("the period ends before it starts"), field="until")
    words = _words(query.text)
    if query.sort_key is PaperSort.RELEVANCE and not words:
        raise InvalidInput(_("sorting by relevance needs a search text"), field="text")
    return words


def _check_page(query: PaperQuery) -> None:
    if not 1 <= query.limit <= MAX_PAGE_SIZE:
        raise InvalidInput(
            _("a page holds 1 to {most} papers, not {limit}").format(
                most=MAX_PAGE_SIZE, limit=query.limit
            ),
            field="limit",
        )
    if not 0 <= query.offset <= MAX_OFFSET:
        raise InvalidInput(
            _("the offset must be 0 to {most}, not {offset}").format(
                most=MAX_OFFSET, offset=query.offset
            )
        )


def _words(text: str | None) -> list[str]:
    """The search text's words; none for no text or white space only."""
    if text is None or not text.strip():
        return []
    check_line(text, _("search text"))
    if len(text) > MAX_SEARCH_LENGTH:
        raise InvalidInput(
            _("the search text has {length} characters, at most {most} are searched").format(
                length=len(text), most=MAX_SEARCH_LENGTH
            )
        )
    words = search_words(text)
    if not words:
        raise InvalidInput(
            _("the search text {text!r} has no word to search for").format(text=text)
        )
    return words


def _check_state(catalog: Catalog, state: str) -> None:
    """``state`` is a state of the paper lifecycle (a state of earlier definitions that no
    paper is in any more is refused too)."""
    known = [s.id for s in catalog.lifecycle("paper").states]
    if state not in known:
        hint = did_you_mean(state, known) or _(" (known: {known})").format(known=", ".join(known))
        raise NotFoundError(_("no paper state {state!r}{hint}").format(state=state, hint=hint))


def _mine(actor: Actor) -> Mine:
    return Mine(user=actor.user_id, offices=frozenset(actor.offices))


def _waiting(catalog: Catalog, actor: Actor) -> Waiting:
    """What is due from ``actor``: a clerk submits the drafts of their offices, an office
    head signs (or objects to) their offices' open Mitzeichnungen, the session office puts
    released papers on an agenda."""
    offices = frozenset(actor.offices)
    return Waiting(
        draft_state=catalog.lifecycle("paper").initial,
        draft_offices=offices if Role.CLERK in actor.roles else frozenset(),
        co_sign_state=CO_SIGNING,
        co_sign_offices=offices if Role.OFFICE_HEAD in actor.roles else frozenset(),
        released_state=RELEASED if Role.SESSION_OFFICE in actor.roles else None,
    )
