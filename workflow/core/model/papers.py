"""Papers (Vorlagen): their steps, co-signatures, text versions and attachments as the
service returns them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from workflow.core.i18n import N_, _
from workflow.core.model.bodies import ConsultationRole
from workflow.core.model.results import Outcome, VoteCount

#: Consultation states of a step still to be dealt with (the engine's lifecycle names them).
OPEN_STEP_STATES = frozenset({"planned", "scheduled"})
#: States of a step that was dealt with in a meeting (with or without deliberation).
DONE_STEP_STATES = frozenset({"held", "dropped"})
#: States of a step that is no longer part of the active path.
INACTIVE_STEP_STATES = frozenset({"cancelled", "dropped"})

#: The longest paper number stored (``Paper.number``): the definitions loader refuses a
#: numbering whose numbers could be longer.
PAPER_NUMBER_LENGTH = 64
#: The largest sequence number a numbering is checked with (a paper type's papers in one year,
#: an original's Ergänzungsvorlagen).
PLAUSIBLE_SEQ = 99_999


class CoSignatureState(StrEnum):
    PENDING = "pending"
    SIGNED = "signed"
    OBJECTED = "objected"
    OVERRULED = "overruled"  # the objection was overruled by the head of the writing office

    @property
    def label(self) -> str:
        """The German name: ausstehend, gezeichnet, Einwand, Einwand überstimmt."""
        return _(_CO_SIGNATURE_LABELS[self])


_CO_SIGNATURE_LABELS = {
    CoSignatureState.PENDING: N_("pending"),
    CoSignatureState.SIGNED: N_("signed"),
    CoSignatureState.OBJECTED: N_("objection"),
    CoSignatureState.OVERRULED: N_("objection overruled"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedStep:
    """One step of a new Beratungsfolge, as the session office plans it."""

    organization: str
    role: str
    public: bool | None = None
    planned_date: dt.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsultationView:
    position: int
    organization_id: str
    organization_name: str
    role: ConsultationRole
    public: bool
    state: str
    planned_date: dt.date | None
    date: dt.date | None
    outcome: Outcome | None
    result_label: str | None
    votes: tuple[VoteCount, ...] = ()
    level: int = 0  # steps on the same level run in parallel
    note: str | None = None  # why the step was inserted, or what the result said
    meeting_id: int | None = None  # the meeting the step is scheduled into or was dealt with in


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftChanges:
    """What an edit of a draft asks for (see ``PaperService.edit_paper``); ``None`` leaves a
    field as it is. ``participants`` is the whole new list of co-signing offices; ``planned``
    maps a step's position to its planned date (``None``: no date)."""

    title: str | None = None
    text: str | None = None
    participants: Sequence[str] | None = None
    planned: Mapping[int, dt.date | None] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TextVersionView:
    """One wording of the Beschlussvorschlag: as released, then as amended by a body."""

    number: int
    text: str
    source: str  # "draft", "released" or "amended"
    position: int | None  # the step whose result amended it
    organization_id: str | None
    created_at: dt.datetime
    actor: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CoSignatureView:
    office_id: str
    office_name: str
    state: CoSignatureState
    actor: str | None
    signed_at: dt.datetime | None
    comment: str | None
    due: dt.date | None = None  # Mitzeichnung due (deadlines.co_signing), while pending
    overruled_by: str | None = None
    overruled_at: dt.datetime | None = None
    overrule_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CoSigningItem:
    """A co-signature waiting for a user (the Mitzeichnung inbox): one of their offices is
    to sign or object (``may_sign``), or they are to decide on an objection to a paper of
    their office (``may_overrule``). Both flags are the service's permission checks."""

    number: str
    title: str
    paper_office_id: str  # the writing (federführende) office
    paper_office_name: str
    office_id: str  # the co-signing office
    office_name: str
    state: CoSignatureState
    comment: str | None  # the objection's reason
    due: dt.date | None  # Mitzeichnung due (deadlines.co_signing), while pending
    overdue: bool
    may_sign: bool
    may_overrule: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class AttachmentView:
    """An Anlage of a paper (its metadata; the content stays in the database)."""

    id: int
    file_name: str
    media_type: str
    size: int
    sha256: str
    public: bool
    created_at: dt.datetime
    actor: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PaperView:
    id: int
    body_id: str
    number: str
    paper_type: str
    paper_type_name: str
    title: str
    reference: str | None
    office_id: str
    office_name: str
    date: dt.date
    state: str
    state_label: str
    definitions_version: str
    created_at: dt.datetime
    modified_at: dt.datetime
    consultations: tuple[ConsultationView, ...] = ()
    co_signatures: tuple[CoSignatureView, ...] = ()
    allowed_actions: tuple[str, ...] = ()
    text: str | None = None  # the current wording
    text_versions: tuple[TextVersionView, ...] = ()
    warnings: tuple[str, ...] = ()  # e.g. quorum or majority doubts found by the last change
    #: Ergänzungsvorlagen: the original of the chain (None for an original) and every member
    #: of the chain in order, this paper included (just this paper when it has none).
    origin: str | None = None
    supplement_no: int | None = None
    chain: tuple[str, ...] = ()
    #: Antrag / Anfrage: the submitting faction and members; Anfrage: the answer.
    faction: str | None = None
    members: tuple[str, ...] = ()
    answer: str | None = None
    answer_date: dt.date | None = None
    attachments: tuple[AttachmentView, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PaperSummary:
    number: str
    paper_type: str
    title: str
    office_id: str
    date: dt.date
    state: str
    #: the names a person reads: the type's, the state's label, the writing office's
    paper_type_name: str = ""
    state_label: str = ""
    office_name: str = ""
