"""``ratsweg paper list``: papers filtered, searched, sorted, one page at a time.

``workflow.cli.root`` registers the command on the ``paper`` group.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from workflow.cli.german import command, option
from workflow.cli.options import DATE, Runtime, UserError, pass_runtime, reader_option, user_of
from workflow.cli.output import chosen_format, render, row_output_options
from workflow.core.i18n import N_, _

if TYPE_CHECKING:
    from workflow.core.model import PaperPage, PaperQuery


#: the keys ``paper list --sort`` takes
SORTS = ("date", "number", "title", "state", "type", "office", "modified", "relevance")


@command("list", help=N_("List papers: filtered, searched, sorted, one page at a time."))
@option("--type", "paper_type", help=N_("Only papers of this type (id)."))
@option("--state", help=N_("Only papers in this state."))
@option("--office", help=N_("Only papers written by this office (federführendes Amt)."))
@option("--organization", help=N_("Only papers with a step in this Gremium."))
@option("--year", type=int, help=N_("Only papers dated in this year."))
@option("--since", type=DATE, help=N_("Only papers dated on or after this day."))
@option("--until", type=DATE, help=N_("Only papers dated on or before this day."))
@option("--mine", is_flag=True, help=N_("Only papers you created or your offices wrote."))
@option("--waiting", is_flag=True, help=N_("Only papers on which your action is due."))
@option("--search", "text", metavar="TEXT", help=N_("Words in the number, title or text."))
@option(
    "--sort",
    metavar="KEY",
    help=N_("Sort by: date, number, title, state, type, office, modified, relevance."),
)
@option("--order", metavar="ORDER", help=N_("asc or desc (default: newest first)."))
@option("--limit", type=int, default=50, show_default=True, help=N_("Papers per page (1-500)."))
@option("--offset", type=int, help=N_("Skip this many papers."))
@option("--page", type=int, help=N_("Page number (1 is the first), instead of --offset."))
@row_output_options
@reader_option
@pass_runtime
def paper_list(rt: Runtime, fmt: str, as_json: bool, reader: str | None, **options: Any) -> None:
    query = _paper_query(**options)
    page = rt.service.papers.list_papers(query, body=rt.body, reader=user_of(reader))
    rows = [dataclasses.asdict(p) for p in page.items]
    fmt = chosen_format(fmt, as_json)
    if fmt == "table":
        for row in rows:
            row["state"] = row["state_label"]
    click.echo(render(rows, list(PAPER_TITLES), fmt, PAPER_TITLES))
    if page.has_more or page.offset:
        click.echo(_page_note(page), err=True)


def _paper_query(
    *, sort: str | None, order: str | None, offset: int | None, page: int | None, **fields: Any
) -> PaperQuery:
    """The ``PaperQuery`` of ``paper list``'s options (ids and bounds are the service's)."""
    from workflow.core.model import PaperQuery, PaperSort, SortDirection

    if offset is not None and page is not None:
        raise UserError(_("pass either --offset or --page, not both"))
    if page is not None and page < 1:
        raise UserError(_("--page counts from 1, not {page}").format(page=page))
    if page is not None:
        offset = (page - 1) * fields["limit"]
    return PaperQuery(
        sort=PaperSort(_one_of("--sort", sort, SORTS)) if sort else None,
        direction=SortDirection(_one_of("--order", order, ("asc", "desc"))) if order else None,
        offset=offset or 0,
        mine=fields.pop("mine"),
        waiting_for_me=fields.pop("waiting"),
        **fields,
    )


def _one_of(option: str, value: str, known: Sequence[str]) -> str:
    if value not in known:
        raise UserError(
            _("{option} {value!r} is not known; use one of {known}").format(
                option=option, value=value, known=", ".join(known)
            )
        )
    return value


def _page_note(page: PaperPage) -> str:
    """Which papers of how many the page shows, and how to get the next ones."""
    first, last = page.offset + 1, page.offset + len(page.items)
    total = str(page.total) if page.total_exact else _("more than {n}").format(n=page.total)
    note = _("papers {first}-{last} of {total}").format(first=first, last=last, total=total)
    if not page.items:
        note = _("no papers from {first} on, of {total}").format(first=first, total=total)
    if page.has_more:
        note += _("; next: --offset {offset}").format(offset=last)
    return note


#: the columns of ``paper list``: key (JSON, CSV) -> title (table)
PAPER_TITLES = {
    "number": N_("Paper"),
    "paper_type": N_("Type"),
    "date": N_("Date"),
    "state": N_("Status"),
    "office_id": N_("Office"),
    "title": N_("Subject"),
}
