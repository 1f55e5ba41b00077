"""The OpenID Connect login against a real provider run in the test (tests/oidc_provider.py),
on SQLite and PostgreSQL: the whole flow (redirect, provider, return) with PKCE, state, nonce
and the ID token's signature checked; the claim maps to a user of the definitions; every
failure is the login page again with a German message and no session."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from joserfc.jwk import RSAKey
from starlette.testclient import TestClient

from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, KID, Provider, Running, free_port
from tests.test_accounts import body_events as raw_events
from tests.test_web import ORIGIN, PASSWORD, client_of
from workflow.core.errors import InvalidInput, LoginRefused
from workflow.service import WorkflowService
from workflow.web.app import create_app
from workflow.web.oidc import STATE_COOKIE
from workflow.web.security import SESSION_COOKIE
from workflow.web.settings import OidcSettings, WebSettings


@pytest.fixture
def web_service(service: WorkflowService) -> WorkflowService:
    service.accounts.set_password("head", PASSWORD, user="admin")
    return service


@pytest.fixture(scope="module")
def running() -> Iterator[Provider]:
    provider = Provider()
    server = Running(provider)
    yield provider
    server.stop()


@pytest.fixture
def provider(running: Provider) -> Provider:
    running.reset()
    return running


def body_events(service: WorkflowService, action: str) -> list[dict[str, Any]]:
    """The body's audit events of ``action``, payloads decoded."""
    return [
        {"actor": e["actor"], "payload": json.loads(str(e["payload"]))}
        for e in raw_events(service, action)
    ]


def settings_of(issuer: str, **kw: object) -> WebSettings:
    oidc = OidcSettings(
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        label="Keycloak der Stadt",
        **kw,  # type: ignore[arg-type]
    )
    return WebSettings(oidc=oidc)


def oidc_client(service: WorkflowService, issuer: str, **kw: object) -> TestClient:
    app = create_app(service, settings_of(issuer, **kw))
    return TestClient(app, headers={"Origin": ORIGIN}, follow_redirects=False)


def to_provider(client: TestClient, next_path: str = "/vorlagen") -> str:
    """Start the login: the URL of the provider's authorization endpoint."""
    response = client.get("/anmelden/oidc", params={"next": next_path})
    assert response.status_code == 302, response.text
    assert STATE_COOKIE in response.headers["set-cookie"]
    return response.headers["location"]


