"""A meeting's minutes recorded in one go (YAML or CSV): all items or none. Both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import on_day
from tests.test_meeting import DAY, START, meeting, released
from workflow.cli import cli
from workflow.core.errors import InvalidInput, MinutesFileError, TransitionNotAllowed
from workflow.meetings.minutes import read_minutes_file
from workflow.service import WorkflowService


def invited_meeting(service: WorkflowService, papers: int = 3) -> tuple[int, list[str]]:
    """A meeting on DAY with ``papers`` papers on its agenda, invited; the clock stands on the
    evening of DAY, so the meeting has taken place and its minutes can be recorded."""
    numbers = [released(service, title=f"Vorlage {i}") for i in range(papers)]
    meeting_id = meeting(service)
    service.agendas.build_agenda(meeting_id, user="session")
    service.meetings.invite_meeting(meeting_id, user="session")
    on_day(service.clock, DAY)
    return meeting_id, numbers


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_minutes_record_every_item_with_its_effect(
    service: WorkflowService, tmp_path: Path
) -> None:
    meeting_id, numbers = invited_meeting(service)
    service.meetings.hold_meeting(meeting_id, user="session")
    minutes = write(
        tmp_path,
        "minutes.yaml",
        f"""
items:
  - top: Ö 1
    result: empfohlen
    votes: [{{yes: 4, no: 0, abstain: 1}}]
  - top: Ö2
    result: vertagt
    until: 2025-04-15
  - paper: {numbers[2]}
    result: zurueckverwiesen
    refer_to: rat
    refer_role: anhoerung
