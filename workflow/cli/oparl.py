"""``ratsweg oparl``: OParl, the open standard API of council information systems: publish the
public record as OParl 1.1 (export, serve), check OParl trees (validate) and import another
system's data (import). ``workflow.cli.root`` registers the group.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workflow.cli.german import group, option
from workflow.cli.options import Runtime, UsageProblem, actor_option, pass_runtime, user_of
from workflow.core.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from workflow.oparl.importer import ImportReport

PAGE_SIZE = click.IntRange(min=1, max=10_000)


@group(
    help=N_("OParl 1.1: publish the public record, check OParl data, import another system's data.")
)
def oparl() -> None:
    pass


@oparl.command(
    "import",
    help=N_(
        "Import papers, meetings and results from OParl 1.0/1.1: a folder of JSON files, "
        "one JSON file (a list page) or the URL of an endpoint. Each paper is replayed "
        "through the engine in its own transaction; one it cannot explain is reported, "
        "not forced."
    ),
)
@click.argument("source")
@option(
    "--generate-definitions",
    "generate",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="OUT_DIR",
    help=N_("Write definitions for the source's Body and organizations instead of importing."),
)
@option("--name", help=N_("With --generate-definitions: the municipality's name."))
@option("--state", help=N_("With --generate-definitions: its Bundesland code (NW, BW, …)."))
@option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help=N_("Write every paper's outcome and reason as JSON."),
)
@option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="HOST[:PORT]",
    help=N_("Also follow links of a live endpoint to this host (repeat); default: its own only."),
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
    allow_hosts: tuple[str, ...],
    user: str | None,
) -> None:
    from workflow.oparl.generate import generate_definitions
    from workflow.oparl.importer import import_source, require_importer
    from workflow.oparl.source import read_source

    if generate is not None:
        read = read_source(source, allow_hosts=allow_hosts)
        written = generate_definitions(read, generate, name=name, state=state)
        count = len(written)
        click.echo(
            ngettext(
                "wrote {n} definition file to {folder}",
                "wrote {n} definition files to {folder}",
                count,
            ).format(n=count, folder=generate),
            err=True,
        )
        click.echo(
            _("next: ratsweg init --definitions {folder}, then import again").format(
                folder=generate
            ),
            err=True,
        )
        return
    if name or state:
        raise UsageProblem(_("--name and --state belong to --generate-definitions"))
    require_importer(rt.service.shared, user_of(user), rt.body)  # before the source is read
    read = read_source(source, allow_hosts=allow_hosts)
    report = import_source(rt.service.shared, read, user=user_of(user), body=rt.body)
    if report_file is not None:
        text = json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
        report_file.write_text(text + "\n", encoding="utf-8")
    _summary(report)


def _summary(report: ImportReport) -> None:
    click.echo(
        _(
            "OParl {version} from {source}: imported {imported}, updated {updated}, unchanged "
            "{unchanged}, reported {reported}; {meetings} meetings created, {deleted} deleted "
            "objects ignored"
        ).format(
            version=report.version or "?",
            source=report.source,
            imported=report.count("imported"),
            updated=report.count("updated"),
            unchanged=report.count("unchanged"),
            reported=report.count("reported"),
            meetings=report.meetings_created,
            deleted=report.deleted,
        )
    )
    for paper in report.papers:
        name = paper.reference or paper.oparl_id
        if paper.status == "updated":
            changes = "; ".join(paper.changes)
            click.echo(
                "  " + _("updated {number}: {changes}").format(number=paper.number, changes=changes)
            )
        elif paper.status == "reported":
            click.echo("  " + _("reported {name}: {reason}").format(name=name, reason=paper.reason))
    for problem in report.problems:
        click.echo("  " + _("source problem: {problem}").format(problem=problem))
    if report.vendor_keys:
        keys = ", ".join(f"{k} ({n})" for k, n in report.vendor_keys.items())
        click.echo("  " + _("vendor keys ignored: {keys}").format(keys=keys))
    if report.problems:
        raise click.ClickException(
            _(
                "{n} part(s) of the source could not be read (listed above); "
                "fix them and import again: what was imported stays"
            ).format(n=len(report.problems))
        )


# -- export, serve, validate -----------------------------------------------------------------


@oparl.command(
    "export",
    help=N_("Write the public record as a static OParl 1.1 tree into OUT_DIR (new or empty)."),
)
@click.argument("out_dir", type=click.Path(path_type=Path))
@option("--base-url", required=True, metavar="URL", help=N_("Public URL the tree is served at."))
@option("--page-size", type=PAGE_SIZE, default=100, show_default=True, help=N_("List page size."))
@pass_runtime
def oparl_export(rt: Runtime, out_dir: Path, base_url: str, page_size: int) -> None:
    from workflow.oparl.export import export_tree
    from workflow.oparl.publication import parse_base_url

    summary = export_tree(rt.service.shared, out_dir, parse_base_url(base_url), page_size)
    click.echo(
        _("exported {objects} objects, {pages} list pages and {files} files to {folder}").format(
            objects=summary.objects,
            pages=summary.pages,
            files=summary.files,
            folder=summary.directory,
        ),
        err=True,
    )


@oparl.command(
    "serve", help=N_("Serve the public record read-only over HTTP as OParl 1.1 (Ctrl-C stops).")
)
@option("--host", default="127.0.0.1", show_default=True, help=N_("Address to listen on."))
@option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help=N_("Port to listen on."),
)
@option("--base-url", metavar="URL", help=N_("Fixed public URL (default: as the client asks)."))
@option("--page-size", type=PAGE_SIZE, default=100, show_default=True, help=N_("List page size."))
@pass_runtime
def oparl_serve(rt: Runtime, host: str, port: int, base_url: str | None, page_size: int) -> None:
    from workflow.oparl.publication import parse_base_url
    from workflow.oparl.server import make_server

    fixed = parse_base_url(base_url) if base_url else None
    rt.service.bodies.list_bodies()  # fail now, with one line, if the database is unusable
    server = make_server(rt.service.shared, host, port, page_size=page_size, base_url=fixed)
    shown = fixed or "http://{}:{}".format(*server.server_address[:2])
    click.echo(_("serving OParl 1.1 at {url}/system (Ctrl-C stops)").format(url=shown), err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo(_("stopped"), err=True)
    finally:
        server.server_close()


@oparl.command(
    "validate",
    help=N_("Check an OParl tree (or one JSON file) against the OParl schemas and client rules."),
)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def oparl_validate(path: Path) -> None:
    from workflow.oparl.validate import validate_path

    report = validate_path(path)
    for problem in report.problems:
        click.echo(str(problem))
    summary = _("{objects} objects and {pages} list pages in {files} files").format(
        objects=report.objects, pages=report.pages, files=report.files
    )
    if not report.ok:
        click.echo(
            _("{n} problems in {summary}").format(n=len(report.problems), summary=summary),
            err=True,
        )
        raise SystemExit(1)
    click.echo(_("valid: {summary}").format(summary=summary), err=True)
