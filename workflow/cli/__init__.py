"""The ``ratsweg`` command line: parse, one service call, render. The only module that prints.

Heavy modules (SQLAlchemy, transitions, the service) are imported inside commands so that
``ratsweg --help`` stays fast.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from workflow.cli.output import (
    chosen_format,
    echo_rows,
    output_options,
    render,
    render_object,
    row_output_options,
    show_date,
    show_datetime,
    to_plain,
)

if TYPE_CHECKING:
    from workflow.core.deadlines import DeadlineEntry, StepCheck
    from workflow.core.model import PaperView, ReminderView, Seal, VerifyReport
    from workflow.service import WorkflowService

F = TypeVar("F", bound=Callable[..., Any])


class RatswegGroup(click.Group):
    """Maps every WorkflowError to one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        from workflow.core.errors import DefinitionError, WorkflowError

        try:
            return super().invoke(ctx)
        except DefinitionError as exc:
            for problem in exc.problems:
                click.echo(f"Error: {problem}", err=True)
            ctx.exit(1)
        except WorkflowError as exc:
            raise click.ClickException(str(exc)) from exc


class DateType(click.ParamType):  # type: ignore[type-arg]
    """Dates as YYYY-MM-DD or DD.MM.YYYY."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                return dt.datetime.strptime(str(value), fmt).date()
            except ValueError:
                continue
        self.fail(f"{value!r} is not a date; use YYYY-MM-DD or DD.MM.YYYY", param, ctx)


DATE: DateType = DateType()


class PlannedType(click.ParamType):  # type: ignore[type-arg]
    """``DATE``, ``-`` (no date) or ``POS=DATE``: (position or None, date or None)."""

    name = "planned"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        text = str(value).strip()
        if text == "-":
            return (None, None)
        pos, sep, day = text.partition("=")
        if not sep:
            return (None, DATE.convert(text, param, ctx))
        if not pos.strip().isdigit() or int(pos) < 1:
            self.fail(
                f"{value!r}: the step position must be a number from 1, e.g. 2=2025-06-12",
                param,
                ctx,
            )
        return (int(pos), DATE.convert(day.strip(), param, ctx))


PLANNED = PlannedType()


class Runtime:
    """What the group callback knows; the service is built on first use."""

    def __init__(
        self, database: str | None, body: str | None, service: WorkflowService | None = None
    ) -> None:
        self.database, self.body = database, body
        self._service = service

    @property
    def service(self) -> WorkflowService:
        if self._service is None:
            from workflow.app import Settings, build_service

            self._service = build_service(Settings.from_env(self.database, body=self.body))
        return self._service


def actor_option(func: F) -> F:
    """``--as USER`` (else RATSWEG_USER, else the login name) on every mutating command."""
    return click.option(
        "--as",
        "user",
        metavar="USER",
        help="Act as this user (default: RATSWEG_USER, then the login name).",
    )(func)


def pass_runtime(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(click.get_current_context().find_object(Runtime), *args, **kwargs)

    return wrapper


def user_of(explicit: str | None) -> str | None:
    from workflow.app import resolve_user

    return resolve_user(explicit)


@click.group(cls=RatswegGroup)
@click.version_option(package_name="ratsweg")
@click.option(
    "--database",
    envvar="RATSWEG_DATABASE_URL",
    metavar="URL",
    help="Database URL (env RATSWEG_DATABASE_URL; default sqlite:///ratsweg.db).",
)
@click.option(
    "--body",
    envvar="RATSWEG_BODY",
    metavar="ID",
    help="Municipality, when the database holds several (env RATSWEG_BODY).",
)
@click.pass_context
def cli(ctx: click.Context, database: str | None, body: str | None) -> None:
    """ratsweg routes council papers (Vorlagen) along their Beratungsfolge."""
    if not isinstance(ctx.obj, Runtime):
        ctx.obj = Runtime(database, body, service=ctx.obj)


# -- init, db, definitions --------------------------------------------------------------------


@cli.command()
@click.option(
    "--definitions",
    "sources",
    multiple=True,
    metavar="DIR",
    help="Municipality folder or shipped name (landau, herzogenrath, voelklingen).",
)
@actor_option
@pass_runtime
def init(rt: Runtime, sources: Sequence[str], user: str | None) -> None:
    """Create or upgrade the database and load municipality definitions."""
    from workflow.app import upgrade
    from workflow.definitions import load_catalog, resolve_definitions_dir

    folders = [resolve_definitions_dir(source) for source in sources]
    for folder in folders:  # every folder is valid before the database is touched
        load_catalog(folder)
    rt.service.bodies.require_admin(user_of(user), body=rt.body)
    before, after = upgrade(rt.service)
    click.echo(f"database schema at revision {after} (was {before or 'empty'})", err=True)
    for folder in folders:
        body = rt.service.bodies.load_definitions(folder, user=user_of(user))
        click.echo(
            f"loaded {body.name} ({body.id}), definitions {body.definitions_version[:12]}", err=True
        )


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@actor_option
@pass_runtime
def db_upgrade(rt: Runtime, user: str | None) -> None:
    """Apply pending schema migrations (Alembic); an admin once a municipality is loaded."""
    from workflow.app import upgrade

    rt.service.bodies.require_admin(user_of(user), body=rt.body)
    before, after = upgrade(rt.service)
    click.echo(f"database schema at revision {after} (was {before or 'empty'})", err=True)


@db.command("create-app-role")
@click.argument("name")
@click.option(
    "--password-env",
    metavar="VAR",
    help="Set the role's password from this environment variable (default: keep it).",
)
@actor_option
@pass_runtime
def db_create_app_role(rt: Runtime, name: str, password_env: str | None, user: str | None) -> None:
    """PostgreSQL: create or update a login role for the application that may only SELECT and
    INSERT on the audit table (admin; idempotent, run it again after db upgrade)."""
    password = None
    if password_env is not None:
        password = os.environ.get(password_env)
        if not password:
            raise click.ClickException(
                f"environment variable {password_env} is not set or empty; "
                "export it with the role's password"
            )
    role = rt.service.audit.create_app_role(
        name, user=user_of(user), password=password, body=rt.body
    )
    click.echo(
        f"role {role.name} {'created' if role.created else 'updated'} in schema {role.schema}: "
        f"read and write on {len(role.tables)} tables, only "
        f"{' and '.join(role.audit_table_privileges)} on audit_event",
        err=True,
    )


@cli.group()
def definitions() -> None:
    """Check, show and load municipality definitions."""


@definitions.command("check")
@click.argument("directory")
def definitions_check(directory: str) -> None:
    """Validate a definitions folder; list every problem with file and line."""
    from workflow.definitions import check_definitions, resolve_definitions_dir

    path = resolve_definitions_dir(directory)
    problems = check_definitions(path)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {path}", err=True)
        sys.exit(1)
    click.echo(f"{path}: ok", err=True)


@definitions.command("show")
@click.argument("directory", required=False)
@row_output_options
@pass_runtime
def definitions_show(rt: Runtime, directory: str | None, fmt: str, as_json: bool) -> None:
    """Show a municipality's organizations (from DIRECTORY, else the database's current)."""
    from workflow.definitions import load_catalog, resolve_definitions_dir

    catalog = (
        load_catalog(resolve_definitions_dir(directory))
        if directory
        else rt.service.bodies.catalog(rt.body)
    )
    rows = [
        {
            "id": o.id,
            "name": o.name,
            "kind": o.kind,
            "seats": o.seats,
            "public": o.public if o.kind.deliberates else None,
        }
        for o in catalog.organizations.values()
    ]
    fmt = chosen_format(fmt, as_json)
    if fmt == "table":
        click.echo(
            f"{catalog.body.name} ({catalog.body.state}), definitions {catalog.version[:12]}"
        )
    click.echo(render(rows, ["id", "name", "kind", "seats", "public"], fmt))


@definitions.command("outcomes")
@click.argument("directory", required=False)
@output_options
@pass_runtime
def definitions_outcomes(rt: Runtime, directory: str | None, fmt: str, as_json: bool) -> None:
    """List the results a step can record, their effect on the path, and the municipality's
    own labels for them."""
    from workflow.core.model import Outcome
    from workflow.definitions import load_catalog, resolve_definitions_dir

    catalog = (
        load_catalog(resolve_definitions_dir(directory))
        if directory
        else rt.service.bodies.catalog(rt.body)
    )
    labels = catalog.procedure.outcome_labels
    rows = [
        {
            "outcome": o.value,
            "label": o.label,
            "effect": o.effect.value,
            "municipal labels": ", ".join(sorted(k for k, v in labels.items() if v is o)),
        }
        for o in Outcome
    ]
    click.echo(
        render(
            rows, ["outcome", "label", "effect", "municipal labels"], chosen_format(fmt, as_json)
        )
    )


GRAPH_FORMATS = ["mermaid", "dot", "svg", "png"]


def _emit_graph(source: str, fmt: str, output: str | None) -> None:
    """Write diagram source (or SVG/PNG rendered from DOT) to OUTPUT or stdout."""
    from workflow.papers.diagrams import render

    if fmt == "png" and not output:
        raise click.UsageError("PNG is binary; pass --output FILE")
    data = render(source, fmt) if fmt in ("svg", "png") else source.encode("utf-8")
    if output:
        from pathlib import Path

        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise click.FileError(output, exc.strerror) from None
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)


@definitions.command("graph")
@click.argument("directory", required=False)
@click.option("--lifecycle", "name", default="paper", show_default=True, help="Which lifecycle.")
@click.option(
    "--format", "fmt", type=click.Choice(GRAPH_FORMATS), default="mermaid", show_default=True
)
@click.option("--output", type=click.Path(dir_okay=False), help="Write to this file.")
@pass_runtime
def definitions_graph(
    rt: Runtime, directory: str | None, name: str, fmt: str, output: str | None
) -> None:
    """Draw a lifecycle (states, triggers, guards) as Mermaid, DOT, SVG or PNG."""
    from workflow.core.errors import not_found
    from workflow.definitions import load_catalog, resolve_definitions_dir
    from workflow.papers.diagrams import lifecycle_source

    catalog = (
        load_catalog(resolve_definitions_dir(directory))
        if directory
        else rt.service.bodies.catalog(rt.body)
    )
    if name not in catalog.lifecycles:
        raise not_found("lifecycle", name, catalog.lifecycles)
    source = lifecycle_source(catalog.lifecycle(name), "mermaid" if fmt == "mermaid" else "dot")
    _emit_graph(source, fmt, output)


@definitions.command("load")
@click.argument("directory")
@actor_option
@pass_runtime
def definitions_load(rt: Runtime, directory: str, user: str | None) -> None:
    """Load a new version of a municipality's definitions (papers keep their version)."""
    from workflow.definitions import resolve_definitions_dir

    folder = resolve_definitions_dir(directory)
    rt.service.bodies.require_admin(user_of(user), body=rt.body)
    body = rt.service.bodies.load_definitions(folder, user=user_of(user))
    click.echo(f"{body.name}: definitions {body.definitions_version[:12]}", err=True)


