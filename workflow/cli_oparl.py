"""``ratsweg oparl``: publish the public record as OParl 1.1 (export, serve) and check OParl
trees (validate). ``cli.py`` registers the group.
"""

from __future__ import annotations

from pathlib import Path

import click

from workflow.cli import Runtime, pass_runtime

PAGE_SIZE = click.IntRange(min=1, max=10_000)


@click.group()
def oparl() -> None:
    """OParl 1.1: publish the public record, check OParl data."""


# -- export, serve, validate -----------------------------------------------------------------


@oparl.command("export")
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option("--base-url", required=True, metavar="URL", help="Public URL the tree is served at.")
@click.option("--page-size", type=PAGE_SIZE, default=100, show_default=True, help="List page size.")
@pass_runtime
def oparl_export(rt: Runtime, out_dir: Path, base_url: str, page_size: int) -> None:
    """Write the public record as a static OParl 1.1 tree into OUT_DIR (new or empty)."""
    from workflow.oparl.export import export_tree
    from workflow.oparl.publication import parse_base_url

    summary = export_tree(rt.service, out_dir, parse_base_url(base_url), page_size)
    click.echo(
        f"exported {summary.objects} objects, {summary.pages} list pages and "
        f"{summary.files} files to {summary.directory}",
        err=True,
    )


@oparl.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--base-url", metavar="URL", help="Fixed public URL (default: as the client asks).")
@click.option("--page-size", type=PAGE_SIZE, default=100, show_default=True, help="List page size.")
@pass_runtime
def oparl_serve(rt: Runtime, host: str, port: int, base_url: str | None, page_size: int) -> None:
    """Serve the public record read-only over HTTP as OParl 1.1 (Ctrl-C stops)."""
    from workflow.oparl.publication import parse_base_url
    from workflow.oparl.server import make_server

    fixed = parse_base_url(base_url) if base_url else None
    rt.service.list_bodies()  # fail now, with one line, if the database is unusable
    server = make_server(rt.service, host, port, page_size=page_size, base_url=fixed)
    shown = fixed or "http://{}:{}".format(*server.server_address[:2])
    click.echo(f"serving OParl 1.1 at {shown}/system (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()


@oparl.command("validate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def oparl_validate(path: Path) -> None:
    """Check an OParl tree (or one JSON file) against the OParl schemas and client rules."""
    from workflow.oparl.validate import validate_path

    report = validate_path(path)
    for problem in report.problems:
        click.echo(str(problem))
    summary = f"{report.objects} objects and {report.pages} list pages in {report.files} files"
    if not report.ok:
        click.echo(f"{len(report.problems)} problems in {summary}", err=True)
        raise SystemExit(1)
    click.echo(f"valid: {summary}", err=True)
