"""``ratsweg audit``: trail, search, export, seal and verify. Part of the command line (it
prints); ``workflow.cli.root`` adds the group. Heavy modules are imported inside the commands."""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from workflow.cli.options import DATE, Runtime, actor_option, pass_runtime, reader_option, user_of
from workflow.cli.output import (
    STREAM_FORMATS,
    chosen_format,
    output_options,
    render,
    render_object,
    row_output_options,
    show_datetime,
    write_rows,
)

if TYPE_CHECKING:
    from workflow.audit.replay import ReplayReport
    from workflow.core.model import AuditEventView, AuditQuery, Seal, SealCheck, VerifyReport

#: one exported event: everything needed to recompute its hash, plus the paper's number
EVENT_FIELDS = (
    "stream",
    "seq",
    "paper_number",
    "paper_id",
    "occurred_at",
    "actor",
    "action",
    "from_state",
    "to_state",
    "payload",
    "prev_hash",
    "hash",
)
TABLE_HEADERS = ["#", "Zeit", "Vorlage", "Akteur", "Aktion", "Zustand", "Details", "Hash"]


@click.group()
def audit() -> None:
    """Read, search, export, seal and verify the audit trail."""


@audit.command("trail")
@click.argument("number")
@click.option(
    "--chain/--no-chain",
    default=True,
    show_default=True,
    help="Include the original and every Ergänzungsvorlage of the paper's chain.",
)
@row_output_options
@reader_option
@pass_runtime
def audit_trail(
    rt: Runtime, number: str, chain: bool, fmt: str, as_json: bool, reader: str | None
) -> None:
    """Show every recorded change of a paper (and of its chain), oldest first per paper."""
    fmt = chosen_format(fmt, as_json)
    if not chain:
        echo_events(rt.service.audit.audit_trail(number, body=rt.body, reader=user_of(reader)), fmt)
        return
    events = rt.service.supplements.chain_audit_trail(number, body=rt.body, reader=user_of(reader))
    papers = list(dict.fromkeys(e.paper_number for e in events))
    if fmt != "table" or len(papers) < 2:
        echo_events(events, fmt)
        return
    for index, paper in enumerate(papers):
        click.echo(("\n" if index else "") + f"== {paper} ==")
        echo_events([e for e in events if e.paper_number == paper], fmt)


