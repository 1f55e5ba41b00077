"""Property tests: random actions by random users, valid and invalid, on both databases.

Each example creates one paper and applies a random sequence of actions: the paper lifecycle
(submit, co-sign or object, release, withdraw), results with every outcome (with or without
referral target, target date, amended text and votes), path edits (insert, insert in
parallel, remove, move, a neue Beratungsfolge), creating a meeting, scheduling by date or into
the latest meeting, cancelling that meeting, the latest meeting's minutes, an
Ergänzungsvorlage (the actions go on with it) and a Dringlichkeitsentscheidung. After every
action:

- the paper and every step are in a state of their lifecycle;
- a refused action changed nothing: the paper, the meetings and every audit chain are as
  before;
- an accepted action left an audit event;

and at the end, replaying every paper's audit trail (the supplements' too) reproduces the
stored papers exactly and every hash chain verifies. Two worlds: the Musterstadt fixture (NW rules) and the shipped
Landau definitions (seven steps, Mitzeichnung by two offices).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from storage.session import Database
from tests.conftest import VALID_DEFINITIONS
from workflow.core.clock import FixedClock
from workflow.core.errors import WorkflowError
from workflow.core.model import OPEN_STEP_STATES, Outcome, PlannedStep, ResultEffect, VoteCount
from workflow.definitions import resolve_definitions_dir
from workflow.meetings.minutes import MinutesItem
from workflow.service import WorkflowService

D = dt.date
_titles = itertools.count(1)
ROLES = ["vorberatung", "anhoerung", "entscheidung", "kenntnisnahme"]
DAYS = [D(2025, 3, 18), D(2025, 4, 1), D(2025, 5, 6), D(2025, 6, 3)]


@dataclass(frozen=True)
class World:
    """A municipality's definitions and who and what the random actions may name."""

    definitions: str
    paper_type: str
    office: str
    route: str
    participants: tuple[str, ...]
    planned: tuple[dt.date, ...]
    clerk: str
    head: str
    session: str
    co_signers: tuple[tuple[str, str], ...]  # (office, user who signs for it)
    users: tuple[str, ...]  # including users without rights and unknown ones
    organizations: tuple[str, ...]  # including an office, which cannot deliberate
    mayor: str


MUSTERSTADT = World(
    definitions=str(VALID_DEFINITIONS),
    paper_type="vorlage",
    office="amt1",
    route="standard",
    participants=(),
    planned=(D(2025, 3, 18), D(2025, 3, 27)),
    clerk="clerk",
    head="head",
    session="session",
    co_signers=(),
    users=("clerk", "head", "session", "auditor", "admin", "mayor", "mallory"),
    organizations=("rat", "ausschuss", "amt1"),
    mayor="mayor",
)
LANDAU = World(
    definitions="landau",
    paper_type="sitzungsvorlage",
    office="sozialamt",
    route="integration",
    participants=("hauptamt", "bgm"),
    planned=(D(2025, 3, 18), D(2025, 3, 20)),
    clerk="sozialamt.weber",
    head="sozialamt.leitung",
    session="sitzungsdienst.becker",
    co_signers=(("hauptamt", "hauptamt.leitung"), ("bgm", "bgm.referent")),
    users=(
        "sozialamt.weber",
        "sozialamt.leitung",
        "hauptamt.leitung",
        "bgm.referent",
        "sitzungsdienst.becker",
        "rpa.schulz",
        "oberbuergermeister",
        "mallory",
    ),
    organizations=("stadtrat", "hauptausschuss", "beirat_migration", "stadtvorstand", "hauptamt"),
    mayor="oberbuergermeister",
)


