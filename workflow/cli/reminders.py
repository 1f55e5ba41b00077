"""``ratsweg deadlines``, ``ratsweg reminders`` and ``ratsweg worker``: the deadlines that are
due, the reminders about them and the process that delivers those."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from workflow.cli.german import command, group, option
from workflow.cli.options import (
    DATE,
    DURATION,
    Runtime,
    UsageProblem,
    actor_option,
    pass_runtime,
    reader_option,
    user_of,
)
from workflow.cli.output import (
    chosen_format,
    echo_rows,
    row_output_options,
    show_day,
    show_start,
    to_plain,
)
from workflow.core.i18n import N_, _
from workflow.core.labels import value_label

if TYPE_CHECKING:
    from workflow.core.deadlines import DeadlineEntry
    from workflow.core.model import ReminderView

DEADLINE_COLUMNS = ["day", "kind", "paper", "position", "organization", "meeting", "status"]
#: what a table shows for each key (JSON, CSV and NDJSON keep the keys)
DEADLINE_TITLES = {
    "day": N_("Day"),
    "kind": N_("Deadline"),
    "paper": N_("Paper"),
    "position": N_("Step"),
    "organization": N_("Gremium/office"),
    "meeting": N_("Meeting"),
    "status": N_("Status"),
}


@command(
    "deadlines",
    help=N_(
        "List upcoming and overdue deadlines: Vorlagenschluss, Ladung, Mitzeichnung, "
        "Bericht (Beschlusskontrolle). Met ones are left out (released, invited)."
    ),
)
@option("--paper", help=N_("Only this paper."))
@option(
    "--organization",
    help=N_("Only steps of this Gremium (or co-signatures and reports owed by an office)."),
)
@option("--office", help=N_("Only papers written or co-signed by this office."))
@option("--user", "for_user", metavar="USER", help=N_("Only what concerns USER's offices."))
@option("--from", "start", type=DATE, help=N_("Deadlines on or after this day."))
@option("--to", "end", type=DATE, help=N_("Deadlines on or before this day."))
@row_output_options
@reader_option
@pass_runtime
def deadlines(
    rt: Runtime,
    fmt: str,
    as_json: bool,
    for_user: str | None,
    reader: str | None,
    **filters: Any,
) -> None:
    entries = rt.service.deadlines.list_deadlines(
        body=rt.body, user=for_user, reader=user_of(reader), **filters
    )
    fmt = chosen_format(fmt, as_json)
    rows = [_deadline_row(e, table=fmt == "table") for e in entries]
    columns = DEADLINE_COLUMNS + (
        [] if fmt == "table" else ["due", "legal_basis", "warnings", "explanation"]
    )
    echo_rows(rows, columns, fmt, DEADLINE_TITLES)


# -- reminders and the worker -------------------------------------------------------------------

REMINDER_COLUMNS = ["id", "kind", "paper", "due_at", "state", "recipients", "attempts"]
REMINDER_TITLES = {
    "id": N_("ID"),
    "kind": N_("Reminder"),
    "paper": N_("Paper"),
    "due_at": N_("Due"),
    "state": N_("State"),
    "recipients": N_("Recipients"),
    "attempts": N_("Attempts"),
    "last_error": N_("Last error"),
    "refused": N_("Refused"),
}


@group(help=N_("Reminders: due (pending), sent, failed (parked after the last retry); retry."))
def reminders() -> None:
    pass


def _reminder_list(state: str, help_text: str) -> None:
    @reminders.command(state, help=help_text)
    @option(
        "--limit",
        type=click.IntRange(min=0),
        default=1000,
        show_default=True,
        help=N_("Show at most this many (0: all)."),
    )
    @row_output_options
    @reader_option
    @pass_runtime
    def command(rt: Runtime, limit: int, fmt: str, as_json: bool, reader: str | None) -> None:
        from workflow.core.model import ReminderState

        states = {
            "due": [ReminderState.PENDING, ReminderState.CLAIMED],
            "sent": [ReminderState.SENT],
        }.get(state, [ReminderState.FAILED])
        views = rt.service.reminders.list_reminders(
            states,
            body=rt.body,
            limit=limit + 1 if limit else None,
            newest_first=state != "due",
            reader=user_of(reader),
        )
        if limit and len(views) > limit:
            views = views[:limit]
            click.echo(_LIMITED[state].format(limit=limit), err=True)
        fmt = chosen_format(fmt, as_json)
        rows = [_reminder_row(r, fmt) for r in views]
        extra = [] if fmt == "table" else ["key", "subject", "sent_at", "last_error"]
        extra += ["last_error"] if fmt == "table" and state in ("due", "failed") else []
        extra += ["refused"] if state == "sent" else []
        echo_rows(rows, REMINDER_COLUMNS + extra, fmt, REMINDER_TITLES)


_LIMITED = {
    "due": N_(
        "showing the first {limit} due reminders; there are more: "
        "pass --limit N for more, or --limit 0 for all"
    ),
    "sent": N_(
        "showing the first {limit} sent reminders; there are more: "
        "pass --limit N for more, or --limit 0 for all"
    ),
    "failed": N_(
        "showing the first {limit} failed reminders; there are more: "
        "pass --limit N for more, or --limit 0 for all"
    ),
}


_reminder_list(
    "due",
    N_(
        "Reminders not delivered yet, earliest first: pending ones (due now or later) and "
        "claimed ones in delivery or waiting for another attempt, with the last error."
    ),
)
_reminder_list(
    "sent",
    N_(
        "Reminders delivered, the last sent first, with their idempotency key and the "
        "recipients the mail server refused while it accepted the others."
    ),
)
_reminder_list(
    "failed", N_("Reminders parked after the last delivery attempt, the last parked first.")
)


@reminders.command("retry", help=N_("Queue a failed reminder again (session office or admin)."))
@click.argument("reminder_id", type=int)
@actor_option
@pass_runtime
def reminders_retry(rt: Runtime, reminder_id: int, user: str | None) -> None:
    view = rt.service.reminders.retry_reminder(reminder_id, user=user_of(user), body=rt.body)
    click.echo(_("reminder {id} queued again ({key})").format(id=view.id, key=view.key), err=True)


@command(
    help=N_(
        "Send due reminders: claim them into the outbox, deliver, retry; with --seal-dir "
        "also seal the audit trail on a schedule; SIGTERM stops cleanly."
    )
)
@option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help=N_("Seconds between sweeps."),
)
@option(
    "--batch",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help=N_("Reminders claimed and messages sent per transaction."),
)
@option(
    "--lease",
    type=click.FloatRange(min=0.1),
    default=300.0,
    show_default=True,
    help=N_("Seconds a message stays leased to this worker while it is sent."),
)
@option(
    "--fence-group",
    type=click.IntRange(min=1),
    default=25,
    show_default=True,
    help=N_(
        "Messages sent per proof of the lease; each proof records the group before, so a "
        "worker that dies or stalls leaves at most this many sent but not recorded."
    ),
)
@option(
    "--max-attempts",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help=N_("Delivery attempts before a reminder is parked as failed."),
)
@option(
    "--backoff",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help=N_("Seconds before the first retry; doubled each time."),
)
@option(
    "--notifier",
    type=click.Choice(["smtp", "log"]),
    default="smtp",
    show_default=True,
    help=N_("smtp: RATSWEG_SMTP_* settings; log: log lines only."),
)
@option(
    "--seal-dir",
    type=click.Path(exists=True, file_okay=False, writable=True),
    help=N_(
        "Seal the audit trail on a schedule and write each seal as a new file into this "
        "folder (keep it where the database's users cannot write)."
    ),
)
@option(
    "--seal-every",
    type=DURATION,
    default="1h",
    show_default=True,
    help=N_("Time between seals: seconds, or a number with s, m, h or d (e.g. 30m)."),
)
@option(
    "--seal-as", metavar="USER", help=N_("The auditor or admin who seals (default: RATSWEG_USER).")
)
@option("--once", is_flag=True, help=N_("Sweep (and seal) once and exit (cron, tests)."))
@pass_runtime
def worker(rt: Runtime, notifier: str, once: bool, **options: Any) -> None:
    import logging

    from workflow.app import build_notifier, require_current_schema
    from workflow.reminders.notify import SmtpNotifier
    from workflow.worker import LEASE_SHARE, Worker, WorkerOptions

    require_current_schema(rt.service)
    if options["seal_dir"] is None:
        if _given("seal_every") or _given("seal_as"):
            raise UsageProblem(_("--seal-every and --seal-as need --seal-dir"))
    else:
        options["seal_as"] = user_of(options["seal_as"])
        rt.service.audit.require_sealer(options["seal_as"], body=rt.body)
    sender = build_notifier(notifier)
    if isinstance(sender, SmtpNotifier):
        # a send that starts late in the lease's first half must end before the lease does
        shortest = sender.settings.timeout / (1 - LEASE_SHARE)
        if options["lease"] < shortest:
            raise UsageProblem(
                _(
                    "--lease {lease:g} is too short for the SMTP timeout of {timeout:g} s; "
                    "use --lease {shortest:g} or more"
                ).format(lease=options["lease"], timeout=sender.settings.timeout, shortest=shortest)
            )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    runner = Worker(rt.service, sender, WorkerOptions(**options))
    total = runner.run(once=once)
    rt.service.db.dispose()
    click.echo(
        _("{worker}: {claimed} claimed, {sent} sent, {retried} to retry, {failed} failed").format(
            worker=runner.name,
            claimed=total.claimed,
            sent=total.sent,
            retried=total.retried,
            failed=total.failed,
        ),
        err=True,
    )


def _given(name: str) -> bool:
    """Whether an option of the running command was given on the command line."""
    source = click.get_current_context().get_parameter_source(name)
    return source is not None and source is not click.core.ParameterSource.DEFAULT


def _deadline_row(entry: DeadlineEntry, *, table: bool = False) -> dict[str, Any]:
    deadline = entry.deadline
    status = "overdue" if entry.overdue else "open"
    return {
        "day": show_day(deadline.day) if table else deadline.day,
        "due": to_plain(deadline.due),
        "kind": deadline.kind.label if table else deadline.kind.value,
        "paper": entry.paper,
        "position": entry.position,
        "organization": entry.organization_id,
        "meeting": show_day(entry.meeting) if table else entry.meeting,
        "status": value_label("deadline", status) if table else status,
        "legal_basis": deadline.legal_basis,
        "warnings": "; ".join(deadline.warnings),
        "explanation": deadline.explanation,
    }


def _reminder_row(view: ReminderView, fmt: str) -> dict[str, Any]:
    """One reminder; ``refused`` as a list of {address, code, reply} in JSON and NDJSON, else
    as one text ("address: code reply; …"); kind and state in German in a table."""
    refused: Any = "; ".join(map(str, view.refused))
    if fmt in ("json", "ndjson"):
        refused = [r._asdict() for r in view.refused]
    table = fmt == "table"
    return {
        "id": view.id,
        "kind": value_label("reminder_kind", view.kind) if table else view.kind.value,
        "paper": view.paper,
        "due_at": show_start(view.due_at) if table else view.due_at,
        "state": value_label("reminder", view.state) if table else view.state.value,
        "recipients": ", ".join(view.recipients),
        "attempts": view.attempts,
        "key": view.key,
        "subject": view.subject,
        "sent_at": view.sent_at,
        "last_error": view.last_error,
        "refused": refused,
    }
