"""Every page type of the web workplace passes axe-core (WCAG 2.1 A/AA and best practices), on
both databases, with the shipped Landau definitions and a realistic state: with data and empty,
with a form error shown, with the action forms opened, as each role sees it.

With ``RATSWEG_SCREENSHOTS=<folder>`` each checked page is also saved there as a PNG, to look
at the screens (the test is the demo data set)."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import axe_violations, describe, log_in, served
from tests.conftest import on_day
from tests.test_browser_e2e import LANDAU_USERS, PASSWORD
from workflow.core.clock import BERLIN
from workflow.core.model.results import VoteCount
from workflow.service import WorkflowService

D = dt.date
SHOTS = os.environ.get("RATSWEG_SCREENSHOTS")


@dataclass(frozen=True, slots=True)
class Workplace:
    """What the pages show: numbers of papers and ids of meetings in their states."""

    decided: str  # beschlossen by the Stadtrat after Stadtvorstand and Hauptausschuss
    on_agenda: str  # released, on the invited Stadtvorstand of 07.04.
    draft: str  # the clerk's draft
    co_signing: str  # in Mitzeichnung: the Hauptamt has to sign
    objected: str  # the Hauptamt objected: the Sozialamt's head may overrule
    held: int  # the Hauptausschuss of 24.03., held
    invited: int  # the Stadtvorstand of 07.04., invited
    planned: int  # the Stadtvorstand of 14.04., planned, its agenda built
    empty: int  # the Stadtrat of 05.05., planned, no agenda


def paper(service: WorkflowService, title: str, *, participants: tuple[str, ...] = ()) -> str:
    return service.papers.create_paper(
        user="sozialamt.weber",
        paper_type="sitzungsvorlage",
        title=title,
        office="sozialamt",
        date=service.clock.now().date(),
        route="stadtrat",
        text=f"Der Stadtrat beschließt: {title}.",
        reference="500-" + title.split()[0],
        participants=participants,
    ).number


def released(service: WorkflowService, title: str) -> str:
    number = paper(service, title)
    service.papers.submit_paper(number, user="sozialamt.weber")
    service.papers.release_paper(number, user="sitzungsdienst.becker")
    return number


def meeting(service: WorkflowService, gremium: str, day: D, hour: int = 17) -> int:
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN)
    return service.meetings.create_meeting(
        user="sitzungsdienst.becker",
        organization=gremium,
        start=start,
        location="Rathaus Landau, Großer Sitzungssaal",
    ).id


def hold(service: WorkflowService, meeting_id: int, day: D, outcome: str, **votes: int) -> None:
    """Build, invite and hold the meeting on ``day`` with ``outcome`` for every paper."""
    user = "sitzungsdienst.becker"
    service.agendas.build_agenda(meeting_id, user=user)
    service.meetings.invite_meeting(meeting_id, user=user)
    on_day(service.clock, day)
    for item in service.meetings.get_meeting(meeting_id).agenda:
        if item.paper_number and item.consultation_position:
            service.results.record_result(
                item.paper_number,
                user=user,
                position=item.consultation_position,
                outcome=outcome,
                votes=[VoteCount(**votes)] if votes else (),
            )


def workplace(service: WorkflowService) -> Workplace:
    """Mo 10.03.2025 to Mo 07.04.2025 in Landau (the clock ends there, during a meeting)."""
    user = "sitzungsdienst.becker"
    decided = paper(service, "Integrationskonzept der Stadt Landau", participants=("hauptamt",))
    service.papers.submit_paper(decided, user="sozialamt.weber")
    service.co_signing.co_sign(decided, user="hauptamt.leitung", office="hauptamt", comment="passt")
    service.papers.release_paper(decided, user=user)
    second = released(service, "Sanierung der Turnhalle Horstschule")
    board = meeting(service, "stadtvorstand", D(2025, 3, 17), 9)
    hold(service, board, D(2025, 3, 17), "empfohlen")
    service.meetings.hold_meeting(board, user=user)
    held = meeting(service, "hauptausschuss", D(2025, 3, 24))
    hold(service, held, D(2025, 3, 24), "empfohlen", yes=12, no=2, abstain=1)
    service.meetings.hold_meeting(held, user=user)
    council = meeting(service, "stadtrat", D(2025, 3, 31))
    hold(service, council, D(2025, 3, 31), "beschlossen", yes=39, no=0, abstain=4)
    on_day(service.clock, D(2025, 4, 1), dt.time(9))

    on_agenda = released(service, "Bebauungsplan C 27 „Wollmesheimer Höhe“")
    released(service, "Zuschuss für den Tierschutzverein <Landau> & Umgebung e. V.")
    invited = meeting(service, "stadtvorstand", D(2025, 4, 7), 9)
    service.agendas.build_agenda(invited, user=user)
    service.agendas.add_agenda_item(invited, user=user, title="Mitteilungen der Verwaltung")
    service.meetings.invite_meeting(invited, user=user)
    released(service, "Neufassung der Friedhofssatzung")
    released(service, "Jahresabschluss 2024 der Stadtholding")
    planned = meeting(service, "stadtvorstand", D(2025, 4, 14), 9)
    service.agendas.build_agenda(planned, user=user)
    service.agendas.add_agenda_item(planned, user=user, title="Anfragen", public=False)
    empty = meeting(service, "stadtrat", D(2025, 5, 5))

    draft = paper(service, "Radverkehrskonzept 2030")
    co_signing = paper(service, "Stellenplan 2026", participants=("hauptamt", "bgm"))
    service.papers.submit_paper(co_signing, user="sozialamt.weber")
    objected = paper(service, "Gebührensatzung Kindertagesstätten", participants=("hauptamt",))
    service.papers.submit_paper(objected, user="sozialamt.weber")
    service.co_signing.co_sign(
        objected,
        user="hauptamt.leitung",
        office="hauptamt",
        objection=True,
        comment="Die Kalkulation fehlt.",
    )
    on_day(service.clock, D(2025, 4, 7), dt.time(10, 30))  # during the Stadtvorstand
    assert second in {i.paper_number for i in service.meetings.get_meeting(council).agenda}
    return Workplace(
        decided=decided,
        on_agenda=on_agenda,
        draft=draft,
        co_signing=co_signing,
        objected=objected,
        held=held,
        invited=invited,
        planned=planned,
        empty=empty,
    )


@pytest.fixture
def landau_pages(landau: WorkflowService) -> Iterator[tuple[str, Workplace]]:
    for user in LANDAU_USERS:
        landau.accounts.set_password(user, PASSWORD, user="admin")
    place = workplace(landau)
    with served(landau) as base:
        yield base, place


class Checker:
    """Runs axe on pages and counts them; saves screenshots when asked to."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.base = base
        self.checked: dict[str, int] = {}
        self.found: list[str] = []

    def as_user(self, user: str) -> Any:
        self.context.clear_cookies()
        log_in(self.page, self.base, user, PASSWORD)
        return self.page

    def visit(self, path: str, what: str, *, status: int = 200) -> Any:
        response = self.page.goto(self.base + path)
        assert response.status == status, f"{what}: {path} answered {response.status}"
        self.check(what)
        return self.page

    def check(self, what: str) -> None:
        if SHOTS:
            plain = what.lower().translate(
                str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
            )
            name = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
            self.page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
        violations = axe_violations(self.page)
        self.checked[what] = len(violations)
        if violations:
            self.found.append(f"{what} ({self.page.url}):\n{describe(violations)}")

    def open_all(self, selector: str = "details") -> None:
        """Open every ``details`` (the action forms) as a person would by clicking."""
        closed = self.page.locator(f"{selector}:not([open]) > summary:visible")
        for _ in range(50):
            if not closed.count():
                return
            closed.first.click()
        raise AssertionError("more than 50 closed forms")


