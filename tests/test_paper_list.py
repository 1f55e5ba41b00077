"""Lists of papers (issue 14, screen Vorlagen): filters, "mine", "waiting for me", sort, pages
and the full-text search, on both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, text

from storage import paper_list
from storage.migrate import upgrade_database
from storage.schema import Paper
from storage.session import Database
from tests.conftest import VALID_DEFINITIONS
from workflow.core.errors import InvalidInput, NotFoundError, PermissionDenied
from workflow.core.model import PaperQuery, PaperSort, SortDirection
from workflow.service import WorkflowService

CLERK, HEAD, SESSION = "sozialamt.weber", "sozialamt.leitung", "sitzungsdienst.becker"
HAUPTAMT = "hauptamt.leitung"
D = dt.date


def _create(service: WorkflowService, **fields: Any) -> str:
    defaults = {"user": CLERK, "paper_type": "sitzungsvorlage", "office": "sozialamt"}
    return service.papers.create_paper(**(defaults | fields)).number


@pytest.fixture
def shelf(landau: WorkflowService) -> dict[str, str]:
    return make_shelf(landau)


def make_shelf(landau: WorkflowService) -> dict[str, str]:
    """Four Landau papers: A released (2011), B in Mitzeichnung by the Hauptamt, C a
    Mitteilungsvorlage of the Hauptamt written by the session office, D a draft."""
    a = _create(
        landau,
        title="Integrationskonzept der Stadt Landau",
        date=D(2011, 11, 23),
        route="integration",
        text="Der Stadtrat beschließt das Konzept für Kindergärten.",
    )
    landau.papers.submit_paper(a, user=CLERK)
    landau.papers.release_paper(a, user=HEAD)
    b = _create(
        landau,
        title="Neubau Kindergarten Nord",
        date=D(2012, 2, 1),
        route="stadtrat",
        text="Der Kindergarten wird gebaut.",
        participants=["hauptamt"],
    )
    landau.papers.submit_paper(b, user=CLERK)
    c = _create(
        landau,
        user=SESSION,
        paper_type="mitteilungsvorlage",
        office="hauptamt",
        title="Bericht zum Haushalt",
        date=D(2012, 5, 2),
        route="mitteilung_stadtrat",
    )
    d = _create(landau, title="Feuerwache", date=D(2012, 6, 1), route="stadtrat")
    return {"A": a, "B": b, "C": c, "D": d}


def listed(
    service: WorkflowService, shelf: dict[str, str], reader: str = CLERK, **query: Any
) -> list[str]:
    """The shelf's names of the papers listed, in the list's order."""
    names = {number: name for name, number in shelf.items()}
    page = service.papers.list_papers(PaperQuery(**query), reader=reader)
    return [names[p.number] for p in page.items]


def test_the_list_shows_every_paper_newest_first_with_german_names(
    landau: WorkflowService, shelf: dict[str, str]
) -> None:
    page = landau.papers.list_papers(reader=CLERK)
    assert [p.number for p in page.items] == [shelf[n] for n in "DCBA"]
    assert (page.total, page.limit, page.offset, page.has_more) == (4, 50, 0, False)
    c = page.items[1]
    assert (c.paper_type_name, c.state_label, c.office_name) == (
        "Mitteilungsvorlage",
        "Entwurf",
        "Hauptamt",
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"paper_type": "mitteilungsvorlage"}, "C"),
        ({"state": "draft"}, "DC"),
        ({"state": "co_signing"}, "B"),
        ({"office": "hauptamt"}, "C"),
        ({"organization": "beirat_migration"}, "A"),
        ({"organization": "stadtrat"}, "DCBA"),
        ({"year": 2011}, "A"),
        ({"since": D(2012, 5, 1), "until": D(2012, 5, 31)}, "C"),
        ({"since": D(2012, 2, 1)}, "DCB"),
        ({"state": "draft", "office": "sozialamt"}, "D"),
        ({"paper_type": "sitzungsvorlage", "year": 2012}, "DB"),
        ({"organization": "stadtrat", "state": "released", "year": 2011}, "A"),
        ({"office": "hauptamt", "year": 2011}, ""),
    ],
)
def test_each_filter_and_their_combinations_narrow_the_list(
    landau: WorkflowService, shelf: dict[str, str], query: dict[str, Any], expected: str
) -> None:
    assert "".join(listed(landau, shelf, **query)) == expected


@pytest.mark.parametrize(
    ("user", "mine", "waiting"),
    [
        (CLERK, "DBA", "D"),  # created A, B, D; submits its office's draft D
        (SESSION, "C", "A"),  # created C; puts the released A on an agenda
        (HAUPTAMT, "C", "B"),  # its office wrote C; signs B
        (HEAD, "DBA", ""),  # its office's papers; no Mitzeichnung of the Sozialamt is open
        ("rpa.schulz", "", ""),  # the auditor has nothing of their own, nothing waits
    ],
)
def test_mine_and_waiting_for_me_follow_the_users_roles_and_offices(
    landau: WorkflowService, shelf: dict[str, str], user: str, mine: str, waiting: str
) -> None:
    assert "".join(listed(landau, shelf, reader=user, mine=True)) == mine
    assert "".join(listed(landau, shelf, reader=user, waiting_for_me=True)) == waiting
    both = listed(landau, shelf, reader=user, mine=True, waiting_for_me=True)
    assert "".join(both) == "".join(n for n in mine if n in waiting)


def test_mine_needs_a_user(landau: WorkflowService, shelf: dict[str, str]) -> None:
    with pytest.raises(InvalidInput, match="brauchen einen Benutzer"):
        landau.papers.list_papers(PaperQuery(mine=True))


@pytest.mark.parametrize(
    ("sort", "direction", "expected"),
    [
        (PaperSort.DATE, None, "DCBA"),
        (PaperSort.DATE, SortDirection.ASCENDING, "ABCD"),
        (PaperSort.TITLE, None, "CDAB"),
        (PaperSort.TITLE, SortDirection.DESCENDING, "BADC"),
        (PaperSort.NUMBER, None, "ABDC"),  # 2011/001, 2012/001, 2012/002, M/2012/001
        (PaperSort.TYPE, None, "CABD"),  # mitteilungsvorlage, then the rest as created
        (PaperSort.OFFICE, None, "CABD"),  # hauptamt before sozialamt
        (PaperSort.STATE, None, "BCDA"),  # co_signing, draft, draft, released
    ],
)
def test_each_sort_key_orders_the_list(
    landau: WorkflowService,
    shelf: dict[str, str],
    sort: PaperSort,
    direction: SortDirection | None,
    expected: str,
) -> None:
    assert "".join(listed(landau, shelf, sort=sort, direction=direction)) == expected


def test_pages_count_every_paper_once(landau: WorkflowService, shelf: dict[str, str]) -> None:
    first = landau.papers.list_papers(PaperQuery(limit=3), reader=CLERK)
    rest = landau.papers.list_papers(PaperQuery(limit=3, offset=3), reader=CLERK)
    assert (first.total, len(first.items), first.has_more) == (4, 3, True)
    assert (rest.total, len(rest.items), rest.has_more) == (4, 1, False)
    assert {p.number for p in first.items + rest.items} == set(shelf.values())
    beyond = landau.papers.list_papers(PaperQuery(offset=10, state="draft"), reader=CLERK)
    assert (beyond.items, beyond.total) == ((), 2)


def test_the_count_stops_at_its_limit_and_says_more_than(
    landau: WorkflowService, shelf: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting stops at COUNT_LIMIT (or the end of the page asked for): the page says "more
    than", and the next page is still offered."""
    monkeypatch.setattr("workflow.papers.listing.COUNT_LIMIT", 2)
    first = landau.papers.list_papers(PaperQuery(limit=1), reader=CLERK)
    assert (first.total, first.total_exact, first.has_more) == (2, False, True)
    far = landau.papers.list_papers(PaperQuery(limit=2, offset=2), reader=CLERK)
    assert (far.total, far.total_exact, far.has_more, len(far.items)) == (4, True, False, 2)
    exact = landau.papers.list_papers(PaperQuery(state="draft"), reader=CLERK)
    assert (exact.total, exact.total_exact) == (2, True)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("2012/002", "D"),  # a number, exactly
        ("M/2012/001", "C"),
        ("Feuerwache", "D"),  # a title word
        ("haushalt", "C"),  # case does not matter
        ("gebaut", "B"),  # a word of the text
        ("Kindergarten Nord", "B"),  # every word must occur
        ("Kindergarten Süd", ""),
    ],
)
def test_search_finds_papers_by_number_title_and_text(
    landau: WorkflowService, shelf: dict[str, str], words: str, expected: str
) -> None:
    assert "".join(listed(landau, shelf, text=words)) == expected


