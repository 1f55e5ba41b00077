"""The Tagesordnung editor at ``/sitzungen/{id}/tagesordnung`` (issue 14, screen 7) at HTTP
level, on SQLite and PostgreSQL: the agenda in order with its papers, building it, adding
items and papers, ordering by a posted list and by up/down buttons, taking an item off and
moving it to another meeting before the invitation, the Nachtrag after it; every refusal shows
the page again with the message and changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.test_meeting import START, meeting, meeting_events, released
from tests.test_web import log_in
from workflow.service import WorkflowService

S = "session"


def built(service: WorkflowService) -> tuple[int, list[str]]:
    """A planned meeting of the Hauptausschuss: Ö [A, B, Mitteilungen], N [C]."""
    papers = [released(service, title=t) for t in ("Radweg", "Schule")]
    papers.append(released(service, title="Grundstück", public=False))
    mid = meeting(service)
    service.agendas.build_agenda(mid, user=S)
    service.agendas.add_agenda_item(mid, user=S, title="Mitteilungen")
    return mid, papers


def ids(service: WorkflowService, mid: int) -> list[int]:
    return [i.id for i in service.meetings.get_meeting(mid).agenda]


def unchanged(service: WorkflowService, mid: int) -> tuple[Any, ...]:
    return service.meetings.get_meeting(mid), meeting_events(service, mid)


def url(mid: int, form: str = "") -> str:
    return f"/sitzungen/{mid}/tagesordnung" + (f"/{form}" if form else "")


def test_the_page_shows_the_agenda_in_order_with_paper_links_and_its_meeting(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid, (a, b, c) = built(web_service)
    log_in(client, S)
    page = client.get(url(mid))
    assert page.status_code == 200
    text = page.text
    assert "Hauptausschuss" in text and "Di 18.03.2025 17:00" in text and "geplant" in text
    assert f'href="/sitzungen/{mid}"' in text
    positions = [text.index(f'href="/vorlagen/{n}"') for n in (a, b)]
    assert positions == sorted(positions) and text.index(f'href="/vorlagen/{c}"') > max(positions)
    assert text.index("Mitteilungen") < text.index(f'href="/vorlagen/{c}"')
    assert "Öffentlicher Teil" in text and "Nichtöffentlicher Teil" in text
    # the editor's forms before the invitation, and the drag-and-drop script
    for form in ("schieben", "absetzen", "aufbauen", "punkt", "vorlage", "reihenfolge"):
        assert f"{url(mid)}/{form}" in text, form
    assert "sortable-1.15.6.min.js" in text and "agenda.js" in text


def test_without_login_the_page_redirects_to_the_login(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid, _papers = built(web_service)
    response = client.get(url(mid))
    assert response.status_code == 303
    assert response.headers["location"] == f"/anmelden?next={url(mid)}"
    assert client.post(url(mid, "aufbauen")).status_code == 303


def test_build_puts_the_due_consultations_on_the_agenda(
    client: TestClient, web_service: WorkflowService
) -> None:
    a = released(web_service, title="Radweg")
    mid = meeting(web_service)
    csrf = log_in(client, S)
    assert "Radweg" not in client.get(url(mid)).text
    response = client.post(url(mid, "aufbauen"), data={"csrf_token": csrf})
    assert response.status_code == 303
    assert [i.paper_number for i in web_service.meetings.get_meeting(mid).agenda] == [a]
    assert "Radweg" in client.get(response.headers["location"]).text


def test_an_item_without_a_paper_is_added_to_its_part(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid, _papers = built(web_service)
    csrf = log_in(client, S)
    response = client.post(
        url(mid, "punkt"),
        data={"csrf_token": csrf, "title": "Personalsache", "part": "non_public"},
    )
    assert response.status_code == 303
    item = web_service.meetings.get_meeting(mid).agenda[-1]
    assert (item.title, item.part.value, item.number) == ("Personalsache", "non_public", None)
    assert response.headers["location"] == f"{url(mid)}#top-{item.id}"


@pytest.mark.parametrize(
    ("title", "message"),
    [
        (" ", "braucht einen Titel"),
        ("x" * 501, "höchstens 500 Zeichen"),
        ("a\x07b", "Steuerzeichen"),
    ],
)
def test_a_bad_title_shows_the_form_again_with_the_message_next_to_the_field(
    client: TestClient, web_service: WorkflowService, title: str, message: str
) -> None:
    mid, _papers = built(web_service)
    csrf = log_in(client, S)
    before = unchanged(web_service, mid)
    response = client.post(url(mid, "punkt"), data={"csrf_token": csrf, "title": title})
    assert response.status_code == 422
    field = re.search(r'<input id="punkt-titel"[^>]*>', response.text)
    assert field and 'aria-describedby="fehler-punkt"' in field.group(0)
    error = re.search(r'id="fehler-punkt" role="alert">([^<]*)<', response.text)
    assert error and message in error.group(1)
    assert unchanged(web_service, mid) == before


def test_item_titles_are_shown_escaped(client: TestClient, web_service: WorkflowService) -> None:
    mid = meeting(web_service)
    released(web_service, title="<b>Vorlage</b> & Co")
    web_service.agendas.build_agenda(mid, user=S)
    web_service.agendas.add_agenda_item(mid, user=S, title="<script>alert(1)</script>")
    log_in(client, S)
    page = client.get(url(mid)).text
    assert "<script>alert(1)</script>" not in page and "<b>Vorlage</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Vorlage&lt;/b&gt; &amp; Co" in page
    assert "<script>" not in page.replace("<script src=", "")


def test_a_posted_order_reorders_the_agenda_within_its_parts(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid, _papers = built(web_service)
    ia, ib, im, ic = ids(web_service, mid)
    csrf = log_in(client, S)
    order = ",".join(map(str, [ic, im, ib, ia]))
    response = client.post(url(mid, "reihenfolge"), data={"csrf_token": csrf, "order": order})
    assert response.status_code == 303
    assert ids(web_service, mid) == [im, ib, ia, ic]
    assert meeting_events(web_service, mid)[-1][0] == "agenda_ordered"


def test_the_drag_and_drop_post_may_send_the_csrf_token_as_a_header(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid, _papers = built(web_service)
    ia, ib, im, ic = ids(web_service, mid)
    csrf = log_in(client, S)
    response = client.post(
        url(mid, "reihenfolge"),
        data={"order": f"{ib},{ia},{im},{ic}"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 303 and ids(web_service, mid) == [ib, ia, im, ic]


@pytest.mark.parametrize(
    ("order", "message"),
    [
        (lambda i: "", "Liste der Kennungen der TOPs"),
        (lambda i: f"{i[0]},x,{i[1]}", "Liste der Kennungen der TOPs"),
        (lambda i: ",".join(map(str, i[:3])), "jeden TOP der Tagesordnung genau einmal"),
        (lambda i: ",".join(map(str, [*i[:3], 999])), "jeden TOP der Tagesordnung genau einmal"),
        (lambda i: ",".join(map(str, i)), "hat schon diese Reihenfolge"),
    ],
)
def test_a_bad_order_is_refused_with_422_and_nothing_changes(
    client: TestClient, web_service: WorkflowService, order: Any, message: str
) -> None:
    mid, _papers = built(web_service)
    csrf = log_in(client, S)
    before = unchanged(web_service, mid)
    response = client.post(
        url(mid, "reihenfolge"),
        data={"csrf_token": csrf, "order": order(ids(web_service, mid))},
    )
    assert response.status_code == 422
    error = re.search(r'id="fehler-tagesordnung" role="alert"[^>]*>([^<]*)<', response.text)
    assert error and message in error.group(1)
    assert unchanged(web_service, mid) == before


def test_up_and_down_buttons_move_an_item_and_keep_the_focus_on_it(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid, _papers = built(web_service)
    ia, ib, im, ic = ids(web_service, mid)
    csrf = log_in(client, S)
    response = client.post(
        url(mid, "schieben"), data={"csrf_token": csrf, "item": str(im), "shift": "up"}
    )
    assert response.status_code == 303
    target = response.headers["location"]
    assert target == f"{url(mid)}?top={im}&richtung=up"
    assert ids(web_service, mid) == [ia, im, ib, ic]
    page = client.get(target).text
    row = page[page.index(f'id="top-{im}"') :]
    row = row[: row.index("</tr>")]
    assert re.search(r'value="up">\s*<button type="submit" class="icon-button" autofocus', row)
    assert page.count("autofocus") == 1
    client.post(url(mid, "schieben"), data={"csrf_token": csrf, "item": str(ia), "shift": "down"})
    assert ids(web_service, mid) == [im, ia, ib, ic]
    # at the top of its part the item's up button is disabled: the focus goes to "down"
    page = client.get(f"{url(mid)}?top={im}&richtung=up").text
    row = page[page.index(f'id="top-{im}"') :]
    row = row[: row.index("</tr>")]
    assert re.search(r'value="down">\s*<button type="submit" class="icon-button" autofocus', row)
    assert re.search(r'value="up">\s*<button type="submit" class="icon-button" disabled>', row)


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"item": "first", "shift": "up"}, 422, "schon der erste seines Teils"),
        ({"item": "last", "shift": "down"}, 422, "schon der letzte seines Teils"),
        ({"item": "first", "shift": "sideways"}, 422, "nach oben oder unten"),
        ({"item": "x", "shift": "up"}, 422, "als Zahl angegeben"),
        ({"item": "999", "shift": "up"}, 404, "keinen TOP 999"),
    ],
)
def test_a_shift_that_is_not_possible_is_refused_and_nothing_changes(
    client: TestClient,
    web_service: WorkflowService,
    fields: dict[str, str],
    status: int,
    message: str,
) -> None:
    mid, _papers = built(web_service)
    ia, _ib, _im, ic = ids(web_service, mid)
    csrf = log_in(client, S)
    before = unchanged(web_service, mid)
    item = {"first": str(ia), "last": str(ic)}.get(fields["item"], fields["item"])
    response = client.post(url(mid, "schieben"), data={"csrf_token": csrf, **fields, "item": item})
    assert response.status_code == status and message in response.text
    assert unchanged(web_service, mid) == before


def test_an_item_is_taken_off_and_its_step_is_due_again(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid, (a, b, c) = built(web_service)
    csrf = log_in(client, S)
    item = ids(web_service, mid)[0]
    response = client.post(url(mid, "absetzen"), data={"csrf_token": csrf, "item": str(item)})
    assert response.status_code == 303
    agenda = web_service.meetings.get_meeting(mid).agenda
    assert [i.paper_number or i.title for i in agenda] == [b, "Mitteilungen", c]
    assert web_service.papers.get_paper(a).consultations[0].state == "planned"
    assert meeting_events(web_service, mid)[-1][0] == "agenda_item_removed"


def test_a_top_moves_to_another_open_meeting_of_the_gremium(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid, (a, _b, _c) = built(web_service)
    later = meeting(web_service, start=START + dt.timedelta(days=7))
    rat = meeting(web_service, organization="rat", start=START + dt.timedelta(days=8))
    gone = meeting(web_service, start=START + dt.timedelta(days=14))
    web_service.meetings.cancel_meeting(gone, user=S, reason="entfällt")
    csrf = log_in(client, S)
    page = client.get(url(mid)).text
    select = re.search(r'<select id="ziel-\d+" name="to_meeting">(.*?)</select>', page, re.DOTALL)
    assert select is not None
    assert re.findall(r'value="(\d+)"', select.group(1)) == [str(later)]
    assert "Di 25.03.2025 17:00" in select.group(1)
    item = ids(web_service, mid)[0]
    response = client.post(
        url(mid, "verlegen"), data={"csrf_token": csrf, "item": str(item), "to_meeting": str(later)}
    )
    assert response.status_code == 303
    assert a not in [i.paper_number for i in web_service.meetings.get_meeting(mid).agenda]
    assert [i.paper_number for i in web_service.meetings.get_meeting(later).agenda] == [a]
    # a forged move into another Gremium's meeting is refused by the service
    before = unchanged(web_service, mid)
    refused = client.post(
        url(mid, "verlegen"),
        data={"csrf_token": csrf, "item": str(ids(web_service, mid)[0]), "to_meeting": str(rat)},
    )
    assert refused.status_code == 422 and "desselben Gremiums" in refused.text
    assert unchanged(web_service, mid) == before


def test_after_the_invitation_the_editor_offers_only_the_nachtrag(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid, _papers = built(web_service)
    later = meeting(web_service, start=START + dt.timedelta(days=7))
    web_service.meetings.invite_meeting(mid, user=S)
    csrf = log_in(client, S)
    page = client.get(url(mid)).text
    for form in ("schieben", "absetzen", "verlegen", "reihenfolge"):
        assert f"{url(mid)}/{form}" not in page, form
    assert "Nachtrag" in page and "Ö 1" in page and "N 1" in page
    assert "agenda.js" not in page
    items = ids(web_service, mid)
    before = unchanged(web_service, mid)
    forged = [
        ("reihenfolge", {"order": ",".join(map(str, items[::-1]))}, "endgültig"),
        ("schieben", {"item": str(items[1]), "shift": "up"}, "endgültig"),
        ("absetzen", {"item": str(items[0])}, "abgesetzt"),
        ("verlegen", {"item": str(items[0]), "to_meeting": str(later)}, "abgesetzt"),
    ]
    for form, data, message in forged:
        response = client.post(url(mid, form), data={"csrf_token": csrf, **data})
        assert response.status_code == 422 and message in response.text, form
    assert unchanged(web_service, mid) == before
    # the Nachtrag: an item added now gets the next number of its part
    response = client.post(url(mid, "punkt"), data={"csrf_token": csrf, "title": "Eilsache"})
    assert response.status_code == 303
    added = web_service.meetings.get_meeting(mid).agenda[-2]
    assert (added.title, added.number, added.nachtrag) == ("Eilsache", "Ö 4", True)
    assert "Nachtrag</span>" in client.get(url(mid)).text


def test_a_paper_is_added_by_its_number_and_step(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid = meeting(web_service)
    a = released(web_service, title="Radweg", planned=None)
    csrf = log_in(client, S)
    response = client.post(
        url(mid, "vorlage"), data={"csrf_token": csrf, "paper": a, "position": "1"}
    )
    assert response.status_code == 303
    assert [i.paper_number for i in web_service.meetings.get_meeting(mid).agenda] == [a]
    before = unchanged(web_service, mid)
    for data, status in (
        ({"paper": "V/9999/1", "position": "1"}, 404),
        ({"paper": a, "position": "x"}, 422),
        ({"paper": a, "position": "2"}, 422),  # the step of another Gremium
    ):
        response = client.post(url(mid, "vorlage"), data={"csrf_token": csrf, **data})
        assert response.status_code == status, data
        assert 'id="fehler-vorlage" role="alert"' in response.text
    assert unchanged(web_service, mid) == before


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid, _papers = built(web_service)
    log_in(client, S)
    before = unchanged(web_service, mid)
    item = str(ids(web_service, mid)[1])
    for form, data in (
        ("schieben", {"item": item, "shift": "up"}),
        ("punkt", {"title": "Ohne Token"}),
        ("absetzen", {"item": item}),
    ):
        assert client.post(url(mid, form), data=data).status_code == 403
        forged = client.post(url(mid, form), data={**data, "csrf_token": "x" * 43})
        assert forged.status_code == 403
    assert unchanged(web_service, mid) == before


def test_an_auditor_reads_the_agenda_and_a_forged_post_is_refused_by_the_service(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid, (a, _b, _c) = built(web_service)
    csrf = log_in(client, "auditor")
    page = client.get(url(mid))
    assert page.status_code == 200 and a in page.text
    assert '<form method="post" action="/sitzungen' not in page.text
    assert "Die Tagesordnung ändert der Sitzungsdienst." in page.text
    before = unchanged(web_service, mid)
    item = str(ids(web_service, mid)[1])
    for form, data in (
        ("schieben", {"item": item, "shift": "up"}),
        ("punkt", {"title": "Prüfer"}),
        ("absetzen", {"item": item}),
        ("aufbauen", {}),
    ):
        response = client.post(url(mid, form), data={"csrf_token": csrf, **data})
        assert response.status_code == 403 and "meeting.manage" in response.text, form
    assert unchanged(web_service, mid) == before


def test_an_unknown_meeting_or_form_is_not_found(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid, _papers = built(web_service)
    csrf = log_in(client, S)
    assert client.get(url(999)).status_code == 404
    assert client.post(url(mid, "zaubern"), data={"csrf_token": csrf}).status_code == 404
    assert client.get(url(mid) + "?top=abc&richtung=seitwärts").status_code == 200


def test_a_held_meeting_shows_its_agenda_closed_without_forms(
    client: TestClient, web_service: WorkflowService, clock: Any
) -> None:
    mid, (a, _b, _c) = built(web_service)
    web_service.meetings.invite_meeting(mid, user=S)
    clock.instant = START + dt.timedelta(hours=3)
    web_service.meetings.hold_meeting(mid, user=S)
    csrf = log_in(client, S)
    page = client.get(url(mid)).text
    assert "Die Tagesordnung ist geschlossen" in page and a in page
    assert '<form method="post" action="/sitzungen' not in page
    before = unchanged(web_service, mid)
    response = client.post(url(mid, "punkt"), data={"csrf_token": csrf, "title": "Zu spät"})
    assert response.status_code == 409 and "Tagesordnung ist geschlossen" in response.text
    assert unchanged(web_service, mid) == before


def test_a_refused_title_comes_back_into_its_field_escaped(
    client: TestClient, web_service: WorkflowService
) -> None:
    mid, _papers = built(web_service)
    csrf = log_in(client, S)
    title = '"><script>alert(1)</script>\x07'
    response = client.post(url(mid, "punkt"), data={"csrf_token": csrf, "title": title})
    assert response.status_code == 422
    field = re.search(r'<input id="punkt-titel"[^>]*>', response.text)
    assert field and 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;' in field.group(0)
    assert "<script>alert(1)</script>" not in response.text
