"""``ratsweg oparl ...``: OParl, the open standard API of council information systems.

Same shape as every command in ``workflow.cli``; ``cli.py`` registers the group.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workflow.cli import Runtime, actor_option, pass_runtime, user_of

if TYPE_CHECKING:
    from workflow.oparl_import import ImportReport


@click.group()
def oparl() -> None:
    """OParl: import another council information system's data."""


@oparl.command("import")
@click.argument("source")
@click.option(
    "--generate-definitions",
    "generate",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="OUT_DIR",
    help="Write definitions for the source's Body and organizations instead of importing.",
)
@click.option("--name", help="With --generate-definitions: the municipality's name.")
@click.option("--state", help="With --generate-definitions: its Bundesland code (NW, BW, …).")
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write every paper's outcome and reason as JSON.",
)
@actor_option
@pass_runtime
def oparl_import(
    rt: Runtime,
    source: str,
    generate: Path | None,
    name: str | None,
    state: str | None,
    report_file: Path | None,
    user: str | None,
) -> None:
    """Import papers, meetings and results from OParl 1.0/1.1: a folder of JSON files, one
    JSON file (a list page) or the URL of an endpoint. Each paper is replayed through the
    engine in its own transaction; one it cannot explain is reported, not forced."""
    from workflow.oparl_generate import generate_definitions
    from workflow.oparl_import import import_source
    from workflow.oparl_source import read_source

    if generate is not None:
        written = generate_definitions(read_source(source), generate, name=name, state=state)
        click.echo(f"wrote {len(written)} definition files to {generate}", err=True)
        click.echo(f"next: ratsweg init --definitions {generate}, then import again", err=True)
        return
    if name or state:
        raise click.UsageError("--name and --state belong to --generate-definitions")
    rt.service.require_admin(user_of(user), body=rt.body)
    report = import_source(rt.service, read_source(source), user=user_of(user), body=rt.body)
    if report_file is not None:
        text = json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
        report_file.write_text(text + "\n", encoding="utf-8")
    _summary(report)


def _summary(report: ImportReport) -> None:
    click.echo(
        f"OParl {report.version or '?'} from {report.source}: imported {report.count('imported')}"
        f", skipped as already imported {report.count('skipped')}, reported "
        f"{report.count('reported')}; {report.meetings_created} meetings created, "
        f"{report.deleted} deleted objects ignored"
    )
    for paper in report.papers:
        if paper.status == "reported":
            click.echo(f"  reported {paper.reference or paper.oparl_id}: {paper.reason}")
    for problem in report.problems:
        click.echo(f"  source problem: {problem}")
    if report.vendor_keys:
        keys = ", ".join(f"{k} ({n})" for k, n in report.vendor_keys.items())
        click.echo(f"  vendor keys ignored: {keys}")
    if report.problems:
        raise click.ClickException(
            f"{len(report.problems)} part(s) of the source could not be read (listed above); "
            "fix them and import again: what was imported stays"
        )
