"""A Vorlage's whole way through the web workplace in a real browser, on both databases, with
the shipped Landau definitions: the clerk writes it with a co-signing office and submits it, the
office head signs it in the Mitzeichnung inbox, the session office releases it, plans the
meetings of its Beratungsfolge (Stadtvorstand → Hauptausschuss → Stadtrat), builds and orders
each agenda (drag-and-drop and the arrow buttons), invites, and records the results in the
Sitzungsmodus until the paper is beschlossen; the auditor finds it in the Prüfung and downloads
its report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser_support import axe_violations, describe, log_in, served
from tests.conftest import on_day
from workflow.service import WorkflowService

PASSWORD = "landau-geheim-1"
LANDAU_USERS = (
    "sozialamt.weber",
    "sozialamt.leitung",
    "hauptamt.leitung",
    "sitzungsdienst.becker",
    "rpa.schulz",
    "admin",
)
TITLE = "Integrationskonzept der Stadt Landau in der Pfalz"
#: The meetings of the Beratungsfolge: Gremium, day (the clock starts on Mo 10.03.2025), time.
MEETINGS = (
    ("stadtvorstand", dt.date(2025, 3, 17), "09:00"),
    ("hauptausschuss", dt.date(2025, 3, 24), "17:00"),
    ("stadtrat", dt.date(2025, 3, 31), "17:00"),
)


@pytest.fixture
def landau_site(landau: WorkflowService) -> Iterator[str]:
    """The web app on the shipped Landau definitions, its users with PASSWORD: its base URL."""
    for user in LANDAU_USERS:
        landau.accounts.set_password(user, PASSWORD, user="admin")
    with served(landau) as base:
        yield base


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    opened = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    opened.set_default_timeout(10_000)
    yield opened
    opened.close()


def as_user(context: Any, base: str, user: str) -> Any:
    """A fresh page of ``context`` with ``user`` logged in (the previous session ends)."""
    context.clear_cookies()
    page = context.new_page()
    log_in(page, base, user, PASSWORD)
    return page


def released_paper(service: WorkflowService, title: str) -> str:
    """A Sitzungsvorlage of the Sozialamt on the route stadtrat, released via the service."""
    number = service.papers.create_paper(
        user="sozialamt.weber",
        paper_type="sitzungsvorlage",
        title=title,
        office="sozialamt",
        date=dt.date(2025, 3, 10),
        route="stadtrat",
    ).number
    service.papers.submit_paper(number, user="sozialamt.weber")
    service.papers.release_paper(number, user="sitzungsdienst.becker")
    return number


def agenda_titles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#agenda tr[data-id] th.item-title").all_inner_texts()]


def confirm(page: Any, summary: str) -> None:
    """Open the action form ``summary`` (a ``details``) and confirm it."""
    page.locator("details.action > summary", has_text=summary).first.click()
    page.get_by_role("button", name=f"Bestätigen: {summary}").first.click()


def plan_meeting(page: Any, base: str, gremium: str, day: dt.date, time: str) -> str:
    """The session office plans a meeting in /sitzungen/neu: the meeting page's URL."""
    page.goto(f"{base}/sitzungen/neu")
    page.get_by_label("Gremium").select_option(gremium)
    page.get_by_label("Tag", exact=True).fill(day.isoformat())
    page.get_by_label("Zeit", exact=True).fill(time)
    page.get_by_label("Ort").fill("Rathaus Landau, Sitzungssaal")
    page.get_by_role("button", name="Sitzung anlegen").click()
    page.wait_for_url(lambda url: "/sitzungen/neu" not in url)
    return str(page.url)


def record_all(page: Any, url: str, results: list[tuple[str, str]], *, key: bool) -> None:
    """Record the results of the TOPs in the Sitzungsmodus, one after the other: (result,
    yes-votes). With ``key``, the first TOP is left with the key n and reached again with p."""
    page.goto(f"{url}/sitzungsmodus")
    if key:
        first = page.get_by_role("heading", level=2).first.inner_text()
        page.keyboard.press("n")
        page.wait_for_url("**top=2")
        assert page.get_by_role("heading", level=2).first.inner_text() != first
        page.keyboard.press("p")
        page.wait_for_url("**top=1")
        assert page.get_by_role("heading", level=2).first.inner_text() == first
    for n, (result, yes) in enumerate(results, start=1):
        form = page.locator("form.result-form")
        form.get_by_label(result, exact=True).check()
        main = form.locator("fieldset.main-vote")
        main.get_by_label("Ja", exact=True).fill(yes)
        main.get_by_label("Nein", exact=True).fill("0")
        main.get_by_label("Enthaltungen", exact=True).fill("1")
        with page.expect_navigation():
            page.get_by_role("button", name="Speichern und nächster TOP").click()
        assert page.url.endswith(f"gespeichert={n}")
        saved = page.get_by_role("status").first.inner_text()
        assert f"gespeichert: {result} (Ja {yes} · Nein 0 · Enthaltungen 1)" in saved


