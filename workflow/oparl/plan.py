"""How one OParl paper becomes a ratsweg paper: its type, office and Beratungsfolge, checked
before anything is written (pure; no database).

The consultations are put in the order of their meetings (OParl does not promise any order).
Roles: ``Entscheidung``/``Kenntnisnahme``/``Vorberatung``/``Anhörung`` as named; ``Beratung``,
``Behandlung``, ``unbekannt`` or no role (SD.NET) follow from the position: the last step
concludes the paper (Kenntnisnahme when its result only takes note, else Entscheidung), earlier
ones are Vorberatungen. Without a named role the last step decides a Beschlussvorlage (and
takes note of a Mitteilungs- or Informationsvorlage); for other kinds its result tells. A concluding role on an earlier step becomes a Vorberatung, unless a
named Vorberatung or Anhörung follows it: a decision before a required Vorberatung is reported.

Results that re-route are matched against the next consultation of the source: "vertagt"
followed by the same body again is that body's repeated step (the engine inserts it; the next
consultation is bound to it), and a referral followed by the body it went to is recorded as
"vertagt in Folgegremium" (no vote here, the next body goes on) with the original text kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workflow.core.catalog import Catalog, Organization
from workflow.core.clock import local
from workflow.core.errors import InvalidInput
from workflow.core.i18n import _
from workflow.core.model import ConsultationRole, Outcome, ResultEffect
from workflow.oparl.results import MappedResult, map_result
from workflow.oparl.source import Source

_R = ConsultationRole
#: OParl role texts (case-insensitive) -> role; None: follows from the position.
DEFAULT_ROLES: dict[str, ConsultationRole | None] = {
    "entscheidung": _R.ENTSCHEIDUNG,
    "beschlussfassung": _R.ENTSCHEIDUNG,
    "kenntnisnahme": _R.KENNTNISNAHME,
    "vorberatung": _R.VORBERATUNG,
    "anhörung": _R.ANHOERUNG,
    "beratung": None,
    "behandlung": None,
    "unbekannt": None,
}
#: Paper types (``paperType``) whose last step without a named role decides or takes note.
_DECISION = re.compile(r"beschluss|tischvorlage|haushalt", re.IGNORECASE)
_INFORMATION = re.compile(r"mitteilung|information|anfrage|bericht", re.IGNORECASE)


@dataclass(slots=True)
class StepPlan:
    """One consultation of the source as a step of the path."""

    oparl_id: str
    organization: Organization
    oparl_role: str | None
    named_role: ConsultationRole | None  # what the OParl role says, if anything
    role: ConsultationRole | None = None
    meeting: dict[str, Any] | None = None
    agenda_item: dict[str, Any] | None = None
    start: dt.datetime | None = None
    result: MappedResult | None = None
    produced: bool = False  # the previous step's result (vertagt) creates this step
    skip: bool = False  # a referral to the next step's body: recorded as vertagt in Folgegremium

    @property
    def date(self) -> dt.date | None:
        return local(self.start).date() if self.start else None

    def describe(self, position: int) -> str:
        when = _(" on {date:%d.%m.%Y}").format(date=self.date) if self.date else ""
        return _("consultation {position} ({name}{when})").format(
            position=position, name=self.organization.name, when=when
        )


@dataclass(slots=True)
class PaperPlan:
    oparl_id: str
    source: str
    reference: str
    title: str
    paper_type: str
    office: str
    date: dt.date
    steps: list[StepPlan] = field(default_factory=list)


def plan_paper(paper: dict[str, Any], source: Source, catalog: Catalog) -> PaperPlan:
    """The paper as ratsweg will create it.

    :raises InvalidInput: the paper cannot be imported; the message says why.
    """
    oparl_id = paper["id"]
    reference = _text(paper, "reference", _("the Drucksachen-Nummer"))
    title = _text(paper, "name", _("the title"))
    type_name = _text(paper, "paperType", _("the kind of paper"))
    steps = [_step(c, source, catalog) for c in _consultations(paper, source)]
    if not steps:
        raise InvalidInput(_("it has no consultation (Beratungsfolge); there is no path to import"))
    steps.sort(key=lambda s: s.start or dt.datetime.max.replace(tzinfo=dt.UTC))
    _link(steps)
    _assign_roles(steps, type_name)
    return PaperPlan(
        oparl_id=oparl_id,
        source=source.origin.get(oparl_id, source.location),
        reference=reference,
        title=title,
        paper_type=_paper_type(catalog, type_name),
        office=_office(paper, catalog),
        date=_paper_date(paper, steps),
        steps=steps,
    )


def _text(obj: dict[str, Any], key: str, what: str) -> str:
    value = obj.get(key)
    if value is None or value == "":
        raise InvalidInput(_("'{key}' ({what}) is missing").format(key=key, what=what))
    if not isinstance(value, str):
        raise InvalidInput(
            _("'{key}' must be a string, got {kind} {value!r}").format(
                key=key, kind=type(value).__name__, value=value
            )
        )
    return " ".join(value.split())


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key, [])
    if not isinstance(value, list):
        raise InvalidInput(
            _("'{key}' must be a list, got {kind} {value!r}").format(
                key=key, kind=type(value).__name__, value=value
            )
        )
    return value


def _consultations(paper: dict[str, Any], source: Source) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for index, entry in enumerate(_list(paper, "consultation")):
        if isinstance(entry, str):
            resolved = source.get("Consultation", entry)
            if resolved is None:
                raise InvalidInput(
                    _("consultation {entry} is not in the source").format(entry=entry)
                )
            entry = resolved
        if not isinstance(entry, dict):
            raise InvalidInput(
                _("consultation[{index}] must be an object or a URL").format(index=index)
            )
        if entry.get("deleted") is not True:
            found.append(entry)
    if "consultation" not in paper:  # OParl 1.1 may list them only on their own
        found = [c for c in source.of_type("Consultation") if c.get("paper") == paper["id"]]
    return found


def _step(consultation: dict[str, Any], source: Source, catalog: Catalog) -> StepPlan:
    oparl_id = consultation.get("id", "?")
    orgs = _list(consultation, "organization")
    if not orgs or not isinstance(orgs[0], str):
        raise InvalidInput(
            _("consultation {oparl_id} names no organization").format(oparl_id=oparl_id)
        )
    role = consultation.get("role")
    if role is not None and not isinstance(role, str):
        raise InvalidInput(
            _("consultation {oparl_id}: 'role' must be a string, got {role!r}").format(
                oparl_id=oparl_id, role=role
            )
        )
    step = StepPlan(
        oparl_id=oparl_id,
        organization=organization_for(orgs[0], source, catalog),
        oparl_role=role,
        named_role=oparl_role(role, catalog.oparl.roles),
    )
    meeting_id = consultation.get("meeting")
    if meeting_id is not None:
        if not isinstance(meeting_id, str):
            raise InvalidInput(
                _("consultation {oparl_id}: 'meeting' must be a URL").format(oparl_id=oparl_id)
            )
        step.meeting = source.get("Meeting", meeting_id)
        if step.meeting is None:
            raise InvalidInput(
                _("consultation {oparl_id}: its meeting {meeting_id} is not in the source").format(
                    oparl_id=oparl_id, meeting_id=meeting_id
                )
            )
        step.start = parse_instant(
            step.meeting.get("start"),
            _("meeting {meeting_id}: 'start'").format(meeting_id=meeting_id),
        )
        step.agenda_item = _agenda_item(step.meeting, consultation)
        text = step.agenda_item.get("result") if step.agenda_item else None
        if isinstance(text, str) and text.strip():
            step.result = map_result(text, catalog.procedure)
    return step


def organization_for(oparl_id: str, source: Source, catalog: Catalog) -> Organization:
    """The Gremium an OParl organization stands for: by the definitions' ``oparl``
    mapping (id or name), else by the same name or short name."""
    mapping = catalog.oparl.organizations
    org = source.get("Organization", oparl_id) or {}
    name = org.get("name") if isinstance(org.get("name"), str) else None
    local_id = mapping.get(oparl_id) or (mapping.get(name) if name else None)
    if local_id is None and name:
        wanted = name.casefold()
        local_id = next(
            (
                o.id
                for o in catalog.organizations.values()
                if wanted in (o.name.casefold(), (o.short_name or "").casefold())
            ),
            None,
        )
    if local_id is None:
        shown = f"{name!r} ({oparl_id})" if name else oparl_id
        raise InvalidInput(
            _(
                "consultation of an unknown organization {shown}; add it to the "
                "organizations of the definitions or map it under oparl.organizations"
            ).format(shown=shown)
        )
    found = catalog.organizations.get(local_id)
    if found is None or not found.kind.deliberates:
        raise InvalidInput(
            _("{oparl_id} is mapped to {local_id!r}, which is no Gremium").format(
                oparl_id=oparl_id, local_id=local_id
            )
        )
    return found


def _agenda_item(meeting: dict[str, Any], consultation: dict[str, Any]) -> dict[str, Any] | None:
    items = [i for i in _list(meeting, "agendaItem") if isinstance(i, dict)]
    wanted = consultation.get("agendaItem")
    for item in items:
        if wanted is not None and item.get("id") == wanted:
            return item
    return next((i for i in items if i.get("consultation") == consultation.get("id")), None)


def parse_instant(value: Any, what: str) -> dt.datetime:
    if not isinstance(value, str):
        raise InvalidInput(
            _("{what} must be a date-time such as 2021-07-01T18:00:00+02:00").format(what=what)
        )
    try:
        instant = dt.datetime.fromisoformat(value.replace("::", ":"))
    except ValueError:
        raise InvalidInput(
            _("{what} {value!r} is no date-time").format(what=what, value=value)
        ) from None
    if instant.tzinfo is None:
        raise InvalidInput(
            _("{what} {value!r} has no offset such as +01:00").format(what=what, value=value)
        )
    return instant


def _link(steps: list[StepPlan]) -> None:
    """Match re-routing results with the consultation that follows them."""
    for index, step in enumerate(steps):
        if step.result is None or step.result.outcome is None:
            continue
        effect = step.result.outcome.effect
        after = steps[index + 1] if index + 1 < len(steps) else None
        if effect.repeats_step and after and after.organization.id == step.organization.id:
            after.produced = True
        elif effect is ResultEffect.REFER:
            if after is None:
                raise InvalidInput(
                    _(
                        "{step}: {text!r} refers the paper, but the source has "
                        "no later consultation naming the body it went to"
                    ).format(step=step.describe(index + 1), text=step.result.text)
                )
            step.skip = True


def _assign_roles(steps: list[StepPlan], type_name: str) -> None:
    mapped = [s.named_role for s in steps]
    for index, role in enumerate(mapped):
        if role is _R.ENTSCHEIDUNG:
            _check_no_required_step_after(steps, index)
    last = steps[-1]
    role = mapped[-1]
    if role is None:
        noting = last.result is not None and last.result.outcome is Outcome.ZUR_KENNTNIS_GENOMMEN
        if _DECISION.search(type_name):
            role = _R.ENTSCHEIDUNG
        elif _INFORMATION.search(type_name) or noting:
            role = _R.KENNTNISNAHME
        else:
            role = _R.ENTSCHEIDUNG
    elif not role.concludes:
        raise InvalidInput(
            _(
                "its Beratungsfolge ends in {oparl_role!r} by {name}; the source has no "
                "Entscheidung or Kenntnisnahme"
            ).format(oparl_role=last.oparl_role, name=last.organization.name)
        )
    last.role = role
    for index in range(len(steps) - 2, -1, -1):
        step, following = steps[index], steps[index + 1]
        if following.produced:  # the same step again: same role
            step.role = following.role
            continue
        role = mapped[index]
        if role is not None and role.concludes:
            role = _R.VORBERATUNG
        step.role = role or _R.VORBERATUNG


def _check_no_required_step_after(steps: list[StepPlan], index: int) -> None:
    """A decision that a named Vorberatung or Anhörung follows cannot be explained."""
    for later_index in range(index + 1, len(steps)):
        later = steps[later_index]
        if later.named_role in (_R.VORBERATUNG, _R.ANHOERUNG):
            raise InvalidInput(
                _("the Entscheidung in {step} comes before the {oparl_role} in {later}").format(
                    step=steps[index].describe(index + 1),
                    oparl_role=later.oparl_role,
                    later=later.describe(later_index + 1),
                )
            )


def oparl_role(
    text: str | None, configured: Mapping[str, ConsultationRole]
) -> ConsultationRole | None:
    """The role an OParl role text names: the definitions' ``oparl.roles``, then the defaults;
    None when the position decides (no role, "unbekannt", "Beratung", an unknown text)."""
    if text is None:
        return None
    key = text.strip().casefold()
    return configured.get(key) or DEFAULT_ROLES.get(key)


def _paper_type(catalog: Catalog, name: str) -> str:
    key = name.casefold()
    mapped = catalog.oparl.paper_types.get(key)
    if mapped:
        return mapped
    for paper_type in catalog.paper_types.values():
        if key in (paper_type.name.casefold(), paper_type.id):
            return paper_type.id
    raise InvalidInput(
        _(
            "unknown paper type {name!r}; add it to paper_types (name: {name}) or "
            "map it under oparl.paper_types in the definitions"
        ).format(name=name)
    )


def _office(paper: dict[str, Any], catalog: Catalog) -> str:
    mapping = catalog.oparl.organizations
    for org_id in _list(paper, "underDirectionOf"):
        local_id = mapping.get(org_id) if isinstance(org_id, str) else None
        found = catalog.organizations.get(local_id or "")
        if found is not None and not found.kind.deliberates:
            return found.id
    if catalog.oparl.office:
        return catalog.oparl.office
    raise InvalidInput(
        _(
            "its office (underDirectionOf) is missing or not mapped; map it under "
            "oparl.organizations or set oparl.office in the definitions"
        )
    )


def _paper_date(paper: dict[str, Any], steps: list[StepPlan]) -> dt.date:
    value = paper.get("date")
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            raise InvalidInput(
                _("'date' {value!r} is no date such as 2021-07-01").format(value=value)
            ) from None
    if value is not None:
        raise InvalidInput(_("'date' must be a string, got {value!r}").format(value=value))
    first = next((s.date for s in steps if s.date), None)
    if first is None:
        raise InvalidInput(_("'date' is missing and no consultation has a meeting date"))
    return first
