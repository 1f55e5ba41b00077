"""Bodies and who acts in them: kinds of organization, the role of a step in the
Beratungsfolge, users' roles and the actions they may take, the acting user, the submitter
of a paper type, and a body as loaded from its definitions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class OrganizationKind(StrEnum):
    COUNCIL = "council"
    COMMITTEE = "committee"
    ADVISORY_BOARD = "advisory_board"
    EXECUTIVE_BOARD = "executive_board"
    OFFICE = "office"

    @property
    def deliberates(self) -> bool:
        return self is not OrganizationKind.OFFICE


class ConsultationRole(StrEnum):
    """Zuständigkeit of one step of the Beratungsfolge."""

    VORBERATUNG = "vorberatung"
    ANHOERUNG = "anhoerung"
    ENTSCHEIDUNG = "entscheidung"
    KENNTNISNAHME = "kenntnisnahme"
    GENEHMIGUNG = "genehmigung"  # approval of a Dringlichkeitsentscheidung (GO NRW § 60)

    @property
    def label(self) -> str:
        """The German name, as staff write it (Vorberatung, Anhörung, …)."""
        return "Anhörung" if self is ConsultationRole.ANHOERUNG else self.value.capitalize()

    @property
    def concludes(self) -> bool:
        """True for the step whose result decides (or closes) the paper."""
        return self in (
            ConsultationRole.ENTSCHEIDUNG,
            ConsultationRole.KENNTNISNAHME,
            ConsultationRole.GENEHMIGUNG,
        )


class Role(StrEnum):
    """What a user may do; permissions map actions to roles in the definitions."""

    CLERK = "clerk"
    OFFICE_HEAD = "office_head"
    SESSION_OFFICE = "session_office"
    AUDITOR = "auditor"
    ADMIN = "admin"
    MAYOR = "mayor"  # Bürgermeister: Dringlichkeitsentscheidung, Widerspruch, Einspruch


class Action(StrEnum):
    """Mutating actions outside the lifecycles, each guarded by a permission."""

    PAPER_CREATE = "paper.create"
    PAPER_EDIT = "paper.edit"
    PAPER_ROUTE = "paper.route"  # change the planned path of a released paper
    CONSULTATION_SCHEDULE = "consultation.schedule"
    CONSULTATION_RECORD = "consultation.record"
    CO_SIGNATURE_SIGN = "co_signature.sign"
    DEFINITIONS_LOAD = "definitions.load"
    MEETING_MANAGE = "meeting.manage"
    IMPLEMENTATION_PLAN = "implementation.plan"  # Beschlusskontrolle: add tasks to a decision
    IMPLEMENTATION_REPORT = "implementation.report"  # report on a task, mark it umgesetzt
    CO_SIGNATURE_OVERRULE = "co_signature.overrule"  # overrule an objection in the Mitzeichnung


class Submitter(StrEnum):
    """Who submits papers of a type (``paper_types[].submitted_by``)."""

    OFFICE = "office"  # the administration: an office writes it (Beschluss-, Mitteilungsvorlage)
    FACTION = "faction"  # a Fraktion (or members) submits it (Antrag, Anfrage)


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    user_id: str
    name: str
    roles: frozenset[Role]
    offices: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class BodyView:
    id: str
    name: str
    state: str
    definitions_version: str
    loaded_at: dt.datetime
