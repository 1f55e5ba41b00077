"""The full-text index of papers: their number, title and current text (the latest text
version, before release the draft's text).

The index is not a mapped table: each database has its own structure, and triggers keep it
current in the transaction that changes a paper's number, title or text or adds a text
version, whichever code writes them (creation, Ergänzungsvorlagen, release, amendments, the
OParl import, edits of drafts):

- SQLite: the FTS5 table ``paper_search(number, title, text)``, rowid = the paper's id,
  tokenizer ``unicode61 remove_diacritics 0`` (umlauts stay distinct letters).
- PostgreSQL: the table ``paper_search(paper_id, document tsvector)`` with a GIN index; the
  number in the ``simple`` configuration (whole, and split at ``/ - .``), title and text in the
  ``german`` configuration (stemmed: "Kindergärten" finds "Kindergarten").

Migration 0013 creates both and fills them; ``SEARCH_TABLES`` names every table they add, so
that the comparison of models and schema (tests, Alembic autogenerate) leaves them out.
"""

from __future__ import annotations

import re

from sqlalchemy import Float, Integer, Subquery, TextualSelect, text

from workflow.core.model import MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS

#: The search index and the tables SQLite's FTS5 keeps for it.
SEARCH_TABLE = "paper_search"
SEARCH_TABLES = frozenset(
    {SEARCH_TABLE}
    | {f"{SEARCH_TABLE}_{part}" for part in ("data", "idx", "content", "docsize", "config")}
)

_CURRENT_TEXT = (
    "COALESCE((SELECT t.text FROM text_version t WHERE t.paper_id = {id} "
    "ORDER BY t.number DESC LIMIT 1), {paper}.text, '')"
)

