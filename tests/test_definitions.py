from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from workflow.core.errors import DefinitionError, NotFoundError, Problem
from workflow.core.model import Action, ConsultationRole, OrganizationKind, Role
from workflow.definitions import (
    catalog_from_files,
    check_definitions,
    content_version,
    list_shipped_municipalities,
    load_catalog,
    read_definition_files,
    resolve_definitions_dir,
    shipped_definitions_root,
)

FIXTURES = Path(__file__).parent / "fixtures" / "definitions"
VALID = FIXTURES / "valid"

EXPECTED_BODIES = {
    "herzogenrath": ("Stadt Herzogenrath", "NW"),
    "landau": ("Stadt Landau in der Pfalz", "RP"),
    "voelklingen": ("Stadt Völklingen", "SL"),
}


def invalid_case(case: str, tmp_path: Path) -> list[Problem]:
    """The valid fixture with the case's files laid over it, checked."""
    folder = tmp_path / case
    shutil.copytree(VALID, folder)
    for path in (FIXTURES / "invalid" / case).iterdir():
        shutil.copy(path, folder / path.name)
    return check_definitions(folder)


def located(problems: list[Problem]) -> list[tuple[str, int | None, str]]:
    return [(p.file, p.line, p.message) for p in problems]


@pytest.mark.parametrize("name", list_shipped_municipalities())
def test_every_shipped_municipality_loads_without_problems(name: str) -> None:
    folder = resolve_definitions_dir(name)
    assert check_definitions(folder) == []
    catalog = load_catalog(folder)
    assert (catalog.body.id, catalog.body.name, catalog.body.state) == (
        name,
        *EXPECTED_BODIES[name],
    )
    assert [s.id for s in catalog.lifecycle("paper").states][:2] == ["draft", "co_signing"]
    assert {s.id for s in catalog.lifecycle("consultation").states} == {
        "planned",
        "scheduled",
        "held",
        "dropped",
        "cancelled",
    }
    assert set(catalog.permissions) == set(Action)
    for route in catalog.routes.values():
        assert route.steps[-1].role.concludes


def test_the_shipped_municipalities_are_the_three_seeded_cities() -> None:
    assert list_shipped_municipalities() == ["herzogenrath", "landau", "voelklingen"]
    assert (shipped_definitions_root() / "_standard" / "lifecycles.yaml").is_file()


def test_herzogenrath_committee_decides_the_integration_concept_alone() -> None:
    catalog = load_catalog(resolve_definitions_dir("herzogenrath"))
    steps = catalog.route("integrationskonzept").steps
    assert [(s.organization, s.role) for s in steps] == [("asidq", ConsultationRole.ENTSCHEIDUNG)]
    assert "§ 8 b" in (catalog.route("integrationskonzept").legal_basis or "")
    assert catalog.organization("asidq").short_name == "ASIDQ"
    assert catalog.office("amt50").name == "Amt 50 - Sozialamt"
    assert (
        catalog.paper_type("sitzungsvorlage").numbering.format(year=2019, seq=367) == "V/2019/367"
    )


def test_voelklingen_prepares_the_concept_in_a_non_public_committee() -> None:
    catalog = load_catalog(resolve_definitions_dir("voelklingen"))
    steps = catalog.route("integrationskonzept").steps
    assert [(s.organization, s.role, s.public) for s in steps] == [
        ("ausschuss_kjs", ConsultationRole.VORBERATUNG, False),
        ("stadtrat", ConsultationRole.ENTSCHEIDUNG, True),
    ]
    assert catalog.organization("ausschuss_kjs").public is False
    offices = {o.id for o in catalog.organizations.values() if o.kind is OrganizationKind.OFFICE}
    assert offices == {"wks", "rpa", "finanzmanagement"}


def test_valid_fixture_builds_the_catalog_the_other_tests_rely_on() -> None:
    catalog = load_catalog(VALID)
    assert catalog.body.id == "musterstadt"
    assert list(catalog.organizations) == ["rat", "ausschuss", "amt1"]
    assert catalog.organization("rat").seats == 10
    assert [s.organization for s in catalog.route("standard").steps] == ["ausschuss", "rat"]
    assert catalog.user("clerk").offices == frozenset({"amt1"})
    assert catalog.user("head").roles == frozenset({Role.OFFICE_HEAD})
    assert catalog.permissions[Action.DEFINITIONS_LOAD] == frozenset({Role.ADMIN})
    assert catalog.version == content_version(catalog.files)
    assert catalog.source == str(VALID)