""",
    )
    results = service.minutes.record_minutes(meeting_id, read_minutes_file(minutes), user="session")
    assert [(r.item, r.paper_number, r.outcome) for r in results] == [
        ("TOP Ö 1", numbers[0], "empfohlen"),
        ("TOP Ö2", numbers[1], "vertagt"),
        (f"paper {numbers[2]}", numbers[2], "zurueckverwiesen"),
    ]
    first = service.papers.get_paper(numbers[0])
    assert first.consultations[0].date == START.date()
    assert first.consultations[0].votes[0].abstain == 1
    second = service.papers.get_paper(numbers[1])
    assert [(c.organization_id, c.state) for c in second.consultations] == [
        ("ausschuss", "held"),
        ("ausschuss", "planned"),
        ("rat", "planned"),
    ]
    third = service.papers.get_paper(numbers[2])
    assert [(c.organization_id, c.role.value) for c in third.consultations][1:] == [
        ("rat", "anhoerung"),
        ("rat", "entscheidung"),
    ]
    assert service.audit.verify_audit().ok


def test_one_bad_item_records_nothing(service: WorkflowService, tmp_path: Path) -> None:
    meeting_id, numbers = invited_meeting(service, papers=2)
    before = [len(service.audit.audit_trail(n)) for n in numbers]
    minutes = write(
        tmp_path,
        "minutes.yaml",
        "items:\n  - {top: Ö 1, result: empfohlen}\n  - {top: Ö 2, result: genehmigt}\n",
    )
    with pytest.raises(InvalidInput, match="TOP Ö 2 .*'genehmigt' passt nicht zu Schritt 1"):
        service.minutes.record_minutes(meeting_id, read_minutes_file(minutes), user="session")
    assert [len(service.audit.audit_trail(n)) for n in numbers] == before
    assert service.papers.get_paper(numbers[0]).consultations[0].state == "scheduled"
    unknown = write(tmp_path, "unknown.yaml", "items:\n  - {top: Ö 9, result: empfohlen}\n")
    with pytest.raises(InvalidInput, match="hat keinen TOP 'Ö 9' \\(TOPs: Ö 1, Ö 2\\)"):
        service.minutes.record_minutes(meeting_id, read_minutes_file(unknown), user="session")


def test_minutes_need_an_invited_or_held_meeting(service: WorkflowService, tmp_path: Path) -> None:
    released(service)
    meeting_id = meeting(service)
    service.agendas.build_agenda(meeting_id, user="session")
    minutes = write(tmp_path, "m.yaml", "items:\n  - {top: Ö 1, result: empfohlen}\n")
    with pytest.raises(
        TransitionNotAllowed,
        match="Ergebnisse werden für eine geladene oder abgehaltene Sitzung erfasst",
    ):
        service.minutes.record_minutes(meeting_id, read_minutes_file(minutes), user="session")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("m.yaml", "items: []\n", "'items' muss eine nicht leere Liste sein"),
        ("m.yaml", "items:\n  - {top: Ö 1}\n", "m.yaml:2 (Eintrag 1): 'result' fehlt"),
        ("m.yaml", "items:\n  - {top: Ö 1, paper: x, result: a}\n", "genau eines von 'top'"),
        ("m.yaml", "items:\n  - {top: Ö 1, reslt: a}\n", "unbekannter Schlüssel 'reslt'"),
        (
            "m.yaml",
            "items:\n  - {top: Ö 1, result: a}\n  - {top: Ö 1, result: b}\n",
            "TOP Ö 1 steht bereits in Eintrag 1",
        ),
        (
            "m.yaml",
            "items:\n  - {top: Ö 1, result: a, until: 31.06.2012}\n",
            "until muss ein Datum",
        ),
        (
            "m.csv",
            "top;result;yes\nÖ 1;empfohlen;viele\n",
            "m.csv:2: yes muss eine ganze Zahl sein",
        ),
        ("m.csv", "top;ergebnis\nÖ 1;empfohlen\n", "unbekannte Spalte 'ergebnis'"),
    ],
)
def test_bad_minutes_files_are_refused_as_a_whole(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        read_minutes_file(write(tmp_path, name, content))
    assert message in str(info.value)


def test_csv_minutes_carry_the_amended_text(service: WorkflowService, tmp_path: Path) -> None:
    meeting_id, numbers = invited_meeting(service, papers=2)
    service.meetings.hold_meeting(meeting_id, user="session")
    minutes = write(
        tmp_path,
        "minutes.csv",
        "top;result;text;note\n"
        'Ö 1;mit_aenderungen_empfohlen;"Der Rat beschließt\nden Neubau; ohne Turm.";Antrag SPD\n'
        "Ö 2;empfohlen;;\n",
    )
    items = read_minutes_file(minutes)
    assert [(i.amended_text, i.note) for i in items] == [
        ("Der Rat beschließt\nden Neubau; ohne Turm.", "Antrag SPD"),
        (None, None),
    ]
    service.minutes.record_minutes(meeting_id, items, user="session")
    first = service.papers.get_paper(numbers[0])
    assert first.text == "Der Rat beschließt\nden Neubau; ohne Turm."
    assert first.text_versions[-1].text == first.text  # a new text version from the minutes
    # the outcome that needs the wording refuses a line without it, and records nothing
    again, others = invited_meeting(service, papers=1)
    service.meetings.hold_meeting(again, user="session")
    bare = write(tmp_path, "bare.csv", "top;result\nÖ 1;mit_aenderungen_empfohlen\n")
    with pytest.raises(InvalidInput):
        service.minutes.record_minutes(again, read_minutes_file(bare), user="session")
    assert service.papers.get_paper(others[0]).consultations[0].state != "held"


def test_cli_records_csv_minutes(service: WorkflowService, tmp_path: Path) -> None:
    meeting_id, numbers = invited_meeting(service, papers=2)
    minutes = write(
        tmp_path,
        "minutes.csv",
        "top;result;yes;no;abstain\nÖ 1;empfohlen;5;0;0\nÖ 2;abgelehnt;1;4;0\n",
    )
    result = CliRunner().invoke(
        cli,
        ["meeting", "record-minutes", str(meeting_id), str(minutes), "--json"],
        obj=service,
        env={"RATSWEG_USER": "session"},
    )
    assert result.exit_code == 0, result.output
    assert "Sitzung 1: 2 Ergebnisse erfasst" in result.stderr
    assert [c.state for c in service.papers.get_paper(numbers[1]).consultations] == [
        "held",
        "planned",
    ]
    refused = CliRunner().invoke(
        cli,
        ["meeting", "record-minutes", str(meeting_id), str(minutes)],
        obj=service,
        env={"RATSWEG_USER": "auditor"},
    )
    assert refused.exit_code == 1 and len(refused.stderr.strip().splitlines()) == 1


def test_every_problem_of_a_minutes_file_is_reported_with_its_line(tmp_path: Path) -> None:
    """Issue 13 item 14: one run names every bad entry of the file, each with its line."""
    yaml_file = write(
        tmp_path,
        "m.yaml",
        "items:\n"
        "  - top: Ö 1\n"
        "    result: empfohlen\n"
        "  - top: Ö 2\n"  # line 4: no result
        "  - top: Ö 3\n"
        "    result: vertagt\n"
        "    until: 31.06.2012\n"  # line 7: no date
        "  - top: Ö 4\n"
        "    reslt: empfohlen\n",  # line 9: unknown key (and line 8: no result)
    )
    with pytest.raises(MinutesFileError) as info:
        read_minutes_file(yaml_file)
    assert [(p.line, p.path) for p in info.value.problems] == [
        (4, "Eintrag 2"),
        (7, "Eintrag 3"),
        (9, "Eintrag 4"),
        (8, "Eintrag 4"),
    ]
    assert "m.yaml:7 (Eintrag 3): until muss ein Datum" in str(info.value)
    csv_file = write(
        tmp_path,
        "m.csv",
        "top;result;yes;text\n"
        "Ö 1;empfohlen;viele;\n"  # line 2
        'Ö 2;empfohlen;1;"zwei\nZeilen"\n'  # lines 3-4
        ";empfohlen;;\n"  # line 5: neither top nor paper
        "Ö 1;abgelehnt;x;\n",  # line 6: count and a duplicate of line 2's TOP
    )
    with pytest.raises(MinutesFileError) as info:
        read_minutes_file(csv_file)
    assert [p.line for p in info.value.problems] == [2, 5, 6]


def test_every_problem_of_the_minutes_is_reported_and_nothing_recorded(
    service: WorkflowService, tmp_path: Path
) -> None:
    """Issue 13 item 14: problems found against the meeting (unknown TOP, a result that does
    not fit) are all reported with their lines in one run, and nothing is recorded."""
    meeting_id, numbers = invited_meeting(service, papers=3)
    before = [len(service.audit.audit_trail(n)) for n in numbers]
    minutes = write(
        tmp_path,
        "minutes.yaml",
        "items:\n"
        "  - {top: Ö 1, result: genehmigt}\n"
        "  - {top: Ö 2, result: empfohlen}\n"
        "  - {top: Ö 9, result: empfohlen}\n"
        "  - {paper: 1999/999, result: empfohlen}\n",
    )
    with pytest.raises(MinutesFileError) as info:
        service.minutes.record_minutes(meeting_id, read_minutes_file(minutes), user="session")
    problems = info.value.problems
    assert [(p.line, p.path) for p in problems] == [
        (4, "Eintrag 3"),
        (5, "Eintrag 4"),
        (2, "Eintrag 1"),
    ]
    assert "hat keinen TOP 'Ö 9'" in problems[0].message
    assert "steht nicht auf der Tagesordnung" in problems[1].message
    assert "'genehmigt' passt nicht zu Schritt 1" in problems[2].message
    assert [len(service.audit.audit_trail(n)) for n in numbers] == before
    assert [service.papers.get_paper(n).consultations[0].state for n in numbers] == [
        "scheduled"
    ] * 3
    result = CliRunner().invoke(
        cli,
        ["meeting", "record-minutes", str(meeting_id), str(minutes)],
        obj=service,
        env={"RATSWEG_USER": "session"},
    )
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith(f"Fehler: {minutes}:") for line in lines)
    assert [len(service.audit.audit_trail(n)) for n in numbers] == before
