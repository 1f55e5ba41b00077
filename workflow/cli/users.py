"""``ratsweg user``: passwords of the definitions' users for the web workplace."""

from __future__ import annotations

import os

import click

from workflow.cli.german import group, option
from workflow.cli.options import Runtime, UserError, actor_option, pass_runtime, user_of
from workflow.core.i18n import N_, _


@group(help=N_("Users of the definitions: their web passwords."))
def user() -> None:
    pass


@user.command(
    "set-password",
    help=N_(
        "Set USER's password for 'ratsweg web' (admin; stored as an argon2id hash, audited "
        "without it). Prompts twice with hidden input unless --password-env is given."
    ),
)
@click.argument("user_id", metavar="USER")
@option(
    "--password-env",
    metavar="VAR",
    help=N_("Read the password from this environment variable instead of a prompt."),
)
@actor_option
@pass_runtime
def user_set_password(
    rt: Runtime, user_id: str, password_env: str | None, user: str | None
) -> None:
    password = _password(password_env)
    rt.service.accounts.set_password(user_id, password, user=user_of(user), body=rt.body)
    click.echo(_("password of {user} set").format(user=user_id), err=True)


def _password(password_env: str | None) -> str:
    if password_env is not None:
        password = os.environ.get(password_env)
        if not password:
            raise UserError(
                _("environment variable {name} is not set or empty").format(name=password_env)
            )
        return password
    first = click.prompt(_("Password"), hide_input=True, default="", show_default=False)
    second = click.prompt(_("Repeat the password"), hide_input=True, default="", show_default=False)
    if first != second:
        raise UserError(_("the two passwords differ; nothing was changed"))
    return str(first)
