"""The optional ``deadlines`` section: Ladungsfristen, lead times, days off and reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import Any

from workflow.core.deadlines import (
    DayOff,
    DayUnit,
    DeadlineRules,
    LeadTimeRule,
    NonWorkingDayPolicy,
    NoticeEvent,
    NoticeRule,
    ReminderRule,
    ReportRule,
    RuleSet,
    RuleSource,
)
from workflow.core.i18n import N_, _
from workflow.core.model import OrganizationKind, Role
from workflow.definitions.checks import (
    _E,
    MAX_DAYS,
    MAX_MONTHS,
    _at_least,
    _enum,
    _items,
    _record,
    _strings,
    unknown_value,
)
from workflow.definitions.sections import Orgs
from workflow.definitions.yaml_reader import _Ctx, _line, _Map

_DEADLINES = {"days_off": "list", "default": "map", "organizations": "map", "reminders": "map"}
_REMINDERS = {"lead_days": "int", "escalate_after_hours": "int", "escalate_to": "str_or_list"}
_ESCALATION_ROLES = ("office_head", "session_office")
_DAY_OFF = {"name": "str", "date": "str", "annual": "str", "easter": "int"}
_RULE_KINDS = (
    "notice",
    "urgent_notice",
    "submission_cutoff",
    "co_signing",
    "implementation_report",
)
_RULE_SET = {"meeting_time": "str", **dict.fromkeys(_RULE_KINDS, "map")}
_SOURCE = {"legal_basis": "str", "note": "str", "verified": "bool"}
_COUNTING = {
    "unit": "str",
    "count_event_day": "bool",
    "count_meeting_day": "bool",
    "event": "str",
    "delivery_days": "int",
    "delivery_unit": "str",
}
_NOTICE = {"days": "int", **_COUNTING, "on_non_working_day": "str", **_SOURCE}
_LEAD_TIME = {"days": "int", "unit": "str", "on_non_working_day": "str", **_SOURCE}
_REPORT = {"months": "int", **_SOURCE}
#: What the enum-valued keys of a Ladungsfrist are called in a problem.
_ENUM_NAMES = {
    "unit": N_("unit"),
    "event": N_("event"),
    "delivery_unit": N_("delivery unit"),
}
_NOTICE_REQUIRED = ("days", "unit", "count_event_day", "count_meeting_day", "event")


def _source(rec: Mapping[str, Any]) -> RuleSource:
    return RuleSource(**{key: rec[key] for key in _SOURCE if key in rec})


def _policy(
    ctx: _Ctx, node: _Map, rec: Mapping[str, Any], path: str, unit: DayUnit | None, forward: bool
) -> NonWorkingDayPolicy | None:
    if "on_non_working_day" not in rec:
        return NonWorkingDayPolicy.KEEP
    line, at = _line(node, "on_non_working_day"), f"{path}.on_non_working_day"
    policy = _enum(ctx, NonWorkingDayPolicy, rec["on_non_working_day"], line, at, N_("policy"))
    if policy is not None and unit not in (None, DayUnit.CALENDAR_DAYS):
        message = _(
            "a {unit} rule never ends on a non-working day; remove on_non_working_day"
        ).format(unit=unit)
        ctx.add(line, at, message)
    elif policy is NonWorkingDayPolicy.NEXT_WORKING_DAY and not forward:
        message = _("next_working_day would cut the period short; use keep or previous_working_day")
        ctx.add(line, at, message)
    return policy


def _notice(
    ctx: _Ctx, node: Any, line: int, path: str, base: Mapping[str, Any] | None
) -> tuple[NoticeRule | None, dict[str, Any] | None]:
    """A Ladungsfrist and its record ({} when invalid); an urgent one takes the counting keys
    it does not set from ``base``."""
    required = _NOTICE_REQUIRED if base is None else ("days",)
    rec = _record(ctx, node, line, path, _NOTICE, required)
    if rec is None:
        return None, {}
    before = len(ctx.problems)
    rec = {**{k: v for k, v in (base or {}).items() if k in _COUNTING}, **rec}

    def enum(key: str, kind: type[_E]) -> _E | None:
        if key not in rec:
            return None
        return _enum(ctx, kind, rec[key], _line(node, key), f"{path}.{key}", _ENUM_NAMES[key])

    unit, event = enum("unit", DayUnit), enum("event", NoticeEvent)
    values = {"unit": unit, "event": event, "delivery_unit": enum("delivery_unit", DayUnit)}
    _at_least(ctx, node, rec, "days", path, 1, MAX_DAYS)
    _at_least(ctx, node, rec, "delivery_days", path, 0, MAX_DAYS)
    if rec.get("delivery_days") and event is NoticeEvent.DISPATCH:
        message = _(
            "delivery_days applies only to 'event: receipt'; remove it or measure to receipt"
        )
        ctx.add(_line(node, "delivery_days"), f"{path}.delivery_days", message)
    policy = _policy(ctx, node, rec, path, unit, forward=False)
    if len(ctx.problems) > before or policy is None:
        return None, {}
    fields = {k: v for k, v in rec.items() if k in _COUNTING or k == "days"} | {
        k: v for k, v in values.items() if v is not None
    }
    rule = NoticeRule(**fields, on_non_working_day=policy, source=_source(rec))
    return rule, rec


def _lead_time(ctx: _Ctx, node: Any, line: int, path: str, forward: bool) -> LeadTimeRule | None:
    rec = _record(ctx, node, line, path, _LEAD_TIME, ("days", "unit"))
    if rec is None:
        return None
    before = len(ctx.problems)
    unit = _enum(ctx, DayUnit, rec["unit"], _line(node, "unit"), f"{path}.unit", N_("unit"))
    _at_least(ctx, node, rec, "days", path, 0, MAX_DAYS)
    policy = _policy(ctx, node, rec, path, unit, forward)
    if len(ctx.problems) > before or unit is None or policy is None:
        return None
    return LeadTimeRule(days=rec["days"], unit=unit, on_non_working_day=policy, source=_source(rec))


def _report(ctx: _Ctx, node: Any, line: int, path: str) -> ReportRule | None:
    rec = _record(ctx, node, line, path, _REPORT, ("months",))
    if rec is None:
        return None
    before = len(ctx.problems)
    _at_least(ctx, node, rec, "months", path, 1, MAX_MONTHS)
    return (
        ReportRule(months=rec["months"], source=_source(rec))
        if len(ctx.problems) == before
        else None
    )


def _meeting_time(ctx: _Ctx, value: str, line: int, path: str) -> dt.time | None:
    try:
        return dt.datetime.strptime(value, "%H:%M").time()
    except ValueError:
        message = _("meeting_time {value!r} is not a time; use HH:MM, e.g. '18:00'")
        ctx.add(line, path, message.format(value=value))
        return None


def _rule_set(
    ctx: _Ctx,
    node: Any,
    line: int,
    path: str,
    inherited_notice: Mapping[str, Any] | None,
    kind: OrganizationKind | None,
) -> tuple[RuleSet | None, dict[str, Any] | None]:
    """One organization's rules (or the defaults, kind None) and its raw notice record."""
    rec = _record(ctx, node, line, path, _RULE_SET, ())
    if rec is None:
        return None, {}
    before = len(ctx.problems)
    for key in rec:
        office_rule = key == "co_signing"
        if kind is not None and kind.deliberates == office_rule:
            if kind is OrganizationKind.OFFICE:
                message = _("{key!r} does not apply to offices (kind {kind}); use co_signing")
            else:
                message = _(
                    "{key!r} does not apply to Gremien (kind {kind}); use every rule but co_signing"
                )
            message = message.format(key=key, kind=kind.value)
            ctx.add(_line(node, key), f"{path}.{key}", message)
    where = {key: (rec[key], _line(node, key), f"{path}.{key}") for key in rec}
    meeting_time = _meeting_time(ctx, *where["meeting_time"]) if "meeting_time" in rec else None
    notice, notice_rec = _notice(ctx, *where["notice"], None) if "notice" in rec else (None, None)
    base = notice_rec if "notice" in rec else inherited_notice  # {}: invalid, already reported
    urgent = None
    if "urgent_notice" in rec and base:
        urgent = _notice(ctx, *where["urgent_notice"], base)[0]
    elif "urgent_notice" in rec and base is None:
        message = _("urgent_notice needs a notice rule to take its counting from; add 'notice'")
        ctx.add(where["urgent_notice"][1], where["urgent_notice"][2], message)
    submission = (
        _lead_time(ctx, *where["submission_cutoff"], False) if "submission_cutoff" in rec else None
    )
    co_signing = _lead_time(ctx, *where["co_signing"], True) if "co_signing" in rec else None
    report = (
        _report(ctx, *where["implementation_report"]) if "implementation_report" in rec else None
    )
    if len(ctx.problems) > before:
        return None, notice_rec
    rules = RuleSet(
        meeting_time=meeting_time,
        notice=notice,
        urgent_notice=urgent,
        submission_cutoff=submission,
        co_signing=co_signing,
        implementation_report=report,
    )
    return rules, notice_rec


