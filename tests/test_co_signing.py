"""Mitzeichnung: objections block the release until the office signs after all or the head of
the writing office overrules them; due dates come from deadlines.co_signing and are shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result

from storage.session import Database
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.core.errors import (
    InvalidInput,
    NotFoundError,
    PermissionDenied,
    TransitionNotAllowed,
)
from workflow.core.model import CoSignatureState
from workflow.definitions import resolve_definitions_dir
from workflow.service import WorkflowService

# Monday 10.03.2025, 10:00 in Herzogenrath; co_signing: 3 working days after the request
MONDAY = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def herzogenrath(database: Database) -> Iterator[WorkflowService]:
    service = WorkflowService(database, FixedClock(MONDAY))
    service.bodies.load_definitions(resolve_definitions_dir("herzogenrath"), user=None)
    yield service


def run(service: WorkflowService, *args: str, user: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj=service, env={"RATSWEG_USER": user})


def submitted(service: WorkflowService) -> str:
    number = service.papers.create_paper(
        user="amt50.sachbearbeitung", paper_type="sitzungsvorlage", title="Integrationskonzept",
        office="amt50", date=dt.date(2025, 3, 10), route="integrationskonzept",
        participants=["amt10"],
    ).number  # fmt: skip
    service.papers.submit_paper(number, user="amt50.sachbearbeitung")
    return number


def test_pending_co_signature_is_due_after_the_configured_working_days(
    herzogenrath: WorkflowService,
) -> None:
    number = submitted(herzogenrath)
    [signature] = herzogenrath.papers.get_paper(number).co_signatures
    assert (signature.state, signature.due) == (CoSignatureState.PENDING, dt.date(2025, 3, 13))
    shown = run(herzogenrath, "paper", "show", number, user="rpa").stdout
    assert "Mitzeichnung: Amt 10 - Hauptamt: ausstehend (fällig Do 13.03.2025)" in shown
    herzogenrath.co_signing.co_sign(number, user="amt10.leitung", office="amt10")
    [signed] = herzogenrath.papers.get_paper(number).co_signatures
    assert (signed.state, signed.due) == (CoSignatureState.SIGNED, None)


def test_objection_blocks_release_until_the_office_signs_after_all(
    herzogenrath: WorkflowService,
) -> None:
    number = submitted(herzogenrath)
    herzogenrath.co_signing.co_sign(
        number, user="amt10.leitung", office="amt10", objection=True, comment="Kosten fehlen"
    )
    with pytest.raises(TransitionNotAllowed, match="Einwand von amt10 nicht ausgeräumt"):
        herzogenrath.papers.release_paper(number, user="amt50.leitung")
    herzogenrath.co_signing.co_sign(number, user="amt10.leitung", office="amt10", comment="ergänzt")
    assert herzogenrath.papers.release_paper(number, user="amt50.leitung").state == "released"
    [replayed] = herzogenrath.audit.replay_audit(number)
    assert (replayed.status.value, replayed.difference) == ("match", None)
    signed = [e for e in herzogenrath.audit.audit_trail(number) if e.action == "co_signed"]
    assert [e.payload for e in signed] == [
        {"office": "amt10", "comment": "ergänzt", "objection_withdrawn": "Kosten fehlen"}
    ]


def test_the_office_head_overrules_an_objection_with_a_reason(
    herzogenrath: WorkflowService,
) -> None:
    number = submitted(herzogenrath)
    herzogenrath.co_signing.co_sign(
        number, user="amt10.leitung", office="amt10", objection=True, comment="Kosten fehlen"
    )
    result = run(
        herzogenrath, "paper", "overrule", number, "--office", "amt10",
        "--reason", "Kosten folgen im Haushalt", user="amt50.leitung",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == f"{number}: Bedenken von amt10 überstimmt\n"
    [signature] = herzogenrath.papers.get_paper(number).co_signatures
    assert (signature.state, signature.comment, signature.overruled_by) == (
        CoSignatureState.OVERRULED,
        "Kosten fehlen",
        "amt50.leitung",
    )
    assert signature.overrule_reason == "Kosten folgen im Haushalt"
    event = herzogenrath.audit.audit_trail(number)[-1]
    assert (event.action, event.from_state, event.to_state, event.payload) == (
        "co_signature_overruled",
        "objected",
        "overruled",
        {"office": "amt10", "objection": "Kosten fehlen", "reason": "Kosten folgen im Haushalt"},
    )
    shown = run(herzogenrath, "paper", "show", number, user="rpa").stdout
    assert "überstimmt von amt50.leitung: Kosten folgen im Haushalt" in shown
    with pytest.raises(InvalidInput, match="wurde von amt50.leitung zurückgewiesen"):
        herzogenrath.co_signing.co_sign(number, user="amt10.leitung", office="amt10")
    assert herzogenrath.papers.release_paper(number, user="amt50.leitung").state == "released"


@pytest.mark.parametrize(
    ("user", "office", "reason", "error", "message"),
    [
        ("amt10.leitung", "amt10", "x", PermissionDenied, "gehört nicht zum Amt 'amt50'"),
        ("amt50.sachbearbeitung", "amt10", "x", PermissionDenied, "co_signature.overrule"),
        ("amt50.leitung", "amt10", " ", InvalidInput, "braucht eine Begründung"),
        ("amt50.leitung", "amt50", "x", Exception, "kein beteiligtes Amt"),
    ],
)
def test_overruling_is_refused(
    herzogenrath: WorkflowService,
    user: str,
    office: str,
    reason: str,
    error: type[Exception],
    message: str,
) -> None:
    number = submitted(herzogenrath)
    herzogenrath.co_signing.co_sign(
        number, user="amt10.leitung", office="amt10", objection=True, comment="Kosten"
    )
    before = herzogenrath.audit.audit_trail(number)
    with pytest.raises(error, match=message):
        herzogenrath.co_signing.overrule_objection(number, user=user, office=office, reason=reason)
    assert herzogenrath.audit.audit_trail(number) == before


def test_only_an_objection_can_be_overruled(herzogenrath: WorkflowService) -> None:
    number = submitted(herzogenrath)
    result = run(
        herzogenrath, "paper", "overrule", number, "--office", "amt10", "--reason", "x",
        user="amt50.leitung",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.partition(": ")[2] == (
        f"Amt 10 - Hauptamt hat gegen {number} keinen Einwand erhoben (die Mitzeichnung ist "
        "pending); nur ein Einwand lässt sich zurückweisen\n"
    )


def test_the_inbox_holds_what_waits_for_each_office_head_and_who_may_overrule(
    herzogenrath: WorkflowService,
) -> None:
    """Pending co-signatures wait for the co-signing office's head; an objection waits for
    the objecting office (to sign after all) and for the writing office's head (to
    overrule); the clerk of the writing office and the auditor have nothing to do."""
    number = submitted(herzogenrath)
    [item] = herzogenrath.co_signing.waiting_for("amt10.leitung", reader="amt10.leitung")
    assert (item.number, item.office_id, item.state, item.due) == (
        number,
        "amt10",
        CoSignatureState.PENDING,
        dt.date(2025, 3, 13),
    )
    assert (item.may_sign, item.may_overrule, item.overdue) == (True, False, False)
    assert item.paper_office_name == "Amt 50 - Sozialamt"
    assert herzogenrath.co_signing.waiting_for("amt50.leitung", reader="rpa") == []
    herzogenrath.co_signing.co_sign(
        number, user="amt10.leitung", office="amt10", objection=True, comment="Kosten fehlen"
    )
    [objected] = herzogenrath.co_signing.waiting_for("amt10.leitung")
    assert (objected.state, objected.comment, objected.may_sign) == (
        CoSignatureState.OBJECTED,
        "Kosten fehlen",
        True,
    )
    [to_overrule] = herzogenrath.co_signing.waiting_for("amt50.leitung")
    assert (to_overrule.may_sign, to_overrule.may_overrule) == (False, True)
    for nobody in ("amt50.sachbearbeitung", "rpa", "sitzungsdienst"):
        assert herzogenrath.co_signing.waiting_for(nobody) == []
    [everything] = herzogenrath.co_signing.waiting_for("admin")
    assert (everything.may_sign, everything.may_overrule) == (True, False)
    herzogenrath.co_signing.overrule_objection(
        number, user="amt50.leitung", office="amt10", reason="Haushalt"
    )
    assert herzogenrath.co_signing.waiting_for("amt10.leitung") == []
    assert herzogenrath.co_signing.waiting_for("amt50.leitung") == []


def test_the_inbox_marks_overdue_signatures_sorts_by_due_date_and_is_bounded(
    herzogenrath: WorkflowService,
) -> None:
    assert isinstance(herzogenrath.clock, FixedClock)
    first = submitted(herzogenrath)
    herzogenrath.clock.advance_to(MONDAY + dt.timedelta(days=1))
    second = submitted(herzogenrath)
    waiting = herzogenrath.co_signing.waiting_for("amt10.leitung")
    assert [(i.number, i.due) for i in waiting] == [
        (first, dt.date(2025, 3, 13)),
        (second, dt.date(2025, 3, 14)),
    ]
    assert not any(i.overdue for i in waiting)
    herzogenrath.clock.advance_to(dt.datetime(2025, 3, 13, 23, 1, tzinfo=dt.UTC))  # Fri 00:01
    assert [i.overdue for i in herzogenrath.co_signing.waiting_for("amt10.leitung")] == [
        True,
        False,
    ]
    [only] = herzogenrath.co_signing.waiting_for("amt10.leitung", limit=1)
    assert only.number == first
    for bad in (0, 501):
        with pytest.raises(InvalidInput, match="1 bis 500 Einträge"):
            herzogenrath.co_signing.waiting_for("amt10.leitung", limit=bad)


def test_the_inbox_names_an_unknown_user_and_refuses_an_unknown_reader(
    herzogenrath: WorkflowService,
) -> None:
    with pytest.raises(NotFoundError, match="niemand"):
        herzogenrath.co_signing.waiting_for("niemand")
    with pytest.raises(NotFoundError, match="fremder"):
        herzogenrath.co_signing.waiting_for("amt10.leitung", reader="fremder")
    with pytest.raises(PermissionDenied):
        herzogenrath.co_signing.waiting_for("amt10.leitung", reader=None)


def test_the_inbox_of_one_paper(herzogenrath: WorkflowService) -> None:
    first, second = submitted(herzogenrath), submitted(herzogenrath)
    assert len(herzogenrath.co_signing.waiting_for("amt10.leitung")) == 2
    [only] = herzogenrath.co_signing.waiting_for("amt10.leitung", paper=second)
    assert only.number == second != first
    draft = herzogenrath.papers.create_paper(
        user="amt50.sachbearbeitung", paper_type="sitzungsvorlage", title="Entwurf",
        office="amt50", date=dt.date(2025, 3, 10), route="integrationskonzept",
    ).number  # fmt: skip
    assert herzogenrath.co_signing.waiting_for("admin", paper=draft) == []
    with pytest.raises(NotFoundError, match="2025/999"):
        herzogenrath.co_signing.waiting_for("amt10.leitung", paper="2025/999")
