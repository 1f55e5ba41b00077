"""Rendering of rows as table, JSON, CSV or NDJSON; ``output_options`` adds the flags to a
command. ``write_rows`` streams rows to a file as they come, in constant memory."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import enum
import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from workflow.cli.german import option
from workflow.core.clock import local
from workflow.core.i18n import N_, _, day_text

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = ("table", "json", "csv")
#: for commands that list rows: NDJSON is one JSON object per line
ROW_FORMATS = (*FORMATS, "ndjson")
#: for exports: no table, and each row is written as soon as it is read
STREAM_FORMATS = ("json", "csv", "ndjson")


def output_options(func: F) -> F:
    """``--format table|json|csv`` and ``--json`` (short for ``--format json``)."""
    return _output_options(func, FORMATS)


def row_output_options(func: F) -> F:
    """``--format table|json|csv|ndjson`` and ``--json``, for commands that list rows."""
    return _output_options(func, ROW_FORMATS)


def _output_options(func: F, formats: Sequence[str]) -> F:
    func = option("--json", "as_json", is_flag=True, help=N_("Same as --format json."))(func)
    return option(
        "--format",
        "fmt",
        type=click.Choice(formats),
        default="table",
        show_default=True,
        help=N_("Output format."),
    )(func)


def chosen_format(fmt: str, as_json: bool) -> str:
    return "json" if as_json else fmt


def to_plain(value: Any) -> Any:
    """JSON-ready values: ISO-8601 dates, UTC datetimes, enum values."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, frozenset, set)):
        return [to_plain(v) for v in value]
    return value


def show_datetime(value: dt.datetime | None) -> str:
    return local(value).strftime("%d.%m.%Y %H:%M:%S") if value else ""


def show_date(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def show_day(value: dt.date | None) -> str:
    """``Di 13.12.2011``: a date with its weekday (meetings, deadlines)."""
    return day_text(value)


def show_start(value: dt.datetime | None) -> str:
    """``Di 13.12.2011 17:00``: when a meeting starts, local time."""
    if value is None:
        return ""
    at = local(value)
    return f"{day_text(at.date())} {at:%H:%M}"


def state_line(subject: object, label: str, state: str) -> str:
    """``V/2025/1: Freigegeben (released)``: what an action left behind."""
    return _("{subject}: {label} ({state})").format(subject=subject, label=label, state=state)


def render(
    rows: Sequence[Mapping[str, Any]],
    headers: Sequence[str],
    fmt: str,
    titles: Mapping[str, str] | None = None,
) -> str:
    """``rows`` as ``fmt``. JSON, CSV and NDJSON use the keys; a table shows each key's title
    from ``titles`` (English ids marked with ``N_``, shown in German)."""
    if fmt == "json":
        return json.dumps([to_plain(r) for r in rows], ensure_ascii=False, indent=2)
    if fmt == "ndjson":
        return "\n".join(_json_line(r) for r in rows)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, fieldnames=list(headers), extrasaction="ignore", lineterminator="\n"
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row.get(k)) for k in headers})
        return buffer.getvalue().rstrip("\n")
    from tabulate import tabulate

    table = [[_cell(row.get(h)) for h in headers] for row in rows]
    shown = [_(titles[h]) if titles and h in titles else h for h in headers]
    return tabulate(table, headers=shown, tablefmt="simple", disable_numparse=True)


def echo_rows(
    rows: Sequence[Mapping[str, Any]],
    headers: Sequence[str],
    fmt: str,
    titles: Mapping[str, str] | None = None,
) -> None:
    """``render`` to stdout; an empty NDJSON list prints nothing (not an empty line)."""
    text = render(rows, headers, fmt, titles)
    if text or fmt != "ndjson":
        click.echo(text)


def render_object(value: Mapping[str, Any]) -> str:
    return json.dumps(to_plain(value), ensure_ascii=False, indent=2)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return show_datetime(value)
    if isinstance(value, dt.date):
        return show_date(value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return _("true") if value else _("false")
    return str(value)


def write_rows(
    rows: Iterable[Mapping[str, Any]], headers: Sequence[str], fmt: str, out: TextIO
) -> int:
    """Write rows as JSON (an array), CSV or NDJSON as they come; return how many.

    CSV cells are the plain values (ISO-8601 UTC instants, JSON text for nested values), so that
    a CSV export can be read back exactly."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(headers), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _plain_cell(row.get(k)) for k in headers})
            count += 1
        return count
    if fmt == "json":
        out.write("[")
    for row in rows:
        if fmt == "json":
            out.write(",\n" if count else "\n")
        out.write(_json_line(row))
        if fmt == "ndjson":
            out.write("\n")
        count += 1
    if fmt == "json":
        out.write("\n]\n" if count else "]\n")
    return count


def _json_line(row: Mapping[str, Any]) -> str:
    return json.dumps(to_plain(row), ensure_ascii=False)


def _plain_cell(value: Any) -> str:
    plain = to_plain(value)
    if plain is None:
        return ""
    if isinstance(plain, (dict, list)):
        return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return str(plain)


@contextlib.contextmanager
def open_output(path: str | None) -> Iterator[TextIO]:
    """stdout, or ``path`` written through a temporary file that replaces it only on success."""
    if path is None:
        yield sys.stdout
        return
    target = Path(path)
    if target.is_dir():
        raise click.ClickException(
            _("{path!r} is a directory; give a file name, e.g. {example!r}").format(
                path=path, example=str(target / "export.txt")
            )
        )
    part = target.with_name(target.name + ".part")
    try:
        handle = part.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with handle:
            yield handle
        try:
            part.replace(target)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
    finally:
        if part.exists():
            part.unlink()


@contextlib.contextmanager
def claim_file(path: str | None) -> Iterator[TextIO]:
    """A new file (never overwritten), created before the work so that a bad path fails first,
    and removed again if the work fails."""
    if path is None:
        yield sys.stdout
        return
    try:
        handle = Path(path).open("x", encoding="utf-8")  # noqa: SIM115 (closed below)
    except FileExistsError:
        raise click.ClickException(
            _("{path!r} exists; seals are never overwritten, choose a new file name").format(
                path=path
            )
        ) from None
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    done = False
    try:
        with handle:
            yield handle
        done = True
    finally:
        if not done:
            with contextlib.suppress(OSError):
                Path(path).unlink()


def _cannot_write(path: str, exc: OSError) -> click.ClickException:
    reason = exc.strerror or exc
    return click.ClickException(
        _("cannot write {path!r}: {reason}").format(path=path, reason=reason)
    )
