"""Web logins: who a browser's session belongs to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from workflow.core.model.bodies import Role


@dataclass(frozen=True, slots=True, kw_only=True)
class WebSessionView:
    """A live session: the user of users.yaml it belongs to and the CSRF token of its forms."""

    body_id: str
    user_id: str
    name: str
    roles: frozenset[Role]
    csrf_token: str
    created_at: dt.datetime
    last_seen_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class WebLogin:
    """A successful login: the new opaque session id (for the cookie only; the database keeps
    its SHA-256) and the session."""

    session_id: str
    session: WebSessionView


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedTokenView:
    """A user's live private calendar address (the token itself is never stored)."""

    id: int
    user_id: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedTokenCreated:
    """A new private calendar address: the token, shown once (the database keeps its
    SHA-256), and what replaced tokens it revoked."""

    token: str
    feed: FeedTokenView
    revoked: tuple[int, ...] = ()