# -- papers -----------------------------------------------------------------------------------


@cli.group()
def paper() -> None:
    """Create, show and move papers (Vorlagen)."""


@paper.command("create")
@click.option("--type", "paper_type", required=True, help="Paper type id, e.g. sitzungsvorlage.")
@click.option("--title", required=True, help="Betreff.")
@click.option("--office", required=True, help="Originating office (Amt) id.")
@click.option("--route", help="Routing template id giving the default Beratungsfolge.")
@click.option("--date", type=DATE, help="Date of the paper (default today).")
@click.option("--reference", help="Aktenzeichen.")
@click.option("--text", help="Beschlussvorschlag.")
@click.option("--participant", "participants", multiple=True, help="Co-signing office (repeat).")
@click.option("--faction", help="Antrag, Anfrage: the submitting faction (Fraktion).")
@click.option("--member", "members", multiple=True, help="A submitting member (repeat).")
@click.option(
    "--planned",
    "planned",
    multiple=True,
    type=PLANNED,
    metavar="DATE|-|POS=DATE",
    help="Planned meeting date of the route's steps: one DATE (or - for none) per step in "
    "path order, or POS=DATE for single steps (repeat).",
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
    """Create a paper in draft, with the route's Beratungsfolge."""
    from workflow.core.clock import today

    planned_dates = _planned_dates(rt, fields.get("route"), planned) if planned else []
    view = rt.service.papers.create_paper(
        user=user_of(user),
        date=date or today(rt.service.clock),
        body=rt.body,
        planned_dates=planned_dates,
        **fields,
    )
    click.echo(f"created {view.number}", err=True)
    _show_paper(view, chosen_format(fmt, as_json))


def _planned_dates(
    rt: Runtime, route: str | None, planned: Sequence[tuple[int | None, dt.date | None]]
) -> list[dt.date | None]:
    """``--planned`` values as the service's list of planned dates, one per step of the route.

    :raises InvalidInput: no route, both forms mixed, a position twice or outside the route,
        or not one date per step in path order.
    """
    from workflow.core.errors import InvalidInput

    if not route:
        raise InvalidInput("--planned gives dates of the route's steps; pass --route ID too")
    count = len(rt.service.bodies.catalog(rt.body).route(route).steps)
    by_position = [pos for pos, _ in planned if pos is not None]
    if by_position and len(by_position) != len(planned):
        raise InvalidInput(
            "--planned: give either one DATE (or -) per step in path order or POS=DATE, not both"
        )
    if not by_position:
        if len(planned) != count:
            raise InvalidInput(
                f"--planned gives {len(planned)} date(s) in path order, but route {route!r} has "
                f"{count} steps; give one per step (- for none) or use POS=DATE"
            )
        return [day for _, day in planned]
    dates: list[dt.date | None] = [None] * count
    seen: set[int] = set()
    for pos, day in planned:
        assert pos is not None
        if pos in seen:
            raise InvalidInput(f"--planned gives step {pos} twice")
        if pos > count:
            raise InvalidInput(f"--planned {pos}=…: route {route!r} has only {count} steps")
        seen.add(pos)
        dates[pos - 1] = day
    return dates


@paper.command("show")
@click.argument("number")
@output_options
@pass_runtime
def paper_show(rt: Runtime, number: str, fmt: str, as_json: bool) -> None:
    """Show a paper with its Beratungsfolge and co-signatures."""
    _show_paper(rt.service.papers.get_paper(number, body=rt.body), chosen_format(fmt, as_json))


@paper.command("list")
@click.option("--state", help="Only papers in this state.")
@row_output_options
@pass_runtime
def paper_list(rt: Runtime, state: str | None, fmt: str, as_json: bool) -> None:
    """List papers."""
    rows = [dataclasses.asdict(p) for p in rt.service.papers.list_papers(body=rt.body, state=state)]
    click.echo(
        render(
            rows,
            ["number", "paper_type", "date", "state", "office_id", "title"],
            chosen_format(fmt, as_json),
        )
    )


def _paper_action(name: str, method: str, help_text: str) -> None:
    @paper.command(name, help=help_text)
    @click.argument("number")
    @actor_option
    @pass_runtime
    def command(rt: Runtime, number: str, user: str | None) -> None:
        view = getattr(rt.service.papers, method)(number, user=user_of(user), body=rt.body)
        click.echo(f"{view.number}: {view.state_label} ({view.state})", err=True)


_paper_action("submit", "submit_paper", "Send a draft into Mitzeichnung (co-signing).")
_paper_action("release", "release_paper", "Release (freeze) a co-signed paper.")


@paper.command("withdraw")
@click.argument("number")
@click.option("--reason", required=True, help="Why the paper is withdrawn.")
@actor_option
@pass_runtime
def paper_withdraw(rt: Runtime, number: str, reason: str, user: str | None) -> None:
    """Withdraw a paper; its open steps are cancelled."""
    view = rt.service.papers.withdraw_paper(number, user=user_of(user), reason=reason, body=rt.body)
    click.echo(f"{view.number}: {view.state_label} ({view.state})", err=True)


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
                f"{value!r} is not ORGANIZATION:ROLE[:YYYY-MM-DD][:public|non-public], "
                "e.g. stadtrat:entscheidung:2025-06-12",
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


@paper.command("graph")
@click.argument("number")
@click.option(
    "--format", "fmt", type=click.Choice(GRAPH_FORMATS), default="mermaid", show_default=True
)
@click.option("--output", type=click.Path(dir_okay=False), help="Write to this file.")
@pass_runtime
def paper_graph(rt: Runtime, number: str, fmt: str, output: str | None) -> None:
    """Draw the paper's path: done, current and planned steps, outcomes on the edges."""
    from workflow.papers.diagrams import paper_source

    view = rt.service.papers.get_paper(number, body=rt.body)
    _emit_graph(paper_source(view, "mermaid" if fmt == "mermaid" else "dot"), fmt, output)


@paper.command("reroute")
@click.argument("number")
@click.option(
    "--step",
    "steps",
    multiple=True,
    required=True,
    type=StepType(),
    help="ORGANIZATION:ROLE[:YYYY-MM-DD][:public|non-public]; repeat in path order.",
)
@click.option("--reason", required=True, help="Why the path is replaced (audited).")
@actor_option
@pass_runtime
def paper_reroute(
    rt: Runtime, number: str, steps: Sequence[Any], reason: str, user: str | None
) -> None:
    """Replace the open part of the Beratungsfolge with a new one (neue Beratungsfolge)."""
    view = rt.service.paths.replace_path(
        number, user=user_of(user), steps=list(steps), reason=reason, body=rt.body
    )
    _echo_path(view)


@paper.command("co-sign")
@click.argument("number")
@click.option("--office", required=True, help="The participating office signing.")
@click.option("--object", "objection", is_flag=True, help="Object instead of signing.")
@click.option("--comment", help="Comment (required with --object).")
@actor_option
@pass_runtime
def paper_co_sign(
    rt: Runtime, number: str, office: str, objection: bool, comment: str | None, user: str | None
) -> None:
    """Co-sign (Mitzeichnung) a paper for a participating office, or object."""
    rt.service.co_signing.co_sign(
        number,
        user=user_of(user),
        office=office,
        objection=objection,
        comment=comment,
        body=rt.body,
    )
    click.echo(
        f"{number}: {'objection' if objection else 'signature'} of {office} recorded", err=True
    )


@paper.command("check")
@click.argument("number")
@output_options
@pass_runtime
def paper_check(rt: Runtime, number: str, fmt: str, as_json: bool) -> None:
    """Check a paper's path against the deadlines: can each result reach the next invitation?"""
    checks = rt.service.deadlines.check_path(number, body=rt.body)
    fmt = chosen_format(fmt, as_json)
    if fmt == "json":
        click.echo(render([dataclasses.asdict(c) for c in checks], [], "json"))
        return
    rows = [_check_row(c) for c in checks]
    headers = ["Nr", "Gremium", "Sitzung", "Vorlagenschluss", "Ladung bis", "Status", "Hinweis"]
    click.echo(render(rows, headers, fmt))
    if fmt == "table":
        _echo_explanations(checks)


# -- consultations ----------------------------------------------------------------------------


@cli.group()
def consultation() -> None:
    """Edit the Beratungsfolge and record results."""


ROLES = ["vorberatung", "anhoerung", "entscheidung", "kenntnisnahme", "genehmigung"]
REASON = "Why (required once the paper is released; kept in the audit trail)."


@consultation.command("add")
@click.argument("number")
@click.argument("organization")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--position", type=click.IntRange(min=1), help="Insert here (default: at the end).")
@click.option(
    "--parallel-to",
    type=click.IntRange(min=1),
    help="Run beside this step (same level; both are done before the next level).",
)
@click.option("--date", "planned_date", type=DATE, help="Planned date.")
@click.option("--public/--non-public", default=None, help="Default: the organization's.")
@click.option("--reason", help=REASON)
@actor_option
@pass_runtime
def consultation_add(rt: Runtime, number: str, user: str | None, **fields: Any) -> None:
    """Add a step to a paper's Beratungsfolge."""
    view = rt.service.paths.add_consultation(number, user=user_of(user), body=rt.body, **fields)
    _echo_path(view)


@consultation.command("remove")
@click.argument("number")
@click.argument("position", type=click.IntRange(min=1))
@click.option("--reason", help=REASON)
@actor_option
@pass_runtime
def consultation_remove(
    rt: Runtime, number: str, position: int, reason: str | None, user: str | None
) -> None:
    """Remove a planned step (after release it stays in the path as cancelled)."""
    _echo_path(
        rt.service.paths.remove_consultation(
            number, user=user_of(user), position=position, reason=reason, body=rt.body
        )
    )


@consultation.command("move")
@click.argument("number")
@click.argument("position", type=click.IntRange(min=1))
@click.option("--to", "to", required=True, type=click.IntRange(min=1), help="New position.")
@click.option("--reason", help=REASON)
@actor_option
@pass_runtime
def consultation_move(
    rt: Runtime, number: str, position: int, to: int, reason: str | None, user: str | None
) -> None:
    """Move a planned step to another position in the Beratungsfolge."""
    _echo_path(
        rt.service.paths.move_consultation(
            number, user=user_of(user), position=position, to=to, reason=reason, body=rt.body
        )
    )


@consultation.command("schedule")
@click.argument("number")
@click.argument("position", type=click.IntRange(min=1), required=False)
@click.option("--position", "position_option", type=click.IntRange(min=1), help="The step.")
@click.option("--date", type=DATE, help="Meeting date.")
@click.option("--meeting", "meeting_id", type=click.IntRange(min=1), help="Put it on this agenda.")
@actor_option
@pass_runtime
def consultation_schedule(
    rt: Runtime,
    number: str,
    position: int | None,
    position_option: int | None,
    date: dt.date | None,
    meeting_id: int | None,
    user: str | None,
) -> None:
    """Set the meeting date of a step, or put it on a meeting's agenda (--meeting)."""
    step = position or position_option
    if step is None or (date is None) == (meeting_id is None):
        raise click.UsageError("give the step (POSITION or --position) and --date or --meeting")
    if meeting_id is None:
        assert date is not None
        _echo_path(
            rt.service.paths.schedule_consultation(
                number, user=user_of(user), position=step, date=date, body=rt.body
            )
        )
        return
    item = rt.service.meetings.schedule_into_meeting(
        number, user=user_of(user), position=step, meeting_id=meeting_id, body=rt.body
    )
    where = item.number or "numbered by the invitation"
    nachtrag = ", Nachtrag" if item.nachtrag else ""
    click.echo(f"{number} step {step}: on the agenda of meeting {meeting_id} ({where}{nachtrag})")


@consultation.command("record")
@click.argument("number")
@click.argument("position", type=click.IntRange(min=1))
@click.option(
    "--result",
    "outcome",
    required=True,
    help="A normalised result (see 'ratsweg definitions outcomes') or a label from the "
    "municipality's procedure.yaml.",
)
@click.option("--date", type=DATE, help="Meeting date (default: the scheduled or planned one).")
@click.option("--yes", type=click.IntRange(min=0), help="Ja votes (main motion).")
@click.option("--no", type=click.IntRange(min=0), help="Nein votes.")
@click.option("--abstain", type=click.IntRange(min=0), help="Enthaltungen.")
@click.option("--biased", type=click.IntRange(min=0), help="Befangen (excluded).")
@click.option("--not-participating", type=click.IntRange(min=0), help="Not voting.")
@click.option("--absent", type=click.IntRange(min=0), help="Members absent.")
@click.option("--vote-label", help='Label of the vote, e.g. "einstimmig".')
@click.option(
    "--votes-file",
    type=click.Path(dir_okay=False),
    help="YAML/JSON list of votes (procedural motions, amendments, main motion; counts or "
    "named ballots); replaces the single-vote options.",
)
@click.option("--label", help='Result as worded, e.g. "einstimmig beschlossen".')
@click.option("--refer-to", help="ueberwiesen/zurueckverwiesen: the body it goes to.")
@click.option(
    "--refer-role",
    type=click.Choice(ROLES),
    help="Role of the referred step (default vorberatung; entscheidung if that body decides).",
)
@click.option("--until", "target_date", type=DATE, help="vertagt/zurueckgestellt: target date.")
@click.option("--text", "amended_text", help="geaendert_beschlossen: the amended wording.")
@click.option(
    "--text-file",
    type=click.Path(dir_okay=False),
    help="geaendert_beschlossen: a UTF-8 file with the amended wording.",
)
@click.option("--note", help="A note on the result (e.g. the reason for a postponement).")
@actor_option
@pass_runtime
def consultation_record(
    rt: Runtime,
    number: str,
    position: int,
    outcome: str,
    date: dt.date | None,
    label: str | None,
    refer_to: str | None,
    refer_role: str | None,
    target_date: dt.date | None,
    amended_text: str | None,
    text_file: str | None,
    note: str | None,
    votes_file: str | None,
    vote_label: str | None,
    user: str | None,
    **counts: int | None,
) -> None:
    """Record the result of a step and apply its effect on the path."""
    from workflow.core.model import VoteCount
    from workflow.papers.votes import read_text_file, read_votes_file

    if text_file is not None:
        if amended_text is not None:
            raise click.UsageError("pass either --text or --text-file, not both")
        amended_text = read_text_file(text_file)
    given = any(v is not None for v in counts.values())
    if votes_file is not None:
        if given or vote_label:
            raise click.UsageError("pass either --votes-file or the single-vote options")
        votes = read_votes_file(votes_file)
    elif given or vote_label:
        votes = [
            VoteCount(
                label=vote_label,
                yes=counts["yes"],
                no=counts["no"],
                abstain=counts["abstain"],
                biased=counts["biased"],
                not_participating=counts["not_participating"],
                absent=counts["absent"],
            )
        ]
    else:
        votes = []
    view = rt.service.results.record_result(
        number,
        user=user_of(user),
        position=position,
        outcome=outcome,
        date=date,
        votes=votes,
        label=label,
        refer_to=refer_to,
        refer_role=refer_role,
        target_date=target_date,
        amended_text=amended_text,
        note=note,
        body=rt.body,
    )
    for warning in view.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{view.number}: {view.state_label} ({view.state})", err=True)


# -- deadlines --------------------------------------------------------------------------------

DEADLINE_COLUMNS = ["day", "kind", "paper", "position", "organization", "meeting", "status"]


@cli.command("deadlines")
@click.option("--paper", help="Only this paper.")
@click.option(
    "--organization",
    help="Only steps of this Gremium (or co-signatures and reports owed by an office).",
)
@click.option("--office", help="Only papers written or co-signed by this office.")
@click.option("--user", "for_user", metavar="USER", help="Only what concerns USER's offices.")
@click.option("--from", "start", type=DATE, help="Deadlines on or after this day.")
@click.option("--to", "end", type=DATE, help="Deadlines on or before this day.")
@row_output_options
@pass_runtime
def deadlines(rt: Runtime, fmt: str, as_json: bool, for_user: str | None, **filters: Any) -> None:
    """List upcoming and overdue deadlines: Vorlagenschluss, Ladung, Mitzeichnung, Bericht
    (Beschlusskontrolle). Met ones are left out (released, invited)."""
    entries = rt.service.deadlines.list_deadlines(body=rt.body, user=for_user, **filters)
    fmt = chosen_format(fmt, as_json)
    rows = [_deadline_row(e) for e in entries]
    columns = DEADLINE_COLUMNS + (
        [] if fmt == "table" else ["due", "legal_basis", "warnings", "explanation"]
    )
    echo_rows(rows, columns, fmt)


# -- reminders and the worker -------------------------------------------------------------------

REMINDER_COLUMNS = ["id", "kind", "paper", "due_at", "state", "recipients", "attempts"]


@cli.group()
def reminders() -> None:
    """Reminders: due (pending), sent, failed (parked after the last retry); retry."""


def _reminder_list(state: str, help_text: str) -> None:
    @reminders.command(state, help=help_text)
    @click.option(
        "--limit",
        type=click.IntRange(min=0),
        default=1000,
        show_default=True,
        help="Show at most this many (0: all).",
    )
    @row_output_options
    @pass_runtime
    def command(rt: Runtime, limit: int, fmt: str, as_json: bool) -> None:
        from workflow.core.model import ReminderState

        states = {
            "due": [ReminderState.PENDING, ReminderState.CLAIMED],
            "sent": [ReminderState.SENT],
        }.get(state, [ReminderState.FAILED])
        views = rt.service.reminders.list_reminders(
            states, body=rt.body, limit=limit + 1 if limit else None, newest_first=state != "due"
        )
        if limit and len(views) > limit:
            views = views[:limit]
            click.echo(
                f"showing the first {limit} {state} reminders; there are more: "
                f"pass --limit N for more, or --limit 0 for all",
                err=True,
            )
        fmt = chosen_format(fmt, as_json)
        rows = [_reminder_row(r, structured=fmt in ("json", "ndjson")) for r in views]
        extra = [] if fmt == "table" else ["key", "subject", "sent_at", "last_error"]
        extra += ["last_error"] if fmt == "table" and state in ("due", "failed") else []
        extra += ["refused"] if state == "sent" else []
        echo_rows(rows, REMINDER_COLUMNS + extra, fmt)


_reminder_list(
    "due",
    "Reminders not delivered yet, earliest first: pending ones (due now or later) and claimed "
    "ones in delivery or waiting for another attempt, with the last error.",
)
_reminder_list(
    "sent",
    "Reminders delivered, the last sent first, with their idempotency key and the recipients "
    "the mail server refused while it accepted the others.",
)
_reminder_list("failed", "Reminders parked after the last delivery attempt, the last parked first.")


@reminders.command("retry")
@click.argument("reminder_id", type=int)
@actor_option
@pass_runtime
def reminders_retry(rt: Runtime, reminder_id: int, user: str | None) -> None:
    """Queue a failed reminder again (session office or admin)."""
    view = rt.service.reminders.retry_reminder(reminder_id, user=user_of(user), body=rt.body)
    click.echo(f"reminder {view.id} queued again ({view.key})", err=True)


@cli.command()
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Seconds between sweeps.",
)
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Reminders claimed and messages sent per transaction.",
)
@click.option(
    "--lease",
    type=click.FloatRange(min=0.1),
    default=300.0,
    show_default=True,
    help="Seconds a message stays leased to this worker while it is sent.",
)
@click.option(
    "--max-attempts",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Delivery attempts before a reminder is parked as failed.",
)
@click.option(
    "--backoff",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds before the first retry; doubled each time.",
)
@click.option(
    "--notifier",
    type=click.Choice(["smtp", "log"]),
    default="smtp",
    show_default=True,
    help="smtp: RATSWEG_SMTP_* settings; log: log lines only.",
)
@click.option("--once", is_flag=True, help="Sweep once and exit (cron, tests).")
@pass_runtime
def worker(rt: Runtime, notifier: str, once: bool, **options: Any) -> None:
    """Send due reminders: claim them into the outbox, deliver, retry; SIGTERM stops cleanly."""
    import logging

    from workflow.app import build_notifier, require_current_schema
    from workflow.reminders.notify import SmtpNotifier
    from workflow.worker import LEASE_SHARE, Worker, WorkerOptions

    require_current_schema(rt.service)
    sender = build_notifier(notifier)
    if isinstance(sender, SmtpNotifier):
        # a send that starts late in the lease's first half must end before the lease does
        shortest = sender.settings.timeout / (1 - LEASE_SHARE)
        if options["lease"] < shortest:
            raise click.UsageError(
                f"--lease {options['lease']:g} is too short for the SMTP timeout of "
                f"{sender.settings.timeout:g} s; use --lease {shortest:g} or more"
            )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    runner = Worker(rt.service, sender, WorkerOptions(**options))
    total = runner.run(once=once)
    rt.service.db.dispose()
    click.echo(
        f"{runner.name}: {total.claimed} claimed, {total.sent} sent, {total.retried} to retry, "
        f"{total.failed} failed",
        err=True,
    )