def test_folder_without_lifecycles_falls_back_to_the_standard_file() -> None:
    folder = resolve_definitions_dir("landau")
    files = read_definition_files(folder)
    standard = shipped_definitions_root() / "_standard" / "lifecycles.yaml"
    assert files["lifecycles.yaml"] == standard.read_text(encoding="utf-8")
    assert list(files) == sorted(files)


def test_folder_without_lifecycles_and_standard_names_the_fix(tmp_path: Path) -> None:
    folder = tmp_path / "stadt"
    folder.mkdir()
    (folder / "body.yaml").write_text("body: {}\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        read_definition_files(folder)
    assert "copy definitions/_standard/lifecycles.yaml" in info.value.problems[0].message


def test_missing_folder_is_one_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as info:
        load_catalog(tmp_path / "nowhere")
    [problem] = info.value.problems
    assert "is not a folder" in problem.message


def test_unknown_municipality_suggests_a_shipped_one() -> None:
    with pytest.raises(NotFoundError, match="did you mean 'landau'"):
        resolve_definitions_dir("landu")


def test_content_version_is_stable_and_changes_with_any_file() -> None:
    files = read_definition_files(VALID)
    assert content_version(files) == content_version(dict(reversed(list(files.items()))))
    assert len(content_version(files)) == 64
    changed = {**files, "body.yaml": files["body.yaml"] + "# comment\n"}
    assert content_version(changed) != content_version(files)
    renamed = {("x" + k if k == "body.yaml" else k): v for k, v in files.items()}
    assert content_version(renamed) != content_version(files)


def test_catalog_from_files_round_trips_load_catalog() -> None:
    loaded = load_catalog(VALID)
    rebuilt = catalog_from_files(dict(loaded.files), loaded.source)
    assert rebuilt == loaded


def test_catalog_mappings_are_read_only() -> None:
    catalog = load_catalog(VALID)
    with pytest.raises(TypeError):
        catalog.organizations["x"] = catalog.organization("rat")  # type: ignore[index]


def test_duplicate_key_is_rejected_with_both_lines(tmp_path: Path) -> None:
    assert located(invalid_case("duplicate_key", tmp_path)) == [
        ("organizations.yaml", 6, "duplicate key 'seats' (first at line 5)")
    ]


def test_unknown_key_suggests_the_close_one(tmp_path: Path) -> None:
    [problem] = invalid_case("unknown_key", tmp_path)
    assert (problem.file, problem.line, problem.path) == (
        "organizations.yaml",
        9,
        "organizations[1].sets",
    )
    assert problem.message == "unknown key 'sets' (did you mean 'seats'?)"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    assert located(invalid_case("multiple_problems", tmp_path)) == [
        ("body.yaml", 5, "unknown state 'NRW' (did you mean 'NW'?)"),
        ("organizations.yaml", 8, "unknown kind 'commitee' (did you mean 'committee'?)"),
        (
            "organizations.yaml",
            13,
            "an office has no seats; remove 'seats' (only Gremien have them)",
        ),
        ("users.yaml", 5, "unknown office 'amt2' (did you mean 'amt1'?)"),
        ("users.yaml", 19, "duplicate user id 'clerk' (first at line 2)"),
    ]


def test_bad_references_name_the_close_or_allowed_organizations(tmp_path: Path) -> None:
    assert located(invalid_case("bad_reference", tmp_path)) == [
        (
            "routes.yaml",
            5,
            "unknown deliberating organization 'ausschus' (did you mean 'ausschuss'?)",
        ),
        (
            "routes.yaml",
            10,
            (
                "'amt1' is of kind office, expected a deliberating organization"
                " (allowed: rat, ausschuss)"
            ),
        ),
    ]


def test_route_ending_in_a_vorberatung_is_rejected(tmp_path: Path) -> None:
    assert located(invalid_case("route_ends_in_vorberatung", tmp_path)) == [
        ("routes.yaml", 5, "only the last step may be entscheidung; make this step a vorberatung"),
        ("routes.yaml", 6, "the last step must be entscheidung or kenntnisnahme, not vorberatung"),
    ]


def test_unreachable_lifecycle_state_is_rejected(tmp_path: Path) -> None:
    [problem] = invalid_case("unreachable_state", tmp_path)
    assert (problem.file, problem.line, problem.path) == (
        "lifecycles.yaml",
        16,
        "lifecycles.paper.states.archived",
    )
    assert problem.message == "state 'archived' cannot be reached from the initial state 'draft'"


def test_unknown_guard_is_rejected_with_a_hint(tmp_path: Path) -> None:
    assert located(invalid_case("unknown_guard", tmp_path)) == [
        (
            "lifecycles.yaml",
            29,
            "unknown paper guard 'no_objection' (did you mean 'no_objections'?)",
        )
    ]


def test_missing_permissions_are_named(tmp_path: Path) -> None:
    assert located(invalid_case("missing_permissions", tmp_path)) == [
        ("lifecycles.yaml", 86, "missing permission(s) for: co_signature.sign, definitions.load")
    ]


def test_unquoted_no_asks_the_author_to_quote_it(tmp_path: Path) -> None:
    [problem] = invalid_case("unquoted_boolean", tmp_path)
    assert (problem.file, problem.line, problem.path) == ("users.yaml", 7, "users[1].name")
    assert problem.message.startswith("expected a string, got a boolean; quote the value")


def test_yaml_syntax_error_reports_its_line_and_nothing_else(tmp_path: Path) -> None:
    [problem] = invalid_case("yaml_syntax_error", tmp_path)
    assert (problem.file, problem.line) == ("paper_types.yaml", 4)
    assert problem.message.startswith("YAML syntax error:")


def test_problems_in_the_standard_lifecycles_name_that_file(tmp_path: Path) -> None:
    shutil.copytree(VALID, tmp_path / "stadt")
    standard = tmp_path / "_standard"
    standard.mkdir()
    (tmp_path / "stadt" / "lifecycles.yaml").rename(standard / "lifecycles.yaml")
    text = (standard / "lifecycles.yaml").read_text(encoding="utf-8")
    (standard / "lifecycles.yaml").write_text(text.replace("[has_date]", "[has_datum]"), "utf-8")
    [problem] = check_definitions(tmp_path / "stadt")
    assert problem.file == "_standard/lifecycles.yaml"
    assert "unknown consultation guard 'has_datum'" in problem.message


def small_files(**overrides: str) -> dict[str, str]:
    files = read_definition_files(VALID)
    return {**files, **overrides}


def test_missing_section_is_named() -> None:
    files = small_files()
    del files["users.yaml"]
    with pytest.raises(DefinitionError) as info:
        catalog_from_files(files, "musterstadt")
    assert located(info.value.problems) == [
        ("musterstadt", None, "missing section 'users'; add it to a file such as users.yaml")
    ]


def test_section_defined_twice_names_the_first_place() -> None:
    files = small_files(**{"more.yaml": "# more\nbody:\n  id: x\n"})
    with pytest.raises(DefinitionError) as info:
        catalog_from_files(files, "musterstadt")
    assert located(info.value.problems) == [
        ("more.yaml", 2, "section 'body' is already defined in body.yaml:2")
    ]


@pytest.mark.parametrize(
    ("numbering", "message"),
    [
        ("V/{year}", "numbering must contain {seq}, e.g. 'V/{year}/{seq}'"),
        ("V/{jahr}/{seq}", "numbering may use only {year}, {seq} and {origin}, not {jahr}"),
        ("V/{year}/{seq:q}", "invalid numbering pattern 'V/{year}/{seq:q}'"),
        ("{origin}/{year}-{seq}", "an Ergänzungsvorlage is numbered from {origin} and {seq}"),
    ],
)
def test_bad_numbering_patterns_are_rejected(numbering: str, message: str) -> None:
    text = f'paper_types:\n  - id: vorlage\n    name: Vorlage\n    numbering: "{numbering}"\n'
    with pytest.raises(DefinitionError) as info:
        catalog_from_files(small_files(**{"paper_types.yaml": text}), "musterstadt")
    [problem] = info.value.problems
    assert (problem.line, problem.path) == (4, "paper_types[0].numbering")
    assert problem.message.startswith(message)


def test_missing_engine_trigger_and_final_state_are_reported() -> None:
    text = read_definition_files(VALID)["lifecycles.yaml"]
    text = text.replace("      - trigger: note\n", "      - trigger: notice\n")
    text = text.replace("held: {label: beraten, final: true}", "held: {label: beraten}")
    text = text.replace("cancelled: {label: entfallen, final: true}", "cancelled: {label: x}")
    text = text.replace("dropped: {label: abgesetzt, final: true}", "dropped: {label: y}")
    with pytest.raises(DefinitionError) as info:
        catalog_from_files(small_files(**{"lifecycles.yaml": text}), "musterstadt")
    messages = [p.message for p in info.value.problems]
    assert "missing trigger(s) the engine needs: note" in messages
    assert "no final state; mark at least one state with 'final: true'" in messages


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ('  ags: "0731300"\n', "ags '0731300' must be 8 digits; quote it"),
        ('  ags: "10041519"\n', "ags '10041519' does not begin with '05', the number of state NW"),
        ("  ags: 5334016\n", "body.ags"),
        (
            '  ags: "05334016"\n  ars: "053340016017"\n',
            "ars '053340016017' does not contain ags '05334016' (digits 1-5 and 10-12)",
        ),
    ],
)
def test_bad_municipality_keys_are_rejected(tmp_path: Path, lines: str, message: str) -> None:
    folder = tmp_path / "stadt"
    shutil.copytree(VALID, folder)
    body = folder / "body.yaml"
    body.write_text(body.read_text(encoding="utf-8") + lines, encoding="utf-8")
    problems = check_definitions(folder)
    assert len(problems) == 1 and message in str(problems[0]), problems