def filter_options(func: Any) -> Any:
    """The filters of ``audit search`` and ``audit export``; all given filters must match."""
    options = [
        click.option("--paper", metavar="NUMBER", help="Events of this paper."),
        click.option("--actor", metavar="USER", help="Events by this user."),
        click.option("--action", metavar="ACTION", help="e.g. result_recorded, co_signed."),
        click.option("--paper-type", metavar="TYPE", help="Events of papers of this type."),
        click.option(
            "--organization",
            metavar="ID",
            help="Events naming this organization or office (steps, results, co-signatures).",
        ),
        click.option(
            "--meeting",
            type=click.IntRange(min=1),
            metavar="ID",
            help="Events of the papers on this meeting's agenda, and the meeting's own events.",
        ),
        click.option("--since", type=DATE, help="From this day (Europe/Berlin), inclusive."),
        click.option("--until", type=DATE, help="To this day (Europe/Berlin), inclusive."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def audit_query(filters: dict[str, Any]) -> AuditQuery:
    from workflow.core.model import AuditQuery

    return AuditQuery(**filters)


@audit.command("search")
@filter_options
@row_output_options
@reader_option
@pass_runtime
def audit_search(rt: Runtime, fmt: str, as_json: bool, reader: str | None, **filters: Any) -> None:
    """Find events by paper, actor, action, paper type, organization, meeting and date."""
    fmt = chosen_format(fmt, as_json)
    query = audit_query(filters)
    if fmt == "table":
        found = rt.service.audit.search_audit(query, body=rt.body, reader=user_of(reader))
        echo_events(found, fmt, paper_column=True)
        return
    with rt.service.audit.audit_events(query, body=rt.body, reader=user_of(reader)) as events:
        write_rows((event_record(e) for e in events), EVENT_FIELDS, fmt, sys.stdout)


@audit.command("export")
@filter_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(STREAM_FORMATS),
    default="ndjson",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    help="Write to this file (default: stdout).",
)
@reader_option
@pass_runtime
def audit_export(
    rt: Runtime, fmt: str, output: str | None, reader: str | None, **filters: Any
) -> None:
    """Export events (all, or filtered like search) with everything needed to re-verify them;
    streams in constant memory, with a progress bar when stderr is a terminal."""
    query = audit_query(filters)
    with (
        rt.service.audit.audit_events(query, body=rt.body, reader=user_of(reader)) as events,
        open_output(output) as out,
    ):
        rows: Iterable[AuditEventView] = events
        if show_progress(to_file=output is not None):
            bar = click.progressbar(
                events, length=events.count(), label="exporting", file=sys.stderr
            )
            with bar:
                count = write_rows((event_record(e) for e in bar), EVENT_FIELDS, fmt, out)
        else:
            count = write_rows((event_record(e) for e in rows), EVENT_FIELDS, fmt, out)
    click.echo(f"exported {count} events" + (f" to {output}" if output else ""), err=True)


@audit.command("seal")
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the seal to this new file (default: stdout). Keep it outside the database.",
)
@actor_option
@pass_runtime
def audit_seal(rt: Runtime, output: str | None, user: str | None) -> None:
    """Record the heads of all hash chains and a root hash over them (auditor or admin)."""
    from workflow.audit.seal import dump_seal
    from workflow.core.clock import local

    with claim_file(output) as out:
        seal = rt.service.audit.seal_audit(user=user_of(user), body=rt.body)
        out.write(dump_seal(seal))
    click.echo(
        f"sealed {seal.events} events in {len(seal.heads)} chains at "
        f"{show_datetime(local(seal.sealed_at))}; root hash {seal.root_hash}",
        err=True,
    )


@audit.command("verify")
@click.option(
    "--seal",
    "seal_file",
    type=click.Path(dir_okay=False),
    help="Also prove that nothing recorded up to this seal was changed, deleted or reordered.",
)
@click.option(
    "--seals",
    "seal_dir",
    type=click.Path(file_okay=False),
    help="Check against every seal file (*.json) in this folder, e.g. the worker's --seal-dir.",
)
@output_options
@reader_option
@pass_runtime
def audit_verify(
    rt: Runtime,
    seal_file: str | None,
    seal_dir: str | None,
    fmt: str,
    as_json: bool,
    reader: str | None,
) -> None:
    """Recompute every hash chain and check that every paper, meeting and municipality has a
    chain that reaches its stored state; report the first broken link and exit 1."""
    from workflow.audit.seal import read_seal, read_seal_dir

    seal = read_seal(seal_file) if seal_file else None
    files = read_seal_dir(seal_dir) if seal_dir else ()
    report = rt.service.audit.verify_audit(seal, seals=files, body=rt.body, reader=user_of(reader))
    echo_verify(report, chosen_format(fmt, as_json), seal)
    if not report.ok:
        sys.exit(1)


@audit.command("report")
@click.argument("number")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the HTML to this file (default: stdout, unless --pdf is given).",
)
@click.option(
    "--pdf",
    type=click.Path(dir_okay=False),
    help="Write a PDF too (needs WeasyPrint, wkhtmltopdf or Chromium).",
)
@reader_option
@pass_runtime
def audit_report(
    rt: Runtime, number: str, output: str | None, pdf: str | None, reader: str | None
) -> None:
    """Write the decision trail of a paper as a printable HTML document (German): its path,
    consultations with publicity, results and votes, text versions, deadlines, audit events
    and the state of its hash chain."""
    from workflow.audit.report import find_pdf_converter, render_report, write_pdf

    converter = find_pdf_converter() if pdf else None  # before any work: nothing is written
    trails = rt.service.trail.paper_report(number, body=rt.body, reader=user_of(reader))
    document = render_report(trails, generated_at=rt.service.clock.now())
    if output or not pdf:
        with open_output(output) as out:
            out.write(document)
    if pdf and converter:
        write_pdf(document, Path(pdf), converter)
    written = [name for name in (output, pdf) if name]
    chain = "intact" if all(t.chain_break is None for t in trails) else "BROKEN"
    where = f" to {', '.join(written)}" if written else ""
    click.echo(f"report of {number}{where}; hash chain {chain}", err=True)