def test_search_combines_with_filters_and_sorts_by_relevance(
    landau: WorkflowService, shelf: dict[str, str], database: Database
) -> None:
    # B has the word in its title and its text: it matches best
    assert listed(landau, shelf, text="Kindergarten", sort=PaperSort.RELEVANCE)[0] == "B"
    assert listed(landau, shelf, text="Kindergarten", state="released") == (
        ["A"] if database.dialect == "postgresql" else []
    )
    assert listed(landau, shelf, text="Kindergarten") == (  # newest first by default
        ["B", "A"] if database.dialect == "postgresql" else ["B"]
    )
    assert listed(landau, shelf, text="Kindergarten", direction=SortDirection.ASCENDING) == (
        ["A", "B"] if database.dialect == "postgresql" else ["B"]
    )


def test_postgresql_stems_german_words_and_sqlite_matches_prefixes(
    landau: WorkflowService, shelf: dict[str, str], database: Database
) -> None:
    """PostgreSQL's german configuration: "Kindergärten" finds "Kindergarten"; SQLite's
    unicode61 tokenizer keeps umlauts and matches each word as a prefix instead."""
    plural = set(listed(landau, shelf, text="Kindergärten"))
    prefix = set(listed(landau, shelf, text="Kinder"))
    if database.dialect == "postgresql":
        assert (plural, prefix) == ({"A", "B"}, set())
    else:
        assert (plural, prefix) == ({"A"}, {"A", "B"})


