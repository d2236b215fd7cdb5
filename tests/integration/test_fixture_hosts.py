"""Synthetic modules from tests/fixtures/, built together with the core (and none of
this repository's own modules) in one build directory, reconfigured per scenario."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, ROOT
from tests.integration.cmake_builds import build, check, configure, install, manifest, python

pytestmark = pytest.mark.build

HOSTS = ["include_ok", "include_undeclared", "packages", "conflicts", "verbatim"]
FIXTURE_MODULES = sorted(p.parent.name for host in HOSTS for p in (FIXTURES / host / "modules").glob("*/module.toml"))


def scenario(**values: str) -> dict[str, str]:
    """Only the fixture modules named here; everything else (the core aside) off."""
    defines = {
        "MODGATE_ALL_MODULES": "OFF",
        "MODGATE_EXTRA_MODULE_DIRS": ";".join(str(FIXTURES / host / "modules") for host in HOSTS),
    }
    defines |= {f"USE_MODULE_{name.upper()}": "" for name in FIXTURE_MODULES}
    defines |= {f"USE_MODULE_{name.upper()}": value for name, value in values.items()}
    return defines


def states(stdout: str) -> dict[str, tuple[str, str]]:
    table = {}
    for line in stdout.splitlines():
        parts = line.split(None, 4)
        if len(parts) >= 4 and parts[0] == "--" and parts[2] in ("ON", "OFF"):
            table[parts[1]] = (parts[2], parts[4] if len(parts) > 4 else "")
    return table


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fixture-build")


def test_include_through_requires_compiles_and_links(build_dir: Path, tmp_path: Path) -> None:
    proc = check(configure(ROOT, build_dir, scenario(base_lib="ON", user_lib="ON")))
    assert states(proc.stdout)["user_lib"][0] == "ON"
    check(build(build_dir)[0])
    prefix = install(build_dir, tmp_path / "prefix")
    code = "from modgate.modules import user_lib as u; print(u.sum_of_triangles(4), u.triangle_via_registry(10))"
    assert check(python(prefix, code)).stdout.split() == ["20", "55"]


def test_undeclared_include_fails_naming_the_requires_entry(build_dir: Path) -> None:
    check(configure(ROOT, build_dir, scenario(base_lib="ON", sneaky="ON")))
    proc, compiled = build(build_dir)
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "modgate: module 'sneaky' includes <modgate/base_lib/math.h> without requiring 'base_lib'" in output
    assert "add \"base_lib\" to requires in the module.toml of module 'sneaky'" in output
    # Only the offending module failed: the others built.
    assert "modgate_base_lib" in compiled or "modgate_sneaky" in compiled


def _includes(build_dir: Path, target: str) -> str:
    """The INCLUDES of the first translation unit of ``target`` in build.ninja."""
    for block in (build_dir / "build.ninja").read_text().split("\nbuild "):
        head = block.split("\n", 1)[0]
        if f"CMakeFiles/{target}.dir/" in head and ".o:" in head:
            for line in block.splitlines():
                if line.strip().startswith("INCLUDES ="):
                    return line
            return ""
    raise AssertionError(f"no object of {target} in build.ninja")


def test_module_sees_only_the_include_directories_it_declared(build_dir: Path) -> None:
    check(configure(ROOT, build_dir, scenario(base_lib="ON", user_lib="ON", sneaky="ON")))
    base_include = str(FIXTURES / "include_ok" / "modules" / "base_lib" / "include")
    core_include = str(ROOT / "include")
    assert base_include in _includes(build_dir, "modgate_user_lib")
    assert core_include in _includes(build_dir, "modgate_user_lib")
    assert base_include not in _includes(build_dir, "modgate_sneaky")
    assert core_include in _includes(build_dir, "modgate_sneaky")


def test_auto_module_with_a_found_package_is_built(build_dir: Path, tmp_path: Path) -> None:
    proc = check(configure(ROOT, build_dir, scenario(zlib_crc="AUTO", needs_missing="AUTO")))
    table = states(proc.stdout)
    assert table["zlib_crc"] == ("ON", "USE_MODULE_ZLIB_CRC=AUTO")
    assert table["needs_missing"] == (
        "OFF",
        "package ModgateNoSuchPackage 3.1 (components core) not found by find_package",
    )
    check(build(build_dir)[0])
    prefix = install(build_dir, tmp_path / "prefix")
    data = manifest(prefix)["modules"]
    assert data["needs_missing"]["state"] == "OFF" and "ModgateNoSuchPackage" in data["needs_missing"]["reason"]
    code = "from modgate.native import lookup; print(lookup('zlib_crc.crc32')('modgate'))"
    assert int(check(python(prefix, code)).stdout) == zlib.crc32(b"modgate")


def test_on_module_with_a_missing_package_fails_configure(build_dir: Path) -> None:
    proc = configure(ROOT, build_dir, scenario(needs_missing="ON"))
    assert proc.returncode != 0
    assert "needs_missing/module.toml: native.packages" in proc.stderr
    assert "ModgateNoSuchPackage 3.1 (components core) not found by find_package" in proc.stderr
    assert "fix: install ModgateNoSuchPackage" in proc.stderr and "Traceback" not in proc.stderr


def test_conflicting_pair(build_dir: Path) -> None:
    table = states(check(configure(ROOT, build_dir, scenario(alloc_fast="AUTO"))).stdout)
    assert table["alloc_fast"][0] == "ON" and table["alloc_debug"][0] == "OFF"
    table = states(check(configure(ROOT, build_dir, scenario(alloc_fast="AUTO", alloc_debug="ON"))).stdout)
    assert table["alloc_fast"] == ("OFF", "conflicts with 'alloc_debug', which is ON (USE_MODULE_ALLOC_DEBUG=ON)")
    assert table["alloc_debug"][0] == "ON"
    proc = configure(ROOT, build_dir, scenario(alloc_fast="ON", alloc_debug="ON"))
    assert proc.returncode != 0
    assert "alloc_fast/module.toml: conflicts" in proc.stderr and "both are ON" in proc.stderr
    assert "choose one: set USE_MODULE_ALLOC_FAST=OFF or USE_MODULE_ALLOC_DEBUG=OFF" in proc.stderr
