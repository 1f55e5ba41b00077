"""The free-text results of OParl agenda items (``AgendaItem.result``) as ratsweg outcomes.

OParl has no result vocabulary: ALLRIS-like systems write categories ("mehrheitlich
zugestimmt", "verwiesen in Fachausschuss"), SD.NET writes the vote ("11 Ja-Stimmen, 0
Nein-Stimmen, 4 Enthaltungen", "einstimmig, ohne Enthaltung"). ``map_result`` tries, in order:

1. the municipality's own labels (``procedure.outcome_labels`` in its definitions, exact and
   case-insensitive), so a municipality can add or override any label;
2. the shipped labels below, which cover the vocabulary of real systems;
3. the shipped patterns for vote texts, which also yield the vote counts.

The original text is always kept as the result's label. A text none of them explains is not
guessed: the paper is reported with the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workflow.core.catalog import Procedure
from workflow.core.i18n import N_
from workflow.core.model import Outcome, VoteCount

_O = Outcome
#: Exact labels (compared case-insensitively, whitespace collapsed) -> outcome.
DEFAULT_LABELS: dict[str, Outcome] = {
    # adopted / approved
    "einstimmig zugestimmt": _O.BESCHLOSSEN,
    "einstimmig beschlossen": _O.BESCHLOSSEN,
    "mehrheitlich beschlossen": _O.BESCHLOSSEN,
    "mehrheitlich zugestimmt": _O.BESCHLOSSEN,
    "zustimmung": _O.BESCHLOSSEN,
    "zugestimmt": _O.BESCHLOSSEN,
    "einverstanden": _O.BESCHLOSSEN,
    "genehmigt": _O.BESCHLOSSEN,
    "beschlossen": _O.BESCHLOSSEN,
    "gewählt": _O.BESCHLOSSEN,
    "ungeändert beschlossen": _O.UNGEAENDERT_BESCHLOSSEN,
    "unverändert beschlossen": _O.UNGEAENDERT_BESCHLOSSEN,
    "zur kenntnis genommen + mehrheitliche zustimmung": _O.BESCHLOSSEN,
    # recommended by a Vorberatung
    "vorberaten ohne änderungen": _O.EMPFOHLEN,
    "empfohlen": _O.EMPFOHLEN,
    "vorberaten mit änderungen": _O.MIT_AENDERUNGEN_EMPFOHLEN,
    # adopted with changes (the changed wording must come with it)
    "geändert beschlossen": _O.GEAENDERT_BESCHLOSSEN,
    "zugestimmt zu geändertem beschlusstext": _O.GEAENDERT_BESCHLOSSEN,
    "mehrheitlich zugestimmt zu geändertem beschlusstext": _O.GEAENDERT_BESCHLOSSEN,
    "beschlossen mit geändertem beschlusstext": _O.GEAENDERT_BESCHLOSSEN,
    "mehrheitlich zugestimmt zu geändertem antrag": _O.GEAENDERT_BESCHLOSSEN,
    "einstimmig zugestimmt zum modifizierten antrag": _O.GEAENDERT_BESCHLOSSEN,
    "teilweise zugestimmt": _O.GEAENDERT_BESCHLOSSEN,
    "teilweise abgelehnt": _O.GEAENDERT_BESCHLOSSEN,
    "teilweise in modifzierte beschlussvorlage übernommen": _O.GEAENDERT_BESCHLOSSEN,
    # rejected
    "abgelehnt": _O.ABGELEHNT,
    "mehrheitlich abgelehnt": _O.ABGELEHNT,
    "einstimmig abgelehnt": _O.ABGELEHNT,
    "bei stimmengleichheit abgelehnt": _O.ABGELEHNT,
    "stimmengleichheit - abgelehnt": _O.ABGELEHNT,
    # noted, settled, answered: the item closes without a decision on the proposal
    "kenntnisnahme": _O.ZUR_KENNTNIS_GENOMMEN,
    "zur kenntnis genommen": _O.ZUR_KENNTNIS_GENOMMEN,
    "kenntnis genommen": _O.ZUR_KENNTNIS_GENOMMEN,
    "stellungnahme zur kenntnis genommen": _O.ZUR_KENNTNIS_GENOMMEN,
    "mit stellungnahme einverstanden": _O.ZUR_KENNTNIS_GENOMMEN,
    "keine mitteilungen": _O.ZUR_KENNTNIS_GENOMMEN,
    "erledigt": _O.ZUR_KENNTNIS_GENOMMEN,
    "erledigt durch stellungnahme der verwaltung": _O.ZUR_KENNTNIS_GENOMMEN,
    "antrag ist erledigt": _O.ZUR_KENNTNIS_GENOMMEN,
    "erledigt durch antwort der verwaltung": _O.ZUR_KENNTNIS_GENOMMEN,
    "erledigt durch ergänzungsvorlage der verwaltung": _O.ZUR_KENNTNIS_GENOMMEN,
    "in beschlussvorlage übernommen": _O.ZUR_KENNTNIS_GENOMMEN,
    "aushang im foyer": _O.ZUR_KENNTNIS_GENOMMEN,
    # no vote: a notice was given (in a deciding step this decides nothing: reported)
    "keine abstimmung": _O.ZUR_KENNTNIS_GENOMMEN,
    "nicht zur abstimmung gestellt": _O.ZUR_KENNTNIS_GENOMMEN,
    "keine": _O.ZUR_KENNTNIS_GENOMMEN,
    "ohne": _O.ZUR_KENNTNIS_GENOMMEN,
    "ohne.": _O.ZUR_KENNTNIS_GENOMMEN,
    # referred to another body (the next consultation of the source names it)
    "beratung im fachgremium/arbeitskreis": _O.UEBERWIESEN,
    "überwiesen": _O.UEBERWIESEN,
    "verwiesen": _O.UEBERWIESEN,
    # deferred, taken off the agenda, withdrawn
    "vertagt": _O.VERTAGT,
    "wiedervorlage erbeten": _O.VERTAGT,
    "zurückgestellt": _O.ZURUECKGESTELLT,
    "angehalten": _O.ZURUECKGESTELLT,
    "abgesetzt": _O.ABGESETZT,
    "entfällt": _O.ABGESETZT,
    "zurückgezogen": _O.ZURUECKGEZOGEN,
    "antrag zurückgezogen": _O.ZURUECKGEZOGEN,
}
#: Texts that are known but carry no readable result; the paper is reported with the reason.
UNREADABLE = {
    "siehe dokument abstimmungsergebnisse": N_("the result is only in a document"),
    "(kein text vorhanden)": N_("the source says there is no result text"),
}

_COUNT = r"(\d+)\s*[- ]?\s*"
_YES = re.compile(_COUNT + r"ja(?:-?stimmen?)?\b", re.IGNORECASE)
_NO = re.compile(_COUNT + r"nein(?:-?stimmen?)?\b", re.IGNORECASE)
_ABSTAIN = re.compile(_COUNT + r"enthaltung(?:en)?\b", re.IGNORECASE)
_NO_ABSTENTION = re.compile(r"ohne\s+enthaltung", re.IGNORECASE)
_REFERRED = re.compile(
    r"^(verwiesen|überwiesen|zurückverwiesen)\b|^weiterbehandlung\s+i", re.IGNORECASE
)
_UNANIMOUS = re.compile(r"^einsti(m|mi)+g", re.IGNORECASE)  # also the typo "einstimimig"


@dataclass(frozen=True, slots=True)
class MappedResult:
    """What an agenda item's result text stands for; ``outcome`` None: not understood."""

    text: str
    outcome: Outcome | None
    votes: tuple[VoteCount, ...] = ()
    reason: str | None = None  # why it was not understood


