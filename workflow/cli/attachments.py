"""``ratsweg paper attach``: add an Anlage to a paper. ``cli.py`` registers the command."""

from __future__ import annotations

from pathlib import Path

import click

from workflow.cli import Runtime, actor_option, pass_runtime, user_of


@click.command("attach")
@click.argument("number")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--non-public", is_flag=True, help="Nichtöffentliche Anlage: never published.")
@click.option("--name", "file_name", metavar="NAME", help="File name to show (default: FILE's).")
@click.option("--media-type", metavar="TYPE", help="e.g. application/pdf (default: guessed).")
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
    """Attach FILE to a paper as an Anlage, public unless --non-public."""
    view = rt.service.attachments.attach_file(
        number,
        file,
        user=user_of(user),
        public=not non_public,
        file_name=file_name,
        media_type=media_type,
        body=rt.body,
    )
    part = "öffentlich" if view.public else "nichtöffentlich"
    click.echo(
        f"{number}: attached {view.file_name} ({view.media_type}, {view.size} bytes, {part})",
        err=True,
    )