def at_provider(url: str) -> str:
    """The provider approves: the return URL into ratsweg (with code and state)."""
    answer = httpx2.get(url, follow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def round_trip(client: TestClient, next_path: str = "/vorlagen") -> httpx2.Response:
    back = at_provider(to_provider(client, next_path))
    assert back.startswith("http://testserver/anmelden/oidc/rueckkehr?")
    return client.get(back)


def test_the_login_page_offers_the_provider_only_when_configured(
    web_service: WorkflowService, provider: Provider
) -> None:
    page = oidc_client(web_service, provider.issuer).get("/anmelden?next=/fristen").text
    assert "Mit Keycloak der Stadt anmelden" in page
    assert 'href="/anmelden/oidc?next=/fristen"' in page
    plain = client_of(web_service)
    assert "/anmelden/oidc" not in plain.get("/anmelden").text
    assert plain.get("/anmelden/oidc").status_code == 404


def test_a_login_through_the_provider_opens_a_session_audited_as_via_oidc(
    web_service: WorkflowService, provider: Provider
) -> None:
    client = oidc_client(web_service, provider.issuer)
    authorize = to_provider(client, "/fristen")
    asked = parse_qs(urlsplit(authorize).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["nonce"][0]
    assert asked["redirect_uri"] == ["http://testserver/anmelden/oidc/rueckkehr"]
    back = client.get(at_provider(authorize))
    assert back.status_code == 303 and back.headers["location"] == "/fristen"
    cookies = back.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    assert any(c.startswith(f"{STATE_COOKIE}=null") for c in cookies)  # the flow's cookie ends
    page = client.get("/vorlagen")
    assert page.status_code == 200 and "Erika Sachbearbeiterin" in page.text
    (token_request,) = provider.token_requests
    assert token_request["code_verifier"] and token_request["authorization"].startswith("Basic")
    (event,) = body_events(web_service, "logged_in")
    assert event["actor"] == "clerk"
    assert event["payload"] == {"user": "clerk", "via": "oidc"}


def test_the_session_id_changes_at_an_oidc_login(
    web_service: WorkflowService, provider: Provider
) -> None:
    """A password login in another tab while the provider asked: that session ends."""
    client = oidc_client(web_service, provider.issuer)
    back = at_provider(to_provider(client))
    client.post("/anmelden", data={"user": "head", "password": PASSWORD, "next": "/"})
    before = client.cookies[SESSION_COOKIE]
    assert client.get(back).status_code == 303
    after = client.cookies[SESSION_COOKIE]
    assert after != before
    assert web_service.accounts.session(before) is None
    assert web_service.accounts.session(after).user_id == "clerk"  # type: ignore[union-attr]


def test_a_tampered_state_is_refused(web_service: WorkflowService, provider: Provider) -> None:
    client = oidc_client(web_service, provider.issuer)
    back = at_provider(to_provider(client))
    tampered = back.replace("state=", "state=x")
    response = client.get(tampered)
    assert response.status_code == 400
    assert "abgelaufen oder wurde in einem anderen Browser begonnen" in response.text
    assert SESSION_COOKIE not in client.cookies
    assert provider.token_requests == []  # the code was never redeemed
    assert body_events(web_service, "logged_in") == []


def test_a_return_into_another_browser_is_refused(
    web_service: WorkflowService, provider: Provider
) -> None:
    """Someone else's return link (a login CSRF): this browser has no flow cookie."""
    back = at_provider(to_provider(oidc_client(web_service, provider.issuer)))
    victim = oidc_client(web_service, provider.issuer)
    response = victim.get(back)
    assert response.status_code == 400 and 'role="alert"' in response.text
    assert SESSION_COOKIE not in victim.cookies


def test_a_wrong_nonce_is_refused(web_service: WorkflowService, provider: Provider) -> None:
    provider.nonce = "eine-andere-nonce"
    client = oidc_client(web_service, provider.issuer)
    response = round_trip(client)
    assert response.status_code == 400
    assert "Antwort von Keycloak der Stadt konnte nicht geprüft werden" in response.text
    assert SESSION_COOKIE not in client.cookies
    assert body_events(web_service, "logged_in") == []


def test_a_token_signed_with_another_key_is_refused(
    web_service: WorkflowService, provider: Provider
) -> None:
    provider.sign_with = RSAKey.generate_key(2048, {"kid": KID})
    client = oidc_client(web_service, provider.issuer)
    response = round_trip(client)
    assert response.status_code == 400
    assert "konnte nicht geprüft werden" in response.text and "Traceback" not in response.text
    assert SESSION_COOKIE not in client.cookies
    assert body_events(web_service, "logged_in") == []
    (event,) = body_events(web_service, "login_failed")
    assert event["actor"] == "ratsweg" and event["payload"] == {
        "user": None,
        "address": "testclient",
        "reason": "invalid_token",
        "via": "oidc",
    }


@pytest.mark.parametrize(
    "wrong",
    [
        {"iss": "https://fremd.example"},
        {"aud": "eine-andere-anwendung"},
        {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
    ],
    ids=["issuer", "audience", "expired"],
)
def test_a_token_for_another_issuer_or_client_or_an_old_one_is_refused(
    web_service: WorkflowService, provider: Provider, wrong: dict[str, object]
) -> None:
    provider.claims = {"preferred_username": "clerk"} | wrong
    client = oidc_client(web_service, provider.issuer)
    response = round_trip(client)
    assert response.status_code == 400 and "konnte nicht geprüft werden" in response.text
    assert SESSION_COOKIE not in client.cookies
    assert body_events(web_service, "logged_in") == []


def test_a_discovery_that_names_another_issuer_is_refused(
    web_service: WorkflowService, provider: Provider
) -> None:
    """The configured issuer must be the one the provider names (the same server here)."""
    other = provider.issuer.replace("127.0.0.1", "localhost")
    response = oidc_client(web_service, other).get("/anmelden/oidc")
    assert response.status_code == 502 and "nicht erreichbar" in response.text


def test_an_unknown_user_is_refused_and_audited(
    web_service: WorkflowService, provider: Provider
) -> None:
    provider.claims = {"preferred_username": "<b>fremd</b>"}
    client = oidc_client(web_service, provider.issuer)
    response = round_trip(client)
    assert response.status_code == 403
    assert "ist kein Benutzer von ratsweg" in response.text
    assert "&lt;b&gt;fremd&lt;/b&gt;" in response.text and "<b>fremd" not in response.text
    assert SESSION_COOKIE not in client.cookies
    (event,) = body_events(web_service, "login_failed")
    assert event["payload"] == {
        "user": None,
        "claimed": "<b>fremd</b>",
        "address": "testclient",
        "reason": "unknown_user",
        "via": "oidc",
    }


def test_a_missing_claim_is_refused(web_service: WorkflowService, provider: Provider) -> None:
    provider.claims = {"email": "clerk@example.de"}
    client = oidc_client(web_service, provider.issuer)
    response = round_trip(client)
    assert response.status_code == 403
    assert "Identitätsanbieter hat keinen Benutzer genannt" in response.text
    assert SESSION_COOKIE not in client.cookies
    (event,) = body_events(web_service, "login_failed")
    assert event["payload"]["reason"] == "no_claim"


def test_another_claim_can_name_the_user(web_service: WorkflowService, provider: Provider) -> None:
    provider.claims = {"preferred_username": "nobody", "upn": "head"}
    client = oidc_client(web_service, provider.issuer, claim="upn")
    assert round_trip(client).status_code == 303
    assert "Max Amtsleiter" in client.get("/vorlagen").text
    (event,) = body_events(web_service, "logged_in")
    assert event["actor"] == "head"


def test_a_refusal_of_the_provider_is_shown(
    web_service: WorkflowService, provider: Provider
) -> None:
    provider.error = "access_denied"
    client = oidc_client(web_service, provider.issuer)
    response = round_trip(client)
    assert response.status_code == 400
    assert "Keycloak der Stadt hat die Anmeldung abgelehnt (access_denied)" in response.text
    assert SESSION_COOKIE not in client.cookies


def test_a_provider_that_is_down_gets_a_german_message(web_service: WorkflowService) -> None:
    client = oidc_client(web_service, f"http://127.0.0.1:{free_port()}", timeout=2.0)
    response = client.get("/anmelden/oidc")
    assert response.status_code == 502
    assert "Keycloak der Stadt ist gerade nicht erreichbar" in response.text
    assert "Traceback" not in response.text and 'role="alert"' in response.text
    assert STATE_COOKIE not in response.headers.get("set-cookie", "")


def test_a_provider_that_does_not_answer_in_time_gets_a_german_message(
    web_service: WorkflowService, provider: Provider
) -> None:
    provider.delay = 3.0
    client = oidc_client(web_service, provider.issuer, timeout=0.5)
    started = time.monotonic()
    response = round_trip(client)
    assert time.monotonic() - started < 3.0
    assert response.status_code == 502
    assert "Keycloak der Stadt ist gerade nicht erreichbar" in response.text
    assert SESSION_COOKIE not in client.cookies


def test_a_logged_in_user_goes_straight_on(
    web_service: WorkflowService, provider: Provider
) -> None:
    client = oidc_client(web_service, provider.issuer)
    client.post("/anmelden", data={"user": "head", "password": PASSWORD, "next": "/"})
    response = client.get("/anmelden/oidc?next=/fristen")
    assert response.status_code == 303 and response.headers["location"] == "/fristen"


def test_next_never_leads_elsewhere(web_service: WorkflowService, provider: Provider) -> None:
    client = oidc_client(web_service, provider.issuer)
    response = round_trip(client, "//evil.example/x")
    assert response.status_code == 303 and response.headers["location"] == "/vorlagen"


# --- the service and the settings --------------------------------------------------------


def test_the_service_opens_a_session_only_for_a_known_claimed_user(
    service: WorkflowService,
) -> None:
    login = service.accounts.log_in_verified("clerk", via="oidc", address="10.0.0.1")
    assert login.session.user_id == "clerk"
    with pytest.raises(LoginRefused, match="kein Benutzer"):
        service.accounts.log_in_verified("nobody", via="oidc", address="10.0.0.1")
    with pytest.raises(LoginRefused, match="keinen Benutzer genannt"):
        service.accounts.log_in_verified("  ", via="oidc", address="10.0.0.1")
    reasons = [e["payload"]["reason"] for e in body_events(service, "login_failed")]
    assert reasons == ["unknown_user", "no_claim"]


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert WebSettings.from_env().oidc is None
    monkeypatch.setenv("RATSWEG_OIDC_ISSUER", "https://sso.stadt.example/realms/rat")
    with pytest.raises(InvalidInput, match="RATSWEG_OIDC_CLIENT_ID"):
        WebSettings.from_env()
    monkeypatch.setenv("RATSWEG_OIDC_CLIENT_ID", "ratsweg")
    monkeypatch.setenv("RATSWEG_OIDC_CLIENT_SECRET", "geheim")
    monkeypatch.setenv("RATSWEG_OIDC_LABEL", "Stadt-Konto")
    oidc = WebSettings.from_env().oidc
    assert oidc is not None and oidc.claim == "preferred_username" and oidc.label == "Stadt-Konto"
    assert oidc.discovery_url == (
        "https://sso.stadt.example/realms/rat/.well-known/openid-configuration"
    )
    monkeypatch.setenv("RATSWEG_OIDC_ISSUER", "http://sso.stadt.example/realms/rat")
    with pytest.raises(InvalidInput, match="https"):
        WebSettings.from_env()
    monkeypatch.setenv("RATSWEG_OIDC_ISSUER", "https://sso.stadt.example/realms/rat")
    monkeypatch.setenv("RATSWEG_OIDC_SCOPE", "profile")
    with pytest.raises(InvalidInput, match="openid"):
        WebSettings.from_env()
    monkeypatch.delenv("RATSWEG_OIDC_SCOPE")
    monkeypatch.setenv("RATSWEG_OIDC_TIMEOUT", "ewig")
    with pytest.raises(InvalidInput, match="RATSWEG_OIDC_TIMEOUT"):
        WebSettings.from_env()