def map_result(text: str, procedure: Procedure) -> MappedResult:
    """The outcome (and vote counts, where the text gives them) of one result text."""
    plain = " ".join(text.split())
    key = plain.casefold()
    configured = procedure.outcome_labels.get(key)
    if configured is not None:
        return MappedResult(text, configured)
    if key in DEFAULT_LABELS:
        return MappedResult(text, DEFAULT_LABELS[key], _label_vote(plain))
    if key in UNREADABLE:
        return MappedResult(text, None, reason=UNREADABLE[key])
    if _REFERRED.match(plain):
        return MappedResult(text, Outcome.UEBERWIESEN)
    return _vote_text(text, plain)


def _label_vote(plain: str) -> tuple[VoteCount, ...]:
    word = plain.split()[0].casefold()
    if word in ("einstimmig", "mehrheitlich"):
        return (VoteCount(label=word, raw=plain),)
    return ()


def _vote_text(text: str, plain: str) -> MappedResult:
    """SD.NET's vote texts: counts and/or "einstimmig"; the outcome follows the counts."""
    yes, no, abstain = (_count(p, plain) for p in (_YES, _NO, _ABSTAIN))
    if abstain is None and _NO_ABSTENTION.search(plain):
        abstain = 0
    lowered = plain.casefold()
    unanimous = bool(_UNANIMOUS.match(lowered))
    label = "einstimmig" if unanimous else ("mehrheitlich" if "mehrheitlich" in lowered else None)
    if "abgelehnt" in lowered:
        outcome: Outcome | None = Outcome.ABGELEHNT
    elif "zur kenntnis" in lowered:
        outcome = Outcome.ZUR_KENNTNIS_GENOMMEN
    elif unanimous or label or re.search(r"\b(zugestimmt|beschlossen)\b", lowered):
        outcome = Outcome.BESCHLOSSEN
    elif yes is not None and no is not None:
        outcome = Outcome.BESCHLOSSEN if yes > no else Outcome.ABGELEHNT
    else:
        return MappedResult(text, None, reason=N_("no known result label or vote count"))
    if unanimous and no is None and yes is not None:
        no = 0
    counted = yes is not None or no is not None or abstain is not None
    if not counted and label is None:
        return MappedResult(text, outcome)
    vote = VoteCount(yes=yes, no=no, abstain=abstain, label=label, raw=plain)
    return MappedResult(text, outcome, (vote,))


def _count(pattern: re.Pattern[str], text: str) -> int | None:
    found = pattern.search(text)
    return int(found.group(1)) if found else None
