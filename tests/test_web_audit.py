"""The auditors' screens under ``/pruefung`` at HTTP level, on SQLite and PostgreSQL: the
event search with its filters and CSV download, a paper's trail and its report as HTML and
PDF, verifying and sealing the hash chains, the decisions with their Fristen, and the service
deciding who may read and do what."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re

import pytest
from starlette.testclient import TestClient

from tests.test_audit import _tamper
from tests.test_report import decided_paper
from tests.test_trail import AUDITOR, CLERK, HEAD, SESSION
from tests.test_web import PASSWORD, client_of, csrf_of
from workflow.audit.trail import DecisionQuery
from workflow.core.model import AuditQuery
from workflow.core.model.audit import EXPORT_FIELDS
from workflow.service import WorkflowService
from workflow.web import audit

ESCAPED_TITLE = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def paper(landau: WorkflowService) -> str:
    """The decided paper of ``test_report`` (its title holds a script tag)."""
    return decided_paper(landau)


@pytest.fixture
def audited(landau: WorkflowService, paper: str) -> WorkflowService:
    """Landau with that paper and web passwords for its users."""
    for user in (CLERK, HEAD, SESSION, AUDITOR):
        landau.accounts.set_password(user, PASSWORD, user="admin")
    return landau


@pytest.fixture
def client(audited: WorkflowService) -> TestClient:
    return client_of(audited)


def log_in(client: TestClient, user: str) -> str:
    response = client.post("/anmelden", data={"user": user, "password": PASSWORD, "next": "/"})
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/vorlagen").text)


def invalid_field(page: str) -> str:
    """The id of the one field marked invalid, whose message is next to it."""
    found = re.findall(r'id="(f-[a-z_]+)"[^>]*aria-invalid="true"', page)
    assert len(found) == 1, found
    assert 'id="f-error" role="alert"' in page
    return found[0]


def rows_of(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in body.split("<tr")[1:]]


PAGES = [
    "/pruefung",
    "/pruefung/ereignisse.csv",
    "/pruefung/kette",
    "/pruefung/beschluesse",
]


@pytest.mark.parametrize("path", PAGES)
def test_without_login_the_audit_pages_redirect_to_the_login(client: TestClient, path: str) -> None:
    response = client.get(path + "?paper=x")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/anmelden?next=" + path)


def test_without_login_a_trail_and_a_report_redirect_to_the_login(
    client: TestClient,
    paper: str,
) -> None:
    for path in (f"/pruefung/vorlagen/{paper}", f"/pruefung/vorlagen/{paper}/bericht.pdf"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/anmelden")


def test_the_auditor_searches_the_events_with_german_actions_and_paper_links(
    client: TestClient,
    audited: WorkflowService,
    paper: str,
) -> None:
    log_in(client, AUDITOR)
    page = client.get(f"/pruefung?paper={paper}&action=result_recorded")
    assert page.status_code == 200
    rows = rows_of(page.text)
    assert len(rows) == 3  # the three results of the paper
    assert all("Ergebnis erfasst" in r and paper in r for r in rows)
    assert "result_recorded</td>" not in page.text
    assert "geändert beschlossen" in rows[2] and "Do 15.02.2024" in rows[2]
    assert f'href="/pruefung/vorlagen/{paper}"' in page.text
    assert "Ereignisse 1–3 von 3" in page.text
    by_session = client.get(f"/pruefung?actor={SESSION}&since=2024-02-15&until=2024-02-15")
    assert by_session.status_code == 200
    day = dt.date(2024, 2, 15)
    found = audited.audit.search_audit(AuditQuery(actor=SESSION, since=day, until=day))
    assert len(rows_of(by_session.text)) == len(found) > 0
    assert all(SESSION in r for r in rows_of(by_session.text))
    nothing = client.get(f"/pruefung?paper={paper}&until=2023-12-31")
    assert nothing.status_code == 200 and "Kein Ereignis passt." in nothing.text


def test_the_search_pages_through_the_events_keeping_the_filters(
    client: TestClient,
    audited: WorkflowService,
    paper: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(audit, "PAGE_SIZE", PAGE_SIZE := 30)
    total = len(audited.audit.search_audit(AuditQuery(paper=paper)))
    assert PAGE_SIZE < total <= 2 * PAGE_SIZE  # the paper's events fill two pages
    log_in(client, AUDITOR)
    first = client.get(f"/pruefung?paper={paper}")
    assert len(rows_of(first.text)) == PAGE_SIZE
    link = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert link, first.text
    second = client.get(link.group(1).replace("&amp;", "&"))
    assert "seite=2" in link.group(1) and "paper=" in link.group(1)
    assert len(rows_of(second.text)) == total - PAGE_SIZE
    assert f"Ereignisse {PAGE_SIZE + 1}–{total} von {total}" in second.text
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("since=2024-13-01", "f-since", "2024-13-01"),
        ("until=gestern", "f-until", "gestern"),
        ("since=2024-03-01&until=2024-01-01", "f-until", "01.03.2024"),
        ("meeting=zwölf", "f-meeting", "zwölf"),
        ("paper=1999/999", "f-paper", "1999/999"),
        ("action=paper_exploded", "f-action", "paper_exploded"),
        ("paper_type=brief", "f-paper_type", "brief"),
    ],
)
def test_a_bad_filter_shows_the_form_again_with_the_message_at_its_field(
    client: TestClient, query: str, field: str, message: str
) -> None:
    log_in(client, AUDITOR)
    for path in ("/pruefung", "/pruefung/ereignisse.csv"):
        page = client.get(f"{path}?{query}")
        assert page.status_code == 400, (path, page.text)
        assert page.headers["content-type"].startswith("text/html")
        assert invalid_field(page.text) == field
        alert = page.text.split('id="f-error" role="alert">', 1)[1].split("</p>", 1)[0]
        assert message in alert.replace("&#39;", "'")
        assert "<tbody>" not in page.text  # no results with a bad filter


def test_the_csv_download_holds_the_same_events_with_english_keys(
    client: TestClient,
    audited: WorkflowService,
    paper: str,
) -> None:
    log_in(client, AUDITOR)
    page = client.get(f"/pruefung?paper={paper}&action=result_recorded")
    assert f'href="/pruefung/ereignisse.csv?paper={paper.replace("/", "%2F")}' in page.text
    response = client.get(f"/pruefung/ereignisse.csv?paper={paper}&action=result_recorded")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="pruefpfad-\d{8}-\d{6}\.csv"',
        response.headers["content-disposition"],
    )
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == list(EXPORT_FIELDS)
    records = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    events = audited.audit.search_audit(AuditQuery(paper=paper, action="result_recorded"))
    assert [r["hash"] for r in records] == [e.hash for e in events]
    assert {r["action"] for r in records} == {"result_recorded"}
    assert records[0]["paper_number"] == paper and records[0]["occurred_at"].endswith("Z")
    assert json.loads(records[2]["payload"])["outcome"] == "geaendert_beschlossen"
    everything = client.get("/pruefung/ereignisse.csv")
    assert len(everything.text.splitlines()) - 1 == len(audited.audit.search_audit(AuditQuery()))


def test_a_papers_trail_lists_its_events_and_offers_the_report(
    client: TestClient,
    audited: WorkflowService,
    paper: str,
) -> None:
    log_in(client, AUDITOR)
    page = client.get(f"/pruefung/vorlagen/{paper}")
    assert page.status_code == 200
    events = audited.audit.audit_trail(paper)
    assert len(rows_of(page.text)) == len(events)
    assert "Vorlage angelegt" in page.text and "Ergebnis erfasst" in page.text
    assert ESCAPED_TITLE in page.text and "<script>alert" not in page.text
    assert f'href="/pruefung/vorlagen/{paper}/bericht.html"' in page.text
    assert f'href="/pruefung/vorlagen/{paper}/bericht.pdf"' in page.text
    opened = client.get(f"/pruefung/vorlage?nummer={paper}")
    assert opened.status_code == 303 and opened.headers["location"] == f"/pruefung/vorlagen/{paper}"
    missing = client.get("/pruefung/vorlagen/1999/999")
    assert missing.status_code == 404 and "1999/999" in missing.text


def test_the_report_downloads_as_html_with_the_decisions(
    client: TestClient,
    paper: str,
) -> None:
    log_in(client, AUDITOR)
    response = client.get(f"/pruefung/vorlagen/{paper}/bericht.html")
    assert response.status_code == 200
    safe = paper.replace("/", "-")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="entscheidungspfad-{safe}.html"'
    )
    text = response.text
    assert text.startswith("<!DOCTYPE html>") or text.lower().startswith("<!doctype html>")
    assert "geändert beschlossen" in text and "empfohlen" in text
    assert "Stadtrat" in text and "Hauptausschuss" in text
    assert ESCAPED_TITLE in text and "<script>alert" not in text


def test_the_report_downloads_as_pdf(client: TestClient, paper: str) -> None:
    from workflow.audit.report import find_pdf_converter
    from workflow.core.errors import InvalidInput

    try:
        find_pdf_converter()
    except InvalidInput as exc:
        pytest.skip(f"no PDF converter here (WeasyPrint, wkhtmltopdf, Chromium): {exc}")
    log_in(client, AUDITOR)
    response = client.get(f"/pruefung/vorlagen/{paper}/bericht.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response.headers["content-disposition"].endswith('.pdf"')


def test_without_a_pdf_converter_the_pdf_is_a_german_503_page(
    client: TestClient,
    paper: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from workflow.audit import report

    monkeypatch.setattr(report.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(report.shutil, "which", lambda name: None)
    log_in(client, AUDITOR)
    response = client.get(f"/pruefung/vorlagen/{paper}/bericht.pdf")
    assert response.status_code == 503 and "kein PDF-Konverter gefunden" in response.text


def test_report_names_are_safe_file_names(client: TestClient, audited: WorkflowService) -> None:
    from workflow.web.audit import _attachment

    assert _attachment('../a"b\r\nc', "pdf") == {
        "content-disposition": 'attachment; filename="entscheidungspfad-a-b-c.pdf"'
    }
    assert _attachment("///", "html")["content-disposition"].endswith(
        '"entscheidungspfad-vorlage.html"'
    )


def test_verify_shows_the_intact_trail_and_the_break_after_tampering(
    client: TestClient,
    audited: WorkflowService,
    paper: str,
) -> None:
    csrf = log_in(client, AUDITOR)
    page = client.get("/pruefung/kette")
    assert page.status_code == 200 and 'action="/pruefung/kette/pruefen"' in page.text
    ok = client.post("/pruefung/kette/pruefen", data={"csrf_token": csrf})
    assert ok.status_code == 200
    report = audited.audit.verify_audit()
    assert f"Audit-Trail intakt: {report.events} Ereignisse in {report.streams} Prüfketten." in (
        ok.text
    )
    _tamper(
        audited.shared.db,
        "UPDATE audit_event SET actor = 'mallory' WHERE stream LIKE 'paper:%' AND seq = 3",
    )
    broken = client.post("/pruefung/kette/pruefen", data={"csrf_token": csrf})
    assert broken.status_code == 200
    assert "Prüfkette GEBROCHEN in Vorlage" in broken.text and "bei Ereignis 3" in broken.text
    assert f'href="/pruefung/vorlagen/{paper}"' in broken.text
    refused = client.post("/pruefung/kette/versiegeln", data={"csrf_token": csrf})
    assert refused.status_code == 422 and "nichts wurde versiegelt" in refused.text
    assert audited.audit.search_audit(AuditQuery(action="audit_sealed")) == []


def test_the_auditor_seals_and_verifies_against_the_seal(
    client: TestClient, audited: WorkflowService
) -> None:
    csrf = log_in(client, AUDITOR)
    page = client.get("/pruefung/kette")
    assert "noch nicht versiegelt" in page.text and "/pruefung/kette/versiegeln" in page.text
    sealed = client.post("/pruefung/kette/versiegeln", data={"csrf_token": csrf})
    assert sealed.status_code == 200 and "versiegelt; Wurzel-Hash" in sealed.text
    (event,) = audited.audit.search_audit(AuditQuery(action="audit_sealed"))
    assert event.actor == AUDITOR
    document = sealed.text.split('readonly class="code">', 1)[1].split("</textarea>", 1)[0]
    seal = html.unescape(document)
    assert json.loads(seal)["actor"] == AUDITOR
    assert "1 Siegel, neuestes zuerst" in sealed.text
    checked = client.post("/pruefung/kette/pruefen", data={"csrf_token": csrf, "seal": seal})
    assert checked.status_code == 200
    assert "versiegelten Ereignisse unverändert; 0 Ereignisse nach dem Siegel" in checked.text


@pytest.mark.parametrize(
    ("seal", "message"),
    [
        ("kein json", "ist kein JSON"),
        ('{"format": "etwas"}', "keine Siegeldatei von ratsweg"),
        ("x" * 61_000, "länger als"),
    ],
)
def test_a_bad_seal_shows_the_form_again_with_the_message(
    client: TestClient, seal: str, message: str
) -> None:
    csrf = log_in(client, AUDITOR)
    response = client.post("/pruefung/kette/pruefen", data={"csrf_token": csrf, "seal": seal})
    assert response.status_code == 400
    assert 'id="f-seal"' in response.text and 'aria-invalid="true"' in response.text
    alert = response.text.split('id="seal-error" role="alert">', 1)[1].split("</p>", 1)[0]
    assert message in alert.replace("&#39;", "'").replace("&#34;", '"'), alert


@pytest.mark.parametrize("path", ["/pruefung/kette/pruefen", "/pruefung/kette/versiegeln"])
def test_verify_and_seal_without_the_csrf_token_are_refused(
    client: TestClient, audited: WorkflowService, path: str
) -> None:
    log_in(client, AUDITOR)
    response = client.post(path, data={"seal": ""})
    assert response.status_code == 403 and "Formular" in response.text
    wrong = client.post(path, data={"csrf_token": "falsch"})
    assert wrong.status_code == 403
    assert audited.audit.search_audit(AuditQuery(action="audit_sealed")) == []


def test_the_session_office_may_verify_but_the_service_refuses_its_seal(
    client: TestClient, audited: WorkflowService
) -> None:
    csrf = log_in(client, SESSION)
    page = client.get("/pruefung/kette")
    assert page.status_code == 200 and "/pruefung/kette/versiegeln" not in page.text
    assert client.post("/pruefung/kette/pruefen", data={"csrf_token": csrf}).status_code == 200
    forged = client.post("/pruefung/kette/versiegeln", data={"csrf_token": csrf})
    assert forged.status_code == 403 and SESSION in forged.text and "auditor" in forged.text
    assert audited.audit.search_audit(AuditQuery(action="audit_sealed")) == []


@pytest.mark.parametrize(
    "path", ["/pruefung", "/pruefung/ereignisse.csv", "/pruefung/kette", "/pruefung/vorlagen/{n}"]
)
def test_a_clerk_is_refused_the_audit_trail_by_the_service(
    client: TestClient,
    paper: str,
    path: str,
) -> None:
    log_in(client, CLERK)
    response = client.get(path.format(n=paper))
    assert response.status_code == 403
    assert "Prüfpfad" in response.text and CLERK in response.text
    assert "<tbody>" not in response.text


def test_a_clerk_is_refused_the_report_and_may_not_seal(
    client: TestClient,
    audited: WorkflowService,
    paper: str,
) -> None:
    csrf = log_in(client, CLERK)
    assert client.get(f"/pruefung/vorlagen/{paper}/bericht.html").status_code == 403
    assert client.get(f"/pruefung/vorlagen/{paper}/bericht.pdf").status_code == 403
    assert client.post("/pruefung/kette/pruefen", data={"csrf_token": csrf}).status_code == 403
    assert client.post("/pruefung/kette/versiegeln", data={"csrf_token": csrf}).status_code == 403
    assert audited.audit.search_audit(AuditQuery(action="audit_sealed")) == []


def test_the_decisions_list_shows_results_votes_and_the_fristen(
    client: TestClient,
    paper: str,
) -> None:
    log_in(client, AUDITOR)
    page = client.get("/pruefung/beschluesse")
    assert page.status_code == 200
    (row,) = rows_of(page.text)
    assert paper in row and "Stadtrat" in row and "Do 15.02.2024" in row
    assert "geändert beschlossen" in row and "eingehalten" in row
    assert re.search(r"\d+ eingehalten, \d+ versäumt", row)
    assert ESCAPED_TITLE in page.text and "<script>alert" not in page.text
    assert f'href="/pruefung/vorlagen/{paper}"' in page.text
    same = client.get(
        "/pruefung/beschluesse?year=2024&organization=stadtrat&outcome=geaendert_beschlossen"
    )
    assert len(rows_of(same.text)) == 1
    other = client.get("/pruefung/beschluesse?year=2023")
    assert other.status_code == 200 and "Kein Beschluss passt." in other.text
    rejected = client.get("/pruefung/beschluesse?outcome=abgelehnt")
    assert "Kein Beschluss passt." in rejected.text


def test_a_missed_frist_is_marked_in_the_decisions_list(
    client: TestClient,
    audited: WorkflowService,
    paper: str,
) -> None:
    (decision,) = audited.trail.list_decisions(DecisionQuery())
    log_in(client, AUDITOR)
    page = client.get("/pruefung/beschluesse").text
    missed = len(decision.missed)
    kept = sum(c.status.value == "kept" for c in decision.deadlines)
    assert f"{kept} eingehalten, {missed} versäumt" in page
    assert page.count('class="frist-missed"') == missed
    assert ("frist-missed-row" in page) == (missed > 0)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ("year=20x", "f-year"),
        ("since=15.02.2024", "f-since"),
        ("since=2024-03-01&until=2024-01-01", "f-until"),
        ("outcome=explodiert", "f-outcome"),
        ("organization=mond", "f-organization"),
    ],
)
def test_a_bad_decisions_filter_shows_the_form_again_with_the_message(
    client: TestClient, params: str, field: str
) -> None:
    log_in(client, AUDITOR)
    page = client.get(f"/pruefung/beschluesse?{params}")
    assert page.status_code == 400
    assert invalid_field(page.text) == field
    assert "<tbody>" not in page.text


def test_the_auditor_sees_no_write_button_and_a_forged_write_is_refused(
    client: TestClient,
    audited: WorkflowService,
    paper: str,
) -> None:
    """Every read page without a form that changes data (logout, verify and the seal the
    service allows auditors aside); a forged action on the paper: 403 from the service."""
    csrf = log_in(client, AUDITOR)
    allowed = {"/abmelden", "/pruefung/kette/pruefen", "/pruefung/kette/versiegeln"}
    for path in (
        "/pruefung",
        "/pruefung/kette",
        "/pruefung/beschluesse",
        f"/pruefung/vorlagen/{paper}",
        f"/vorlagen/{paper}",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        posts = set(re.findall(r'<form method="post" action="([^"]+)"', page.text))
        assert posts <= allowed, (path, posts)
    draft = audited.papers.create_paper(
        user=CLERK, paper_type="sitzungsvorlage", title="Radweg", office="sozialamt",
        date=dt.date(2024, 3, 1), route="stadtrat",
    ).number  # fmt: skip
    before = len(audited.audit.search_audit(AuditQuery()))
    for action in ("submit", "withdraw"):
        forged = client.post(
            f"/vorlagen/{draft}/aktion",
            data={"action": action, "reason": "gefälscht", "csrf_token": csrf},
        )
        assert forged.status_code == 403 and AUDITOR in forged.text
    assert audited.papers.get_paper(draft).state == "draft"
    assert len(audited.audit.search_audit(AuditQuery())) == before


def test_user_text_in_filters_is_shown_escaped(client: TestClient) -> None:
    log_in(client, AUDITOR)
    page = client.get('/pruefung?paper=<script>alert("x")</script>&actor="><b>')
    assert page.status_code == 400
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert 'value="&#34;&gt;&lt;b&gt;"' in page.text


def test_a_seal_longer_than_a_form_field_may_be_is_a_german_400_page(client: TestClient) -> None:
    csrf = log_in(client, AUDITOR)
    response = client.post(
        "/pruefung/kette/pruefen", data={"csrf_token": csrf, "seal": "x" * 70_000}
    )
    assert response.status_code == 400 and '<html lang="de">' in response.text
    assert "zu groß" in response.text
