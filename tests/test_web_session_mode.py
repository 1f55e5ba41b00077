"""The Sitzungsmodus at HTTP level, on SQLite and PostgreSQL: the session office records each
TOP's result and votes during the meeting and goes on to the next TOP; the service's
warnings are shown, bad counts come back with their message and change nothing, and the
service refuses what the meeting's state or the user's role does not allow."""

from __future__ import annotations

import datetime as dt
import re

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from tests.conftest import on_day
from tests.test_meeting import DAY, START, meeting, released
from tests.test_web import client_of, log_in
from workflow.core.model import AuditQuery
from workflow.service import WorkflowService


@pytest.fixture
def ausschuss(web_service: WorkflowService) -> tuple[int, list[str]]:
    """An invited meeting of the Hauptausschuss on DAY with three papers on its agenda (step 1
    of each); the clock stands on the evening of DAY."""
    numbers = [released(web_service, title=f"Vorlage {i}") for i in range(3)]
    meeting_id = meeting(web_service)
    web_service.agendas.build_agenda(meeting_id, user="session")
    web_service.meetings.invite_meeting(meeting_id, user="session")
    on_day(web_service.clock, DAY)
    return meeting_id, numbers


def url(meeting_id: int, query: str = "") -> str:
    return f"/sitzungen/{meeting_id}/sitzungsmodus" + query


def session_client(service: WorkflowService, user: str = "session") -> tuple[TestClient, str]:
    client = client_of(service)
    return client, log_in(client, user)


def post(client: TestClient, meeting_id: int, csrf: str, **fields: str) -> httpx.Response:
    """Post the form of TOP ``top`` (1), as shown: with its agenda item's id."""
    data = {"csrf_token": csrf, "top": "1", "action": "save"} | fields
    if "item" not in data:
        service: WorkflowService = client.app.state.web.service  # type: ignore[attr-defined]
        agenda = service.meetings.get_meeting(meeting_id).agenda
        data["item"] = str(agenda[int(data["top"]) - 1].id)
    return client.post(url(meeting_id), data=data)


def step(service: WorkflowService, number: str, position: int = 1) -> tuple[str, str | None]:
    c = service.papers.get_paper(number).consultations[position - 1]
    return c.state, c.result_label


def events(service: WorkflowService) -> int:
    return len(service.audit.search_audit(AuditQuery()))