# -- demo -------------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--database",
    "demo_database",
    metavar="URL",
    help="Database for the demo (default: a new temporary SQLite file).",
)
@click.option(
    "--municipality",
    type=click.Choice(["landau", "voelklingen", "herzogenrath"]),
    default="landau",
    show_default=True,
    help="Whose seed to replay.",
)
@click.option("--trail", is_flag=True, help="Also print the paper's audit trail.")
def demo(demo_database: str | None, municipality: str, trail: bool) -> None:
    """Replay a real Integrationskonzept of a shipped municipality from draft to decision."""
    from workflow.demo import run_demo

    result = run_demo(demo_database, municipality)
    click.echo(f"Datenbank: {result.database_url}", err=True)
    _echo_demo_steps(result)
    _show_paper(result.paper, "table")
    if trail:
        click.echo("")
        cli_audit.echo_events(result.trail, "table")
    click.echo("")
    echo_verify(result.report, "table")
    cli_audit.echo_replay([result.replay], "table")
    if not (result.report.ok and result.replay.ok):
        sys.exit(1)


def _echo_demo_steps(result: Any) -> None:
    walk = result.walkthrough
    click.echo(f"{walk.source}: {result.paper.title}")
    for step in result.played:
        part = "öffentlich" if step.item.part.value == "public" else "nichtöffentlich"
        click.echo(
            f"  {show_date(step.date)}  {step.organization}: TOP {step.item.number} "
            f"({part}), Sitzung {step.meeting_id}: {step.result}"
        )
    click.echo("")


