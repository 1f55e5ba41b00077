"""The Sitzungskalender and the Sitzung page at HTTP level, on SQLite and PostgreSQL: month and
list views by Gremium, creating, moving, inviting, holding and cancelling a meeting through
``service.meetings``, and every refusal (no login, no CSRF token, an auditor, bad input)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from starlette.testclient import TestClient

from tests.conftest import on_day
from tests.test_web import PASSWORD, client_of, csrf_of, log_in, new_paper
from workflow.core.clock import BERLIN, FixedClock
from workflow.service import WorkflowService

# the test clock stands at Mo 10.03.2025 10:00 (Europe/Berlin)
START = dt.datetime(2025, 3, 18, 17, 0, tzinfo=BERLIN)


def meeting(
    service: WorkflowService,
    start: dt.datetime = START,
    organization: str = "ausschuss",
    location: str | None = "Rathaus, Saal 1",
) -> int:
    return service.meetings.create_meeting(
        user="session", organization=organization, start=start, location=location
    ).id


def released(service: WorkflowService, title: str = "Feuerwache") -> str:
    """A released paper with step 1 in the Hauptausschuss."""
    number = new_paper(service, title)
    service.papers.submit_paper(number, user="clerk")
    service.papers.release_paper(number, user="head")
    return number


def with_agenda(service: WorkflowService, meeting_id: int, title: str = "Feuerwache") -> str:
    number = released(service, title)
    service.agendas.schedule_into_meeting(number, user="session", position=1, meeting_id=meeting_id)
    service.agendas.add_agenda_item(meeting_id, user="session", title="Personalsache", public=False)
    return number


def test_pages_redirect_to_the_login_without_a_session(client: TestClient) -> None:
    for path in ("/sitzungen", "/sitzungen?ansicht=liste", "/sitzungen/neu", "/sitzungen/1"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/anmelden?next=/sitzungen")
    for path in ("/sitzungen/neu", "/sitzungen/1/aktion", "/sitzungen/kalenderadresse"):
        assert client.post(path, data={}).headers["location"].startswith("/anmelden")


def test_the_month_shows_each_meeting_on_its_day_with_a_link(
    client: TestClient, web_service: WorkflowService
) -> None:
    first = meeting(web_service)
    rat = meeting(web_service, START + dt.timedelta(days=2), organization="rat")
    log_in(client, "clerk")
    page = client.get("/sitzungen")
    assert page.status_code == 200 and "März 2025" in page.text
    assert f'href="/sitzungen/{first}"' in page.text and f'href="/sitzungen/{rat}"' in page.text
    cells = re.findall(
        r"<td[^>]*>\s*<span class=\"day-number\"[^>]*>(\d+)<.*?</td>", page.text, re.DOTALL
    )
    assert cells[:3] == ["24", "25", "26"]  # the grid starts on the Monday before the 1st
    day_18 = re.search(
        r">18<span class=\"visually-hidden\">\.3\.</span></span>(.*?)</td>", page.text, re.DOTALL
    )
    assert day_18 and "17:00 Hauptausschuss" in day_18.group(1)
    assert "Rat der Stadt Musterstadt" not in day_18.group(1)
    assert 'href="/sitzungen?monat=2025-02"' in page.text
    assert 'href="/sitzungen?monat=2025-04"' in page.text


def test_month_links_cross_the_year_and_keep_the_gremium(
    client: TestClient, web_service: WorkflowService
) -> None:
    december = meeting(web_service, dt.datetime(2025, 12, 31, 23, 30, tzinfo=BERLIN))
    january = meeting(web_service, dt.datetime(2026, 1, 1, 0, 30, tzinfo=BERLIN))
    log_in(client, "clerk")
    page = client.get("/sitzungen?monat=2025-12&gremium=ausschuss")
    assert page.status_code == 200 and "Dezember 2025" in page.text
    assert 'href="/sitzungen?monat=2025-11&amp;gremium=ausschuss"' in page.text
    assert 'href="/sitzungen?monat=2026-01&amp;gremium=ausschuss"' in page.text
    # 23:30 local on the 31st is 22:30 UTC: on the 31st; 00:30 on the 1st is in the next month
    day_31 = re.search(
        r">31<span class=\"visually-hidden\">\.12\.</span></span>(.*?)</td>", page.text, re.DOTALL
    )
    assert day_31 and f"/sitzungen/{december}" in day_31.group(1)
    assert "1 Sitzung im Dezember 2025" in page.text
    assert f"/sitzungen/{january}" in page.text  # shown in the grid's trailing days
    january_page = client.get("/sitzungen?monat=2026-01")
    assert "Januar 2026" in january_page.text and 'monat=2025-12"' in january_page.text


def test_the_gremium_filter_shows_only_its_meetings(
    client: TestClient, web_service: WorkflowService
) -> None:
    ausschuss = meeting(web_service)
    rat = meeting(web_service, START + dt.timedelta(days=1), organization="rat")
    log_in(client, "clerk")
    for view in ("", "&ansicht=liste"):
        page = client.get(f"/sitzungen?gremium=rat{view}").text
        assert f'/sitzungen/{rat}"' in page and f'/sitzungen/{ausschuss}"' not in page


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("gremium=amt1", "f-gremium-error", "amt1"),
        ("gremium=%3Cb%3Enix%3C%2Fb%3E", "f-gremium-error", "&lt;b&gt;nix&lt;/b&gt;"),
        ("monat=2025-13", "f-monat-error", "2025-13"),
        ("monat=M%C3%A4rz", "f-monat-error", "März"),
    ],
)
def test_a_bad_filter_shows_the_form_again_with_the_message_at_its_field(
    client: TestClient, query: str, field: str, message: str
) -> None:
    log_in(client, "clerk")
    page = client.get(f"/sitzungen?{query}")
    assert page.status_code == 400
    found = re.search(rf'id="{field}" role="alert">([^<]*)<', page.text)
    assert found and message in found.group(1)
    assert f'aria-describedby="{field}"' in page.text
    assert "<b>nix</b>" not in page.text


def test_the_list_shows_upcoming_and_past_meetings(
    client: TestClient, web_service: WorkflowService, clock: FixedClock
) -> None:
    past = meeting(web_service, dt.datetime(2025, 3, 3, 17, 0, tzinfo=BERLIN))
    soon = meeting(web_service, START)
    later = meeting(web_service, START + dt.timedelta(days=30), organization="rat")
    log_in(client, "clerk")
    page = client.get("/sitzungen?ansicht=liste").text
    upcoming, _sep, before = page.partition('id="vergangen"')
    assert upcoming.index(f'/sitzungen/{soon}"') < upcoming.index(f'/sitzungen/{later}"')
    assert f'/sitzungen/{past}"' in before and f'/sitzungen/{past}"' not in upcoming
    assert "Di 18.03.2025 17:00" in upcoming and "Rathaus, Saal 1" in upcoming
    assert "geplant" in upcoming


def test_the_meeting_page_shows_header_agenda_and_links(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid = meeting(web_service)
    number = with_agenda(web_service, mid)
    log_in(client, "clerk")
    page = client.get(f"/sitzungen/{mid}")
    assert page.status_code == 200
    text = page.text
    assert "Hauptausschuss" in text and "Di 18.03.2025 17:00" in text
    assert "Rathaus, Saal 1" in text and "geplant" in text
    assert f'href="/vorlagen/{number}"' in text and "Personalsache" in text
    rows = re.findall(r"<tr>\s*<td class=\"nowrap\">(.*?)</td>.*?<td>([ÖN])</td>", text, re.DOTALL)
    assert [r[1] for r in rows] == ["Ö", "N"]
    assert f'href="/sitzungen/{mid}/tagesordnung"' in text
    assert "Tagesordnung bearbeiten" in text
    assert "/sitzungsmodus" not in text  # not before the invitation
    assert "/aktion" not in text  # a clerk has no action on meetings


def test_unknown_meetings_are_404(client: TestClient) -> None:
    log_in(client, "clerk")
    assert client.get("/sitzungen/999").status_code == 404
    assert client.get("/sitzungen/99999999999").status_code == 404
    assert client.get("/sitzungen/abc").status_code == 404


def test_the_session_office_creates_a_meeting(
    client: TestClient, web_service: WorkflowService
) -> None:
    csrf = log_in(client, "session")
    form = client.get("/sitzungen/neu")
    assert form.status_code == 200 and 'name="gremium"' in form.text
    response = client.post(
        "/sitzungen/neu",
        data={
            "csrf_token": csrf,
            "gremium": "rat",
            "datum": "2025-04-01",
            "zeit": "18:30",
            "ort": "Ratssaal <Nord>",
        },
    )
    assert response.status_code == 303
    (created,) = web_service.meetings.list_meetings()
    assert response.headers["location"] == f"/sitzungen/{created.id}"
    assert created.organization_id == "rat" and created.location == "Ratssaal <Nord>"
    assert created.start == dt.datetime(2025, 4, 1, 16, 30, tzinfo=dt.UTC)
    page = client.get(response.headers["location"]).text
    assert "Ratssaal &lt;Nord&gt;" in page and "<Nord>" not in page
    assert "Di 01.04.2025 18:30" in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"gremium": ""}, "gremium"),
        ({"gremium": "amt1"}, "gremium"),
        ({"gremium": "nix"}, "gremium"),
        ({"datum": "31.02.2025"}, "datum"),
        ({"datum": ""}, "datum"),
        ({"zeit": "25:00"}, "zeit"),
        ({"datum": "2025-03-30", "zeit": "02:30"}, "zeit"),  # the clocks skip 02:30
        ({"ort": "x" * 201}, "ort"),
    ],
)
def test_bad_input_shows_the_form_again_with_the_message_and_creates_nothing(
    client: TestClient, web_service: WorkflowService, change: dict[str, str], field: str
) -> None:
    csrf = log_in(client, "session")
    data = {"gremium": "rat", "datum": "2025-04-01", "zeit": "18:30", "ort": ""} | change
    response = client.post("/sitzungen/neu", data={"csrf_token": csrf, **data})
    assert response.status_code == 422
    assert re.search(rf'id="m-{field}-error" role="alert">[^<]+<', response.text)
    assert f'aria-describedby="m-{field}-error"' in response.text
    assert web_service.meetings.list_meetings() == []


def test_creating_without_csrf_or_as_auditor_is_refused(
    client: TestClient, web_service: WorkflowService
) -> None:
    data = {"gremium": "rat", "datum": "2025-04-01", "zeit": "18:30"}
    log_in(client, "session")
    assert client.post("/sitzungen/neu", data=data).status_code == 403
    csrf = log_in(client, "auditor")
    assert "/sitzungen/neu" not in client.get("/sitzungen").text
    response = client.post("/sitzungen/neu", data={"csrf_token": csrf, **data})
    assert response.status_code == 403 and "auditor" in response.text
    assert web_service.meetings.list_meetings() == []


def test_the_session_office_invites_and_then_holds_the_meeting(
    client: TestClient, web_service: WorkflowService, clock: FixedClock
) -> None:
    mid = meeting(web_service)
    with_agenda(web_service, mid)
    csrf = log_in(client, "session")
    page = client.get(f"/sitzungen/{mid}").text
    assert 'value="invite"' in page and 'value="cancel"' in page and 'value="move"' in page
    assert 'value="hold"' not in page
    response = client.post(
        f"/sitzungen/{mid}/aktion", data={"csrf_token": csrf, "action": "invite"}
    )
    assert response.status_code == 303
    view = web_service.meetings.get_meeting(mid)
    assert view.state == "invited" and [i.number for i in view.agenda] == ["Ö 1", "N 1"]
    page = client.get(f"/sitzungen/{mid}").text
    assert "eingeladen" in page and "Ö 1" in page and f"/sitzungen/{mid}/sitzungsmodus" in page
    early = client.post(f"/sitzungen/{mid}/aktion", data={"csrf_token": csrf, "action": "hold"})
    assert early.status_code == 422 and 'id="fehler-hold"' in early.text
    assert web_service.meetings.get_meeting(mid).state == "invited"
    on_day(clock, START.date())
    log_in(client, "session")
    csrf = csrf_of(client.get(f"/sitzungen/{mid}").text)
    held = client.post(f"/sitzungen/{mid}/aktion", data={"csrf_token": csrf, "action": "hold"})
    assert held.status_code == 303
    page = client.get(f"/sitzungen/{mid}").text
    assert web_service.meetings.get_meeting(mid).state == "held"
    assert "/sitzungsmodus" in page and "/tagesordnung" not in page


def test_inviting_an_empty_agenda_is_refused_with_the_message(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid = meeting(web_service)
    csrf = log_in(client, "session")
    response = client.post(
        f"/sitzungen/{mid}/aktion", data={"csrf_token": csrf, "action": "invite"}
    )
    assert response.status_code == 409 and 'role="alert"' in response.text
    assert web_service.meetings.get_meeting(mid).state == "planned"


def test_moving_a_meeting_moves_it_and_its_steps(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid = meeting(web_service)
    number = with_agenda(web_service, mid)
    csrf = log_in(client, "session")
    data = {"csrf_token": csrf, "action": "move", "datum": "2025-03-20", "zeit": "", "grund": ""}
    response = client.post(f"/sitzungen/{mid}/aktion", data=data)
    assert response.status_code == 303
    assert web_service.meetings.get_meeting(mid).start == START + dt.timedelta(days=2)
    step = web_service.papers.get_paper(number).consultations[0]
    assert step.date == dt.date(2025, 3, 20)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"datum": "morgen"}, "datum"),
        ({"datum": "2025-03-20", "zeit": "17 Uhr"}, "zeit"),
        ({"datum": "2025-03-18", "zeit": "17:00"}, "datum"),  # the same start (the service's)
        ({"datum": "2025-03-20", "grund": "a\tb"}, ""),  # a control character
    ],
)
def test_a_bad_move_shows_the_form_again_and_changes_nothing(
    client: TestClient, web_service: WorkflowService, data: dict[str, str], field: str
) -> None:
    mid = meeting(web_service)
    csrf = log_in(client, "session")
    response = client.post(
        f"/sitzungen/{mid}/aktion", data={"csrf_token": csrf, "action": "move", **data}
    )
    assert response.status_code == 422
    target = f"fehler-move-{field}" if field else "fehler-move"
    assert re.search(rf'id="{target}" role="alert">[^<]+<', response.text)
    assert '<details class="action" open>' in response.text
    assert web_service.meetings.get_meeting(mid).start == START


def test_cancelling_needs_a_reason_and_then_cancels(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid = meeting(web_service)
    csrf = log_in(client, "session")
    url = f"/sitzungen/{mid}/aktion"
    empty = client.post(url, data={"csrf_token": csrf, "action": "cancel", "grund": "  "})
    assert empty.status_code == 422
    # the service's refusal, next to the field it names, without a command-line flag
    assert 'aria-describedby="fehler-cancel-grund"' in empty.text
    assert (
        '<p class="message error field-error" id="fehler-cancel-grund" role="alert">'
        "eine Sitzung abzusagen braucht eine Begründung</p>"
    ) in empty.text
    assert web_service.meetings.get_meeting(mid).state == "planned"
    done = client.post(url, data={"csrf_token": csrf, "action": "cancel", "grund": "Krankheit"})
    assert done.status_code == 303
    assert web_service.meetings.get_meeting(mid).state == "cancelled"
    page = client.get(f"/sitzungen/{mid}").text
    assert "abgesagt" in page and "/tagesordnung" not in page and "/aktion" not in page


def test_actions_without_csrf_or_by_an_auditor_are_refused_and_change_nothing(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid = meeting(web_service)
    with_agenda(web_service, mid)
    url = f"/sitzungen/{mid}/aktion"
    log_in(client, "session")
    assert client.post(url, data={"action": "invite"}).status_code == 403
    csrf = log_in(client, "auditor")
    page = client.get(f"/sitzungen/{mid}").text
    assert "/aktion" not in page and "/sitzungen/neu" not in page
    for action, extra in (
        ("invite", {}),
        ("cancel", {"grund": "x"}),
        ("move", {"datum": "2025-03-20"}),
    ):
        response = client.post(url, data={"csrf_token": csrf, "action": action, **extra})
        assert response.status_code == 403, action
    clerk_csrf = log_in(client, "clerk")
    assert client.post(url, data={"csrf_token": clerk_csrf, "action": "invite"}).status_code == 403
    view = web_service.meetings.get_meeting(mid)
    assert view.state == "planned" and view.start == START
    forged = client.post(url, data={"csrf_token": clerk_csrf, "action": "explode"})
    assert forged.status_code == 422


def test_user_text_is_escaped_on_every_meeting_page(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid = meeting(web_service, location="<script>alert(1)</script>")
    with_agenda(web_service, mid, title="<img src=x onerror=alert(1)>")
    log_in(client, "session")
    for path in (f"/sitzungen/{mid}", "/sitzungen?ansicht=liste", "/sitzungen"):
        page = client.get(path).text
        assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/sitzungen/{mid}").text


def test_moving_an_invited_meeting_shows_the_ladungsfrist_warning(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid = meeting(web_service)
    with_agenda(web_service, mid)
    web_service.meetings.invite_meeting(mid, user="session")
    csrf = log_in(client, "session")
    data = {"csrf_token": csrf, "action": "move", "datum": "19.03.2025", "zeit": "09:30"}
    response = client.post(f"/sitzungen/{mid}/aktion", data=data)
    assert response.status_code == 200
    warning = re.search(r'class="message warning" role="alert">([^<]+)<', response.text)
    assert warning and "prüfen Sie die Ladungsfrist erneut" in warning.group(1)
    assert "Mi 19.03.2025 09:30" in response.text
    moved = web_service.meetings.get_meeting(mid)
    assert moved.state == "invited" and moved.start == dt.datetime(
        2025, 3, 19, 8, 30, tzinfo=dt.UTC
    )


def test_the_meeting_page_shows_the_ladungsfrist_and_warns_when_it_is_late(
    landau: WorkflowService,
) -> None:
    landau.accounts.set_password("sitzungsdienst.becker", PASSWORD, user="admin")
    on_time, late = (
        landau.meetings.create_meeting(
            user="sitzungsdienst.becker",
            organization="stadtrat",
            start=dt.datetime(2025, 3, day, 17, 0, tzinfo=BERLIN),
        ).id
        for day in (18, 12)
    )
    client = client_of(landau)
    log_in(client, "sitzungsdienst.becker")
    page = client.get(f"/sitzungen/{on_time}").text
    assert "Einladung spätestens am</dt><dd>Do 13.03.2025" in page
    assert "noch nicht" in page and 'class="message warning"' not in page
    page = client.get(f"/sitzungen/{late}").text
    warning = re.search(r'class="message warning" role="alert">([^<]+)<', page)
    assert warning and "verspätet" in warning.group(1) and "Fr 07.03.2025" in warning.group(1)