def _day_off(ctx: _Ctx, node: Any, line: int, path: str) -> DayOff | None:
    rec = _record(ctx, node, line, path, _DAY_OFF, ("name",))
    if rec is None:
        return None
    given = [key for key in ("date", "annual", "easter") if key in rec]
    if len(given) != 1:
        message = _("give exactly one of date ('2025-12-24'), annual ('12-24') or easter (-48)")
        ctx.add(line, path, message)
        return None
    key = given[0]
    value, at, key_line = rec[key], f"{path}.{key}", _line(node, key)
    try:
        if key == "date":
            return DayOff(name=rec["name"], date=dt.date.fromisoformat(value))
        if key == "annual":
            day = dt.datetime.strptime(f"2000-{value}", "%Y-%m-%d").date()  # 2000: 02-29 exists
            return DayOff(name=rec["name"], annual=(day.month, day.day))
    except ValueError:
        example = _("YYYY-MM-DD, e.g. '2025-12-24'") if key == "date" else _("MM-DD, e.g. '12-24'")
        message = _("{key} {value!r} is not a valid date; use {example}")
        ctx.add(key_line, at, message.format(key=key, value=value, example=example))
        return None
    if not -100 <= value <= 100:
        message = _("easter offset {value} is outside -100..100 days").format(value=value)
        ctx.add(key_line, at, message)
        return None
    return DayOff(name=rec["name"], easter_offset=value)


