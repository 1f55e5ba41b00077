"""Property tests: random actions by random users, valid and invalid, on both databases."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow.errors import WorkflowError
from workflow.model import Outcome
from workflow.service import WorkflowService

USERS = ["clerk", "head", "session", "auditor", "admin", "mallory"]
_titles = itertools.count(1)

action = st.one_of(
    st.tuples(st.just("submit"), st.sampled_from(USERS)),
    st.tuples(st.just("release"), st.sampled_from(USERS)),
    st.tuples(st.just("withdraw"), st.sampled_from(USERS)),
    st.tuples(
        st.just("record"),
        st.sampled_from(USERS),
        st.integers(1, 4),
        st.sampled_from([o.value for o in Outcome]),
    ),
    st.tuples(st.just("schedule"), st.sampled_from(USERS), st.integers(1, 4)),
    st.tuples(
        st.just("add"),
        st.sampled_from(USERS),
        st.sampled_from(["rat", "ausschuss", "amt1"]),
        st.sampled_from(["vorberatung", "anhoerung", "entscheidung"]),
    ),
    st.tuples(st.just("remove"), st.sampled_from(USERS), st.integers(1, 4)),
)


def apply(service: WorkflowService, number: str, step: tuple[Any, ...]) -> None:
    name, user = step[0], step[1]
    if name == "submit":
        service.submit_paper(number, user=user)
    elif name == "release":
        service.release_paper(number, user=user)
    elif name == "withdraw":
        service.withdraw_paper(number, user=user, reason="erledigt")
    elif name == "record":
        service.record_result(number, user=user, position=step[2], outcome=step[3])
    elif name == "schedule":
        service.schedule_consultation(number, user=user, position=step[2], date=dt.date(2025, 4, 1))
    elif name == "add":
        service.add_consultation(number, user=user, organization=step[2], role=step[3])
    else:
        service.remove_consultation(number, user=user, position=step[2])


def replayed_states(service: WorkflowService, number: str) -> tuple[str, dict[int, str]]:
    """The paper's and each step's state as the audit trail tells them."""
    paper_state = ""
    steps: list[str] = []
    for event in service.audit_trail(number):
        payload = event.payload
        if event.action == "paper_created":
            paper_state = event.to_state or ""
            steps = ["planned" for _ in payload["consultations"]]
        elif event.action == "paper_transitioned":
            paper_state = event.to_state or ""
        elif event.action == "consultation_added":
            steps.insert(payload["position"] - 1, event.to_state or "")
        elif event.action == "consultation_removed":
            del steps[payload["position"] - 1]
        elif event.action == "consultation_transitioned":
            steps[payload["position"] - 1] = event.to_state or ""
    return paper_state, dict(enumerate(steps, start=1))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(action, max_size=14))
def test_random_actions_keep_the_paper_explainable(
    service: WorkflowService, steps: list[tuple[Any, ...]]
) -> None:
    catalog = service.catalog()
    paper_states = {s.id for s in catalog.lifecycle("paper").states}
    step_states = {s.id for s in catalog.lifecycle("consultation").states}
    number = service.create_paper(
        user="clerk",
        paper_type="vorlage",
        title=f"Fall {next(_titles)}",
        office="amt1",
        date=dt.date(2025, 3, 1),
        route="standard",
        planned_dates=[dt.date(2025, 3, 18), dt.date(2025, 3, 27)],
    ).number
    for step in steps:
        before, trail = service.get_paper(number), service.audit_trail(number)
        try:
            apply(service, number, step)
        except WorkflowError:
            assert service.get_paper(number) == before, f"refused {step} changed the paper"
            assert service.audit_trail(number) == trail, f"refused {step} wrote audit events"
            continue
        after = service.get_paper(number)
        assert after.state in paper_states
        assert {c.state for c in after.consultations} <= step_states
        assert len(service.audit_trail(number)) > len(trail), f"{step} left no audit event"
    view = service.get_paper(number)
    assert replayed_states(service, number) == (
        view.state,
        {c.position: c.state for c in view.consultations},
    )
    if view.state in ("adopted", "rejected", "noted"):
        assert view.consultations[-1].state == "held"
    assert service.verify_audit().ok
