"""click in German: the help of every command and option, and click's own words ("Usage:",
"Options", "Show this message and exit.", "No such option"), from ratsweg's catalogue.

Help texts are message ids marked with ``N_`` where a command or option is declared, at import
time; they are translated only when click shows them, so that ``ratsweg --help`` reads the
catalogue once and a command that prints nothing never does::

    @group(help=N_("Create, show and move papers (Vorlagen)."))
    def paper() -> None: ...

    @paper.command("show", help=N_("Show a paper."))      # a German group makes German commands
    @option("--json", is_flag=True, help=N_("Same as --format json."))

click asks gettext for its own words through the name ``_`` (and ``ngettext``) of each of its
modules; ``speak_german`` points those at the catalogue, which holds click's message ids too
(``bin/i18n`` extracts them from the installed click).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

import click

from workflow.core.i18n import N_, _, ngettext

F = TypeVar("F", bound=Callable[..., Any])

#: click's modules that ask gettext for words a person may read
CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "click.utils",
)


def speak_german() -> None:
    """Let click take its own words from the catalogue (idempotent; nothing is read yet)."""
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        module._ = _  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


#: click's words it does not mark for gettext where it writes them: the usage line's, and the
#: "[required]" of an option (click translates it where it shows it)
OPTIONS_METAVAR = N_("[OPTIONS]")
SUBCOMMAND_METAVAR = N_("COMMAND [ARGS]...")
REQUIRED = N_("required")


class German:
    """An attribute click sets to a message id and reads as its German text: the id is kept
    (under ``_<name>_id``) and translated each time click reads the attribute."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.stored = f"_{name}_id"

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        text = getattr(instance, self.stored, None)
        return _(text) if text else text

    def __set__(self, instance: object, value: str | None) -> None:
        setattr(instance, self.stored, value)


class GermanOption(click.Option):
    """An option whose ``help`` is a message id, read in German when click shows it."""

    help = German()


class GermanCommand(click.Command):
    """A command whose ``help``, ``short_help`` and options metavar (click's "[OPTIONS]" is
    OPTIONS_METAVAR's id) are message ids, read in German when shown.

    The service words its refusals without command-line flags (a form shows them too) and names
    the input in ``InvalidInput.field``; when this command has an option for that input, the
    refusal gets the option as a hint, as :func:`option_hint` words it."""

    help = German()
    short_help = German()
    options_metavar = German()

    def invoke(self, ctx: click.Context) -> Any:
        from workflow.core.errors import InvalidInput

        try:
            return super().invoke(ctx)
        except InvalidInput as exc:
            hint = option_hint(ctx, exc.field) if exc.field else ""
            if not hint:
                raise
            # the field is used up: an enclosing group adds no second hint
            raise InvalidInput(f"{exc}{hint}") from exc


def option_hint(ctx: click.Context, field: str) -> str:
    """'; geben Sie --title TEXT an' when the option of ``field`` (its parameter name) was left
    out or blank, '; prüfen Sie --date' when it was given; '' when the command has none."""
    for param in ctx.command.params:
        if isinstance(param, click.Option) and param.name == field and param.opts:
            flag = max(param.opts, key=len)
            value = ctx.params.get(field)
            if isinstance(value, str):
                value = value.strip()
            if value not in (None, "", (), [], False):
                return _("; check {flag}").format(flag=flag)
            if param.is_flag:
                return _("; pass {flag}").format(flag=flag)
            metavar = param.make_metavar(ctx)
            return _("; pass {flag} {metavar}").format(flag=flag, metavar=metavar)
    return ""


class GermanGroup(GermanCommand, click.Group):
    """A German group: its commands and subgroups (``@group.command``) are German too."""

    command_class = GermanCommand
    group_class = type  # subgroups of the same class
    subcommand_metavar = German()


def option(*decls: str, **attrs: Any) -> Callable[[F], F]:
    """``click.option`` with a German help (``help=N_("…")``)."""
    return click.option(*decls, cls=GermanOption, **attrs)


def command(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], GermanCommand]:
    """``click.command`` with a German help, for commands joined to a group elsewhere."""
    return click.command(name, cls=GermanCommand, **attrs)


def group(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], GermanGroup]:
    """``click.group`` with a German help (``cls`` a subclass of GermanGroup); its commands
    are German too."""
    attrs.setdefault("cls", GermanGroup)
    return click.group(name, **attrs)
