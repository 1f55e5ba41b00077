"""``ratsweg deadlines`` and ``ratsweg paper check`` on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner, Result

from storage.session import Database
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.core.errors import InvalidInput
from workflow.definitions import resolve_definitions_dir
from workflow.service import WorkflowService

D = dt.date
LANDAU_DATES = [
    D(2011, 11, 14),
    D(2011, 11, 17),
    D(2011, 11, 17),
    D(2011, 11, 29),
    D(2011, 12, 7),
    D(2011, 12, 8),
    D(2011, 12, 13),
]


@pytest.fixture
def landau_2011(database: Database) -> WorkflowService:
    """Landau on 25.11.2011, with the Integrationskonzept submitted for co-signing."""
    service = WorkflowService(database, FixedClock(dt.datetime(2011, 11, 25, 9, tzinfo=dt.UTC)))
    service.bodies.load_definitions(resolve_definitions_dir("landau"), user=None)
    paper = service.papers.create_paper(
        user="sozialamt.weber",
        paper_type="sitzungsvorlage",
        title="Integrationskonzept",
        office="sozialamt",
        date=D(2011, 11, 23),
        route="integration",
        participants=["hauptamt"],
        planned_dates=LANDAU_DATES,
    )
    service.papers.submit_paper(paper.number, user="sozialamt.weber")
    return service


def run(service: WorkflowService, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj=service, env={"RATSWEG_USER": "rpa.schulz"})


def test_paper_check_flags_the_stadtrat_step(landau_2011: WorkflowService) -> None:
    result = run(landau_2011, "paper", "check", "2011/001", "--json")
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)
    stadtrat = steps[-1]
    assert (stadtrat["organization_id"], stadtrat["status"]) == ("stadtrat", "nachtrag")
    assert stadtrat["blocked_by"] == [6]
    assert stadtrat["proposed_date"] == "2011-12-14"
    ladung = next(d for d in stadtrat["deadlines"] if d["kind"] == "ladung")
    assert (ladung["day"], ladung["due"]) == ("2011-12-08", "2011-12-08T23:00:00Z")
    # on 25.11. the paper is not released: the Vorlagenschluss of steps 1-4 has passed, which
    # "missed" says before the Nachtrag (steps 2 and 3 still name the step they wait for)
    assert [s["status"] for s in steps] == [
        "missed",
        "missed",
        "missed",
        "missed",
        "ok",
        "nachtrag",
        "nachtrag",
    ]
    assert steps[1]["blocked_by"] == [1]
    assert steps[0]["message"] == "versäumt: Vorlagenschluss bis Mi 02.11.2011 (nicht erfolgt)"
    assert [(f["kind"], f["status"]) for f in stadtrat["fristen"]] == [
        ("Vorlagenschluss", "open"),
        ("Ladung", "open"),
    ]


def test_paper_check_proposes_the_gremiums_next_planned_meeting(
    landau_2011: WorkflowService,
) -> None:
    def stadtrat_check() -> dict[str, object]:
        result = run(landau_2011, "paper", "check", "2011/001", "--json")
        assert result.exit_code == 0, result.output
        return dict(json.loads(result.stdout)[-1])

    alone = stadtrat_check()
    assert alone["proposed_meeting"] is None
    assert str(alone["message"]).endswith("; keine geplante Sitzung ab dann")
    berlin = dt.timezone(dt.timedelta(hours=1))  # December: CET
    ids = {
        day: landau_2011.meetings.create_meeting(
            user="sitzungsdienst.becker",
            organization="stadtrat",
            start=dt.datetime(2011, 12, day, 17, tzinfo=berlin),
        ).id
        for day in (13, 15, 20)  # 13.12. is too early; 15.12. is the first one that works
    }
    landau_2011.meetings.create_meeting(  # another Gremium's meeting on the day itself does not count
        user="sitzungsdienst.becker",
        organization="hauptausschuss",
        start=dt.datetime(2011, 12, 14, 17, tzinfo=berlin),
    )
    check = stadtrat_check()
    assert check["proposed_date"] == "2011-12-14"
    assert check["proposed_meeting"] == ids[15]
    assert str(check["message"]).endswith(
        f"; nächste geplante Sitzung ab dann: Nr. {ids[15]} am 15.12.2011 17:00"
    )


def test_paper_check_table_explains_every_deadline(landau_2011: WorkflowService) -> None:
    result = run(landau_2011, "paper", "check", "2011/001")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["Nr", "Gremium", "Sitzung"]
    assert "Erläuterung:" in lines
    assert (
        "7. Ladung Stadtrat zur Sitzung am Di 13.12.2011: 4 volle Kalendertage zwischen Zugang "
        "und Sitzungstag (GemO § 34 Abs. 3 S. 1); gezählt: Fr 09.12.2011 bis Mo 12.12.2011 "
        "(4 Tage); Zugang spätestens Do 08.12.2011; Versand spätestens Do 08.12.2011, 24:00 Uhr"
    ) in lines


def test_deadlines_lists_overdue_and_upcoming(landau_2011: WorkflowService) -> None:
    result = run(landau_2011, "deadlines", "--to", "2011-11-30", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert (
        rows[0]
        == "day,kind,paper,position,organization,meeting,status,due,legal_basis,warnings,explanation"
    )
    short = [",".join(r.split(",")[:7]) for r in rows[1:]]
    assert short == [
        "02.11.2011,vorlagenschluss,2011/001,1,stadtvorstand,14.11.2011,overdue",
        "07.11.2011,vorlagenschluss,2011/001,2,beirat_migration,17.11.2011,overdue",
        "07.11.2011,vorlagenschluss,2011/001,3,sozialausschuss,17.11.2011,overdue",
        "09.11.2011,ladung,2011/001,1,stadtvorstand,14.11.2011,overdue",
        "12.11.2011,ladung,2011/001,2,beirat_migration,17.11.2011,overdue",
        "12.11.2011,ladung,2011/001,3,sozialausschuss,17.11.2011,overdue",
        "17.11.2011,vorlagenschluss,2011/001,4,hauptausschuss,29.11.2011,overdue",
        "24.11.2011,ladung,2011/001,4,hauptausschuss,29.11.2011,overdue",
        "25.11.2011,vorlagenschluss,2011/001,5,jugendhilfe_sozialausschuss,07.12.2011,open",
        "28.11.2011,vorlagenschluss,2011/001,6,beirat_migration,08.12.2011,open",
        "30.11.2011,mitzeichnung,2011/001,,hauptamt,,open",
    ]


def test_deadlines_filters(landau_2011: WorkflowService) -> None:
    def kinds(*args: str) -> list[tuple[str, str]]:
        result = run(landau_2011, "deadlines", "--json", *args)
        assert result.exit_code == 0, result.output
        return [(row["kind"], row["organization"]) for row in json.loads(result.stdout)]

    assert kinds("--organization", "stadtrat") == [
        ("vorlagenschluss", "stadtrat"),
        ("ladung", "stadtrat"),
    ]
    assert kinds("--user", "hauptamt.leitung") == [("mitzeichnung", "hauptamt")]
    assert len(kinds("--user", "sozialamt.weber")) == 15  # the paper's own office: everything
    assert len(kinds("--user", "sitzungsdienst.becker")) == 15  # no offices: every deadline
    assert kinds("--office", "hauptamt", "--from", "2011-11-30", "--to", "30.11.2011") == [
        ("mitzeichnung", "hauptamt")
    ]
    assert kinds("--paper", "2011/001", "--from", "2011-12-08") == [("ladung", "stadtrat")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("deadlines", "--organization", "stadtrath"),
            "Organisation 'stadtrath' gibt es nicht (meinten Sie 'stadtrat'?)",
        ),
        (
            ("deadlines", "--office", "nix"),
            "Amt 'nix' gibt es nicht; organizations.yaml führt sie auf\n",
        ),
        (  # a Gremium is not an office: the same message, not a different one
            ("deadlines", "--office", "stadtrat"),
            "Amt 'stadtrat' gibt es nicht; organizations.yaml führt sie auf\n",
        ),
        (
            ("deadlines", "--office", "hauptamtt"),
            "Amt 'hauptamtt' gibt es nicht (meinten Sie 'hauptamt'?)\n",
        ),
        (
            ("deadlines", "--user", "weber"),
            "Benutzer 'weber' gibt es nicht in den Definitionen von Stadt Landau in der Pfalz",
        ),
        (
            ("deadlines", "--paper", "2011/002"),
            "keine Vorlage '2011/002' in Stadt Landau in der Pfalz",
        ),
        (
            ("deadlines", "--from", "2011-12-01", "--to", "2011-11-01"),
            (
                "Fehler: der Zeitraum endet, bevor er beginnt: 2011-12-01 liegt nach 2011-11-01; "
                "prüfen Sie --to"
            ),
        ),
        (("paper", "check", "2011/01"), "keine Vorlage '2011/01' in Stadt Landau in der Pfalz"),
    ],
)
def test_user_errors_are_one_line_and_exit_1(
    landau_2011: WorkflowService, args: tuple[str, ...], message: str
) -> None:
    before = landau_2011.audit.audit_trail("2011/001")
    result = run(landau_2011, *args)
    assert result.exit_code == 1
    # the message after the prefix ("Fehler: " or "Fehler: ")
    assert result.stderr.partition(": ")[2].startswith(message.partition(": ")[2]), result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert landau_2011.audit.audit_trail("2011/001") == before


def test_bad_date_is_a_usage_error(landau_2011: WorkflowService) -> None:
    result = run(landau_2011, "deadlines", "--from", "31.06.2012")
    assert result.exit_code == 2
    assert "'31.06.2012' ist kein Datum" in result.stderr


def test_decided_papers_have_no_open_deadlines(landau_2011: WorkflowService) -> None:
    landau_2011.papers.withdraw_paper("2011/001", user="sozialamt.weber", reason="test")
    result = run(landau_2011, "deadlines", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    check = json.loads(run(landau_2011, "paper", "check", "2011/001", "--json").stdout)
    assert {s["status"] for s in check} == {"cancelled"}


def test_met_deadlines_are_not_listed(landau_2011: WorkflowService) -> None:
    """A Vorlagenschluss is met by the release, a Ladung by the meeting's invitation."""

    def listed() -> list[tuple[str, int | None]]:
        result = run(landau_2011, "deadlines", "--json")
        assert result.exit_code == 0, result.output
        return [(row["kind"], row["position"]) for row in json.loads(result.stdout)]

    before = listed()
    assert ("vorlagenschluss", 1) in before and ("ladung", 4) in before
    landau_2011.co_signing.co_sign("2011/001", user="hauptamt.leitung", office="hauptamt")
    landau_2011.papers.release_paper("2011/001", user="sozialamt.leitung")
    released = listed()
    assert [kind for kind, _ in released] == ["ladung"] * 7  # every Vorlagenschluss met
    meeting = landau_2011.meetings.create_meeting(
        user="sitzungsdienst.becker",
        organization="hauptausschuss",
        start=dt.datetime(2011, 11, 29, 17, tzinfo=dt.UTC),
    ).id
    landau_2011.agendas.build_agenda(meeting, user="sitzungsdienst.becker")
    assert listed() == released  # scheduled, not yet invited: the Ladung is still open
    landau_2011.meetings.invite_meeting(meeting, user="sitzungsdienst.becker")
    assert listed() == [entry for entry in released if entry != ("ladung", 4)]


