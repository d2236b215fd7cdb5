"""Shared helpers: the repository, the resolver run as CMake runs it, module folders.

Tests import the installed `modgate` (the README's test command installs it first);
the resolver itself runs from the source tree, as CMake runs it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGURE = ROOT / "python" / "modgate" / "_configure.py"
FIXTURES = ROOT / "tests" / "fixtures"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_configure(stage: str, args: Sequence[str], tmp: Path) -> Run:
    """The resolver exactly as cmake/modgate.cmake runs it."""
    out = tmp / f"{stage}.cmake"
    cmd = [sys.executable, "-S", "-E", str(CONFIGURE), stage, "--source-dir", str(tmp), "--out", str(out), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def write_module(root: Path, name: str, toml: str, files: dict[str, str] | None = None) -> Path:
    """A module folder ``root/name`` with ``module.toml`` and extra files."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "module.toml").write_text(textwrap.dedent(toml), encoding="utf-8")
    for rel, text in (files or {}).items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def basic(name: str, extra: str = "") -> str:
    return f'name = "{name}"\nsummary = "the {name} module"\nstage = "S1"\n' + textwrap.dedent(extra)