def test_every_page_type_passes_axe(browser: Any, landau_pages: tuple[str, Workplace]) -> None:
    base, w = landau_pages
    c = Checker(browser, base)
    try:
        check_pages(c, w)
    except Exception:
        if SHOTS:
            c.page.screenshot(path=str(Path(SHOTS) / "failed.png"), full_page=True)
        raise
    finally:
        c.context.close()
        if SHOTS:
            lines = [f"{n}\t{what}" for what, n in c.checked.items()]
            (Path(SHOTS) / "axe.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not c.found, "\n\n".join(c.found)
    assert len(c.checked) >= 50, sorted(c.checked)


def check_pages(c: Checker, w: Workplace) -> None:
    page = c.page
    # without a session
    c.visit("/anmelden", "Anmelden")
    page.fill("#user", "sozialamt.weber")
    page.fill("input[name=password]", "falsch")
    page.click("button[type=submit]")
    page.get_by_role("alert").wait_for()
    c.check("Anmelden mit Fehler")

    # the clerk
    c.as_user("sozialamt.weber")
    c.visit("/vorlagen", "Vorlagen (Sachbearbeitung)")
    c.visit("/vorlagen?q=Turnhalle&sort=title", "Vorlagen gesucht")
    c.visit("/vorlagen?q=Stichwortohnetreffer", "Vorlagen ohne Treffer")
    c.visit("/vorlagen?year=20x5", "Vorlagen mit Fehler", status=400)
    c.visit("/vorlagen/neu", "Neue Vorlage")
    page.get_by_role("button", name="Entwurf anlegen").click()
    page.locator("#fehler-title").wait_for()
    c.check("Neue Vorlage mit Fehler")
    c.visit(f"/vorlagen/{w.draft}", "Vorlage Entwurf")
    c.open_all()
    c.check("Vorlage Entwurf mit offenen Aktionen")
    c.visit(f"/vorlagen/{w.draft}/bearbeiten", "Entwurf bearbeiten")
    c.visit(f"/vorlagen/{w.objected}", "Vorlage mit Einwand (Sachbearbeitung)")
    c.visit("/mitzeichnung", "Mitzeichnung leer")
    c.visit("/fristen", "Fristen (Sachbearbeitung)")
    c.visit("/sitzungen", "Sitzungen Monat (Sachbearbeitung)")
    c.visit(f"/sitzungen/{w.planned}/tagesordnung", "Tagesordnung lesend")
    c.visit("/vorlagen/2025/999", "Fehlerseite", status=404)

    # the office heads
    c.as_user("hauptamt.leitung")
    c.visit("/mitzeichnung", "Mitzeichnung mit Vorlagen")
    c.open_all()
    c.check("Mitzeichnung mit offenen Formularen")
    row = page.locator("tr", has_text=w.co_signing)
    row.locator("details", has_text="Einwand erheben").get_by_label("Begründung").fill("  ")
    row.get_by_role("button", name=re.compile("Bestätigen: Einwand erheben")).click()
    page.locator(".field-error").first.wait_for()
    c.check("Mitzeichnung mit Fehler")
    c.visit(f"/vorlagen/{w.co_signing}", "Vorlage in Mitzeichnung (Amtsleitung)")
    c.open_all()
    c.check("Vorlage in Mitzeichnung mit offenen Formularen")
    c.as_user("sozialamt.leitung")
    c.visit("/mitzeichnung", "Mitzeichnung: Einwand zurückweisen")
    c.open_all()
    c.check("Mitzeichnung: Einwand zurückweisen offen")

    # the session office
    c.as_user("sitzungsdienst.becker")
    c.visit(f"/vorlagen/{w.decided}", "Vorlage beschlossen")
    trail = page.locator("section[aria-labelledby=verlauf] tbody").inner_text()
    assert "ausstehend → gezeichnet" in trail and "terminiert → beraten" in trail
    assert "held" not in trail and "signed" not in trail  # states by their German labels
    c.visit(f"/vorlagen/{w.on_agenda}", "Vorlage freigegeben")
    c.open_all()
    c.check("Vorlage freigegeben mit offenen Aktionen")
    withdraw = page.locator("details.action", has_text="zurückziehen")
    withdraw.get_by_label("Begründung").fill("  ")
    withdraw.get_by_role("button").click()
    page.get_by_role("alert").first.wait_for()
    c.check("Vorlage mit Fehler")
    c.visit("/fristen", "Fristen (Sitzungsdienst)")
    c.visit("/fristen?overdue=1", "Fristen überfällig")
    c.visit("/fristen?office=gibtsnicht", "Fristen mit Fehler", status=400)
    c.visit("/sitzungen?monat=2025-04", "Sitzungen Monat")
    c.visit("/sitzungen?monat=2025-02", "Sitzungen Monat leer")
    c.visit("/sitzungen?ansicht=liste", "Sitzungen Liste")
    c.visit("/sitzungen?monat=April", "Sitzungen mit Fehler", status=400)
    page.goto(c.base + "/sitzungen")
    with page.expect_navigation():
        page.get_by_role("button", name="Kalenderadresse anlegen").click()
    assert page.locator("text=/kalender/").count() > 0
    c.check("Sitzungen mit Kalenderadressen")
    c.visit("/sitzungen/neu", "Neue Sitzung")
    page.locator("form.form-card").evaluate("form => { form.noValidate = true; }")
    page.get_by_role("button", name="Sitzung anlegen").click()
    page.locator(".field-error").first.wait_for()
    c.check("Neue Sitzung mit Fehler")
    c.visit(f"/sitzungen/{w.planned}", "Sitzung geplant")
    c.open_all()
    c.check("Sitzung geplant mit offenen Aktionen")
    c.visit(f"/sitzungen/{w.invited}", "Sitzung eingeladen")
    c.visit(f"/sitzungen/{w.held}", "Sitzung durchgeführt")
    c.visit(f"/sitzungen/{w.empty}", "Sitzung ohne Tagesordnung")
    c.visit(f"/sitzungen/{w.planned}/tagesordnung", "Tagesordnung bearbeiten")
    page.locator("#punkt-titel").fill(" ")
    page.get_by_role("button", name="Punkt aufnehmen").click()
    page.locator("#fehler-punkt").wait_for()
    c.check("Tagesordnung mit Fehler")
    c.visit(f"/sitzungen/{w.invited}/tagesordnung", "Tagesordnung nach der Einladung")
    c.visit(f"/sitzungen/{w.empty}/tagesordnung", "Tagesordnung leer")
    c.visit(f"/sitzungen/{w.held}/tagesordnung", "Tagesordnung geschlossen")
    c.visit(f"/sitzungen/{w.invited}/sitzungsmodus", "Sitzungsmodus")
    c.open_all(".result-form details")
    page.get_by_role("button", name="Speichern und nächster TOP").click()
    page.locator("#fehler-formular, .field-error").first.wait_for()
    c.check("Sitzungsmodus mit Fehler")
    form = page.locator("form.result-form")
    form.get_by_label("empfohlen", exact=True).check()
    form.locator("fieldset.main-vote").get_by_label("Ja", exact=True).fill("1")
    page.get_by_role("button", name="Beschlussfähigkeit und Mehrheit prüfen").click()
    page.locator("#hinweise").wait_for()
    c.check("Sitzungsmodus mit Prüfung")
    page.get_by_role("button", name="Speichern und nächster TOP").click()
    page.wait_for_url("**gespeichert=*")
    c.check("Sitzungsmodus gespeichert")
    c.visit(f"/sitzungen/{w.held}/sitzungsmodus", "Sitzungsmodus erfasst")
    c.visit(f"/sitzungen/{w.empty}/sitzungsmodus", "Sitzungsmodus leer")

    # the auditor
    c.as_user("rpa.schulz")
    c.visit("/pruefung", "Prüfung")
    c.visit(f"/pruefung?paper={w.decided}", "Prüfung gesucht")
    c.visit("/pruefung?since=gestern", "Prüfung mit Fehler", status=400)
    c.visit(f"/pruefung/vorlagen/{w.decided}", "Prüfung Vorlage")
    c.visit("/pruefung/kette", "Prüfung Kette")
    page.get_by_role("button", name="Jetzt prüfen").click()
    page.wait_for_load_state()
    c.check("Prüfung Kette geprüft")
    page.get_by_role("button", name="Jetzt versiegeln").click()
    page.wait_for_load_state()
    c.check("Prüfung Kette versiegelt")
    c.visit("/pruefung/beschluesse", "Prüfung Beschlüsse")
    c.visit("/pruefung/beschluesse?since=2030-01-01", "Prüfung Beschlüsse leer")
    c.visit("/pruefung/beschluesse?since=gestern", "Prüfung Beschlüsse mit Fehler", status=400)

    # the report is a download: shown inline here to check it as a page
    def inline(route: Any) -> None:
        response = route.fetch()
        # as the auditor opens the saved file: no download, no CSP of the site (inline styles)
        dropped = ("content-disposition", "content-security-policy")
        headers = {k: v for k, v in response.headers.items() if k not in dropped}
        route.fulfill(response=response, headers=headers)

    page.route("**/bericht.html", inline)
    c.visit(f"/pruefung/vorlagen/{w.decided}/bericht.html", "Prüfbericht HTML")
    page.unroute("**/bericht.html")
    c.visit(f"/vorlagen/{w.decided}", "Vorlage (Prüfung)")
