"""Decisions after the vote: ``ratsweg paper urgent-decision|object|finalize|supervisory|
procedures`` and ``ratsweg decisions open|task-add|report|implemented`` (Beschlusskontrolle).

Same shape as every command in ``workflow.cli`` (parse, one service call, render); ``cli.py``
registers the commands.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from workflow.cli import DATE, Runtime, actor_option, pass_runtime, user_of
from workflow.output import chosen_format, output_options, render

if TYPE_CHECKING:
    from workflow.model import ImplementationTaskView, PaperView

KINDS = ["widerspruch", "beanstandung", "aussetzung", "einspruch"]
TASK_ID = click.IntRange(min=1)


def _done(view: PaperView) -> None:
    click.echo(f"{view.number}: {view.state_label} ({view.state})", err=True)
    for step in view.consultations:
        if step.state == "planned" and step.note:
            when = f" planned {step.planned_date:%d.%m.%Y}" if step.planned_date else ""
            click.echo(f"  step {step.position}: {step.organization_name}{when} ({step.note})")


@click.command("urgent-decision")
@click.argument("number")
@click.option("--decided-by", required=True, metavar="USER", help="The Bürgermeister (mayor).")
@click.option("--co-signer", metavar="NAME", help="Ratsmitglied / Beigeordnete, as required.")
@click.option("--date", required=True, type=DATE, help="Day of the decision.")
@click.option("--reason", required=True, help="Why it could not wait (audited).")
@click.option("--body-of", metavar="ORG", help="Gremium decided for (default: the deciding one).")
@actor_option
@pass_runtime
def paper_urgent_decision(rt: Runtime, number: str, user: str | None, **fields: Any) -> None:
    """Record a Dringlichkeitsentscheidung; adds the follow-up step for the next meeting."""
    _done(rt.service.record_urgent_decision(number, user=user_of(user), body=rt.body, **fields))


@click.command("object")
@click.argument("number")
@click.option("--kind", required=True, type=click.Choice(KINDS), help="What reopens it.")
@click.option("--date", required=True, type=DATE, help="Day of the objection.")
@click.option("--reason", required=True, help="The reasons (audited).")
@click.option("--members", type=click.IntRange(min=1), help="Einspruch by N committee members.")
@click.option("--planned", "planned_date", type=DATE, help="Day of the re-decision meeting.")
@actor_option
@pass_runtime
def paper_object(rt: Runtime, number: str, user: str | None, **fields: Any) -> None:
    """Widerspruch, Beanstandung, Aussetzung or Einspruch: suspend and decide again."""
    _done(rt.service.raise_objection(number, user=user_of(user), body=rt.body, **fields))


@click.command("finalize")
@click.argument("number")
@actor_option
@pass_runtime
def paper_finalize(rt: Runtime, number: str, user: str | None) -> None:
    """End a delegated committee's Einspruchsfrist once it has passed without Einspruch."""
    _done(rt.service.finalize_decision(number, user=user_of(user), body=rt.body))


@click.command("supervisory")
@click.argument("number")
@click.option("--result", required=True, type=click.Choice(["confirmed", "annulled"]))
@click.option("--reason", required=True, help="The authority's reference (audited).")
@actor_option
@pass_runtime
def paper_supervisory(rt: Runtime, number: str, result: str, reason: str, user: str | None) -> None:
    """Record the Aufsichtsbehörde's decision on an upheld decision."""
    view = rt.service.record_supervisory_decision(
        number, user=user_of(user), annul=result == "annulled", reason=reason, body=rt.body
    )
    _done(view)


@click.command("procedures")
@click.argument("number")
@output_options
@pass_runtime
def paper_procedures(rt: Runtime, number: str, fmt: str, as_json: bool) -> None:
    """List a paper's Dringlichkeitsentscheidungen and objections with their windows."""
    views = rt.service.list_procedures(number, body=rt.body)
    rows = [dataclasses.asdict(v) for v in views]
    headers = ["kind", "date", "organization_id", "decided_by", "co_signer", "position"]
    headers += ["window_start", "window_end", "legal_basis", "reason"]
    click.echo(render(rows, headers, chosen_format(fmt, as_json)))


#: Registered on the ``paper`` group by ``cli.py``.
PAPER_COMMANDS = (
    paper_urgent_decision,
    paper_object,
    paper_finalize,
    paper_supervisory,
    paper_procedures,
)


# -- Beschlusskontrolle -------------------------------------------------------------------------


@click.group()
def decisions() -> None:
    """Beschlusskontrolle: implementation tasks of decisions."""


@decisions.command("open")
@click.option("--overdue", is_flag=True, help="Only tasks past their due date.")
@click.option("--office", help="Only tasks of this office.")
@click.option("--paper", help="Only tasks of this paper.")
@output_options
@pass_runtime
def decisions_open(rt: Runtime, fmt: str, as_json: bool, **filters: Any) -> None:
    """List open and reported tasks by due date."""
    _echo_tasks(rt.service.list_implementation_tasks(body=rt.body, **filters), fmt, as_json)


@decisions.command("task-add")
@click.argument("number")
@click.option("--title", required=True, help="What is to be done or reported.")
@click.option("--office", required=True, help="Responsible office.")
@click.option("--due", type=DATE, help="Due date.")
@click.option(
    "--every", "interval_months", type=click.IntRange(min=1), help="Report every N months."
)
@click.option("--report-to", help="Gremium that receives the reports.")
@actor_option
@pass_runtime
def decisions_task_add(rt: Runtime, number: str, user: str | None, **fields: Any) -> None:
    """Add an implementation task to an adopted decision."""
    task = rt.service.add_implementation_task(number, user=user_of(user), body=rt.body, **fields)
    click.echo(f"task {task.id} of {task.paper_number}: due {_day(task.due)}", err=True)


def _report_command(name: str, implemented: bool, help_text: str) -> None:
    @decisions.command(name, help=help_text)
    @click.argument("task_id", metavar="TASK", type=TASK_ID)
    @click.option("--date", type=DATE, help="Day of the report (default today).")
    @click.option("--text", required=True, help="The report.")
    @actor_option
    @pass_runtime
    def command(
        rt: Runtime, task_id: int, date: dt.date | None, text: str, user: str | None
    ) -> None:
        task = rt.service.report_implementation(
            task_id,
            user=user_of(user),
            date=date or dt.date.today(),
            text=text,
            implemented=implemented,
            body=rt.body,
        )
        click.echo(f"task {task.id}: {task.state.value}, next due {_day(task.due)}", err=True)


_report_command("report", False, "Record a report on a task; the next one falls due.")
_report_command("implemented", True, "Mark a task umgesetzt (implemented).")


def _echo_tasks(tasks: Sequence[ImplementationTaskView], fmt: str, as_json: bool) -> None:
    fmt = chosen_format(fmt, as_json)
    if fmt == "json":
        click.echo(render([dataclasses.asdict(t) for t in tasks], [], fmt))
        return
    rows = [
        {
            "task": t.id,
            "paper": t.paper_number,
            "title": t.title,
            "office": t.office_id,
            "state": t.state.value,
            "due": t.due,
            "every": t.interval_months,
            "report_to": t.report_to,
            "status": "overdue" if t.overdue else "open",
        }
        for t in tasks
    ]
    headers = ["task", "paper", "title", "office", "state", "due", "every", "report_to", "status"]
    click.echo(render(rows, headers, fmt))


def _day(day: dt.date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else "-"
