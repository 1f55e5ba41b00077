"""``ratsweg web``: the browser workplace."""

from __future__ import annotations

import click

from workflow.cli.german import command, option
from workflow.cli.options import Runtime, pass_runtime
from workflow.core.i18n import N_, _


@command(
    help=N_("Serve the web workplace (log in with a password set by 'ratsweg user set-password').")
)
@option("--host", default="127.0.0.1", show_default=True, help=N_("Address to listen on."))
@option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help=N_("Port to listen on."),
)
@option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help=N_("Processes (sessions are in the database, so any worker serves any user)."),
)
@option("--database", metavar="URL", help=N_("Database URL (default: ratsweg --database)."))
@option("--body", metavar="ID", help=N_("Municipality served (default: ratsweg --body)."))
@pass_runtime
def web(
    rt: Runtime, host: str, port: int, workers: int, database: str | None, body: str | None
) -> None:
    from workflow.web.server import serve

    click.echo(_("ratsweg web on http://{host}:{port}/").format(host=host, port=port), err=True)
    serve(database or rt.database, body or rt.body, host, port, workers)
