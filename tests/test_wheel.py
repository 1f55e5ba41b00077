"""The built wheel holds everything ratsweg needs: installed from it (not editable), outside
the source tree, ``ratsweg demo`` replays the Landau paper and verifies its audit trail, and
the web workplace's templates and static files are there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.mark.slow
def test_the_installed_wheel_runs_the_demo(tmp_path: Path) -> None:
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps"]
    subprocess.run([*build, "-w", str(wheels), str(ROOT)], check=True, timeout=300)
    (wheel,) = wheels.glob("ratsweg-*.whl")
    install = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target"]
    subprocess.run([*install, str(target), str(wheel)], check=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target), "RATSWEG_DATABASE_URL": ""}
    code = "import workflow, sys; print(workflow.__file__); from workflow.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", code, "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith(str(target))
    assert "39" in result.stdout and "2011/001" in result.stdout
    # the web workplace's templates, styles and vendored scripts with their licences
    web = target / "workflow" / "web"
    for name in (
        "templates/base.html",
        "templates/paper.html",
        "static/app.css",
        "static/vendor/htmx-2.0.4.min.js",
        "static/vendor/htmx.LICENSE.txt",
        "static/vendor/sortable-1.15.6.min.js",
        "static/vendor/sortable.LICENSE.txt",
    ):
        assert (web / name).is_file(), name
