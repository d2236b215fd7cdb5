"""Shared helpers: the repository, the resolver run as CMake runs it, module folders.

Tests import the installed `modgate` (the README's test command installs it first);
the resolver itself runs from the source tree, as CMake runs it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGURE = ROOT / "python" / "modgate" / "_configure"
FIXTURES = ROOT / "tests" / "fixtures"
# Three maintainers: what an S0 module needs for `modgate check` to pass.
MAINTAINERS = "Ada <ada@example.org>,Ben <ben@example.org>,Cy <cy@example.org>"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def host_pyproject(project: Path, modules_dirs: Sequence[Path], package: str = "modgate", extra: str = "") -> None:
    """A ``pyproject.toml`` declaring ``project`` a host whose modules are in ``modules_dirs``."""
    dirs = ", ".join(f'"{d.relative_to(project).as_posix()}"' for d in modules_dirs)
    text = f'[project]\nname = "{package}"\n\n[tool.modgate]\npackage = "{package}"\nmodules-dirs = [{dirs}]\n{extra}'
    (project / "pyproject.toml").write_text(text, encoding="utf-8")


def run_configure(step: str, args: Sequence[str], tmp: Path) -> Run:
    """The resolver exactly as cmake/modgate.cmake runs it. ``--modules-dir D`` (tests
    only) writes ``tmp/pyproject.toml`` naming those folders, as a host would."""
    out = tmp / f"{step}.cmake"
    rest = list(args)
    dirs = [Path(rest[i + 1]) for i, arg in enumerate(rest) if arg == "--modules-dir"]
    for _ in dirs:
        index = rest.index("--modules-dir")
        del rest[index : index + 2]
    if dirs:
        host_pyproject(tmp, dirs)
    cmd = [sys.executable, "-S", str(CONFIGURE), step, "--project-dir", str(tmp), "--out", str(out), *rest]
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


def new_module(
    project: Path,
    name: str,
    *args: str,
    top_level: str = "",
    modgate: Sequence[str] = (sys.executable, "-m", "modgate"),
    env: Mapping[str, str] | None = None,
) -> Path:
    """``modgate new <name> <args>`` in ``project``, as its author runs it (``modgate``:
    the command, e.g. a venv's), with three maintainers; then the ``top_level`` keys
    added before the registration's first table. Returns the module's folder."""
    command = [*modgate, "new", name, *args, "--maintainers", MAINTAINERS]
    proc = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{command}\n{proc.stdout}\n{proc.stderr}"
    folder = project / "modules" / name
    if top_level:
        toml = folder / "module.toml"
        head, sep, tail = toml.read_text(encoding="utf-8").partition("\n[")
        toml.write_text(head.rstrip("\n") + "\n" + top_level + sep + tail, encoding="utf-8")
    return folder
