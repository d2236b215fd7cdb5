"""This repository's own modules, each turned off, and all off: configure, build,
install, and pass the core tests. One build directory is reconfigured from one
configuration to the next, so these tests also prove that reconfiguring leaves no stale
state and that a toggle recompiles no core translation unit."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.integration.cmake_builds import (
    build,
    check,
    configure,
    dependents,
    import_states,
    install,
    manifest,
    own_modules,
    run_core_tests,
)

pytestmark = pytest.mark.build

OWN = own_modules()
CORE_TARGETS = {"modgate_runtime", "_core"}


def _configs() -> list[tuple[str, dict[str, str], set[str]]]:
    configs: list[tuple[str, dict[str, str], set[str]]] = [("all-on", {}, set())]
    for name in OWN:
        configs.append((f"{name}-off", {f"USE_MODULE_{name.upper()}": "OFF"}, dependents(name, OWN)))
    configs.append(("all-off", {"MODGATE_ALL_MODULES": "OFF"}, set(OWN)))
    return configs


CONFIGS = _configs()


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("own-build")


def test_there_are_at_least_three_own_modules() -> None:
    assert len(OWN) >= 3
    assert any(requires for requires in OWN.values()), "one module must require another"


@pytest.mark.parametrize(("label", "setting", "off"), CONFIGS, ids=[c[0] for c in CONFIGS])
def test_configuration_builds_and_passes_core_tests(
    build_dir: Path, tmp_path: Path, label: str, setting: dict[str, str], off: set[str]
) -> None:
    first = not (build_dir / "CMakeCache.txt").exists()
    # Reset every value to unset, then apply this configuration's: what the previous
    # configuration set must not leak into this one.
    defines = {f"USE_MODULE_{name.upper()}": "" for name in OWN} | {"MODGATE_ALL_MODULES": ""} | setting
    proc = check(configure(ROOT, build_dir, defines))
    for name in OWN:
        state = "OFF" if name in off else "ON"
        assert any(line.split()[1:3] == [name, state] for line in proc.stdout.splitlines() if line.startswith("--")), (
            name,
            proc.stdout,
        )

    proc, compiled = build(build_dir)
    check(proc)
    if not first:
        assert not CORE_TARGETS & set(compiled), f"toggling recompiled the core: {compiled}"
    allowed = {f"modgate_{n}" for n in OWN} | {f"modgate_{n}_python" for n in OWN}
    assert set(compiled) <= allowed | (CORE_TARGETS if first else set())

    # The build tree on PYTHONPATH imports exactly this configuration (nothing stale).
    package, states = import_states(build_dir / "python")
    assert package == build_dir / "python" / "modgate"
    assert {n for n, s in states.items() if s == "OFF"} == off, states
    assert all(s.startswith("ON") for n, s in states.items() if n not in off), states

    prefix = install(build_dir, tmp_path / "prefix")
    data = manifest(prefix)
    assert set(data["modules"]) == set(OWN)
    for name, module in data["modules"].items():
        assert module["state"] == ("OFF" if name in off else "ON"), (name, module)
        if name in setting or f"USE_MODULE_{name.upper()}" in setting:
            assert module["reason"] == f"USE_MODULE_{name.upper()}=OFF"
        elif name in off and "MODGATE_ALL_MODULES" in setting:
            assert module["reason"] == "MODGATE_ALL_MODULES=OFF"
        elif name in off:
            assert module["reason"].startswith("requires "), module["reason"]
        installed = prefix / "modgate" / "modules" / name
        assert installed.is_dir() == (name not in off)
    run_core_tests(prefix)


def test_reconfigure_without_changes_rebuilds_nothing(build_dir: Path) -> None:
    check(configure(ROOT, build_dir, {}))
    check(build(build_dir)[0])
    check(configure(ROOT, build_dir, {}))
    proc, compiled = build(build_dir)
    check(proc)
    assert compiled == [] and "no work to do" in proc.stdout
