"""The German catalogue: every message id the code marks is translated, with the same
placeholders, and nothing stale stays in the catalogue."""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from workflow.core.i18n import _, catalogue_path, date_text, day_text, ngettext

ROOT = Path(__file__).resolve().parent.parent


#: As bin/i18n extracts: Python modules, and the web's Jinja2 templates.
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]


def _code_ids() -> dict[str, tuple[str, ...]]:
    """msgid (singular) -> all its forms, from every marked call in workflow/ and storage/,
    in the web's templates, and click's own words (the command line takes them from the
    catalogue too)."""
    found: dict[str, tuple[str, ...]] = {}
    for folder in (ROOT / "workflow", ROOT / "storage", Path(click.__file__).parent):
        extracted = extract_from_dir(folder, method_map=METHODS)
        for _file, _line, message, _comments, _context in extracted:
            forms = message if isinstance(message, tuple) else (message,)
            found[forms[0]] = tuple(f for f in forms if f)
    return found


def _catalogue() -> dict[str, object]:
    with catalogue_path().open("rb") as handle:
        catalog = read_po(handle, locale="de")
    return {(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in catalog if m.id}


def _fields(text: str) -> set[tuple[str, str | None, str | None]]:
    return {
        (name, conversion, spec)
        for _lit, name, spec, conversion in string.Formatter().parse(text)
        if name is not None
    }


def test_every_marked_message_is_translated_with_its_placeholders() -> None:
    catalogue = _catalogue()
    problems = []
    for msgid, forms in sorted(_code_ids().items()):
        entry = catalogue.get(msgid)
        if entry is None:
            problems.append(f"missing (run bin/i18n): {msgid!r}")
            continue
        texts = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(texts):
            problems.append(f"not translated: {msgid!r}")
            continue
        wanted = set().union(*(_fields(f) for f in forms))
        for text in texts:
            if _fields(text) - wanted:
                problems.append(f"placeholders of {msgid!r} differ: {text!r}")
    assert not problems, "\n".join(problems)


def test_the_catalogue_holds_nothing_stale() -> None:
    stale = set(_catalogue()) - set(_code_ids())
    assert not stale, f"ids the code no longer uses (run bin/i18n): {sorted(stale)}"


def test_messages_read_german() -> None:
    assert ngettext("{n} result recorded", "{n} results recorded", 1).format(n=1) == (
        "1 Ergebnis erfasst"
    )
    assert ngettext("{n} result recorded", "{n} results recorded", 4).format(n=4) == (
        "4 Ergebnisse erfasst"
    )
    assert _("an id the catalogue does not know") == "an id the catalogue does not know"


@pytest.mark.parametrize(
    ("day", "text"),
    [(dt.date(2011, 12, 13), "Di 13.12.2011"), (dt.date(2027, 3, 28), "So 28.03.2027")],
)
def test_days_read_the_german_way(day: dt.date, text: str) -> None:
    assert day_text(day) == text
    assert date_text(day) == text[3:]
    assert day_text(None) == date_text(None) == ""