def test_municipality_keys_are_optional_and_read() -> None:
    assert load_catalog(VALID).body.ags is None
    assert load_catalog(resolve_definitions_dir("landau")).body.ags == "07313000"


# Issue 13 item 17: the gaps of `definitions check`.


def lifecycle_with(states: str, transitions: str) -> list[Problem]:
    """The valid fixture's paper lifecycle with extra states and transitions, checked."""
    text = read_definition_files(VALID)["lifecycles.yaml"]
    text = text.replace(
        "      draft: {label: Entwurf}\n", "      draft: {label: Entwurf}\n" + states, 1
    )
    text = text.replace("    transitions:\n", "    transitions:\n" + transitions, 1)
    with pytest.raises(DefinitionError) as info:
        catalog_from_files(small_files(**{"lifecycles.yaml": text}), "musterstadt")
    return info.value.problems


def test_a_state_that_can_never_be_left_is_refused() -> None:
    problems = lifecycle_with(
        "      parked: {label: Geparkt}\n",
        "      - {trigger: park, source: draft, dest: parked, label: parken, roles: [admin]}\n",
    )
    assert located(problems) == [
        (
            "lifecycles.yaml",
            9,
            "state 'parked' can never be left; add a transition from it or mark it 'final: true'",
        )
    ]
    assert problems[0].path == "lifecycles.paper.states.parked"