# -- rendering helpers ------------------------------------------------------------------------


def _show_paper(view: PaperView, fmt: str) -> None:
    if fmt == "json":
        click.echo(render_object(dataclasses.asdict(view)))
        return
    click.echo(f"{view.paper_type_name} {view.number} vom {show_date(view.date)}: {view.title}")
    click.echo(
        f"Amt: {view.office_name}" + (f", Aktenzeichen {view.reference}" if view.reference else "")
    )
    click.echo(
        f"Status: {view.state_label} ({view.state}); "
        f"möglich: {', '.join(view.allowed_actions) or '-'}"
    )
    _echo_submitter_and_chain(view)
    if view.co_signatures:
        signs = ", ".join(_co_signature_text(c) for c in view.co_signatures)
        click.echo(f"Mitzeichnung: {signs}")
    if len(view.text_versions) > 1:
        latest = view.text_versions[-1]
        click.echo(
            f"Textfassung {latest.number} (geändert in Schritt {latest.position}, "
            f"{len(view.text_versions)} Fassungen)"
        )
    for attachment in view.attachments:
        part = "Ö" if attachment.public else "N"
        click.echo(f"Anlage ({part}): {attachment.file_name}, {attachment.size} Bytes")
    click.echo("")
    _echo_path(view, fmt)


