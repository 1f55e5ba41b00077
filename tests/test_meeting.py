"""Meetings and agendas on SQLite and PostgreSQL: lifecycle, numbering, Nachtrag, cancel, audit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import VALID_DEFINITIONS, on_day
from workflow.core.clock import BERLIN
from workflow.core.errors import InvalidInput, NotFoundError, PermissionDenied, TransitionNotAllowed
from workflow.core.model import Action, AuditQuery, ReminderState
from workflow.definitions import catalog_from_files, read_definition_files
from workflow.service import WorkflowService

D = dt.date
DAY = D(2025, 3, 18)
START = dt.datetime(2025, 3, 18, 17, 0, tzinfo=BERLIN)


def released(
    service: WorkflowService,
    *,
    public: bool = True,
    planned: dt.date | None = DAY,
    title: str = "T",
) -> str:
    """A released paper: step 1 in the Hauptausschuss (planned for DAY), step 2 in the Rat."""
    number = service.papers.create_paper(
        user="clerk", paper_type="vorlage", title=title, office="amt1", date=D(2025, 3, 1)
    ).number
    service.paths.add_consultation(
        number,
        user="clerk",
        organization="ausschuss",
        role="vorberatung",
        public=public,
        planned_date=planned,
    )
    service.paths.add_consultation(number, user="clerk", organization="rat", role="entscheidung")
    service.papers.submit_paper(number, user="clerk")
    service.papers.release_paper(number, user="head")
    return number


def meeting(service: WorkflowService, organization: str = "ausschuss", **kw: Any) -> int:
    fields: dict[str, Any] = {"user": "session", "organization": organization, "start": START}
    return service.meetings.create_meeting(**(fields | kw)).id


def agenda(service: WorkflowService, meeting_id: int) -> list[tuple[str | None, str, bool]]:
    return [
        (i.number, i.paper_number or i.title, i.nachtrag)
        for i in service.meetings.get_meeting(meeting_id).agenda
    ]


def meeting_events(service: WorkflowService, meeting_id: int) -> list[tuple[str, Any, Any]]:
    from storage import repository
    from storage.audit import meeting_stream

    with service.db.read() as session:
        events = repository.paper_events(session, meeting_stream(meeting_id))
        return [(e.action, e.from_state, e.to_state) for e in events]


def test_meeting_is_created_planned_with_utc_times(service: WorkflowService) -> None:
    view = service.meetings.create_meeting(
        user="session",
        organization="rat",
        start=START,
        end=START + dt.timedelta(hours=2),
        location="Ratssaal",
        name="1. Sitzung",
    )
    assert (view.state, view.state_label, view.organization_name) == (
        "planned",
        "geplant",
        "Rat der Stadt Musterstadt",
    )
    assert view.start == dt.datetime(2025, 3, 18, 16, 0, tzinfo=dt.UTC)
    assert view.start.tzinfo is dt.UTC
    assert view.allowed_actions == ("invite", "cancel")
    assert service.meetings.get_meeting(view.id) == view
    assert meeting_events(service, view.id) == [("meeting_created", None, "planned")]


def test_meeting_needs_a_gremium_and_a_sane_time(service: WorkflowService) -> None:
    with pytest.raises(NotFoundError, match="Gremium 'amt1' gibt es nicht"):
        meeting(service, organization="amt1")
    with pytest.raises(InvalidInput, match="endet .*, bevor sie beginnt"):
        meeting(service, end=START - dt.timedelta(hours=1))
    with pytest.raises(NotFoundError, match="keine Sitzung 99"):
        service.meetings.get_meeting(99)


def test_lifecycle_allowed_and_refused_transitions(service: WorkflowService) -> None:
    mid = meeting(service)
    with pytest.raises(TransitionNotAllowed) as info:
        service.meetings.invite_meeting(mid, user="session")
    assert (info.value.paper, info.value.current, info.value.allowed) == (
        "Sitzung 1 (Hauptausschuss, 18.03.2025 17:00)",
        "planned",
        ("cancel",),
    )
    with pytest.raises(TransitionNotAllowed) as held:
        service.meetings.hold_meeting(mid, user="session")
    assert (held.value.paper, held.value.action, held.value.allowed) == (
        "Sitzung 1 (Hauptausschuss, 18.03.2025 17:00)",
        "hold",
        ("invite", "cancel"),
    )
    service.agendas.add_agenda_item(mid, user="session", title="Mitteilungen der Verwaltung")
    assert service.meetings.invite_meeting(mid, user="session").allowed_actions == (
        "hold",
        "cancel",
    )
    with pytest.raises(
        TransitionNotAllowed,
        match=r"im Status 'eingeladen' nicht möglich; jetzt möglich: durchführen \(hold\), "
        r"absagen \(cancel\)$",
    ):
        service.meetings.invite_meeting(mid, user="session")
    on_day(service.clock, DAY)
    assert service.meetings.hold_meeting(mid, user="session").state == "held"
    with pytest.raises(
        TransitionNotAllowed, match=r"jetzt möglich: Niederschrift genehmigen \(approve_minutes\)$"
    ):
        service.meetings.cancel_meeting(mid, user="session", reason="zu spät")
    with pytest.raises(TransitionNotAllowed, match="ihre Tagesordnung ist geschlossen"):
        service.agendas.add_agenda_item(mid, user="session", title="Zu spät")
    view = service.meetings.approve_minutes(mid, user="session")
    assert (view.state, view.allowed_actions) == ("minutes_approved", ())
    assert meeting_events(service, mid) == [
        ("meeting_created", None, "planned"),
        ("agenda_item_added", None, None),
        ("meeting_transitioned", "planned", "invited"),
        ("agenda_numbered", None, None),
        ("meeting_transitioned", "invited", "held"),
        ("meeting_transitioned", "held", "minutes_approved"),
    ]
    assert service.audit.verify_audit().ok


def test_agenda_public_first_numbered_by_invitation_then_nachtrag(
    service: WorkflowService,
) -> None:
    secret = released(service, public=False, title="Grundstück")
    first = released(service, title="Feuerwache")
    second = released(service, title="Spielplatz")
    draft = service.papers.create_paper(
        user="clerk", paper_type="vorlage", title="Entwurf", office="amt1", date=D(2025, 3, 1)
    ).number
    service.paths.add_consultation(
        draft, user="clerk", organization="ausschuss", role="vorberatung", planned_date=DAY
    )
    elsewhere = released(service, planned=D(2025, 3, 19))
    mid = meeting(service)
    service.agendas.add_agenda_item(mid, user="session", title="Mitteilungen", public=False)
    view = service.agendas.build_agenda(mid, user="session")
    assert [(i.number, i.part.prefix, i.paper_number) for i in view.agenda] == [
        (None, "Ö", first),
        (None, "Ö", second),
        (None, "N", None),
        (None, "N", secret),
    ]
    assert service.agendas.build_agenda(mid, user="session").agenda == view.agenda  # idempotent
    step = service.papers.get_paper(first).consultations[0]
    assert (step.state, step.date, step.planned_date) == ("scheduled", DAY, DAY)
    assert service.papers.get_paper(draft).consultations[0].state == "planned"
    assert service.papers.get_paper(elsewhere).consultations[0].state == "planned"

    service.meetings.invite_meeting(mid, user="session")
    late = released(service, planned=None, title="Nachtrag")
    item = service.agendas.schedule_into_meeting(late, user="session", position=1, meeting_id=mid)
    assert (item.number, item.nachtrag, item.nachtrag_at) == ("Ö 3", True, service.clock.now())
    extra = service.agendas.add_agenda_item(mid, user="session", title="Personalie", public=False)
    assert (extra.number, extra.nachtrag) == ("N 3", True)
    assert agenda(service, mid) == [
        ("Ö 1", first, False),
        ("Ö 2", second, False),
        ("Ö 3", late, True),
        ("N 1", "Mitteilungen", False),
        ("N 2", secret, False),
        ("N 3", "Personalie", True),
    ]
    assert service.papers.get_paper(late).consultations[0].date == DAY
    trail = service.audit.audit_trail(late)
    assert (trail[-1].action, trail[-1].payload["meeting"]) == ("consultation_transitioned", mid)
    assert service.audit.verify_audit().ok


def held_meeting_with(service: WorkflowService, number: str, outcome: str, **kw: Any) -> None:
    """Step 1 of ``number`` in an Ausschuss meeting on DAY, held, with ``outcome``."""
    mid = meeting(service)
    service.agendas.build_agenda(mid, user="session")
    service.meetings.invite_meeting(mid, user="session")
    on_day(service.clock, DAY)
    service.meetings.hold_meeting(mid, user="session")
    service.results.record_result(number, user="session", position=1, outcome=outcome, **kw)


def built(service: WorkflowService, meeting_id: int) -> list[int | None]:
    """Build the agenda; the positions of the steps on it."""
    return [
        i.consultation_position
        for i in service.agendas.build_agenda(meeting_id, user="session").agenda
    ]


def steps(service: WorkflowService, number: str) -> list[tuple[int, str, str, Any, Any]]:
    return [
        (c.position, c.organization_id, c.state, c.planned_date, c.date)
        for c in service.papers.get_paper(number).consultations
    ]


def test_build_agenda_takes_the_step_repeated_after_vertagt(service: WorkflowService) -> None:
    number = released(service)
    held_meeting_with(service, number, "vertagt")
    assert steps(service, number) == [
        (1, "ausschuss", "held", DAY, DAY),
        (2, "ausschuss", "planned", None, None),
        (3, "rat", "planned", None, None),
    ]
    rat = meeting(service, organization="rat", start=START + dt.timedelta(days=7))
    assert (
        service.agendas.build_agenda(rat, user="session").agenda == ()
    )  # the Ausschuss comes first
    nxt = meeting(service, start=START + dt.timedelta(days=7))
    view = service.agendas.build_agenda(nxt, user="session")
    assert [(i.paper_number, i.consultation_position) for i in view.agenda] == [(number, 2)]
    assert steps(service, number)[1] == (2, "ausschuss", "scheduled", None, D(2025, 3, 25))
    assert service.agendas.build_agenda(nxt, user="session").agenda == view.agenda  # idempotent
    assert service.audit.verify_audit().ok


def test_build_agenda_waits_for_the_vertagt_target_date(service: WorkflowService) -> None:
    number = released(service)
    until = D(2025, 4, 1)
    held_meeting_with(service, number, "vertagt", target_date=until)
    assert steps(service, number)[1] == (2, "ausschuss", "planned", until, None)
    early = meeting(service, start=START + dt.timedelta(days=7))
    assert service.agendas.build_agenda(early, user="session").agenda == ()
    assert steps(service, number)[1] == (2, "ausschuss", "planned", until, None)
    due = meeting(service, start=START + dt.timedelta(days=14))
    assert built(service, due) == [2]


def test_build_agenda_takes_undated_and_overdue_steps_not_later_ones(
    service: WorkflowService,
) -> None:
    undated = released(service, planned=None, title="Ohne Termin")
    overdue = released(service, planned=D(2025, 3, 11), title="Überfällig", public=False)
    later = released(service, planned=D(2025, 3, 19), title="Später")
    draft = service.papers.create_paper(
        user="clerk", paper_type="vorlage", title="Entwurf", office="amt1", date=D(2025, 3, 1)
    ).number
    service.paths.add_consultation(
        draft, user="clerk", organization="ausschuss", role="vorberatung"
    )
    gone = released(service, planned=None, title="Zurückgezogen")
    service.papers.withdraw_paper(gone, user="clerk", reason="erledigt")
    mid = meeting(service)
    view = service.agendas.build_agenda(mid, user="session")
    assert [(i.part.prefix, i.paper_number) for i in view.agenda] == [
        ("Ö", undated),
        ("N", overdue),
    ]
    assert steps(service, later)[0] == (1, "ausschuss", "planned", D(2025, 3, 19), None)
    assert steps(service, draft)[0][2] == "planned"
    assert steps(service, gone)[0][2] == "cancelled"
    assert steps(service, undated)[0] == (1, "ausschuss", "scheduled", None, DAY)


def test_build_agenda_waits_for_earlier_levels_but_takes_parallel_steps(
    service: WorkflowService,
) -> None:
    number = service.papers.create_paper(
        user="clerk", paper_type="vorlage", title="T", office="amt1", date=D(2025, 3, 1)
    ).number
    service.paths.add_consultation(
        number, user="clerk", organization="ausschuss", role="vorberatung"
    )
    service.paths.add_consultation(
        number, user="clerk", organization="rat", role="anhoerung", parallel_to=1
    )
    service.paths.add_consultation(number, user="clerk", organization="rat", role="entscheidung")
    service.papers.submit_paper(number, user="clerk")
    service.papers.release_paper(number, user="head")
    hearing = meeting(service, organization="rat")
    assert built(service, hearing) == [2]
    service.meetings.invite_meeting(hearing, user="session")
    on_day(service.clock, DAY)
    service.results.record_result(number, user="session", position=2, outcome="empfohlen")
    rat = meeting(service, organization="rat", start=START + dt.timedelta(days=7))
    assert service.agendas.build_agenda(rat, user="session").agenda == ()  # the Ausschuss is open
    ausschuss = meeting(service)
    service.agendas.build_agenda(ausschuss, user="session")
    service.meetings.invite_meeting(ausschuss, user="session")
    service.results.record_result(number, user="session", position=1, outcome="empfohlen")
    assert built(service, rat) == [3]
    assert service.audit.verify_audit().ok


def test_organization_mismatch_is_refused_and_changes_nothing(service: WorkflowService) -> None:
    number = released(service)
    mid = meeting(service)
    before = service.audit.audit_trail(number)
    with pytest.raises(InvalidInput) as info:
        service.agendas.schedule_into_meeting(number, user="session", position=2, meeting_id=mid)
    assert str(info.value) == (
        f"Schritt 2 von {number} ist eine Beratung von 'rat', nicht von 'ausschuss'; "
        "Sitzung 1 (Hauptausschuss, 18.03.2025 17:00) kann sie nicht abhalten"
    )
    assert "\n" not in str(info.value)
    assert service.audit.audit_trail(number) == before
    assert service.meetings.get_meeting(mid).agenda == ()


def test_step_cannot_be_on_two_agendas_and_drafts_are_refused(service: WorkflowService) -> None:
    number = released(service)
    one, two = meeting(service), meeting(service, start=START + dt.timedelta(days=7))
    service.agendas.schedule_into_meeting(number, user="session", position=1, meeting_id=one)
    with pytest.raises(
        InvalidInput, match=f"Schritt 1 von {number} steht bereits auf der Tagesordnung der"
    ):
        service.agendas.schedule_into_meeting(number, user="session", position=1, meeting_id=two)
    draft = service.papers.create_paper(
        user="clerk", paper_type="vorlage", title="E", office="amt1", date=D(2025, 3, 1)
    ).number
    service.paths.add_consultation(
        draft, user="clerk", organization="ausschuss", role="vorberatung"
    )
    with pytest.raises(
        TransitionNotAllowed, match="nur freigegebene, noch nicht entschiedene Vorlagen"
    ):
        service.agendas.schedule_into_meeting(draft, user="session", position=1, meeting_id=two)


def test_cancel_moves_items_back_to_planned(service: WorkflowService) -> None:
    first, second = released(service), released(service, public=False)
    mid = meeting(service)
    service.agendas.build_agenda(mid, user="session")
    service.meetings.invite_meeting(mid, user="session")
    view = service.meetings.cancel_meeting(
        mid, user="session", reason="Beschlussunfähigkeit absehbar"
    )
    assert (view.state, view.allowed_actions) == ("cancelled", ())
    for number in (first, second):
        paper = service.papers.get_paper(number)
        step = paper.consultations[0]
        assert (step.state, step.date, step.planned_date) == ("planned", None, DAY)
        assert paper.state == "released"
        last = service.audit.audit_trail(number)[-1]
        assert (last.action, last.from_state, last.to_state) == (
            "consultation_transitioned",
            "scheduled",
            "planned",
        )
        assert last.payload == {
            "trigger": "unschedule",
            "position": 1,
            "meeting": mid,
            "reason": "Beschlussunfähigkeit absehbar",
        }
    # the old agenda stays as it was; the steps can go into the next meeting and on
    assert [i.number for i in service.meetings.get_meeting(mid).agenda] == ["Ö 1", "N 1"]
    nxt = meeting(service, start=START + dt.timedelta(days=7))
    service.agendas.schedule_into_meeting(first, user="session", position=1, meeting_id=nxt)
    service.meetings.invite_meeting(nxt, user="session")
    on_day(service.clock, D(2025, 3, 25))
    paper = service.results.record_result(first, user="session", position=1, outcome="empfohlen")
    assert [c.state for c in paper.consultations] == ["held", "planned"]
    assert paper.consultations[0].date == D(2025, 3, 25)
    with pytest.raises(
        TransitionNotAllowed,
        match="Schritt 1 der Vorlage .* ist 'beraten' und kann nicht zurück auf geplant",
    ):
        service.meetings.cancel_meeting(nxt, user="session", reason="x")
    assert service.meetings.get_meeting(nxt).state == "invited"
    assert service.audit.verify_audit().ok


def test_cancel_refused_names_the_state_before_and_changes_nothing(
    service: WorkflowService,
) -> None:
    waiting, decided = released(service, title="Wartet"), released(service, title="Beraten")
    mid = meeting(service)
    service.agendas.build_agenda(mid, user="session")
    service.meetings.invite_meeting(mid, user="session")
    on_day(service.clock, DAY)
    service.results.record_result(decided, user="session", position=1, outcome="empfohlen")
    before = (
        service.meetings.get_meeting(mid),
        meeting_events(service, mid),
        service.audit.audit_trail(waiting),
        service.audit.audit_trail(decided),
    )
    with pytest.raises(TransitionNotAllowed) as info:
        service.meetings.cancel_meeting(mid, user="session", reason="Sturm")
    assert (info.value.paper, info.value.current, info.value.allowed) == (
        f"Sitzung {mid} (Hauptausschuss, 18.03.2025 17:00)",
        "invited",
        ("hold",),
    )
    assert f"(Schritt 1 der Vorlage {decided} ist 'beraten' und kann nicht zurück auf geplant)" in (
        str(info.value)
    )
    after = (
        service.meetings.get_meeting(mid),
        meeting_events(service, mid),
        service.audit.audit_trail(waiting),
        service.audit.audit_trail(decided),
    )
    assert after == before
    step = service.papers.get_paper(waiting).consultations[0]
    assert (step.state, step.date) == ("scheduled", DAY)
    assert service.audit.verify_audit().ok


def test_move_takes_the_steps_along_and_is_audited(service: WorkflowService) -> None:
    first, secret = released(service), released(service, public=False)
    mid = meeting(service, end=START + dt.timedelta(hours=2))
    service.agendas.build_agenda(mid, user="session")
    moved = service.meetings.move_meeting(
        mid, user="session", day=D(2025, 3, 20), time=dt.time(18), reason="Saal belegt"
    )
    assert moved.steps == ((first, 1), (secret, 1)) and moved.warnings == ()
    view = moved.meeting
    assert (view.start, view.end) == (
        dt.datetime(2025, 3, 20, 17, 0, tzinfo=dt.UTC),
        dt.datetime(2025, 3, 20, 19, 0, tzinfo=dt.UTC),
    )
    assert service.meetings.get_meeting(mid) == view
    assert agenda(service, mid) == [(None, first, False), (None, secret, False)]
    for number in (first, secret):
        assert steps(service, number)[0] == (1, "ausschuss", "scheduled", DAY, D(2025, 3, 20))
        last = [
            e for e in service.audit.audit_trail(number) if e.action == "consultation_transitioned"
        ]
        assert (last[-1].from_state, last[-1].to_state, last[-1].actor) == (
            "scheduled",
            "scheduled",
            "session",
        )
        assert last[-1].payload == {
            "trigger": "schedule",
            "position": 1,
            "date": "2025-03-20",
            "meeting": mid,
            "moved": True,
            "reason": "Saal belegt",
        }
    (event,) = [
        e
        for e in service.audit.search_audit(AuditQuery(meeting=mid))
        if e.action == "meeting_moved"
    ]
    assert (event.stream, event.actor) == (f"meeting:{mid}", "session")
    assert event.payload == {
        "meeting": mid,
        "from": "2025-03-18T16:00:00+00:00",
        "start": "2025-03-20T17:00:00+00:00",
        "end": "2025-03-20T19:00:00+00:00",
        "reason": "Saal belegt",
        "steps": [[first, 1], [secret, 1]],
        "invited_at": None,
        "warnings": [],
    }
    # the time alone: the steps keep their day and no step event is written
    trail = service.audit.audit_trail(first)
    later = service.meetings.move_meeting(mid, user="session", day=D(2025, 3, 20), time=dt.time(19))
    assert later.steps == () and service.audit.audit_trail(first) == trail
    assert all(r.status == "match" for r in service.audit.replay_audit(first))
    assert service.audit.verify_audit().ok


def test_move_after_the_invitation_asks_for_the_ladungsfrist(service: WorkflowService) -> None:
    mid = meeting(service)
    service.agendas.add_agenda_item(mid, user="session", title="Mitteilungen")
    service.meetings.invite_meeting(mid, user="session")
    moved = service.meetings.move_meeting(mid, user="session", day=D(2025, 3, 25))
    assert moved.warnings == (
        (
            f"die Einladung zu Sitzung {mid} (Hauptausschuss, 25.03.2025 17:00) ging am "
            "Mo 10.03.2025 hinaus: prüfen Sie die Ladungsfrist erneut; die Definitionen setzen "
            "keine Ladungsfrist für ausschuss"
        ),
    )
    assert moved.meeting.state == "invited"


@pytest.mark.parametrize("state", ["held", "minutes_approved", "cancelled"])
def test_move_refused_when_held_or_cancelled_changes_nothing(
    service: WorkflowService, state: str
) -> None:
    number = released(service)
    mid = meeting(service)
    service.agendas.build_agenda(mid, user="session")
    if state == "cancelled":
        service.meetings.cancel_meeting(mid, user="session", reason="Sturm")
    else:
        service.meetings.invite_meeting(mid, user="session")
        on_day(service.clock, DAY)
        service.meetings.hold_meeting(mid, user="session")
    if state == "minutes_approved":
        service.meetings.approve_minutes(mid, user="session")
    before = (
        service.meetings.get_meeting(mid),
        meeting_events(service, mid),
        service.audit.audit_trail(number),
    )
    with pytest.raises(TransitionNotAllowed) as info:
        service.meetings.move_meeting(mid, user="session", day=D(2025, 3, 20))
    assert (info.value.paper, info.value.current) == (
        f"Sitzung {mid} (Hauptausschuss, 18.03.2025 17:00)",
        state,
    )
    assert "(nur eine geplante oder geladene Sitzung lässt sich verlegen)" in str(info.value)
    assert "\n" not in str(info.value)
    after = (
        service.meetings.get_meeting(mid),
        meeting_events(service, mid),
        service.audit.audit_trail(number),
    )
    assert after == before


def test_move_refused_when_a_step_has_a_result(service: WorkflowService) -> None:
    waiting, decided = released(service), released(service)
    mid = meeting(service)
    service.agendas.build_agenda(mid, user="session")
    service.meetings.invite_meeting(mid, user="session")
    on_day(service.clock, DAY)
    service.results.record_result(decided, user="session", position=1, outcome="empfohlen")
    before = (
        service.meetings.get_meeting(mid),
        service.audit.audit_trail(waiting),
        service.reminders.list_reminders(list(ReminderState)),
    )
    with pytest.raises(TransitionNotAllowed) as info:
        service.meetings.move_meeting(mid, user="session", day=D(2025, 3, 20))
    assert (info.value.paper, info.value.current, info.value.allowed) == (
        f"Sitzung {mid} (Hauptausschuss, 18.03.2025 17:00)",
        "invited",
        ("hold", "cancel"),
    )
    assert (
        f"(Schritt 1 der Vorlage {decided} ist 'beraten' und kann nicht mit der Sitzung umziehen)"
        in (str(info.value))
    )
    assert (
        service.meetings.get_meeting(mid),
        service.audit.audit_trail(waiting),
        service.reminders.list_reminders(list(ReminderState)),
    ) == (before)


def test_result_needs_the_meeting_invited_or_held_and_its_day(service: WorkflowService) -> None:
    number = released(service)
    mid = meeting(service)
    service.agendas.schedule_into_meeting(number, user="session", position=1, meeting_id=mid)
    before = service.audit.audit_trail(number)
    meeting_before = meeting_events(service, mid)
    with pytest.raises(TransitionNotAllowed) as info:
        service.results.record_result(
            number, user="session", position=1, outcome="empfohlen", date=D(2030, 1, 1)
        )
    assert (info.value.paper, info.value.action, info.value.current, info.value.allowed) == (
        "Sitzung 1 (Hauptausschuss, 18.03.2025 17:00)",
        "das Ergebnis von Schritt 1 der Vorlage V/2025/1 erfassen",
        "planned",
        ("invite", "cancel"),
    )
    assert (
        "(Ergebnisse werden für eine geladene oder abgehaltene Sitzung erfasst; laden Sie zuerst "
        "ein (meeting invite 1) oder sagen Sie die Sitzung ab, was den Schritt von ihrer "
        "Tagesordnung nimmt)"
    ) in str(info.value)
    with pytest.raises(TransitionNotAllowed, match="ist im Status 'geplant' nicht möglich"):
        service.results.record_result(number, user="session", position=1, outcome="empfohlen")
    assert service.audit.audit_trail(number) == before
    assert meeting_events(service, mid) == meeting_before
    step = service.papers.get_paper(number).consultations[0]
    assert (step.state, step.date, step.outcome) == ("scheduled", DAY, None)
    service.meetings.invite_meeting(mid, user="session")
    before = service.audit.audit_trail(number)
    with pytest.raises(InvalidInput) as wrong_day:
        service.results.record_result(
            number, user="session", position=1, outcome="empfohlen", date=D(2025, 3, 19)
        )
    assert str(wrong_day.value) == (
        "Schritt 1 der Vorlage V/2025/1 steht auf der Tagesordnung der Sitzung 1 (Hauptausschuss, "
        "18.03.2025 17:00): sein Ergebnis trägt das Datum der Sitzung, 18.03.2025, nicht "
        "19.03.2025"
    )
    assert service.audit.audit_trail(number) == before
    # before the meeting's day there is no result to record yet
    with pytest.raises(InvalidInput) as early:
        service.results.record_result(number, user="session", position=1, outcome="empfohlen")
    assert str(early.value).startswith(
        "das Ergebnis von Schritt 1 der Vorlage V/2025/1 ist datiert auf 18.03.2025"
    )
    assert str(early.value).endswith(
        "das ist der Tag seiner Sitzung: erfassen Sie es, sobald die Sitzung stattgefunden hat"
    )
    assert service.audit.audit_trail(number) == before
    on_day(service.clock, DAY)
    # without --date the result is the meeting's day; with it, the day must match
    paper = service.results.record_result(number, user="session", position=1, outcome="empfohlen")
    assert (paper.consultations[0].state, paper.consultations[0].date) == ("held", DAY)


def test_cancelling_a_planned_meeting_still_works_after_a_refused_result(
    service: WorkflowService,
) -> None:
    number = released(service)
    mid = meeting(service)
    service.agendas.schedule_into_meeting(number, user="session", position=1, meeting_id=mid)
    with pytest.raises(TransitionNotAllowed, match="erfassen' ist im Status 'geplant'") as info:
        service.results.record_result(
            number, user="session", position=1, outcome="empfohlen", date=D(2030, 1, 1)
        )
    assert (info.value.paper, info.value.current) == (
        "Sitzung 1 (Hauptausschuss, 18.03.2025 17:00)",
        "planned",
    )
    assert (
        service.meetings.cancel_meeting(mid, user="session", reason="verlegt").state == "cancelled"
    )
    step = service.papers.get_paper(number).consultations[0]
    assert (step.state, step.date, step.planned_date) == ("planned", None, DAY)


def test_cancel_needs_a_reason(service: WorkflowService) -> None:
    with pytest.raises(InvalidInput, match="braucht eine Begründung"):
        service.meetings.cancel_meeting(meeting(service), user="session", reason=" ")


MUTATIONS: dict[str, Callable[[WorkflowService, int, str], object]] = {
    "create_meeting": lambda s, m, p: s.meetings.create_meeting(
        user="auditor", organization="rat", start=START
    ),
    "add_agenda_item": lambda s, m, p: s.agendas.add_agenda_item(m, user="auditor", title="x"),
    "build_agenda": lambda s, m, p: s.agendas.build_agenda(m, user="auditor"),
    "schedule_into_meeting": lambda s, m, p: s.agendas.schedule_into_meeting(
        p, user="auditor", position=1, meeting_id=m
    ),
    "invite_meeting": lambda s, m, p: s.meetings.invite_meeting(m, user="auditor"),
    "hold_meeting": lambda s, m, p: s.meetings.hold_meeting(m, user="auditor"),
    "approve_minutes": lambda s, m, p: s.meetings.approve_minutes(m, user="auditor"),
    "cancel_meeting": lambda s, m, p: s.meetings.cancel_meeting(m, user="auditor", reason="x"),
    "move_meeting": lambda s, m, p: s.meetings.move_meeting(m, user="auditor", day=D(2025, 3, 20)),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_auditor_is_refused_every_meeting_change(service: WorkflowService, name: str) -> None:
    number = released(service)
    mid = meeting(service)
    service.agendas.add_agenda_item(mid, user="session", title="Mitteilungen")
    if name in ("hold_meeting",):
        service.meetings.invite_meeting(mid, user="session")
    if name == "approve_minutes":
        service.meetings.invite_meeting(mid, user="session")
        on_day(service.clock, DAY)
        service.meetings.hold_meeting(mid, user="session")
    before = service.meetings.get_meeting(mid)
    with pytest.raises(PermissionDenied, match="'auditor' hat keine Berechtigung für"):
        MUTATIONS[name](service, mid, number)
    assert service.meetings.get_meeting(mid) == before
    assert len(service.meetings.list_meetings()) == 1


def test_list_filters_by_organization_days_and_state(service: WorkflowService) -> None:
    a = meeting(service)
    b = meeting(service, organization="rat", start=START + dt.timedelta(days=9))
    late = dt.datetime(2025, 3, 20, 23, 30, tzinfo=BERLIN)  # 22:30 UTC, still the 20th locally
    c = meeting(service, start=late)
    service.agendas.add_agenda_item(a, user="session", title="x")
    service.meetings.invite_meeting(a, user="session")
    ids = lambda **kw: [m.id for m in service.meetings.list_meetings(**kw)]
    assert ids() == [a, c, b]
    assert ids(organization="rat") == [b]
    assert ids(since=D(2025, 3, 19), until=D(2025, 3, 20)) == [c]
    assert ids(until=D(2025, 3, 18)) == [a]
    assert ids(state="invited") == [a]


def test_definitions_without_meeting_lifecycle_still_load() -> None:
    """Versions stored before meetings existed keep loading; they just hold no meetings."""
    files = read_definition_files(VALID_DEFINITIONS)
    text = files["lifecycles.yaml"]
    text = re.sub(r"  meeting:\n(    .*\n|      .*\n)*", "", text)
    text = re.sub(r"      - trigger: unschedule\n(        .*\n)*", "", text)
    text = text.replace("  meeting.manage: [session_office, admin]\n", "")
    assert "meeting" not in text and "unschedule" not in text
    catalog = catalog_from_files({**files, "lifecycles.yaml": text}, "old")
    assert set(catalog.lifecycles) == {"paper", "consultation"}
    assert catalog.permissions[Action.MEETING_MANAGE] == frozenset()
