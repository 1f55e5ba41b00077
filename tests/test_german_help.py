"""The command line's help and click's own words read German: every command's and option's help
comes from the catalogue, translated when click shows it; usage errors name the problem in
German; importing the command line reads no catalogue."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import click
from babel.messages.pofile import read_po
from click.testing import CliRunner

from workflow.cli import cli
from workflow.cli.german import GermanCommand, GermanOption
from workflow.core.i18n import catalogue_path


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), prog_name="ratsweg")


def commands(command: click.Command, path: str = "ratsweg") -> Iterator[tuple[str, click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from commands(sub, f"{path} {name}")


def translated_ids() -> set[str]:
    with catalogue_path().open("rb") as handle:
        return {m.id for m in read_po(handle, locale="de") if isinstance(m.id, str) and m.string}


def test_root_help_reads_german() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Aufruf: ratsweg [OPTIONEN] BEFEHL [ARGUMENTE]..."
    assert lines[2] == "  ratsweg führt Vorlagen durch ihre Beratungsfolge."
    assert "Optionen:" in lines and "Befehle:" in lines
    assert "  --version       Die Version zeigen und beenden." in lines
    assert "  --help          Diese Hilfe zeigen und beenden." in lines
    assert "  paper         Vorlagen anlegen, zeigen und bewegen." in lines


def test_a_command_help_shows_german_options_with_required_and_default() -> None:
    result = invoke("paper", "create", "--help")
    assert result.exit_code == 0
    assert result.output.startswith(
        "Aufruf: ratsweg paper create [OPTIONEN]\n\n"
        "  Eine Vorlage als Entwurf anlegen, mit der Beratungsfolge des Weges.\n\nOptionen:\n"
    )
    assert "  --title TEXT               Betreff.  [Pflicht]\n" in result.output
    assert "  --format [table|json|csv]  Ausgabeformat.  [Standard: table]\n" in result.output


def test_every_command_and_option_has_a_translated_help() -> None:
    known = translated_ids()
    missing = []
    for path, command in commands(cli):
        assert isinstance(command, GermanCommand), path
        if command._help_id not in known:
            missing.append(f"{path}: {command._help_id!r}")
        for param in command.params:
            if isinstance(param, click.Option):
                assert isinstance(param, GermanOption), f"{path} {param.opts}"
                if param._help_id not in known:
                    missing.append(f"{path} {param.opts[0]}: {param._help_id!r}")
    assert not missing, "\n".join(missing)


def test_click_usage_errors_read_german() -> None:
    unknown = invoke("paper", "create", "--nope")
    assert unknown.exit_code == 2
    assert unknown.stderr.splitlines() == [
        "Aufruf: ratsweg paper create [OPTIONEN]",
        "Hilfe: 'ratsweg paper create --help'.",
        "",
        "Fehler: Eine Option '--nope' gibt es nicht. (Meinten Sie: '--route', '--type'?)",
    ]
    missing = invoke("paper", "show")
    assert missing.exit_code == 2
    assert missing.stderr.splitlines()[-1] == "Fehler: Fehlendes Argument 'NUMBER'."
    assert invoke("paper", "bogus").stderr.splitlines()[-1] == (
        "Fehler: Einen Befehl 'bogus' gibt es nicht."
    )
    choice = invoke("paper", "list", "--format", "xml")
    assert choice.stderr.splitlines()[-1] == (
        "Fehler: Ungültiger Wert für '--format': 'xml' ist keiner der Werte "
        "'table', 'json', 'csv', 'ndjson'."
    )


def test_version_reads_german() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.startswith("ratsweg, Version ")


def test_importing_the_command_line_reads_no_catalogue() -> None:
    code = (
        "import workflow.cli, workflow.core.i18n as i18n; "
        "print(i18n._translations.cache_info().currsize)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0"