def _reminders(
    ctx: _Ctx,
    node: Any,
    line: int,
    users: Collection[str] | None,
    orgs: Orgs | None = None,
) -> ReminderRule:
    """``deadlines.reminders``: lead time and escalation (who, after how many hours).

    An escalation target is ``office_head`` (the heads of the office concerned),
    ``session_office``, another role (every user holding it), an office id (every user of the
    office), a user id or an e-mail address."""
    path = "deadlines.reminders"
    rec = _record(ctx, node, line, path, _REMINDERS, ())
    if rec is None:
        return ReminderRule()
    _at_least(ctx, node, rec, "lead_days", path, 0, MAX_DAYS)
    _at_least(ctx, node, rec, "escalate_after_hours", path, 0, 24 * MAX_DAYS)
    targets = _strings(
        ctx, rec.get("escalate_to", []), _line(node, "escalate_to"), f"{path}.escalate_to"
    )
    roles = dict.fromkeys([*_ESCALATION_ROLES, *(r.value for r in Role)])
    offices = (
        None
        if orgs is None
        else [i for i, o in orgs.items() if o is None or o.kind is OrganizationKind.OFFICE]
    )
    for value, at_line, at in targets:
        known = (
            users is None
            or value in users
            or value in roles
            or "@" in value
            or offices is None
            or value in offices
        )
        if not known:
            choices = list(dict.fromkeys([*roles, *(offices or ()), *(users or ())]))
            message = unknown_value(N_("escalation target"), value, choices) + _(
                "; use office_head, session_office, another role, an office id, a user id or an "
                "e-mail address"
            )
            ctx.add(at_line, at, message)
    if ("escalate_after_hours" in rec) != bool(targets):
        message = _("escalate_after_hours and escalate_to go together; give both or neither")
        ctx.add(line, path, message)
    return ReminderRule(
        lead_days=rec.get("lead_days", 2),
        escalate_after_hours=rec.get("escalate_after_hours"),
        escalate_to=tuple(value for value, _, _ in targets),
    )


def _deadlines(
    ctx: _Ctx, node: Any, line: int, orgs: Orgs | None, users: Collection[str] | None = None
) -> DeadlineRules | None:
    rec = _record(ctx, node, line, "deadlines", _DEADLINES, ())
    if rec is None:
        return None
    before = len(ctx.problems)
    reminders = (
        _reminders(ctx, rec["reminders"], _line(node, "reminders"), users, orgs)
        if "reminders" in rec
        else None
    )
    days_off_line = _line(node, "days_off")
    entries = _items(ctx, rec.get("days_off", []), days_off_line, "deadlines.days_off")
    days_off = [_day_off(ctx, *entry) for entry in entries]
    default, notice = RuleSet(), None
    if "default" in rec:
        built, notice = _rule_set(
            ctx, rec["default"], _line(node, "default"), "deadlines.default", None, None
        )
        default = built or default
    organizations: dict[str, RuleSet] = {}
    org_nodes = rec.get("organizations") or _Map(line)
    for org_id, value in org_nodes.items():
        org_line, path = org_nodes.key_lines[org_id], f"deadlines.organizations.{org_id}"
        org = orgs.get(org_id) if orgs is not None else None
        if orgs is not None and org_id not in orgs:
            message = unknown_value(N_("organization"), org_id, list(orgs))
            ctx.add(org_line, path, message)
        rules = _rule_set(ctx, value, org_line, path, notice, org.kind if org else None)[0]
        if rules is not None:
            organizations[org_id] = rules
    if len(ctx.problems) > before:
        return None
    return DeadlineRules(
        default=default,
        organizations=MappingProxyType(organizations),
        days_off=tuple(d for d in days_off if d is not None),
        reminders=reminders,
    )
