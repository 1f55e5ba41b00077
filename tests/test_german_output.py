"""What the command line shows a person is German also where it shows a value of the path:
a step's Zuständigkeit reads "Vorberatung", while JSON keeps the id. On SQLite and PostgreSQL."""

from __future__ import annotations

import json

from tests.test_cli import create, run
from workflow.service import WorkflowService


def test_paper_show_names_each_steps_role_as_staff_write_it(service: WorkflowService) -> None:
    number = create(service)
    shown = run(service, "paper", "show", number)
    assert shown.exit_code == 0, shown.output
    rows = [line for line in shown.stdout.splitlines() if line[:1].isdigit()]
    assert [("Vorberatung" in row, "Entscheidung" in row) for row in rows] == [
        (True, False),
        (False, True),
    ]
    assert "vorberatung" not in shown.stdout and "entscheidung" not in shown.stdout
    as_json = json.loads(run(service, "paper", "show", number, "--json").stdout)
    assert [c["role"] for c in as_json["consultations"]] == ["vorberatung", "entscheidung"]
