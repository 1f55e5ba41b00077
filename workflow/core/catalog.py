"""The immutable catalog of one municipality's definitions, as built by ``definitions.py``.

Pure data with lookups; the loader does all validation before constructing these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from workflow.core.deadlines import DeadlineRules, WorkingCalendar, working_calendar
from workflow.core.errors import not_found
from workflow.core.i18n import N_, _
from workflow.core.labels import action_label, state_text
from workflow.core.model import (
    Action,
    ConsultationRole,
    ObjectionKind,
    OrganizationKind,
    Outcome,
    Role,
    Submitter,
)

#: Minutes a meeting takes when neither it nor its Gremium says (calendar export).
DEFAULT_MEETING_MINUTES = 180

#: Where an unknown organization's error points to (the ids are not listed in the message): the
#: definitions file, not a command (a form shows the message too).
SHOW = "organizations.yaml"

#: Paper triggers that start a decision procedure of the ``decisions`` section.
_PROCEDURE_TRIGGERS = {kind.trigger: kind for kind in ObjectionKind}

#: Guards a lifecycle transition may name; the engine implements each one.
PAPER_GUARDS = frozenset(
    {"has_consultations", "has_concluding_step", "all_co_signed", "no_objections"}
)
CONSULTATION_GUARDS = frozenset({"has_date", "previous_steps_done"})
#: Effects a lifecycle transition may name; the engine implements each one.
PAPER_EFFECTS = frozenset({"request_co_signatures", "freeze_text", "close_open_steps"})
CONSULTATION_EFFECTS = frozenset({"advance_paper"})
MEETING_GUARDS = frozenset({"has_agenda"})
MEETING_EFFECTS: frozenset[str] = frozenset()

LIFECYCLE_NAMES = ("paper", "consultation")
#: What a state of each lifecycle is called in a message ("Status einer Vorlage 'x' …").
_STATE_KINDS = {
    "paper": N_("paper state"),
    "consultation": N_("step state"),
    "meeting": N_("meeting state"),
}
#: Lifecycles a definitions version may lack: versions stored before meetings existed.
OPTIONAL_LIFECYCLE_NAMES = ("meeting",)


@dataclass(frozen=True, slots=True, kw_only=True)
class Body:
    id: str
    name: str
    short_name: str
    state: str  # Bundesland code: "RP", "SL", "NW", ...
    time_zone: str = "Europe/Berlin"
    ags: str | None = None  # Amtlicher Gemeindeschlüssel, 8 digits
    ars: str | None = None  # Amtlicher Regionalschlüssel, 12 digits


@dataclass(frozen=True, slots=True, kw_only=True)
class Organization:
    id: str
    name: str
    kind: OrganizationKind
    short_name: str | None = None
    seats: int | None = None  # statutory seats, for quorum (deliberating bodies only)
    public: bool = True  # default publicity of its consultations
    #: how long its meetings take when one is planned without an end; None: the default
    meeting_length_minutes: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PaperType:
    id: str
    name: str
    numbering: str  # e.g. "V/{year}/{seq}" or "{year}/{seq:04d}"; "{origin}-E{seq:02d}"
    needs_concluding_step: bool = True
    #: The type of this type's Ergänzungsvorlagen; None: papers of this type get none.
    supplement_type: str | None = None
    #: Roles the concluding step may have (Mitteilungsvorlage: kenntnisnahme); empty: any.
    concluding_roles: frozenset[ConsultationRole] = frozenset()
    submitted_by: Submitter = Submitter.OFFICE
    #: Anfrage: the administration answers; the concluding result needs the answer.
    answered: bool = False
    #: False: results of this type's steps carry no vote (an Anfrage ends without one).
    votes: bool = True

    @property
    def is_supplement(self) -> bool:
        """An Ergänzungsvorlage type: numbered from its original ("{origin}" in numbering)."""
        return "{origin" in self.numbering


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteStep:
    organization: str
    role: ConsultationRole
    public: bool | None = None  # None: the organization's default


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutingTemplate:
    """The default Beratungsfolge for a kind of matter (Zuständigkeitsordnung)."""

    id: str
    name: str
    steps: tuple[RouteStep, ...]
    legal_basis: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    id: str
    name: str
    roles: frozenset[Role]
    offices: frozenset[str] = frozenset()  # organization ids of kind office
    email: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class VotingRule:
    """How a Gremium counts: the majority and the quorum (Beschlussfähigkeit)."""

    #: False: abstentions are not votes cast, so a motion passes with more Ja than Nein
    #: (e.g. GemO RP § 40, GO NRW § 50). True: it needs more Ja than Nein and abstentions.
    abstentions_count: bool = False
    #: Quorate when more than this share of the statutory seats is present (e.g. one half).
    quorum_share: float = 0.5
    legal_basis: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Procedure:
    """The municipality's voting rules and its extra result labels."""

    voting: VotingRule = field(default_factory=VotingRule)
    organizations: Mapping[str, VotingRule] = field(default_factory=dict)
    #: Labels of the municipality's minutes (case-insensitive) -> normalised outcome.
    outcome_labels: Mapping[str, Outcome] = field(default_factory=dict)
    #: The same labels as the definitions write them (casefolded -> "Kenntnis genommen").
    written_labels: Mapping[str, str] = field(default_factory=dict)

    def voting_rule(self, org_id: str) -> VotingRule:
        return self.organizations.get(org_id, self.voting)

    def outcome(self, text: str) -> Outcome | None:
        """The outcome a normalised id, a configured label (case-insensitive) or the
        outcome's own label (exact, as ``ratsweg definitions outcomes`` shows it) stands for.
        The municipality's labels come first, as in the OParl import."""
        try:
            return Outcome(text)
        except ValueError:
            pass
        configured = self.outcome_labels.get(text.strip().casefold())
        return configured if configured is not None else Outcome.by_label(text.strip())

    def outcome_names(self) -> list[str]:
        """Every text :meth:`outcome` understands: the normalised ids, the outcomes' labels
        and the municipality's labels."""
        names = [o.value for o in Outcome] + [o.label for o in Outcome]
        return list(dict.fromkeys(names + sorted(self.outcome_labels)))


