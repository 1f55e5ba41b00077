"""The German names of what an audit event records, for the pages that show events (the
Prüfung and a Vorlage's Verlauf)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from workflow.core.catalog import Catalog, Lifecycle
from workflow.core.i18n import day_text
from workflow.core.labels import action_label, state_text, value_label
from workflow.core.model import Outcome


class Labels:
    """The German names of what an event records, from the municipality's definitions:
    states and triggers of its lifecycle, organizations, results."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def lifecycle(self, action: str) -> Lifecycle | None:
        name = next((n for p, n in LIFECYCLES if action.startswith(p)), None)
        return self._catalog.lifecycle(name) if name else None

    def state(self, action: str, state: str | None) -> str:
        if not state:
            return ""
        if action.startswith("co_sign"):
            return value_label("co_signature", state)
        lifecycle = self.lifecycle(action)
        return lifecycle.state_label(state) if lifecycle else state_text(state)

    def detail(self, action: str, key: str, value: Any) -> str:
        text = str(value)
        if key == "trigger":
            lifecycle = self.lifecycle(action)
            return lifecycle.trigger_label(text) if lifecycle else action_label(text)
        if key in ("organization", "office"):
            return self._catalog.organization_name(text)
        try:
            if key == "outcome":
                return Outcome(text).label
            if key == "date":
                return day_text(dt.date.fromisoformat(text))
        except ValueError:
            pass  # a value this version does not know: as recorded
        return text


#: Which lifecycle names the states and triggers of an action, by the action's prefix.
LIFECYCLES = (("paper_", "paper"), ("consultation_", "consultation"), ("meeting_", "meeting"))
