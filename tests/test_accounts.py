"""Web logins in the service: passwords of the definitions' users, sessions with idle and
absolute expiry, throttled failures, every change audited without secrets."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from storage.accounts import PasswordCredential, WebSession
from workflow.accounts.service import session_hash
from workflow.core.clock import FixedClock
from workflow.core.errors import InvalidInput, LoginRefused, NotFoundError, PermissionDenied
from workflow.service import WorkflowService

PASSWORD = "richtig-geheim-1"


def later(clock: FixedClock, **delta: float) -> None:
    clock.advance_to(clock.now() + dt.timedelta(**delta))


def body_events(service: WorkflowService, action: str) -> list[dict[str, object]]:
    from storage.schema import AuditEvent

    with service.db.read() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
        return [{"actor": r.actor, "payload": r.payload} for r in rows]


def test_an_admin_sets_a_password_stored_as_argon2id_and_audited_without_it(
    service: WorkflowService,
) -> None:
    service.accounts.set_password("clerk", PASSWORD, user="admin")
    with service.db.read() as session:
        stored = session.scalars(select(PasswordCredential)).one()
    assert stored.user_id == "clerk" and stored.hash.startswith("$argon2id$")
    (event,) = body_events(service, "password_set")
    assert event["actor"] == "admin"
    assert PASSWORD not in str(event["payload"]) and "argon2" not in str(event["payload"])


def test_only_an_admin_sets_passwords_and_only_for_known_users(service: WorkflowService) -> None:
    with pytest.raises(PermissionDenied):
        service.accounts.set_password("clerk", PASSWORD, user="session")
    with pytest.raises(NotFoundError, match="nobody"):
        service.accounts.set_password("nobody", PASSWORD, user="admin")
    with pytest.raises(InvalidInput, match="8"):
        service.accounts.set_password("clerk", "kurz", user="admin")
    assert body_events(service, "password_set") == []


def test_a_login_opens_a_session_and_only_its_hash_is_stored(service: WorkflowService) -> None:
    service.accounts.set_password("clerk", PASSWORD, user="admin")
    login = service.accounts.log_in("clerk", PASSWORD, address="10.0.0.1")
    assert login.session.user_id == "clerk" and login.session.csrf_token
    with service.db.read() as session:
        (row,) = session.scalars(select(WebSession)).all()
    assert row.id_hash == session_hash(login.session_id) != login.session_id
    found = service.accounts.session(login.session_id)
    assert found is not None and found.name == "Erika Sachbearbeiterin"
    assert body_events(service, "logged_in")[0]["actor"] == "clerk"


def test_a_wrong_password_and_an_unknown_user_get_the_same_refusal(
    service: WorkflowService,
) -> None:
    service.accounts.set_password("clerk", PASSWORD, user="admin")
    with pytest.raises(LoginRefused) as wrong:
        service.accounts.log_in("clerk", "falsch-falsch", address="10.0.0.1")
    with pytest.raises(LoginRefused) as unknown:
        service.accounts.log_in("niemand", PASSWORD, address="10.0.0.2")
    with pytest.raises(LoginRefused) as unset:
        service.accounts.log_in("head", PASSWORD, address="10.0.0.3")
    assert str(wrong.value) == str(unknown.value) == str(unset.value)
    failed = body_events(service, "login_failed")
    assert len(failed) == 3
    assert '"user":null' in str(failed[1]["payload"]).replace(" ", "")


def test_failed_logins_are_throttled_per_user_within_a_minute(
    service: WorkflowService, clock: FixedClock
) -> None:
    service.accounts.set_password("clerk", PASSWORD, user="admin")
    for n in range(5):
        with pytest.raises(LoginRefused):
            service.accounts.log_in("clerk", "falsch-falsch", address=f"10.0.0.{n}")
    with pytest.raises(LoginRefused, match="Minute"):
        service.accounts.log_in("clerk", PASSWORD, address="10.0.0.9")
    later(clock, seconds=61)
    assert service.accounts.log_in("clerk", PASSWORD, address="10.0.0.9").session_id


def test_failed_logins_are_throttled_per_address(service: WorkflowService) -> None:
    service.accounts.set_password("clerk", PASSWORD, user="admin")
    for n in range(5):
        with pytest.raises(LoginRefused):
            service.accounts.log_in(f"user{n}", PASSWORD, address="10.0.0.1")
    with pytest.raises(LoginRefused, match="Minute"):
        service.accounts.log_in("clerk", PASSWORD, address="10.0.0.1")


def test_a_session_expires_when_idle_and_after_its_absolute_lifetime(
    service: WorkflowService, clock: FixedClock
) -> None:
    service.accounts.set_password("clerk", PASSWORD, user="admin")
    idle = service.accounts.log_in("clerk", PASSWORD, address="a").session_id
    later(clock, minutes=31)
    assert service.accounts.session(idle) is None
    busy = service.accounts.log_in("clerk", PASSWORD, address="a").session_id
    for _ in range(20):  # 9 h 40 min of use, a request every 29 minutes
        later(clock, minutes=29)
        assert service.accounts.session(busy) is not None
    later(clock, minutes=29)  # 10 h 9 min after the login
    assert service.accounts.session(busy) is None


def test_a_login_rotates_the_session_id_and_logout_deletes_it(service: WorkflowService) -> None:
    service.accounts.set_password("clerk", PASSWORD, user="admin")
    first = service.accounts.log_in("clerk", PASSWORD, address="a").session_id
    second = service.accounts.log_in("clerk", PASSWORD, address="a", previous=first).session_id
    assert first != second
    assert service.accounts.session(first) is None
    service.accounts.log_out(second)
    assert service.accounts.session(second) is None
    assert [e["actor"] for e in body_events(service, "logged_out")] == ["clerk"]
