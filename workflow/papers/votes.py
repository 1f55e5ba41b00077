"""Read the vote record of a consultation from a file (YAML or JSON), checked as a whole.

A file holds a list of votes in the order they were taken: procedural motions and amendments
first, then the main motion. Each vote gives counts, named ballots, or both::

    - subject: Vertagungsantrag
      kind: procedural
      yes: 11
      no: 2
      abstain: 3
    - subject: Hauptantrag
      yes: 39
      no: 0
      abstain: 4
      label: einstimmig
      raw: "einstimmig beschlossen bei 4 Enthaltungen"
      named:
        - {member: "Müller, Anna", ballot: yes}
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workflow.core.errors import InvalidInput, did_you_mean
from workflow.core.i18n import _
from workflow.core.inputs import check_line, check_text, read_text
from workflow.core.model import Ballot, NamedBallot, VoteCount, VoteKind

_COUNT_KEYS = ("yes", "no", "abstain", "biased", "not_participating", "absent")
_TEXT_KEYS = ("subject", "label", "raw")
_KEYS = (*_COUNT_KEYS, *_TEXT_KEYS, "kind", "named")


def check_result_texts(
    votes: Sequence[VoteCount], label: str | None, amended_text: str | None, note: str | None
) -> None:
    """Refuse control characters in a result's texts: the label, the votes' subjects, labels,
    wordings and names on one line each; the amended text and the note may span lines.

    :raises InvalidInput: one holds a control character.
    """
    check_line(label, _("result label"))
    check_text(amended_text, _("amended text"))
    check_text(note, _("note"))
    for vote in votes:
        for text in (vote.subject, vote.label, vote.raw):
            check_line(text, _("vote's text"))
        for ballot in vote.named:
            check_line(ballot.member, _("member name"))


def read_text_file(path: str | Path) -> str:
    """A UTF-8 text file's content, with one clear error line if it cannot be read."""
    text = read_text(path, _("text file"))
    if not text.strip():
        raise InvalidInput(_("text file {path!r} is empty").format(path=str(path)))
    return text.strip()


def yaml_12_loader() -> type:
    """A SafeLoader with YAML 1.2 booleans: only true/false, so that the keys ``yes`` and
    ``no`` stay the strings they are meant to be."""
    import re

    import yaml

    class VotesLoader(yaml.SafeLoader):
        pass

    VotesLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    VotesLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    return VotesLoader


def load_yaml_12(text: str, source: str) -> Any:
    """Parse YAML (or JSON) with YAML 1.2 booleans; one clear line if it is malformed."""
    import yaml

    try:
        return yaml.load(text, Loader=yaml_12_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _(" at line {line}").format(line=mark.line + 1) if mark is not None else ""
        raise InvalidInput(
            _("{source}: not valid YAML/JSON{where}").format(source=source, where=where)
        ) from None
    except RecursionError:
        raise InvalidInput(
            _("{source}: lists or mappings nested too deeply").format(source=source)
        ) from None


def read_votes_file(path: str | Path) -> list[VoteCount]:
    """The votes in a YAML or JSON file (JSON is YAML); every problem is named with its place."""
    return parse_votes(load_yaml_12(read_text_file(path), str(path)), str(path))


def parse_votes(data: Any, source: str) -> list[VoteCount]:
    if not isinstance(data, list) or not data:
        raise InvalidInput(_("{source}: expected a non-empty list of votes").format(source=source))
    return [
        _vote(item, _("{source}: vote {index}").format(source=source, index=index))
        for index, item in enumerate(data, start=1)
    ]


def _vote(item: Any, where: str) -> VoteCount:
    if not isinstance(item, dict):
        raise InvalidInput(
            _("{where}: expected a mapping with counts such as 'yes: 12'").format(where=where)
        )
    for key in item:
        if key not in _KEYS:
            hint = did_you_mean(str(key), _KEYS) or _(" (allowed: {keys})").format(
                keys=", ".join(_KEYS)
            )
            raise InvalidInput(
                _("{where}: unknown key {key!r}{hint}").format(where=where, key=key, hint=hint)
            )
    fields: dict[str, Any] = {}
    for key in _COUNT_KEYS:
        value = item.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise InvalidInput(
                _("{where}: {key} must be a whole number, got {value!r}").format(
                    where=where, key=key, value=value
                )
            )
        if value is not None and value < 0:
            raise InvalidInput(
                _("{where}: {key} must not be negative, got {value}").format(
                    where=where, key=key, value=value
                )
            )
        fields[key] = value
    for key in _TEXT_KEYS:
        value = item.get(key)
        if value is not None and not isinstance(value, str):
            raise InvalidInput(
                _("{where}: {key} must be text, got {value!r}").format(
                    where=where, key=key, value=value
                )
            )
        if value is not None:
            fields[key] = value
    kind = item.get("kind", VoteKind.MAIN.value)
    try:
        fields["kind"] = VoteKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in VoteKind)
        raise InvalidInput(
            _("{where}: unknown kind {kind!r} (use one of {allowed})").format(
                where=where, kind=kind, allowed=allowed
            )
        ) from None
    fields["named"] = tuple(_named(item.get("named") or [], where))
    return VoteCount(**fields)


def _named(items: Any, where: str) -> list[NamedBallot]:
    if not isinstance(items, list):
        raise InvalidInput(
            _("{where}: named must be a list of {{member, ballot}}").format(where=where)
        )
    ballots = []
    for index, entry in enumerate(items, start=1):
        if not isinstance(entry, dict) or set(entry) != {"member", "ballot"}:
            raise InvalidInput(
                _("{where}: named ballot {index} needs exactly member and ballot").format(
                    where=where, index=index
                )
            )
        try:
            ballot = Ballot(entry["ballot"])
        except ValueError:
            allowed = ", ".join(b.value for b in Ballot)
            raise InvalidInput(
                _(
                    "{where}: named ballot {index} has unknown ballot {entry_ballot!r} (use "
                    "one of {allowed})"
                ).format(where=where, index=index, entry_ballot=entry["ballot"], allowed=allowed)
            ) from None
        ballots.append(NamedBallot(member=str(entry["member"]), ballot=ballot))
    return ballots
