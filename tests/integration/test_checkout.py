"""A fresh checkout runs its pure-Python unit tests without building anything: pytest
against python/ of the checkout, with only the test tools (tests/requirements.txt) installed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.build


def test_unit_tests_run_from_a_checkout_without_a_build(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    requirements = ROOT / "tests" / "requirements.txt"  # the test tools, as the README installs them
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", str(requirements)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    assert subprocess.run([str(python), "-c", "import modgate"], capture_output=True, check=False).returncode != 0
    proc = subprocess.run(
        [str(python), "-m", "pytest", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "only tests/unit runs" in proc.stdout
    summary = re.search(r"=+ (\d+) passed in ", proc.stdout)
    assert summary is not None and "failed" not in proc.stdout.splitlines()[-1], proc.stdout[-2000:]
    passed = int(summary.group(1))
    units = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider", "tests/unit"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert f"{passed} tests collected" in units.stdout  # every unit test ran, nothing else
