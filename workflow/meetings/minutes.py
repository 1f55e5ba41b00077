"""Read the results of a whole meeting (the Niederschrift) from a YAML or CSV file.

The whole file is checked before anything is written, and every problem of it is reported at
once with its line (``MinutesFileError``); the service then records every item in one
transaction, so a meeting's minutes go in completely or not at all.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.core.errors import InvalidInput, MinutesFileError, Problem, did_you_mean
from workflow.core.i18n import _
from workflow.core.inputs import read_text
from workflow.core.model import VoteCount
from workflow.papers.votes import load_yaml_12, parse_votes

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
    """One agenda item's result; ``top`` or ``paper`` names the item. ``file``, ``line`` and
    ``path`` say where it stands in its minutes file (for the problems reported)."""

    where: str  # "m.yaml:3 (item 1)" / "m.csv:4", for messages
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
    file: str = ""
    line: int | None = None
    path: str = ""

    @property
    def name(self) -> str:
        """``TOP Ö 3`` or ``paper 2025/001``, as the minutes_recorded payload keeps it."""
        return f"TOP {self.top}" if self.top else f"paper {self.paper}"

    @property
    def shown(self) -> str:
        """The item as messages name it (German)."""
        return f"TOP {self.top}" if self.top else _("paper {paper}").format(paper=self.paper)

    def problem(self, message: str) -> Problem:
        """A problem of this item, at its place in the file."""
        if not self.file:
            return Problem(self.where, None, "", message)
        return Problem(self.file, self.line, self.path, message)


@dataclass(slots=True)
class _Place:
    """Where one item stands and where its problems go."""

    file: str
    line: int | None
    path: str
    problems: list[Problem]
    key_lines: dict[str, int] = field(default_factory=dict)

    def add(self, message: str, key: str = "") -> None:
        line = self.key_lines.get(key, self.line)
        self.problems.append(Problem(self.file, line, self.path, message))

    @property
    def where(self) -> str:
        return str(Problem(self.file, self.line, self.path, "")).removesuffix(": ")


def read_minutes_file(path: str | Path) -> list[MinutesItem]:
    """The items of a minutes file (``.csv`` as CSV, anything else as YAML or JSON).

    :raises MinutesFileError: every problem of the file, each with its line.
    :raises InvalidInput: the file cannot be read.
    """
    text = read_text(path, _("minutes file"))
    if not text.strip():
        raise InvalidInput(_("minutes file {path!r} is empty").format(path=str(path)))
    if str(path).lower().endswith(".csv"):
        return parse_minutes_csv(text, str(path))
    data = load_yaml_12(text, str(path))
    if not isinstance(data, dict) or set(data) - {"meeting", "items"} or "items" not in data:
        raise InvalidInput(
            _("{path}: expected a mapping with 'items:' (a list of agenda results)").format(
                path=path
            )
        )
    return parse_minutes_items(data["items"], str(path), _yaml_item_lines(text))


def _yaml_item_lines(text: str) -> list[tuple[int, dict[str, int]]]:
    """The line of each entry under ``items:`` and the lines of its keys (1-based)."""
    import yaml

    from workflow.papers.votes import yaml_12_loader

    try:
        root = yaml.compose(text, Loader=yaml_12_loader())
    except (yaml.YAMLError, RecursionError):
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    found = [v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "items"]
    if not found or not isinstance(found[0], yaml.SequenceNode):
        return []
    lines: list[tuple[int, dict[str, int]]] = []
    for node in found[0].value:
        keys: dict[str, int] = {}
        if isinstance(node, yaml.MappingNode):
            keys = {str(k.value): k.start_mark.line + 1 for k, _value in node.value}
        lines.append((node.start_mark.line + 1, keys))
    return lines


def parse_minutes_items(
    items: Any, source: str, lines: list[tuple[int, dict[str, int]]] | None = None
) -> list[MinutesItem]:
    """The items of a YAML minutes file; ``lines`` (from the file) place each item.

    :raises MinutesFileError: every problem of every item, each with its line.
    """
    if not isinstance(items, list) or not items:
        raise InvalidInput(_("{source}: 'items' must be a non-empty list").format(source=source))
    problems: list[Problem] = []
    parsed: list[MinutesItem] = []
    for index, raw in enumerate(items, start=1):
        line, keys = lines[index - 1] if lines and index <= len(lines) else (None, {})
        place = _Place(source, line, _("item {index}").format(index=index), problems, keys)
        item = _item(raw, place)
        if item is not None:
            parsed.append(item)
    _no_duplicates(parsed, problems)
    if problems:
        raise MinutesFileError(problems)
    return parsed


def parse_minutes_csv(text: str, source: str) -> list[MinutesItem]:
    """The items of a CSV minutes file.

    :raises MinutesFileError: every problem of the header and of every row, with its line.
    """
    sample = text.split("\n", 1)[0]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    problems: list[Problem] = []
    for name in header:
        if name not in _CSV_KEYS:
            hint = did_you_mean(name, _CSV_KEYS) or _(" (allowed: {keys})").format(
                keys=", ".join(_CSV_KEYS)
            )
            problems.append(
                Problem(
                    source,
                    1,
                    "",
                    _("unknown column {name!r}{hint}").format(name=name, hint=hint),
                )
            )
    if "result" not in header or not ({"top", "paper"} & set(header)):
        problems.append(Problem(source, 1, "", _("the header needs 'result' and 'top' or 'paper'")))
        raise MinutesFileError(problems)
    parsed: list[MinutesItem] = []
    end = reader.line_num  # the line a row starts on follows the end of the previous one
    for row in reader:
        place = _Place(source, end + 1, "", problems)
        end = reader.line_num
        values = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if any(values.values()):
            before = len(problems)
            item = _item(_csv_raw(values, place), place)
            if item is not None and len(problems) == before:
                parsed.append(item)
    if not parsed and not problems:
        raise InvalidInput(_("{source}: no results in the file").format(source=source))
    _no_duplicates(parsed, problems)
    if problems:
        raise MinutesFileError(problems)
    return parsed


def _csv_raw(values: dict[str, str], place: _Place) -> dict[str, Any]:
    """One CSV row as the mapping a YAML item would be."""
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
                place.add(
                    _("{key} must be a whole number, got {values_key!r}").format(
                        key=key, values_key=values[key]
                    )
                )
    if values.get("vote_label"):
        counts["label"] = values["vote_label"]
    if counts:
        raw["votes"] = [counts]
    return raw


def _item(raw: Any, place: _Place) -> MinutesItem | None:
    """The item, or None when it has a problem (each one added to ``place``)."""
    if not isinstance(raw, dict):
        place.add(_("expected a mapping with 'top' (or 'paper') and 'result'"))
        return None
    before = len(place.problems)
    for key in raw:
        if key not in _ITEM_KEYS:
            hint = did_you_mean(str(key), _ITEM_KEYS) or _(" (allowed: {keys})").format(
                keys=", ".join(_ITEM_KEYS)
            )
            place.add(_("unknown key {key!r}{hint}").format(key=key, hint=hint), str(key))
    texts = {key: _text(raw, key, place) for key in _ITEM_KEYS if key not in ("votes", "until")}
    top, paper, outcome = texts["top"], texts["paper"], texts["result"]
    if (top is None) == (paper is None):
        place.add(_("give exactly one of 'top' (e.g. Ö 3) and 'paper'"), "top" if top else "paper")
    if outcome is None:
        place.add(_("missing 'result'"))
    until = _until(raw.get("until"), place)
    votes: list[VoteCount] = []
    if raw.get("votes") is not None:
        try:
            votes = parse_votes(raw["votes"], "votes")
        except InvalidInput as exc:
            place.add(str(exc), "votes")
    if len(place.problems) > before or outcome is None:
        return None
    return MinutesItem(
        where=place.where,
        top=top,
        paper=paper,
        outcome=outcome,
        votes=tuple(votes),
        label=texts["label"],
        refer_to=texts["refer_to"],
        refer_role=texts["refer_role"],
        target_date=until,
        amended_text=texts["text"],
        note=texts["note"],
        file=place.file,
        line=place.line,
        path=place.path,
    )


def _until(until: Any, place: _Place) -> dt.date | None:
    if isinstance(until, str):
        try:
            return dt.date.fromisoformat(until)
        except ValueError:
            pass
    elif until is None or isinstance(until, dt.date):
        return until
    place.add(_("until must be a date YYYY-MM-DD, got {until!r}").format(until=until), "until")
    return None


def _text(raw: dict[str, Any], key: str, place: _Place) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        place.add(_("{key} must be text, got {value!r}").format(key=key, value=value), key)
        return None
    text = str(value).strip()
    return text or None


def _no_duplicates(items: list[MinutesItem], problems: list[Problem]) -> None:
    seen: dict[str, MinutesItem] = {}
    for item in items:
        first = seen.setdefault(item.name, item)
        if first is not item:
            at = first.path or (
                _("line {line}").format(line=first.line) if first.line else first.where
            )
            problems.append(
                item.problem(_("{name} is already given in {at}").format(name=item.shown, at=at))
            )
