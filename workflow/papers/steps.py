"""Helpers on a paper's steps shared by the path editing and the recording of results: finding
a step, the rule that an open path ends in one concluding step, levels, roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from storage import papers as paper_store
from storage.schema import (
    Consultation,
    Meeting,
    Paper,
)
from workflow.core.catalog import Catalog
from workflow.core.clock import local
from workflow.core.errors import (
    InvalidInput,
    NotFoundError,
    did_you_mean,
)
from workflow.core.i18n import _
from workflow.core.model import (
    OPEN_STEP_STATES,
    ConsultationRole,
    Outcome,
    ResultEffect,
)
from workflow.papers.types import (
    check_concluding,
    rules_type,
)


def step_at(paper: Paper, position: int) -> Consultation:
    for step in paper.consultations:
        if step.position == position:
            return step
    count = len(paper.consultations)
    raise NotFoundError(
        _("{number} has no step {position} (its path has {count} steps)").format(
            number=paper.number, position=position, count=count
        )
    )


def hint(value: str, enum: Iterable[Any]) -> str:
    values = [str(e.value) for e in enum]
    return did_you_mean(value, values) or _(" (use one of {values})").format(
        values=", ".join(values)
    )


def check_path_concludes(catalog: Catalog, paper: Paper) -> None:
    """A paper's open steps lead to at most one concluding step, last and alone on its
    level. A released paper must still have it, of a role its paper type allows
    (``catalog``: the paper's definitions version); a draft may lack it while it is being
    built (``submit`` asks for it)."""
    open_steps = sorted(
        (c for c in paper.consultations if c.state in OPEN_STEP_STATES),
        key=lambda c: c.position,
    )
    concluding = [c for c in open_steps if ConsultationRole(c.role).concludes]
    if paper.frozen:
        roles = [c.role for c in open_steps]
        check_concluding(rules_type(catalog, paper), paper.number, roles)
    elif not concluding:
        return
    if not concluding:
        raise InvalidInput(
            _(
                "{number} would have no Entscheidung or Kenntnisnahme left; keep or add "
                "a concluding step"
            ).format(number=paper.number)
        )
    last = concluding[-1]
    if len(concluding) > 1 or last is not open_steps[-1]:
        raise InvalidInput(
            _(
                "{number} may have one concluding step only, at the end of its path "
                "(found {positions})"
            ).format(
                number=paper.number,
                positions=", ".join(str(c.position) for c in concluding),
            )
        )
    if any(c.level == last.level for c in open_steps if c is not last):
        raise InvalidInput(_("the concluding step must be alone on the last level"))


def routing_arguments(
    catalog: Catalog,
    result: Outcome,
    refer_to: str | None,
    refer_role: str | None,
    target_date: dt.date | None,
    amended_text: str | None,
) -> dict[str, Any]:
    """The arguments the outcome's routing effect needs, checked; refused if misplaced."""
    effect, extra = result.effect, dict[str, Any]()
    if effect is ResultEffect.REFER:
        if not refer_to:
            raise InvalidInput(
                _("{value!r} needs the body it goes to").format(value=result.value),
                field="refer_to",
            )
        extra["refer_to"] = catalog.body_organization(refer_to).id
        extra["refer_role"] = parse_role(refer_role or "vorberatung").value
    elif refer_to or refer_role:
        raise InvalidInput(
            _("only ueberwiesen or zurueckverwiesen go to another body, not {value!r}").format(
                value=result.value
            ),
            field="refer_to",
        )
    if target_date is not None:
        if not effect.repeats_step:
            raise InvalidInput(
                _(
                    "only vertagt, zurueckgestellt or abgesetzt take a target date, not {value!r}"
                ).format(value=result.value),
                field="target_date",
            )
        extra["target_date"] = target_date
    if result.amends_text and not (amended_text and amended_text.strip()):
        raise InvalidInput(
            _("{value!r} changes the wording; give the amended text").format(value=result.value),
            field="amended_text",
        )
    if amended_text is not None and not result.amends_text:
        raise InvalidInput(
            _(
                "an amended text fits only geaendert_beschlossen or "
                "mit_aenderungen_empfohlen, not {value!r}"
            ).format(value=result.value)
        )
    return extra


def parse_role(role: str) -> ConsultationRole:
    try:
        return ConsultationRole(role)
    except ValueError:
        raise InvalidInput(
            _("unknown role {role!r}{hint}").format(role=role, hint=hint(role, ConsultationRole))
        ) from None


def check_window(session: Session, paper: Paper, step: Consultation, day: dt.date) -> None:
    """Refuse a meeting day for a re-decision step outside its objection window."""
    row = paper_store.decision_window(session, paper.id, step.position)
    if row is not None and not inside_window(day, row.window_start, row.window_end):
        raise InvalidInput(outside_window(day, row.window_start, row.window_end, row.legal_basis))


def inside_window(day: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)


def outside_window(
    day: dt.date, start: dt.date | None, end: dt.date | None, basis: str | None
) -> str:
    bounds = _(" and ").join(
        text
        for text in (
            _("no earlier than {start:%d.%m.%Y}").format(start=start) if start else "",
            _("no later than {end:%d.%m.%Y}").format(end=end) if end else "",
        )
        if text
    )
    return _(
        "{basis}: the re-decision must meet {bounds}; {day:%d.%m.%Y} is outside that window"
    ).format(basis=basis or _("the definitions"), bounds=bounds, day=day)


def meeting_label(catalog: Catalog, meeting: Meeting) -> str:
    """``Sitzung 4 (HFA, 13.12.2011 17:00)``: a meeting as messages name it."""
    return _("meeting {id} ({name}, {when})").format(**meeting_label_values(catalog, meeting))


def meeting_label_values(catalog: Catalog, meeting: Meeting) -> dict[str, object]:
    """The values of a meeting's label, for messages that name it in one id with their own."""
    org = catalog.organizations.get(meeting.organization_id)
    name = org.short_name or org.name if org else meeting.organization_id
    return {"id": meeting.id, "name": name, "when": _when(meeting.start)}


def _when(instant: dt.datetime) -> str:
    return local(instant).strftime("%d.%m.%Y %H:%M")
