"""``ratsweg meeting order|remove-item|move-item`` and ``ratsweg paper edit``: one service
call each, the agenda table with its item ids, and one German line per refusal (exit 1)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.test_agenda_edit import built, ids
from tests.test_cli import run
from tests.test_meeting import START, meeting
from workflow.service import WorkflowService

S = "session"


def test_order_by_ids_prints_the_new_agenda(service: WorkflowService) -> None:
    mid, (_a, _b, _c) = built(service)
    ia, ib, im, ic = ids(service, mid)
    result = run(service, "meeting", "order", str(mid), str(ic), str(im), str(ib), str(ia), user=S)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Sitzung {mid}: Tagesordnung geordnet\n"
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "TOP", "Ö/N", "Nachtrag", "Vorlage", "Betreff"]
    assert [line.split()[0] for line in lines[2:]] == [str(im), str(ib), str(ia), str(ic)]


def test_order_up_and_down_move_one_place(service: WorkflowService) -> None:
    mid, _papers = built(service)
    ia, ib, im, ic = ids(service, mid)
    assert run(service, "meeting", "order", str(mid), "--up", str(im), user=S).exit_code == 0
    assert run(service, "meeting", "order", str(mid), "--down", str(ia), user=S).exit_code == 0
    assert ids(service, mid) == [im, ia, ib, ic]


def test_remove_item_takes_it_off(service: WorkflowService) -> None:
    mid, (a, _b, _c) = built(service)
    item = ids(service, mid)[0]
    result = run(service, "meeting", "remove-item", str(mid), str(item), user=S)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Sitzung {mid}: TOP {item} von der Tagesordnung genommen\n"
    assert a not in result.stdout


def test_move_item_names_the_new_item(service: WorkflowService) -> None:
    mid, (_a, _b, _c) = built(service)
    later = meeting(service, start=START + dt.timedelta(days=7))
    item = ids(service, mid)[0]
    result = run(service, "meeting", "move-item", str(mid), str(item), "--to", str(later), user=S)
    assert result.exit_code == 0, result.output
    (new,) = ids(service, later)
    assert result.stderr == (
        f"TOP {item} in Sitzung {later} verschoben als TOP {new} (Nummer erst mit der Einladung)\n"
    )


@pytest.mark.parametrize(
    ("args", "user", "message"),
    [
        (("order", "{mid}", "1"), S, "muss jeden TOP der Tagesordnung genau einmal nennen"),
        (("order", "{mid}"), S, "geben Sie entweder jede TOP-ID in der neuen Reihenfolge"),
        (("order", "{mid}", "1", "--up", "1"), S, "geben Sie entweder jede TOP-ID"),
        (("order", "{mid}", "--up", "{first}"), S, "ist schon der erste seines Teils"),
        (("remove-item", "{mid}", "999"), S, "hat keinen TOP 999"),
        (("move-item", "{mid}", "{first}", "--to", "{mid}"), S, "steht schon auf der"),
        (("remove-item", "{mid}", "{first}"), "clerk", "hat keine Berechtigung für meeting.manage"),
    ],
)
def test_agenda_refusals_are_one_german_line_and_change_nothing(
    service: WorkflowService, args: tuple[str, ...], user: str, message: str
) -> None:
    mid, _papers = built(service)
    before = service.meetings.get_meeting(mid)
    values = {"mid": str(mid), "first": str(ids(service, mid)[0])}
    result = run(service, "meeting", *(a.format(**values) for a in args), user=user)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("Fehler: ") and message in line, line
    assert service.meetings.get_meeting(mid) == before


def test_after_the_invitation_remove_item_points_to_abgesetzt(service: WorkflowService) -> None:
    mid, _papers = built(service)
    service.meetings.invite_meeting(mid, user=S)
    result = run(service, "meeting", "remove-item", str(mid), str(ids(service, mid)[0]), user=S)
    assert result.exit_code == 1
    assert "erfassen Sie dort das Ergebnis „abgesetzt“" in result.stderr
    assert len(result.stderr.splitlines()) == 1


# -- paper edit ------------------------------------------------------------------------------


def created(service: WorkflowService) -> str:
    result = run(
        service,
        "paper", "create", "--type", "vorlage", "--title", "Feuerwache", "--office", "amt1",
        "--route", "standard", "--date", "2025-03-01", "--text", "Alt.", "--json",
        user="clerk",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["number"])


def test_paper_edit_changes_title_text_and_planned_dates(
    service: WorkflowService, tmp_path: Path
) -> None:
    number = created(service)
    text = tmp_path / "text.txt"
    text.write_text("Neu.\n", encoding="utf-8")
    result = run(
        service,
        "paper", "edit", number, "--title", "Feuerwache Nord", "--text-file", str(text),
        "--planned", "1=2025-04-01", "--json",
        user="clerk",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == f"{number} bearbeitet\n"
    shown = json.loads(result.stdout)
    assert (shown["title"], shown["text"]) == ("Feuerwache Nord", "Neu.")
    assert shown["consultations"][0]["planned_date"] == "2025-04-01"
    assert [v["source"] for v in shown["text_versions"]] == ["draft"]
    again = run(service, "paper", "edit", number, "--planned", "1=-", "--json", user="clerk")
    assert json.loads(again.stdout)["consultations"][0]["planned_date"] is None


@pytest.mark.parametrize(
    ("args", "user", "message"),
    [
        (("--title", "Feuerwache"), "clerk", "keine Änderung: {number} lautet schon so"),
        ((), "clerk", "keine Änderung angegeben"),
        (("--planned", "9=2025-04-01"), "clerk", "hat keinen Schritt 9"),
        (("--planned", "1=2025-04-01", "--planned", "2025-04-02"), "clerk", "nicht beides"),
        (("--participant", "amt1"), "clerk", "kann sie nicht auch mitzeichnen"),
        (("--participant", "amt1", "--no-participants"), "clerk", "nicht beides"),
        (("--title", "x"), "auditor", "hat keine Berechtigung für paper.edit"),
        (("--text-file", "/nonexistent/text.txt"), "clerk", "text.txt"),
    ],
)
def test_paper_edit_refusals_are_one_german_line(
    service: WorkflowService, args: tuple[str, ...], user: str, message: str
) -> None:
    number = created(service)
    before = service.papers.get_paper(number)
    result = run(service, "paper", "edit", number, *args, user=user)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("Fehler: ") and message.format(number=number) in line, line
    assert service.papers.get_paper(number) == before


def test_paper_edit_refuses_a_paper_that_is_no_draft(service: WorkflowService) -> None:
    number = created(service)
    assert run(service, "paper", "submit", number, user="clerk").exit_code == 0
    result = run(service, "paper", "edit", number, "--title", "Anders", user="clerk")
    assert result.exit_code == 1
    assert "nur ein Entwurf kann bearbeitet werden" in result.stderr
    assert len(result.stderr.splitlines()) == 1
