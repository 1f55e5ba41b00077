"""What the command groups share: the root group's class, the date types, the runtime that
builds the service on first use, ``--as USER`` and ``pass_runtime``.

Heavy modules (SQLAlchemy, transitions, the service) are imported inside functions so that
``ratsweg --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, ClassVar, TypeVar

import click

from workflow.cli.german import GermanGroup, option
from workflow.core.i18n import N_, _

if TYPE_CHECKING:
    from workflow.service import WorkflowService

F = TypeVar("F", bound=Callable[..., Any])


def error_text(message: object) -> str:
    """``Fehler: …``: how every user error starts on stderr."""
    return _("Error: {message}").format(message=message)


def warning_text(message: object) -> str:
    """``Warnung: …``: a warning on stderr (the action was done)."""
    return _("warning: {message}").format(message=message)


class UserError(click.ClickException):
    """A user error: one line ``Fehler: …`` on stderr and exit code 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(error_text(self.format_message()), file=file or sys.stderr)


class UsageProblem(click.UsageError):
    """A usage error in German: the usage line, how to get help, ``Fehler: …``; exit code 2."""

    def show(self, file: IO[Any] | None = None) -> None:
        out = file or sys.stderr
        if self.ctx is not None:
            hint = ""
            if self.ctx.command.get_help_option(self.ctx) is not None:
                names = self.ctx.command.get_help_option_names(self.ctx)
                hint = _("Try '{command} {option}' for help.").format(
                    command=self.ctx.command_path, option=max(names, key=len)
                )
            usage = self.ctx.get_usage()  # "Aufruf: …": click speaks German (workflow.cli.german)
            click.echo(f"{usage}\n{hint}\n", file=out, color=self.ctx.color)
        click.echo(error_text(self.format_message()), file=out)


def german(exc: click.ClickException) -> click.ClickException:
    """The same error, shown with the German prefix (and hint, for usage errors)."""
    if isinstance(exc, (UserError, UsageProblem)):
        return exc
    if isinstance(exc, click.BadParameter) and not isinstance(exc, click.MissingParameter):
        return UsageProblem(_bad_value(exc), exc.ctx)
    if isinstance(exc, click.UsageError):  # exit code 2, as click's
        return UsageProblem(exc.format_message(), exc.ctx)
    return UserError(exc.format_message())


def _bad_value(exc: click.BadParameter) -> str:
    """click's "Invalid value for '--date': …" in German."""
    hint: Any = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint(exc.ctx)
    if hint is None:
        return _("Invalid value: {message}").format(message=exc.message)
    if not isinstance(hint, str):
        hint = " / ".join(f"'{h}'" for h in hint)
    return _("Invalid value for {param}: {message}").format(param=hint, message=exc.message)


class RatswegGroup(GermanGroup):
    """Maps every WorkflowError to one line ``Fehler: …`` on stderr and exit code 1, and shows
    click's own errors with the German prefix too."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.ClickException as exc:
            raise german(exc) from exc

    def invoke(self, ctx: click.Context) -> Any:
        from workflow.core.errors import DefinitionError, MinutesFileError, WorkflowError

        try:
            return super().invoke(ctx)
        except (DefinitionError, MinutesFileError) as exc:
            for problem in exc.problems:
                click.echo(error_text(problem), err=True)
            ctx.exit(1)
        except WorkflowError as exc:
            raise UserError(str(exc)) from exc
        except click.ClickException as exc:
            raise german(exc) from exc


class DateType(click.ParamType):  # type: ignore[type-arg]
    """Dates as YYYY-MM-DD or DD.MM.YYYY."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                return dt.datetime.strptime(str(value), fmt).date()
            except ValueError:
                continue
        self.fail(
            _("{value!r} is not a date; use YYYY-MM-DD or DD.MM.YYYY").format(value=value),
            param,
            ctx,
        )


DATE: DateType = DateType()


class PlannedType(click.ParamType):  # type: ignore[type-arg]
    """``DATE``, ``-`` (no date), ``POS=DATE`` or ``POS=-``: (position or None, date or
    None)."""

    name = "planned"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        text = str(value).strip()
        if text == "-":
            return (None, None)
        pos, sep, day = text.partition("=")
        if not sep:
            return (None, DATE.convert(text, param, ctx))
        if not pos.strip().isdigit() or int(pos) < 1:
            self.fail(
                _("{value!r}: the step position must be a number from 1, e.g. 2=2025-06-12").format(
                    value=value
                ),
                param,
                ctx,
            )
        if day.strip() == "-":
            return (int(pos), None)
        return (int(pos), DATE.convert(day.strip(), param, ctx))


PLANNED = PlannedType()


class DurationType(click.ParamType):  # type: ignore[type-arg]
    """A duration in seconds: a number, or a number with s, m, h or d (``90``, ``30m``, ``1h``)."""

    name = "duration"
    UNITS: ClassVar[dict[str, int]] = {"s": 1, "m": 60, "h": 3600, "d": 86400}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, float):
            return value
        text = str(value).strip().lower()
        factor = self.UNITS.get(text[-1:], 0)
        number = text[:-1] if factor else text
        try:
            seconds = float(number) * (factor or 1)
        except ValueError:
            seconds = -1.0
        if not seconds >= 1 or seconds == float("inf"):
            self.fail(
                _("{value!r} is not a duration of a second or more; e.g. 3600, 30m, 1h").format(
                    value=value
                ),
                param,
                ctx,
            )
        return seconds


DURATION: DurationType = DurationType()


class Runtime:
    """What the group callback knows; the service is built on first use."""

    def __init__(
        self, database: str | None, body: str | None, service: WorkflowService | None = None
    ) -> None:
        self.database, self.body = database, body
        self._service = service

    @property
    def service(self) -> WorkflowService:
        if self._service is None:
            from workflow.app import Settings, build_service

            self._service = build_service(Settings.from_env(self.database, body=self.body))
        return self._service


def actor_option(func: F) -> F:
    """``--as USER`` (else RATSWEG_USER, else the login name) on every mutating command."""
    return option(
        "--as",
        "user",
        metavar="USER",
        help=N_("Act as this user (default: RATSWEG_USER, then the login name)."),
    )(func)


def reader_option(func: F) -> F:
    """``--as USER`` (else RATSWEG_USER, else the login name) on every command that reads the
    database: the service decides whether the user may read it."""
    return option(
        "--as",
        "reader",
        metavar="USER",
        help=N_("Read as this user (default: RATSWEG_USER, then the login name)."),
    )(func)


def pass_runtime(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(click.get_current_context().find_object(Runtime), *args, **kwargs)

    return wrapper


def user_of(explicit: str | None) -> str | None:
    from workflow.app import resolve_user

    return resolve_user(explicit)


def text_or_file(text: str | None, text_file: str | None) -> str | None:
    """``--text`` or the contents of ``--text-file`` (UTF-8), not both."""
    from workflow.papers.votes import read_text_file

    if text_file is None:
        return text
    if text is not None:
        raise UsageProblem(_("pass either --text or --text-file, not both"))
    return read_text_file(text_file)