@audit.command("replay")
@click.argument("number", required=False)
@click.option("--all", "every", is_flag=True, help="Replay every paper of the municipality.")
@row_output_options
@reader_option
@pass_runtime
def audit_replay(
    rt: Runtime, number: str | None, every: bool, fmt: str, as_json: bool, reader: str | None
) -> None:
    """Rebuild papers (with --all also every meeting and its agenda) from their audit events
    alone and compare them with the database; name the first difference and exit 1 if any
    paper or meeting differs or cannot be replayed."""
    if (number is None) != every:
        raise click.UsageError("pass either a paper NUMBER or --all")
    reports = rt.service.audit.replay_audit(number, body=rt.body, reader=user_of(reader))
    echo_replay(reports, chosen_format(fmt, as_json))
    if not all(r.ok for r in reports):
        sys.exit(1)


# -- helpers ------------------------------------------------------------------------------------


def event_record(event: AuditEventView) -> dict[str, Any]:
    return {name: getattr(event, name) for name in EVENT_FIELDS}


def echo_events(events: Iterable[AuditEventView], fmt: str, *, paper_column: bool = False) -> None:
    if fmt != "table":
        write_rows((event_record(e) for e in events), EVENT_FIELDS, fmt, sys.stdout)
        return
    rows = [
        {
            "#": e.seq,
            "Zeit": show_datetime(e.occurred_at),
            "Vorlage": e.paper_number or e.stream,
            "Akteur": e.actor,
            "Aktion": e.action,
            "Zustand": f"{e.from_state or ''} → {e.to_state or ''}"
            if (e.from_state or e.to_state)
            else "",
            "Details": payload_text(e.payload),
            "Hash": e.hash[:12],
        }
        for e in events
    ]
    headers = TABLE_HEADERS if paper_column else [h for h in TABLE_HEADERS if h != "Vorlage"]
    click.echo(render(rows, headers, fmt))


def echo_replay(reports: Sequence[ReplayReport], fmt: str) -> None:
    """One row per paper; in a table, then one line saying whether all papers match."""
    rows = [
        {
            "paper": r.paper_number,
            "meeting": r.meeting,
            "events": r.events,
            "status": r.status.value,
            "seq": r.seq,
            "difference": r.difference,
        }
        for r in reports
    ]
    if fmt != "table":
        click.echo(render(rows, list(rows[0]) if rows else ["paper"], fmt))
        return
    table = [
        {
            "Vorlage": r.paper_number,
            "Ereignisse": r.events,
            "Ergebnis": r.status.value,
            "Abweichung": f"event {r.seq}: {r.difference}" if r.difference else "",
        }
        for r in reports
    ]
    click.echo(render(table, ["Vorlage", "Ereignisse", "Ergebnis", "Abweichung"], fmt))
    bad = [r for r in reports if not r.ok]
    meetings = sum(1 for r in reports if r.meeting is not None)
    what = f"{len(reports) - meetings} papers" + (f" and {meetings} meetings" if meetings else "")
    if bad:
        click.echo(f"Replay FAILED for {len(bad)} of {what}.")
    else:
        click.echo(f"Replay matches the database for all {what}.")