def test_the_page_shows_the_agenda_the_current_top_and_the_results_by_their_labels(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    meeting_id, numbers = ausschuss
    client, _csrf = session_client(web_service)
    page = client.get(url(meeting_id, "?top=2"))
    assert page.status_code == 200
    text = page.text
    assert "Sitzungsmodus" in text and f'href="/sitzungen/{meeting_id}"' in text
    assert f'href="/vorlagen/{numbers[1]}"' in text  # the current TOP's paper
    assert text.count('aria-current="step"') == 1 and "Vorlage 1" in text
    # radio buttons with the labels as written, umlauts included; never the ids
    assert 'value="einstimmig beschlossen"' in text and 'value="zurückverwiesen"' in text
    assert (
        'value="zurueckverwiesen"' not in text and 'value="mit_aenderungen_empfohlen"' not in text
    )
    assert f'href="{url(meeting_id, "?top=3")}" rel="next" data-key="next"' in text
    assert f'href="{url(meeting_id, "?top=1")}" rel="prev"' in text
    assert "session_mode.js" in text and "<script>" not in text


def test_without_a_top_the_page_opens_the_first_open_one(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    meeting_id, numbers = ausschuss
    web_service.results.record_result(numbers[0], user="session", position=1, outcome="empfohlen")
    client, _csrf = session_client(web_service)
    page = client.get(url(meeting_id)).text
    assert f'href="/vorlagen/{numbers[1]}"' in page
    assert client.get(url(meeting_id, "?top=99")).status_code == 200  # out of range: no error


def test_saving_records_result_and_votes_and_goes_to_the_next_top(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    meeting_id, numbers = ausschuss
    client, csrf = session_client(web_service)
    response = post(
        client,
        meeting_id,
        csrf,
        result="einstimmig beschlossen",
        yes="4",
        no="0",
        abstain="1",
        vote_label="einstimmig",
        pre1_kind="amendment",
        pre1_subject="Änderungsantrag der Fraktion A",
        pre1_yes="3",
        pre1_no="2",
    )
    assert response.status_code == 303
    assert response.headers["location"] == url(meeting_id, "?top=2&gespeichert=1")
    paper = web_service.papers.get_paper(numbers[0])
    first = paper.consultations[0]
    assert (first.state, first.result_label, first.outcome) == (
        "held",
        "einstimmig beschlossen",
        "beschlossen",
    )
    assert [(v.kind.value, v.subject, v.yes, v.no, v.abstain) for v in first.votes] == [
        ("amendment", "Änderungsantrag der Fraktion A", 3, 2, None),
        ("main", "Hauptantrag", 4, 0, 1),
    ]
    assert first.votes[1].label == "einstimmig"
    assert paper.consultations[1].state == "planned"  # the path goes on to the Rat
    page = client.get(response.headers["location"]).text
    assert "TOP Ö 1 gespeichert: einstimmig beschlossen" in page
    assert f'href="/vorlagen/{numbers[1]}"' in page
    agenda = page[page.index('class="top-list"') :]
    assert "beraten: <strong>einstimmig beschlossen</strong>" in agenda  # TOP 1, in the list
    assert agenda.count("terminiert") == 2
    done = client.get(url(meeting_id, "?top=1")).text
    assert "Ergebnis erfasst" in done and 'name="result"' not in done


def test_named_ballots_give_the_counts(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    meeting_id, numbers = ausschuss
    client, csrf = session_client(web_service)
    named = "Müller, Anna: Ja\nSchmidt, Bernd: nein\nÖzdemir, Cem: Enthaltung\nDora Wolf: ja"
    response = post(client, meeting_id, csrf, result="empfohlen", named=named)
    assert response.status_code == 303
    vote = web_service.papers.get_paper(numbers[0]).consultations[0].votes[0]
    assert (vote.yes, vote.no, vote.abstain) == (2, 1, 1)
    assert [(n.member, n.ballot.value) for n in vote.named][:2] == [
        ("Müller, Anna", "yes"),
        ("Schmidt, Bernd", "no"),
    ]


def test_a_final_decision_makes_the_paper_beschlossen(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    meeting_id, numbers = ausschuss
    client, csrf = session_client(web_service)
    assert post(client, meeting_id, csrf, result="empfohlen", yes="5").status_code == 303
    rat = meeting(web_service, organization="rat", start=START + dt.timedelta(days=7))
    web_service.agendas.build_agenda(rat, user="session")
    web_service.meetings.invite_meeting(rat, user="session")
    on_day(web_service.clock, DAY + dt.timedelta(days=7))
    client, csrf = session_client(web_service)  # a week later: a new login
    page = client.get(url(rat)).text
    assert f'href="/vorlagen/{numbers[0]}"' in page and 'value="empfohlen"' not in page
    response = post(client, rat, csrf, result="beschlossen", yes="8", no="1", abstain="1")
    assert response.status_code == 303
    decided = web_service.papers.get_paper(numbers[0])
    assert (decided.state, decided.state_label) == ("adopted", "Beschlossen")
    assert "beschlossen" in client.get(f"/vorlagen/{numbers[0]}").text


def test_the_check_shows_the_services_warnings_and_records_nothing(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    meeting_id, numbers = ausschuss
    client, csrf = session_client(web_service)
    before = events(web_service)
    page = post(client, meeting_id, csrf, action="check", result="beschlossen", yes="1", no="1")
    assert page.status_code == 200
    text = page.text
    assert "nicht beschlussfähig" in text and "keine Mehrheit" in text
    assert 'value="beschlossen" checked' in text and 'value="1"' in text  # the form as typed
    assert step(web_service, numbers[0]) == ("scheduled", None)
    assert events(web_service) == before
    fine = post(client, meeting_id, csrf, action="check", result="empfohlen", yes="3")
    assert "Keine Zweifel an Beschlussfähigkeit oder Mehrheit" in fine.text


def test_warnings_of_a_saved_result_are_shown_on_the_next_top(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    meeting_id, _numbers = ausschuss
    client, csrf = session_client(web_service)
    response = post(client, meeting_id, csrf, result="empfohlen", yes="1", no="2")
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    saved = page[page.index('class="message success"') :]
    assert "gespeichert" in saved and "keine Mehrheit" in saved.split("</div>")[0]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("yes", "-3", "ganze Zahl von 0 bis 9999"),
        ("no", "viele", "ganze Zahl von 0 bis 9999"),
        ("abstain", "99999999999999999999", "ganze Zahl von 0 bis 9999"),
        ("pre1_yes", "1.5", "ganze Zahl von 0 bis 9999"),
        ("named", "Müller: vielleicht", "Zeile 1"),
        ("until", "morgen", "Datum"),
    ],
)
def test_bad_input_shows_the_form_again_with_the_message_at_the_field(
    web_service: WorkflowService,
    ausschuss: tuple[int, list[str]],
    field: str,
    value: str,
    message: str,
) -> None:
    meeting_id, numbers = ausschuss
    client, csrf = session_client(web_service)
    before = events(web_service)
    response = post(client, meeting_id, csrf, result="empfohlen", **{field: value})
    assert response.status_code == 422
    text = response.text
    error = re.search(rf'id="fehler-{field}" role="alert">([^<]*)<', text)
    assert error and message in error.group(1)
    assert f'aria-describedby="fehler-{field}"' in text or f"fehler-{field}" in text
    assert step(web_service, numbers[0]) == ("scheduled", None)
    assert events(web_service) == before


def test_more_members_than_seats_and_no_result_are_refused(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    meeting_id, numbers = ausschuss
    client, csrf = session_client(web_service)
    too_many = post(client, meeting_id, csrf, result="empfohlen", yes="9")
    assert too_many.status_code == 422
    assert "Sitze" in too_many.text and 'role="alert"' in too_many.text
    missing = post(client, meeting_id, csrf, yes="3")
    assert missing.status_code == 422
    assert 'id="fehler-result"' in missing.text
    forged = post(client, meeting_id, csrf, result="zurueckverwiesen")  # an id, not a label
    assert forged.status_code == 422
    assert step(web_service, numbers[0]) == ("scheduled", None)


def test_another_motion_row_is_added_without_saving(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    meeting_id, numbers = ausschuss
    client, csrf = session_client(web_service)
    page = post(client, meeting_id, csrf, action="more", pre1_subject="Vertagungsantrag")
    assert page.status_code == 200
    text = page.text
    assert 'name="pre2_subject"' in text and 'value="Vertagungsantrag"' in text
    assert step(web_service, numbers[0]) == ("scheduled", None)


def test_a_form_for_another_top_than_the_one_now_at_its_place_is_refused(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    meeting_id, numbers = ausschuss
    client, csrf = session_client(web_service)
    second = web_service.meetings.get_meeting(meeting_id).agenda[1].id
    for item in (str(second), "", "x"):
        response = post(client, meeting_id, csrf, item=item, result="empfohlen", yes="3")
        assert response.status_code == 409
        assert "Tagesordnung hat sich geändert" in response.text
    bad_top = post(client, meeting_id, csrf, top="abc", item=str(second), result="empfohlen")
    assert bad_top.status_code == 409
    assert [step(web_service, n) for n in numbers] == [("scheduled", None)] * 3


def test_a_planned_meeting_refuses_results(web_service: WorkflowService) -> None:
    number = released(web_service)
    meeting_id = meeting(web_service)
    web_service.agendas.build_agenda(meeting_id, user="session")
    on_day(web_service.clock, DAY)
    client, csrf = session_client(web_service)
    before = events(web_service)
    response = post(client, meeting_id, csrf, result="empfohlen", yes="3")
    assert response.status_code == 409
    assert 'id="fehler-formular" role="alert"' in response.text
    assert step(web_service, number) == ("scheduled", None)
    assert events(web_service) == before


def test_without_login_the_page_redirects_to_the_login(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    meeting_id, _numbers = ausschuss
    client = client_of(web_service)
    response = client.get(url(meeting_id, "?top=2"))
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/anmelden?next=/sitzungen/{meeting_id}/sitzungsmodus%3Ftop%3D2"
    )
    assert client.post(url(meeting_id), data={"top": "1"}).status_code == 303


def test_a_post_without_the_csrf_token_is_refused_and_records_nothing(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    meeting_id, numbers = ausschuss
    client, _csrf = session_client(web_service)
    response = client.post(url(meeting_id), data={"top": "1", "action": "save", "yes": "3"})
    assert response.status_code == 403
    assert step(web_service, numbers[0]) == ("scheduled", None)


def test_an_auditor_sees_no_form_and_a_forged_post_is_refused_by_the_service(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    meeting_id, numbers = ausschuss
    client, csrf = session_client(web_service, "auditor")
    page = client.get(url(meeting_id)).text
    assert 'name="result"' not in page and "Speichern" not in page
    before = events(web_service)
    response = post(client, meeting_id, csrf, result="empfohlen", yes="3")
    assert response.status_code == 403
    assert step(web_service, numbers[0]) == ("scheduled", None)
    assert events(web_service) == before


def test_user_text_is_shown_escaped(web_service: WorkflowService) -> None:
    number = released(web_service, title="<script>alert(1)</script> Bad")
    meeting_id = meeting(web_service)
    web_service.agendas.build_agenda(meeting_id, user="session")
    web_service.meetings.invite_meeting(meeting_id, user="session")
    on_day(web_service.clock, DAY)
    client, csrf = session_client(web_service)
    page = client.get(url(meeting_id)).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page
    response = post(client, meeting_id, csrf, action="more", pre1_subject='"><b>x</b>')
    assert "<b>x</b>" not in response.text and "&#34;&gt;&lt;b&gt;x" in response.text
    assert number


def test_an_unknown_meeting_is_not_found(web_service: WorkflowService) -> None:
    client, _csrf = session_client(web_service)
    assert client.get(url(999)).status_code == 404
    assert client.get("/sitzungen/abc/sitzungsmodus").status_code == 404


def test_the_keystroke_script_is_served_and_ignores_typing(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    client, _csrf = session_client(web_service)
    page = client.get(url(ausschuss[0])).text
    script_url = re.search(r'src="(/static/[^"]+/session_mode.js)"', page)
    assert script_url
    script = client.get(script_url.group(1)).text
    assert 'data-key="' in script and "textarea" in script and '"n"' in script


def test_a_referral_names_its_body_and_a_postponement_its_date(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    meeting_id, numbers = ausschuss
    client, csrf = session_client(web_service)
    without = post(client, meeting_id, csrf, result="überwiesen")
    assert without.status_code == 422 and 'id="fehler-formular"' in without.text
    assert post(client, meeting_id, csrf, result="überwiesen", refer_to="rat").status_code == 303
    steps = web_service.papers.get_paper(numbers[0]).consultations
    assert [(s.organization_id, s.state) for s in steps][:2] == [
        ("ausschuss", "held"),
        ("rat", "planned"),
    ]
    response = post(client, meeting_id, csrf, top="2", result="vertagt", until="2025-04-15")
    assert response.status_code == 303
    again = web_service.papers.get_paper(numbers[1]).consultations[1]
    assert (again.organization_id, again.planned_date) == ("ausschuss", dt.date(2025, 4, 15))


def test_named_ballots_that_contradict_the_counts_are_refused_by_the_service(
    web_service: WorkflowService, ausschuss: tuple[int, list[str]]
) -> None:
    meeting_id, numbers = ausschuss
    client, csrf = session_client(web_service)
    response = post(
        client, meeting_id, csrf, result="empfohlen", yes="3", named="Anna: Ja\nBert: Nein"
    )
    assert response.status_code == 422 and 'id="fehler-formular" role="alert"' in response.text
    assert "Anna: Ja" in response.text  # the form as typed
    assert step(web_service, numbers[0]) == ("scheduled", None)
