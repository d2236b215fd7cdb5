"""Which of a host's external packages this machine has: one CMake run that calls
``find_package`` for each ``native.packages`` entry, as configure would (``matrix
--packages-here``, ``verify --packages-here``)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from .._configure.cmake_script import bracket
from .._configure.registration import Package, Registration

__all__ = ["missing_here"]


def _probe_script(packages: Sequence[Package], result: Path) -> str:
    lines = [
        "cmake_minimum_required(VERSION 3.21)",
        # Both languages: a package's own checks may need C (LLVM's do) as a host's may.
        "project(modgate_probe LANGUAGES C CXX)",
        f'file(WRITE {bracket(str(result))} "")',
    ]
    for index, package in enumerate(packages):
        version = f" {package.version}" if package.version else ""
        components = f" COMPONENTS {' '.join(package.components)}" if package.components else ""
        lines.append(f"find_package({package.name}{version}{components} QUIET)")
        lines.append(f'file(APPEND {bracket(str(result))} "{index}=${{{package.name}_FOUND}}\\n")')
    return "\n".join(lines) + "\n"


def _first_error(output: str) -> str:
    """What CMake said: the first line of text after its first ``CMake Error`` heading."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("CMake Error"):
            said = next((later.strip() for later in lines[index + 1 :] if later.strip()), "")
            return said or line.strip()
    return output.strip().splitlines()[-1] if output.strip() else "cmake failed"


def missing_here(modules: Mapping[str, Registration], defines: Sequence[str] = ()) -> dict[str, list[str]]:
    """Per module, its packages this machine does not have (``defines``: ``NAME=VALUE``
    passed to the probe as to a configure, e.g. ``CMAKE_PREFIX_PATH=...``). A probe that
    fails as a whole marks every package it did not answer for as missing, with why."""
    packages: list[Package] = []
    for reg in modules.values():
        for package in reg.native.packages if reg.native else ():
            if package not in packages:
                packages.append(package)
    if not packages:
        return {}
    with tempfile.TemporaryDirectory(prefix="modgate-probe-") as scratch:
        folder = Path(scratch)
        result = folder / "found.txt"
        (folder / "CMakeLists.txt").write_text(_probe_script(packages, result), encoding="utf-8")
        cmd = ["cmake", "-S", str(folder), "-B", str(folder / "build"), *(f"-D{d}" for d in defines)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        answered = dict(
            line.split("=", 1) for line in (result.read_text().splitlines() if result.is_file() else []) if "=" in line
        )
    failure = f" (the package look-up failed: {_first_error(proc.stderr)})" if proc.returncode != 0 else ""
    found = {
        package: answered.get(str(i), "").upper() in ("1", "ON", "TRUE", "YES") for i, package in enumerate(packages)
    }
    missing: dict[str, list[str]] = {}
    for name, reg in sorted(modules.items()):
        for package in reg.native.packages if reg.native else ():
            if not found[package]:
                missing.setdefault(name, []).append(
                    package.describe() + (failure if str(packages.index(package)) not in answered else "")
                )
    return missing