def _echo_submitter_and_chain(view: PaperView) -> None:
    if view.faction:
        members = f" ({', '.join(view.members)})" if view.members else ""
        click.echo(f"Eingereicht von: {view.faction}{members}")
    if view.origin:
        click.echo(f"Ergänzungsvorlage {view.supplement_no} zu {view.origin}")
    if len(view.chain) > 1:
        click.echo(f"Kette: {' → '.join(view.chain)}")
    if view.answer is not None and view.answer_date is not None:
        click.echo(f"Beantwortet am {show_date(view.answer_date)}: {view.answer}")


def _co_signature_text(signature: Any) -> str:
    text = f"{signature.office_name}: {signature.state.value}"
    if signature.due is not None:
        text += f" (fällig {show_date(signature.due)})"
    if signature.comment:
        text += f" ({signature.comment})"
    if signature.overruled_by:
        text += f", überstimmt von {signature.overruled_by}: {signature.overrule_reason}"
    return text


def _echo_path(view: PaperView, fmt: str = "table") -> None:
    parallel = len({c.level for c in view.consultations}) < len(view.consultations)
    rows = [
        {
            "Nr": c.position,
            **({"Ebene": c.level} if parallel else {}),
            "Gremium": c.organization_name,
            "Zuständigkeit": c.role.value,
            "Ö/N": "Ö" if c.public else "N",
            "geplant": c.planned_date,
            "Sitzung": c.date,
            "Status": c.state,
            "Ergebnis": c.result_label or "",
            "Abstimmung": "; ".join(_vote_text(v, len(c.votes) > 1) for v in c.votes),
        }
        for c in view.consultations
    ]
    headers = [
        "Nr",
        *(["Ebene"] if parallel else []),
        "Gremium",
        "Zuständigkeit",
        "Ö/N",
        "geplant",
        "Sitzung",
        "Status",
        "Ergebnis",
        "Abstimmung",
    ]
    click.echo(render(rows, headers, fmt))


