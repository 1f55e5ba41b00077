"""The optional ``deadlines`` section of the definitions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.test_definitions import VALID, invalid_case, located, small_files
from workflow.core.deadlines import DayOff, DayUnit, NoticeEvent
from workflow.core.errors import DefinitionError
from workflow.definitions import catalog_from_files, load_catalog, resolve_definitions_dir

RULES = """deadlines:
  days_off:
    - {name: Rosenmontag, easter: -48}
  default:
    meeting_time: "18:00"
    notice: {days: 4, unit: calendar_days, count_event_day: false, count_meeting_day: false,
             event: receipt, legal_basis: GemO § 34}
    urgent_notice: {days: 1}
  organizations:
    ausschuss:
      notice: {days: 3, unit: working_days, count_event_day: false, count_meeting_day: false,
               event: dispatch, verified: false, note: check the GO}
    amt1:
      co_signing: {days: 3, unit: working_days}
"""


def test_the_section_is_optional_and_empty_by_default() -> None:
    catalog = load_catalog(VALID)
    assert catalog.deadlines.default.notice is None
    assert catalog.deadlines.organizations == {}


def test_rules_are_built_with_defaults_overrides_and_inherited_urgent_counting() -> None:
    catalog = catalog_from_files(small_files(**{"deadlines.yaml": RULES}), "musterstadt")
    rules = catalog.deadlines
    assert rules.days_off == (DayOff(name="Rosenmontag", easter_offset=-48),)
    rat, ausschuss = rules.for_organization("rat"), rules.for_organization("ausschuss")
    assert rat.meeting_time == dt.time(18, 0) and ausschuss.meeting_time == dt.time(18, 0)
    assert rat.notice is not None and rat.notice.source.legal_basis == "GemO § 34"
    assert rat.urgent_notice is not None
    assert (rat.urgent_notice.days, rat.urgent_notice.event) == (1, NoticeEvent.RECEIPT)
    assert rat.urgent_notice.source.legal_basis is None  # sources are not inherited
    assert ausschuss.notice is not None and ausschuss.notice.unit is DayUnit.WORKING_DAYS
    assert ausschuss.notice.source.verified is False
    assert rules.for_organization("amt1").co_signing is not None


def test_the_version_hash_covers_the_deadline_rules() -> None:
    plain = catalog_from_files(small_files(), "m")
    with_rules = catalog_from_files(small_files(**{"deadlines.yaml": RULES}), "m")
    changed = catalog_from_files(
        small_files(**{"deadlines.yaml": RULES.replace("days: 4", "days: 5")}), "m"
    )
    assert len({plain.version, with_rules.version, changed.version}) == 3
    assert "deadlines.yaml" in with_rules.files


def test_bad_rules_are_reported_with_line_path_and_hint(tmp_path: Path) -> None:
    assert located(invalid_case("bad_deadlines", tmp_path)) == [
        (
            "deadlines.yaml",
            3,
            "annual '12-32' ist kein gültiges Datum; verwenden Sie MM-TT, z. B. '12-24'",
        ),
        (
            "deadlines.yaml",
            4,
            "geben Sie genau eines an: date ('2025-12-24'), annual ('12-24') oder easter (-48)",
        ),
        (
            "deadlines.yaml",
            6,
            (
                "erwartet: eine Zeichenkette, gefunden: eine ganze Zahl; setzen Sie den Wert in "
                "Anführungszeichen (YAML liest yes/no/on/off als Wahrheitswerte)"
            ),
        ),
        ("deadlines.yaml", 8, "unbekannter Schlüssel 'dayz' (meinten Sie 'days'?)"),
        ("deadlines.yaml", 9, "days muss mindestens 1 sein, gefunden: 0"),
        ("deadlines.yaml", 10, "Einheit 'werktag' ist unbekannt (meinten Sie 'werktage'?)"),
        (
            "deadlines.yaml",
            14,
            (
                "delivery_days gilt nur für 'event: receipt'; entfernen Sie es oder messen Sie "
                "bis zum Zugang"
            ),
        ),
        (
            "deadlines.yaml",
            15,
            (
                "eine Regel in working_days endet nie an einem arbeitsfreien Tag; entfernen Sie "
                "on_non_working_day"
            ),
        ),
        ("deadlines.yaml", 17, "Organisation 'ausschus' ist unbekannt (meinten Sie 'ausschuss'?)"),
        (
            "deadlines.yaml",
            20,
            "'notice' gilt nicht für Ämter (Art office); verwenden Sie co_signing",
        ),
    ]


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        (
            "deadlines:\n  default:\n    urgent_notice: {days: 1}\n",
            "deadlines.default.urgent_notice",
            (
                "urgent_notice braucht eine Ladungsfrist, deren Zählweise sie übernimmt; "
                "ergänzen Sie 'notice'"
            ),
        ),
        (
            "deadlines:\n  organizations:\n    rat:\n      co_signing: {days: 1, unit: working_days}\n",
            "deadlines.organizations.rat.co_signing",
            (
                "'co_signing' gilt nicht für Gremien (Art council); verwenden Sie jede Regel "
                "außer co_signing"
            ),
        ),
        (
            (
                "deadlines:\n  default:\n    submission_cutoff: {days: 2, unit: calendar_days,"
                " on_non_working_day: next_working_day}\n"
            ),
            "deadlines.default.submission_cutoff.on_non_working_day",
            (
                "next_working_day würde die Frist verkürzen; verwenden Sie keep oder "
                "previous_working_day"
            ),
        ),
        (
            'deadlines:\n  default:\n    meeting_time: "6 pm"\n',
            "deadlines.default.meeting_time",
            "meeting_time '6 pm' ist keine Uhrzeit; verwenden Sie HH:MM, z. B. '18:00'",
        ),
        (
            "deadlines:\n  defaults: {}\n",
            "deadlines.defaults",
            "unbekannter Schlüssel 'defaults' (meinten Sie 'default'?)",
        ),
    ],
)
def test_single_rule_problems(text: str, path: str, message: str) -> None:
    with pytest.raises(DefinitionError) as info:
        catalog_from_files(small_files(**{"deadlines.yaml": text}), "musterstadt")
    [problem] = info.value.problems
    assert (problem.file, problem.path, problem.message) == ("deadlines.yaml", path, message)


def test_shipped_rules_keep_open_points_as_unverified_configuration() -> None:
    landau = load_catalog(resolve_definitions_dir("landau")).deadlines
    notice = landau.default.notice
    assert notice is not None and notice.source.verified
    assert (notice.days, notice.unit, notice.count_event_day, notice.count_meeting_day) == (
        4,
        DayUnit.CALENDAR_DAYS,
        False,
        False,
    )
    beirat = landau.for_organization("beirat_migration").notice
    assert beirat is not None and not beirat.source.verified
    saarland = load_catalog(resolve_definitions_dir("voelklingen")).deadlines.default.notice
    assert saarland is not None and saarland.days == 3 and not saarland.source.verified
    assert "nicht verifiziert" in (saarland.source.note or "")
    nrw = load_catalog(resolve_definitions_dir("herzogenrath")).deadlines.default
    assert nrw.notice is None  # GO NRW leaves it to the council's GO: not assumed


def test_reminders_are_configured_with_escalation_targets() -> None:
    text = """deadlines:
  reminders:
    lead_days: 3
    escalate_after_hours: 48
    escalate_to: [office_head, session, buero@musterstadt.example]
