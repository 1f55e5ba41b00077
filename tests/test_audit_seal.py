"""Verification names the paper, the event and what is wrong; a seal catches what the hash
chains alone cannot: a chain rewritten consistently, or cut short."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text

from storage.audit import event_hash, fast_hash, format_instant
from storage.session import Database
from tests.test_audit import _tamper, adopted_paper
from workflow.core.errors import InvalidInput, PermissionDenied
from workflow.core.model import AuditAction, AuditQuery, Seal
from workflow.service import WorkflowService


def stream_of(service: WorkflowService, number: str) -> str:
    return f"paper:{service.papers.get_paper(number).id}"


def rewrite_chain(
    database: Database, stream: str, from_seq: int, payload: str, *, only_that: bool = False
) -> None:
    """An attacker with database rights: change one event and recompute every later hash
    (or, with ``only_that``, the changed event's own hash)."""
    with database.engine.begin() as conn:
        rows = conn.execute(
            text("SELECT * FROM audit_event WHERE stream = :s ORDER BY seq"), {"s": stream}
        ).mappings()
        events = [dict(r) for r in rows]
    prev = events[from_seq - 2]["hash"] if from_seq > 1 else "0" * 64
    updates = []
    for event in events[from_seq - 1 : from_seq if only_that else None]:
        if event["seq"] == from_seq:
            event["payload"] = payload
        occurred = event["occurred_at"]
        if isinstance(occurred, str):  # SQLite hands back the stored text
            occurred = dt.datetime.fromisoformat(occurred).replace(tzinfo=dt.UTC)
        fields = {k: event[k] for k in ("stream", "seq", "paper_id", "actor", "action")}
        fields |= {k: event[k] for k in ("from_state", "to_state", "payload")}
        digest = event_hash(**fields, occurred_at=occurred, prev_hash=prev)
        updates.append({"id": event["id"], "p": event["payload"], "ph": prev, "h": digest})
        prev = digest
    statement = "UPDATE audit_event SET payload = :p, prev_hash = :ph, hash = :h WHERE id = :id"
    _tamper(database, "SELECT 1")
    with database.engine.begin() as conn:
        conn.execute(text(statement), updates)


def seal_of(service: WorkflowService) -> Seal:
    return service.audit.seal_audit(user="auditor")


def test_fast_hash_matches_the_canonical_json_hash() -> None:
    fields: dict[str, Any] = {
        "stream": 'paper:7 "ä\\\n',
        "seq": 3,
        "paper_id": 7,
        "occurred_at": dt.datetime(2025, 3, 10, 9, 0, 0, 5, tzinfo=dt.UTC),
        "actor": "müller\u2028",
        "action": "result_recorded",
        "from_state": None,
        "to_state": "held",
        "payload": '{"label":"einstimmig – \\"ja\\"","votes":[]}',
        "prev_hash": "a" * 64,
    }
    text_time = format_instant(fields["occurred_at"])
    assert fast_hash(**(fields | {"occurred_at": text_time})) == event_hash(**fields)


def test_seal_records_heads_and_an_event_and_verifies(service: WorkflowService) -> None:
    number = adopted_paper(service)
    seal = seal_of(service)
    trail = service.audit.audit_trail(number)
    heads = {h.stream: (h.seq, h.hash) for h in seal.heads}
    assert heads[stream_of(service, number)] == (trail[-1].seq, trail[-1].hash)
    assert heads["body:musterstadt"][0] == 2  # definitions_loaded, then the seal itself
    assert seal.events == len(trail) + 2 and seal.actor == "auditor"
    report = service.audit.verify_audit(seal)
    assert (report.ok, report.sealed_events, report.events_after_seal) == (True, seal.events, 0)
    sealed = service.audit.search_audit(AuditQuery(action=AuditAction.AUDIT_SEALED))
    assert [e.actor for e in sealed] == ["auditor"]
    assert sealed[0].payload["events"] == seal.events - 1


def test_events_after_the_seal_are_fine_and_counted(service: WorkflowService) -> None:
    adopted_paper(service)
    seal = seal_of(service)
    adopted_paper(service)
    report = service.audit.verify_audit(seal)
    assert report.ok
    assert report.events_after_seal == report.events - seal.events > 0


def test_only_auditors_and_admins_seal_and_never_a_broken_trail(
    service: WorkflowService, database: Database
) -> None:
    number = adopted_paper(service)
    with pytest.raises(PermissionDenied, match="'clerk'.*den Prüfpfad versiegeln"):
        service.audit.seal_audit(user="clerk")
    _tamper(database, "UPDATE audit_event SET actor = 'x' WHERE stream LIKE 'paper:%' AND seq = 2")
    with pytest.raises(InvalidInput, match="Prüfkette ist in paper:.* bei Ereignis 2 gebrochen"):
        service.audit.seal_audit(user="admin")
    assert service.audit.search_audit(AuditQuery(action=AuditAction.AUDIT_SEALED)) == []
    assert len(service.audit.audit_trail(number)) == 11


def test_edited_event_is_a_hash_mismatch_named_by_paper(
    service: WorkflowService, database: Database
) -> None:
    number = adopted_paper(service)
    _tamper(
        database, "UPDATE audit_event SET actor = 'mallory' WHERE stream LIKE 'paper:%' AND seq = 4"
    )
    report = service.audit.verify_audit()
    assert (report.broken_paper, report.broken_seq, report.problem) == (
        number,
        4,
        "hash mismatch",
    )


def test_deleted_event_is_a_gap(service: WorkflowService, database: Database) -> None:
    number = adopted_paper(service)
    _tamper(database, "DELETE FROM audit_event WHERE stream LIKE 'paper:%' AND seq = 3")
    report = service.audit.verify_audit()
    assert (report.broken_paper, report.broken_seq, report.problem) == (number, 3, "missing seq")
    assert "Ereignis 3 fehlt oder wurde gelöscht (die Kette springt von 2 auf 4)" in (
        report.reason or ""
    )


def test_swapped_events_are_reordered(service: WorkflowService, database: Database) -> None:
    number = adopted_paper(service)
    where = "stream LIKE 'paper:%'"
    _tamper(database, f"UPDATE audit_event SET seq = -1 WHERE {where} AND seq = 3")
    with database.engine.begin() as conn:
        conn.execute(text(f"UPDATE audit_event SET seq = 3 WHERE {where} AND seq = 4"))
        conn.execute(text(f"UPDATE audit_event SET seq = 4 WHERE {where} AND seq = -1"))
    report = service.audit.verify_audit()
    assert (report.broken_paper, report.broken_seq, report.problem) == (number, 3, "reordered")
    assert "folgt auf das als 4 gespeicherte" in (report.reason or "")


def test_event_rewritten_with_its_own_hash_breaks_the_next_link(
    service: WorkflowService, database: Database
) -> None:
    number = adopted_paper(service)
    stream = stream_of(service, number)
    rewrite_chain(database, stream, 5, '{"trigger":"forged"}', only_that=True)
    report = service.audit.verify_audit()
    assert (report.broken_paper, report.broken_seq, report.problem) == (
        number,
        6,
        "prev_hash mismatch",
    )


def test_consistently_rewritten_chain_is_caught_only_by_the_seal(
    service: WorkflowService, database: Database
) -> None:
    number = adopted_paper(service)
    seal = seal_of(service)
    rewrite_chain(database, stream_of(service, number), 9, '{"outcome":"abgelehnt"}')
    assert service.audit.verify_audit().ok  # the chain alone is consistent again
    report = service.audit.verify_audit(seal)
    assert not report.ok
    head = next(h for h in seal.heads if h.stream == stream_of(service, number))
    assert (report.broken_paper, report.broken_seq, report.problem) == (
        number,
        head.seq,
        "differs from the seal",
    )
    assert "nach dem Versiegeln an oder vor diesem Ereignis neu geschrieben" in (
        report.reason or ""
    )


def test_events_cut_off_after_the_seal_are_caught(
    service: WorkflowService, database: Database
) -> None:
    number = adopted_paper(service)
    seal = seal_of(service)
    _tamper(database, "DELETE FROM audit_event WHERE stream LIKE 'paper:%' AND seq >= 9")
    assert service.audit.verify_audit().problem == "chain behind the database"
    report = service.audit.verify_audit(seal)
    assert (report.broken_paper, report.broken_seq, report.problem) == (
        number,
        9,
        "events deleted after",
    )
    head = next(h for h in seal.heads if h.stream == stream_of(service, number))
    assert f"versiegelt bis Ereignis {head.seq}, aber die Kette endet bei Ereignis 8" in (
        report.reason or ""
    )


def test_a_whole_deleted_chain_is_caught(service: WorkflowService, database: Database) -> None:
    number = adopted_paper(service)
    seal = seal_of(service)
    _tamper(database, "DELETE FROM audit_event WHERE stream LIKE 'paper:%'")
    report = service.audit.verify_audit(seal)
    assert (report.broken_paper, report.broken_seq, report.problem) == (
        number,
        1,
        "events deleted after",
    )
    assert "die ganze Kette fehlt" in (report.reason or "")


def test_a_seal_of_another_database_is_refused(service: WorkflowService) -> None:
    adopted_paper(service)
    seal = seal_of(service)
    other = Seal(
        sealed_at=seal.sealed_at,
        actor=seal.actor,
        database=seal.database | {"bodies": ["elsewhere"]},
        heads=seal.heads,
        root_hash=seal.root_hash,
    )
    with pytest.raises(InvalidInput, match="Siegel stammt von einer anderen Datenbank"):
        service.audit.verify_audit(other)
