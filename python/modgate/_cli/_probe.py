"""Which of a host's external packages this machine has, asked through configure's own
probe (``cmake/modgate_probe.cmake`` run as a script): ``find_package`` for each
``native.packages`` entry in a CMake run of its own, so one whose CMake config fails hides
no other (``matrix --packages-here``, ``verify --packages-here``)."""

from __future__ import annotations

import shlex
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from .._configure.registration import Package, Registration
from ._common import cmake_dir

__all__ = ["missing_here", "probe_file"]

PROBE_FILE = "modgate_probe.cmake"
RESULT = "modgate-probe-result:"


def probe_file() -> Path:
    """The probe script: in the installed CMake package, else in a source checkout's ``cmake/``."""
    installed = Path(cmake_dir()) / PROBE_FILE
    if installed.is_file():
        return installed
    return Path(__file__).resolve().parents[3] / "cmake" / PROBE_FILE


def _answers(packages: Sequence[Package], defines: Sequence[str], folder: Path) -> list[str]:
    """The probe's answer for each package, in order: ``found``, ``missing`` or ``error:...``."""
    specs = ";".join(shlex.join(package.find_arguments()) for package in packages)
    cmd = [
        "cmake",
        *(f"-D{d}" for d in defines),
        f"-DMODGATE_PROBE_PACKAGES={specs}",
        f"-DMODGATE_PROBE_DIR={folder}",
        "-P",
        str(probe_file()),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    said = {}
    for line in (proc.stdout + proc.stderr).splitlines():
        _, marker, rest = line.partition(RESULT)
        if marker:
            index, _, answer = rest.partition(":")
            said[int(index)] = answer
    if proc.returncode != 0 or len(said) != len(packages):
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        return [f"error:the probe itself failed: {tail[0]}"] * len(packages)
    return [said[i] for i in range(len(packages))]


def missing_here(modules: Mapping[str, Registration], defines: Sequence[str] = ()) -> dict[str, list[str]]:
    """Per module, its packages this machine does not have, each with why (``defines``:
    ``NAME=VALUE`` passed to each look-up as to a configure, e.g. ``CMAKE_PREFIX_PATH=...``)."""
    packages: list[Package] = []
    for reg in modules.values():
        for package in reg.native.packages if reg.native else ():
            if package not in packages:
                packages.append(package)
    with tempfile.TemporaryDirectory(prefix="modgate-probe-") as scratch:
        answers = _answers(packages, defines, Path(scratch)) if packages else []
    why = dict(zip(packages, answers, strict=True))
    missing: dict[str, list[str]] = {}
    for name, reg in sorted(modules.items()):
        for package in reg.native.packages if reg.native else ():
            answer = why[package]
            if answer == "missing":
                missing.setdefault(name, []).append(package.describe())
            elif answer != "found":
                reason = f"its CMake package failed to load: {answer.removeprefix('error:')}"
                missing.setdefault(name, []).append(f"{package.describe()} ({reason})")
    return missing
