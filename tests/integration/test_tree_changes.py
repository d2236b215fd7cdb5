"""Modules come and go by their folder alone: deleting one leaves a tree that configures,
builds and passes the core tests; dropping a new folder into modules/ builds it with no
other file edited."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import FIXTURES
from tests.integration.cmake_builds import (
    build,
    check,
    configure,
    copy_tree,
    dependents,
    install,
    manifest,
    own_modules,
    python,
    run_core_tests,
)

pytestmark = pytest.mark.build
SPREAD_TESTS = True  # each test copies and builds the tree on its own: any worker may run it

OWN = own_modules()


@pytest.mark.parametrize("name", sorted(OWN))
def test_deleting_a_module_folder(tmp_path: Path, name: str) -> None:
    tree = copy_tree(tmp_path / "tree")
    shutil.rmtree(tree / "modules" / name)
    users = sorted(m for m, requires in OWN.items() if name in requires)
    if users:
        # A module still requiring the deleted one: configure refuses, naming its file,
        # the key and the fix. Deleting the dependents too (they mention the module) is the way out.
        proc = configure(tree, tmp_path / "refused")
        assert proc.returncode != 0
        for user in users:
            assert f"modules/{user}/module.toml: requires" in proc.stderr
        assert f"requires unknown module '{name}'" in proc.stderr and "fix:" in proc.stderr
        for gone in dependents(name, OWN) - {name}:
            shutil.rmtree(tree / "modules" / gone, ignore_errors=True)
    remaining = set(own_modules(tree))
    check(configure(tree, tmp_path / "build"))
    check(build(tmp_path / "build")[0])
    prefix = install(tmp_path / "build", tmp_path / "prefix")
    assert set(manifest(prefix)["modules"]) == remaining
    assert name not in manifest(prefix)["modules"]
    # This build does not have it, whatever an older install of modgate named.
    unknown = (
        f"import modgate\ntry:\n    modgate.require({name!r})\nexcept modgate.UnknownModuleError:\n    print('unknown')"
    )
    assert check(python(prefix, unknown)).stdout.strip() == "unknown"
    run_core_tests(prefix, source=tree)


def test_dropping_a_module_folder_in_builds_it(tmp_path: Path) -> None:
    tree = copy_tree(tmp_path / "tree")
    shutil.copytree(FIXTURES / "dropin" / "hello", tree / "modules" / "hello")
    proc = check(configure(tree, tmp_path / "build"))
    assert any(line.split()[1:3] == ["hello", "ON"] for line in proc.stdout.splitlines())
    check(build(tmp_path / "build")[0])
    prefix = install(tmp_path / "build", tmp_path / "prefix")
    hello = manifest(prefix)["modules"]["hello"]
    assert hello["state"] == "ON" and hello["stage"] == "S0"
    assert sorted(Path(a).name.split(".")[0] for a in hello["native"]) == ["_native", "libmodgate_hello"]
    out = check(python(prefix, "from modgate.modules import hello; print(hello.greet('world'))")).stdout
    assert out.strip() == "hello, world"
    registry = "from modgate.native import lookup; print(lookup('hello.greet')('registry'))"
    assert check(python(prefix, registry)).stdout.strip() == "hello, registry"
    # The module's own tests (one imports it at the top of the file), the core's and the unit
    # tests pass together in one session, as the suite runs them: a module breaks none of them
    # (its new CODEOWNERS line is a `modgate check` warning, not a failure).
    proc = run_core_tests(prefix, source=tree, with_modules=True, with_unit=True)
    assert not [line for line in proc.stdout.splitlines() if line.startswith("SKIPPED") and "hello" in line]