def test_the_deadline_list_keeps_the_overdue_and_the_first_few(
    landau_2011: WorkflowService,
) -> None:
    """The service's list for the web's Fristen page: ``overdue`` and a bounded ``limit``."""
    everything = landau_2011.deadlines.list_deadlines(reader="rpa.schulz")
    assert len(everything) == 15
    overdue = landau_2011.deadlines.list_deadlines(overdue=True, reader="rpa.schulz")
    assert overdue == [e for e in everything if e.overdue] and len(overdue) == 8
    assert landau_2011.deadlines.list_deadlines(limit=3) == everything[:3]
    for bad in (0, 501):
        with pytest.raises(InvalidInput, match="1 bis 500 Einträge"):
            landau_2011.deadlines.list_deadlines(limit=bad)


def test_a_ladung_names_the_meeting_of_its_step(landau_2011: WorkflowService) -> None:
    landau_2011.co_signing.co_sign("2011/001", user="hauptamt.leitung", office="hauptamt")
    landau_2011.papers.release_paper("2011/001", user="sozialamt.leitung")
    meeting = landau_2011.meetings.create_meeting(
        user="sitzungsdienst.becker",
        organization="hauptausschuss",
        start=dt.datetime(2011, 11, 29, 17, tzinfo=dt.UTC),
    ).id
    landau_2011.agendas.build_agenda(meeting, user="sitzungsdienst.becker")
    named = {
        (e.deadline.kind.value, e.position): e.meeting_id
        for e in landau_2011.deadlines.list_deadlines()
    }
    assert named[("ladung", 4)] == meeting
    assert {m for key, m in named.items() if key != ("ladung", 4)} == {None}