"""
    catalog = catalog_from_files(small_files(**{"deadlines.yaml": text}), "musterstadt")
    rule = catalog.deadlines.reminders
    assert rule is not None and (rule.lead_days, rule.escalate_after_hours) == (3, 48)
    assert rule.escalate_to == ("office_head", "session", "buero@musterstadt.example")
    assert load_catalog(VALID).deadlines.reminders is None


def test_escalation_targets_may_be_offices_and_roles_but_not_gremien() -> None:
    text = """deadlines:
  reminders:
    escalate_after_hours: 24
    escalate_to: [amt1, clerk, mayor]
"""
    catalog = catalog_from_files(small_files(**{"deadlines.yaml": text}), "musterstadt")
    assert catalog.deadlines.reminders is not None
    assert catalog.deadlines.reminders.escalate_to == ("amt1", "clerk", "mayor")
    text = """deadlines:
  reminders:
    escalate_after_hours: 24
    escalate_to: [ausschuss, amt2, clerks]
"""
    with pytest.raises(DefinitionError) as info:
        catalog_from_files(small_files(**{"deadlines.yaml": text}), "musterstadt")
    tail = (
        "; verwenden Sie office_head, session_office, eine andere Rolle, die Kennung eines Amts "
        "oder eines Benutzers oder eine E-Mail-Adresse"
    )
    assert [message for _, _, message in located(info.value.problems)] == [
        "Eskalationsziel 'ausschuss' ist unbekannt (erlaubt: office_head, session_office, clerk, "
        "auditor, admin, mayor, amt1, head, session)" + tail,
        "Eskalationsziel 'amt2' ist unbekannt (meinten Sie 'amt1'?)" + tail,
        "Eskalationsziel 'clerks' ist unbekannt (meinten Sie 'clerk'?)" + tail,
    ]


def test_reminder_problems_are_reported_with_their_lines() -> None:
    text = """deadlines:
  reminders:
    lead_days: -1
    escalate_to: [office_hed]
"""
    with pytest.raises(DefinitionError) as info:
        catalog_from_files(small_files(**{"deadlines.yaml": text}), "musterstadt")
    assert located(info.value.problems) == [
        (
            "deadlines.yaml",
            2,
            (
                "escalate_after_hours und escalate_to gehören zusammen; geben Sie beide oder "
                "keines an"
            ),
        ),
        ("deadlines.yaml", 3, "lead_days muss mindestens 0 sein, gefunden: -1"),
        (
            "deadlines.yaml",
            4,
            (
                "Eskalationsziel 'office_hed' ist unbekannt (meinten Sie 'office_head'?); "
                "verwenden Sie office_head, session_office, eine andere Rolle, die Kennung eines "
                "Amts oder eines Benutzers oder eine E-Mail-Adresse"
            ),
        ),
    ]


@pytest.mark.parametrize("municipality", ["landau", "voelklingen", "herzogenrath"])
def test_shipped_notes_are_german_as_they_appear_in_reminder_mails(municipality: str) -> None:
    rules = load_catalog(resolve_definitions_dir(municipality)).deadlines
    notes = []
    for rule_set in (rules.default, *rules.organizations.values()):
        for name in ("notice", "urgent_notice", "submission_cutoff", "co_signing"):
            rule = getattr(rule_set, name, None)
            if rule is not None and rule.source.note:
                notes.append(rule.source.note)
    assert notes
    english = (" the ", "placeholder", "until", "not found", "unverified", " is ", "no rule")
    assert [n for n in notes if any(word in f" {n} " for word in english)] == []