@dataclass(frozen=True, slots=True, kw_only=True)
class OParlMapping:
    """How ``ratsweg oparl import`` maps another system's OParl data onto these definitions.

    Keys are matched as given (organizations: the OParl id, a URL, or the name; paper types
    and roles: the OParl ``paperType`` and ``role`` text, case-insensitively).
    """

    organizations: Mapping[str, str] = field(default_factory=dict)
    paper_types: Mapping[str, str] = field(default_factory=dict)
    roles: Mapping[str, ConsultationRole] = field(default_factory=dict)
    office: str | None = None  # the office of papers whose underDirectionOf is not known


class CoSignerRule(StrEnum):
    """Who acts with the Bürgermeister in a Dringlichkeitsentscheidung (domain.md 2.4)."""

    REQUIRED = "required"  # GO NRW § 60 Abs. 1 S. 2: with one Ratsmitglied
    CONSULTED = "consulted"  # GemO RP § 48: im Benehmen mit den Beigeordneten (named)
    NONE = "none"  # KSVG § 61: the Bürgermeister alone


@dataclass(frozen=True, slots=True, kw_only=True)
class UrgentDecisionRule:
    """Dringlichkeitsentscheidung: who signs with the Bürgermeister, what follows it."""

    follow_up: ConsultationRole  # genehmigung (NW) or kenntnisnahme (RP, SL)
    co_signer: CoSignerRule
    legal_basis: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectionRule:
    """Widerspruch, Beanstandung or Aussetzung of a decision (domain.md 2.6)."""

    kind: ObjectionKind
    legal_basis: str | None = None
    within_days: int | None = None  # filed at the latest this many days after the decision
    earliest_days: int | None = None  # the re-decision meets no earlier than this day ...
    latest_days: int | None = None  # ... and no later than this day after the objection
    repeatable: bool = True  # False: no second objection of this kind (GO NRW § 54 Abs. 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class DelegatedRule:
    """A committee with delegated competence whose decisions wait for an Einspruchsfrist."""

    days: int  # calendar days after the decision
    escalate_to: str  # the Gremium that decides after an Einspruch (the Rat)
    members_share: float = 0.2  # an Einspruch needs this share of the committee's seats
    legal_basis: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionRules:
    """The optional ``decisions`` section; empty: none of these procedures is configured."""

    urgent: UrgentDecisionRule | None = None
    objections: Mapping[ObjectionKind, ObjectionRule] = field(default_factory=dict)
    #: Re-decisions after an objection to a committee's decision go here (GO NRW § 54 Abs. 3).
    committee_objections_to: str | None = None
    delegated: Mapping[str, DelegatedRule] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class LifecycleState:
    id: str
    label: str
    final: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class LifecycleTransition:
    trigger: str
    sources: tuple[str, ...]
    dest: str
    label: str
    roles: frozenset[Role] = frozenset()  # empty: fired by the engine only, never by a user
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Lifecycle:
    name: str  # "paper", "consultation" or "meeting"
    initial: str
    states: tuple[LifecycleState, ...]
    transitions: tuple[LifecycleTransition, ...]

    def state(self, state_id: str) -> LifecycleState:
        for state in self.states:
            if state.id == state_id:
                return state
        kind = _STATE_KINDS.get(self.name, N_("state"))
        raise not_found(kind, state_id, (s.id for s in self.states), vocabulary=True)

    def state_label(self, state_id: str) -> str:
        """The definitions' name of a state; the catalogue's, or the id, for one this version
        does not know."""
        return next((s.label for s in self.states if s.id == state_id), state_text(state_id))

    def trigger_label(self, trigger: str, source: str | None = None) -> str:
        """The definitions' name of a trigger (from ``source`` where its transitions' labels
        differ); the catalogue's, or the id, for one this version does not know."""
        named = [t for t in self.transitions if t.trigger == trigger]
        here = [t for t in named if source in t.sources] or named
        return here[0].label if here else action_label(trigger)

    def transition(self, trigger: str, source: str) -> LifecycleTransition | None:
        for transition in self.transitions:
            if transition.trigger == trigger and source in transition.sources:
                return transition
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Catalog:
    """One municipality's definitions at one version (``version`` is a content hash)."""

    version: str
    source: str  # the directory it was loaded from
    files: Mapping[str, str]  # file name -> text, exactly as hashed
    body: Body
    organizations: Mapping[str, Organization]
    paper_types: Mapping[str, PaperType]
    routes: Mapping[str, RoutingTemplate]
    users: Mapping[str, User]
    lifecycles: Mapping[str, Lifecycle]
    permissions: Mapping[Action, frozenset[Role]]
    procedure: Procedure = field(default_factory=Procedure)
    loaded_at: dt.datetime | None = field(default=None, compare=False)
    deadlines: DeadlineRules = field(default_factory=DeadlineRules)  # the optional section
    decisions: DecisionRules = field(default_factory=DecisionRules)  # the optional section
    oparl: OParlMapping = field(default_factory=OParlMapping)  # the optional section

    def calendar(self) -> WorkingCalendar:
        """The working days of the municipality: its state's holidays, its own days off."""
        return working_calendar(self.body.state, self.body.time_zone, self.deadlines.days_off)

    def organization(self, org_id: str) -> Organization:
        try:
            return self.organizations[org_id]
        except KeyError:
            raise not_found(
                N_("organization"), org_id, self.organizations, listed_in=SHOW
            ) from None

    def procedure_configured(self, trigger: str) -> bool:
        """False for a paper trigger whose decision procedure (Dringlichkeitsentscheidung,
        Widerspruch, Beanstandung, Aussetzung, Einspruch) the ``decisions`` section does not
        configure: the lifecycles are shared, the procedures are not."""
        if trigger == "decide_urgently":
            return self.decisions.urgent is not None
        kind = _PROCEDURE_TRIGGERS.get(trigger)
        if kind is ObjectionKind.EINSPRUCH:
            return bool(self.decisions.delegated)
        return kind is None or kind in self.decisions.objections

    def meeting_length(self, org_id: str) -> dt.timedelta:
        """How long a meeting of ``org_id`` takes when it is planned without an end: the
        organization's ``meeting_length_minutes``, else ``DEFAULT_MEETING_MINUTES``."""
        org = self.organizations.get(org_id)
        minutes = org.meeting_length_minutes if org else None
        return dt.timedelta(minutes=minutes or DEFAULT_MEETING_MINUTES)

    def organization_name(self, org_id: str) -> str:
        """The organization's name; its id when this version does not know it (a paper kept
        from an older version may name an organization the current one dropped)."""
        org = self.organizations.get(org_id)
        return org.name if org else org_id

    def office(self, org_id: str) -> Organization:
        """An office; an unknown id and a Gremium's id are refused alike, naming the offices."""
        org = self.organizations.get(org_id)
        if org is None or org.kind is not OrganizationKind.OFFICE:
            offices = [
                o.id for o in self.organizations.values() if o.kind is OrganizationKind.OFFICE
            ]
            raise not_found(N_("office"), org_id, offices, listed_in=SHOW)
        return org

    def body_organization(self, org_id: str) -> Organization:
        """A deliberating organization (Gremium): anything but an office; an unknown id and an
        office's id are refused alike, naming the Gremien."""
        org = self.organizations.get(org_id)
        if org is None or not org.kind.deliberates:
            gremien = [o.id for o in self.organizations.values() if o.kind.deliberates]
            raise not_found(N_("deliberating organization"), org_id, gremien, listed_in=SHOW)
        return org

    def paper_type(self, type_id: str) -> PaperType:
        try:
            return self.paper_types[type_id]
        except KeyError:
            raise not_found(
                N_("paper type"), type_id, self.paper_types, listed_in="paper_types.yaml"
            ) from None

    def route(self, route_id: str) -> RoutingTemplate:
        try:
            return self.routes[route_id]
        except KeyError:
            raise not_found(
                N_("routing template"), route_id, self.routes, listed_in="routes.yaml"
            ) from None

    def user(self, user_id: str) -> User:
        try:
            return self.users[user_id]
        except KeyError:
            where = _("in the definitions of {body}").format(body=self.body.name)
            raise not_found(
                N_("user"), user_id, self.users, where, listed_in="users.yaml"
            ) from None

    def lifecycle(self, name: str) -> Lifecycle:
        return self.lifecycles[name]
