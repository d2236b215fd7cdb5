"""Driving real CMake builds of this repository (or a copy of it) from tests."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from modgate._cli._wheelfile import read_wheel, write_wheel
from modgate._names import MODULE_RECORD_NAME
from tests.helpers import ROOT

# What a checkout holds that is no part of the tree: git's, builds', and the caches of the
# tools the test command runs first (ruff and mypy write binary files a spelling check trips on).
_COPY_IGNORE = shutil.ignore_patterns(
    ".git", "build", "dist", "__pycache__", ".pytest_cache", ".hypothesis", "*.egg-info", ".ruff_cache", ".mypy_cache"
)


def own_modules(root: Path = ROOT) -> dict[str, tuple[str, ...]]:
    """This repository's modules and their requires, read from their registration files."""
    found = {}
    for toml in sorted((root / "modules").glob("*/module.toml")):
        data = tomllib.loads(toml.read_text(encoding="utf-8"))
        found[data["name"]] = tuple(data.get("requires", ()))
    return found


def dependents(name: str, modules: Mapping[str, tuple[str, ...]]) -> set[str]:
    """``name`` and every module whose requires lead to it."""
    result = {name}
    changed = True
    while changed:
        changed = False
        for other, requires in modules.items():
            if other not in result and result & set(requires):
                result.add(other)
                changed = True
    return result


def copy_tree(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=_COPY_IGNORE)
    return dest


def run(
    cmd: list[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=dict(env) if env else None, capture_output=True, text=True, check=False)


def configure(source: Path, build: Path, defines: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    args = [f"-D{k}={v}" for k, v in (defines or {}).items()]
    generator = [] if (build / "CMakeCache.txt").exists() else ["-G", "Ninja"]
    return run(["cmake", "-S", str(source), "-B", str(build), *generator, *args])


def build(build_dir: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Builds; returns the process and the targets whose translation units were compiled."""
    proc = run(["cmake", "--build", str(build_dir), "-j2"])
    compiled = re.findall(r"Building CXX object (?:\S*/)?CMakeFiles/([^/]+)\.dir/", proc.stdout)
    return proc, compiled


def install(build_dir: Path, prefix: Path) -> Path:
    proc = run(["cmake", "--install", str(build_dir), "--prefix", str(prefix)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return prefix


def check(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, f"{proc.args}\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
    return proc


def env_for(prefix: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(prefix) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("MODGATE_DISABLE", None)
    return env


def env_with(*paths: Path, **extra: str) -> dict[str, str]:
    """This environment without any MODGATE_ switch, ``paths`` as PYTHONPATH, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODGATE_")}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in paths)
    return env | extra


def python_output(code: str, env: Mapping[str, str]) -> str:
    """The output of ``code`` (dedented) run in ``env``; a failure fails the test."""
    return check(run([sys.executable, "-c", textwrap.dedent(code)], env=env)).stdout


def python(prefix: Path, code: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-c", code], env=env_for(prefix), cwd=prefix)


def manifest(prefix: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((prefix / "modgate" / "_manifest.json").read_text(encoding="utf-8"))
    return data


_IMPORT_STATES = """
import json, modgate
states = {}
for name in modgate.info()["modules"]:
    try:
        module = modgate.require(name)
        states[name] = "ON" if module.__file__.startswith(modgate.__path__[0]) else module.__file__
    except modgate.ModuleDisabledError:
        states[name] = "OFF"
    except modgate.ModuleUnavailableError:
        states[name] = "ON (requirements not installed)"
print(json.dumps({"package": modgate.__path__[0], "states": states}))
"""


def import_states(path: Path) -> tuple[Path, dict[str, str]]:
    """With ``path`` on PYTHONPATH: where modgate comes from, and per module whether
    ``modgate.require`` gives it (ON, from that package) or says it is off (OFF)."""
    data = json.loads(check(python(path, _IMPORT_STATES)).stdout)
    return Path(data["package"]), data["states"]


def run_core_tests(
    prefix: Path, source: Path = ROOT, *, with_modules: bool = False, with_unit: bool = False
) -> subprocess.CompletedProcess[str]:
    """The core tests (tests/core) against the modgate installed under ``prefix``; with
    ``with_modules``, every module's own tests too, in the same session (as the suite runs);
    with ``with_unit``, the unit tests that read the tree itself (those naming ``ROOT``: a
    module dropped into the tree can break only those; the others read what they write)."""
    where = check(python(prefix, "import modgate; print(modgate.__file__)")).stdout.strip()
    assert Path(where).is_relative_to(prefix), f"tests would import {where}, not the build under {prefix}"
    paths = [str(source / "tests" / "core")] + ([str(source / "modules")] if with_modules else [])
    if with_unit:
        paths += sorted(str(f) for f in (source / "tests" / "unit").glob("test_*.py") if "ROOT" in f.read_text())
    cmd = [sys.executable, "-m", "pytest", "-q", "-ra", "-p", "no:cacheprovider", *paths]
    return check(run(cmd, env=env_for(prefix), cwd=source))


def doctored(
    wheel: Path, out: Path, *, version: str | None = None, abi: int | None = None, build: str | None = None
) -> Path:
    """A copy of module wheel ``wheel`` as if built with another core: another version, the
    same version and another runtime ABI, or the same of both from another build."""
    original = read_wheel(wheel)
    new_version = version or original.version
    dist_info = f"{original.distribution}-{new_version}.dist-info"
    files = {}
    for name, (data, mode) in original.files.items():
        if name.endswith("/" + MODULE_RECORD_NAME):
            record = json.loads(data)
            record["version"] = new_version
            record["abi_version"] = record["abi_version"] if abi is None else abi
            record["build"] = record["build"] if build is None else build
            data = json.dumps(record).encode()
        if name.startswith(original.dist_info + "/"):
            if name.endswith("/RECORD"):
                continue
            name = dist_info + name[len(original.dist_info) :]
            if name.endswith("/METADATA"):
                data = data.replace(f"Version: {original.version}".encode(), f"Version: {new_version}".encode(), 1)
        files[name] = (data, mode)
    target = out / f"{original.distribution}-{new_version}-{original.tag}.whl"
    return write_wheel(target, dist_info, files)
