"""Issue 13, item 4: control characters in texts are refused at every service entry point.

One-line texts (titles, reasons, comments, labels, notes, names) refuse every control
character; multi-line texts (a paper's text, an answer, an amended wording, the notes and
texts of minutes, a report) allow line feeds and tabs only. The check runs before anything is
looked up or written, so these calls name papers and meetings that need not exist.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from workflow.cli import cli
from workflow.core.errors import InvalidInput
from workflow.core.inputs import check_line, check_text
from workflow.core.model import Ballot, NamedBallot, PlannedStep, VoteCount
from workflow.meetings.minutes import MinutesItem, read_minutes_file
from workflow.service import WorkflowService

ESC = "\x1b]0;pwned\x07"  # sets the terminal's title
D = dt.date(2025, 3, 1)
WHEN = dt.datetime(2025, 3, 1, 18, 0, tzinfo=dt.UTC)


def _calls(bad: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(service, method, keyword arguments) of every entry point with one bad text each."""
    user = {"user": "clerk"}
    paper = {"paper_type": "vorlage", "office": "amt1", "date": D, **user}
    return [
        ("papers", "create_paper", {**paper, "title": f"Haushalt{bad}"}),
        ("papers", "create_paper", {**paper, "title": "H", "reference": bad}),
        ("papers", "create_paper", {**paper, "title": "H", "faction": bad}),
        ("papers", "create_paper", {**paper, "title": "H", "members": ["a", bad]}),
        ("papers", "create_paper", {**paper, "title": "H", "participants": [bad]}),
        ("papers", "withdraw_paper", {"number": "X/1", "reason": f"weil{bad}", **user}),
        ("paths", "add_consultation", _step({"organization": "rat", "role": "entscheidung"}, bad)),
        ("paths", "remove_consultation", _step({"position": 1}, bad)),
        ("paths", "move_consultation", _step({"position": 1, "to": 2}, bad)),
        (
            "paths",
            "replace_path",
            _step({"steps": [PlannedStep(organization="rat", role="entscheidung")]}, bad),
        ),
        ("results", "record_result", _result({"label": bad})),
        ("results", "record_result", _result({"votes": [VoteCount(yes=1, subject=bad)]})),
        ("results", "record_result", _result({"votes": [VoteCount(yes=1, raw=bad)]})),
        ("results", "record_result", _result({"votes": [VoteCount(yes=1, label=bad)]})),
        (
            "results",
            "record_result",
            _result(
                {"votes": [VoteCount(yes=1, named=(NamedBallot(member=bad, ballot=Ballot.YES),))]}
            ),
        ),
        ("co_signing", "co_sign", {"number": "X/1", "office": "amt1", "comment": bad, **user}),
        (
            "co_signing",
            "overrule_objection",
            {"number": "X/1", "office": "a", "reason": bad, **user},
        ),
        ("supplements", "create_supplement", {"number": "X/1", "reason": bad, "date": D, **user}),
        ("supplements", "create_supplement", _supplement({"title": bad})),
        ("meetings", "create_meeting", {"organization": "rat", "start": WHEN, "name": bad, **user}),
        (
            "meetings",
            "create_meeting",
            {"organization": "r", "start": WHEN, "location": bad, **user},
        ),
        ("meetings", "cancel_meeting", {"meeting_id": 1, "reason": bad, **user}),
        ("meetings", "move_meeting", {"meeting_id": 1, "day": D, "reason": bad, **user}),
        ("agendas", "add_agenda_item", {"meeting_id": 1, "title": bad, **user}),
        ("agendas", "add_agenda_item", {"meeting_id": 1, "title": "T", "note": bad, **user}),
        ("decisions", "record_urgent_decision", _urgent({"reason": bad})),
        ("decisions", "record_urgent_decision", _urgent({"decided_by": bad})),
        (
            "decisions",
            "raise_objection",
            {"number": "X/1", "kind": "widerspruch", "date": D, "reason": bad, **user},
        ),
        (
            "decisions",
            "record_supervisory_decision",
            {"number": "X/1", "annul": True, "reason": bad, **user},
        ),
        (
            "tasks",
            "add_implementation_task",
            {"number": "X/1", "title": bad, "office": "a", **user},
        ),
    ]


