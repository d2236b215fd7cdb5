"""modgate's own release workflow, validated offline against the GitHub workflow schema
(the copy check-jsonschema ships), and read for what a release needs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import ROOT

RELEASE = ROOT / ".github" / "workflows" / "release.yml"


def test_the_release_workflow_is_valid_and_publishes_what_a_host_release_makes() -> None:
    pytest.importorskip("check_jsonschema", reason="the workflow schema: pip install check-jsonschema")
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert RELEASE in workflows
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
    done = subprocess.run([*command, *map(str, workflows)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    text = RELEASE.read_text(encoding="utf-8")
    assert "build --sdist" in text and "pypa/cibuildwheel@" in text  # the sdist and the wheels
    assert "MODGATE_MODULE_WHEELS=" in text and "modgate wheels --from-wheel {wheel}" in text  # module wheels
    assert "id-token: write" in text and "pypa/gh-action-pypi-publish@" in text  # trusted publishing
    assert "fetch-depth: 0" in text  # setuptools-scm needs the tags
