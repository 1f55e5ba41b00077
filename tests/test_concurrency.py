"""Two clerks, several workers: real parallel processes against SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from storage.session import Database
from workflow.core.clock import FixedClock
from workflow.core.errors import ConflictError, TransitionNotAllowed
from workflow.service import WorkflowService

pytestmark = pytest.mark.slow
START = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)
#: the evening of 18.03.2025, the planned day of step 1, when the clerks record its result
AFTER_THE_MEETING = dt.datetime(2025, 3, 18, 19, 0, tzinfo=dt.UTC)
ROUNDS = 12


def _service(url: str, now: dt.datetime = START) -> WorkflowService:
    return WorkflowService(Database(url), FixedClock(now))


def _release_all(url: str, numbers: list[str], barrier: object) -> list[str]:
    """Runs in a child process: release every paper, report each outcome."""
    service = _service(url)
    outcomes = []
    barrier.wait()  # type: ignore[attr-defined]
    for number in numbers:
        try:
            service.papers.release_paper(number, user="head")
            outcomes.append("won")
        except (TransitionNotAllowed, ConflictError) as exc:
            outcomes.append(f"refused: {exc}")
    service.db.dispose()
    return outcomes


def _record_all(url: str, numbers: list[str], barrier: object) -> list[str]:
    service = _service(url, AFTER_THE_MEETING)
    outcomes = []
    barrier.wait()  # type: ignore[attr-defined]
    for number in numbers:
        try:
            service.results.record_result(number, user="session", position=1, outcome="empfohlen")
            outcomes.append("won")
        except (TransitionNotAllowed, ConflictError) as exc:
            outcomes.append(f"refused: {exc}")
    service.db.dispose()
    return outcomes


def _create_many(url: str, count: int, barrier: object) -> list[str]:
    service = _service(url)
    barrier.wait()  # type: ignore[attr-defined]
    numbers = [
        service.papers.create_paper(
            user="clerk",
            paper_type="vorlage",
            title="Parallel",
            office="amt1",
            date=dt.date(2025, 5, 1),
            route="standard",
        ).number
        for _ in range(count)
    ]
    service.db.dispose()
    return numbers


def _run_parallel(target: object, url: str, arg: object, processes: int) -> list[list[str]]:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(processes)
        with ctx.Pool(processes) as pool:
            results = [
                pool.apply_async(target, (url, arg, barrier))  # type: ignore[arg-type]
                for _ in range(processes)
            ]
            return [r.get(timeout=240) for r in results]


def _papers(service: WorkflowService, count: int, *, submitted: bool, released: bool) -> list[str]:
    numbers = []
    for _ in range(count):
        number = service.papers.create_paper(
            user="clerk",
            paper_type="vorlage",
            title="Streitfall",
            office="amt1",
            date=dt.date(2025, 3, 1),
            route="standard",
            planned_dates=[dt.date(2025, 3, 18), dt.date(2025, 3, 27)],
        ).number
        if submitted:
            service.papers.submit_paper(number, user="clerk")
        if released:
            service.papers.release_paper(number, user="head")
        numbers.append(number)
    return numbers


def _assert_one_winner(per_process: list[list[str]], rounds: int) -> None:
    for i in range(rounds):
        outcomes = [p[i] for p in per_process]
        assert outcomes.count("won") == 1, outcomes
        for lost in (o for o in outcomes if o != "won"):
            refused = ("nicht möglich", "ein anderer Benutzer", "Schreibvorgang beschäftigt")
            assert any(text in lost for text in refused), lost


def test_two_clerks_release_the_same_papers(service: WorkflowService, database_url: str) -> None:
    numbers = _papers(service, ROUNDS, submitted=True, released=False)
    per_process = _run_parallel(_release_all, database_url, numbers, 2)
    _assert_one_winner(per_process, ROUNDS)
    for number in numbers:
        trail = service.audit.audit_trail(number)
        assert [e.to_state for e in trail].count("released") == 1
        assert service.papers.get_paper(number).state == "released"
    assert service.audit.verify_audit().ok


def test_three_clerks_record_the_same_result(service: WorkflowService, database_url: str) -> None:
    numbers = _papers(service, ROUNDS, submitted=True, released=True)
    per_process = _run_parallel(_record_all, database_url, numbers, 3)
    _assert_one_winner(per_process, ROUNDS)
    for number in numbers:
        actions = Counter(e.action for e in service.audit.audit_trail(number))
        assert actions["result_recorded"] == 1
        view = service.papers.get_paper(number)
        assert [c.state for c in view.consultations] == ["held", "planned"]
    assert service.audit.verify_audit().ok


def test_parallel_numbering_is_unique_and_gap_free(
    service: WorkflowService, database_url: str
) -> None:
    per_process = _run_parallel(_create_many, database_url, 10, 4)
    numbers = [n for chunk in per_process for n in chunk]
    assert sorted(numbers, key=lambda n: int(n.rsplit("/", 1)[1])) == [
        f"V/2025/{i}" for i in range(1, 41)
    ]
    assert service.papers.list_papers().total == 40
    assert service.audit.verify_audit().ok


def test_losing_clerk_gets_one_line_and_exit_1(service: WorkflowService, database_url: str) -> None:
    """Two `ratsweg paper release` commands at once through the installed console script."""
    (number,) = _papers(service, 1, submitted=True, released=False)
    script = Path(sys.executable).with_name("ratsweg")
    command = [str(script), "--database", database_url, "paper", "release", number, "--as", "head"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    procs = [
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    results = [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs, strict=True)]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], results
    loser_err = next(err for code, _, err in results if code == 1)
    assert loser_err.count("\n") == 1 and "Traceback" not in loser_err
    assert f"{number}: 'freigeben' ist im Status 'Freigegeben' nicht möglich" in loser_err
    assert [e.to_state for e in service.audit.audit_trail(number)].count("released") == 1


def _schedule_into_meeting(url: str, numbers: list[str], barrier: object) -> list[str]:
    service = _service(url)
    barrier.wait()  # type: ignore[attr-defined]
    outcomes = []
    for number in numbers:
        item = service.agendas.schedule_into_meeting(
            number, user="session", position=1, meeting_id=1
        )
        outcomes.append(f"{item.number}:{item.nachtrag}")
    service.db.dispose()
    return outcomes


def _invite(url: str, _numbers: list[str], barrier: object) -> list[str]:
    service = _service(url)
    barrier.wait()  # type: ignore[attr-defined]
    time.sleep(0.05)  # let the clerks get going first
    view = service.meetings.invite_meeting(1, user="session")
    service.db.dispose()
    return [view.state]


def test_clerks_schedule_into_a_meeting_while_it_is_invited(
    service: WorkflowService, database_url: str
) -> None:
    numbers = _papers(service, 2 * ROUNDS, submitted=True, released=True)
    mid = service.meetings.create_meeting(
        user="session", organization="ausschuss", start=START + dt.timedelta(days=8)
    ).id
    service.agendas.add_agenda_item(mid, user="session", title="Mitteilungen", public=False)
    jobs = [(_schedule_into_meeting, numbers[::2]), (_schedule_into_meeting, numbers[1::2])]
    jobs.append((_invite, []))
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(len(jobs))
        with ctx.Pool(len(jobs)) as pool:
            pending = [pool.apply_async(f, (database_url, arg, barrier)) for f, arg in jobs]
            results = [p.get(timeout=240) for p in pending]
    assert results[2] == ["invited"]
    view = service.meetings.get_meeting(mid)
    public = [i for i in view.agenda if i.part.value == "public"]
    assert [i.number for i in public] == [f"Ö {n}" for n in range(1, 2 * ROUNDS + 1)]
    assert sorted(i.paper_number for i in public) == sorted(numbers)  # type: ignore[type-var]
    flags = [i.nachtrag for i in public]
    assert flags == sorted(flags)  # items numbered by the invitation, then the Nachträge
    assert [i.number for i in view.agenda if i.part.value == "non_public"] == ["N 1"]
    returned = sorted(o for chunk in results[:2] for o in chunk if not o.startswith("None"))
    assert returned == sorted(f"{i.number}:True" for i in public if i.nachtrag)
    assert service.audit.verify_audit().ok
