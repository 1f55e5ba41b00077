"""Editing a draft (issue 14, screen 3) on SQLite and PostgreSQL: title, text, participants
and planned dates, audited as ``paper_edited`` and versioned; refusals change nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest

from storage import repository
from storage.audit import paper_stream
from workflow.core.errors import InvalidInput, NotFoundError, PermissionDenied, TransitionNotAllowed
from workflow.core.model import DraftChanges, PaperView
from workflow.service import WorkflowService

D = dt.date
CLERK, HEAD, SESSION = "sozialamt.weber", "sozialamt.leitung", "sitzungsdienst.becker"


def draft(landau: WorkflowService, **kw: Any) -> str:
    fields: dict[str, Any] = {
        "user": CLERK,
        "paper_type": "sitzungsvorlage",
        "title": "Integrationskonzept",
        "office": "sozialamt",
        "date": D(2024, 1, 8),
        "route": "stadtrat",
        "text": "Der Stadtrat beschließt das Konzept.",
        "participants": ["hauptamt"],
        "planned_dates": [D(2024, 1, 22), D(2024, 1, 29), D(2024, 2, 15)],
    }
    return landau.papers.create_paper(**(fields | kw)).number


def edit(landau: WorkflowService, number: str, user: str = CLERK, **kw: Any) -> PaperView:
    return landau.papers.edit_paper(number, user=user, changes=DraftChanges(**kw))


def events(landau: WorkflowService, number: str) -> list[tuple[str, dict[str, Any]]]:
    with landau.db.read() as session:
        paper = repository.get_paper(session, "landau", number)
        assert paper is not None
        stream = repository.paper_events(session, paper_stream(paper.id))
        return [(e.action, json.loads(e.payload)) for e in stream]


def edited(landau: WorkflowService, number: str) -> list[dict[str, Any]]:
    return [p["changes"] for a, p in events(landau, number) if a == "paper_edited"]


def snapshot(landau: WorkflowService, number: str) -> tuple[Any, ...]:
    view = landau.papers.get_paper(number)
    return view, len(events(landau, number))


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_clerk_edits_the_title_participants_and_planned_dates_of_a_draft(
    landau: WorkflowService,
) -> None:
    number = draft(landau)
    view = edit(
        landau,
        number,
        title="  Integrationskonzept 2024 ",
        participants=["bgm"],
        planned={2: D(2024, 2, 1), 3: None},
    )
    assert view.title == "Integrationskonzept 2024"
    assert [c.office_id for c in view.co_signatures] == ["bgm"]
    assert [c.planned_date for c in view.consultations] == [D(2024, 1, 22), D(2024, 2, 1), None]
    assert edited(landau, number) == [
        {
            "title": {"old": "Integrationskonzept", "new": "Integrationskonzept 2024"},
            "participants": {"old": ["hauptamt"], "new": ["bgm"]},
            "planned_dates": {
                "old": {"2": "2024-01-29", "3": "2024-02-15"},
                "new": {"2": "2024-02-01", "3": None},
            },
        }
    ]


def test_a_new_text_becomes_a_draft_version_and_the_event_names_hashes_not_the_text(
    landau: WorkflowService,
) -> None:
    number = draft(landau)
    old, new = "Der Stadtrat beschließt das Konzept.", "Der Stadtrat beschließt das Konzept 2024."
    view = edit(landau, number, text=new)
    assert view.text == new
    assert [(v.number, v.source, v.text) for v in view.text_versions] == [(1, "draft", new)]
    assert edited(landau, number) == [
        {"text": {"old_sha256": sha(old), "new_sha256": sha(new), "version": 1}}
    ]
    trail = events(landau, number)
    versions = [p for a, p in trail if a == "text_version_created"]
    assert [(v["source"], v["text"]) for v in versions] == [("draft", new)]
    assert new not in json.dumps([p for a, p in trail if a == "paper_edited"])


def test_release_after_draft_edits_adds_the_released_version_and_replay_matches(
    landau: WorkflowService,
) -> None:
    number = draft(landau)
    edit(landau, number, text="Fassung zwei.", title="Neuer Titel", planned={1: D(2024, 1, 23)})
    edit(landau, number, participants=[])
    landau.papers.submit_paper(number, user=CLERK)
    view = landau.papers.release_paper(number, user=HEAD)
    assert [(v.number, v.source) for v in view.text_versions] == [(1, "draft"), (2, "released")]
    assert view.text == "Fassung zwei."
    (report,) = landau.audit.replay_audit(number)
    assert (report.status.value, report.difference) == ("match", None)


@pytest.mark.parametrize("user", [SESSION, HEAD])
def test_the_session_office_and_the_office_head_may_edit_a_draft(
    landau: WorkflowService, user: str
) -> None:
    number = draft(landau)
    assert edit(landau, number, user=user, title="Anders").title == "Anders"


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ("hauptamt.leitung", "gehört nicht zum Amt 'sozialamt'"),
        ("rpa.schulz", "hat keine Berechtigung für paper.edit"),
    ],
)
def test_another_office_or_an_auditor_may_not_edit_and_nothing_changes(
    landau: WorkflowService, user: str, message: str
) -> None:
    number = draft(landau)
    before = snapshot(landau, number)
    with pytest.raises(PermissionDenied, match=message):
        edit(landau, number, user=user, title="Anders")
    assert snapshot(landau, number) == before


def test_a_paper_in_co_signing_is_no_draft_and_stays_as_it_was(landau: WorkflowService) -> None:
    number = draft(landau)
    landau.papers.submit_paper(number, user=CLERK)
    before = snapshot(landau, number)
    with pytest.raises(TransitionNotAllowed, match="nur ein Entwurf"):
        edit(landau, number, title="Anders")
    assert snapshot(landau, number) == before


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"title": "Integrationskonzept"}, InvalidInput, "keine Änderung"),
        ({"planned": {1: D(2024, 1, 22)}}, InvalidInput, "keine Änderung"),
        ({}, InvalidInput, "keine Änderung angegeben"),
        ({"title": "  "}, InvalidInput, "braucht einen Titel"),
        ({"title": "a\x1b]0;x\x07"}, InvalidInput, "Steuerzeichen"),
        ({"text": "a\rb"}, InvalidInput, "Steuerzeichen"),
        ({"text": " "}, InvalidInput, "leer"),
        ({"participants": ["sozialamt"]}, InvalidInput, "kann sie nicht auch mitzeichnen"),
        ({"participants": ["nirgendamt"]}, NotFoundError, "nirgendamt"),
        ({"planned": {4: D(2024, 3, 1)}}, InvalidInput, "hat keinen Schritt 4"),
    ],
)
def test_bad_or_empty_edits_are_refused_and_nothing_changes(
    landau: WorkflowService, changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    number = draft(landau)
    before = snapshot(landau, number)
    with pytest.raises(error, match=message):
        edit(landau, number, **changes)
    assert snapshot(landau, number) == before