@pytest.mark.parametrize(
    "words",
    [
        "Feuerwache OR Haushalt",
        'Feuerwache" OR "Haushalt',
        "NEAR(Feuerwache Haushalt)",
        "title:Haushalt",
        "^Feuerwache",
        "Feuerwache NOT Haushalt",
        "'; DROP TABLE paper; --",
        "Feuer* AND -Haushalt",
        "\\\"%_'",
        "a" * 200,
        " ".join(["Feuerwache"] * 60)[:200],
    ],
)
def test_search_treats_query_syntax_as_plain_words(
    landau: WorkflowService, shelf: dict[str, str], words: str
) -> None:
    found = set(listed(landau, shelf, text=words))
    assert found <= {"D"}  # never more than the paper holding every word
    assert landau.papers.list_papers(reader=CLERK).total == 4


def test_a_quoted_or_dashed_word_is_still_found(
    landau: WorkflowService, shelf: dict[str, str]
) -> None:
    assert listed(landau, shelf, text='"Feuerwache') == ["D"]
    assert listed(landau, shelf, text="-Feuerwache") == ["D"]
    assert listed(landau, shelf, text="Feuerwache ***") == ["D"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"text": "a" * 201}, "Suchtext hat 201 Zeichen, höchstens 200"),
        ({"text": "***"}, "kein Wort"),
        ({"text": "Feuer\x1bwache"}, "Steuerzeichen"),
        ({"sort": PaperSort.RELEVANCE}, "Sortieren nach Relevanz braucht einen Suchtext"),
        ({"limit": 0}, "1 bis 500 Vorlagen, nicht 0"),
        ({"limit": 501}, "1 bis 500 Vorlagen, nicht 501"),
        ({"offset": -1}, "nicht -1"),
        ({"year": 0}, "Jahr 0 liegt"),
        ({"since": D(2012, 2, 1), "until": D(2012, 1, 1)}, "endet, bevor er beginnt"),
    ],
)
def test_bad_queries_are_refused(
    landau: WorkflowService, shelf: dict[str, str], query: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        landau.papers.list_papers(PaperQuery(**query), reader=CLERK)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"paper_type": "vorlage"}, "Vorlagenart 'vorlage'"),
        ({"office": "stadtrat"}, "Amt 'stadtrat'"),
        ({"organization": "sozialamt"}, "'sozialamt'"),
        ({"state": "bogus"}, "kein Vorlagenstatus 'bogus'"),
    ],
)
def test_unknown_ids_are_refused_with_a_hint(
    landau: WorkflowService, shelf: dict[str, str], query: dict[str, Any], message: str
) -> None:
    with pytest.raises(NotFoundError, match=message):
        landau.papers.list_papers(PaperQuery(**query), reader=CLERK)


def test_search_follows_a_text_change_and_forgets_the_old_wording(
    landau: WorkflowService, shelf: dict[str, str]
) -> None:
    assert listed(landau, shelf, text="Konzept") == ["A"]
    landau.results.record_result(
        shelf["A"],
        user=SESSION,
        position=1,
        outcome="mit_aenderungen_empfohlen",
        date=D(2011, 11, 30),
        amended_text="Der Stadtrat beschließt die neue Fassung mit Spielplatz.",
    )
    assert listed(landau, shelf, text="Spielplatz") == ["A"]
    assert listed(landau, shelf, text="Konzept") == []
    assert listed(landau, shelf, text="Integrationskonzept") == ["A"]  # the title stays


def test_an_ergaenzungsvorlage_is_found_by_its_own_title_and_text(
    landau: WorkflowService, shelf: dict[str, str]
) -> None:
    view = landau.supplements.create_supplement(
        shelf["A"],
        user=CLERK,
        reason="Sprachkurse ergänzt",
        date=D(2012, 1, 10),
        title="Integrationskonzept: Sprachkurse",
        text="Die Sprachkurse werden ausgebaut.",
    )
    page = landau.papers.list_papers(PaperQuery(text="ausgebaut"), reader=CLERK)
    assert [p.number for p in page.items] == [view.number]
    assert view.number in {p.number for p in landau.papers.list_papers(
        PaperQuery(text=view.number), reader=CLERK
    ).items}  # fmt: skip


