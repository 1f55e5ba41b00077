"""The root group ``ratsweg``: the only place that registers groups and commands on it (and
the commands of other modules on ``paper`` and ``meeting``). Nothing registers itself on import.

Heavy modules (SQLAlchemy, transitions, the service) are imported inside the commands so that
``ratsweg --help`` stays fast.
"""

from __future__ import annotations

import click

from workflow.cli.agenda import meeting_move_item, meeting_order, meeting_remove_item
from workflow.cli.audit import audit
from workflow.cli.calendar import calendar
from workflow.cli.chain import paper_answer, paper_chain, paper_overrule, paper_supplement
from workflow.cli.consultations import consultation
from workflow.cli.decisions import (
    decisions,
    paper_finalize,
    paper_object,
    paper_procedures,
    paper_supervisory,
    paper_urgent_decision,
)
from workflow.cli.german import group, option, speak_german
from workflow.cli.meetings import meeting
from workflow.cli.oparl import oparl
from workflow.cli.options import RatswegGroup, Runtime
from workflow.cli.paper_list import paper_list
from workflow.cli.papers import paper
from workflow.cli.reminders import deadlines, reminders, worker
from workflow.cli.setup import db, definitions, demo, init
from workflow.cli.users import user
from workflow.cli.web import web
from workflow.core.i18n import N_, _

speak_german()  # click's own words ("Aufruf:", "Optionen") from the catalogue, when it shows them


@group(
    cls=RatswegGroup,
    help=N_("ratsweg routes council papers (Vorlagen) along their Beratungsfolge."),
)
@option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: show_version(ctx, value),
    help=N_("Show the version and exit."),
)
@option(
    "--database",
    envvar="RATSWEG_DATABASE_URL",
    metavar="URL",
    help=N_("Database URL (env RATSWEG_DATABASE_URL; default sqlite:///ratsweg.db)."),
)
@option(
    "--body",
    envvar="RATSWEG_BODY",
    metavar="ID",
    help=N_("Municipality, when the database holds several (env RATSWEG_BODY)."),
)
@click.pass_context
def cli(ctx: click.Context, database: str | None, body: str | None) -> None:
    if not isinstance(ctx.obj, Runtime):
        ctx.obj = Runtime(database, body, service=ctx.obj)


def show_version(ctx: click.Context, wanted: bool) -> None:
    """``ratsweg, Version 0.1.0``, then exit."""
    if not wanted or ctx.resilient_parsing:
        return
    from importlib.metadata import version

    text = _("{prog}, version {version}").format(prog=ctx.info_name, version=version("ratsweg"))
    click.echo(text, color=ctx.color)
    ctx.exit()


def main() -> None:
    cli(prog_name="ratsweg")


for _command in (
    init,
    db,
    definitions,
    paper,
    consultation,
    deadlines,
    reminders,
    worker,
    demo,
    meeting,
    audit,
    decisions,
    oparl,
    calendar,
    user,
    web,
):
    cli.add_command(_command)

for _command in (meeting_order, meeting_remove_item, meeting_move_item):
    meeting.add_command(_command)

for _command in (
    paper_list,
    paper_urgent_decision,
    paper_object,
    paper_finalize,
    paper_supervisory,
    paper_procedures,
    paper_supplement,
    paper_chain,
    paper_overrule,
    paper_answer,
):
    paper.add_command(_command)
