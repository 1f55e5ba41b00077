"""Private calendar addresses (feed tokens) in the service, on SQLite and PostgreSQL: created
and revoked by their user, audited without the token, stored as SHA-256 only, one live
address per user, read back as their owner."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from storage.accounts import FeedToken
from tests.test_accounts import body_events
from workflow.core.errors import InvalidInput, NotFoundError, PermissionDenied
from workflow.service import WorkflowService


def test_a_new_address_is_random_and_only_its_hash_is_stored(service: WorkflowService) -> None:
    created = service.accounts.create_feed_token(user="clerk")
    other = service.accounts.create_feed_token(user="head")
    assert len(created.token) >= 40 and created.token != other.token
    with service.db.read() as session:
        rows = session.scalars(select(FeedToken).order_by(FeedToken.id)).all()
        stored = [(r.user_id, r.token_hash) for r in rows]
    assert stored == [
        ("clerk", hashlib.sha256(created.token.encode()).hexdigest()),
        ("head", hashlib.sha256(other.token.encode()).hexdigest()),
    ]
    assert all(created.token not in h for _user, h in stored)


def test_the_address_names_its_owner_until_it_is_revoked(service: WorkflowService) -> None:
    token = service.accounts.create_feed_token(user="clerk").token
    assert service.accounts.feed_owner(token) == "clerk"
    assert service.accounts.feed_token(reader="clerk") is not None
    assert service.accounts.revoke_feed_token(user="clerk")
    assert service.accounts.feed_owner(token) is None
    assert service.accounts.feed_token(reader="clerk") is None


def test_a_new_address_revokes_the_old_one(service: WorkflowService) -> None:
    first = service.accounts.create_feed_token(user="clerk")
    second = service.accounts.create_feed_token(user="clerk")
    assert second.revoked == (first.feed.id,)
    assert service.accounts.feed_owner(first.token) is None
    assert service.accounts.feed_owner(second.token) == "clerk"
    assert service.accounts.feed_token(reader="clerk") == second.feed


@pytest.mark.parametrize("token", ["", "x", "a" * 43, "b" * 5000])
def test_an_unknown_or_oversized_token_names_nobody(service: WorkflowService, token: str) -> None:
    service.accounts.create_feed_token(user="clerk")
    assert service.accounts.feed_owner(token) is None


def test_creating_and_revoking_are_audited_without_the_token(service: WorkflowService) -> None:
    first = service.accounts.create_feed_token(user="clerk")
    second = service.accounts.create_feed_token(user="clerk")
    service.accounts.revoke_feed_token(user="clerk")
    created = body_events(service, "feed_token_created")
    revoked = body_events(service, "feed_token_revoked")
    assert [(e["actor"], json.loads(str(e["payload"]))) for e in created] == [
        ("clerk", {"user": "clerk", "token": first.feed.id, "replaced": []}),
        ("clerk", {"user": "clerk", "token": second.feed.id, "replaced": [first.feed.id]}),
    ]
    assert [json.loads(str(e["payload"])) for e in revoked] == [
        {"user": "clerk", "token": first.feed.id, "reason": "replaced"},
        {"user": "clerk", "token": second.feed.id, "reason": "revoked"},
    ]
    text = repr(created + revoked)
    for token in (first.token, second.token):
        assert token not in text and hashlib.sha256(token.encode()).hexdigest() not in text
    assert service.audit.verify_audit().ok


def test_revoking_without_an_address_is_refused_and_records_nothing(
    service: WorkflowService,
) -> None:
    with pytest.raises(InvalidInput, match="Kalenderadresse"):
        service.accounts.revoke_feed_token(user="clerk")
    assert body_events(service, "feed_token_revoked") == []


def test_only_users_of_users_yaml_get_an_address(service: WorkflowService) -> None:
    with pytest.raises(PermissionDenied):
        service.accounts.create_feed_token(user=None)
    with pytest.raises((NotFoundError, PermissionDenied)):
        service.accounts.create_feed_token(user="niemand")
    assert body_events(service, "feed_token_created") == []


def test_each_user_revokes_only_their_own_address(service: WorkflowService) -> None:
    clerk = service.accounts.create_feed_token(user="clerk").token
    head = service.accounts.create_feed_token(user="head").token
    service.accounts.revoke_feed_token(user="head")
    assert service.accounts.feed_owner(clerk) == "clerk"
    assert service.accounts.feed_owner(head) is None
