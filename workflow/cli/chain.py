"""Ergänzungsvorlagen and the Mitzeichnung on the command line: ``ratsweg paper supplement|
chain|overrule|answer``.

Same shape as every command in ``workflow.cli`` (parse, one service call, render);
``workflow.cli.root`` registers the commands.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import click

from workflow.cli.german import command, option
from workflow.cli.options import (
    DATE,
    Runtime,
    UsageProblem,
    actor_option,
    pass_runtime,
    reader_option,
    text_or_file,
    user_of,
)
from workflow.cli.output import chosen_format, output_options, render
from workflow.core.clock import today
from workflow.core.i18n import N_, _, date_text
from workflow.core.labels import value_label


@command(
    "supplement",
    help=N_("Create the next Ergänzungsvorlage of a released paper; it takes over the open steps."),
)
@click.argument("number")
@option("--reason", required=True, help=N_("What the Ergänzungsvorlage changes (audited)."))
@option("--title", help=N_("Betreff (default: the title of the paper it continues)."))
@option("--text", help=N_("The new Beschlussvorschlag."))
@option(
    "--text-file", type=click.Path(dir_okay=False), help=N_("A UTF-8 file with the new wording.")
)
@option("--date", type=DATE, help=N_("Date of the Ergänzungsvorlage (default today)."))
@option("--participant", "participants", multiple=True, help=N_("Co-signing office (repeat)."))
@option("--type", "paper_type", help=N_("Ergänzungsvorlage type (default: from the original)."))
@actor_option
@pass_runtime
def paper_supplement(
    rt: Runtime,
    number: str,
    text: str | None,
    text_file: str | None,
    date: dt.date | None,
    user: str | None,
    **fields: Any,
) -> None:
    view = rt.service.supplements.create_supplement(
        number,
        user=user_of(user),
        text=text_or_file(text, text_file),
        date=date or today(rt.service.clock),
        body=rt.body,
        **fields,
    )
    moved = ", ".join(f"{c.position}. {c.organization_name}" for c in view.consultations)
    click.echo(
        _("created {number} ({label}), continuing {origin}").format(
            number=view.number, label=view.state_label, origin=number
        ),
        err=True,
    )
    click.echo(
        "  " + _("open steps now on {number}: {steps}").format(number=view.number, steps=moved),
        err=True,
    )


@command(
    "chain",
    help=N_("List the chain of a paper: the original and its Ergänzungsvorlagen, in order."),
)
@click.argument("number")
@output_options
@reader_option
@pass_runtime
def paper_chain(rt: Runtime, number: str, fmt: str, as_json: bool, reader: str | None) -> None:
    views = rt.service.supplements.paper_chain(number, body=rt.body, reader=user_of(reader))
    fmt = chosen_format(fmt, as_json)
    if fmt == "json":
        click.echo(render([dataclasses.asdict(v) for v in views], [], "json"))
        return
    rows = [
        {
            "E": v.supplement_no or "",
            "Vorlage": v.number,
            "Art": v.paper_type_name,
            "Datum": v.date,
            "Status": v.state_label,
            "Schritte": ", ".join(
                f"{c.organization_name} ({c.result_label or value_label('step', c.state)})"
                for c in v.consultations
            ),
            "Betreff": v.title,
        }
        for v in views
    ]
    click.echo(render(rows, ["E", "Vorlage", "Art", "Datum", "Status", "Schritte", "Betreff"], fmt))


@command(
    "overrule", help=N_("Overrule an objection in the Mitzeichnung (head of the writing office).")
)
@click.argument("number")
@option("--office", required=True, help=N_("The office whose objection is overruled."))
@option("--reason", required=True, help=N_("Why the objection is overruled (audited)."))
@actor_option
@pass_runtime
def paper_overrule(rt: Runtime, number: str, office: str, reason: str, user: str | None) -> None:
    view = rt.service.co_signing.overrule_objection(
        number, user=user_of(user), office=office, reason=reason, body=rt.body
    )
    click.echo(
        _("{number}: objection of {office} overruled").format(number=view.number, office=office),
        err=True,
    )


@command("answer", help=N_("Record the administration's answer to an Anfrage."))
@click.argument("number")
@option("--text", help=N_("The answer."))
@option("--text-file", type=click.Path(dir_okay=False), help=N_("A UTF-8 file with the answer."))
@option("--date", type=DATE, help=N_("Date of the answer (default today)."))
@actor_option
@pass_runtime
def paper_answer(
    rt: Runtime,
    number: str,
    text: str | None,
    text_file: str | None,
    date: dt.date | None,
    user: str | None,
) -> None:
    answer = text_or_file(text, text_file)
    if answer is None:
        raise UsageProblem(_("pass the answer with --text TEXT or --text-file FILE"))
    view = rt.service.paper_types.record_answer(
        number, user=user_of(user), text=answer, date=date or today(rt.service.clock), body=rt.body
    )
    click.echo(
        _("{number}: answer of {date} recorded").format(
            number=view.number, date=date_text(view.answer_date)
        ),
        err=True,
    )
