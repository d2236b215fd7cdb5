"""Which modgate this test session imports.

With a built modgate installed (``pip install .``), every test runs against it: the
core's, the modules' and the build tests. Without one (a fresh checkout), the pure-Python
unit tests (``tests/unit``) run against the checkout's ``python/`` and the rest is left
out, as the report header says. Not pytest's ``pythonpath`` setting: that would put the
checkout's unbuilt package before the installed build for every test.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SOURCE = ROOT / "python" / "modgate"


def _installed_build() -> Path | None:
    spec = importlib.util.find_spec("modgate")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "_manifest.json").is_file():
            return Path(location)
    return None


def _differing(installed: Path) -> list[str]:
    """The checkout's Python files whose installed copy differs (a stale install)."""

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""

    return [
        path.relative_to(SOURCE).as_posix()
        for path in sorted(SOURCE.rglob("*.py"))
        if "__pycache__" not in path.parts and digest(path) != digest(installed / path.relative_to(SOURCE))
    ]


def _fast_builds() -> None:
    """Every CMake and pip build the tests run is a Debug build compiled through ccache,
    when it is installed (CMake and scikit-build-core read both from the environment):
    pybind11 links a Release extension with link-time optimisation, which compiles it again
    at every link and which no cache saves; ccache, with paths under the temporary folder
    rewritten relative (``CCACHE_BASEDIR``), compiles the same sources built from copies of
    the tree in different test folders once. What the caller set is kept. (The README's
    test command installs the shipped Release build before the suite.)"""
    os.environ.setdefault("CMAKE_BUILD_TYPE", "Debug")
    os.environ.setdefault("SKBUILD_CMAKE_BUILD_TYPE", os.environ["CMAKE_BUILD_TYPE"])
    ccache = shutil.which("ccache")
    if ccache is None or "CMAKE_CXX_COMPILER_LAUNCHER" in os.environ:
        return
    os.environ.update(
        {
            "CMAKE_C_COMPILER_LAUNCHER": ccache,
            "CMAKE_CXX_COMPILER_LAUNCHER": ccache,
            "CCACHE_BASEDIR": os.path.realpath(tempfile.gettempdir()),
            "CCACHE_NOHASHDIR": "true",
            # Copies of the tree are made just before they are built: headers that new are
            # still trusted by their contents.
            "CCACHE_SLOPPINESS": "include_file_mtime,include_file_ctime",
        }
    )


_fast_builds()
INSTALLED = _installed_build()
if INSTALLED is None:
    sys.path.insert(0, str(SOURCE.parent))
STALE = _differing(INSTALLED) if INSTALLED is not None and INSTALLED != SOURCE else []
# What needs a build (a hook, not collect_ignore: a nearer conftest's list would hide this one's).
NEEDS_BUILD = [ROOT / "tests" / "core", ROOT / "tests" / "integration", ROOT / "modules"]


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    if INSTALLED is None and any(collection_path.is_relative_to(path) for path in NEEDS_BUILD):
        return True
    return None


def pytest_report_header() -> list[str]:
    if INSTALLED is None:
        return [
            "modgate: no built modgate is installed, so only tests/unit runs (against python/ of this checkout);"
            " pip install . to run the whole suite"
        ]
    lines = [f"modgate under test: {INSTALLED}"]
    if STALE:
        lines.append(
            f"modgate: the installed copy differs from this checkout in {len(STALE)} file(s) ({', '.join(STALE[:3])}"
            f"{', ...' if len(STALE) > 3 else ''}): pip install . to test your changes"
        )
    return lines
