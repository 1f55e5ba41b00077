"""``ratsweg web``: the browser workplace."""

from __future__ import annotations

import click

from workflow.cli.options import Runtime, pass_runtime
from workflow.core.i18n import _


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes (sessions are in the database, so any worker serves any user).",
)
@click.option("--database", metavar="URL", help="Database URL (default: ratsweg --database).")
@click.option("--body", metavar="ID", help="Municipality served (default: ratsweg --body).")
@pass_runtime
def web(
    rt: Runtime, host: str, port: int, workers: int, database: str | None, body: str | None
) -> None:
    """Serve the web workplace (log in with a password set by 'ratsweg user set-password')."""
    from workflow.web.server import serve

    click.echo(_("ratsweg web on http://{host}:{port}/").format(host=host, port=port), err=True)
    serve(database or rt.database, body or rt.body, host, port, workers)