def _multiline_calls(bad: str) -> list[tuple[str, str, dict[str, Any]]]:
    user = {"user": "clerk"}
    paper = {"paper_type": "vorlage", "office": "amt1", "date": D, "title": "H", **user}
    return [
        ("papers", "create_paper", {**paper, "text": bad}),
        ("results", "record_result", _result({"amended_text": bad})),
        ("results", "record_result", _result({"note": bad})),
        ("supplements", "create_supplement", _supplement({"text": bad})),
        ("paper_types", "record_answer", {"number": "X/1", "text": bad, "date": D, **user}),
        ("tasks", "report_implementation", {"task_id": 1, "date": D, "text": bad, **user}),
        ("minutes", "record_minutes", {"meeting_id": 1, "items": [_item(note=bad)], **user}),
        (
            "minutes",
            "record_minutes",
            {"meeting_id": 1, "items": [_item(amended_text=bad)], **user},
        ),
        ("minutes", "record_minutes", {"meeting_id": 1, "items": [_item(label=f"L{bad}")], **user}),
    ]


def _step(fields: dict[str, Any], bad: str) -> dict[str, Any]:
    return {"number": "X/1", "user": "clerk", "reason": f"Grund{bad}", **fields}


def _result(fields: dict[str, Any]) -> dict[str, Any]:
    return {"number": "X/1", "user": "clerk", "position": 1, "outcome": "beschlossen", **fields}


def _supplement(fields: dict[str, Any]) -> dict[str, Any]:
    return {"number": "X/1", "user": "clerk", "reason": "Grund", "date": D, **fields}


def _urgent(fields: dict[str, Any]) -> dict[str, Any]:
    base = {"number": "X/1", "user": "clerk", "decided_by": "bm", "date": D, "reason": "eilig"}
    return base | fields


def _item(**fields: Any) -> MinutesItem:
    return MinutesItem(where="item 1", top="1", paper=None, outcome="beschlossen", **fields)


BAD_LINE = [ESC, "\r", "\n", "\t", "\x00", "\x7f", "\x9b", "\u2028"]
BAD_TEXT = [ESC, "Zeile\r\nZeile", "\x00", "\x08", "\x9b31m"]


@pytest.mark.parametrize("bad", BAD_LINE, ids=repr)
def test_every_one_line_text_refuses_control_characters(service: WorkflowService, bad: str) -> None:
    for capability, method, kwargs in _calls(bad):
        with pytest.raises(InvalidInput, match="enthält das Steuerzeichen") as caught:
            getattr(getattr(service, capability), method)(**kwargs)
        assert "\n" not in str(caught.value), (capability, method)
    assert service.papers.list_papers().items == ()
    assert service.meetings.list_meetings() == []


@pytest.mark.parametrize("bad", BAD_TEXT, ids=repr)
def test_multi_line_texts_refuse_control_characters_but_line_feeds_and_tabs(
    service: WorkflowService, bad: str
) -> None:
    for capability, method, kwargs in _multiline_calls(bad):
        with pytest.raises(InvalidInput, match="enthält das Steuerzeichen"):
            getattr(getattr(service, capability), method)(**kwargs)
    view = service.papers.create_paper(
        user="clerk",
        paper_type="vorlage",
        title="Haushalt 2025",
        office="amt1",
        date=D,
        route="standard",
        text="Beschluss:\n\t1. Der Rat beschließt.\n",
    )
    assert service.papers.get_paper(view.number).title == "Haushalt 2025"


def test_checks_name_the_field_and_allow_plain_unicode() -> None:
    assert check_line("Müller – „Straße“ ½ 😀", "title") == "Müller – „Straße“ ½ 😀"
    assert check_text("a\n\tb", "text") == "a\n\tb"
    with pytest.raises(InvalidInput, match=r"„Titel“ enthält das Steuerzeichen '\\x1b'"):
        check_line(ESC, "title")


def test_cli_refuses_an_escape_in_a_title_with_one_line_and_stores_nothing(
    service: WorkflowService,
) -> None:
    args = ["paper", "create", "--type", "vorlage", "--office", "amt1", "--title", f"A{ESC}"]
    result = CliRunner().invoke(cli, args, obj=service, env={"RATSWEG_USER": "clerk"})
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Fehler: ") and result.stderr.count("\n") == 1
    assert "\x1b" not in result.stderr
    assert service.papers.list_papers().items == ()


def test_a_minutes_file_with_a_carriage_return_in_a_label_is_refused(
    service: WorkflowService, tmp_path: Path
) -> None:
    minutes = tmp_path / "minutes.yaml"
    minutes.write_text('items:\n  - top: "1"\n    result: beschlossen\n    label: "a\\rb"\n')
    items = read_minutes_file(minutes)
    with pytest.raises(InvalidInput, match="enthält das Steuerzeichen"):
        service.minutes.record_minutes(1, items, user="clerk")
