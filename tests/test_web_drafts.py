"""Writing a new Vorlage and editing a draft in the browser (HTTP level, both databases): the
form, its errors next to their field with nothing changed, and the service deciding."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.test_web import csrf_of, log_in, new_paper
from workflow.service import WorkflowService

FORM = {
    "paper_type": "vorlage",
    "title": "Neubau der Feuerwache Nord",
    "office": "amt1",
    "date": "2025-03-01",
    "route": "standard",
    "text": "Der Rat beschließt\r\nden Neubau.",
}


def post_new(client: TestClient, csrf: str, **changes: str | list[str]) -> object:
    return client.post("/vorlagen/neu", data={**FORM, **changes, "csrf_token": csrf})


def test_the_form_offers_types_offices_and_routing_templates(client: TestClient) -> None:
    log_in(client, "clerk")
    page = client.get("/vorlagen/neu")
    assert page.status_code == 200
    assert 'value="vorlage" selected' in page.text and "Angelegenheiten des Rates" in page.text
    assert 'value="amt1" selected' in page.text  # the clerk's own office first
    assert 'value="2025-03-10"' in page.text  # today on the test clock
    assert "Neue Vorlage" in client.get("/vorlagen").text


def test_a_clerk_creates_a_draft_with_text_and_path(
    client: TestClient, web_service: WorkflowService
) -> None:
    csrf = log_in(client, "clerk")
    response = post_new(client, csrf)
    assert response.status_code == 303
    number = response.headers["location"].removeprefix("/vorlagen/")
    paper = web_service.papers.get_paper(number)
    assert paper.title == FORM["title"] and paper.state == "draft"
    assert paper.text == "Der Rat beschließt\nden Neubau."  # the browser's CR LF as LF
    assert [c.organization_id for c in paper.consultations] == ["ausschuss", "rat"]
    page = client.get(response.headers["location"])
    assert "Entwurf bearbeiten" in page.text


def test_an_empty_title_shows_the_form_again_with_the_message_at_the_title(
    client: TestClient, web_service: WorkflowService
) -> None:
    csrf = log_in(client, "clerk")
    before = len(web_service.papers.list_papers().items)
    response = post_new(client, csrf, title="   ")
    assert response.status_code == 422
    assert 'id="fehler-title"' in response.text and "Bitte einen Titel angeben." in response.text
    assert 'aria-describedby="fehler-title"' in response.text
    assert "Der Rat beschließt" in response.text  # what was typed is kept
    assert len(web_service.papers.list_papers().items) == before


def test_a_bad_date_and_an_unknown_choice_are_refused_at_their_fields(
    client: TestClient, web_service: WorkflowService
) -> None:
    csrf = log_in(client, "clerk")
    bad_date = post_new(client, csrf, date="31.02.2025")
    assert bad_date.status_code == 422 and 'id="fehler-date"' in bad_date.text
    assert "ist kein Datum" in bad_date.text
    bad_office = post_new(client, csrf, office="amt99")
    assert bad_office.status_code == 422 and 'id="fehler-office"' in bad_office.text
    bad_route = post_new(client, csrf, route="<script>x</script>")
    assert bad_route.status_code == 422 and 'id="fehler-route"' in bad_route.text
    assert "<script>x</script>" not in bad_route.text
    assert web_service.papers.list_papers().items == ()


def test_the_services_refusal_comes_back_next_to_the_field_it_names(
    client: TestClient, web_service: WorkflowService
) -> None:
    """The writing office cannot co-sign its own paper: the service says so, the form shows
    it at the co-signing offices."""
    csrf = log_in(client, "clerk")
    response = post_new(client, csrf, participants=["amt1"])
    assert response.status_code == 422
    assert 'id="fehler-participants"' in response.text
    assert "amt1" in response.text and "mitzeichnen" in response.text
    assert web_service.papers.list_papers().items == ()


def test_an_auditor_cannot_create_a_paper_and_nothing_is_stored(
    client: TestClient, web_service: WorkflowService
) -> None:
    csrf = log_in(client, "auditor")
    assert "Neue Vorlage" not in client.get("/vorlagen").text
    response = post_new(client, csrf)
    assert response.status_code == 403
    assert 'id="fehler-office"' in response.text
    assert web_service.papers.list_papers().items == ()


def test_creating_needs_the_csrf_token_and_a_login(
    client: TestClient, web_service: WorkflowService
) -> None:
    log_in(client, "clerk")
    assert client.post("/vorlagen/neu", data=FORM).status_code == 403
    client.cookies.clear()
    assert client.get("/vorlagen/neu").status_code == 303
    assert web_service.papers.list_papers().items == ()


def test_editing_a_draft_changes_title_text_and_planned_dates(
    client: TestClient, web_service: WorkflowService
) -> None:
    number = new_paper(web_service)
    csrf = log_in(client, "clerk")
    form = client.get(f"/vorlagen/{number}/bearbeiten")
    assert form.status_code == 200 and 'value="Feuerwache"' in form.text
    response = client.post(
        f"/vorlagen/{number}/bearbeiten",
        data={
            "csrf_token": csrf,
            "title": "Feuerwache Süd",
            "text": "Neuer Text",
            "planned-1": "2025-04-02",
            "planned-2": "",
        },
    )
    assert response.status_code == 303
    paper = web_service.papers.get_paper(number)
    assert paper.title == "Feuerwache Süd" and paper.text == "Neuer Text"
    assert paper.consultations[0].planned_date == dt.date(2025, 4, 2)
    trail = web_service.audit.audit_trail(number)
    assert trail[-1].action == "paper_edited"


def test_an_edit_with_a_bad_date_changes_nothing(
    client: TestClient, web_service: WorkflowService
) -> None:
    number = new_paper(web_service)
    csrf = log_in(client, "clerk")
    response = client.post(
        f"/vorlagen/{number}/bearbeiten",
        data={"csrf_token": csrf, "title": "Anders", "planned-1": "morgen"},
    )
    assert response.status_code == 422 and 'id="fehler-planned-1"' in response.text
    assert web_service.papers.get_paper(number).title == "Feuerwache"


def test_an_edit_that_changes_nothing_says_so(
    client: TestClient, web_service: WorkflowService
) -> None:
    number = new_paper(web_service)
    csrf = log_in(client, "clerk")
    response = client.post(
        f"/vorlagen/{number}/bearbeiten", data={"csrf_token": csrf, "title": "Feuerwache"}
    )
    assert response.status_code == 422 and "keine Änderung" in response.text


def test_a_submitted_paper_is_no_longer_a_draft_to_edit(
    client: TestClient, web_service: WorkflowService
) -> None:
    number = new_paper(web_service)
    web_service.papers.submit_paper(number, user="clerk")
    csrf = log_in(client, "clerk")
    assert "Entwurf bearbeiten" not in client.get(f"/vorlagen/{number}").text
    response = client.post(
        f"/vorlagen/{number}/bearbeiten", data={"csrf_token": csrf, "title": "Später"}
    )
    assert response.status_code == 409
    assert web_service.papers.get_paper(number).title == "Feuerwache"


def test_a_step_in_a_meeting_links_to_the_meeting(
    client: TestClient, web_service: WorkflowService
) -> None:
    number = new_paper(web_service)
    web_service.papers.submit_paper(number, user="clerk")
    web_service.papers.release_paper(number, user="head")
    meeting = web_service.meetings.create_meeting(
        user="session",
        organization="ausschuss",
        start=dt.datetime(2025, 3, 18, 16, tzinfo=dt.UTC),
    ).id
    web_service.agendas.schedule_into_meeting(
        number, user="session", position=1, meeting_id=meeting
    )
    log_in(client, "clerk")
    page = client.get(f"/vorlagen/{number}")
    assert f'href="/sitzungen/{meeting}"' in page.text
    assert csrf_of(page.text)


def test_the_paper_page_shows_versions_attachments_and_the_chain(
    client: TestClient, web_service: WorkflowService, tmp_path: Path
) -> None:
    number = web_service.papers.create_paper(
        user="clerk",
        paper_type="vorlage",
        title="Bebauungsplan",
        office="amt1",
        date=dt.date(2025, 3, 1),
        route="standard",
        text="Der Rat beschließt den <b>Plan</b>.",
    ).number
    plan = tmp_path / "plan.pdf"
    plan.write_bytes(b"%PDF-1.4 " + b"x" * 2048)
    web_service.attachments.attach_file(number, plan, user="clerk", file_name="Plan <1>.pdf")
    web_service.papers.submit_paper(number, user="clerk")
    web_service.papers.release_paper(number, user="head")
    supplement = web_service.supplements.create_supplement(
        number, user="clerk", reason="neue Kosten", date=dt.date(2025, 3, 5)
    ).number
    log_in(client, "clerk")
    page = client.get(f"/vorlagen/{number}").text
    assert "Fassungen" in page and "wie freigegeben" in page
    assert "Plan &lt;1&gt;.pdf" in page and "2 kB" in page and "Plan <1>" not in page
    assert "den &lt;b&gt;Plan&lt;/b&gt;" in page
    assert "Kette der Ergänzungsvorlagen" in page
    assert f'href="/vorlagen/{supplement}"' in page
    chain = client.get(f"/vorlagen/{supplement}").text
    assert f'href="/vorlagen/{supplement}" aria-current="page"' in chain


def test_the_list_downloads_as_csv_with_its_filters(
    client: TestClient, web_service: WorkflowService
) -> None:
    first, second = new_paper(web_service, "Feuerwache"), new_paper(web_service, 'Kita "Süd"')
    web_service.papers.submit_paper(second, user="clerk")
    log_in(client, "clerk")
    page = client.get("/vorlagen?state=co_signing").text
    assert 'href="/vorlagen.csv?state=co_signing"' in page
    response = client.get("/vorlagen.csv?state=co_signing")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["number", "paper_type"] and rows[0][-1] == "title"
    assert [r[0] for r in rows[1:]] == [second]
    assert rows[1][-1] == 'Kita "Süd"' and rows[1][4] == "co_signing"
    everything = client.get("/vorlagen.csv").content.decode("utf-8-sig")
    assert first in everything and second in everything
    bad = client.get("/vorlagen.csv?year=20x5")
    assert bad.status_code == 422 and "vier Ziffern" in bad.text
    client.cookies.clear()
    assert client.get("/vorlagen.csv").status_code == 303


def test_a_long_list_says_more_than_its_count_limit(
    client: TestClient, web_service: WorkflowService, monkeypatch: pytest.MonkeyPatch
) -> None:
    for title in ("A", "B", "C"):
        new_paper(web_service, title)
    monkeypatch.setattr("workflow.papers.listing.COUNT_LIMIT", 1)
    monkeypatch.setattr("workflow.web.papers.PAGE_SIZE", 1)
    log_in(client, "clerk")
    assert "1–1 von mehr als 1" in client.get("/vorlagen?seite=1").text.replace("\u2013", "–")
