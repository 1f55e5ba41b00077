"""Subscribing to the Sitzungskalender over HTTP, on SQLite and PostgreSQL: a user creates and
revokes their private calendar address on /sitzungen; calendar programs read
/kalender/<token>/(meine|gremium/<id>|amt/<id>).ics without a cookie, with the owner's rights;
unknown and revoked tokens are 404."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from icalendar import Calendar
from starlette.testclient import TestClient

from tests.test_accounts import body_events
from tests.test_web import client_of, log_in, new_paper
from workflow.core.clock import BERLIN
from workflow.service import WorkflowService
from workflow.web.security import SESSION_COOKIE

START = dt.datetime(2025, 3, 18, 17, 0, tzinfo=BERLIN)
TOKEN = re.compile(r"/kalender/([A-Za-z0-9_-]{40,})/meine\.ics")


def create_address(client: TestClient, user: str) -> str:
    """Log in as ``user``, create the address on /sitzungen; the token shown."""
    csrf = log_in(client, user)
    response = client.post("/sitzungen/kalenderadresse", data={"csrf_token": csrf})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    found = TOKEN.search(response.text)
    assert found, response.text
    return found.group(1)


def meetings(service: WorkflowService) -> tuple[int, int]:
    """A Hauptausschuss meeting with a paper of amt1 on its agenda, and a Rat meeting."""
    ausschuss = service.meetings.create_meeting(
        user="session", organization="ausschuss", start=START, location="Saal <1>"
    ).id
    number = new_paper(service)
    service.papers.submit_paper(number, user="clerk")
    service.papers.release_paper(number, user="head")
    service.agendas.schedule_into_meeting(number, user="session", position=1, meeting_id=ausschuss)
    rat = service.meetings.create_meeting(
        user="session", organization="rat", start=START + dt.timedelta(days=7)
    ).id
    return ausschuss, rat


def events(text: bytes) -> list[tuple[str, str]]:
    """(UID, SUMMARY) of the feed's VEVENTs for meetings."""
    cal = Calendar.from_ical(text)
    return sorted(
        (str(e["uid"]), str(e["summary"])) for e in cal.walk("VEVENT") if "sitzung" in str(e["uid"])
    )


def test_a_user_creates_an_address_and_a_calendar_program_reads_it(
    client: TestClient, web_service: WorkflowService
) -> None:
    ausschuss, _rat = meetings(web_service)
    token = create_address(client, "clerk")
    reader = client_of(web_service)  # a calendar program: no cookie
    response = reader.get(f"/kalender/{token}/meine.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response.headers["cache-control"]
    cal = Calendar.from_ical(response.content)
    assert str(cal["x-wr-calname"]).endswith("Erika Sachbearbeiterin")
    # the clerk's office amt1 has a paper on the Ausschuss meeting only
    (uid_summary,) = events(response.content)
    assert str(ausschuss) in uid_summary[0] and "Hauptausschuss" in uid_summary[1]
    (event,) = [e for e in cal.walk("VEVENT") if "sitzung" in str(e["uid"])]
    assert str(event["location"]) == "Saal <1>"
    assert event.decoded("dtstart") == START


def test_the_gremium_and_office_feeds_hold_their_meetings(
    client: TestClient, web_service: WorkflowService
) -> None:
    meetings(web_service)
    token = create_address(client, "session")
    rat_feed = client.get(f"/kalender/{token}/gremium/rat.ics")
    assert rat_feed.status_code == 200
    assert [summary for _uid, summary in events(rat_feed.content)] == [
        "Sitzung Rat der Stadt Musterstadt"
    ]
    office = client.get(f"/kalender/{token}/amt/amt1.ics")
    assert office.status_code == 200
    assert [summary for _uid, summary in events(office.content)] == ["Sitzung Hauptausschuss"]
    everything = client.get(f"/kalender/{token}/meine.ics")  # the session office: all
    assert len(events(everything.content)) == 2


@pytest.mark.parametrize(
    "path", ["gremium/amt1.ics", "gremium/nix.ics", "amt/rat.ics", "amt/nix.ics"]
)
def test_an_unknown_gremium_or_office_is_404(
    client: TestClient, web_service: WorkflowService, path: str
) -> None:
    token = create_address(client, "clerk")
    assert client.get(f"/kalender/{token}/{path}").status_code == 404


@pytest.mark.parametrize("token", ["x", "a" * 43, "b" * 300])
def test_an_unknown_token_is_404(client: TestClient, token: str) -> None:
    create_address(client, "clerk")
    for path in ("meine.ics", "gremium/rat.ics", "amt/amt1.ics"):
        response = client.get(f"/kalender/{token}/{path}")
        assert response.status_code == 404 and "BEGIN:VCALENDAR" not in response.text


def test_a_revoked_or_replaced_address_stops_working(
    client: TestClient, web_service: WorkflowService
) -> None:
    first = create_address(client, "clerk")
    second = create_address(client, "clerk")
    assert client.get(f"/kalender/{first}/meine.ics").status_code == 404
    assert client.get(f"/kalender/{second}/meine.ics").status_code == 200
    page = client.get("/sitzungen")
    assert second not in page.text and "Kalenderadresse" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    revoked = client.post("/sitzungen/kalenderadresse/widerrufen", data={"csrf_token": csrf[1]})
    assert revoked.status_code == 303
    assert client.get(f"/kalender/{second}/meine.ics").status_code == 404
    again = client.post("/sitzungen/kalenderadresse/widerrufen", data={"csrf_token": csrf[1]})
    assert again.status_code == 422 and 'id="feed-error" role="alert"' in again.text
    actions = [
        json.loads(str(e["payload"]))["reason"]
        for e in body_events(web_service, "feed_token_revoked")
    ]
    assert actions == ["replaced", "revoked"]


def test_the_address_is_shown_once_and_never_holds_the_session_id(
    client: TestClient, web_service: WorkflowService
) -> None:
    token = create_address(client, "auditor")  # reading is everyone's, auditors too
    session_id = client.cookies[SESSION_COOKIE]
    page = client.post(
        "/sitzungen/kalenderadresse",
        data={
            "csrf_token": re.findall(
                r'name="csrf_token" value="([^"]+)"', client.get("/sitzungen").text
            )[0]
        },
    ).text
    assert session_id not in page and token not in page
    assert "http://testserver/kalender/" in page and "/gremium/rat.ics" in page
    assert "/amt/amt1.ics" in page
    assert token not in client.get("/sitzungen").text


def test_creating_or_revoking_without_the_csrf_token_is_refused(
    client: TestClient, web_service: WorkflowService
) -> None:
    log_in(client, "clerk")
    assert client.post("/sitzungen/kalenderadresse", data={}).status_code == 403
    assert client.post("/sitzungen/kalenderadresse/widerrufen", data={}).status_code == 403
    assert body_events(web_service, "feed_token_created") == []
    assert web_service.accounts.feed_token(reader="clerk") is None


def test_the_feed_needs_no_login_but_the_calendar_page_does(
    client: TestClient, web_service: WorkflowService
) -> None:
    token = create_address(client, "clerk")
    stranger = client_of(web_service)
    assert stranger.get(f"/kalender/{token}/meine.ics").status_code == 200
    assert stranger.post("/sitzungen/kalenderadresse", data={}).status_code == 303