def actions(world: World) -> st.SearchStrategy[tuple[Any, ...]]:
    # the session office half of the time, else anyone (most are refused most things)
    user = st.one_of(st.just(world.session), st.sampled_from(world.users))
    org = st.sampled_from(world.organizations)
    position = st.one_of(st.integers(1, 2), st.integers(1, 3), st.integers(1, 8))
    day = st.sampled_from(DAYS)
    maybe_day = st.one_of(st.none(), day)
    offices = world.participants or ("amt1",)
    # every outcome; those that insert a step (vertagt, …) as often again
    repeats = [o.value for o in Outcome if o.effect.repeats_step]
    outcome = st.one_of(st.sampled_from([o.value for o in Outcome]), st.sampled_from(repeats))
    # co-signing and objecting: the office's signer half of the time
    signer = st.one_of(st.sampled_from([u for _, u in world.co_signers] or [world.head]), user)
    record = st.tuples(
        st.just("record"),
        user,
        st.one_of(st.none(), st.none(), position),  # None: the first step without a result
        outcome,
        maybe_day,
        org,  # the body it is referred to, for ueberwiesen / zurueckverwiesen
        st.booleans(),  # with votes
        st.sampled_from([None, None, None, "refer_to", "until", "text"]),  # a misplaced argument
    )
    kinds: dict[str, st.SearchStrategy[tuple[Any, ...]]] = {
        "submit": st.tuples(st.just("submit"), user),
        "co_sign": st.tuples(st.just("co_sign"), signer, st.sampled_from(offices)),
        "object": st.tuples(st.just("object"), signer, st.sampled_from(offices)),
        "release": st.tuples(st.just("release"), user),
        "withdraw": st.tuples(st.just("withdraw"), user),
        "record": record,
        "schedule": st.tuples(st.just("schedule"), user, position, day),
        "meeting": st.tuples(st.just("meeting"), user, org, day),
        "agenda": st.tuples(st.just("agenda"), user, position),
        "cancel_meeting": st.tuples(st.just("cancel_meeting"), user),
        "add": st.tuples(
            st.just("add"),
            user,
            org,
            st.sampled_from(ROLES),
            st.one_of(st.none(), position),
            st.booleans(),  # in parallel to the step at that position
            st.one_of(st.none(), st.just("Nachfrage")),
        ),
        "remove": st.tuples(
            st.just("remove"), user, position, st.one_of(st.none(), st.just("entfällt"))
        ),
        "move": st.tuples(st.just("move"), user, position, position, st.just("Reihenfolge")),
        "reroute": st.tuples(
            st.just("reroute"),
            user,
            st.lists(st.tuples(org, st.sampled_from(ROLES)), min_size=1, max_size=3),
        ),
        "urgent": st.tuples(st.just("urgent"), user, st.booleans()),
        "supplement": st.tuples(st.just("supplement"), st.one_of(st.just(world.clerk), user)),
        "minutes": st.tuples(
            st.just("minutes"),
            user,
            outcome,
            st.booleans(),  # with votes
            st.sampled_from(DAYS[1:]),  # the day of the meeting prepared for it
        ),
    }
    # Results five times as often as other actions, withdrawal (after which everything is
    # refused) only once in a while.
    weights = {"record": 10, "withdraw": 1}
    names = [name for name in kinds for _ in range(weights.get(name, 2))]
    return st.sampled_from(names).flatmap(lambda name: kinds[name])


