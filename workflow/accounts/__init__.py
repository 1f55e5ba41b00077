"""Web logins: passwords of the definitions' users (argon2id), server-side sessions with idle
and absolute expiry, and throttling of failed logins. ``service.accounts``."""

from __future__ import annotations

from workflow.accounts.service import AccountService, AccountSettings

__all__ = ["AccountService", "AccountSettings"]
