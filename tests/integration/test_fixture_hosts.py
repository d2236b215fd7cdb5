"""Synthetic modules from tests/fixtures/, built together with the core (and none of
this repository's own modules) in one build directory, reconfigured per scenario."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
import zlib
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, ROOT
from tests.integration.cmake_builds import build, check, configure, env_for, install, manifest, python, run

pytestmark = pytest.mark.build

HOSTS = ["include_ok", "include_undeclared", "packages", "conflicts", "verbatim", "groups", "optional", "providers"]
_FILES = sorted(p for host in HOSTS for p in (FIXTURES / host / "modules").glob("*/module.toml"))
FIXTURE_MODULES = [p.parent.name for p in _FILES]
FIXTURE_CAPABILITIES = sorted(
    {c for p in _FILES if (c := tomllib.loads(p.read_text(encoding="utf-8")).get("provides")) is not None}
)
FIXTURE_GROUPS = sorted({g for p in _FILES for g in tomllib.loads(p.read_text(encoding="utf-8")).get("groups", [])})


def scenario(groups: Mapping[str, str] | None = None, **values: str) -> dict[str, str]:
    """Only the fixture modules named here (or in ``groups``, group -> value); everything
    else (the core aside) off."""
    defines = {
        "MODGATE_ALL_MODULES": "OFF",
        "MODGATE_EXTRA_MODULE_DIRS": ";".join(str(FIXTURES / host / "modules") for host in HOSTS),
    }
    defines |= {f"USE_MODULE_{name.upper()}": "" for name in FIXTURE_MODULES}
    defines |= {f"MODGATE_GROUP_{name.upper()}": "" for name in FIXTURE_GROUPS}
    defines |= {f"MODGATE_PROVIDER_{name.upper()}": "" for name in FIXTURE_CAPABILITIES}
    defines |= {f"USE_MODULE_{name.upper()}": value for name, value in values.items()}
    defines |= {f"MODGATE_GROUP_{name.upper()}": value for name, value in (groups or {}).items()}
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


def test_one_flag_brings_in_what_a_module_requires_and_a_refusal_prints_one_fix_that_works(build_dir: Path) -> None:
    # The core, user_lib and what it needs: two flags, one configure.
    proc = check(configure(ROOT, build_dir, scenario(user_lib="ON") | {"MODGATE_ALL_MODULES": "IF_NEEDED"}))
    table = states(proc.stdout)
    assert table["base_lib"] == ("ON", "needed by user_lib (USE_MODULE_USER_LIB=ON)"), table
    assert [name for name, (state, _why) in table.items() if state == "ON"] == ["base_lib", "user_lib"]
    # base_lib OFF: refused, every problem listed, and the one printed line configures as it is.
    proc = configure(ROOT, build_dir, scenario(user_lib="ON", base_lib="OFF"))
    assert proc.returncode != 0
    fix = re.search(r"fix all at once: (.*)", proc.stderr)
    assert fix is not None, proc.stderr
    assert fix.group(1) == f"cmake -DUSE_MODULE_BASE_LIB=IF_NEEDED {build_dir}"
    table = states(check(run(shlex.split(fix.group(1)))).stdout)
    assert table["base_lib"][0] == "ON" and table["user_lib"][0] == "ON"


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


def _fixture_tests(prefix: Path, module: str, host: str = "groups") -> str:
    """pytest's output for one fixture module's folder, against the build installed in
    ``prefix`` (with the fixture folder as root: not this tree's conftests)."""
    folder = FIXTURES / host / "modules" / module
    here = ["--rootdir", str(FIXTURES / host), "--confcutdir", str(FIXTURES / host)]
    cmd = [sys.executable, "-m", "pytest", "-v", "-rs", "-p", "no:cacheprovider", *here, str(folder)]
    proc = run(cmd, env=env_for(prefix), cwd=prefix)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_a_group_option_sets_its_members_and_a_module_option_wins(build_dir: Path, tmp_path: Path) -> None:
    # ON for the group: its members are required, and one outside it follows its requirement.
    proc = check(configure(ROOT, build_dir, scenario({"gpu": "ON"}, gpu_app="AUTO")))
    assert "the modules built into it make 'Apache-2.0 AND MIT'" in said(proc)
    table = states(proc.stdout)
    assert table["gpu_math"] == ("ON", "MODGATE_GROUP_GPU=ON (group 'gpu')")
    assert table["gpu_tools"] == ("ON", "MODGATE_GROUP_GPU=ON (group 'gpu')")
    assert table["gpu_app"] == ("ON", "USE_MODULE_GPU_APP=AUTO")
    check(build(build_dir)[0])
    prefix = install(build_dir, tmp_path / "on")
    data = manifest(prefix)
    assert data["groups"]["gpu"] == {
        "option": "MODGATE_GROUP_GPU",
        "value": "ON",
        "members": ["gpu_math", "gpu_tools"],
    }
    assert data["modules"]["gpu_tools"]["groups"] == ["gpu", "tools"]
    # gpu_tools brings its own license into a wheel whose metadata names the core's: said.
    assert (data["modules"]["gpu_tools"]["license"], data["modules"]["gpu_tools"]["license_files"]) == (
        "MIT",
        ["LICENSE"],
    )
    assert data["license"] == "Apache-2.0 AND MIT" and data["core_license"] == "Apache-2.0"

    assert data["modules"]["gpu_math"]["requested_by"] == "MODGATE_GROUP_GPU"
    assert check(python(prefix, "from modgate.modules import gpu_app; print(gpu_app.quadruple(5))")).stdout == "20\n"
    out = _fixture_tests(prefix, "gpu_tools")  # [tests] requires met: the test runs
    assert "passed" in out and "skipped" not in out
    # OFF for the group turns its members off, and the module requiring one follows;
    # a member's own option wins over its group's.
    proc = check(configure(ROOT, build_dir, scenario({"gpu": "OFF"}, gpu_app="AUTO", gpu_tools="ON")))
    table = states(proc.stdout)
    assert table["gpu_math"] == ("OFF", "MODGATE_GROUP_GPU=OFF (group 'gpu')")
    assert table["gpu_app"] == ("OFF", "requires gpu_math, which is off: MODGATE_GROUP_GPU=OFF (group 'gpu')")
    assert table["gpu_tools"] == ("ON", "USE_MODULE_GPU_TOOLS=ON")
    summary = [line.split()[1:] for line in proc.stdout.splitlines() if line.startswith("--   gpu ")]
    assert summary == [["gpu", "MODGATE_GROUP_GPU=OFF", "gpu_math,", "gpu_tools"]]  # the summary's group table
    check(build(build_dir)[0])
    prefix = install(build_dir, tmp_path / "off")
    data = manifest(prefix)["modules"]
    assert (data["gpu_math"]["state"], data["gpu_tools"]["state"]) == ("OFF", "ON")
    assert check(python(prefix, "from modgate.native import lookup; print(lookup('gpu_math.twice'))")).stdout == (
        "None\n"
    )
    # gpu_tools is built, but its tests need gpu_math, which is off: they skip, naming its option.
    out = _fixture_tests(prefix, "gpu_tools")
    assert "1 skipped" in out and "the tests of module 'gpu_tools' require module 'gpu_math' ([tests] requires):" in out
    assert "USE_MODULE_GPU_MATH: " in out
    cache = check(run(["cmake", "-L", "-N", str(build_dir)])).stdout
    assert "MODGATE_GROUP_GPU:STRING=OFF" in cache and "MODGATE_GROUP_TOOLS:STRING=" in cache


def test_group_mistakes_are_errors_naming_both_sides(build_dir: Path) -> None:
    # An ON module requiring a member of an OFF group: the error names the module, the
    # member and the group's option.
    proc = configure(ROOT, build_dir, scenario({"gpu": "OFF"}, gpu_app="ON"))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "module 'gpu_app' is ON (USE_MODULE_GPU_APP=ON) but requires gpu_app → gpu_math" in proc.stderr
    assert "'gpu_math' is off: MODGATE_GROUP_GPU=OFF (group 'gpu')" in proc.stderr
    assert "fix: set USE_MODULE_GPU_MATH=IF_NEEDED (a module's own option wins over its group's" in proc.stderr
    assert "or set MODGATE_GROUP_GPU=IF_NEEDED, or set USE_MODULE_GPU_APP=OFF" in proc.stderr
    # Two groups of one module set differently.
    proc = configure(ROOT, build_dir, scenario({"gpu": "ON", "tools": "OFF"}))
    assert proc.returncode != 0
    assert "module 'gpu_tools' is in groups 'gpu' (MODGATE_GROUP_GPU=ON) and 'tools' (MODGATE_GROUP_TOOLS=OFF)" in (
        proc.stderr
    )
    assert "set USE_MODULE_GPU_TOOLS to decide for it" in proc.stderr
    # A misspelled group option, on the command line (then taken out of the shared cache).
    try:
        proc = configure(ROOT, build_dir, scenario({"gpu": ""}) | {"MODGATE_GROUP_GPUS": "OFF"})
        assert proc.returncode != 0
        assert "MODGATE_GROUP_GPUS names no group (did you mean MODGATE_GROUP_GPU?)" in proc.stderr
    finally:
        check(run(["cmake", "-U", "MODGATE_GROUP_GPUS", str(build_dir)]))


def test_an_optional_requirement_present_and_absent(build_dir: Path, tmp_path: Path) -> None:
    # Present: opt_user links opt_lib, sees its header, and MODGATE_HAVE_OPT_LIB is 1.
    check(configure(ROOT, build_dir, scenario(opt_lib="ON", opt_user="ON")))
    lib_include = str(FIXTURES / "optional" / "modules" / "opt_lib" / "include")
    assert lib_include in _includes(build_dir, "modgate_opt_user")
    check(build(build_dir)[0])
    prefix = install(build_dir, tmp_path / "with")
    data = manifest(prefix)["modules"]["opt_user"]
    assert (data["optional_requires"], data["optional_present"]) == (["opt_lib"], ["opt_lib"])
    code = "from modgate.modules import opt_user as u; print(u.compute(4), u.with_opt_lib())"
    assert check(python(prefix, code)).stdout.split() == ["40", "True"]
    info = check(run([sys.executable, "-m", "modgate", "info", "opt_user"], env=env_for(prefix), cwd=prefix)).stdout
    assert "optional:     opt_lib (present)" in info
    passed = "test_opt_user.py::test_the_answer_follows_what_it_was_built_with PASSED"
    assert passed in _fixture_tests(prefix, "opt_user", "optional")  # its own tests, built with opt_lib
    # Turned off at import time, opt_lib takes opt_user with it: opt_user's library links it.
    off = env_for(prefix) | {"MODGATE_DISABLE": "opt_lib"}
    proc = run([sys.executable, "-c", "import modgate.modules.opt_user"], env=off, cwd=prefix)
    assert "module 'opt_user' was built with (optional-requires) module 'opt_lib', which cannot be used" in proc.stderr
    # Absent: the same sources build without it; the toggle recompiles opt_user alone.
    check(configure(ROOT, build_dir, scenario(opt_lib="OFF", opt_user="ON")))
    assert lib_include not in _includes(build_dir, "modgate_opt_user")
    proc, compiled = build(build_dir)
    check(proc)
    assert set(compiled) == {"modgate_opt_user"}, compiled
    prefix = install(build_dir, tmp_path / "without")
    assert manifest(prefix)["modules"]["opt_user"]["optional_present"] == []
    assert check(python(prefix, code)).stdout.split() == ["-4", "False"]
    info = check(run([sys.executable, "-m", "modgate", "info", "opt_user"], env=env_for(prefix), cwd=prefix)).stdout
    assert "optional:     opt_lib (absent)" in info
    assert passed in _fixture_tests(prefix, "opt_user", "optional")  # and built without it


def test_an_optional_header_included_without_its_if_fails_naming_the_definition(build_dir: Path) -> None:
    check(configure(ROOT, build_dir, scenario(opt_lib="OFF", opt_careless="ON")))
    proc, _compiled = build(build_dir)
    assert proc.returncode != 0
    assert (
        "<modgate/opt_lib/scale.h> is a header of module 'opt_lib', which is off in this build; a module naming it"
        " in optional-requires includes it only under #if MODGATE_HAVE_OPT_LIB"
    ) in proc.stdout + proc.stderr
    check(configure(ROOT, build_dir, scenario(opt_lib="ON", opt_careless="ON")))
    check(build(build_dir)[0])


_LOOKUP = """
import sys
from modgate import _core
# The C++ registry's own lookup, in a fresh process: its module loader is asked for the
# capability, and loads whichever provider the build has.
function = _core.lookup("modgate:blas.gemm")
print(None if function is None else function(3, 4))
from modgate import native
function = native.lookup("blas.gemm")
print(None if function is None else function(3, 4), native.lookup("blas.nothing"))
"""


def test_a_capability_is_looked_up_from_whichever_provider_is_built(build_dir: Path, tmp_path: Path) -> None:
    for chosen, answer in (("blas_fast", "14"), ("blas_ref", "13"), ("none", "None")):
        proc = check(configure(ROOT, build_dir, scenario() | {"MODGATE_PROVIDER_BLAS": chosen}))
        table = states(proc.stdout)
        for provider in ("blas_fast", "blas_ref"):
            want = "ON" if provider == chosen else "OFF"
            assert table[provider] == (want, f"MODGATE_PROVIDER_BLAS={chosen} (capability 'blas')"), table[provider]
        check(build(build_dir)[0])
        prefix = install(build_dir, tmp_path / chosen)
        entry = manifest(prefix)["capabilities"]["blas"]
        assert entry["provider"] == (None if chosen == "none" else chosen) and entry["value"] == chosen
        assert entry["providers"] == ["blas_fast", "blas_ref"] and entry["policy"] == "at-most-one"
        assert check(python(prefix, _LOOKUP)).stdout.split() == [answer, answer, "None"]
    assert "blas (at-most-one)" in proc.stdout  # the summary's capability table


def said(proc: subprocess.CompletedProcess[str]) -> str:
    """What configure printed, its line breaks (CMake wraps messages) undone."""
    return " ".join(proc.stderr.split())


def test_capability_mistakes_list_the_providers_and_the_option(build_dir: Path) -> None:
    proc = configure(ROOT, build_dir, scenario(blas_fast="ON", blas_ref="ON"))
    assert proc.returncode != 0 and "Traceback" not in said(proc)
    assert "modules 'blas_fast' and 'blas_ref' both provide 'blas', of which at most one may be on" in said(proc)
    assert "choose one: set MODGATE_PROVIDER_BLAS=blas_fast or MODGATE_PROVIDER_BLAS=blas_ref" in said(proc)
    proc = configure(ROOT, build_dir, scenario() | {"MODGATE_PROVIDER_BLAS": "blas_fats"})
    assert proc.returncode != 0
    assert "'blas_fats' does not provide 'blas' (did you mean 'blas_fast'?)" in said(proc)
    assert "set MODGATE_PROVIDER_BLAS to blas_fast, blas_ref or none" in said(proc)
    proc = configure(ROOT, build_dir, scenario(blas_ref="ON") | {"MODGATE_PROVIDER_BLAS": "blas_fast"})
    assert proc.returncode != 0
    assert (
        "MODGATE_PROVIDER_BLAS=blas_fast chooses 'blas_fast' as the provider of 'blas', but USE_MODULE_BLAS_REF=ON"
        in (proc.stderr)
    )
