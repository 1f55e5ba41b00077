"""Dringlichkeitsentscheidung, Widerspruch/Beanstandung/Aussetzung, Einspruchsfrist and
Beschlusskontrolle, on SQLite and PostgreSQL. State rules come from each municipality's
``decisions`` section: Musterstadt and Herzogenrath (NW), Landau (RP), Völklingen (SL).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from storage.session import Database
from tests.conftest import VALID_DEFINITIONS, on_day
from tests.test_service import create, released
from workflow.core.clock import FixedClock
from workflow.core.engine import WorkflowEngine
from workflow.core.errors import InvalidInput, NotFoundError, PermissionDenied, TransitionNotAllowed
from workflow.core.model import Action
from workflow.definitions import (
    catalog_from_files,
    load_catalog,
    read_definition_files,
    resolve_definitions_dir,
)
from workflow.service import WorkflowService

D = dt.date
S = "session"


def trail(service: WorkflowService, number: str) -> int:
    return len(service.audit.audit_trail(number))


def steps(view: object) -> list[tuple[str, str, str]]:
    return [
        (c.organization_id, c.role.value, c.state)
        for c in view.consultations  # type: ignore[attr-defined]
    ]


def adopted(service: WorkflowService) -> str:
    """Recommended on 18.03.2025, decided by the Rat on 27.03.2025 (the clock's day then)."""
    number = released(service)
    on_day(service.clock, D(2025, 3, 18))
    service.results.record_result(number, user=S, position=1, outcome="empfohlen")
    on_day(service.clock, D(2025, 3, 27))
    service.results.record_result(number, user=S, position=2, outcome="beschlossen")
    return number


def shipped(database: Database, clock: FixedClock, name: str) -> WorkflowService:
    svc = WorkflowService(database, clock)
    svc.bodies.load_definitions(resolve_definitions_dir(name), user=None)
    return svc


# -- Dringlichkeitsentscheidung ---------------------------------------------------------------


def test_nw_urgent_decision_needs_approval_in_the_next_rat_meeting(
    service: WorkflowService, clock: FixedClock
) -> None:
    number = released(service)
    meeting = service.meetings.create_meeting(
        user=S, organization="rat", start=dt.datetime(2025, 3, 20, 17, tzinfo=dt.UTC)
    )
    on_day(clock, D(2025, 3, 12))
    view = service.decisions.record_urgent_decision(
        number,
        user=S,
        decided_by="mayor",
        co_signer="Ratsmitglied Schmitz",
        date=D(2025, 3, 12),
        reason="Fördermittelfrist endet am 14.03.",
    )
    assert view.state == "decided_urgently"
    assert steps(view) == [
        ("ausschuss", "vorberatung", "cancelled"),
        ("rat", "entscheidung", "cancelled"),
        ("rat", "entscheidung", "held"),
        ("rat", "genehmigung", "planned"),
    ]
    assert view.consultations[3].planned_date == D(2025, 3, 20)
    assert meeting.id
    (proc,) = service.decisions.list_procedures(number)
    assert (proc.kind, proc.decided_by, proc.co_signer, proc.position) == (
        "dringlichkeitsentscheidung",
        "mayor",
        "Ratsmitglied Schmitz",
        4,
    )
    events = [
        e for e in service.audit.audit_trail(number) if e.action == "urgent_decision_recorded"
    ]
    assert events[0].payload["legal_basis"] == "GO NRW § 60 Abs. 1 S. 2"
    on_day(clock, D(2025, 3, 20))
    view = service.results.record_result(number, user=S, position=4, outcome="genehmigt")
    assert view.state == "adopted"
    assert service.audit.verify_audit().ok


def test_nw_council_refusing_approval_annuls_the_urgent_decision(
    service: WorkflowService, clock: FixedClock
) -> None:
    number = released(service)
    on_day(clock, D(2025, 3, 12))
    service.decisions.record_urgent_decision(
        number, user=S, decided_by="mayor", co_signer="RM Meyer", date=D(2025, 3, 12), reason="x"
    )
    on_day(clock, D(2025, 3, 27))
    view = service.results.record_result(
        number, user=S, position=4, outcome="abgelehnt", date=D(2025, 3, 27)
    )
    assert view.state == "annulled"


def test_urgent_decision_refusals_change_nothing(
    service: WorkflowService, clock: FixedClock
) -> None:
    number = released(service)
    on_day(clock, D(2025, 3, 12))
    before = trail(service, number)
    with pytest.raises(InvalidInput) as info:
        service.decisions.record_urgent_decision(
            number, user=S, decided_by="mayor", co_signer="RM", date=D(2025, 2, 28), reason="x"
        )
    assert str(info.value) == (
        "die Dringlichkeitsentscheidung zu V/2025/1 ist auf den 28.02.2025 datiert, vor dem Datum "
        "der Vorlage (01.03.2025)"
    )
    with pytest.raises(InvalidInput, match=r"zusammen mit einem Mitunterzeichner \(required\)$"):
        service.decisions.record_urgent_decision(
            number, user=S, decided_by="mayor", date=D(2025, 3, 12), reason="eilt"
        )
    with pytest.raises(PermissionDenied, match="'clerk' ist nicht der Bürgermeister.*mayor"):
        service.decisions.record_urgent_decision(
            number, user=S, decided_by="clerk", co_signer="X", date=D(2025, 3, 12), reason="eilt"
        )
    with pytest.raises(
        PermissionDenied,
        match=r"'auditor' hat keine Berechtigung für 'dringlich entscheiden' \(decide_urgently\)",
    ):
        service.decisions.record_urgent_decision(
            number, user="auditor", decided_by="mayor", co_signer="X", date=D(2025, 3, 12),
            reason="eilt",
        )  # fmt: skip
    with pytest.raises(InvalidInput, match="braucht ihre Begründung"):
        service.decisions.record_urgent_decision(
            number, user=S, decided_by="mayor", co_signer="X", date=D(2025, 3, 12), reason=" "
        )
    assert trail(service, number) == before
    assert service.papers.get_paper(number).state == "released"


def test_rp_urgent_decision_is_noted_or_annulled_by_the_stadtrat(
    database: Database, clock: FixedClock
) -> None:
    svc = shipped(database, clock, "landau")
    number = _landau_paper(svc)
    on_day(clock, D(2025, 3, 12))
    view = svc.decisions.record_urgent_decision(
        number,
        user="sitzungsdienst.becker",
        decided_by="oberbuergermeister",
        co_signer="Beigeordnete Müller und Klein",
        date=D(2025, 3, 12),
        reason="Gefahr im Verzug",
    )
    assert view.state == "decided_urgently"
    assert steps(view)[-1] == ("stadtrat", "kenntnisnahme", "planned")
    position = view.consultations[-1].position
    on_day(clock, D(2025, 3, 25))
    view = svc.results.record_result(
        number,
        user="sitzungsdienst.becker",
        position=position,
        outcome="zur_kenntnis_genommen",
        date=D(2025, 3, 25),
    )
    assert view.state == "adopted"
    assert svc.audit.verify_audit().ok


def test_sl_urgent_decision_is_taken_alone_and_may_be_annulled(
    database: Database, clock: FixedClock
) -> None:
    svc = shipped(database, clock, "voelklingen")
    number = _voelklingen_paper(svc)
    on_day(clock, D(2025, 3, 12))
    with pytest.raises(InvalidInput, match="KSVG § 61: der Bürgermeister entscheidet allein"):
        svc.decisions.record_urgent_decision(
            number,
            user="sitzungsdienst",
            decided_by="oberbuergermeisterin",
            co_signer="X",
            date=D(2025, 3, 12),
            reason="Hochwasser",
        )
    view = svc.decisions.record_urgent_decision(
        number,
        user="sitzungsdienst",
        decided_by="oberbuergermeisterin",
        date=D(2025, 3, 12),
        reason="Hochwasser",
    )
    assert steps(view)[-1] == ("stadtrat", "kenntnisnahme", "planned")
    on_day(clock, D(2025, 3, 25))
    view = svc.results.record_result(
        number,
        user="sitzungsdienst",
        position=view.consultations[-1].position,
        outcome="aufgehoben",
        date=D(2025, 3, 25),
    )
    assert view.state == "annulled"


def test_aufgehoben_fits_only_an_urgent_decision(service: WorkflowService) -> None:
    number = create(service, route="standard")
    service.paths.remove_consultation(number, user="clerk", position=2)
    service.paths.add_consultation(number, user="clerk", organization="rat", role="kenntnisnahme")
    service.papers.submit_paper(number, user="clerk")
    service.papers.release_paper(number, user="head")
    with pytest.raises(
        InvalidInput, match="'aufgehoben' hebt nur eine Dringlichkeitsentscheidung auf"
    ):
        service.results.record_result(
            number, user=S, position=2, outcome="aufgehoben", date=D(2025, 4, 1)
        )


# -- Widerspruch, Beanstandung, Aussetzung ----------------------------------------------------


def test_widerspruch_suspends_and_sets_the_redecision_window(
    service: WorkflowService, clock: FixedClock
) -> None:
    number = adopted(service)  # the Rat decided on 27.03.2025
    with pytest.raises(InvalidInput, match="war bis 30.03.2025 zu erheben"):
        service.decisions.raise_objection(
            number, user="mayor", kind="widerspruch", date=D(2025, 3, 31), reason="Gemeinwohl"
        )
    with pytest.raises(InvalidInput, match="nicht vor dem 01.04.2025 und nicht nach dem 12.04"):
        service.decisions.raise_objection(
            number,
            user="mayor",
            kind="widerspruch",
            date=D(2025, 3, 29),
            reason="Gemeinwohl",
            planned_date=D(2025, 3, 31),
        )
    on_day(clock, D(2025, 3, 29))
    view = service.decisions.raise_objection(
        number, user="mayor", kind="widerspruch", date=D(2025, 3, 29), reason="Gemeinwohl"
    )
    assert view.state == "objected"
    assert steps(view)[-1] == ("rat", "entscheidung", "planned")
    (proc,) = service.decisions.list_procedures(number)
    assert (proc.window_start, proc.window_end) == (D(2025, 4, 1), D(2025, 4, 12))
    before = trail(service, number)
    with pytest.raises(
        InvalidInput, match="GO NRW § 54 Abs. 1.*12.04.2025.*20.04.2025 liegt außerhalb"
    ):
        service.paths.schedule_consultation(number, user=S, position=3, date=D(2025, 4, 20))
    assert trail(service, number) == before
    # A result outside the window is refused as well, and changes nothing.
    with pytest.raises(InvalidInput, match="GO NRW § 54 Abs. 1.*31.03.2025 liegt außerhalb"):
        service.results.record_result(
            number, user=S, position=3, outcome="beschlossen", date=D(2025, 3, 31)
        )
    assert trail(service, number) == before
    assert steps(service.papers.get_paper(number))[-1] == ("rat", "entscheidung", "planned")
    service.paths.schedule_consultation(number, user=S, position=3, date=D(2025, 4, 8))
    before = trail(service, number)
    with pytest.raises(
        InvalidInput, match="nicht nach dem 12.04.2025 fallen; der 20.04.2025 liegt außerhalb"
    ):
        service.results.record_result(
            number, user=S, position=3, outcome="beschlossen", date=D(2025, 4, 20)
        )
    assert trail(service, number) == before
    paper = service.papers.get_paper(number)
    assert (paper.state, paper.consultations[-1].state) == ("objected", "scheduled")
    on_day(clock, D(2025, 4, 8))
    view = service.results.record_result(number, user=S, position=3, outcome="beschlossen")
    assert view.state == "adopted"
    with pytest.raises(InvalidInput, match="kein zweiter widerspruch.*29.03.2025"):
        service.decisions.raise_objection(
            number, user="mayor", kind="widerspruch", date=D(2025, 4, 9), reason="noch einmal"
        )
    assert service.audit.verify_audit().ok


def test_beanstandung_upheld_goes_to_the_supervisory_authority(
    service: WorkflowService, clock: FixedClock
) -> None:
    number = adopted(service)
    on_day(clock, D(2025, 4, 2))
    view = service.decisions.raise_objection(
        number, user="mayor", kind="beanstandung", date=D(2025, 4, 2), reason="rechtswidrig"
    )
    assert view.state == "contested"
    on_day(clock, D(2025, 4, 10))
    view = service.results.record_result(
        number, user=S, position=3, outcome="beschlossen", date=D(2025, 4, 10)
    )
    assert view.state == "supervisory_review"
    with pytest.raises(PermissionDenied, match=r"'mayor' hat keine Berechtigung für .* \(annul\)"):
        service.decisions.record_supervisory_decision(
            number, user="mayor", annul=True, reason="Az 1"
        )
    view = service.decisions.record_supervisory_decision(
        number, user=S, annul=True, reason="Bez.-Reg. Az 1"
    )
    assert view.state == "annulled"
    assert service.audit.verify_audit().ok


def test_objection_refusals_change_nothing(service: WorkflowService, clock: FixedClock) -> None:
    number = adopted(service)
    on_day(clock, D(2025, 4, 2))
    before = trail(service, number)
    with pytest.raises(
        InvalidInput, match="'aussetzung' ist für .* nicht eingerichtet.*widerspruch"
    ):
        service.decisions.raise_objection(
            number, user="mayor", kind="aussetzung", date=D(2025, 4, 2), reason="r"
        )
    with pytest.raises(
        InvalidInput, match="unbekannte Art des Einspruchs 'widerspuch'.*widerspruch"
    ):
        service.decisions.raise_objection(
            number, user="mayor", kind="widerspuch", date=D(2025, 4, 2), reason="r"
        )
    with pytest.raises(
        PermissionDenied, match=r"'auditor' hat keine Berechtigung für 'widersprechen' \(object\)"
    ):
        service.decisions.raise_objection(
            number, user="auditor", kind="widerspruch", date=D(2025, 3, 28), reason="r"
        )
    with pytest.raises(InvalidInput, match="Einspruch gilt nur für Ausschüsse"):
        service.decisions.raise_objection(
            number, user="mayor", kind="einspruch", date=D(2025, 3, 28), reason="r"
        )
    assert trail(service, number) == before
    fresh = released(service)
    with pytest.raises(InvalidInput, match="hat noch keinen Beschluss"):
        service.decisions.raise_objection(
            fresh, user="mayor", kind="widerspruch", date=D(2025, 3, 28), reason="r"
        )


# -- Einspruchsfrist (Herzogenrath seed 003) --------------------------------------------------


def _asidq_decision(svc: WorkflowService) -> str:
    number = svc.papers.create_paper(
        user="amt50.sachbearbeitung",
        paper_type=_first_type(svc),
        title="Integrationskonzept, Fortschreibung",
        office="amt50",
        date=D(2025, 3, 1),
        route="integrationskonzept",
    ).number
    svc.papers.submit_paper(number, user="amt50.sachbearbeitung")
    svc.papers.release_paper(number, user="amt50.leitung")
    on_day(svc.clock, D(2025, 3, 25))
    view = svc.results.record_result(
        number, user="sitzungsdienst", position=1, outcome="beschlossen", date=D(2025, 3, 25)
    )
    assert view.state == "objection_period"
    return number


def test_herzogenrath_asidq_decision_becomes_final_after_the_einspruchsfrist(
    database: Database, clock: FixedClock
) -> None:
    svc = shipped(database, clock, "herzogenrath")
    number = _asidq_decision(svc)
    clock.instant = dt.datetime(2025, 4, 1, 10, tzinfo=dt.UTC)
    before = trail(svc, number)
    with pytest.raises(
        InvalidInput, match="läuft bis 01.04.2025; schließen Sie sie nach diesem Tag ab"
    ):
        svc.decisions.finalize_decision(number, user="sitzungsdienst")
    with pytest.raises(
        PermissionDenied,
        match=r"'rpa' hat keine Berechtigung für 'Einspruchsfrist abgelaufen' \(finalize\)",
    ):
        clock.instant = dt.datetime(2025, 4, 2, 10, tzinfo=dt.UTC)
        svc.decisions.finalize_decision(number, user="rpa")
    assert trail(svc, number) == before
    view = svc.decisions.finalize_decision(number, user="sitzungsdienst")
    assert view.state == "adopted"
    last = svc.audit.audit_trail(number)[-1]
    assert (last.from_state, last.to_state) == ("objection_period", "adopted")
    assert last.payload["objection_period_until"] == "2025-04-01"
    assert svc.audit.verify_audit().ok


def test_herzogenrath_einspruch_takes_the_matter_to_the_rat(
    database: Database, clock: FixedClock
) -> None:
    svc = shipped(database, clock, "herzogenrath")
    number = _asidq_decision(svc)
    with pytest.raises(InvalidInput, match="braucht 4 der 17 Mitglieder.*angegeben: 3"):
        svc.decisions.raise_objection(
            number, user="sitzungsdienst", kind="einspruch", date=D(2025, 3, 27), reason="r",
            members=3,
        )  # fmt: skip
    with pytest.raises(InvalidInput, match="lief vom 25.03.2025 bis 01.04.2025"):
        svc.decisions.raise_objection(
            number, user="buergermeister", kind="einspruch", date=D(2025, 4, 3), reason="r"
        )
    on_day(clock, D(2025, 3, 27))
    view = svc.decisions.raise_objection(
        number, user="sitzungsdienst", kind="einspruch", date=D(2025, 3, 27), reason="r",
        members=4,
    )  # fmt: skip
    assert view.state == "appealed"
    assert steps(view) == [("asidq", "entscheidung", "held"), ("rat", "entscheidung", "planned")]
    on_day(clock, D(2025, 4, 10))
    view = svc.results.record_result(
        number, user="sitzungsdienst", position=2, outcome="abgelehnt", date=D(2025, 4, 10)
    )
    assert view.state == "rejected"
    assert svc.audit.verify_audit().ok


# -- Beschlusskontrolle -------------------------------------------------------------------------


def test_implementation_tasks_report_and_overdue_listing(
    service: WorkflowService, clock: FixedClock
) -> None:
    number = adopted(service)  # decided 27.03.2025
    yearly = service.tasks.add_implementation_task(
        number, user=S, title="Umsetzungsbericht", office="amt1", interval_months=12,
        report_to="ausschuss",
    )  # fmt: skip
    build = service.tasks.add_implementation_task(
        number, user=S, title="Bauantrag stellen", office="amt1", due=D(2025, 6, 30)
    )
    assert (yearly.due, build.due) == (D(2026, 3, 27), D(2025, 6, 30))
    clock.instant = dt.datetime(2025, 7, 2, 8, tzinfo=dt.UTC)
    overdue = service.tasks.list_implementation_tasks(overdue=True)
    assert [t.id for t in overdue] == [build.id]
    assert [t.id for t in service.tasks.list_implementation_tasks()] == [build.id, yearly.id]
    done = service.tasks.report_implementation(
        build.id, user="clerk", date=D(2025, 7, 1), text="gestellt", implemented=True
    )
    assert done.state.value == "implemented"
    on_day(clock, D(2026, 3, 20))
    report = service.tasks.report_implementation(
        yearly.id, user="head", date=D(2026, 3, 20), text="1"
    )
    assert (report.state.value, report.due) == ("reported", D(2027, 3, 27))  # on its cycle
    assert service.papers.get_paper(number).state == "adopted"
    on_day(clock, D(2027, 3, 1))
    service.tasks.report_implementation(
        yearly.id, user="head", date=D(2027, 3, 1), text="fertig", implemented=True
    )
    assert service.papers.get_paper(number).state == "implemented"
    assert service.tasks.list_implementation_tasks() == []
    actions = [e.action for e in service.audit.audit_trail(number)]
    assert actions.count("implementation_task_added") == 2
    assert actions.count("implementation_completed") == 2
    assert service.audit.verify_audit().ok


def test_implementation_refusals_change_nothing(service: WorkflowService) -> None:
    number = adopted(service)
    task = service.tasks.add_implementation_task(
        number, user=S, title="Bericht", office="amt1", due=D(2025, 9, 1)
    )
    before = trail(service, number)
    with pytest.raises(
        PermissionDenied, match="'auditor' hat keine Berechtigung für implementation.plan"
    ):
        service.tasks.add_implementation_task(number, user="auditor", title="x", office="amt1")
    with pytest.raises(
        PermissionDenied, match="'auditor' hat keine Berechtigung für implementation.report"
    ):
        service.tasks.report_implementation(task.id, user="auditor", date=D(2025, 5, 1), text="x")
    with pytest.raises(
        InvalidInput, match="die Aufgabe braucht ein Fälligkeitsdatum oder ein Intervall in Monaten"
    ):
        service.tasks.add_implementation_task(number, user=S, title="x", office="amt1")
    with pytest.raises(NotFoundError, match="keine Umsetzungsaufgabe 99"):
        service.tasks.report_implementation(99, user=S, date=D(2025, 5, 1), text="x")
    fresh = released(service)
    with pytest.raises(InvalidInput, match="folgen einem wirksamen Beschluss"):
        service.tasks.add_implementation_task(
            fresh, user=S, title="x", office="amt1", due=D(2025, 9, 1)
        )
    assert trail(service, number) == before


def test_auditor_is_refused_every_new_mutation(service: WorkflowService, clock: FixedClock) -> None:
    number = adopted(service)
    on_day(clock, D(2025, 4, 1))
    before = trail(service, number)
    calls = [
        lambda: service.decisions.raise_objection(
            number, user="auditor", kind="beanstandung", date=D(2025, 4, 1), reason="r"
        ),
        lambda: service.decisions.finalize_decision(number, user="auditor"),
        lambda: service.decisions.record_supervisory_decision(
            number, user="auditor", annul=False, reason="r"
        ),
    ]
    for call in calls:
        with pytest.raises((PermissionDenied, TransitionNotAllowed)):
            call()
    assert trail(service, number) == before


# -- stored definitions versions --------------------------------------------------------------


def test_definitions_from_before_decisions_still_load() -> None:
    """Versions stored before these states, triggers and permissions existed keep loading."""
    files = read_definition_files(VALID_DEFINITIONS)
    files.pop("decisions.yaml")
    text = files["lifecycles.yaml"]
    for trigger in ("adopt_delegated", "decide_urgently", "finalize", "object", "contest",
                    "suspend", "appeal", "confirm", "annul", "implement"):  # fmt: skip
        text = re.sub(rf"      - trigger: {trigger}\n(        .*\n)*", "", text)
    text = re.sub(r"        source: \[in_consultation, decided_urgently.*\]", "        source: in_consultation", text)  # fmt: skip
    text = re.sub(r"      - trigger: (adopt|reject|note)\n        source: (\[contested.*\]|decided_urgently)\n(        .*\n)*", "", text)  # fmt: skip
    text = text.replace("        source: [in_consultation, objected, contested, suspended, appealed]\n", "        source: in_consultation\n")  # fmt: skip
    for state in ("decided_urgently", "objection_period", "objected", "contested", "suspended",
                  "appealed", "supervisory_review", "implemented", "annulled"):  # fmt: skip
        text = re.sub(rf"      {state}: .*\n", "", text)
    text = text.replace(
        "adopted: {label: Beschlossen}", "adopted: {label: Beschlossen, final: true}"
    )
    text = re.sub(r"  implementation\..*\n", "", text)
    assert "implement" not in text and "decided_urgently" not in text
    catalog = catalog_from_files({**files, "lifecycles.yaml": text}, "old")
    assert catalog.decisions.urgent is None
    assert (
        catalog.permissions[Action.IMPLEMENTATION_PLAN]
        == catalog.permissions[Action.CONSULTATION_RECORD]
    )


# -- helpers ------------------------------------------------------------------------------------


def _first_type(svc: WorkflowService) -> str:
    return next(iter(svc.bodies.catalog().paper_types))


def _landau_paper(svc: WorkflowService) -> str:
    number = svc.papers.create_paper(
        user="sozialamt.weber",
        paper_type=_first_type(svc),
        title="Notunterkunft",
        office="sozialamt",
        date=D(2025, 3, 1),
        route="stadtrat",
    ).number
    svc.papers.submit_paper(number, user="sozialamt.weber")
    svc.papers.release_paper(number, user="sozialamt.leitung")
    return number


def _voelklingen_paper(svc: WorkflowService) -> str:
    number = svc.papers.create_paper(
        user="wks.sachbearbeitung",
        paper_type=_first_type(svc),
        title="Hochwasserschutz",
        office="wks",
        date=D(2025, 3, 1),
        route="stadtrat",
    ).number
    svc.papers.submit_paper(number, user="wks.sachbearbeitung")
    svc.papers.release_paper(number, user="wks.leitung")
    return number


@pytest.mark.parametrize(
    ("municipality", "offered", "hidden"),
    [
        ("herzogenrath", {"object", "contest"}, {"suspend"}),
        ("landau", {"suspend"}, {"object", "contest"}),
        ("voelklingen", {"contest"}, {"object", "suspend"}),
    ],
)
def test_the_engine_offers_only_configured_procedures(
    municipality: str, offered: set[str], hidden: set[str]
) -> None:
    """Views and refusal messages both list the engine's triggers: a procedure the
    municipality's decisions section does not configure is in neither."""
    catalog = load_catalog(resolve_definitions_dir(municipality))
    triggers = set(WorkflowEngine().paper_triggers(catalog, "adopted"))
    assert offered <= triggers
    assert not hidden & triggers
