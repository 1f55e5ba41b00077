"""The words of a reminder: its label, what to do, and the text of the e-mail for a paper's
and for a meeting's reminder (``workflow.reminders.planning`` plans them).
"""

from __future__ import annotations

from workflow.core.catalog import Catalog
from workflow.core.deadlines import Deadline, show
from workflow.core.model import ConsultationRole, ReminderKind
from workflow.reminders.facts import MeetingFacts, PaperFacts, StepFacts, TaskFacts

_LABELS = {
    ReminderKind.SUBMISSION_CUTOFF: "Vorlagenschluss naht",
    ReminderKind.CO_SIGNING: "Mitzeichnung ausstehend",
    ReminderKind.INVITATION: "Ladung fällig",
    ReminderKind.RESULT: "Beratungsergebnis fehlt",
    ReminderKind.REPORT: "Bericht zur Beschlusskontrolle fällig",
}
_TODO = {
    ReminderKind.SUBMISSION_CUTOFF: (
        "Bitte die Vorlage fertigstellen, mitzeichnen lassen und vor dem Vorlagenschluss "
        "freigeben (ratsweg paper release {number})."
    ),
    ReminderKind.CO_SIGNING: (
        "Bitte die Vorlage mitzeichnen oder Bedenken erheben "
        "(ratsweg paper co-sign {number} --office {office})."
    ),
    ReminderKind.INVITATION: (
        "Bitte die Einladung zur Sitzung mit dieser Vorlage fristgerecht versenden."
    ),
    ReminderKind.RESULT: (
        "Bitte das Ergebnis der Beratung erfassen "
        "(ratsweg consultation record {number} {position} --result ...)."
    ),
    ReminderKind.REPORT: "Bitte den Bericht zur Umsetzung des Beschlusses vorlegen.",
}
_TASK_TODO = (
    "Bitte den Umsetzungsbericht vorlegen und erfassen "
    "(ratsweg decisions report {task} --text ...), oder die Umsetzung melden "
    "(ratsweg decisions implemented {task} --text ...)."
)


def _meeting_text(catalog: Catalog, meeting: MeetingFacts, deadline: Deadline) -> str:
    papers = [f"- {number} „{title}“" for number, title, _ in meeting.papers]
    lines = [
        "Guten Tag,",
        "",
        f"{_LABELS[ReminderKind.INVITATION]}.",
        "",
        f"Sitzung: {meeting.label}",
        *(["Vorlagen auf der Tagesordnung:", *papers] if papers else []),
        f"Frist: {show(deadline.day)}, 24:00 Uhr",
        f"Berechnung: {deadline.explanation}",
        *(f"Achtung: {w}" for w in deadline.warnings),
        "",
        (
            "Was zu tun ist: Bitte die Einladung zur Sitzung fristgerecht versenden "
            f"(ratsweg meeting invite {meeting.id})."
        ),
        "",
        f"Diese Nachricht wurde von ratsweg für {catalog.body.name} erzeugt.",
    ]
    return "\n".join(lines)


def _text(
    catalog: Catalog,
    paper: PaperFacts,
    kind: ReminderKind,
    deadline: Deadline,
    step: StepFacts | None,
    office: str | None,
    task: TaskFacts | None = None,
) -> str:
    lines = [
        "Guten Tag,",
        "",
        f"{_LABELS[kind]}.",
        "",
        f"Vorlage: {paper.number} „{paper.title}“",
    ]
    if step is not None:
        when = f", Sitzung am {show(step.date)}" if step.date else ""
        name = catalog.organization_name(step.organization_id)
        role = ConsultationRole(step.role).label
        lines.append(f"Schritt: {step.position}. {name} ({role}){when}")
    if office is not None:
        lines.append(f"Mitzeichnung durch: {catalog.organization_name(office)}")
    if task is not None:
        lines.append(f"Aufgabe {task.id}: {task.title}")
        lines.append(f"Zuständig: {catalog.organization_name(task.office_id)}")
    todo = _TASK_TODO if task is not None else _TODO[kind]
    lines += [
        f"Frist: {show(deadline.day)}, 24:00 Uhr",
        f"Berechnung: {deadline.explanation}",
        *(f"Achtung: {w}" for w in deadline.warnings),
        "",
        "Was zu tun ist: "
        + todo.format(
            number=paper.number,
            office=office or "",
            position=step.position if step else "",
            task=task.id if task else "",
        ),
        "",
        f"Diese Nachricht wurde von ratsweg für {catalog.body.name} erzeugt.",
    ]
    return "\n".join(lines)
