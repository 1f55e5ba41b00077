"""E-mail over SMTP against a real server on loopback (aiosmtpd), and the log notifier."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from tests.smtp_server import Login, free_port, smtp_server
from workflow.app import build_notifier, smtp_settings_from_env
from workflow.core.errors import DeliveryError, InvalidInput
from workflow.core.model import OutboxMessage
from workflow.reminders.notify import LogNotifier, SmtpNotifier, SmtpSettings, message_id

MESSAGE = OutboxMessage(
    id=1,
    key="vorlagenschluss:7:s12@20250310T230000Z",
    channel="email",
    recipients=("erika@musterstadt.example", "max@musterstadt.example"),
    subject="Vorlagenschluss naht: V/2025/7 Radweg Hauptstraße (Frist Di 11.03.2025)",
    body="Guten Tag,\n\nVorlagenschluss naht.\nFrist: Di 11.03.2025, 24:00 Uhr\n",
    attempts=1,
)


def test_the_message_arrives_with_recipients_subject_and_message_id() -> None:
    with smtp_server() as (recorder, port):
        settings = SmtpSettings(host="127.0.0.1", port=port, sender="ratsweg@musterstadt.example")
        notifier = SmtpNotifier(settings)
        notifier.send(MESSAGE)
        notifier.send(MESSAGE)  # the connection is reused
        notifier.close()
    first = recorder.messages[0]
    assert first.rcpt_tos == list(MESSAGE.recipients)
    assert first.mail_from == "ratsweg@musterstadt.example"
    assert first.subject == MESSAGE.subject
    assert first.message_id == "<vorlagenschluss.7.s12.20250310T230000Z@musterstadt.example>"
    assert "Frist: Di 11.03.2025, 24:00 Uhr" in first.body
    assert recorder.messages[1].message_id == first.message_id  # same key, same Message-ID


def test_an_unreachable_server_is_a_transient_failure() -> None:
    notifier = SmtpNotifier(SmtpSettings(host="127.0.0.1", port=free_port(), timeout=2))
    with pytest.raises(DeliveryError) as caught:
        notifier.send(MESSAGE)
    assert not caught.value.permanent


# The test server accepts AUTH on plain loopback connections.
auth_without_tls = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@auth_without_tls
def test_a_wrong_password_is_a_transient_setup_failure_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    login = Login("ratsweg", "richtig")
    with smtp_server(login=login) as (recorder, port):
        settings = SmtpSettings(host="127.0.0.1", port=port, user="ratsweg", password="falsch")
        notifier = SmtpNotifier(settings)
        attempts = []
        with caplog.at_level(logging.ERROR):
            for _ in range(3):
                with pytest.raises(DeliveryError) as caught:
                    notifier.send(MESSAGE)
                assert not caught.value.permanent  # retried with backoff, not parked
                attempts.append(login.attempts)
        assert str(caught.value) == (
            f"SMTP setup 127.0.0.1:{port}: login as 'ratsweg' failed (535 5.7.8 Authentication "
            "credentials invalid); check RATSWEG_SMTP_USER and RATSWEG_SMTP_PASSWORD"
        )
        # one line in the log, and one login (smtplib tries PLAIN, then LOGIN): the next
        # messages fail without trying again
        assert [
            r.getMessage() for r in caplog.records if r.name == "workflow.reminders.notify"
        ] == [f"{caught.value}; messages are retried with backoff"]
        assert attempts == [2, 2, 2]
        # once the password is right (after the setup_retry pause), mail flows again
        fixed = SmtpNotifier(replace(settings, password="richtig"))
        assert fixed.send(MESSAGE).refused == ()
        fixed.close()
    assert recorder.count() == 1


def test_starttls_the_server_does_not_offer_is_a_transient_setup_failure() -> None:
    with smtp_server() as (recorder, port):
        notifier = SmtpNotifier(SmtpSettings(host="127.0.0.1", port=port, starttls=True))
        with pytest.raises(DeliveryError, match="STARTTLS failed.*check RATSWEG_SMTP_STARTTLS"):
            notifier.send(MESSAGE)
    assert recorder.count() == 0


@auth_without_tls
def test_a_missing_login_the_server_requires_is_a_transient_setup_failure() -> None:
    with smtp_server(login=Login("ratsweg", "richtig")) as (recorder, port):
        notifier = SmtpNotifier(SmtpSettings(host="127.0.0.1", port=port))
        with pytest.raises(DeliveryError, match="sender .* refused \\(530 ") as caught:
            notifier.send(MESSAGE)
    assert not caught.value.permanent and "RATSWEG_SMTP_USER" in str(caught.value)
    assert recorder.count() == 0


def test_recipients_refused_in_part_are_returned_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with smtp_server(refuse=frozenset({"max@musterstadt.example"})) as (recorder, port):
        notifier = SmtpNotifier(SmtpSettings(host="127.0.0.1", port=port))
        with caplog.at_level(logging.WARNING):
            delivery = notifier.send(MESSAGE)
        notifier.close()
    assert delivery.refused == (("max@musterstadt.example", 550, "5.1.1 mailbox unavailable"),)
    assert recorder.messages[0].rcpt_tos == ["erika@musterstadt.example"]
    assert caplog.records[-1].getMessage() == (
        f"SMTP delivered {MESSAGE.key} without the refused recipients "
        "max@musterstadt.example: 550 5.1.1 mailbox unavailable"
    )


def test_every_recipient_refused_with_5xx_fails_permanently() -> None:
    everyone = frozenset(MESSAGE.recipients)
    with smtp_server(refuse=everyone) as (recorder, port):
        notifier = SmtpNotifier(SmtpSettings(host="127.0.0.1", port=port))
        with pytest.raises(DeliveryError) as caught:
            notifier.send(MESSAGE)
    assert caught.value.permanent and recorder.count() == 0
    assert str(caught.value) == (  # what `reminders failed` shows: every address, its reply
        "SMTP refused every recipient: erika@musterstadt.example: 550 5.1.1 mailbox "
        "unavailable; max@musterstadt.example: 550 5.1.1 mailbox unavailable"
    )


def test_a_message_without_recipients_fails_permanently() -> None:
    notifier = SmtpNotifier(SmtpSettings())
    with pytest.raises(DeliveryError, match="keine Empfänger") as caught:
        notifier.send(replace(MESSAGE, recipients=()))
    assert caught.value.permanent


def test_message_ids_are_valid_for_any_key() -> None:
    assert message_id("a b:c@d", "x.example") == "<a.b.c.d@x.example>"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATSWEG_SMTP_HOST", "mail.example")
    monkeypatch.setenv("RATSWEG_SMTP_PORT", "587")
    monkeypatch.setenv("RATSWEG_SMTP_STARTTLS", "true")
    monkeypatch.setenv("RATSWEG_SMTP_USER", "ratsweg")
    monkeypatch.setenv("RATSWEG_SMTP_PASSWORD", "geheim")
    monkeypatch.setenv("RATSWEG_SMTP_FROM", "fristen@landau.example")
    settings = smtp_settings_from_env()
    assert (settings.host, settings.port, settings.starttls) == ("mail.example", 587, True)
    assert (settings.user, settings.password, settings.domain) == (
        "ratsweg",
        "geheim",
        "landau.example",
    )
    monkeypatch.setenv("RATSWEG_SMTP_PORT", "smtp")
    with pytest.raises(InvalidInput, match="RATSWEG_SMTP_PORT"):
        build_notifier("smtp")


@pytest.mark.parametrize(
    ("value", "starttls"), [("on", True), ("Yes", True), ("1", True), ("off", False), ("", False)]
)
def test_starttls_is_read_in_every_usual_spelling(
    monkeypatch: pytest.MonkeyPatch, value: str, starttls: bool
) -> None:
    monkeypatch.setenv("RATSWEG_SMTP_STARTTLS", value)
    assert smtp_settings_from_env().starttls is starttls


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "RATSWEG_SMTP_STARTTLS",
            "maybe",
            "RATSWEG_SMTP_STARTTLS muss einer der Werte 1, true, yes, on",
        ),
        ("RATSWEG_SMTP_PORT", "0", "RATSWEG_SMTP_PORT muss eine Portnummer von 1 bis 65535 sein"),
        ("RATSWEG_SMTP_PORT", "70000", "nicht '70000'"),
    ],
)
def test_unreadable_smtp_settings_are_refused_not_defaulted(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(InvalidInput, match=message):
        smtp_settings_from_env()


def test_the_log_notifier_logs_key_recipients_and_subject(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        LogNotifier().send(MESSAGE)
    assert MESSAGE.key in caplog.text and "erika@musterstadt.example" in caplog.text