def _vote_text(vote: Any, with_subject: bool = False) -> str:
    parts = [
        f"{label} {value}"
        for label, value in (
            ("Ja", vote.yes),
            ("Nein", vote.no),
            ("Enth.", vote.abstain),
            ("Befangen", vote.biased),
            ("ohne Teilnahme", vote.not_participating),
            ("abwesend", vote.absent),
        )
        if value is not None
    ]
    text = ", ".join(parts)
    return f"{vote.subject}: {text}" if with_subject else text


def echo_verify(report: VerifyReport, fmt: str, seal: Seal | None = None) -> None:
    if fmt != "table":
        click.echo(render_object(dataclasses.asdict(report) | {"ok": report.ok}))
        return
    if not report.ok:
        where = report.broken_stream or ""
        if report.broken_paper:
            where = f"paper {report.broken_paper} ({report.broken_stream})"
        click.echo(f"Audit trail BROKEN in {where} at event {report.broken_seq}: {report.reason}")
        return
    click.echo(f"Audit trail intact: {report.events} events in {report.streams} chains.")
    if seal is not None:
        click.echo(
            f"Seal of {show_datetime(seal.sealed_at)} by {seal.actor} (root hash "
            f"{seal.root_hash[:16]}): all {report.sealed_events} sealed events unchanged; "
            f"{report.events_after_seal} events after the seal."
        )


