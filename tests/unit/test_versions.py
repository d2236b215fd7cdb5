"""Requirement and version strings are judged by packaging, as pip judges them; a resolver
without packaging stops with one line saying what to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from modgate._configure.versions import check_requirement, check_version, version_after
from tests.helpers import CONFIGURE, basic, host_pyproject, write_module


@pytest.mark.parametrize(
    "text",
    ["graphviz>=0.20", 'a[b,c]>=1,<2; python_version < "3.12"', "x @ https://example.org/x-1.0-py3-none-any.whl", "y"],
)
def test_requirements_pip_accepts_pass(text: str) -> None:
    assert check_requirement(text) is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("pkg>1.0+local", "Local version label"),
        ("graphviz>=>0.20", "not a PEP 508 requirement"),
        ("bad req", "not a PEP 508 requirement"),
        ("  ", "empty"),
    ],
)
def test_requirements_pip_refuses_fail_with_the_reason(text: str, why: str) -> None:
    message = check_requirement(text)
    assert message is not None and why in message and "\n" not in message


def test_versions_are_pep_440_and_ordered_as_pip_orders_them() -> None:
    assert check_version("1.4") is None and check_version("3.0rc1") is None
    assert check_version("soon") is not None and check_version(" 1.0") is not None
    assert version_after("1.10", "1.9") and version_after("2.0", "2.0rc1") and not version_after("1.0", "1.0.0")


def test_a_resolver_without_packaging_says_to_install_it(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    project = tmp_path / "project"
    write_module(project / "modules", "alpha", basic("alpha", '[python]\nrequires = ["graphviz>=0.20"]\n'))
    host_pyproject(project, [project / "modules"])
    cmd = [str(python), "-S", str(CONFIGURE), "declare", "--project-dir", str(project), "--out", str(tmp_path / "p")]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and 'pip install "packaging>=24.2"' in lines[0], proc.stderr
