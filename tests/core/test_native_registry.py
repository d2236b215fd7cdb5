"""The shared runtime and the registry, reached only by name."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import modgate._core as core
from modgate import info, is_built, manifest_path
from modgate.native import functions, load, lookup


def test_abi_version_is_one_value_everywhere() -> None:
    assert core.abi_version() == core.ABI_VERSION == info()["abi_version"]


def test_lookup_allows_missing() -> None:
    assert core.lookup("nosuchmodule.nothing") is None
    assert lookup("nosuchmodule.nothing") is None
    assert lookup("no_dot_at_all") is None


def test_every_enabled_native_artifact_is_installed() -> None:
    base = manifest_path().parent
    for name, module in info()["modules"].items():
        for artifact in module["native"]:
            # A module shipped in a wheel of its own has its files only when that wheel is installed.
            assert (base / artifact).is_file() is is_built(name), (name, artifact)
            assert Path(artifact).parts[:2] == ("modules", name)


def test_disabled_modules_leave_no_files() -> None:
    base = manifest_path().parent / "modules"
    for name, module in info()["modules"].items():
        if module["state"] == "OFF":
            assert not (base / name).exists(), name


def test_every_enabled_native_library_registers_and_nothing_is_refused() -> None:
    for name, module in info()["modules"].items():
        libraries = [a for a in module["native"] if not Path(a).name.startswith("_native")]
        if is_built(name) and libraries:
            load(name)
            assert any(fn.startswith(f"modgate:{name}.") for fn in functions()), name
    assert core.registry_errors() == []


def test_registry_functions_are_namespaced_by_host_and_module() -> None:
    modules = info()["modules"]
    for key in functions():
        host, _, name = key.partition(":")
        owner = name.partition(".")[0]
        if host != "modgate":
            continue  # another host's (a test may have loaded one)
        assert owner in modules and modules[owner]["state"] == "ON", key
        function = core.lookup(key)
        assert function is not None and function.name == key and function.module == f"modgate:{owner}"
        assert lookup(name) is not None and lookup(key) is not None


def test_a_subinterpreter_gets_an_import_error_not_a_hang() -> None:
    # pybind11 keeps one state per process: its init waits forever in a subinterpreter.
    # Every extension of this build refuses there, naming itself.
    package = Path(manifest_path()).parent
    names = ["modgate._core"] + [
        ".".join(p.relative_to(package.parent).with_suffix("").with_suffix("").parts)
        for p in sorted((package / "modules").glob("*/_native*.so"))
    ]
    code = textwrap.dedent(
        f"""
        try:
            import _interpreters as interpreters  # 3.13
        except ImportError:
            import _xxsubinterpreters as interpreters
        for name in {names!r}:
            sub = interpreters.create()
            try:  # 3.13 returns what was raised; earlier versions raise it
                failed = interpreters.run_string(sub, f"import {{name}}")
            except Exception as exc:
                failed = exc
            print(name, "|", failed if failed is not None else "imported")
        """
    )
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("importing an extension in a subinterpreter hung")
    lines = done.stdout.splitlines()
    assert len(lines) == len(names), done.stderr
    for name, line in zip(names, lines, strict=True):
        assert line.startswith(f"{name} |") and "load in the main interpreter only" in line, line
