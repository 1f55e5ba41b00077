"""Who gets a reminder: the e-mail addresses of an office, of the session office, and of an
escalation's ``escalate_to`` (``workflow.reminders.planning`` plans the reminders).
"""

from __future__ import annotations

from collections.abc import Iterable

from workflow.core.catalog import Catalog, User
from workflow.core.deadlines import ReminderRule
from workflow.core.model import Role


def _emails(users: Iterable[User]) -> list[str]:
    return sorted({u.email for u in users if u.email})


def _office_users(catalog: Catalog, office: str) -> list[str]:
    return _emails(u for u in catalog.users.values() if office in u.offices)


def _session_office(catalog: Catalog) -> list[str]:
    return _emails(u for u in catalog.users.values() if Role.SESSION_OFFICE in u.roles)


def _escalation_recipients(
    catalog: Catalog, rule: ReminderRule, offices: Iterable[str]
) -> list[str]:
    """``escalate_to`` resolved: office_head (the heads of ``offices``), session_office, an
    e-mail address, a user id, an office id (every user of the office) or a role (every user
    holding it). The loader has checked each name; one no longer known is left out."""
    concerned = set(offices)
    found: list[str] = []
    for target in rule.escalate_to:
        if target == "office_head":
            heads = [
                u
                for u in catalog.users.values()
                if concerned & set(u.offices) and Role.OFFICE_HEAD in u.roles
            ]
            found += _emails(heads)
        elif target == "session_office":
            found += _session_office(catalog)
        elif "@" in target:
            found.append(target)
        elif target in catalog.users:
            found += _emails([catalog.users[target]])
        elif target in catalog.organizations:
            found += _office_users(catalog, target)
        else:
            found += _emails(u for u in catalog.users.values() if target in u.roles)
    return found
