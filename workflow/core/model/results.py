"""Results of a step: outcomes and what they do to the path, votes and ballots, and what
recording the minutes did."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from workflow.core.i18n import N_, _


class ResultEffect(StrEnum):
    """What a recorded result does to the paper's path (domain.md section 2.2)."""

    RECOMMEND = "recommend"  # a pre-advising body's result; the path continues
    ADOPT = "adopt"  # the deciding body adopted; the paper is decided
    REJECT = "reject"  # rejected: a recommendation in a Vorberatung, final in the deciding step
    NOTE = "note"  # taken note of; closes a Kenntnisnahme
    POSTPONE = "postpone"  # vertagt / zurückgestellt: the same body again, at a later meeting
    SKIP = "skip"  # vertagt in Folgegremium: no vote here, the next body goes on
    REFER = "refer"  # überwiesen / zurückverwiesen: a step in another body is inserted
    DROP = "drop"  # abgesetzt: taken off the agenda, no deliberation; the same body again
    WITHDRAW = "withdraw"  # zurückgezogen: the path ends without a decision
    APPROVE = "approve"  # genehmigt: approves a Dringlichkeitsentscheidung
    ANNUL = "annul"  # aufgehoben: the council annuls a Dringlichkeitsentscheidung

    @property
    def deliberated(self) -> bool:
        """False only when the item was taken off the agenda before any deliberation."""
        return self is not ResultEffect.DROP

    @property
    def repeats_step(self) -> bool:
        """The same body deals with the paper again in a later meeting."""
        return self in (ResultEffect.POSTPONE, ResultEffect.DROP)


class Outcome(StrEnum):
    """Normalised results of a consultation (domain.md section 2.2)."""

    EMPFOHLEN = "empfohlen"
    MIT_AENDERUNGEN_EMPFOHLEN = "mit_aenderungen_empfohlen"
    ABGELEHNT = "abgelehnt"
    BESCHLOSSEN = "beschlossen"
    UNGEAENDERT_BESCHLOSSEN = "ungeaendert_beschlossen"
    GEAENDERT_BESCHLOSSEN = "geaendert_beschlossen"
    ZUR_KENNTNIS_GENOMMEN = "zur_kenntnis_genommen"
    VERTAGT = "vertagt"
    ZURUECKGESTELLT = "zurueckgestellt"
    VERTAGT_IN_FOLGEGREMIUM = "vertagt_in_folgegremium"
    UEBERWIESEN = "ueberwiesen"
    ZURUECKVERWIESEN = "zurueckverwiesen"
    ABGESETZT = "abgesetzt"
    ZURUECKGEZOGEN = "zurueckgezogen"
    GENEHMIGT = "genehmigt"
    AUFGEHOBEN = "aufgehoben"

    @property
    def amends_text(self) -> bool:
        """The body changed the wording: the amended text becomes a new text version."""
        return self in (Outcome.GEAENDERT_BESCHLOSSEN, Outcome.MIT_AENDERUNGEN_EMPFOHLEN)

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]

    @classmethod
    def by_label(cls, text: str) -> Outcome | None:
        """The outcome whose label (as ``ratsweg definitions outcomes`` shows it) is ``text``,
        exactly, case and umlauts included; None for any other text."""
        return _OUTCOMES_BY_LABEL.get(text)

    @property
    def effect(self) -> ResultEffect:
        return _OUTCOME_EFFECTS[self]


_OUTCOME_LABELS = {
    Outcome.EMPFOHLEN: "empfohlen",
    Outcome.MIT_AENDERUNGEN_EMPFOHLEN: "mit Änderungen empfohlen",
    Outcome.ABGELEHNT: "abgelehnt",
    Outcome.BESCHLOSSEN: "beschlossen",
    Outcome.UNGEAENDERT_BESCHLOSSEN: "ungeändert beschlossen",
    Outcome.GEAENDERT_BESCHLOSSEN: "geändert beschlossen",
    Outcome.ZUR_KENNTNIS_GENOMMEN: "zur Kenntnis genommen",
    Outcome.VERTAGT: "vertagt",
    Outcome.ZURUECKGESTELLT: "zurückgestellt",
    Outcome.VERTAGT_IN_FOLGEGREMIUM: "vertagt in Folgegremium",
    Outcome.UEBERWIESEN: "überwiesen",
    Outcome.ZURUECKVERWIESEN: "zurückverwiesen",
    Outcome.ABGESETZT: "abgesetzt",
    Outcome.ZURUECKGEZOGEN: "zurückgezogen",
    Outcome.GENEHMIGT: "genehmigt",
    Outcome.AUFGEHOBEN: "aufgehoben",
}
_OUTCOMES_BY_LABEL = {label: outcome for outcome, label in _OUTCOME_LABELS.items()}
_OUTCOME_EFFECTS = {
    Outcome.EMPFOHLEN: ResultEffect.RECOMMEND,
    Outcome.MIT_AENDERUNGEN_EMPFOHLEN: ResultEffect.RECOMMEND,
    Outcome.ABGELEHNT: ResultEffect.REJECT,
    Outcome.BESCHLOSSEN: ResultEffect.ADOPT,
    Outcome.UNGEAENDERT_BESCHLOSSEN: ResultEffect.ADOPT,
    Outcome.GEAENDERT_BESCHLOSSEN: ResultEffect.ADOPT,
    Outcome.ZUR_KENNTNIS_GENOMMEN: ResultEffect.NOTE,
    Outcome.VERTAGT: ResultEffect.POSTPONE,
    Outcome.ZURUECKGESTELLT: ResultEffect.POSTPONE,
    Outcome.VERTAGT_IN_FOLGEGREMIUM: ResultEffect.SKIP,
    Outcome.UEBERWIESEN: ResultEffect.REFER,
    Outcome.ZURUECKVERWIESEN: ResultEffect.REFER,
    Outcome.ABGESETZT: ResultEffect.DROP,
    Outcome.ZURUECKGEZOGEN: ResultEffect.WITHDRAW,
    Outcome.GENEHMIGT: ResultEffect.APPROVE,
    Outcome.AUFGEHOBEN: ResultEffect.ANNUL,
}


