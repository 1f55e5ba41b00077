"""Decisions after the vote: ``ratsweg paper urgent-decision|object|finalize|supervisory|
procedures`` and ``ratsweg decisions open|task-add|report|implemented`` (Beschlusskontrolle).

Same shape as every command in ``workflow.cli`` (parse, one service call, render);
``workflow.cli.root`` registers the commands.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from workflow.cli.german import command, group, option
from workflow.cli.options import DATE, Runtime, actor_option, pass_runtime, reader_option, user_of
from workflow.cli.output import (
    chosen_format,
    echo_rows,
    output_options,
    render,
    row_output_options,
    show_day,
    state_line,
    write_rows,
)
from workflow.core.clock import today
from workflow.core.i18n import N_, _, day_text
from workflow.core.labels import value_label

if TYPE_CHECKING:
    from workflow.audit.trail import DecisionView
    from workflow.core.model import ImplementationTaskView, PaperView

KINDS = ["widerspruch", "beanstandung", "aussetzung", "einspruch"]
TASK_ID = click.IntRange(min=1)


def _done(view: PaperView) -> None:
    click.echo(state_line(view.number, view.state_label, view.state), err=True)
    for step in view.consultations:
        if step.state == "planned" and step.note:
            when = (
                " " + _("planned {date}").format(date=day_text(step.planned_date))
                if step.planned_date
                else ""
            )
            click.echo(
                "  "
                + _("step {position}: {organization}{when} ({note})").format(
                    position=step.position,
                    organization=step.organization_name,
                    when=when,
                    note=step.note,
                )
            )


@command(
    "urgent-decision",
    help=N_("Record a Dringlichkeitsentscheidung; adds the follow-up step for the next meeting."),
)
@click.argument("number")
@option("--decided-by", required=True, metavar="USER", help=N_("The Bürgermeister (mayor)."))
@option("--co-signer", metavar="NAME", help=N_("Ratsmitglied / Beigeordnete, as required."))
@option("--date", required=True, type=DATE, help=N_("Day of the decision."))
@option("--reason", required=True, help=N_("Why it could not wait (audited)."))
@option("--body-of", metavar="ORG", help=N_("Gremium decided for (default: the deciding one)."))
@actor_option
@pass_runtime
def paper_urgent_decision(rt: Runtime, number: str, user: str | None, **fields: Any) -> None:
    _done(
        rt.service.decisions.record_urgent_decision(
            number, user=user_of(user), body=rt.body, **fields
        )
    )


@command(
    "object",
    help=N_("Widerspruch, Beanstandung, Aussetzung or Einspruch: suspend and decide again."),
)
@click.argument("number")
@option("--kind", required=True, type=click.Choice(KINDS), help=N_("What reopens it."))
@option("--date", required=True, type=DATE, help=N_("Day of the objection."))
@option("--reason", required=True, help=N_("The reasons (audited)."))
@option("--members", type=click.IntRange(min=1), help=N_("Einspruch by N committee members."))
@option("--planned", "planned_date", type=DATE, help=N_("Day of the re-decision meeting."))
@actor_option
@pass_runtime
def paper_object(rt: Runtime, number: str, user: str | None, **fields: Any) -> None:
    _done(rt.service.decisions.raise_objection(number, user=user_of(user), body=rt.body, **fields))


@command(
    "finalize",
    help=N_("End a delegated committee's Einspruchsfrist once it has passed without Einspruch."),
)
@click.argument("number")
@actor_option
@pass_runtime
def paper_finalize(rt: Runtime, number: str, user: str | None) -> None:
    _done(rt.service.decisions.finalize_decision(number, user=user_of(user), body=rt.body))


@command("supervisory", help=N_("Record the Aufsichtsbehörde's decision on an upheld decision."))
@click.argument("number")
@option(
    "--result",
    required=True,
    type=click.Choice(["confirmed", "annulled"]),
    help=N_("The Aufsichtsbehörde's decision: confirmed or annulled."),
)
@option("--reason", required=True, help=N_("The authority's reference (audited)."))
@actor_option
@pass_runtime
def paper_supervisory(rt: Runtime, number: str, result: str, reason: str, user: str | None) -> None:
    view = rt.service.decisions.record_supervisory_decision(
        number, user=user_of(user), annul=result == "annulled", reason=reason, body=rt.body
    )
    _done(view)


@command(
    "procedures",
    help=N_("List a paper's Dringlichkeitsentscheidungen and objections with their windows."),
)
@click.argument("number")
@output_options
@reader_option
@pass_runtime
def paper_procedures(rt: Runtime, number: str, fmt: str, as_json: bool, reader: str | None) -> None:
    views = rt.service.decisions.list_procedures(number, body=rt.body, reader=user_of(reader))
    rows = [dataclasses.asdict(v) for v in views]
    click.echo(render(rows, list(PROCEDURE_TITLES), chosen_format(fmt, as_json), PROCEDURE_TITLES))


#: the columns of ``paper procedures``: key (JSON, CSV) -> title (table)
PROCEDURE_TITLES = {
    "kind": N_("Procedure"),
    "date": N_("Date"),
    "organization_id": N_("Gremium"),
    "decided_by": N_("Decided by"),
    "co_signer": N_("Co-signer"),
    "position": N_("Step"),
    "window_start": N_("From"),
    "window_end": N_("Until"),
    "legal_basis": N_("Legal basis"),
    "reason": N_("Reason"),
}


# -- Beschlusskontrolle -------------------------------------------------------------------------


@group(
    invoke_without_command=True,
    help=N_(
        "Decisions with their votes and deadlines (``decisions`` alone: ``decisions "
        "list``); Beschlusskontrolle: implementation tasks of decisions."
    ),
)
@click.pass_context
def decisions(ctx: click.Context) -> None:
    if ctx.invoked_subcommand is None:
        ctx.invoke(decisions_list)


@decisions.command(
    "list",
    help=N_(
        "List decisions by meeting day: Gremium, paper, result, votes, deadlines kept or missed."
    ),
)
@option("--organization", metavar="ID", help=N_("Decisions of this Gremium."))
@option("--year", type=click.IntRange(1900, 2999), help=N_("Meetings in this year."))
@option("--since", type=DATE, help=N_("Meetings from this day, inclusive."))
@option("--until", type=DATE, help=N_("Meetings up to this day, inclusive."))
@option("--paper-type", metavar="TYPE", help=N_("Decisions on papers of this type."))
@option("--outcome", metavar="OUTCOME", help=N_("e.g. beschlossen, abgelehnt, genehmigt."))
@row_output_options
@reader_option
@pass_runtime
def decisions_list(
    rt: Runtime,
    fmt: str,
    as_json: bool,
    year: int | None,
    reader: str | None = None,
    **filters: Any,
) -> None:
    from workflow.audit.trail import DecisionQuery

    if year is not None:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        filters["since"] = max(filters["since"] or first, first)
        filters["until"] = min(filters["until"] or last, last)
    query = DecisionQuery(**filters)
    found = rt.service.trail.list_decisions(query, body=rt.body, reader=user_of(reader))
    fmt = chosen_format(fmt, as_json)
    if fmt == "table":
        click.echo(render([decision_row(d) for d in found], DECISION_HEADERS, fmt))
        return
    write_rows((decision_record(d) for d in found), DECISION_FIELDS, fmt, sys.stdout)


@decisions.command("open", help=N_("List open and reported tasks by due date."))
@option("--overdue", is_flag=True, help=N_("Only tasks past their due date."))
@option("--office", help=N_("Only tasks of this office."))
@option("--paper", help=N_("Only tasks of this paper."))
@row_output_options
@reader_option
@pass_runtime
def decisions_open(
    rt: Runtime, fmt: str, as_json: bool, reader: str | None, **filters: Any
) -> None:
    tasks = rt.service.tasks.list_implementation_tasks(
        body=rt.body, reader=user_of(reader), **filters
    )
    _echo_tasks(tasks, fmt, as_json)


@decisions.command("task-add", help=N_("Add an implementation task to an adopted decision."))
@click.argument("number")
@option("--title", required=True, help=N_("What is to be done or reported."))
@option("--office", required=True, help=N_("Responsible office."))
@option("--due", type=DATE, help=N_("Due date."))
@option("--every", "interval_months", type=click.IntRange(min=1), help=N_("Report every N months."))
@option("--report-to", help=N_("Gremium that receives the reports."))
@actor_option
@pass_runtime
def decisions_task_add(rt: Runtime, number: str, user: str | None, **fields: Any) -> None:
    task = rt.service.tasks.add_implementation_task(
        number, user=user_of(user), body=rt.body, **fields
    )
    click.echo(
        _("task {id} of {paper}: due {date}").format(
            id=task.id, paper=task.paper_number, date=_day(task.due)
        ),
        err=True,
    )


def _report_command(name: str, implemented: bool, help_text: str) -> None:
    @decisions.command(name, help=help_text)
    @click.argument("task_id", metavar="TASK", type=TASK_ID)
    @option("--date", type=DATE, help=N_("Day of the report (default today)."))
    @option("--text", required=True, help=N_("The report."))
    @actor_option
    @pass_runtime
    def command(
        rt: Runtime, task_id: int, date: dt.date | None, text: str, user: str | None
    ) -> None:
        task = rt.service.tasks.report_implementation(
            task_id,
            user=user_of(user),
            date=date or today(rt.service.clock),
            text=text,
            implemented=implemented,
            body=rt.body,
        )
        click.echo(
            _("task {id}: {state}, next due {date}").format(
                id=task.id, state=value_label("task", task.state), date=_day(task.due)
            ),
            err=True,
        )


_report_command("report", False, N_("Record a report on a task; the next one falls due."))
_report_command("implemented", True, N_("Mark a task umgesetzt (implemented)."))


def _echo_tasks(tasks: Sequence[ImplementationTaskView], fmt: str, as_json: bool) -> None:
    fmt = chosen_format(fmt, as_json)
    if fmt in ("json", "ndjson"):
        echo_rows([dataclasses.asdict(t) for t in tasks], [], fmt)
        return
    table = fmt == "table"
    rows = [
        {
            "task": t.id,
            "paper": t.paper_number,
            "title": t.title,
            "office": t.office_id,
            "state": value_label("task", t.state) if table else t.state.value,
            "due": show_day(t.due) if table else t.due,
            "every": t.interval_months,
            "report_to": t.report_to,
            "status": _status(t.overdue, table),
        }
        for t in tasks
    ]
    echo_rows(rows, list(TASK_TITLES), fmt, TASK_TITLES)


#: the columns of ``decisions open``: key (JSON, CSV) -> title (table)
TASK_TITLES = {
    "task": N_("Task"),
    "paper": N_("Paper"),
    "title": N_("Title"),
    "office": N_("Office"),
    "state": N_("State"),
    "due": N_("Due"),
    "every": N_("Every (months)"),
    "report_to": N_("Report to"),
    "status": N_("Status"),
}


def _status(overdue: bool, table: bool) -> str:
    status = "overdue" if overdue else "open"
    return value_label("deadline", status) if table else status


def _day(day: dt.date | None) -> str:
    return day_text(day) if day else "-"


# -- the listing of decisions -------------------------------------------------------------------

DECISION_HEADERS = [
    "Datum", "Gremium", "Vorlage", "Titel", "Ergebnis", "Ja", "Nein", "Enth.", "Befangen",
    "Abstimmung", "Fristen",
]  # fmt: skip
#: one decision in json, csv and ndjson; ``deadlines`` holds every Frist with its status
DECISION_FIELDS = (
    "date", "organization", "organization_name", "paper", "title", "paper_type", "position",
    "role", "public", "meeting", "outcome", "result", "yes", "no", "abstain", "biased",
    "vote_label", "deadlines_kept", "deadlines_missed", "deadlines",
)  # fmt: skip


def decision_record(d: DecisionView) -> dict[str, Any]:
    vote = d.vote
    return {
        "date": d.date,
        "organization": d.organization_id,
        "organization_name": d.organization_name,
        "paper": d.paper,
        "title": d.title,
        "paper_type": d.paper_type,
        "position": d.position,
        "role": d.role,
        "public": d.public,
        "meeting": d.meeting_id,
        "outcome": d.outcome,
        "result": d.result,
        "yes": vote.yes if vote else None,
        "no": vote.no if vote else None,
        "abstain": vote.abstain if vote else None,
        "biased": vote.biased if vote else None,
        "vote_label": vote.label if vote else None,
        "deadlines_kept": sum(c.status.value == "kept" for c in d.deadlines),
        "deadlines_missed": len(d.missed),
        "deadlines": [
            {
                "kind": c.kind,
                "position": c.position,
                "organization": c.organization_id,
                "due": c.due,
                "done_at": c.done_at,
                "status": c.status,
                "explanation": c.explanation,
            }
            for c in d.deadlines
        ],
    }


def decision_row(d: DecisionView) -> dict[str, Any]:
    record = decision_record(d)
    return {
        "Datum": show_day(d.date),
        "Gremium": d.organization_name,
        "Vorlage": d.paper,
        "Titel": d.title,
        "Ergebnis": d.result,
        "Ja": record["yes"],
        "Nein": record["no"],
        "Enth.": record["abstain"],
        "Befangen": record["biased"],
        "Abstimmung": record["vote_label"],
        "Fristen": deadline_summary(d),
    }


def deadline_summary(d: DecisionView) -> str:
    """e.g. "4 eingehalten, 1 versäumt: Ladung (3)"."""
    counts: dict[str, int] = {}
    for check in d.deadlines:
        counts[check.status.label] = counts.get(check.status.label, 0) + 1
    text = ", ".join(f"{n} {label}" for label, n in counts.items()) or _("none")
    missed = "; ".join(
        f"{c.kind} ({c.position})" if c.position else f"{c.kind} {c.organization_id}"
        for c in d.missed
    )
    return f"{text}: {missed}" if missed else text
