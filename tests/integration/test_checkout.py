"""A fresh checkout runs its pure-Python unit tests without building anything: pytest
against python/ of the checkout, with only the test tools installed. The environment is
this one less modgate (a venv seeing every installed package but modgate's files), so
nothing is downloaded; one unit file runs, and the collection shows every unit test and
nothing that needs a build."""

from __future__ import annotations

import re
import site
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.build


def _without_modgate(tmp: Path) -> Path:
    """A venv's interpreter that sees this environment's packages, modgate's left out."""
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    shadow = tmp / "site"
    shadow.mkdir()
    for folder in map(Path, site.getsitepackages()):
        for entry in folder.iterdir() if folder.is_dir() else ():
            if not entry.name.lower().startswith("modgate") and not (shadow / entry.name).exists():
                (shadow / entry.name).symlink_to(entry)
    purelib = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The packages' own .pth files (editable installs) run from the shadow as from site-packages.
    (Path(purelib) / "_environment.pth").write_text(f"{shadow}\n", encoding="utf-8")
    return venv / "bin" / "python"


def test_unit_tests_run_from_a_checkout_without_a_build(tmp_path: Path) -> None:
    python = str(_without_modgate(tmp_path))
    assert subprocess.run([python, "-c", "import modgate"], capture_output=True, check=False).returncode != 0
    pytest_cmd = [python, "-m", "pytest", "-p", "no:cacheprovider"]
    ran = subprocess.run([*pytest_cmd, "tests/unit/test_resolver.py"], capture_output=True, text=True, cwd=ROOT)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert "only tests/unit runs (against python/ of this checkout)" in ran.stdout
    assert re.search(r"=+ \d+ passed in ", ran.stdout) and "skipped" not in ran.stdout, ran.stdout[-2000:]
    # The default test paths, without a build: exactly the unit tests are collected.
    listed = subprocess.run([*pytest_cmd, "-q", "--collect-only"], capture_output=True, text=True, cwd=ROOT)
    units = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider", "tests/unit"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    ids = [line for line in listed.stdout.splitlines() if "::" in line]
    assert ids and ids == [line for line in units.stdout.splitlines() if "::" in line], listed.stdout[-2000:]
