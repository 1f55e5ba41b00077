"""Bodies and who acts in them: kinds of organization, the role of a step in the
Beratungsfolge, users' roles and the actions they may take, the acting user, the submitter
of a paper type, and a body as loaded from its definitions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from workflow.core.i18n import N_, _


class OrganizationKind(StrEnum):
    COUNCIL = "council"
    COMMITTEE = "committee"
    ADVISORY_BOARD = "advisory_board"
    EXECUTIVE_BOARD = "executive_board"
    OFFICE = "office"

    @property
    def deliberates(self) -> bool:
        return self is not OrganizationKind.OFFICE

    @property
    def label(self) -> str:
        """Rat, Ausschuss, Beirat, Verwaltungsvorstand, Amt."""
        return _(_KIND_LABELS[self])


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

    @property
    def label(self) -> str:
        """Sachbearbeitung, Amtsleitung, Sitzungsdienst, …"""
        return _(_ROLE_LABELS[self])


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


_KIND_LABELS = {
    OrganizationKind.COUNCIL: N_("council"),
    OrganizationKind.COMMITTEE: N_("committee"),
    OrganizationKind.ADVISORY_BOARD: N_("advisory board"),
    OrganizationKind.EXECUTIVE_BOARD: N_("executive board"),
    OrganizationKind.OFFICE: N_("office"),
}
_ROLE_LABELS = {
    Role.CLERK: N_("clerk"),
    Role.OFFICE_HEAD: N_("head of office"),
    Role.SESSION_OFFICE: N_("session office"),
    Role.AUDITOR: N_("auditor"),
    Role.ADMIN: N_("administrator"),
    Role.MAYOR: N_("mayor"),
}


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
