"""The web workplace at HTTP level (Starlette's TestClient), on SQLite and PostgreSQL: login,
sessions, CSRF and origin checks, security headers, escaping, and the service deciding who may
do what."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from storage.session import Database
from tests.test_accounts import later
from workflow.core.clock import FixedClock, SystemClock
from workflow.demo import DEMO_PASSWORD, run_demo
from workflow.service import WorkflowService
from workflow.web.app import create_app
from workflow.web.security import SESSION_COOKIE
from workflow.web.settings import WebSettings

PASSWORD = "web-geheim-1"
ORIGIN = "http://testserver"
USERS = ("clerk", "head", "session", "auditor")


def client_of(service: WorkflowService) -> TestClient:
    return TestClient(create_app(service), headers={"Origin": ORIGIN}, follow_redirects=False)


def log_in(client: TestClient, user: str, password: str = PASSWORD) -> str:
    """Log in; the CSRF token of the new session."""
    response = client.post("/anmelden", data={"user": user, "password": password, "next": "/"})
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/vorlagen").text)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def new_paper(service: WorkflowService, title: str = "Feuerwache") -> str:
    return service.papers.create_paper(
        user="clerk",
        paper_type="vorlage",
        title=title,
        office="amt1",
        date=dt.date(2025, 3, 1),
        route="standard",
    ).number


def test_a_login_with_the_right_password_opens_the_papers(client: TestClient) -> None:
    response = client.post(
        "/anmelden", data={"user": "clerk", "password": PASSWORD, "next": "/vorlagen"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/vorlagen"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = client.get("/vorlagen")
    assert page.status_code == 200 and "Erika Sachbearbeiterin" in page.text
    assert '<html lang="de">' in page.text and "Vorlagen" in page.text


def test_a_wrong_password_and_an_unknown_user_get_the_same_message(client: TestClient) -> None:
    wrong = client.post("/anmelden", data={"user": "clerk", "password": "falsch-falsch"})
    unknown = client.post("/anmelden", data={"user": "niemand", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    message = "Benutzername oder Passwort ist falsch"
    assert message in wrong.text and message in unknown.text
    assert SESSION_COOKIE not in client.cookies


def test_logins_are_throttled_after_five_failures_in_a_minute(
    client: TestClient, clock: FixedClock
) -> None:
    for _ in range(5):
        client.post("/anmelden", data={"user": "clerk", "password": "falsch-falsch"})
    throttled = client.post("/anmelden", data={"user": "clerk", "password": PASSWORD})
    assert throttled.status_code == 401 and "Minute" in throttled.text
    later(clock, seconds=61)
    assert client.post("/anmelden", data={"user": "clerk", "password": PASSWORD}).is_redirect


def test_a_login_gives_a_new_session_id_and_the_old_one_stops_working(
    client: TestClient,
) -> None:
    log_in(client, "clerk")
    first = client.cookies[SESSION_COOKIE]
    log_in(client, "head")
    second = client.cookies[SESSION_COOKIE]
    assert first != second
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, first)
    assert client.get("/vorlagen").status_code == 303


def test_an_idle_session_expires_and_the_browser_goes_to_the_login(
    client: TestClient, clock: FixedClock
) -> None:
    log_in(client, "clerk")
    later(clock, minutes=29)
    assert client.get("/vorlagen").status_code == 200
    later(clock, minutes=31)
    response = client.get("/vorlagen?seite=2")
    assert response.status_code == 303
    assert response.headers["location"] == "/anmelden?next=/vorlagen%3Fseite%3D2"


def test_a_session_ends_after_ten_hours_however_busy(client: TestClient, clock: FixedClock) -> None:
    log_in(client, "clerk")
    for _ in range(20):
        later(clock, minutes=29)
        assert client.get("/vorlagen").status_code == 200
    later(clock, minutes=29)
    assert client.get("/vorlagen").status_code == 303


def test_logout_ends_the_session(client: TestClient) -> None:
    csrf = log_in(client, "clerk")
    cookie = client.cookies[SESSION_COOKIE]
    response = client.post("/abmelden", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["location"] == "/anmelden"
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)
    assert client.get("/vorlagen").status_code == 303


def test_without_login_pages_redirect_to_the_login(client: TestClient) -> None:
    for path in ("/vorlagen", "/vorlagen/V/2025/1"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/anmelden?next=/vorlagen")
    assert client.post("/vorlagen/V/2025/1/aktion", data={"action": "submit"}).is_redirect


@pytest.mark.parametrize(
    "target", ["https://example.org/", "//example.org/", "/\\example.org", "javascript:x"]
)
def test_the_login_sends_the_browser_only_to_local_pages(client: TestClient, target: str) -> None:
    response = client.post(
        "/anmelden", data={"user": "clerk", "password": PASSWORD, "next": target}
    )
    assert response.headers["location"] == "/vorlagen"


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, web_service: WorkflowService
) -> None:
    number = new_paper(web_service)
    log_in(client, "clerk")
    response = client.post(f"/vorlagen/{number}/aktion", data={"action": "submit"})
    assert response.status_code == 403 and "Formular" in response.text
    forged = client.post(
        f"/vorlagen/{number}/aktion", data={"action": "submit", "csrf_token": "x" * 43}
    )
    assert forged.status_code == 403
    assert web_service.papers.get_paper(number).state == "draft"


def test_a_post_from_another_origin_is_refused(
    client: TestClient, web_service: WorkflowService
) -> None:
    number = new_paper(web_service)
    csrf = log_in(client, "clerk")
    data = {"action": "submit", "csrf_token": csrf}
    url = f"/vorlagen/{number}/aktion"
    assert (
        client.post(url, data=data, headers={"Origin": "https://evil.example"}).status_code == 403
    )
    cross = client.post(url, data=data, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    no_origin = client_of(web_service)
    no_origin.cookies.set(SESSION_COOKIE, client.cookies[SESSION_COOKIE])
    del no_origin.headers["Origin"]
    assert no_origin.post(url, data=data).status_code == 403
    assert web_service.papers.get_paper(number).state == "draft"
    login = client.post("/anmelden", data={"user": "clerk"}, headers={"Origin": "null"})
    assert login.status_code == 403


def test_the_security_headers_are_on_every_response(
    client: TestClient, web_service: WorkflowService
) -> None:
    number = new_paper(web_service)
    responses = [client.get("/anmelden"), client.get("/vorlagen")]
    log_in(client, "clerk")
    responses += [
        client.get("/vorlagen"),
        client.get(f"/vorlagen/{number}"),
        client.get("/vorlagen/X/9999/1"),
        client.get("/nirgends"),
        client.post(f"/vorlagen/{number}/aktion", data={"action": "submit"}),
    ]
    for response in responses:
        headers = response.headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    assert [r.status_code for r in responses] == [200, 303, 200, 200, 404, 404, 403]
    assert "Nicht gefunden" in responses[4].text and "Traceback" not in responses[4].text


def test_a_title_with_a_script_tag_is_shown_escaped(
    client: TestClient, web_service: WorkflowService
) -> None:
    number = new_paper(web_service, title="<script>alert(1)</script> & Co")
    log_in(client, "clerk")
    for page in (client.get("/vorlagen").text, client.get(f"/vorlagen/{number}").text):
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
        assert "<script>" not in page.replace("<script src=", "")


def test_an_auditor_sees_no_write_button_and_a_forged_post_is_refused_by_the_service(
    client: TestClient, web_service: WorkflowService
) -> None:
    number = new_paper(web_service)
    csrf = log_in(client, "auditor")
    page = client.get(f"/vorlagen/{number}")
    assert page.status_code == 200 and "/aktion" not in page.text
    assert "Sie können an dieser Vorlage jetzt nichts tun" in page.text
    response = client.post(
        f"/vorlagen/{number}/aktion", data={"action": "submit", "csrf_token": csrf}
    )
    assert response.status_code == 403 and "auditor" in response.text
    assert web_service.papers.get_paper(number).state == "draft"
    trail = web_service.audit.audit_trail(number)
    assert [e.action for e in trail] == ["paper_created"]


def test_a_clerks_action_is_done_as_the_clerk_and_audited(
    client: TestClient, web_service: WorkflowService
) -> None:
    number = new_paper(web_service)
    csrf = log_in(client, "clerk")
    page = client.get(f"/vorlagen/{number}")
    assert 'name="action" value="submit"' in page.text
    response = client.post(
        f"/vorlagen/{number}/aktion", data={"action": "submit", "csrf_token": csrf}
    )
    assert response.status_code == 303 and response.headers["location"] == f"/vorlagen/{number}"
    assert web_service.papers.get_paper(number).state != "draft"
    last = web_service.audit.audit_trail(number)[-1]
    assert (last.action, last.actor) == ("paper_transitioned", "clerk")


def test_an_htmx_request_may_send_the_csrf_token_as_a_header(
    client: TestClient, web_service: WorkflowService
) -> None:
    number = new_paper(web_service)
    csrf = log_in(client, "clerk")
    response = client.post(
        f"/vorlagen/{number}/aktion", data={"action": "submit"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 303


def test_a_withdrawal_without_a_reason_shows_the_form_again_with_the_message(
    client: TestClient, web_service: WorkflowService
) -> None:
    number = new_paper(web_service)
    csrf = log_in(client, "clerk")
    response = client.post(
        f"/vorlagen/{number}/aktion",
        data={"action": "withdraw", "reason": " ", "csrf_token": csrf},
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.text and "Begründung" in response.text
    assert web_service.papers.get_paper(number).state == "draft"


def test_the_paper_page_shows_the_beratungsfolge_and_the_session_office_sees_the_trail(
    client: TestClient, web_service: WorkflowService
) -> None:
    number = new_paper(web_service)
    log_in(client, "session")
    page = client.get(f"/vorlagen/{number}").text
    assert "Beratungsfolge" in page and "Fristen" in page and "Entscheidung" in page
    assert "Vorlage angelegt" in page and "paper_created" not in page and number in page
    log_in(client, "clerk")
    assert "Prüfpfad sehen" in client.get(f"/vorlagen/{number}").text


def test_two_app_instances_accept_the_same_session_and_csrf_token(
    web_service: WorkflowService,
) -> None:
    number = new_paper(web_service)
    first, second = client_of(web_service), client_of(web_service)
    csrf = log_in(first, "clerk")
    second.cookies.set(SESSION_COOKIE, first.cookies[SESSION_COOKIE])
    assert "Erika Sachbearbeiterin" in second.get("/vorlagen").text
    response = second.post(
        f"/vorlagen/{number}/aktion", data={"action": "submit", "csrf_token": csrf}
    )
    assert response.status_code == 303
    assert web_service.papers.get_paper(number).state != "draft"


def test_static_files_are_served_under_their_content_hash_for_a_year(client: TestClient) -> None:
    page = client.get("/anmelden").text
    css = re.search(r'href="(/static/[0-9a-f]{12}/app\.css)"', page)
    script = re.search(r'src="(/static/[0-9a-f]{12}/vendor/htmx-2\.0\.4\.min\.js)"', page)
    assert css and script
    response = client.get(css.group(1))
    assert response.status_code == 200 and "max-age=31536000" in response.headers["cache-control"]
    assert response.headers["content-type"].startswith("text/css")
    assert client.get("/static/000000000000/app.css").status_code == 404
    assert client.get(script.group(1)).text.startswith("/*! htmx 2.0.4")


def test_the_demo_users_log_in_to_the_demo_database_with_the_demo_password(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    paper = run_demo(url).paper
    service = WorkflowService(Database(url), SystemClock())
    try:
        client = client_of(service)
        log_in(client, "sitzungsdienst.becker", DEMO_PASSWORD)
        listed = client.get("/vorlagen").text
        assert paper.number in listed and "Beschlossen" in listed
        page = client.get(f"/vorlagen/{paper.number}").text
        assert "Integrationskonzept" in page and "Stadtvorstand" in page
        assert "Ja 39 · Nein 0 · Enthaltungen 4" in page
    finally:
        service.db.dispose()


def test_a_service_error_outside_a_page_becomes_a_german_page(
    web_service: WorkflowService,
) -> None:
    client = TestClient(
        create_app(web_service, WebSettings(body="nirgendwo")),
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
    response = client.post("/anmelden", data={"user": "clerk", "password": PASSWORD})
    assert response.status_code == 404 and "nirgendwo" in response.text
    assert "Traceback" not in response.text and response.headers["x-frame-options"] == "DENY"


def _numbers(page: str) -> list[str]:
    return re.findall(r'<td class="nowrap"><a href="/vorlagen/[^"]+">([^<]+)</a>', page)


def test_the_papers_list_searches_filters_and_pages_through_the_query_string(
    client: TestClient, web_service: WorkflowService
) -> None:
    """The Vorlagen list is the service's query: a search word, a state, "waiting for me" and
    pages of 50 (the form's fields in the query string, so a list can be bookmarked)."""
    fire = new_paper(web_service, "Feuerwache Nord")
    others = [new_paper(web_service, f"Radweg {i}") for i in range(55)]
    web_service.papers.submit_paper(fire, user="clerk")
    log_in(client, "clerk")
    assert _numbers(client.get("/vorlagen", params={"q": "Feuerwache"}).text) == [fire]
    in_co_signing = client.get("/vorlagen", params={"state": "co_signing"}).text
    assert _numbers(in_co_signing) == [fire]
    assert 'value="co_signing" selected' in in_co_signing
    drafts = client.get("/vorlagen", params={"waiting": "1", "sort": "number"})
    assert len(_numbers(drafts.text)) == 50 and "Vorlagen 1–50 von 55" in drafts.text
    second = client.get("/vorlagen", params={"waiting": "1", "sort": "number", "seite": "2"})
    assert "Vorlagen 51–55 von 55" in second.text
    assert set(_numbers(drafts.text)) | set(_numbers(second.text)) == set(others)
    assert "« vorige Seite" in second.text and "nächste Seite »" not in second.text


def test_a_bad_filter_shows_the_list_form_again_with_the_message(client: TestClient) -> None:
    log_in(client, "clerk")
    bad_year = client.get("/vorlagen", params={"year": "20x5", "q": "Feuer"})
    assert bad_year.status_code == 400
    assert "das Jahr hat vier Ziffern, z. B. 2025, nicht &#39;20x5&#39;" in bad_year.text
    assert 'value="Feuer"' in bad_year.text  # the form keeps what was typed
    unknown = client.get("/vorlagen", params={"state": "<script>x</script>"})
    assert unknown.status_code == 400 and "<script>x" not in unknown.text
