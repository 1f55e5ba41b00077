"""What the reminder events say: the payloads of ``reminder_*`` events."""

from __future__ import annotations

import datetime as dt
import json.encoder
from collections.abc import Sequence
from typing import Any

from storage.schema import Reminder
from workflow.core.model import RefusedRecipient


def reminder_payload(row: Reminder, **extra: Any) -> dict[str, Any]:
    """The payload of a reminder's events (planned, moved, cancelled, failed, retried)."""
    return {
        "reminder": row.id,
        "key": row.key,
        "kind": row.kind,
        "due_at": row.due_at.astimezone(dt.UTC).isoformat(),
        "recipients": list(row.recipients),
    } | extra


def utc_iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def refused_json(refused: Sequence[RefusedRecipient]) -> list[dict[str, Any]]:
    """Refused recipients as stored on the outbox row and in the ``reminder_sent`` event."""
    return [{"address": r.address, "code": r.code, "reply": r.reply} for r in refused]


_string = json.encoder.encode_basestring  # what canonical_json uses (ensure_ascii=False)


def sent_payload(
    reminder: int,
    key: str,
    kind: str,
    due_at: str,
    recipients: Sequence[str],
    attempts: int,
    refused: Sequence[RefusedRecipient] = (),
) -> str:
    """The canonical JSON (``storage.audit.canonical_json``) of a ``reminder_sent`` payload,
    written out in key order: the dict, its sorting and the generic encoder cost more than
    the rest of the event. Tested equal to ``canonical_json`` of the same payload. The
    ``refused`` entry (``refused_json``) is there only when the server refused recipients,
    so the payloads (and hashes) of complete deliveries are what they always were."""
    text = (
        f'{{"attempts":{attempts},"due_at":{_string(due_at)},"key":{_string(key)},'
        f'"kind":{_string(kind)},"recipients":[{",".join(map(_string, recipients))}],'
    )
    if refused:
        entries = ",".join(
            f'{{"address":{_string(r.address)},"code":{int(r.code)},"reply":{_string(r.reply)}}}'
            for r in refused
        )
        text += f'"refused":[{entries}],'
    return f'{text}"reminder":{reminder}}}'
