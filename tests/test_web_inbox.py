"""The Mitzeichnung inbox (``/mitzeichnung``) at HTTP level, on SQLite and PostgreSQL: what waits
for an office head, signing, objecting with a reason, overruling by the head of the writing
office, and the service refusing what a user may not do."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from starlette.testclient import TestClient

from tests.test_accounts import later
from tests.test_web import PASSWORD, client_of
from tests.test_web import log_in as web_log_in
from workflow.core.clock import FixedClock
from workflow.core.model import CoSignatureState
from workflow.service import WorkflowService


@pytest.fixture
def web_landau(landau: WorkflowService) -> WorkflowService:
    return landau


@pytest.fixture
def client(web_landau: WorkflowService) -> TestClient:
    return client_of(web_landau)


def log_in(client: TestClient, user: str) -> str:
    """Give ``user`` a password (hashing is slow: only the users a test logs in as) and log in;
    the CSRF token of the new session."""
    service: WorkflowService = client.app.state.web.service  # type: ignore[attr-defined]
    service.accounts.set_password(user, PASSWORD, user="admin")
    return web_log_in(client, user)


def submitted(service: WorkflowService, title: str = "Integrationskonzept") -> str:
    """A paper of the Sozialamt in Mitzeichnung by Hauptamt and BGM (requested Mon 10.03.2025,
    due three working days later)."""
    number = service.papers.create_paper(
        user="sozialamt.weber",
        paper_type="sitzungsvorlage",
        title=title,
        office="sozialamt",
        date=dt.date(2025, 3, 10),
        route="integration",
        participants=["hauptamt", "bgm"],
    ).number
    service.papers.submit_paper(number, user="sozialamt.weber")
    return number


def state_of(service: WorkflowService, number: str, office: str) -> CoSignatureState:
    paper = service.papers.get_paper(number)
    return next(c.state for c in paper.co_signatures if c.office_id == office)


def post(client: TestClient, csrf: str | None, **fields: str) -> object:
    data = fields | ({"csrf_token": csrf} if csrf else {})
    return client.post("/mitzeichnung/aktion", data=data)


def test_without_login_the_inbox_and_its_form_redirect_to_the_login(client: TestClient) -> None:
    response = client.get("/mitzeichnung")
    assert response.status_code == 303
    assert response.headers["location"] == "/anmelden?next=/mitzeichnung"
    posted = client.post("/mitzeichnung/aktion", data={"action": "sign"})
    assert posted.status_code == 303 and posted.headers["location"].startswith("/anmelden")


def test_an_office_head_sees_what_waits_with_its_due_date_and_signs_it(
    client: TestClient, web_landau: WorkflowService
) -> None:
    number = submitted(web_landau, title="<script>alert(1)</script> & Co")
    csrf = log_in(client, "hauptamt.leitung")
    page = client.get("/mitzeichnung")
    assert page.status_code == 200
    text = page.text
    assert f'<a href="/vorlagen/{number}">{number}</a>' in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in text
    assert "<script>alert" not in text
    assert "Hauptamt" in text and "Sozialamt" in text and "ausstehend" in text
    assert "Do 13.03.2025" in text and "überfällig" not in text
    assert 'value="sign"' in text and 'value="object"' in text
    assert 'value="overrule"' not in text  # only the head of the writing office overrules
    assert "1 Mitzeichnung wartet" in text
    response = post(client, csrf, number=number, office="hauptamt", action="sign")
    assert response.status_code == 303 and response.headers["location"] == "/mitzeichnung"
    assert state_of(web_landau, number, "hauptamt") is CoSignatureState.SIGNED
    signed = [e for e in web_landau.audit.audit_trail(number) if e.action == "co_signed"]
    assert [(e.actor, e.payload["office"]) for e in signed] == [("hauptamt.leitung", "hauptamt")]
    assert "Nichts wartet auf Ihre Mitzeichnung" in client.get("/mitzeichnung").text


def test_a_signature_past_its_due_date_is_marked_overdue_in_words(
    client: TestClient, web_landau: WorkflowService, clock: FixedClock
) -> None:
    submitted(web_landau)
    later(clock, days=4)  # Fri 14.03.2025: due Thu 13.03.2025
    log_in(client, "bgm.referent")
    page = client.get("/mitzeichnung").text
    assert re.search(r'<tr class="overdue">', page)
    assert 'Do 13.03.2025<br><strong class="overdue-mark">überfällig</strong>' in page


def test_an_objection_without_a_reason_shows_the_form_again_and_changes_nothing(
    client: TestClient, web_landau: WorkflowService
) -> None:
    number = submitted(web_landau)
    before = web_landau.audit.audit_trail(number)
    csrf = log_in(client, "hauptamt.leitung")
    response = post(client, csrf, number=number, office="hauptamt", action="object", reason=" ")
    assert response.status_code == 422
    text = response.text
    found = re.search(r'aria-describedby="(fehler-1-object)"', text)
    assert found and f'id="{found.group(1)}" role="alert"' in text
    assert "Begründung" in text and '<details class="action" open>' in text
    assert state_of(web_landau, number, "hauptamt") is CoSignatureState.PENDING
    assert web_landau.audit.audit_trail(number) == before


def test_an_objection_waits_for_the_writing_office_head_who_overrules_it(
    client: TestClient, web_landau: WorkflowService
) -> None:
    number = submitted(web_landau)
    csrf = log_in(client, "hauptamt.leitung")
    reason = "Kosten <b>fehlen</b>"
    response = post(client, csrf, number=number, office="hauptamt", action="object", reason=reason)
    assert response.status_code == 303
    assert state_of(web_landau, number, "hauptamt") is CoSignatureState.OBJECTED
    own = client.get("/mitzeichnung").text
    assert "Einwand" in own and "Kosten &lt;b&gt;fehlen&lt;/b&gt;" in own
    assert 'value="overrule"' not in own and 'value="sign"' in own  # may sign after all
    forged = post(client, csrf, number=number, office="hauptamt", action="overrule", reason="x")
    assert forged.status_code == 403 and "co_signature.overrule" not in forged.text
    assert "gehört nicht zum Amt" in forged.text
    assert state_of(web_landau, number, "hauptamt") is CoSignatureState.OBJECTED

    csrf = log_in(client, "sozialamt.leitung")
    head = client.get("/mitzeichnung").text
    assert 'value="overrule"' in head and 'value="sign"' not in head
    empty = post(client, csrf, number=number, office="hauptamt", action="overrule", reason="")
    assert empty.status_code == 422 and 'role="alert"' in empty.text
    assert state_of(web_landau, number, "hauptamt") is CoSignatureState.OBJECTED
    done = post(
        client, csrf, number=number, office="hauptamt", action="overrule", reason="im Haushalt"
    )
    assert done.status_code == 303
    assert state_of(web_landau, number, "hauptamt") is CoSignatureState.OVERRULED
    overruled = [e for e in web_landau.audit.audit_trail(number) if "overruled" in e.action]
    assert [(e.actor, e.payload["reason"]) for e in overruled] == [
        ("sozialamt.leitung", "im Haushalt")
    ]


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, web_landau: WorkflowService
) -> None:
    number = submitted(web_landau)
    log_in(client, "hauptamt.leitung")
    response = post(client, None, number=number, office="hauptamt", action="sign")
    assert response.status_code == 403 and "Formular" in response.text
    assert state_of(web_landau, number, "hauptamt") is CoSignatureState.PENDING


def test_an_auditor_sees_nothing_to_sign_and_a_forged_post_is_refused_by_the_service(
    client: TestClient, web_landau: WorkflowService
) -> None:
    number = submitted(web_landau)
    csrf = log_in(client, "rpa.schulz")
    page = client.get("/mitzeichnung")
    assert page.status_code == 200 and "/mitzeichnung/aktion" not in page.text
    response = post(client, csrf, number=number, office="hauptamt", action="sign")
    assert response.status_code == 403 and "rpa.schulz" in response.text
    assert 'role="alert"' in response.text
    assert state_of(web_landau, number, "hauptamt") is CoSignatureState.PENDING
    assert "co_signed" not in [e.action for e in web_landau.audit.audit_trail(number)]


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"action": "explode"}, 422, "unbekannte Aktion"),
        ({"action": "sign", "number": "2025/999"}, 404, "keine Vorlage"),
        ({"action": "sign", "office": "stadtrat"}, 404, "stadtrat"),
        ({"action": "object", "reason": "x" * 501}, 422, "höchstens 500"),
    ],
)
def test_bad_input_shows_the_inbox_again_with_the_message(
    client: TestClient,
    web_landau: WorkflowService,
    fields: dict[str, str],
    status: int,
    message: str,
) -> None:
    number = submitted(web_landau)
    before = web_landau.audit.audit_trail(number)
    csrf = log_in(client, "hauptamt.leitung")
    response = post(client, csrf, **({"number": number, "office": "hauptamt"} | fields))
    assert response.status_code == status, response.text
    assert message in response.text and 'role="alert"' in response.text
    assert "Mitzeichnung: wartet auf mich" in response.text
    assert web_landau.audit.audit_trail(number) == before


def test_the_paper_page_offers_the_same_forms_and_returns_to_the_paper(
    client: TestClient, web_landau: WorkflowService
) -> None:
    number = submitted(web_landau)
    csrf = log_in(client, "hauptamt.leitung")
    page = client.get(f"/vorlagen/{number}").text
    section = page.split('id="mitzeichnungen"', 1)[1].split("</section>", 1)[0]
    assert section.count('name="office" value="hauptamt"') == 2  # sign and object
    assert 'name="office" value="bgm"' not in section  # not an office of this user
    assert 'name="back" value="paper"' in section
    empty = post(
        client, csrf, number=number, office="hauptamt", action="object", reason="", back="paper"
    )
    assert empty.status_code == 422 and "Beratungsfolge" in empty.text
    assert 'aria-describedby="fehler-1-object"' in empty.text
    assert 'id="fehler-1-object" role="alert"' in empty.text
    assert state_of(web_landau, number, "hauptamt") is CoSignatureState.PENDING
    signed = post(client, csrf, number=number, office="hauptamt", action="sign", back="paper")
    assert signed.status_code == 303 and signed.headers["location"] == f"/vorlagen/{number}"
    assert state_of(web_landau, number, "hauptamt") is CoSignatureState.SIGNED


def test_a_refusal_posted_from_the_paper_page_shows_the_paper_with_the_message(
    client: TestClient, web_landau: WorkflowService
) -> None:
    number = submitted(web_landau)
    csrf = log_in(client, "rpa.schulz")
    page = client.get(f"/vorlagen/{number}").text
    assert "/mitzeichnung/aktion" not in page
    forged = post(client, csrf, number=number, office="bgm", action="sign", back="paper")
    assert forged.status_code == 403 and "Beratungsfolge" in forged.text
    assert '<p class="message error" role="alert">' in forged.text and "rpa.schulz" in forged.text
    assert state_of(web_landau, number, "bgm") is CoSignatureState.PENDING
