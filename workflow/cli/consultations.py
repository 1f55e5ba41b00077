"""``ratsweg consultation``: edit a paper's Beratungsfolge and record the results of its steps."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

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
from workflow.core.i18n import _

if TYPE_CHECKING:
    from workflow.core.model import VoteCount


@click.group()
def consultation() -> None:
    """Edit the Beratungsfolge and record results."""


ROLES = ["vorberatung", "anhoerung", "entscheidung", "kenntnisnahme", "genehmigung"]
REASON = "Why (required once the paper is released; kept in the audit trail)."


@consultation.command("add")
@click.argument("number")
@click.argument("organization")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--position", type=click.IntRange(min=1), help="Insert here (default: at the end).")
@click.option(
    "--parallel-to",
    type=click.IntRange(min=1),
    help="Run beside this step (same level; both are done before the next level).",
)
@click.option("--date", "planned_date", type=DATE, help="Planned date.")
@click.option("--public/--non-public", default=None, help="Default: the organization's.")
@click.option("--reason", help=REASON)
@actor_option
@pass_runtime
def consultation_add(rt: Runtime, number: str, user: str | None, **fields: Any) -> None:
    """Add a step to a paper's Beratungsfolge."""
    view = rt.service.paths.add_consultation(number, user=user_of(user), body=rt.body, **fields)
    echo_path(view)


@consultation.command("remove")
@click.argument("number")
@click.argument("position", type=click.IntRange(min=1))
@click.option("--reason", help=REASON)
@actor_option
@pass_runtime
def consultation_remove(
    rt: Runtime, number: str, position: int, reason: str | None, user: str | None
) -> None:
    """Remove a planned step (after release it stays in the path as cancelled)."""
    echo_path(
        rt.service.paths.remove_consultation(
            number, user=user_of(user), position=position, reason=reason, body=rt.body
        )
    )


@consultation.command("move")
@click.argument("number")
@click.argument("position", type=click.IntRange(min=1))
@click.option("--to", "to", required=True, type=click.IntRange(min=1), help="New position.")
@click.option("--reason", help=REASON)
@actor_option
@pass_runtime
def consultation_move(
    rt: Runtime, number: str, position: int, to: int, reason: str | None, user: str | None
) -> None:
    """Move a planned step to another position in the Beratungsfolge."""
    echo_path(
        rt.service.paths.move_consultation(
            number, user=user_of(user), position=position, to=to, reason=reason, body=rt.body
        )
    )


@consultation.command("schedule")
@click.argument("number")
@click.argument("position", type=click.IntRange(min=1), required=False)
@click.option("--position", "position_option", type=click.IntRange(min=1), help="The step.")
@click.option("--date", type=DATE, help="Meeting date.")
@click.option("--meeting", "meeting_id", type=click.IntRange(min=1), help="Put it on this agenda.")
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
    """Set the meeting date of a step, or put it on a meeting's agenda (--meeting)."""
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


@consultation.command("record")
@click.argument("number")
@click.argument("position", type=click.IntRange(min=1))
@click.option(
    "--result",
    "outcome",
    required=True,
    help="A normalised result or its label, as 'ratsweg definitions outcomes' shows them "
    '(e.g. "geändert beschlossen"), or a label from the municipality\'s procedure.yaml.',
)
@click.option("--date", type=DATE, help="Meeting date (default: the scheduled or planned one).")
@click.option("--yes", type=click.IntRange(min=0), help="Ja votes (main motion).")
@click.option("--no", type=click.IntRange(min=0), help="Nein votes.")
@click.option("--abstain", type=click.IntRange(min=0), help="Enthaltungen.")
@click.option("--biased", type=click.IntRange(min=0), help="Befangen (excluded).")
@click.option("--not-participating", type=click.IntRange(min=0), help="Not voting.")
@click.option("--absent", type=click.IntRange(min=0), help="Members absent.")
@click.option("--vote-label", help='Label of the vote, e.g. "einstimmig".')
@click.option(
    "--votes-file",
    type=click.Path(dir_okay=False),
    help="YAML/JSON list of votes (procedural motions, amendments, main motion; counts or "
    "named ballots); replaces the single-vote options.",
)
@click.option("--label", help='Result as worded, e.g. "einstimmig beschlossen".')
@click.option("--refer-to", help="ueberwiesen/zurueckverwiesen: the body it goes to.")
@click.option(
    "--refer-role",
    type=click.Choice(ROLES),
    help="Role of the referred step (default vorberatung; entscheidung if that body decides).",
)
@click.option("--until", "target_date", type=DATE, help="vertagt/zurueckgestellt: target date.")
@click.option("--text", "amended_text", help="geaendert_beschlossen: the amended wording.")
@click.option(
    "--text-file",
    type=click.Path(dir_okay=False),
    help="geaendert_beschlossen: a UTF-8 file with the amended wording.",
)
@click.option("--note", help="A note on the result (e.g. the reason for a postponement).")
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
    """Record the result of a step and apply its effect on the path."""
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
