"""``ratsweg consultation``: edit a paper's Beratungsfolge and record the results of its steps."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from workflow.cli.german import group, option
from workflow.cli.options import (
    DATE,
    Runtime,
    UsageProblem,
    actor_option,
    pass_runtime,
    text_or_file,
    user_of,
    warning_text,
)
from workflow.cli.output import state_line
from workflow.cli.paper_view import echo_path
from workflow.core.i18n import N_, _

if TYPE_CHECKING:
    from workflow.core.model import VoteCount


@group(help=N_("Edit the Beratungsfolge and record results."))
def consultation() -> None:
    pass


ROLES = ["vorberatung", "anhoerung", "entscheidung", "kenntnisnahme", "genehmigung"]
REASON = N_("Why (required once the paper is released; kept in the audit trail).")


@consultation.command("add", help=N_("Add a step to a paper's Beratungsfolge."))
@click.argument("number")
@click.argument("organization")
@option(
    "--role",
    required=True,
    type=click.Choice(ROLES),
    help=N_("Role of the step in the Beratungsfolge."),
)
@option("--position", type=click.IntRange(min=1), help=N_("Insert here (default: at the end)."))
@option(
    "--parallel-to",
    type=click.IntRange(min=1),
    help=N_("Run beside this step (same level; both are done before the next level)."),
)
@option("--date", "planned_date", type=DATE, help=N_("Planned date."))
@option("--public/--non-public", default=None, help=N_("Default: the organization's."))
@option("--reason", help=REASON)
@actor_option
@pass_runtime
def consultation_add(rt: Runtime, number: str, user: str | None, **fields: Any) -> None:
    view = rt.service.paths.add_consultation(number, user=user_of(user), body=rt.body, **fields)
    echo_path(view)


@consultation.command(
    "remove", help=N_("Remove a planned step (after release it stays in the path as cancelled).")
)
@click.argument("number")
@click.argument("position", type=click.IntRange(min=1))
@option("--reason", help=REASON)
@actor_option
@pass_runtime
def consultation_remove(
    rt: Runtime, number: str, position: int, reason: str | None, user: str | None
) -> None:
    echo_path(
        rt.service.paths.remove_consultation(
            number, user=user_of(user), position=position, reason=reason, body=rt.body
        )
    )


@consultation.command(
    "move", help=N_("Move a planned step to another position in the Beratungsfolge.")
)
@click.argument("number")
@click.argument("position", type=click.IntRange(min=1))
@option("--to", "to", required=True, type=click.IntRange(min=1), help=N_("New position."))
@option("--reason", help=REASON)
@actor_option
@pass_runtime
def consultation_move(
    rt: Runtime, number: str, position: int, to: int, reason: str | None, user: str | None
) -> None:
    echo_path(
        rt.service.paths.move_consultation(
            number, user=user_of(user), position=position, to=to, reason=reason, body=rt.body
        )
    )


@consultation.command(
    "schedule",
    help=N_("Set the meeting date of a step, or put it on a meeting's agenda (--meeting)."),
)
@click.argument("number")
@click.argument("position", type=click.IntRange(min=1), required=False)
@option("--position", "position_option", type=click.IntRange(min=1), help=N_("The step."))
@option("--date", type=DATE, help=N_("Meeting date."))
@option("--meeting", "meeting_id", type=click.IntRange(min=1), help=N_("Put it on this agenda."))
@actor_option
@pass_runtime
def consultation_schedule(
    rt: Runtime,
    number: str,
    position: int | None,
    position_option: int | None,
    date: dt.date | None,
    meeting_id: int | None,
    user: str | None,
) -> None:
    step = position or position_option
    if step is None or (date is None) == (meeting_id is None):
        raise UsageProblem(_("give the step (POSITION or --position) and --date or --meeting"))
    if meeting_id is None:
        assert date is not None
        echo_path(
            rt.service.agendas.reschedule_step(
                number, user=user_of(user), position=step, date=date, body=rt.body
            )
        )
        return
    item = rt.service.agendas.schedule_into_meeting(
        number, user=user_of(user), position=step, meeting_id=meeting_id, body=rt.body
    )
    where = item.number or _("numbered by the invitation")
    nachtrag = ", " + _("Nachtrag") if item.nachtrag else ""
    click.echo(
        _("{number} step {step}: on the agenda of meeting {meeting} ({where})").format(
            number=number, step=step, meeting=meeting_id, where=where + nachtrag
        )
    )


@consultation.command(
    "record", help=N_("Record the result of a step and apply its effect on the path.")
)
@click.argument("number")
@click.argument("position", type=click.IntRange(min=1))
@option(
    "--result",
    "outcome",
    required=True,
    help=N_(
        "A normalised result or its label, as 'ratsweg definitions outcomes' shows them "
        '(e.g. "geändert beschlossen"), or a label from the municipality\'s procedure.yaml.'
    ),
)
@option("--date", type=DATE, help=N_("Meeting date (default: the scheduled or planned one)."))
@option("--yes", type=click.IntRange(min=0), help=N_("Ja votes (main motion)."))
@option("--no", type=click.IntRange(min=0), help=N_("Nein votes."))
@option("--abstain", type=click.IntRange(min=0), help=N_("Enthaltungen."))
@option("--biased", type=click.IntRange(min=0), help=N_("Befangen (excluded)."))
@option("--not-participating", type=click.IntRange(min=0), help=N_("Not voting."))
@option("--absent", type=click.IntRange(min=0), help=N_("Members absent."))
@option("--vote-label", help=N_('Label of the vote, e.g. "einstimmig".'))
@option(
    "--votes-file",
    type=click.Path(dir_okay=False),
    help=N_(
        "YAML/JSON list of votes (procedural motions, amendments, main motion; counts or "
        "named ballots); replaces the single-vote options."
    ),
)
@option("--label", help=N_('Result as worded, e.g. "einstimmig beschlossen".'))
@option("--refer-to", help=N_("ueberwiesen/zurueckverwiesen: the body it goes to."))
@option(
    "--refer-role",
    type=click.Choice(ROLES),
    help=N_("Role of the referred step (default vorberatung; entscheidung if that body decides)."),
)
@option("--until", "target_date", type=DATE, help=N_("vertagt/zurueckgestellt: target date."))
@option("--text", "amended_text", help=N_("geaendert_beschlossen: the amended wording."))
@option(
    "--text-file",
    type=click.Path(dir_okay=False),
    help=N_("geaendert_beschlossen: a UTF-8 file with the amended wording."),
)
@option("--note", help=N_("A note on the result (e.g. the reason for a postponement)."))
@actor_option
@pass_runtime
def consultation_record(
    rt: Runtime,
    number: str,
    position: int,
    outcome: str,
    date: dt.date | None,
    label: str | None,
    refer_to: str | None,
    refer_role: str | None,
    target_date: dt.date | None,
    amended_text: str | None,
    text_file: str | None,
    note: str | None,
    votes_file: str | None,
    vote_label: str | None,
    user: str | None,
    **counts: int | None,
) -> None:
    amended_text = text_or_file(amended_text, text_file)
    votes = _votes(votes_file, vote_label, counts)
    view = rt.service.results.record_result(
        number,
        user=user_of(user),
        position=position,
        outcome=outcome,
        date=date,
        votes=votes,
        label=label,
        refer_to=refer_to,
        refer_role=refer_role,
        target_date=target_date,
        amended_text=amended_text,
        note=note,
        body=rt.body,
    )
    for warning in view.warnings:
        click.echo(warning_text(warning), err=True)
    click.echo(state_line(view.number, view.state_label, view.state), err=True)


def _votes(
    votes_file: str | None, vote_label: str | None, counts: dict[str, int | None]
) -> list[VoteCount]:
    """The votes of ``--votes-file``, or the one vote of the single-vote options, or none."""
    from workflow.core.model import VoteCount
    from workflow.papers.votes import read_votes_file

    given = any(v is not None for v in counts.values())
    if votes_file is not None:
        if given or vote_label:
            raise UsageProblem(_("pass either --votes-file or the single-vote options"))
        return read_votes_file(votes_file)
    if not (given or vote_label):
        return []
    return [
        VoteCount(
            label=vote_label,
            yes=counts["yes"],
            no=counts["no"],
            abstain=counts["abstain"],
            biased=counts["biased"],
            not_participating=counts["not_participating"],
            absent=counts["absent"],
        )
    ]
