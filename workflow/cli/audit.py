"""``ratsweg audit``: trail, search, export, seal and verify. Part of the command line (it
prints); ``workflow.cli.root`` adds the group. Heavy modules are imported inside the commands."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from workflow.cli.audit_view import echo_replay, echo_verify
from workflow.cli.german import group, option
from workflow.cli.options import DATE, Runtime, actor_option, pass_runtime, reader_option, user_of
from workflow.cli.output import (
    STREAM_FORMATS,
    chosen_format,
    claim_file,
    open_output,
    output_options,
    render,
    row_output_options,
    show_datetime,
    write_rows,
)
from workflow.core.i18n import N_, _, ngettext
from workflow.core.labels import state_text
from workflow.core.model.audit import EXPORT_FIELDS, action_text

if TYPE_CHECKING:
    from workflow.core.model import AuditEventView, AuditQuery

TABLE_HEADERS = [
    "seq",
    "occurred_at",
    "paper_number",
    "actor",
    "action",
    "state",
    "payload",
    "hash",
]
#: the titles of the event table (``audit trail``, ``audit search``)
EVENT_TITLES = {
    "seq": N_("#"),
    "occurred_at": N_("Time"),
    "paper_number": N_("Paper"),
    "actor": N_("Actor"),
    "action": N_("Action"),
    "state": N_("State"),
    "payload": N_("Details"),
    "hash": N_("Hash"),
}


@group(help=N_("Read, search, export, seal and verify the audit trail."))
def audit() -> None:
    pass


@audit.command(
    "trail",
    help=N_("Show every recorded change of a paper (and of its chain), oldest first per paper."),
)
@click.argument("number")
@option(
    "--chain/--no-chain",
    default=True,
    show_default=True,
    help=N_("Include the original and every Ergänzungsvorlage of the paper's chain."),
)
@row_output_options
@reader_option
@pass_runtime
def audit_trail(
    rt: Runtime, number: str, chain: bool, fmt: str, as_json: bool, reader: str | None
) -> None:
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
        option("--paper", metavar="NUMBER", help=N_("Events of this paper.")),
        option("--actor", metavar="USER", help=N_("Events by this user.")),
        option("--action", metavar="ACTION", help=N_("e.g. result_recorded, co_signed.")),
        option("--paper-type", metavar="TYPE", help=N_("Events of papers of this type.")),
        option(
            "--organization",
            metavar="ID",
            help=N_("Events naming this organization or office (steps, results, co-signatures)."),
        ),
        option(
            "--meeting",
            type=click.IntRange(min=1),
            metavar="ID",
            help=N_("Events of the papers on this meeting's agenda, and the meeting's own events."),
        ),
        option("--since", type=DATE, help=N_("From this day (Europe/Berlin), inclusive.")),
        option("--until", type=DATE, help=N_("To this day (Europe/Berlin), inclusive.")),
    ]
    for decorate in reversed(options):
        func = decorate(func)
    return func


def audit_query(filters: dict[str, Any]) -> AuditQuery:
    from workflow.core.model import AuditQuery

    return AuditQuery(**filters)


@audit.command(
    "search",
    help=N_("Find events by paper, actor, action, paper type, organization, meeting and date."),
)
@filter_options
@row_output_options
@reader_option
@pass_runtime
def audit_search(rt: Runtime, fmt: str, as_json: bool, reader: str | None, **filters: Any) -> None:
    fmt = chosen_format(fmt, as_json)
    query = audit_query(filters)
    if fmt == "table":
        found = rt.service.audit.search_audit(query, body=rt.body, reader=user_of(reader))
        echo_events(found, fmt, paper_column=True)
        return
    with rt.service.audit.audit_events(query, body=rt.body, reader=user_of(reader)) as events:
        write_rows((event_record(e) for e in events), EXPORT_FIELDS, fmt, sys.stdout)


@audit.command(
    "export",
    help=N_(
        "Export events (all, or filtered like search) with everything needed to re-verify "
        "them; streams in constant memory, with a progress bar when stderr is a terminal."
    ),
)
@filter_options
@option(
    "--format",
    "fmt",
    type=click.Choice(STREAM_FORMATS),
    default="ndjson",
    show_default=True,
    help=N_("Output format."),
)
@option(
    "--output",
    type=click.Path(dir_okay=False),
    help=N_("Write to this file (default: stdout)."),
)
@reader_option
@pass_runtime
def audit_export(
    rt: Runtime, fmt: str, output: str | None, reader: str | None, **filters: Any
) -> None:
    query = audit_query(filters)
    with (
        rt.service.audit.audit_events(query, body=rt.body, reader=user_of(reader)) as events,
        open_output(output) as out,
    ):
        rows: Iterable[AuditEventView] = events
        if show_progress(to_file=output is not None):
            bar = click.progressbar(
                events, length=events.count(), label=_("exporting"), file=sys.stderr
            )
            with bar:
                count = write_rows((event_record(e) for e in bar), EXPORT_FIELDS, fmt, out)
        else:
            count = write_rows((event_record(e) for e in rows), EXPORT_FIELDS, fmt, out)
    done = ngettext("exported {n} event", "exported {n} events", count).format(n=count)
    click.echo(done + (" " + _("to {file}").format(file=output) if output else ""), err=True)


@audit.command(
    "seal",
    help=N_("Record the heads of all hash chains and a root hash over them (auditor or admin)."),
)
@option(
    "--output",
    type=click.Path(dir_okay=False),
    help=N_("Write the seal to this new file (default: stdout). Keep it outside the database."),
)
@actor_option
@pass_runtime
def audit_seal(rt: Runtime, output: str | None, user: str | None) -> None:
    from workflow.audit.seal import dump_seal
    from workflow.core.clock import local

    with claim_file(output) as out:
        seal = rt.service.audit.seal_audit(user=user_of(user), body=rt.body)
        out.write(dump_seal(seal))
    click.echo(
        _("sealed {events} events in {chains} chains at {time}; root hash {hash}").format(
            events=seal.events,
            chains=len(seal.heads),
            time=show_datetime(local(seal.sealed_at)),
            hash=seal.root_hash,
        ),
        err=True,
    )


@audit.command(
    "verify",
    help=N_(
        "Recompute every hash chain and check that every paper, meeting and municipality "
        "has a chain that reaches its stored state; report the first broken link and exit "
        "1."
    ),
)
@option(
    "--seal",
    "seal_file",
    type=click.Path(dir_okay=False),
    help=N_("Also prove that nothing recorded up to this seal was changed, deleted or reordered."),
)
@option(
    "--seals",
    "seal_dir",
    type=click.Path(file_okay=False),
    help=N_("Check against every seal file (*.json) in this folder, e.g. the worker's --seal-dir."),
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
    from workflow.audit.seal import read_seal, read_seal_dir

    seal = read_seal(seal_file) if seal_file else None
    files = read_seal_dir(seal_dir) if seal_dir else ()
    report = rt.service.audit.verify_audit(seal, seals=files, body=rt.body, reader=user_of(reader))
    echo_verify(report, chosen_format(fmt, as_json), seal)
    if not report.ok:
        sys.exit(1)


@audit.command(
    "report",
    help=N_(
        "Write the decision trail of a paper as a printable HTML document (German): its "
        "path, consultations with publicity, results and votes, text versions, deadlines, "
        "audit events and the state of its hash chain."
    ),
)
@click.argument("number")
@option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help=N_("Write the HTML to this file (default: stdout, unless --pdf is given)."),
)
@option(
    "--pdf",
    type=click.Path(dir_okay=False),
    help=N_("Write a PDF too (needs WeasyPrint, wkhtmltopdf or Chromium)."),
)
@reader_option
@pass_runtime
def audit_report(
    rt: Runtime, number: str, output: str | None, pdf: str | None, reader: str | None
) -> None:
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
    intact = all(t.chain_break is None for t in trails)
    chain = _("hash chain intact") if intact else _("hash chain BROKEN")
    where = " " + _("to {file}").format(file=", ".join(written)) if written else ""
    click.echo(
        _("report of {number}{where}; {chain}").format(number=number, where=where, chain=chain),
        err=True,
    )


@audit.command(
    "replay",
    help=N_(
        "Rebuild papers (with --all also every meeting and its agenda) from their audit "
        "events alone and compare them with the database; name the first difference and "
        "exit 1 if any paper or meeting differs or cannot be replayed."
    ),
)
@click.argument("number", required=False)
@option("--all", "every", is_flag=True, help=N_("Replay every paper of the municipality."))
@row_output_options
@reader_option
@pass_runtime
def audit_replay(
    rt: Runtime, number: str | None, every: bool, fmt: str, as_json: bool, reader: str | None
) -> None:
    if (number is None) != every:
        from workflow.cli.options import UsageProblem

        raise UsageProblem(_("pass either a paper NUMBER or --all"))
    reports = rt.service.audit.replay_audit(number, body=rt.body, reader=user_of(reader))
    echo_replay(reports, chosen_format(fmt, as_json))
    if not all(r.ok for r in reports):
        sys.exit(1)


# -- helpers ------------------------------------------------------------------------------------


def event_record(event: AuditEventView) -> dict[str, Any]:
    return {name: getattr(event, name) for name in EXPORT_FIELDS}


def echo_events(events: Iterable[AuditEventView], fmt: str, *, paper_column: bool = False) -> None:
    if fmt != "table":
        write_rows((event_record(e) for e in events), EXPORT_FIELDS, fmt, sys.stdout)
        return
    rows = [
        {
            "seq": e.seq,
            "occurred_at": show_datetime(e.occurred_at),
            "paper_number": e.paper_number or e.stream,
            "actor": e.actor,
            "action": action_text(e.action),
            "state": f"{state_text(e.from_state or '')} → {state_text(e.to_state or '')}"
            if (e.from_state or e.to_state)
            else "",
            "payload": payload_text(e.payload),
            "hash": e.hash[:12],
        }
        for e in events
    ]
    headers = TABLE_HEADERS if paper_column else [h for h in TABLE_HEADERS if h != "paper_number"]
    click.echo(render(rows, headers, fmt, EVENT_TITLES))


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