def test_a_cycle_without_a_way_to_a_final_state_is_refused() -> None:
    problems = lifecycle_with(
        "      ping: {label: Ping}\n      pong: {label: Pong}\n",
        "      - {trigger: ping, source: draft, dest: ping, label: p, roles: [admin]}\n"
        "      - {trigger: pong, source: ping, dest: pong, label: p, roles: [admin]}\n"
        "      - {trigger: ping, source: pong, dest: ping, label: p, roles: [admin]}\n",
    )
    assert [(p.line, p.path) for p in problems] == [
        (9, "lifecycles.paper.states.ping"),
        (10, "lifecycles.paper.states.pong"),
    ]
    assert problems[0].message.startswith("no final state can be reached from state 'ping'")


@pytest.mark.parametrize(
    ("seats", "ok"), [(10**23, False), (1001, False), (0, False), (1000, True)]
)
def test_seats_are_bounded(seats: int, ok: bool) -> None:
    text = read_definition_files(VALID)["organizations.yaml"].replace(
        "seats: 10\n", f"seats: {seats}\n", 1
    )
    files = small_files(**{"organizations.yaml": text})
    if ok:
        catalog_from_files(files, "musterstadt")
        return
    with pytest.raises(DefinitionError) as info:
        catalog_from_files(files, "musterstadt")
    assert located(info.value.problems) == [
        ("organizations.yaml", 6, f"seats must be between 1 and 1000, got {seats}")
    ]


@pytest.mark.parametrize(
    ("vorlage", "ergaenzung", "line", "message"),
    [
        ("V/{year}/{seq:0100000d}", "{origin}-E{seq:02d}", 4, "field width in numbering"),
        ("V/{year}/{seq:070d}", "{origin}-E{seq:02d}", 4, "numbers of up to 77 characters"),
        ("V/{year}/{seq}", "{origin}-E{seq:051d}", 8, "numbers of up to 65 characters; a pa"),
    ],
)
def test_numbering_must_give_numbers_that_fit_the_paper_number(
    vorlage: str, ergaenzung: str, line: int, message: str
) -> None:
    text = read_definition_files(VALID)["paper_types.yaml"]
    text = text.replace('"V/{year}/{seq}"', f'"{vorlage}"', 1)
    text = text.replace('"{origin}-E{seq:02d}"', f'"{ergaenzung}"', 1)
    with pytest.raises(DefinitionError) as info:
        catalog_from_files(small_files(**{"paper_types.yaml": text}), "musterstadt")
    [problem] = info.value.problems
    assert (problem.file, problem.line) == ("paper_types.yaml", line)
    assert message in problem.message


