"""``ratsweg decisions list``: decisions with body, date, result, votes and the deadlines kept
or missed on the way, on the shipped Landau definitions (which have Fristen)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from click.testing import CliRunner, Result

from workflow.audit.trail import DecisionQuery
from workflow.cli import cli
from workflow.core.clock import BERLIN, FixedClock
from workflow.core.model import Ballot, NamedBallot, VoteCount
from workflow.service import WorkflowService

CLERK, HEAD, SESSION = "sozialamt.weber", "sozialamt.leitung", "sitzungsdienst.becker"
AUDITOR = "rpa.schulz"


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=BERLIN)


def decided_paper(
    service: WorkflowService,
    *,
    released: str,
    dates: tuple[str, str, str],
    outcome: str = "beschlossen",
    votes: VoteCount | None = None,
    invite: str | None = None,
) -> str:
    """A Stadtrat paper (Stadtvorstand, Hauptausschuss, Stadtrat), released on ``released``;
    with ``invite`` the Stadtrat step is on a meeting invited on that day."""
    clock = service.clock
    assert isinstance(clock, FixedClock)
    clock.instant = at(released, 9)
    number = service.papers.create_paper(
        user=CLERK, paper_type="sitzungsvorlage", title=f"Vorlage {released}",
        office="sozialamt", date=dt.date.fromisoformat(released), route="stadtrat",
        planned_dates=[dt.date.fromisoformat(d) for d in dates],
    ).number  # fmt: skip
    service.papers.submit_paper(number, user=CLERK)
    service.papers.release_paper(number, user=HEAD)
    if invite is not None:
        meeting = service.meetings.create_meeting(
            user=SESSION, organization="stadtrat", start=at(dates[2], 17)
        ).id
        service.agendas.schedule_into_meeting(number, user=SESSION, position=3, meeting_id=meeting)
        clock.instant = at(invite)
        service.meetings.invite_meeting(meeting, user=SESSION)
    for position, (day, result) in enumerate(
        zip(dates, ("empfohlen", "empfohlen", outcome), strict=True), start=1
    ):
        clock.instant = at(day, 20)
        service.results.record_result(
            number,
            user=SESSION,
            position=position,
            outcome=result,
            date=dt.date.fromisoformat(day),
            votes=[votes] if votes and position == 3 else [],
        )
    return number


@pytest.fixture
def decisions(landau: WorkflowService) -> dict[str, str]:
    """Three Stadtrat decisions: two in 2024 (one in time, one released too late and invited
    too late), one in 2025."""
    kept = decided_paper(
        landau,
        released="2024-01-08",
        dates=("2024-01-22", "2024-01-29", "2024-02-15"),
        votes=VoteCount(yes=39, no=0, abstain=4, biased=1, label="einstimmig"),
        invite="2024-02-05",
    )
    late = decided_paper(
        landau,
        released="2024-06-10",
        dates=("2024-06-11", "2024-06-12", "2024-06-13"),
        outcome="abgelehnt",
        votes=VoteCount(yes=10, no=30, abstain=2),
        invite="2024-06-12",
    )
    later = decided_paper(
        landau, released="2025-01-06", dates=("2025-01-20", "2025-01-27", "2025-02-13")
    )
    return {"kept": kept, "late": late, "later": later}


def run(service: WorkflowService, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj=service, env={"RATSWEG_USER": AUDITOR})


def test_all_decisions_of_the_stadtrat_in_2024(
    landau: WorkflowService, decisions: dict[str, str]
) -> None:
    result = run(landau, "decisions", "list", "--organization", "stadtrat", "--year", "2024")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:6] == ["Datum", "Gremium", "Vorlage", "Titel", "Ergebnis", "Ja"]
    assert len(lines) == 4
    assert lines[2].startswith(f"Do 15.02.2024  Stadtrat   {decisions['kept']}")
    assert re.split(r"\s{2,}", lines[2])[4:] == [
        "beschlossen", "39", "0", "4", "1", "einstimmig", "4 eingehalten, 2 nicht feststellbar",
    ]  # fmt: skip
    assert lines[3].startswith(f"Do 13.06.2024  Stadtrat   {decisions['late']}")
    assert decisions["later"] not in result.stdout
    # the bare group prints the same listing (here: without filters, so 2025 too)
    bare = run(landau, "decisions")
    assert bare.exit_code == 0
    assert (
        bare.stdout.splitlines()[1:4] == run(landau, "decisions", "list").stdout.splitlines()[1:4]
    )
    assert decisions["later"] in bare.stdout


def test_each_decision_says_which_deadlines_were_kept_or_missed(
    landau: WorkflowService, decisions: dict[str, str]
) -> None:
    result = run(landau, "decisions", "list", "--year", "2024", "--json")
    assert result.exit_code == 0, result.output
    found = {d["paper"]: d for d in json.loads(result.stdout)}
    assert set(found) == {decisions["kept"], decisions["late"]}
    kept, late = found[decisions["kept"]], found[decisions["late"]]
    assert (kept["result"], kept["yes"], kept["no"], kept["abstain"], kept["biased"]) == (
        "beschlossen", 39, 0, 4, 1,
    )  # fmt: skip
    assert kept["vote_label"] == "einstimmig" and kept["outcome"] == "beschlossen"
    assert (late["outcome"], late["yes"], late["no"]) == ("abgelehnt", 10, 30)

    def statuses(decision: dict[str, Any]) -> dict[tuple[str, int | None], str]:
        return {(c["kind"], c["position"]): c["status"] for c in decision["deadlines"]}

    # the Stadtrat meeting was invited on 05.02. for 15.02.; the paper was released in January
    assert statuses(kept)[("Ladung", 3)] == "kept"
    assert statuses(kept)[("Vorlagenschluss", 3)] == "kept"
    assert statuses(kept)[("Ladung", 1)] == "unknown"  # no meeting record for step 1
    assert kept["deadlines_missed"] == 0
    # released on 10.06. for meetings on 11.-13.06., invited the day before the Stadtrat
    assert statuses(late)[("Vorlagenschluss", 1)] == "missed"
    assert statuses(late)[("Ladung", 3)] == "missed"
    assert late["deadlines_missed"] == 4  # Vorlagenschluss of all three steps, Ladung of step 3
    ladung = next(c for c in late["deadlines"] if (c["kind"], c["position"]) == ("Ladung", 3))
    assert ladung["done_at"] == "2024-06-12T08:00:00Z"
    assert ladung["explanation"].startswith("Einladung am Mi 12.06.2024; fällig bis ")
    table = run(landau, "decisions", "list", "--year", "2024").stdout
    assert table.splitlines()[3].endswith(
        "4 versäumt, 2 nicht feststellbar: Vorlagenschluss (1); Vorlagenschluss (2); "
        "Vorlagenschluss (3); Ladung (3)"
    )


@pytest.mark.parametrize(
    ("args", "papers"),
    [
        (("--outcome", "abgelehnt"), ["late"]),
        (("--since", "2024-06-01", "--until", "31.12.2025"), ["late", "later"]),
        (("--year", "2024", "--since", "2024-03-01"), ["late"]),
        (("--paper-type", "sitzungsvorlage", "--year", "2025"), ["later"]),
        (("--organization", "hauptausschuss"), []),  # recommendations are no decisions
    ],
)
def test_filters_combine(
    landau: WorkflowService, decisions: dict[str, str], args: tuple[str, ...], papers: list[str]
) -> None:
    result = run(landau, "decisions", "list", *args, "--format", "ndjson")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["paper"] for line in result.stdout.splitlines()] == [
        decisions[p] for p in papers
    ]


def test_csv_has_one_row_per_decision_with_the_deadlines_as_json(
    landau: WorkflowService, decisions: dict[str, str]
) -> None:
    result = run(landau, "decisions", "list", "--format", "csv", "--outcome", "beschlossen")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["paper"] for r in rows] == [decisions["kept"], decisions["later"]]
    assert rows[0]["date"] == "2024-02-15" and rows[0]["yes"] == "39"
    assert {c["kind"] for c in json.loads(rows[0]["deadlines"])} == {"Vorlagenschluss", "Ladung"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--organization", "stadtrta"),
            "Fehler: Organisation 'stadtrta' gibt es nicht (meinten Sie 'stadtrat'",
        ),
        (("--outcome", "beschlosen"), "Fehler: unbekanntes Ergebnis 'beschlosen' "),
        (
            ("--paper-type", "petition"),
            "Fehler: Vorlagenart 'petition' gibt es nicht; paper_types.yaml führt sie auf",
        ),
        (
            ("--since", "2024-05-01", "--until", "2024-04-01"),
            "Fehler: der Zeitraum beginnt am 01.05.2024, endet aber am 01.04.2024",
        ),
    ],
)
def test_bad_filters_are_one_line(
    landau: WorkflowService, args: tuple[str, ...], message: str
) -> None:
    result = run(landau, "decisions", "list", *args)
    assert result.exit_code == 1
    # the message after the prefix ("Fehler: " or "Fehler: ")
    assert result.stderr.partition(": ")[2].startswith(message.partition(": ")[2])
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_a_decision_by_named_vote_keeps_its_ballots(landau: WorkflowService) -> None:
    named = (
        NamedBallot(member="Arendt", ballot=Ballot.YES),
        NamedBallot(member="Böll", ballot=Ballot.NO),
        NamedBallot(member="Curie", ballot=Ballot.YES),
    )
    number = decided_paper(
        landau,
        released="2024-01-08",
        dates=("2024-01-22", "2024-01-29", "2024-02-15"),
        votes=VoteCount(named=named),
    )
    (decision,) = landau.trail.list_decisions(DecisionQuery())
    assert decision.paper == number
    assert decision.vote is not None and decision.vote.named == named
    assert (decision.vote.yes, decision.vote.no) == (2, 1)