def echo_verify(report: VerifyReport, fmt: str, seal: Seal | None = None) -> None:
    if fmt != "table":
        document = dataclasses.asdict(report) | {"ok": report.ok}
        document.pop("seals")  # only with --seals, as one object per file
        if report.seals:
            document["seals"] = [dataclasses.asdict(s) | {"ok": s.ok} for s in report.seals]
        click.echo(render_object(document))
        return
    if report.broken_stream is not None:
        where = report.broken_stream or ""
        if report.broken_paper:
            where = f"paper {report.broken_paper} ({report.broken_stream})"
        click.echo(f"Audit trail BROKEN in {where} at event {report.broken_seq}: {report.reason}")
    else:
        click.echo(f"Audit trail intact: {report.events} events in {report.streams} chains.")
    if report.seals:
        echo_seal_checks(report.seals)
    if not report.ok:
        return
    if seal is not None:
        click.echo(
            f"Seal of {show_datetime(seal.sealed_at)} by {seal.actor} (root hash "
            f"{seal.root_hash[:16]}): all {report.sealed_events} sealed events unchanged; "
            f"{report.events_after_seal} events after the seal."
        )


def echo_seal_checks(checks: Sequence[SealCheck]) -> None:
    """One line per seal file, then how many match."""
    for check in checks:
        if check.problem is None:
            click.echo(
                f"{check.file}: seal of {show_datetime(check.sealed_at)} by {check.actor}: all "
                f"{check.sealed_events} sealed events unchanged"
                + (
                    f"; {check.events_after_seal} events after it."
                    if check.events_after_seal is not None
                    else "."
                )
            )
        elif check.stream is None:
            click.echo(f"{check.file}: {check.problem.upper()}: {check.reason}")
        else:
            where = f"paper {check.paper} ({check.stream})" if check.paper else check.stream
            click.echo(f"{check.file}: MISMATCH in {where} at event {check.seq}: {check.reason}")
    bad = sum(1 for c in checks if not c.ok)
    if bad:
        click.echo(f"{bad} of {len(checks)} seal files do not match the database.")
    else:
        click.echo(
            f"All {len(checks)} seal files match. Events recorded after the newest seal are "
            "not proven by any seal."
        )


def payload_text(payload: dict[str, Any]) -> str:
    keys = ("trigger", "position", "organization", "outcome", "office", "date", "reason")
    text = ", ".join(f"{k}={payload[k]}" for k in keys if payload.get(k) is not None)
    refused = payload.get("refused")
    if isinstance(refused, list) and refused:  # reminder_sent: delivered without these
        names = "; ".join(_refused_text(r) for r in refused)
        text = f"{text}, refused={names}" if text else f"refused={names}"
    return text


def _refused_text(entry: Any) -> str:
    if isinstance(entry, dict):
        return f"{entry.get('address')} ({entry.get('code')} {entry.get('reply')})"
    return str(entry)


def show_progress(*, to_file: bool) -> bool:
    """A progress bar only on a terminal, and never on the terminal the data goes to."""
    return sys.stderr.isatty() and (to_file or not sys.stdout.isatty())


@contextlib.contextmanager
def open_output(path: str | None) -> Iterator[TextIO]:
    """stdout, or ``path`` written through a temporary file that replaces it only on success."""
    if path is None:
        yield sys.stdout
        return
    target = Path(path)
    if target.is_dir():
        raise click.ClickException(
            f"{path!r} is a directory; give a file name, e.g. {str(target / 'export.txt')!r}"
        )
    part = target.with_name(target.name + ".part")
    try:
        handle = part.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise click.ClickException(f"cannot write {path!r}: {exc.strerror or exc}") from None
    try:
        with handle:
            yield handle
        try:
            part.replace(target)
        except OSError as exc:
            raise click.ClickException(f"cannot write {path!r}: {exc.strerror or exc}") from None
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
            f"{path!r} exists; seals are never overwritten, choose a new file name"
        ) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {path!r}: {exc.strerror or exc}") from None
    done = False
    try:
        with handle:
            yield handle
        done = True
    finally:
        if not done:
            with contextlib.suppress(OSError):
                Path(path).unlink()