class VoteKind(StrEnum):
    """What was voted on; procedural motions and amendments are voted before the main motion."""

    PROCEDURAL = "procedural"  # Geschäftsordnungsantrag, e.g. Vertagungsantrag
    AMENDMENT = "amendment"  # Änderungsantrag
    MAIN = "main"  # Hauptantrag / Beschlussvorschlag

    @property
    def label(self) -> str:
        """Geschäftsordnungsantrag, Änderungsantrag, Hauptantrag."""
        return _(_VOTE_KIND_LABELS[self])


_VOTE_KIND_LABELS = {
    VoteKind.PROCEDURAL: N_("procedural motion"),
    VoteKind.AMENDMENT: N_("amendment"),
    VoteKind.MAIN: N_("main motion"),
}


class Ballot(StrEnum):
    """How one named member voted."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"
    BIASED = "biased"  # befangen: excluded from deliberation and vote
    NOT_PARTICIPATING = "not_participating"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        """Ja, Nein, Enthaltung, befangen, …"""
        return _(_BALLOT_LABELS[self])


_BALLOT_LABELS = {
    Ballot.YES: N_("yes"),
    Ballot.NO: N_("no"),
    Ballot.ABSTAIN: N_("abstention"),
    Ballot.BIASED: N_("biased"),
    Ballot.NOT_PARTICIPATING: N_("not participating"),
    Ballot.ABSENT: N_("absent"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class NamedBallot:
    member: str
    ballot: Ballot


@dataclass(frozen=True, slots=True, kw_only=True)
class VoteCount:
    """One Abstimmung: counts, an optional label such as "einstimmig", and the raw text.

    "einstimmig" is a label, never a count: Landau's Stadtrat recorded "einstimmig
    beschlossen" with 39 Ja, 0 Nein and 4 Enthaltungen.
    """

    subject: str = "Hauptantrag"
    kind: VoteKind = VoteKind.MAIN
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    biased: int | None = None
    not_participating: int | None = None
    absent: int | None = None
    label: str | None = None
    raw: str | None = None  # the text of the minutes, as written
    named: tuple[NamedBallot, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "kind": self.kind.value,
            "yes": self.yes,
            "no": self.no,
            "abstain": self.abstain,
            "biased": self.biased,
            "not_participating": self.not_participating,
            "absent": self.absent,
            "label": self.label,
            "raw": self.raw,
            "named": [{"member": n.member, "ballot": n.ballot.value} for n in self.named],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultEntry:
    """The result of one step as the minutes give it (see ``ResultService.record_result``)."""

    position: int
    outcome: str  # a normalised outcome or a label from the municipality's definitions
    date: dt.date | None = None
    votes: tuple[VoteCount, ...] = ()
    label: str | None = None
    refer_to: str | None = None
    refer_role: str | None = None
    target_date: dt.date | None = None
    amended_text: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultChoice:
    """A result a step may record, as the session office picks it: the text it is recorded
    with (a municipal label such as "einstimmig beschlossen" or the outcome's own label), the
    outcome it stands for, and what else the outcome asks for."""

    label: str
    outcome: Outcome
    municipal: bool = False  # one of the municipality's own labels (procedure.yaml)

    @property
    def refers(self) -> bool:
        """Überwiesen / zurückverwiesen: the body the paper goes to is needed."""
        return self.outcome.effect is ResultEffect.REFER

    @property
    def repeats_step(self) -> bool:
        """Vertagt / zurückgestellt / abgesetzt: a later date may be given."""
        return self.outcome.effect.repeats_step


@dataclass(frozen=True, slots=True, kw_only=True)
class MinutesResult:
    """What recording one item of a meeting's minutes did."""

    item: str  # "TOP Ö 3" or "paper 2011/001"
    paper_number: str
    position: int
    outcome: str
    paper_state: str
    warnings: tuple[str, ...] = ()