def test_a_vorlage_goes_its_whole_way_in_the_browser(
    context: Any, landau_site: str, landau: WorkflowService
) -> None:
    base = landau_site
    others = [
        released_paper(landau, "Sanierung der Turnhalle Horstschule"),
        released_paper(landau, "Bebauungsplan C 27 Wollmesheimer Höhe"),
    ]

    # the clerk writes the paper with the Hauptamt co-signing, and submits it
    page = as_user(context, base, "sozialamt.weber")
    page.get_by_role("link", name="Neue Vorlage").click()
    page.get_by_label("Art").select_option("sitzungsvorlage")
    page.get_by_label("Titel").fill(TITLE)
    page.get_by_label("Federführendes Amt").select_option("sozialamt")
    page.get_by_label("Beratungsfolge").select_option("stadtrat")
    page.get_by_role("group", name="Mitzeichnung").get_by_label("Hauptamt").check()
    page.get_by_label("Text (Beschlussvorschlag)").fill("Der Stadtrat beschließt das Konzept.")
    page.get_by_role("button", name="Entwurf anlegen").click()
    page.wait_for_url(lambda url: "/vorlagen/neu" not in url)
    paper_url = str(page.url)
    number = paper_url.removeprefix(f"{base}/vorlagen/")
    confirm(page, "zur Mitzeichnung geben")
    page.wait_for_url(paper_url)
    page.close()

    # the Hauptamt's head signs it in the Mitzeichnung inbox
    page = as_user(context, base, "hauptamt.leitung")
    page.get_by_role("link", name="Mitzeichnung").click()
    row = page.locator("tr", has_text=number)
    row.locator("summary", has_text="Mitzeichnen").click()
    row.get_by_label("Bemerkung (freiwillig)").fill("Einverstanden.")
    row.get_by_role("button", name="Bestätigen: Mitzeichnen").click()
    page.wait_for_url(f"{base}/mitzeichnung*")
    assert page.locator("tr", has_text=number).count() == 0
    page.close()

    # the session office releases it and plans the meetings
    page = as_user(context, base, "sitzungsdienst.becker")
    page.goto(paper_url)
    confirm(page, "freigeben")
    page.wait_for_url(paper_url)
    assert page.locator(".facts .state").inner_text() == "Freigegeben"

    results = {
        "stadtvorstand": "empfohlen",
        "hauptausschuss": "empfohlen",
        "stadtrat": "beschlossen",
    }
    for step, (gremium, day, time) in enumerate(MEETINGS):
        meeting_url = plan_meeting(page, base, gremium, day, time)
        page.get_by_role("link", name="Tagesordnung bearbeiten").click()
        with page.expect_navigation():
            page.get_by_role("button", name="Aus den fälligen Beratungen aufbauen").click()
        if step == 0:
            titles = agenda_titles(page)
            assert sorted(titles) == sorted(
                [
                    TITLE,
                    "Sanierung der Turnhalle Horstschule",
                    "Bebauungsplan C 27 Wollmesheimer Höhe",
                ]
            )
            # drag the last row to the top by its handle: SortableJS saves the order
            rows = page.locator("#agenda tr[data-id]")
            rows.nth(2).locator(".drag-handle").drag_to(rows.nth(0).locator(".drag-handle"))
            page.get_by_role("status").filter(has_text="gespeichert").wait_for()
            violations = axe_violations(page)  # the agenda as the script shows it after the drop
            assert not violations, describe(violations)
            dragged = [titles[2], titles[0], titles[1]]
            assert agenda_titles(page) == dragged
            page.reload()
            assert agenda_titles(page) == dragged
            # the paper goes down one place with its arrow button (no script needed)
            at = dragged.index(TITLE)
            target = "oben" if at == 2 else "unten"
            page.get_by_role("button", name=f"„{TITLE}“ nach {target}").click()
            page.wait_for_url(f"{meeting_url}/tagesordnung?top=*")
            moved = list(dragged)
            other = at - 1 if at == 2 else at + 1
            moved[at], moved[other] = moved[other], moved[at]
            assert agenda_titles(page) == moved
            page.reload()
            assert agenda_titles(page) == moved
            order = moved
        else:
            order = agenda_titles(page)
            assert set(order) == {TITLE, *(landau.papers.get_paper(n).title for n in others)}
        page.goto(meeting_url)
        confirm(page, "Einladen")
        page.wait_for_url(f"{meeting_url}*")
        assert page.locator("h1 + .facts .state").inner_text().lower() == "eingeladen"

        on_day(landau.clock, day)  # days later: the session has expired, log in again
        page.close()
        page = as_user(context, base, "sitzungsdienst.becker")
        record_all(
            page,
            meeting_url,
            [(results[gremium], "3") for _title in order],
            key=step == 0,
        )
        if step < 2:
            page.goto(paper_url)
            assert page.locator(".facts .state").inner_text() == "In Beratung"

    page.goto(paper_url)
    assert page.locator(".facts .state").inner_text() == "Beschlossen"
    steps = page.locator("section[aria-labelledby=beratungsfolge] tbody tr")
    assert steps.count() == 3
    assert "beschlossen" in steps.nth(2).inner_text()
    decided = landau.papers.get_paper(number).consultations[2]
    assert (decided.outcome, decided.votes[0].yes, decided.votes[0].abstain) == (
        "beschlossen",
        3,
        1,
    )
    page.close()

    # the auditor finds the paper in the Prüfung and downloads its report
    page = as_user(context, base, "rpa.schulz")
    page.get_by_role("link", name="Prüfung").click()
    page.get_by_label("Vorlage (Nummer)").fill(number)
    page.get_by_role("button", name="Suchen").click()
    page.wait_for_url(f"{base}/pruefung?*")
    found = page.locator("table.data tbody tr")
    assert found.count() > 5 and all(number in row for row in found.all_inner_texts())
    found.first.get_by_role("link", name=number).click()
    page.wait_for_url(f"{base}/pruefung/vorlagen/{number}")
    assert TITLE in page.get_by_role("heading", level=1).inner_text()
    for link, suffix in (("Als HTML herunterladen", ".html"), ("Als PDF herunterladen", ".pdf")):
        with page.expect_download() as download:
            page.get_by_role("link", name=link).click()
        path = download.value.path()
        assert download.value.suggested_filename.endswith(suffix)
        content = path.read_bytes()
        if suffix == ".html":
            text = content.decode("utf-8")
            assert number in text and TITLE in text and "beschlossen" in text
        else:
            assert content.startswith(b"%PDF")
    page.close()