def _deadline_row(entry: DeadlineEntry) -> dict[str, Any]:
    deadline = entry.deadline
    return {
        "day": deadline.day,
        "due": to_plain(deadline.due),
        "kind": deadline.kind.value,
        "paper": entry.paper,
        "position": entry.position,
        "organization": entry.organization_id,
        "meeting": entry.meeting,
        "status": "overdue" if entry.overdue else "open",
        "legal_basis": deadline.legal_basis,
        "warnings": "; ".join(deadline.warnings),
        "explanation": deadline.explanation,
    }


def _reminder_row(view: ReminderView, *, structured: bool = False) -> dict[str, Any]:
    """One reminder; ``refused`` as a list of {address, code, reply} when ``structured``
    (JSON), else as one text ("address: code reply; …")."""
    refused: Any = "; ".join(map(str, view.refused))
    if structured:
        refused = [r._asdict() for r in view.refused]
    return {
        "id": view.id,
        "kind": view.kind.value,
        "paper": view.paper,
        "due_at": view.due_at,
        "state": view.state.value,
        "recipients": ", ".join(view.recipients),
        "attempts": view.attempts,
        "key": view.key,
        "subject": view.subject,
        "sent_at": view.sent_at,
        "last_error": view.last_error,
        "refused": refused,
    }


