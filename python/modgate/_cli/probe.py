"""Which of a host's external packages this machine has: ``find_package`` for each
``native.packages`` entry, each in a CMake run of its own as configure does, so one whose
CMake config fails hides no other (``matrix --packages-here``, ``verify --packages-here``)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from .._configure.registration import Package, Registration

__all__ = ["missing_here"]


def _probe_script(package: Package) -> str:
    version = f" {package.version}" if package.version else ""
    components = f" COMPONENTS {' '.join(package.components)}" if package.components else ""
    return (
        "cmake_minimum_required(VERSION 3.21)\n"
        # Both languages: a package's own checks may need C (LLVM's do), as a host's may.
        "project(modgate_probe LANGUAGES C CXX)\n"
        f"find_package({package.name}{version}{components} QUIET)\n"
        f'message(STATUS "modgate-probe:${{{package.name}_FOUND}}")\n'
    )


def _first_error(output: str) -> str:
    """What CMake said: the first line of text after its first ``CMake Error`` heading."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("CMake Error"):
            said = next((later.strip() for later in lines[index + 1 :] if later.strip()), "")
            return said or line.strip()
    return output.strip().splitlines()[-1] if output.strip() else "cmake failed"


def _look_up(package: Package, defines: Sequence[str], folder: Path) -> str | None:
    """``None`` when this machine has ``package``, else why not (``folder``: a new one to use)."""
    folder.mkdir()
    (folder / "CMakeLists.txt").write_text(_probe_script(package), encoding="utf-8")
    cmd = ["cmake", "-S", str(folder), "-B", str(folder / "build"), *(f"-D{d}" for d in defines)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return f"its CMake package failed to load: {_first_error(proc.stderr + proc.stdout)}"
    found = any(
        line.endswith(("modgate-probe:1", "modgate-probe:TRUE", "modgate-probe:ON"))
        for line in proc.stdout.splitlines()
    )
    return None if found else "not found"


def missing_here(modules: Mapping[str, Registration], defines: Sequence[str] = ()) -> dict[str, list[str]]:
    """Per module, its packages this machine does not have, each with why (``defines``:
    ``NAME=VALUE`` passed to each look-up as to a configure, e.g. ``CMAKE_PREFIX_PATH=...``)."""
    packages: list[Package] = []
    for reg in modules.values():
        for package in reg.native.packages if reg.native else ():
            if package not in packages:
                packages.append(package)
    with tempfile.TemporaryDirectory(prefix="modgate-probe-") as scratch:
        why = {package: _look_up(package, defines, Path(scratch) / str(i)) for i, package in enumerate(packages)}
    missing: dict[str, list[str]] = {}
    for name, reg in sorted(modules.items()):
        for package in reg.native.packages if reg.native else ():
            reason = why[package]
            if reason is not None:
                text = package.describe() if reason == "not found" else f"{package.describe()} ({reason})"
                missing.setdefault(name, []).append(text)
    return missing