def apply(service: WorkflowService, world: World, number: str, step: tuple[Any, ...]) -> str | None:
    """Apply one action; the paper to go on with (an Ergänzungsvorlage continues the paper),
    None when there was nothing to apply it to."""
    name, user = step[0], step[1]
    if name == "supplement":
        return service.supplements.create_supplement(
            number, user=user, reason="neue Zahlen", date=D(2025, 4, 2)
        ).number
    if name == "minutes":
        return number if _minutes(service, number, step) else None
    if name == "submit":
        service.papers.submit_paper(number, user=user)
    elif name in ("co_sign", "object"):
        objection = name == "object"
        comment = "Bedenken" if objection else None
        service.co_signing.co_sign(
            number, user=user, office=step[2], objection=objection, comment=comment
        )
    elif name == "release":
        service.papers.release_paper(number, user=user)
    elif name == "withdraw":
        service.papers.withdraw_paper(number, user=user, reason="erledigt")
    elif name == "record":
        _, _, position, value, date, org, votes, misplaced = step
        if position is None:
            open_steps = [
                c
                for c in service.papers.get_paper(number).consultations
                if c.state in OPEN_STEP_STATES
            ]
            position = open_steps[0].position if open_steps else 1
            date = date or D(2025, 6, 3)
        outcome = Outcome(value)
        refers, repeats = outcome.effect is ResultEffect.REFER, outcome.effect.repeats_step
        service.results.record_result(
            number,
            user=user,
            position=position,
            outcome=value,
            date=date,
            refer_to=org if refers or misplaced == "refer_to" else None,
            target_date=D(2025, 7, 1) if repeats or misplaced == "until" else None,
            amended_text="Geänderte Fassung"
            if outcome.amends_text or misplaced == "text"
            else None,
            votes=[VoteCount(yes=3, no=1, abstain=0)] if votes else [],
        )
    elif name == "schedule":
        service.paths.schedule_consultation(number, user=user, position=step[2], date=step[3])
    elif name == "meeting":
        start = dt.datetime.combine(step[3], dt.time(16), tzinfo=dt.UTC)
        service.meetings.create_meeting(user=user, organization=step[2], start=start)
    elif name in ("agenda", "cancel_meeting"):
        meetings = service.meetings.list_meetings()
        if not meetings:
            return None
        latest = max(m.id for m in meetings)
        if name == "agenda":
            service.agendas.schedule_into_meeting(
                number, user=user, position=step[2], meeting_id=latest
            )
        else:
            service.meetings.cancel_meeting(latest, user=user, reason="Krankheit")
    elif name == "add":
        _, _, org, role, position, parallel, reason = step
        service.paths.add_consultation(
            number,
            user=user,
            organization=org,
            role=role,
            position=None if parallel else position,
            parallel_to=position if parallel else None,
            reason=reason,
        )
    elif name == "remove":
        service.paths.remove_consultation(number, user=user, position=step[2], reason=step[3])
    elif name == "move":
        service.paths.move_consultation(
            number, user=user, position=step[2], to=step[3], reason=step[4]
        )
    elif name == "reroute":
        planned = [PlannedStep(organization=o, role=r) for o, r in step[2]]
        service.paths.replace_path(number, user=user, steps=planned, reason="neue Beratungsfolge")
    else:
        service.decisions.record_urgent_decision(
            number,
            user=user,
            decided_by=world.mayor,
            co_signer="Ratsmitglied A" if step[2] else None,
            date=D(2025, 3, 12),
            reason="eilt",
        )
    return number


def _minutes(service: WorkflowService, number: str, step: tuple[Any, ...]) -> bool:
    """The latest meeting's minutes with one result for the paper, as a minutes file gives it."""
    meetings = service.meetings.list_meetings()
    if not meetings:
        return False
    _, user, value, votes, _ = step
    outcome = Outcome(value)
    item = MinutesItem(
        where="item 1",
        top=None,
        paper=number,
        outcome=value,
        votes=(VoteCount(yes=3, no=1, abstain=0),) if votes else (),
        refer_to="rat" if outcome.effect is ResultEffect.REFER else None,
        target_date=D(2025, 7, 1) if outcome.effect.repeats_step else None,
        amended_text="Geänderte Fassung" if outcome.amends_text else None,
        note="laut Niederschrift",
    )
    service.minutes.record_minutes(max(m.id for m in meetings), [item], user=user)
    return True


