"""The optional ``procedure`` (voting rules, outcome labels) and ``decisions`` sections
(Dringlichkeitsentscheidung, objections, delegated decisions).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from workflow.core.catalog import (
    CoSignerRule,
    DecisionRules,
    DelegatedRule,
    ObjectionRule,
    Procedure,
    UrgentDecisionRule,
    VotingRule,
)
from workflow.core.i18n import N_, _
from workflow.core.model import ConsultationRole, ObjectionKind, Outcome
from workflow.definitions.checks import (
    MAX_DAYS,
    _at_least,
    _check_type,
    _enum,
    _record,
    unknown_value,
)
from workflow.definitions.sections import Orgs, _org_ref
from workflow.definitions.yaml_reader import _Ctx, _line

_PROCEDURE = {"voting": "map", "organizations": "map", "outcome_labels": "map"}
_VOTING = {"abstentions": "str", "quorum_share": "number", "legal_basis": "str"}
_ABSTENTIONS = {"not_counted": False, "counted": True}


def _voting_rule(ctx: _Ctx, node: Any, line: int, path: str) -> VotingRule | None:
    rec = _record(ctx, node, line, path, _VOTING, ())
    if rec is None:
        return None
    before = len(ctx.problems)
    abstentions = rec.pop("abstentions", "not_counted")
    if abstentions not in _ABSTENTIONS:
        message = unknown_value(N_("rule"), abstentions, list(_ABSTENTIONS))
        ctx.add(_line(node, "abstentions"), f"{path}.abstentions", message)
    share = rec.get("quorum_share", 0.5)
    if not 0 < share < 1:
        message = _("quorum_share must be between 0 and 1 (e.g. 0.5), got {share}").format(
            share=share
        )
        ctx.add(_line(node, "quorum_share"), f"{path}.quorum_share", message)
    if len(ctx.problems) > before:
        return None
    return VotingRule(abstentions_count=_ABSTENTIONS[abstentions], **rec)


def _procedure(ctx: _Ctx, node: Any, line: int, orgs: Orgs | None) -> Procedure | None:
    rec = _record(ctx, node, line, "procedure", _PROCEDURE, ())
    if rec is None:
        return None
    before = len(ctx.problems)
    voting = VotingRule()
    if "voting" in rec:
        voting = (
            _voting_rule(ctx, rec["voting"], _line(node, "voting"), "procedure.voting") or voting
        )
    overrides: dict[str, VotingRule] = {}
    for org_id, value in rec.get("organizations", {}).items():
        org_line = rec["organizations"].key_lines[org_id]
        path = f"procedure.organizations.{org_id}"
        _org_ref(ctx, orgs, org_id, org_line, path, False)
        rule = _voting_rule(ctx, value, org_line, path)
        if rule is not None:
            overrides[org_id] = rule
    labels: dict[str, Outcome] = {}
    written: dict[str, str] = {}
    for label, value in rec.get("outcome_labels", {}).items():
        label_line = rec["outcome_labels"].key_lines[label]
        path = f"procedure.outcome_labels.{label}"
        if _check_type(ctx, value, "str", label_line, path):
            outcome = _enum(ctx, Outcome, value, label_line, path, N_("outcome"))
            if outcome is not None:
                labels[label.strip().casefold()] = outcome
                written[label.strip().casefold()] = label.strip()
    if len(ctx.problems) > before:
        return None
    return Procedure(
        voting=voting,
        organizations=MappingProxyType(overrides),
        outcome_labels=MappingProxyType(labels),
        written_labels=MappingProxyType(written),
    )


_DECISIONS = {
    "urgent_decision": "map",
    "objections": "map",
    "committee_objections_to": "str",
    "delegated": "map",
}
_URGENT = {"follow_up": "str", "co_signer": "str", "legal_basis": "str"}
_OBJECTION = {
    "legal_basis": "str",
    "within_days": "int",
    "earliest_days": "int",
    "latest_days": "int",
    "repeatable": "bool",
}
_DELEGATED = {"days": "int", "escalate_to": "str", "members_share": "number", "legal_basis": "str"}
_FOLLOW_UPS = (ConsultationRole.GENEHMIGUNG.value, ConsultationRole.KENNTNISNAHME.value)


def _urgent(ctx: _Ctx, node: Any, line: int) -> UrgentDecisionRule | None:
    path = "decisions.urgent_decision"
    rec = _record(ctx, node, line, path, _URGENT, ("follow_up", "co_signer"))
    if rec is None:
        return None
    follow_up, co_signer = rec["follow_up"], rec["co_signer"]
    if follow_up not in _FOLLOW_UPS:
        message = _("follow_up {value!r} must be one of {allowed}").format(
            value=follow_up, allowed=", ".join(_FOLLOW_UPS)
        )
        ctx.add(_line(node, "follow_up"), f"{path}.follow_up", message)
        return None
    policy = _enum(ctx, CoSignerRule, co_signer, _line(node, "co_signer"), path, N_("co_signer"))
    if policy is None:
        return None
    role = ConsultationRole(follow_up)
    return UrgentDecisionRule(follow_up=role, co_signer=policy, legal_basis=rec.get("legal_basis"))


def _objection(ctx: _Ctx, kind: str, node: Any, line: int) -> ObjectionRule | None:
    path = f"decisions.objections.{kind}"
    parsed = _enum(ctx, ObjectionKind, kind, line, path, N_("objection kind"))
    if parsed is ObjectionKind.EINSPRUCH:
        message = _("configure the Einspruch per committee under decisions.delegated")
        ctx.add(line, path, message)
        return None
    rec = _record(ctx, node, line, path, _OBJECTION, ())
    if rec is None or parsed is None:
        return None
    before = len(ctx.problems)
    for key in ("within_days", "earliest_days", "latest_days"):
        _at_least(ctx, node, rec, key, path, 0, MAX_DAYS)
    low, high = rec.get("earliest_days"), rec.get("latest_days")
    if low is not None and high is not None and low > high:
        message = _("earliest_days {low} is after latest_days {high}").format(low=low, high=high)
        ctx.add(_line(node, "earliest_days"), f"{path}.earliest_days", message)
    return ObjectionRule(kind=parsed, **rec) if len(ctx.problems) == before else None


def _delegated(
    ctx: _Ctx, org_id: str, node: Any, line: int, orgs: Orgs | None
) -> DelegatedRule | None:
    path = f"decisions.delegated.{org_id}"
    _org_ref(ctx, orgs, org_id, line, path, False)
    rec = _record(ctx, node, line, path, _DELEGATED, ("days", "escalate_to"))
    if rec is None:
        return None
    before = len(ctx.problems)
    _at_least(ctx, node, rec, "days", path, 1, MAX_DAYS)
    _org_ref(
        ctx, orgs, rec["escalate_to"], _line(node, "escalate_to"), f"{path}.escalate_to", False
    )
    share = rec.get("members_share", 0.2)
    if not 0 < share <= 1:
        message = _("members_share must be above 0 and at most 1 (e.g. 0.2), got {share}")
        message = message.format(share=share)
        ctx.add(_line(node, "members_share"), f"{path}.members_share", message)
    return DelegatedRule(**rec) if len(ctx.problems) == before else None


def _decisions(ctx: _Ctx, node: Any, line: int, orgs: Orgs | None) -> DecisionRules | None:
    """Dringlichkeitsentscheidung, objections and Einspruchsfristen (domain.md 2.4, 2.6)."""
    rec = _record(ctx, node, line, "decisions", _DECISIONS, ())
    if rec is None:
        return None
    before = len(ctx.problems)
    urgent = None
    if "urgent_decision" in rec:
        urgent = _urgent(ctx, rec["urgent_decision"], _line(node, "urgent_decision"))
    objections: dict[ObjectionKind, ObjectionRule] = {}
    for kind, value in rec.get("objections", {}).items():
        rule = _objection(ctx, kind, value, rec["objections"].key_lines[kind])
        if rule is not None:
            objections[rule.kind] = rule
    council = rec.get("committee_objections_to")
    if council is not None:
        where = _line(node, "committee_objections_to")
        _org_ref(ctx, orgs, council, where, "decisions.committee_objections_to", False)
    delegated: dict[str, DelegatedRule] = {}
    for org_id, value in rec.get("delegated", {}).items():
        rule_d = _delegated(ctx, org_id, value, rec["delegated"].key_lines[org_id], orgs)
        if rule_d is not None:
            delegated[org_id] = rule_d
    if len(ctx.problems) > before:
        return None
    return DecisionRules(
        urgent=urgent,
        objections=MappingProxyType(objections),
        committee_objections_to=council,
        delegated=MappingProxyType(delegated),
    )
