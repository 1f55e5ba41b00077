"""The web workplace in a real browser (Playwright on Debian's Chromium), on both databases:
pages pass axe-core's WCAG 2.1 AA checks, and people get their work done with the keyboard
and the mouse."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser_support import axe_violations, describe, log_in
from tests.test_web import PASSWORD, new_paper
from workflow.service import WorkflowService


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


def assert_accessible(page: Any, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{what}:\n{describe(violations)}"


def test_the_paper_pages_pass_axe(page: Any, site: str, web_service: WorkflowService) -> None:
    number = new_paper(web_service)
    page.goto(f"{site}/anmelden")
    assert_accessible(page, "Anmeldung")
    log_in(page, site, "clerk", PASSWORD)
    for path, what in [
        ("/vorlagen", "Vorlagen"),
        ("/vorlagen?year=20x5", "Vorlagen mit Fehler"),
        (f"/vorlagen/{number}", "Vorlage"),
        ("/vorlagen/neu", "Neue Vorlage"),
        (f"/vorlagen/{number}/bearbeiten", "Entwurf bearbeiten"),
        ("/vorlagen/V/1999/404", "Fehlerseite"),
    ]:
        page.goto(site + path)
        assert_accessible(page, what)
    page.goto(f"{site}/vorlagen/neu")
    page.click("button.primary")  # no title: the form again with the message
    assert page.locator("#fehler-title").is_visible()
    assert_accessible(page, "Neue Vorlage mit Fehler")


def test_a_clerk_writes_a_vorlage_and_edits_the_draft(
    page: Any, site: str, web_service: WorkflowService
) -> None:
    log_in(page, site, "clerk", PASSWORD)
    page.get_by_role("link", name="Neue Vorlage").click()
    page.get_by_label("Titel").fill("Sanierung der Grundschule Mitte")
    page.get_by_label("Beratungsfolge").select_option("standard")
    page.get_by_label("Text (Beschlussvorschlag)").fill("Der Rat beschließt\ndie Sanierung.")
    page.get_by_role("button", name="Entwurf anlegen").click()
    page.wait_for_url(f"{site}/vorlagen/V/**")
    number = page.url.removeprefix(f"{site}/vorlagen/")
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .endswith("Sanierung der Grundschule Mitte")
    )
    page.get_by_role("link", name="Entwurf bearbeiten").click()
    page.get_by_label("1. Hauptausschuss").fill("2025-04-02")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url(f"{site}/vorlagen/{number}")
    paper = web_service.papers.get_paper(number)
    assert paper.text == "Der Rat beschließt\ndie Sanierung."
    assert str(paper.consultations[0].planned_date) == "2025-04-02"
