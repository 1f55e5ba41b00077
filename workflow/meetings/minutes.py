"""Read the results of a whole meeting (the Niederschrift) from a YAML or CSV file.

The whole file is checked before anything is written; the service then records every item in
one transaction, so a meeting's minutes go in completely or not at all.

YAML::

    items:
      - top: Ö 3                 # the TOP number of the invitation, or
        paper: 2011/001          # the paper on the agenda (one of the two)
        result: einstimmig empfohlen
        votes: [{yes: 12, no: 0, abstain: 1}]   # as in a votes file
        note: mit Hinweis auf die Stellungnahme des Beirats
      - top: Ö 4
        result: zurueckverwiesen
        refer_to: hauptausschuss
      - top: Ö 5
        result: vertagt
        until: 2025-05-20

CSV (UTF-8, header row; ``;`` or ``,`` as delimiter): ``top`` or ``paper``, ``result`` and
optionally ``label``, ``yes``, ``no``, ``abstain``, ``biased``, ``not_participating``,
``absent``, ``vote_label``, ``refer_to``, ``refer_role``, ``until``, ``text``, ``note``.
``text`` is the amended wording that "mit Änderungen empfohlen" and "geändert beschlossen"
need (in a quoted cell it may span lines), as ``text:`` in YAML.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.core.errors import InvalidInput, did_you_mean
from workflow.core.i18n import _
from workflow.core.model import VoteCount
from workflow.papers.votes import load_yaml_12, parse_votes, read_text_file

_ITEM_KEYS = (
    "top",
    "paper",
    "result",
    "label",
    "votes",
    "refer_to",
    "refer_role",
    "until",
    "text",
    "note",
)
_CSV_COUNTS = ("yes", "no", "abstain", "biased", "not_participating", "absent")
_CSV_KEYS = (
    "top",
    "paper",
    "result",
    "label",
    *_CSV_COUNTS,
    "vote_label",
    "refer_to",
    "refer_role",
    "until",
    "text",
    "note",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class MinutesItem:
    """One agenda item's result; ``top`` or ``paper`` names the item."""

    where: str  # "item 3" / "line 4", for messages
    top: str | None
    paper: str | None
    outcome: str
    votes: tuple[VoteCount, ...] = ()
    label: str | None = None
    refer_to: str | None = None
    refer_role: str | None = None
    target_date: dt.date | None = None
    amended_text: str | None = None
    note: str | None = None

    @property
    def name(self) -> str:
        return f"TOP {self.top}" if self.top else f"paper {self.paper}"


def read_minutes_file(path: str | Path) -> list[MinutesItem]:
    """The items of a minutes file (``.csv`` as CSV, anything else as YAML or JSON)."""
    text = read_text_file(path)
    if str(path).lower().endswith(".csv"):
        return parse_minutes_csv(text, str(path))
    data = load_yaml_12(text, str(path))
    if not isinstance(data, dict) or set(data) - {"meeting", "items"} or "items" not in data:
        raise InvalidInput(
            _("{path}: expected a mapping with 'items:' (a list of agenda results)").format(
                path=path
            )
        )
    return parse_minutes_items(data["items"], str(path))


def parse_minutes_items(items: Any, source: str) -> list[MinutesItem]:
    if not isinstance(items, list) or not items:
        raise InvalidInput(_("{source}: 'items' must be a non-empty list").format(source=source))
    parsed = [
        _item(raw, _("{source}: item {i}").format(source=source, i=i))
        for i, raw in enumerate(items, start=1)
    ]
    _no_duplicates(parsed, source)
    return parsed


