"""The Fristen page (``/fristen``) at HTTP level, on SQLite and PostgreSQL: the open and overdue
deadlines of the municipality, filtered by Amt, Gremium and user in the query string, each
linking to where to act."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from starlette.testclient import TestClient

from storage.session import Database
from tests.test_cli_deadlines import LANDAU_DATES
from tests.test_web import PASSWORD, client_of
from tests.test_web import log_in as web_log_in
from workflow.core.clock import FixedClock
from workflow.definitions import resolve_definitions_dir
from workflow.service import WorkflowService


@pytest.fixture
def landau_2011(database: Database) -> WorkflowService:
    """Landau on 25.11.2011, with the Integrationskonzept submitted for co-signing."""
    service = WorkflowService(database, FixedClock(dt.datetime(2011, 11, 25, 9, tzinfo=dt.UTC)))
    service.bodies.load_definitions(resolve_definitions_dir("landau"), user=None)
    paper = service.papers.create_paper(
        user="sozialamt.weber",
        paper_type="sitzungsvorlage",
        title="Integrationskonzept <b>2011</b> & mehr",
        office="sozialamt",
        date=dt.date(2011, 11, 23),
        route="integration",
        participants=["hauptamt"],
        planned_dates=LANDAU_DATES,
    )
    service.papers.submit_paper(paper.number, user="sozialamt.weber")
    return service


@pytest.fixture
def client(landau_2011: WorkflowService) -> TestClient:
    return client_of(landau_2011)


def log_in(client: TestClient, user: str) -> str:
    service: WorkflowService = client.app.state.web.service  # type: ignore[attr-defined]
    service.accounts.set_password(user, PASSWORD, user="admin")
    return web_log_in(client, user)


def rows_of(page: str) -> list[tuple[str, str, bool]]:
    """(kind, Gremium/Amt, overdue) of each row of the table."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = []
    for row in re.findall(r"<tr(.*?)</tr>", body, flags=re.DOTALL):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.DOTALL)
        organization = re.sub(r"<[^>]+>.*", "", cells[1]).strip()
        found.append((cells[0], organization, row.startswith(' class="overdue"')))
    return found


def test_without_login_the_page_redirects_to_the_login(client: TestClient) -> None:
    response = client.get("/fristen?gremium=stadtrat")
    assert response.status_code == 303
    assert response.headers["location"] == "/anmelden?next=/fristen%3Fgremium%3Dstadtrat"


def test_the_deadlines_are_listed_due_first_with_overdue_marks_and_their_legal_basis(
    client: TestClient,
) -> None:
    log_in(client, "sitzungsdienst.becker")
    page = client.get("/fristen")
    assert page.status_code == 200
    rows = rows_of(page.text)
    assert len(rows) == 15 and "15 Fristen" in page.text
    assert rows[0] == ("Vorlagenschluss", "Stadtvorstand", True)
    assert "Nur meine Ämter" not in page.text  # the session office has no office of its own
    assert sum(overdue for _, _, overdue in rows) == 8
    assert rows.count(("Mitzeichnung", "Hauptamt", False)) == 1
    assert page.text.count('<strong class="overdue-mark">überfällig</strong>') == 8
    assert "Mi 02.11.2011" in page.text and "Mo 14.11.2011" in page.text
    assert "interne Regelung (Geschäftsverteilung)" in page.text  # the Mitzeichnung's rule
    assert "Integrationskonzept &lt;b&gt;2011&lt;/b&gt; &amp; mehr" in page.text
    assert "<b>2011</b>" not in page.text
    assert '<a href="/vorlagen/2011/001#aktionen">Zur Vorlage' in page.text
    assert '<a href="/vorlagen/2011/001#mitzeichnungen">Zur Vorlage' in page.text


def test_the_filters_narrow_the_list_and_keep_their_choice(client: TestClient) -> None:
    log_in(client, "hauptamt.leitung")
    stadtrat = client.get("/fristen", params={"gremium": "stadtrat"}).text
    assert rows_of(stadtrat) == [
        ("Vorlagenschluss", "Stadtrat", False),
        ("Ladung", "Stadtrat", False),
    ]
    assert '<option value="stadtrat" selected>' in stadtrat
    assert '<a href="/fristen?user=hauptamt.leitung">Nur meine Ämter</a>' in stadtrat
    mine = client.get("/fristen", params={"user": "hauptamt.leitung"}).text
    assert rows_of(mine) == [("Mitzeichnung", "Hauptamt", False)]
    office = client.get("/fristen", params={"office": "hauptamt"}).text
    assert rows_of(office) == [("Mitzeichnung", "Hauptamt", False)]
    overdue = rows_of(client.get("/fristen", params={"overdue": "1"}).text)
    assert len(overdue) == 8 and all(late for _, _, late in overdue)
    none = client.get("/fristen", params={"office": "bgm"}).text
    assert "Keine offene Frist passt." in none


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("gremium", "stadtrath", "Organisation &#39;stadtrath&#39; gibt es nicht"),
        ("office", "<script>x</script>", "Amt &#39;&lt;script&gt;x&lt;/script&gt;&#39;"),
        ("user", "weber", "Benutzer &#39;weber&#39; gibt es nicht"),
    ],
)
def test_a_bad_filter_shows_the_form_again_with_the_message_at_its_field(
    client: TestClient, field: str, value: str, message: str
) -> None:
    log_in(client, "rpa.schulz")
    response = client.get("/fristen", params={field: value})
    assert response.status_code == 400
    text = response.text
    assert message in text and "<script>x" not in text
    assert f'<select id="f-{field}" name="{field}" aria-describedby="f-error"' in text
    assert '<p class="message error field-error" id="f-error" role="alert">' in text
    assert "<tbody>" not in text


def test_a_ladung_links_to_its_meeting(client: TestClient, landau_2011: WorkflowService) -> None:
    landau_2011.co_signing.co_sign("2011/001", user="hauptamt.leitung", office="hauptamt")
    landau_2011.papers.release_paper("2011/001", user="sozialamt.leitung")
    meeting = landau_2011.meetings.create_meeting(
        user="sitzungsdienst.becker",
        organization="hauptausschuss",
        start=dt.datetime(2011, 11, 29, 17, tzinfo=dt.UTC),
    ).id
    landau_2011.agendas.build_agenda(meeting, user="sitzungsdienst.becker")
    log_in(client, "sitzungsdienst.becker")
    page = client.get("/fristen", params={"gremium": "hauptausschuss"}).text
    assert rows_of(page) == [("Ladung", "Hauptausschuss", True)]
    assert f'<a href="/sitzungen/{meeting}">Di 29.11.2011</a>' in page
    assert f'<a href="/sitzungen/{meeting}">Zur Sitzung' in page


def test_the_page_only_reads_and_an_auditor_sees_it_too(client: TestClient) -> None:
    log_in(client, "rpa.schulz")
    page = client.get("/fristen")
    assert page.status_code == 200 and len(rows_of(page.text)) == 15
    assert 'method="post"' not in page.text.split("</header>", 1)[1]
    refused = client.post("/fristen", data={})
    assert refused.status_code == 400
    assert "Diese Seite nimmt diese Anfrage nicht an." in refused.text