def prepare_minutes(service: WorkflowService, world: World, number: str, day: dt.date) -> None:
    """Before a "minutes" action: a meeting of the paper's next open step on ``day``, with the
    step on its agenda, set up by the session office (what is refused is simply not there)."""
    paper = service.papers.get_paper(number)
    open_steps = [c for c in paper.consultations if c.state in OPEN_STEP_STATES]
    if not open_steps:
        return
    first = min(open_steps, key=lambda c: c.position)
    start = dt.datetime.combine(day, dt.time(16), tzinfo=dt.UTC)
    try:
        meeting = service.meetings.create_meeting(
            user=world.session, organization=first.organization_id, start=start
        )
        service.agendas.schedule_into_meeting(
            number, user=world.session, position=first.position, meeting_id=meeting.id
        )
        service.meetings.invite_meeting(meeting.id, user=world.session)
    except WorkflowError:
        event("minutes: no meeting prepared")


def snapshot(service: WorkflowService, number: str) -> tuple[Any, ...]:
    """What a refused action must leave untouched: the paper, the meetings, every chain."""
    report = service.audit.verify_audit()
    return (
        service.papers.get_paper(number),
        service.meetings.list_meetings(),
        report.events,
        report.streams,
    )


@pytest.fixture
def clock() -> FixedClock:
    """After every day the random actions name: results of those days may be recorded."""
    return FixedClock(dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC))


@pytest.fixture(params=[MUSTERSTADT, LANDAU], ids=["musterstadt", "landau"])
def world(request: pytest.FixtureRequest) -> World:
    return request.param  # type: ignore[no-any-return]


@settings(
    max_examples=int(os.environ.get("RATSWEG_PROPERTY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_actions_keep_the_paper_explainable_and_replayable(
    database: Database, clock: FixedClock, world: World, data: st.DataObject
) -> None:
    service = WorkflowService(database, clock)
    if not service.bodies.list_bodies():  # once per database; examples share it
        service.bodies.load_definitions(resolve_definitions_dir(world.definitions), user=None)
    start = data.draw(st.sampled_from(["released", "draft", "released"]), label="start")
    steps = data.draw(st.lists(actions(world), min_size=4, max_size=14), label="actions")
    catalog = service.bodies.catalog()
    paper_states = {s.id for s in catalog.lifecycle("paper").states}
    step_states = {s.id for s in catalog.lifecycle("consultation").states}
    number = service.papers.create_paper(
        user=world.clerk,
        paper_type=world.paper_type,
        title=f"Fall {next(_titles)}",
        office=world.office,
        date=D(2025, 3, 1),
        route=world.route,
        participants=world.participants,
        text="Der Rat beschließt.",
        planned_dates=list(world.planned),
    ).number
    if start == "released":
        service.papers.submit_paper(number, user=world.clerk)
        for office, signer in world.co_signers:
            service.co_signing.co_sign(number, user=signer, office=office)
        service.papers.release_paper(number, user=world.head)
    for step in steps:
        if step[0] == "minutes":
            prepare_minutes(service, world, number, step[4])
        before, trail = snapshot(service, number), service.audit.audit_trail(number)
        try:
            went_on = apply(service, world, number, step)
            if went_on is None:
                continue
        except WorkflowError:
            event(f"refused {step[0]}")
            assert snapshot(service, number) == before, f"refused {step} changed something"
            assert service.audit.audit_trail(number) == trail, f"refused {step} wrote audit events"
            continue
        event(f"accepted {step[0]}")
        number = went_on
        after = service.papers.get_paper(number)
        assert after.state in paper_states
        assert {c.state for c in after.consultations} <= step_states
        assert snapshot(service, number)[2] > before[2], f"{step} left no audit event"
    view = service.papers.get_paper(number)
    for report in service.audit.replay_audit():  # every paper: the chain's supplements too
        where = f"{report.paper_number}, event {report.seq}"
        assert report.ok, f"{report.status}: {report.difference} ({where})"
    if view.state in ("adopted", "rejected", "noted"):
        assert [c for c in view.consultations if c.state == "held"], "decided without a result"
    assert service.audit.verify_audit().ok