def parse_minutes_csv(text: str, source: str) -> list[MinutesItem]:
    sample = text.split("\n", 1)[0]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    for name in header:
        if name not in _CSV_KEYS:
            hint = did_you_mean(name, _CSV_KEYS) or _(" (allowed: {keys})").format(
                keys=", ".join(_CSV_KEYS)
            )
            raise InvalidInput(
                _("{source}: unknown column {name!r}{hint}").format(
                    source=source, name=name, hint=hint
                )
            )
    if "result" not in header or not ({"top", "paper"} & set(header)):
        raise InvalidInput(
            _("{source}: the header needs 'result' and 'top' or 'paper'").format(source=source)
        )
    parsed: list[MinutesItem] = []
    for line, row in enumerate(reader, start=2):
        values = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(values.values()):
            continue
        where = _("{source}: line {line}").format(source=source, line=line)
        raw: dict[str, Any] = {
            k: values[k]
            for k in ("top", "paper", "result", "label", "until", "text", "note")
            if values.get(k)
        }
        for key in ("refer_to", "refer_role"):
            if values.get(key):
                raw[key] = values[key]
        counts: dict[str, Any] = {}
        for key in _CSV_COUNTS:
            if values.get(key):
                try:
                    counts[key] = int(values[key])
                except ValueError:
                    raise InvalidInput(
                        _("{where}: {key} must be a whole number, got {values_key!r}").format(
                            where=where, key=key, values_key=values[key]
                        )
                    ) from None
        if values.get("vote_label"):
            counts["label"] = values["vote_label"]
        if counts:
            raw["votes"] = [counts]
        parsed.append(_item(raw, where))
    if not parsed:
        raise InvalidInput(_("{source}: no results in the file").format(source=source))
    _no_duplicates(parsed, source)
    return parsed


def _item(raw: Any, where: str) -> MinutesItem:
    if not isinstance(raw, dict):
        raise InvalidInput(
            _("{where}: expected a mapping with 'top' (or 'paper') and 'result'").format(
                where=where
            )
        )
    for key in raw:
        if key not in _ITEM_KEYS:
            hint = did_you_mean(str(key), _ITEM_KEYS) or _(" (allowed: {keys})").format(
                keys=", ".join(_ITEM_KEYS)
            )
            raise InvalidInput(
                _("{where}: unknown key {key!r}{hint}").format(where=where, key=key, hint=hint)
            )
    top, paper = _text(raw, "top", where), _text(raw, "paper", where)
    if (top is None) == (paper is None):
        raise InvalidInput(
            _("{where}: give exactly one of 'top' (e.g. Ö 3) and 'paper'").format(where=where)
        )
    outcome = _text(raw, "result", where)
    if outcome is None:
        raise InvalidInput(_("{where}: missing 'result'").format(where=where))
    until = raw.get("until")
    if isinstance(until, str):
        try:
            until = dt.date.fromisoformat(until)
        except ValueError:
            raise InvalidInput(
                _("{where}: until must be a date YYYY-MM-DD, got {until!r}").format(
                    where=where, until=until
                )
            ) from None
    elif until is not None and not isinstance(until, dt.date):
        raise InvalidInput(
            _("{where}: until must be a date YYYY-MM-DD, got {until!r}").format(
                where=where, until=until
            )
        )
    votes = parse_votes(raw["votes"], where) if raw.get("votes") is not None else []
    return MinutesItem(
        where=where,
        top=top,
        paper=paper,
        outcome=outcome,
        votes=tuple(votes),
        label=_text(raw, "label", where),
        refer_to=_text(raw, "refer_to", where),
        refer_role=_text(raw, "refer_role", where),
        target_date=until,
        amended_text=_text(raw, "text", where),
        note=_text(raw, "note", where),
    )


def _text(raw: dict[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidInput(
            _("{where}: {key} must be text, got {value!r}").format(
                where=where, key=key, value=value
            )
        )
    text = str(value).strip()
    return text or None


def _no_duplicates(items: list[MinutesItem], source: str) -> None:
    seen: dict[str, str] = {}
    for item in items:
        if item.name in seen:
            raise InvalidInput(
                _("{where}: {name} is already given in {seen_item_name}").format(
                    where=item.where, name=item.name, seen_item_name=seen[item.name]
                )
            )
        seen[item.name] = item.where.removeprefix(f"{source}: ")