def test_the_index_changes_in_the_writing_transaction_and_rolls_back_with_it(
    landau: WorkflowService, shelf: dict[str, str], database: Database
) -> None:
    def found(session: Any, word: str) -> list[str]:
        query = PaperQuery(text=word)
        filters = paper_list.Filters(query=query, words=[word])
        rows, _ = paper_list.list_papers(session, "landau", filters, 10_001)
        return [r.number for r in rows]

    with pytest.raises(RuntimeError), database.write() as session:
        paper = session.scalars(select(Paper).where(Paper.number == shelf["D"])).one()
        paper.title = "Rettungswache"
        session.flush()
        assert (found(session, "Rettungswache"), found(session, "Feuerwache")) == ([shelf["D"]], [])
        raise RuntimeError("roll back")
    assert listed(landau, shelf, text="Feuerwache") == ["D"]
    assert listed(landau, shelf, text="Rettungswache") == []


def test_an_unknown_reader_finds_nothing(landau: WorkflowService, shelf: dict[str, str]) -> None:
    with pytest.raises(PermissionDenied):
        landau.papers.list_papers(PaperQuery(text="Feuerwache"), reader=None)
    with pytest.raises(NotFoundError, match="Benutzer 'mallory'"):
        landau.papers.list_papers(PaperQuery(text="Feuerwache"), reader="mallory")


def test_the_search_does_not_cross_municipalities(
    landau: WorkflowService, shelf: dict[str, str]
) -> None:
    landau.bodies.load_definitions(VALID_DEFINITIONS, user=None)
    other = landau.papers.create_paper(
        user="clerk",
        body="musterstadt",
        paper_type="vorlage",
        title="Feuerwache Musterstadt",
        office="amt1",
        date=D(2012, 1, 1),
    ).number
    here = landau.papers.list_papers(PaperQuery(text="Feuerwache"), body="landau", reader=CLERK)
    there = landau.papers.list_papers(
        PaperQuery(text="Feuerwache"), body="musterstadt", reader="clerk"
    )
    assert ([p.number for p in here.items], [p.number for p in there.items]) == (
        [shelf["D"]],
        [other],
    )
    with pytest.raises(NotFoundError, match="Benutzer 'sozialamt.weber'"):
        landau.papers.list_papers(PaperQuery(text="Feuerwache"), body="musterstadt", reader=CLERK)


def test_migration_0013_indexes_the_papers_already_stored(database_url: str) -> None:
    db = Database(database_url)
    try:
        upgrade_database(db.engine, "0012")
        with db.engine.begin() as conn:
            for statement in (
                "INSERT INTO definition_version VALUES ('v1', 'b', '{}', '2025-01-01', 'x')",
                "INSERT INTO body VALUES ('b', 'B', 'RP', 'v1', '2025-01-01')",
                (
                    "INSERT INTO paper (id, body_id, definitions_version, number, paper_type, title,"
                    " office_id, date, text, state, frozen, created_at, modified_at, row_version)"
                    " VALUES (1, 'b', 'v1', 'V/2024/7', 'vorlage', 'Schwimmbad', 'amt1',"
                    " '2024-01-01', 'Sanierung der Halle', 'draft', false, '2024-01-01',"
                    " '2024-01-01', 1)"
                ),
                (
                    "INSERT INTO text_version (id, paper_id, number, text, source, created_at, actor)"
                    " VALUES (1, 1, 1, 'Neubau der Halle', 'released', '2024-01-02', 'x')"
                ),
            ):
                conn.execute(text(statement))
        upgrade_database(db.engine)
        with db.read() as session:
            for word, hits in (("Schwimmbad", 1), ("Neubau", 1), ("Sanierung", 0)):
                filters = paper_list.Filters(query=PaperQuery(text=word), words=[word])
                assert paper_list.list_papers(session, "b", filters, 10_001)[1] == hits, word
    finally:
        db.dispose()


def test_papers_imported_from_oparl_are_found_by_number_and_title(
    database: Database, clock: Any, tmp_path: Any
) -> None:
    from tests.test_oparl_import import KA, municipality, run_import

    clock.instant = dt.datetime(2026, 9, 1, 8, tzinfo=dt.UTC)
    ka = municipality(database, clock, tmp_path, KA, name="Stadt Karlsruhe", state="BW")
    run_import(ka, str(KA))
    paper = ka.papers.get_paper("2026/0140")
    word = max(paper.title.split(), key=len)
    for search in (word, paper.number):
        found = ka.papers.list_papers(PaperQuery(text=search))
        assert paper.number in {p.number for p in found.items}, search