def test_numbering_of_the_longest_stored_number_is_accepted() -> None:
    # V/9999/99999 is 12 characters; with -E and 50 digits the supplement has 64
    text = read_definition_files(VALID)["paper_types.yaml"]
    text = text.replace('"{origin}-E{seq:02d}"', '"{origin}-E{seq:050d}"', 1)
    catalog_from_files(small_files(**{"paper_types.yaml": text}), "musterstadt")


def test_definitions_check_refuses_a_billion_days_of_notice(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from workflow.cli import cli

    shutil.copytree(shipped_definitions_root() / "landau", tmp_path / "landau")
    shutil.copytree(shipped_definitions_root() / "_standard", tmp_path / "_standard")
    deadlines = tmp_path / "landau" / "deadlines.yaml"
    text = deadlines.read_text(encoding="utf-8").replace("days: 4\n", "days: 1000000000\n", 1)
    deadlines.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["definitions", "check", str(tmp_path / "landau")])
    assert result.exit_code == 1
    assert "deadlines.yaml:7 (deadlines.default.notice.days): days must be at most 366" in (
        result.stderr
    )


def test_definitions_files_are_bounded_in_size_and_regular(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "stadt"
    shutil.copytree(VALID, folder)
    padding = "# " + "x" * 1022 + "\n"
    (folder / "body.yaml").write_text(
        (VALID / "body.yaml").read_text(encoding="utf-8") + padding * 1024, encoding="utf-8"
    )
    [problem] = check_definitions(folder)
    assert problem.file == "body.yaml"
    assert "is larger than 1048576 bytes (RATSWEG_MAX_DEFINITIONS_BYTES)" in problem.message
    monkeypatch.setenv("RATSWEG_MAX_DEFINITIONS_BYTES", str(2 * 1024 * 1024))
    assert check_definitions(folder) == []
    monkeypatch.delenv("RATSWEG_MAX_DEFINITIONS_BYTES")
    shutil.copy(VALID / "body.yaml", folder / "body.yaml")
    os.mkfifo(folder / "fifo.yaml")
    [problem] = check_definitions(folder)  # refused at once, not read (it would hang)
    assert problem.file == "fifo.yaml" and "is not a regular file" in problem.message


# -- issue 13 item 19: the length of a meeting planned without an end -------------------------

_LENGTHS = """organizations:
  - id: rat
    name: Rat der Stadt Musterstadt
    kind: council
    meeting_length_minutes: {rat}
  - id: ausschuss
    name: Hauptausschuss
    kind: committee
  - id: amt1
    name: Amt 1
    kind: office
    meeting_length_minutes: 60
"""


def test_meeting_length_is_optional_bounded_and_for_gremien_only(tmp_path: Path) -> None:
    folder = tmp_path / "lengths"
    shutil.copytree(VALID, folder)
    orgs = folder / "organizations.yaml"
    orgs.write_text(_LENGTHS.format(rat=10), encoding="utf-8")
    assert located(check_definitions(folder)) == [
        (
            "organizations.yaml",
            5,
            "meeting_length_minutes must be from 15 to 720 (minutes), got 10",
        ),
        ("organizations.yaml", 12, "an office holds no meetings; remove 'meeting_length_minutes'"),
    ]
    orgs.write_text(_LENGTHS.format(rat="lang"), encoding="utf-8")
    [problem] = check_definitions(folder)[:1]
    assert problem.path == "organizations[0].meeting_length_minutes"
    orgs.write_text(_LENGTHS.format(rat=150).replace("    meeting_length_minutes: 60\n", ""))
    catalog = load_catalog(folder)
    assert catalog.organization("rat").meeting_length_minutes == 150
    assert catalog.meeting_length("rat") == dt.timedelta(hours=2, minutes=30)
    # without the key (every shipped municipality, every stored version): three hours
    assert catalog.meeting_length("ausschuss") == dt.timedelta(hours=3)
    assert load_catalog(VALID).meeting_length("rat") == dt.timedelta(hours=3)
