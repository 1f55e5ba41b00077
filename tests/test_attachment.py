"""Anlagen of papers: stored with size and checksum, audited, shown, refused with one line."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from workflow.cli import cli
from workflow.core.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from workflow.service import WorkflowService


def draft(service: WorkflowService) -> str:
    return service.papers.create_paper(
        user="clerk",
        paper_type="vorlage",
        title="Haushalt",
        office="amt1",
        date=dt.date(2025, 3, 1),
        route="standard",
    ).number


def run(service: WorkflowService, *args: str, user: str = "clerk") -> Result:
    return CliRunner().invoke(cli, list(args), obj=service, env={"RATSWEG_USER": user})


def test_attach_stores_size_checksum_and_publicity_and_audits_it(
    service: WorkflowService, tmp_path: Path
) -> None:
    number = draft(service)
    plan = tmp_path / "Lageplan.pdf"
    plan.write_bytes(b"%PDF-1.4 plan")
    view = service.attachments.attach_file(number, plan, user="clerk", public=False)
    assert (view.file_name, view.media_type, view.size, view.public) == (
        "Lageplan.pdf",
        "application/pdf",
        13,
        False,
    )
    assert view.sha256 == hashlib.sha256(b"%PDF-1.4 plan").hexdigest()
    assert service.papers.get_paper(number).attachments == (view,)
    event = service.audit.audit_trail(number)[-1]
    assert (event.action, event.actor) == ("attachment_added", "clerk")
    assert event.payload == {
        "attachment": view.id,
        "file_name": "Lageplan.pdf",
        "media_type": "application/pdf",
        "size": 13,
        "sha256": view.sha256,
        "public": False,
    }
    assert service.papers.get_paper(number).modified_at == service.clock.now()
    assert service.audit.verify_audit().ok


def test_attach_refuses_bad_files_and_other_offices_and_closed_papers(
    service: WorkflowService, tmp_path: Path
) -> None:
    number = draft(service)
    empty = tmp_path / "leer.txt"
    empty.write_bytes(b"")
    with pytest.raises(InvalidInput, match="ist leer; hängen Sie eine Datei mit Inhalt an"):
        service.attachments.attach_file(number, empty, user="clerk")
    with pytest.raises(InvalidInput, match="fehlt.txt' ist nicht lesbar"):
        service.attachments.attach_file(number, tmp_path / "fehlt.txt", user="clerk")
    with pytest.raises(InvalidInput, match="ist ein Ordner; geben Sie eine Datei an"):
        service.attachments.attach_file(number, tmp_path, user="clerk")
    good = tmp_path / "a.txt"
    good.write_text("x", encoding="utf-8")
    with pytest.raises(InvalidInput, match="ist kein Medientyp"):
        service.attachments.attach_file(number, good, user="clerk", media_type="pdf")
    with pytest.raises(InvalidInput, match="der Dateiname hat 256 Zeichen, gespeichert werden 255"):
        service.attachments.attach_file(number, good, user="clerk", file_name="n" * 252 + ".txt")
    with pytest.raises(InvalidInput, match="der Medientyp hat 128 Zeichen, gespeichert werden 127"):
        service.attachments.attach_file(number, good, user="clerk", media_type="text/" + "x" * 123)
    with pytest.raises(PermissionDenied, match="'auditor' hat keine Berechtigung für paper.edit"):
        service.attachments.attach_file(number, good, user="auditor")
    service.papers.withdraw_paper(number, user="clerk", reason="erledigt")
    with pytest.raises(TransitionNotAllowed, match="die Vorlage ist abgeschlossen"):
        service.attachments.attach_file(number, good, user="clerk")
    assert service.papers.get_paper(number).attachments == ()
    assert "attachment_added" not in {e.action for e in service.audit.audit_trail(number)}


def test_cli_attach_and_show(service: WorkflowService, tmp_path: Path) -> None:
    number = draft(service)
    note = tmp_path / "Stellungnahme.txt"
    note.write_text("Anlage 1", encoding="utf-8")
    result = run(service, "paper", "attach", number, str(note), "--non-public")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"{number}: Stellungnahme.txt angehängt (text/plain, 8 Bytes, nichtöffentlich)\n"
    )
    shown = run(service, "paper", "show", number)
    assert "Anlage (N): Stellungnahme.txt, 8 Bytes" in shown.stdout
    as_json = json.loads(run(service, "paper", "show", number, "--json").stdout)
    assert [(a["file_name"], a["public"]) for a in as_json["attachments"]] == [
        ("Stellungnahme.txt", False)
    ]
    missing = run(service, "paper", "attach", number, str(tmp_path / "nope.pdf"))
    assert missing.exit_code == 1
    assert "nope.pdf' ist nicht lesbar" in missing.stderr and missing.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "media_type",
    [
        "text/html\r\nSet-Cookie: session=stolen",
        "text/html\nX-Evil: 1",
        "text/html; charset=utf-8",
        "text /html",
        "text/ht\x00ml",
        "/html",
        "text/",
    ],
)
def test_attach_refuses_media_types_that_are_no_type_slash_subtype(
    service: WorkflowService, tmp_path: Path, media_type: str
) -> None:
    number = draft(service)
    good = tmp_path / "a.html"
    good.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(InvalidInput, match="ist kein Medientyp"):
        service.attachments.attach_file(number, good, user="clerk", media_type=media_type)
    assert service.papers.get_paper(number).attachments == ()
    result = run(service, "paper", "attach", number, str(good), "--media-type", media_type)
    assert result.exit_code == 1 and result.stderr.startswith("Fehler: ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    view = service.attachments.attach_file(
        number, good, user="clerk", media_type="Application/VND.oasis.opendocument.text"
    )
    assert view.media_type == "application/vnd.oasis.opendocument.text"
