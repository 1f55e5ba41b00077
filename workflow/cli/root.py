"""The root group ``ratsweg``: the only place that registers groups and commands on it (and
the commands of other modules on ``paper``). Nothing registers itself on import.

Heavy modules (SQLAlchemy, transitions, the service) are imported inside the commands so that
``ratsweg --help`` stays fast.
"""

from __future__ import annotations

import click

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
from workflow.cli.meetings import meeting
from workflow.cli.oparl import oparl
from workflow.cli.options import RatswegGroup, Runtime
from workflow.cli.papers import paper
from workflow.cli.reminders import deadlines, reminders, worker
from workflow.cli.setup import db, definitions, demo, init
from workflow.cli.users import user
from workflow.cli.web import web


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

for _command in (
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
