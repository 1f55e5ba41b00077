"""``ratsweg paper``: create, show, route, co-sign, attach to and check papers (Vorlagen).

The commands of Ergänzungsvorlagen (``workflow.cli.chain``) and of decision procedures
(``workflow.cli.decisions``) join this group in ``workflow.cli.root``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from workflow.cli.german import group, option
from workflow.cli.options import (
    DATE,
    PLANNED,
    Runtime,
    actor_option,
    pass_runtime,
    reader_option,
    user_of,
)
from workflow.cli.output import (
    chosen_format,
    output_options,
    render,
    show_day,
    state_line,
)
from workflow.cli.paper_view import echo_path, emit_graph, graph_options, show_paper
from workflow.core.i18n import N_, _
from workflow.core.labels import value_label

if TYPE_CHECKING:
    from workflow.core.deadlines import StepCheck


@group(help=N_("Create, show and move papers (Vorlagen)."))
def paper() -> None:
    pass


@paper.command("create", help=N_("Create a paper in draft, with the route's Beratungsfolge."))
@option("--type", "paper_type", required=True, help=N_("Paper type id, e.g. sitzungsvorlage."))
@option("--title", required=True, help=N_("Betreff."))
@option("--office", required=True, help=N_("Originating office (Amt) id."))
@option("--route", help=N_("Routing template id giving the default Beratungsfolge."))
@option("--date", type=DATE, help=N_("Date of the paper (default today)."))
@option("--reference", help=N_("Aktenzeichen."))
@option("--text", help=N_("Beschlussvorschlag."))
@option("--participant", "participants", multiple=True, help=N_("Co-signing office (repeat)."))
@option("--faction", help=N_("Antrag, Anfrage: the submitting faction (Fraktion)."))
@option("--member", "members", multiple=True, help=N_("A submitting member (repeat)."))
@option(
    "--planned",
    "planned",
    multiple=True,
    type=PLANNED,
    metavar="DATE|-|POS=DATE",
    help=N_(
        "Planned meeting date of the route's steps: one DATE (or - for none) per step in "
        "path order, or POS=DATE for single steps (repeat)."
    ),
)
@actor_option
@output_options
@pass_runtime
def paper_create(
    rt: Runtime,
    user: str | None,
    fmt: str,
    as_json: bool,
    date: dt.date | None,
    planned: tuple[tuple[int | None, dt.date | None], ...],
    **fields: Any,
) -> None:
    from workflow.core.clock import today

    planned_dates = _planned_dates(rt, fields.get("route"), planned) if planned else []
    view = rt.service.papers.create_paper(
        user=user_of(user),
        date=date or today(rt.service.clock),
        body=rt.body,
        planned_dates=planned_dates,
        **fields,
    )
    click.echo(_("created {number}").format(number=view.number), err=True)
    show_paper(view, chosen_format(fmt, as_json))


def _planned_dates(
    rt: Runtime, route: str | None, planned: Sequence[tuple[int | None, dt.date | None]]
) -> list[dt.date | None]:
    """``--planned`` values as the service's list of planned dates, one per step of the route.

    :raises InvalidInput: no route, both forms mixed, a position twice or outside the route,
        or not one date per step in path order.
    """
    from workflow.core.errors import InvalidInput

    if not route:
        raise InvalidInput(_("--planned gives dates of the route's steps; pass --route ID too"))
    count = len(rt.service.bodies.catalog(rt.body).route(route).steps)
    by_position = [pos for pos, _ in planned if pos is not None]
    if by_position and len(by_position) != len(planned):
        raise InvalidInput(
            _("--planned: give either one DATE (or -) per step in path order or POS=DATE, not both")
        )
    if not by_position:
        if len(planned) != count:
            raise InvalidInput(
                _(
                    "--planned gives {given} date(s) in path order, but route {route!r} has "
                    "{count} steps; give one per step (- for none) or use POS=DATE"
                ).format(given=len(planned), route=route, count=count)
            )
        return [day for _, day in planned]
    dates: list[dt.date | None] = [None] * count
    seen: set[int] = set()
    for pos, day in planned:
        assert pos is not None
        if pos in seen:
            raise InvalidInput(_("--planned gives step {pos} twice").format(pos=pos))
        if pos > count:
            raise InvalidInput(
                _("--planned {pos}=…: route {route!r} has only {count} steps").format(
                    pos=pos, route=route, count=count
                )
            )
        seen.add(pos)
        dates[pos - 1] = day
    return dates


@paper.command(
    "edit", help=N_("Edit a draft: title, text, co-signing offices, planned dates (audited).")
)
@click.argument("number")
@option("--title", help=N_("The new Betreff."))
@option(
    "--text-file",
    type=click.Path(dir_okay=False),
    help=N_("A UTF-8 file with the new Beschlussvorschlag."),
)
@option(
    "--participant",
    "participants",
    multiple=True,
    help=N_("Co-signing office (repeat); the list replaces the paper's."),
)
@option("--no-participants", is_flag=True, help=N_("No office co-signs the paper."))
@option(
    "--planned",
    "planned",
    multiple=True,
    type=PLANNED,
    metavar="POS=DATE|POS=-|DATE|-",
    help=N_(
        "Planned meeting date of a step (POS=DATE, POS=- for none), or dates of the "
        "first steps in path order (repeat)."
    ),
)
@actor_option
@output_options
@pass_runtime
def paper_edit(
    rt: Runtime,
    number: str,
    user: str | None,
    fmt: str,
    as_json: bool,
    title: str | None,
    text_file: str | None,
    participants: tuple[str, ...],
    no_participants: bool,
    planned: tuple[tuple[int | None, dt.date | None], ...],
) -> None:
    from workflow.core.model import DraftChanges
    from workflow.papers.votes import read_text_file

    changes = DraftChanges(
        title=title,
        text=read_text_file(text_file) if text_file is not None else None,
        participants=_co_signers(participants, no_participants),
        planned=_planned_by_position(planned) if planned else None,
    )
    view = rt.service.papers.edit_paper(number, user=user_of(user), changes=changes, body=rt.body)
    click.echo(_("edited {number}").format(number=view.number), err=True)
    show_paper(view, chosen_format(fmt, as_json))


def _co_signers(participants: tuple[str, ...], none: bool) -> list[str] | None:
    """The new list of co-signing offices (None: unchanged)."""
    from workflow.core.errors import InvalidInput

    if none and participants:
        raise InvalidInput(_("pass either --participant or --no-participants, not both"))
    return [] if none else list(participants) or None


def _planned_by_position(
    planned: Sequence[tuple[int | None, dt.date | None]],
) -> dict[int, dt.date | None]:
    """``--planned`` values by step position: POS=DATE as given, plain dates for the steps
    1, 2, … in path order; both forms mixed or a position twice is refused."""
    from workflow.core.errors import InvalidInput

    positions = [pos for pos, _day in planned]
    if any(p is None for p in positions) and any(p is not None for p in positions):
        raise InvalidInput(_("--planned: give either dates in path order or POS=DATE, not both"))
    if all(p is None for p in positions):
        return {index: day for index, (_pos, day) in enumerate(planned, start=1)}
    dates: dict[int, dt.date | None] = {}
    for pos, day in planned:
        assert pos is not None
        if pos in dates:
            raise InvalidInput(_("--planned gives step {pos} twice").format(pos=pos))
        dates[pos] = day
    return dates


@paper.command("show", help=N_("Show a paper with its Beratungsfolge and co-signatures."))
@click.argument("number")
@output_options
@reader_option
@pass_runtime
def paper_show(rt: Runtime, number: str, fmt: str, as_json: bool, reader: str | None) -> None:
    view = rt.service.papers.get_paper(number, body=rt.body, reader=user_of(reader))
    show_paper(view, chosen_format(fmt, as_json))


def _paper_action(name: str, method: str, help_text: str) -> None:
    @paper.command(name, help=help_text)
    @click.argument("number")
    @actor_option
    @pass_runtime
    def command(rt: Runtime, number: str, user: str | None) -> None:
        view = getattr(rt.service.papers, method)(number, user=user_of(user), body=rt.body)
        click.echo(state_line(view.number, view.state_label, view.state), err=True)


_paper_action("submit", "submit_paper", N_("Send a draft into Mitzeichnung (co-signing)."))
_paper_action("release", "release_paper", N_("Release (freeze) a co-signed paper."))


@paper.command("withdraw", help=N_("Withdraw a paper; its open steps are cancelled."))
@click.argument("number")
@option("--reason", required=True, help=N_("Why the paper is withdrawn."))
@actor_option
@pass_runtime
def paper_withdraw(rt: Runtime, number: str, reason: str, user: str | None) -> None:
    view = rt.service.papers.withdraw_paper(number, user=user_of(user), reason=reason, body=rt.body)
    click.echo(state_line(view.number, view.state_label, view.state), err=True)


class StepType(click.ParamType):  # type: ignore[type-arg]
    """ORGANIZATION:ROLE[:YYYY-MM-DD][:public|non-public], one step of a new path."""

    name = "step"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from workflow.core.model import PlannedStep

        if not isinstance(value, str):
            return value
        parts = value.split(":")
        if len(parts) < 2 or len(parts) > 4 or not all(parts):
            self.fail(
                _(
                    "{value!r} is not ORGANIZATION:ROLE[:YYYY-MM-DD][:public|non-public], "
                    "e.g. stadtrat:entscheidung:2025-06-12"
                ).format(value=value),
                param,
                ctx,
            )
        planned, public = None, None
        for extra in parts[2:]:
            if extra in ("public", "non-public"):
                public = extra == "public"
            else:
                planned = DATE.convert(extra, param, ctx)
        return PlannedStep(
            organization=parts[0], role=parts[1], public=public, planned_date=planned
        )


@paper.command(
    "graph",
    help=N_("Draw the paper's path: done, current and planned steps, outcomes on the edges."),
)
@click.argument("number")
@graph_options
@reader_option
@pass_runtime
def paper_graph(rt: Runtime, number: str, fmt: str, output: str | None, reader: str | None) -> None:
    from workflow.papers.diagrams import paper_source

    view = rt.service.papers.get_paper(number, body=rt.body, reader=user_of(reader))
    emit_graph(paper_source(view, "mermaid" if fmt == "mermaid" else "dot"), fmt, output)


@paper.command(
    "reroute",
    help=N_("Replace the open part of the Beratungsfolge with a new one (neue Beratungsfolge)."),
)
@click.argument("number")
@option(
    "--step",
    "steps",
    multiple=True,
    required=True,
    type=StepType(),
    help=N_("ORGANIZATION:ROLE[:YYYY-MM-DD][:public|non-public]; repeat in path order."),
)
@option("--reason", required=True, help=N_("Why the path is replaced (audited)."))
@actor_option
@pass_runtime
def paper_reroute(
    rt: Runtime, number: str, steps: Sequence[Any], reason: str, user: str | None
) -> None:
    view = rt.service.paths.replace_path(
        number, user=user_of(user), steps=list(steps), reason=reason, body=rt.body
    )
    echo_path(view)


@paper.command(
    "co-sign", help=N_("Co-sign (Mitzeichnung) a paper for a participating office, or object.")
)
@click.argument("number")
@option("--office", required=True, help=N_("The participating office signing."))
@option("--object", "objection", is_flag=True, help=N_("Object instead of signing."))
@option("--comment", help=N_("Comment (required with --object)."))
@actor_option
@pass_runtime
def paper_co_sign(
    rt: Runtime, number: str, office: str, objection: bool, comment: str | None, user: str | None
) -> None:
    rt.service.co_signing.co_sign(
        number,
        user=user_of(user),
        office=office,
        objection=objection,
        comment=comment,
        body=rt.body,
    )
    done = (
        _("{number}: objection of {office} recorded")
        if objection
        else _("{number}: signature of {office} recorded")
    )
    click.echo(done.format(number=number, office=office), err=True)


@paper.command(
    "attach", help=N_("Attach FILE to a paper as an Anlage, public unless --non-public.")
)
@click.argument("number")
@click.argument("file", type=click.Path(path_type=Path))
@option("--non-public", is_flag=True, help=N_("Nichtöffentliche Anlage: never published."))
@option("--name", "file_name", metavar="NAME", help=N_("File name to show (default: FILE's)."))
@option("--media-type", metavar="TYPE", help=N_("e.g. application/pdf (default: guessed)."))
@actor_option
@pass_runtime
def paper_attach(
    rt: Runtime,
    number: str,
    file: Path,
    non_public: bool,
    file_name: str | None,
    media_type: str | None,
    user: str | None,
) -> None:
    view = rt.service.attachments.attach_file(
        number,
        file,
        user=user_of(user),
        public=not non_public,
        file_name=file_name,
        media_type=media_type,
        body=rt.body,
    )
    part = _("public") if view.public else _("non-public")
    click.echo(
        _("{number}: attached {file} ({media_type}, {size} bytes, {part})").format(
            number=number,
            file=view.file_name,
            media_type=view.media_type,
            size=view.size,
            part=part,
        ),
        err=True,
    )


@paper.command(
    "check",
    help=N_(
        "Check a paper's path against the deadlines: can each result reach the next invitation?"
    ),
)
@click.argument("number")
@output_options
@reader_option
@pass_runtime
def paper_check(rt: Runtime, number: str, fmt: str, as_json: bool, reader: str | None) -> None:
    checks = rt.service.deadlines.check_path(number, body=rt.body, reader=user_of(reader))
    fmt = chosen_format(fmt, as_json)
    if fmt == "json":
        click.echo(render([dataclasses.asdict(c) for c in checks], [], "json"))
        return
    rows = [_check_row(c, table=fmt == "table") for c in checks]
    headers = ["Nr", "Gremium", "Sitzung", "Vorlagenschluss", "Ladung bis", "Status", "Hinweis"]
    click.echo(render(rows, headers, fmt))
    if fmt == "table":
        _echo_explanations(checks)


def _check_row(check: StepCheck, *, table: bool) -> dict[str, Any]:
    days = {d.kind.value: d.day for d in check.deadlines}
    shown = show_day if table else (lambda day: day)
    return {
        "Nr": check.position,
        "Gremium": check.organization_name,
        "Sitzung": shown(check.date),
        "Vorlagenschluss": shown(days.get("vorlagenschluss")),
        "Ladung bis": shown(days.get("ladung")),
        "Status": value_label("check", check.status) if table else check.status.value,
        "Hinweis": check.message if check.status.value != "ok" else "",
    }


def _echo_explanations(checks: Sequence[StepCheck]) -> None:
    lines = [
        f"{check.position}. {deadline.explanation}"
        + "".join("\n   " + _("Caution: {warning}").format(warning=w) for w in deadline.warnings)
        for check in checks
        for deadline in check.deadlines
    ]
    if lines:
        click.echo("\n" + _("Explanation:"))
        click.echo("\n".join(lines))
