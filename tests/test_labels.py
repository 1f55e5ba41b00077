"""Issue 13, German for every reader: the actions a refusal offers and the states it names come
with the municipality's labels from the definitions, the catalogue's standard names otherwise;
the values of the model's enums have German labels; ids stay what scripts read."""

from __future__ import annotations

import json
from enum import StrEnum

import pytest

from workflow.core.engine import WorkflowEngine
from workflow.core.errors import TransitionNotAllowed, not_found
from workflow.core.labels import Offer, action_label, offer_text, value_label
from workflow.core.model import (
    AgendaPart,
    Ballot,
    CoSignatureState,
    ObjectionKind,
    OrganizationKind,
    OutboxState,
    ReminderKind,
    ReminderState,
    Role,
    TaskState,
    VoteKind,
)
from workflow.definitions import (
    catalog_from_files,
    load_catalog,
    read_definition_files,
    shipped_definitions_root,
)


def _landau(**replace: str) -> object:
    files = read_definition_files(shipped_definitions_root() / "landau")
    text = files["lifecycles.yaml"]
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return catalog_from_files({**files, "lifecycles.yaml": text}, "landau")


def test_a_refusal_offers_the_municipalitys_labels_with_the_ids() -> None:
    catalog = _landau(**{"label: zurückziehen": "label: Vorlage zurücknehmen"})
    offers = WorkflowEngine().paper_triggers(catalog, "draft")  # type: ignore[arg-type]
    assert offers == ["submit", "withdraw"]  # the ids, as views and JSON give them
    assert json.dumps(offers) == '["submit", "withdraw"]'
    error = TransitionNotAllowed("V/2025/1", "draft", "release", offers)
    assert str(error) == (
        "V/2025/1: 'freigeben' ist im Status 'Entwurf' nicht möglich; jetzt möglich: "
        "zur Mitzeichnung geben (submit), Vorlage zurücknehmen (withdraw)"
    )
    assert error.allowed == ("submit", "withdraw")


def test_a_final_state_is_named_by_its_label_when_nothing_is_offered() -> None:
    catalog = load_catalog(shipped_definitions_root() / "landau")
    offers = WorkflowEngine().meeting_triggers(catalog, "cancelled")
    assert offers == []
    error = TransitionNotAllowed("Sitzung 1", "cancelled", "invite", offers)
    assert str(error) == (
        "Sitzung 1: 'einladen' ist im Status 'abgesagt' nicht möglich; jetzt möglich: nichts"
    )


def test_plain_ids_get_the_catalogues_standard_names() -> None:
    error = TransitionNotAllowed("V/2025/1", "withdrawn", "suspend", ["decide_urgently"])
    assert str(error) == (
        "V/2025/1: 'aussetzen' ist im Status 'Zurückgezogen' nicht möglich; jetzt möglich: "
        "dringlich entscheiden (decide_urgently)"
    )
    assert action_label("an action the catalogue does not know") == (
        "an action the catalogue does not know"
    )
    assert offer_text(Offer("x_y", "")) == "x_y"


def test_lifecycle_labels_come_from_the_definitions() -> None:
    catalog = load_catalog(shipped_definitions_root() / "landau")
    paper, meeting = catalog.lifecycle("paper"), catalog.lifecycle("meeting")
    assert paper.state_label("co_signing") == "In Mitzeichnung"
    assert paper.trigger_label("adopt", "in_consultation") == "beschließen"
    assert paper.trigger_label("adopt", "contested") == (
        "Beschluss aufrechterhalten (Aufsichtsbehörde entscheidet)"
    )
    assert meeting.trigger_label("hold") == "durchführen"
    assert meeting.state_label("gone") == "gone"


def test_not_found_reads_german_with_a_hint() -> None:
    assert str(not_found("user", "malory", ["mallory"], "in den Definitionen von X")) == (
        "Benutzer 'malory' gibt es nicht in den Definitionen von X (meinten Sie 'mallory'?)"
    )


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (CoSignatureState.PENDING, "ausstehend"),
        (CoSignatureState.SIGNED, "gezeichnet"),
        (CoSignatureState.OBJECTED, "Einwand"),
        (CoSignatureState.OVERRULED, "Einwand überstimmt"),
        (TaskState.IMPLEMENTED, "umgesetzt"),
        (ReminderKind.SUBMISSION_CUTOFF, "Vorlagenschluss"),
        (ReminderState.FAILED, "fehlgeschlagen"),
        (OutboxState.QUEUED, "wartend"),
        (Ballot.ABSTAIN, "Enthaltung"),
        (VoteKind.MAIN, "Hauptantrag"),
        (ObjectionKind.BEANSTANDUNG, "Beanstandung"),
        (OrganizationKind.COMMITTEE, "Ausschuss"),
        (Role.SESSION_OFFICE, "Sitzungsdienst"),
        (AgendaPart.NON_PUBLIC, "nichtöffentlicher Teil"),
    ],
)
def test_enum_values_have_german_labels(value: StrEnum, label: str) -> None:
    assert value.label == label  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "enum",
    [
        CoSignatureState,
        TaskState,
        ReminderKind,
        ReminderState,
        OutboxState,
        Ballot,
        VoteKind,
        ObjectionKind,
        OrganizationKind,
        Role,
        AgendaPart,
    ],
)
def test_every_value_of_the_labelled_enums_has_its_own_label(enum: type[StrEnum]) -> None:
    labels = [member.label for member in enum]  # type: ignore[attr-defined]
    assert all(labels) and len(set(labels)) == len(labels)


@pytest.mark.parametrize(
    ("kind", "value", "label"),
    [
        ("co_signature", "pending", "ausstehend"),
        ("co_signature", CoSignatureState.OVERRULED, "Einwand überstimmt"),
        ("task", "implemented", "umgesetzt"),
        ("reminder", "failed", "fehlgeschlagen"),
        ("organization", "committee", "Ausschuss"),
        ("reminder_kind", "vorlagenschluss", "Vorlagenschluss"),
        ("step", "held", "beraten"),
        ("check", "no_date", "kein Datum"),
        ("co_signature", "someday", "someday"),
    ],
)
def test_a_value_reads_the_same_in_every_view(kind: str, value: object, label: str) -> None:
    """One word for one value: tables (command line, web, documents) name an enum's value by
    the enum's own label; a value the catalogue does not know stays as it is."""
    assert value_label(kind, value) == label


def test_every_audit_action_reads_german_and_an_unknown_one_as_stored() -> None:
    """The audit trail's table and the web name each action in German ("Vorlage angelegt");
    filters, JSON and CSV keep the value; an action this version does not know stays as
    stored (an older or newer database)."""
    from workflow.core.model import AuditAction
    from workflow.core.model.audit import action_text

    labels = {action: action.label for action in AuditAction}
    assert all(label and label != action.value for action, label in labels.items())
    assert len(set(labels.values())) == len(labels)  # no two actions read alike
    assert action_text("paper_created") == "Vorlage angelegt"
    assert action_text("co_signed") == "mitgezeichnet"
    assert action_text("something_new") == "something_new"