SQLITE_CREATE = [
    (
        f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5("
        "number, title, text, tokenize = 'unicode61 remove_diacritics 0')"
    ),
    # a paper's row: written with the paper, rewritten when its number, title or text change
    f"""CREATE TRIGGER paper_search_paper_insert AFTER INSERT ON paper BEGIN
        INSERT INTO {SEARCH_TABLE} (rowid, number, title, text) VALUES (NEW.id, NEW.number,
        NEW.title, {_CURRENT_TEXT.format(id="NEW.id", paper="NEW")});
    END""",
    f"""CREATE TRIGGER paper_search_paper_update AFTER UPDATE OF number, title, text ON paper
    BEGIN
        DELETE FROM {SEARCH_TABLE} WHERE rowid = OLD.id;
        INSERT INTO {SEARCH_TABLE} (rowid, number, title, text) VALUES (NEW.id, NEW.number,
        NEW.title, {_CURRENT_TEXT.format(id="NEW.id", paper="NEW")});
    END""",
    f"""CREATE TRIGGER paper_search_paper_delete AFTER DELETE ON paper BEGIN
        DELETE FROM {SEARCH_TABLE} WHERE rowid = OLD.id;
    END""",
    # the current text: the latest text version's
    *(
        f"""CREATE TRIGGER paper_search_text_{event.lower()} AFTER {event} ON text_version
        BEGIN
            UPDATE {SEARCH_TABLE} SET text = (SELECT {_CURRENT_TEXT.format(id="p.id", paper="p")}
            FROM paper p WHERE p.id = {row}.paper_id) WHERE rowid = {row}.paper_id;
        END"""
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
    ),
    (
        f"INSERT INTO {SEARCH_TABLE} (rowid, number, title, text) SELECT p.id, p.number, p.title, "
        f"{_CURRENT_TEXT.format(id='p.id', paper='p')} FROM paper p"
    ),
]

SQLITE_DROP = [
    *(
        f"DROP TRIGGER paper_search_{name}"
        for name in (
            "paper_insert",
            "paper_update",
            "paper_delete",
            "text_insert",
            "text_update",
            "text_delete",
        )
    ),
    f"DROP TABLE {SEARCH_TABLE}",
]

_DOCUMENT = (
    "setweight(to_tsvector('simple', p.number) || "
    "to_tsvector('simple', translate(p.number, '/-.', '   ')), 'A') || "
    "setweight(to_tsvector('german', p.title), 'B') || "
    f"setweight(to_tsvector('german', {_CURRENT_TEXT.format(id='p.id', paper='p')}), 'C')"
)

POSTGRES_CREATE = [
    (
        f"CREATE TABLE {SEARCH_TABLE} (paper_id integer PRIMARY KEY "
        "REFERENCES paper (id) ON DELETE CASCADE, document tsvector NOT NULL)"
    ),
    f"CREATE INDEX ix_paper_search_document ON {SEARCH_TABLE} USING gin (document)",
    f"""CREATE FUNCTION paper_search_refresh(changed integer) RETURNS void LANGUAGE sql AS $$
        INSERT INTO {SEARCH_TABLE} (paper_id, document)
        SELECT p.id, {_DOCUMENT} FROM paper p WHERE p.id = changed
        ON CONFLICT (paper_id) DO UPDATE SET document = EXCLUDED.document
    $$""",
    """CREATE FUNCTION paper_search_paper() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM paper_search_refresh(NEW.id);
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION paper_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            PERFORM paper_search_refresh(OLD.paper_id);
        ELSE
            PERFORM paper_search_refresh(NEW.paper_id);
        END IF;
        RETURN NULL;
    END $$""",
    (
        "CREATE TRIGGER paper_search_paper AFTER INSERT OR UPDATE OF number, title, text ON paper "
        "FOR EACH ROW EXECUTE FUNCTION paper_search_paper()"
    ),
    (
        "CREATE TRIGGER paper_search_text AFTER INSERT OR UPDATE OR DELETE ON text_version "
        "FOR EACH ROW EXECUTE FUNCTION paper_search_text()"
    ),
    f"INSERT INTO {SEARCH_TABLE} (paper_id, document) SELECT p.id, {_DOCUMENT} FROM paper p",
]

POSTGRES_DROP = [
    "DROP TRIGGER paper_search_text ON text_version",
    "DROP TRIGGER paper_search_paper ON paper",
    "DROP FUNCTION paper_search_text()",
    "DROP FUNCTION paper_search_paper()",
    "DROP FUNCTION paper_search_refresh(integer)",
    f"DROP TABLE {SEARCH_TABLE}",
]


def create_statements(dialect: str) -> list[str]:
    """The statements that create the index on ``dialect`` and fill it from the papers."""
    return POSTGRES_CREATE if dialect == "postgresql" else SQLITE_CREATE


def drop_statements(dialect: str) -> list[str]:
    return POSTGRES_DROP if dialect == "postgresql" else SQLITE_DROP


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic's ``include_name`` hook: comparing the models with a database (autogenerate,
    the migration tests) leaves out the tables of the search index, which no model maps."""
    return not (type_ == "table" and name in SEARCH_TABLES)


_WORD = re.compile(r"\w", re.UNICODE)


def search_words(value: str) -> list[str]:
    """The words searched for: split at white space, at most ``MAX_SEARCH_WORDS`` of them,
    each with a letter or digit (a word of punctuation alone finds nothing)."""
    words = [w for w in value[:MAX_SEARCH_LENGTH].split() if _WORD.search(w)]
    return words[:MAX_SEARCH_WORDS]


def fts5_query(words: list[str]) -> str:
    """An FTS5 query for papers holding every word: each word a quoted string (so ``OR``,
    ``NOT``, ``*``, ``:``, ``^``, parentheses and quotes are plain text), its last token
    also as a prefix ("Kinder" finds "Kindergarten"); a word with a digit, such as a number,
    is matched exactly ("2012/1" does not find 2012/10)."""
    terms = []
    for word in words:
        quoted = '"' + word.replace('"', '""') + '"'
        terms.append(quoted if any(c.isdigit() for c in word) else quoted + "*")
    return " AND ".join(terms)


def matching_ids(dialect: str, words: list[str]) -> TextualSelect:
    """The ids of the papers matching every word (for a filter: no rank is computed)."""
    if dialect == "postgresql":
        statement = text(
            f"SELECT paper_id FROM {SEARCH_TABLE} "
            "WHERE document @@ plainto_tsquery('german', :search)"
        ).bindparams(search=" ".join(words))
    else:
        statement = text(
            f"SELECT rowid AS paper_id FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :search"
        ).bindparams(search=fts5_query(words))
    return statement.columns(paper_id=Integer)


def matches(dialect: str, words: list[str]) -> Subquery:
    """The papers matching every word, as a subquery of ``paper_id`` and ``rank`` (smaller
    ranks match better)."""
    if dialect == "postgresql":
        statement = text(
            f"SELECT s.paper_id, -ts_rank(s.document, q) AS rank FROM {SEARCH_TABLE} s, "
            "plainto_tsquery('german', :search) q WHERE s.document @@ q"
        ).bindparams(search=" ".join(words))
    else:
        statement = text(
            f"SELECT rowid AS paper_id, bm25({SEARCH_TABLE}, 10.0, 4.0, 1.0) AS rank FROM {SEARCH_TABLE} "
            f"WHERE {SEARCH_TABLE} MATCH :search"
        ).bindparams(search=fts5_query(words))
    return statement.columns(paper_id=Integer, rank=Float).subquery("search")
