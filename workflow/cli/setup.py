"""Setting ratsweg up and trying it: ``ratsweg init``, ``ratsweg db`` (schema, application
role), ``ratsweg definitions`` (check, show, draw and load a municipality's definitions) and
``ratsweg demo``."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from workflow.cli.audit import echo_events
from workflow.cli.audit_view import echo_replay, echo_verify
from workflow.cli.german import command, group, option
from workflow.cli.options import Runtime, actor_option, pass_runtime, reader_option, user_of
from workflow.cli.output import (
    chosen_format,
    output_options,
    render,
    row_output_options,
    show_day,
)
from workflow.cli.paper_view import emit_graph, graph_options, show_paper
from workflow.core.i18n import N_, _, ngettext
from workflow.core.labels import value_label


@command(help=N_("Create or upgrade the database and load municipality definitions."))
@option(
    "--definitions",
    "sources",
    multiple=True,
    metavar="DIR",
    help=N_("Municipality folder or shipped name (landau, herzogenrath, voelklingen)."),
)
@actor_option
@pass_runtime
def init(rt: Runtime, sources: Sequence[str], user: str | None) -> None:
    from workflow.app import upgrade
    from workflow.definitions import load_catalog, resolve_definitions_dir

    folders = [resolve_definitions_dir(source) for source in sources]
    for folder in folders:  # every folder is valid before the database is touched
        load_catalog(folder)
    rt.service.bodies.require_admin(user_of(user), body=rt.body)
    _echo_upgrade(*upgrade(rt.service))
    for folder in folders:
        body = rt.service.bodies.load_definitions(folder, user=user_of(user))
        click.echo(
            _("loaded {name} ({id}), definitions {version}").format(
                name=body.name, id=body.id, version=body.definitions_version[:12]
            ),
            err=True,
        )


def _echo_upgrade(before: str | None, after: str | None) -> None:
    click.echo(
        _("database schema at revision {after} (was {before})").format(
            after=after, before=before or _("empty")
        ),
        err=True,
    )


@group(help=N_("Database schema."))
def db() -> None:
    pass


@db.command(
    "upgrade",
    help=N_("Apply pending schema migrations (Alembic); an admin once a municipality is loaded."),
)
@actor_option
@pass_runtime
def db_upgrade(rt: Runtime, user: str | None) -> None:
    from workflow.app import upgrade

    rt.service.bodies.require_admin(user_of(user), body=rt.body)
    _echo_upgrade(*upgrade(rt.service))


@db.command(
    "create-app-role",
    help=N_(
        "PostgreSQL: create or update a login role for the application that may only "
        "SELECT and INSERT on the audit table (admin; idempotent, run it again after db "
        "upgrade)."
    ),
)
@click.argument("name")
@option(
    "--password-env",
    metavar="VAR",
    help=N_("Set the role's password from this environment variable (default: keep it)."),
)
@actor_option
@pass_runtime
def db_create_app_role(rt: Runtime, name: str, password_env: str | None, user: str | None) -> None:
    password = None
    if password_env is not None:
        password = os.environ.get(password_env)
        if not password:
            raise click.ClickException(
                _(
                    "environment variable {name} is not set or empty; "
                    "export it with the role's password"
                ).format(name=password_env)
            )
    role = rt.service.audit.create_app_role(
        name, user=user_of(user), password=password, body=rt.body
    )
    done = (
        _(
            "role {name} created in schema {schema}: read and write on {tables} tables, only {rights} on audit_event"
        )
        if role.created
        else _(
            "role {name} updated in schema {schema}: read and write on {tables} tables, only {rights} on audit_event"
        )
    )
    rights = _(" and ").join(role.audit_table_privileges)
    click.echo(
        done.format(name=role.name, schema=role.schema, tables=len(role.tables), rights=rights),
        err=True,
    )


@group(help=N_("Check, show and load municipality definitions."))
def definitions() -> None:
    pass


@definitions.command(
    "check", help=N_("Validate a definitions folder; list every problem with file and line.")
)
@click.argument("directory")
def definitions_check(directory: str) -> None:
    from workflow.definitions import check_definitions, resolve_definitions_dir

    path = resolve_definitions_dir(directory)
    problems = check_definitions(path)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        count = len(problems)
        click.echo(
            ngettext("{n} problem in {path}", "{n} problems in {path}", count).format(
                n=count, path=path
            ),
            err=True,
        )
        sys.exit(1)
    click.echo(_("{path}: ok").format(path=path), err=True)


@definitions.command(
    "show",
    help=N_("Show a municipality's organizations (from DIRECTORY, else the database's current)."),
)
@click.argument("directory", required=False)
@row_output_options
@reader_option
@pass_runtime
def definitions_show(
    rt: Runtime, directory: str | None, fmt: str, as_json: bool, reader: str | None
) -> None:
    from workflow.definitions import load_catalog, resolve_definitions_dir

    catalog = (
        load_catalog(resolve_definitions_dir(directory))
        if directory
        else rt.service.bodies.catalog(rt.body, reader=user_of(reader))
    )
    fmt = chosen_format(fmt, as_json)
    rows = [
        {
            "id": o.id,
            "name": o.name,
            "kind": value_label("organization", o.kind) if fmt == "table" else o.kind,
            "seats": o.seats,
            "public": o.public if o.kind.deliberates else None,
        }
        for o in catalog.organizations.values()
    ]
    if fmt == "table":
        click.echo(
            _("{name} ({state}), definitions {version}").format(
                name=catalog.body.name, state=catalog.body.state, version=catalog.version[:12]
            )
        )
    click.echo(render(rows, list(ORGANIZATION_TITLES), fmt, ORGANIZATION_TITLES))


#: the columns of ``definitions show``: key (JSON, CSV) -> title (table)
ORGANIZATION_TITLES = {
    "id": N_("ID"),
    "name": N_("Name"),
    "kind": N_("Kind"),
    "seats": N_("Seats"),
    "public": N_("Public"),
}
#: the columns of ``definitions outcomes``
OUTCOME_TITLES = {
    "outcome": N_("Result"),
    "label": N_("Label"),
    "effect": N_("Effect on the path"),
    "municipal labels": N_("Municipal labels"),
}


@definitions.command(
    "outcomes",
    help=N_(
        "List the results a step can record, their effect on the path, and the "
        "municipality's own labels for them."
    ),
)
@click.argument("directory", required=False)
@output_options
@reader_option
@pass_runtime
def definitions_outcomes(
    rt: Runtime, directory: str | None, fmt: str, as_json: bool, reader: str | None
) -> None:
    from workflow.core.model import Outcome
    from workflow.definitions import load_catalog, resolve_definitions_dir

    catalog = (
        load_catalog(resolve_definitions_dir(directory))
        if directory
        else rt.service.bodies.catalog(rt.body, reader=user_of(reader))
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
    click.echo(render(rows, list(OUTCOME_TITLES), chosen_format(fmt, as_json), OUTCOME_TITLES))


@definitions.command(
    "graph", help=N_("Draw a lifecycle (states, triggers, guards) as Mermaid, DOT, SVG or PNG.")
)
@click.argument("directory", required=False)
@option("--lifecycle", "name", default="paper", show_default=True, help=N_("Which lifecycle."))
@graph_options
@reader_option
@pass_runtime
def definitions_graph(
    rt: Runtime,
    directory: str | None,
    name: str,
    fmt: str,
    output: str | None,
    reader: str | None,
) -> None:
    from workflow.core.errors import not_found
    from workflow.definitions import load_catalog, resolve_definitions_dir
    from workflow.papers.diagrams import lifecycle_source

    catalog = (
        load_catalog(resolve_definitions_dir(directory))
        if directory
        else rt.service.bodies.catalog(rt.body, reader=user_of(reader))
    )
    if name not in catalog.lifecycles:
        raise not_found("lifecycle", name, catalog.lifecycles, vocabulary=True)
    source = lifecycle_source(catalog.lifecycle(name), "mermaid" if fmt == "mermaid" else "dot")
    emit_graph(source, fmt, output)


@definitions.command(
    "load",
    help=N_("Load a new version of a municipality's definitions (papers keep their version)."),
)
@click.argument("directory")
@actor_option
@pass_runtime
def definitions_load(rt: Runtime, directory: str, user: str | None) -> None:
    from workflow.definitions import resolve_definitions_dir

    folder = resolve_definitions_dir(directory)
    rt.service.bodies.require_admin(user_of(user), body=rt.body)
    body = rt.service.bodies.load_definitions(folder, user=user_of(user))
    click.echo(
        _("{name}: definitions {version}").format(
            name=body.name, version=body.definitions_version[:12]
        ),
        err=True,
    )


# -- demo -------------------------------------------------------------------------------------


@command(
    help=N_("Replay a real Integrationskonzept of a shipped municipality from draft to decision.")
)
@option(
    "--database",
    "demo_database",
    metavar="URL",
    help=N_("Database for the demo (default: a new temporary SQLite file)."),
)
@option(
    "--municipality",
    type=click.Choice(["landau", "voelklingen", "herzogenrath"]),
    default="landau",
    show_default=True,
    help=N_("Whose seed to replay."),
)
@option("--trail", is_flag=True, help=N_("Also print the paper's audit trail."))
def demo(demo_database: str | None, municipality: str, trail: bool) -> None:
    from workflow.demo import DEMO_PASSWORD, run_demo

    result = run_demo(demo_database, municipality)
    click.echo(_("Database: {url}").format(url=result.database_url), err=True)
    click.echo(
        _(
            "Web (demo only): ratsweg web --database {url}, log in as a user of users.yaml "
            "(e.g. admin) with the password {password}"
        ).format(url=result.database_url, password=DEMO_PASSWORD),
        err=True,
    )
    _echo_demo_steps(result)
    show_paper(result.paper, "table")
    if trail:
        click.echo("")
        echo_events(result.trail, "table")
    click.echo("")
    echo_verify(result.report, "table")
    echo_replay([result.replay], "table")
    if not (result.report.ok and result.replay.ok):
        sys.exit(1)


def _echo_demo_steps(result: Any) -> None:
    walk = result.walkthrough
    click.echo(f"{walk.source}: {result.paper.title}")
    for step in result.played:
        part = _("public") if step.item.part.value == "public" else _("non-public")
        click.echo(
            "  "
            + _("{date}  {organization}: TOP {top} ({part}), meeting {meeting}: {result}").format(
                date=show_day(step.date),
                organization=step.organization,
                top=step.item.number,
                part=part,
                meeting=step.meeting_id,
                result=step.result,
            )
        )
    click.echo("")