def _check_row(check: StepCheck) -> dict[str, Any]:
    days = {d.kind.value: d.day for d in check.deadlines}
    return {
        "Nr": check.position,
        "Gremium": check.organization_name,
        "Sitzung": check.date,
        "Vorlagenschluss": days.get("vorlagenschluss"),
        "Ladung bis": days.get("ladung"),
        "Status": check.status.value,
        "Hinweis": check.message if check.status.value != "ok" else "",
    }


def _echo_explanations(checks: Sequence[StepCheck]) -> None:
    lines = [
        f"{check.position}. {deadline.explanation}"
        + "".join(f"\n   Achtung: {warning}" for warning in deadline.warnings)
        for check in checks
        for deadline in check.deadlines
    ]
    if lines:
        click.echo("\nErläuterung:")
        click.echo("\n".join(lines))


def main() -> None:
    cli(prog_name="ratsweg")


# Registered last: cli_meeting uses the helpers above.
from workflow.cli.meetings import meeting

cli.add_command(meeting)

# the audit group lives in its own module, which adds itself to ``cli`` (it needs the above)
from workflow.cli import audit as cli_audit
from workflow.cli.decisions import PAPER_COMMANDS, decisions

cli.add_command(decisions)
for _command in PAPER_COMMANDS:
    paper.add_command(_command)

from workflow.cli.attachments import paper_attach

paper.add_command(paper_attach)

from workflow.cli.oparl import oparl

cli.add_command(oparl)

from workflow.cli.chain import PAPER_COMMANDS as CHAIN_COMMANDS

for _command in CHAIN_COMMANDS:
    paper.add_command(_command)

from workflow.cli.calendar import calendar

cli.add_command(calendar)
