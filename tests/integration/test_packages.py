"""External packages a module links: by the targets its registration names, or by its own
module.cmake; a package that builds but does not link fails the build (a library) or
verify's load step and the pytest plugin's load check (an extension), never a user's
import. The fixture host tests/fixtures/openmp uses OpenMP, whose CMake package defines
OpenMP::OpenMP_CXX only."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURES
from tests.integration.cmake_builds import build, check, env_with, install, python_output, run

pytestmark = pytest.mark.build

HOST = FIXTURES / "openmp"
UNLINKED_LIBRARY = {
    "module.toml": 'name = "omp_unlinked"\nsummary = "OpenMP found, never linked"\nstage = "S1"\n'
    'maintainers = ["octocat"]\n\n[native]\npackages = [{ name = "OpenMP", components = ["CXX"] }]\n',
    "src/threads.cc": "#include <omp.h>\nint omp_unlinked_threads() { return omp_get_max_threads(); }\n",
}
UNLINKED_EXTENSION = {
    "module.toml": 'name = "omp_ext"\nsummary = "OpenMP used by the extension only, never linked"\nstage = "S1"\n'
    'maintainers = ["octocat"]\n\n[native]\npackages = [{ name = "OpenMP", components = ["CXX"] }]\n',
    "python/__init__.py": "from ._native import threads\n",
    "python/_native.cc": "#include <modgate/python.h>\n#include <omp.h>\n\n"
    'MODGATE_PYTHON_MODULE(m) { m.def("threads", [] { return omp_get_max_threads(); }); }\n',
    "tests/test_omp_ext.py": "def test_nothing_imports_it() -> None:\n    pass\n",
}


@pytest.fixture(scope="module")
def openmp_here() -> None:
    """These tests link OpenMP: on a machine whose compiler has none, they say so and skip."""
    from modgate._cli._common import project
    from modgate._cli._probe import missing_here

    _root, _config, found = project(HOST)
    missing = missing_here(found.registrations)
    if missing:
        pytest.skip(f"OpenMP is not available to CMake here: {missing}")


needs_openmp = pytest.mark.usefixtures("openmp_here")


def host_copy(tmp: Path, extra: dict[str, dict[str, str]] | None = None) -> Path:
    tree = shutil.copytree(HOST, tmp / "omphost", ignore=shutil.ignore_patterns("build", "__pycache__"))
    for name, files in (extra or {}).items():
        for relative, text in files.items():
            (tree / "modules" / name / relative).parent.mkdir(parents=True, exist_ok=True)
            (tree / "modules" / name / relative).write_text(text, encoding="utf-8")
    return tree


def configure(tree: Path, build_dir: Path) -> subprocess.CompletedProcess[str]:
    return run(["cmake", "-S", str(tree), "-B", str(build_dir), "-G", "Ninja", f"-DPython_EXECUTABLE={sys.executable}"])


@needs_openmp
def test_openmp_links_through_targets_and_through_the_modules_own_cmake_file(tmp_path: Path) -> None:
    tree = host_copy(tmp_path)
    check(configure(tree, tmp_path / "build"))
    check(build(tmp_path / "build")[0])
    prefix = install(tmp_path / "build", tmp_path / "prefix")
    out = python_output(
        """
        import json
        import omphost
        from modgate.native import lookup
        print(json.dumps({name: lookup(f"omphost:{name}.threads")() for name in ("omp_targets", "omp_hatch")}))
        """,
        env_with(prefix),
    )
    threads = json.loads(out)
    assert threads["omp_targets"] >= 1 and threads["omp_hatch"] >= 1


@needs_openmp
def test_a_target_the_package_does_not_define_is_a_configure_error_naming_those_it_does(tmp_path: Path) -> None:
    tree = host_copy(tmp_path)
    toml = tree / "modules" / "omp_targets" / "module.toml"
    toml.write_text(toml.read_text().replace("OpenMP::OpenMP_CXX", "OpenMP::OpenMP_C"), encoding="utf-8")
    proc = configure(tree, tmp_path / "build")
    assert proc.returncode != 0
    err = proc.stderr
    assert "modules/omp_targets/module.toml: native.packages OpenMP: targets names 'OpenMP::OpenMP_C'" in err
    assert "(the package defines: OpenMP::OpenMP_CXX)" in err and "modules/omp_targets/module.cmake" in err


@needs_openmp
def test_a_library_using_an_unlinked_package_fails_the_build_naming_the_symbol(tmp_path: Path) -> None:
    tree = host_copy(tmp_path, {"omp_unlinked": UNLINKED_LIBRARY})
    check(configure(tree, tmp_path / "build"))
    proc, _compiled = build(tmp_path / "build")
    assert proc.returncode != 0
    assert "omp_get_max_threads" in proc.stdout and "omphost_omp_unlinked" in proc.stdout


@needs_openmp
def test_an_extension_that_builds_but_does_not_load_fails_verify_and_the_pytest_plugin(tmp_path: Path) -> None:
    tree = host_copy(tmp_path, {"omp_ext": UNLINKED_EXTENSION})
    junit = tmp_path / "verify.xml"
    proc = run(
        [sys.executable, "-m", "modgate", "verify", str(tree), "--strategy", "all-on", "--junit", str(junit)],
        cwd=tree,
    )
    assert proc.returncode == 1, proc.stdout
    assert "FAILED at load" in proc.stdout
    assert "omphost.modules.omp_ext is built but does not load" in proc.stdout
    assert "undefined symbol: omp_get_max_threads" in proc.stdout
    # The same build, tested with pytest: the plugin's load check fails, naming the module.
    build_python = tree / "build" / "modgate-verify" / "tree" / "python"
    tests = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "modules"],
        cwd=tree,
        env=env_with(build_python),
    )
    assert tests.returncode == 1, tests.stdout
    assert "modules/omp_ext::native library loads FAILED" in tests.stdout or (
        "FAILED modules/omp_ext::native library loads" in tests.stdout
    ), tests.stdout
    assert "module 'omp_ext' is built but does not load" in tests.stdout
    assert "1 failed" in tests.stdout and "omp_targets" not in tests.stdout.split("short test summary")[-1]


def test_verify_reports_a_configuration_needing_a_missing_package_as_not_runnable_here(tmp_path: Path) -> None:
    tree = host_copy(tmp_path)
    junit = tmp_path / "verify.xml"
    hide = ["-D", "CMAKE_DISABLE_FIND_PACKAGE_OpenMP=ON"]  # as on a machine without OpenMP
    proc = run(
        [
            sys.executable,
            "-m",
            "modgate",
            "verify",
            str(tree),
            "--strategy",
            "all-on,all-off",
            *hide,
            "--junit",
            str(junit),
        ]
    )
    assert proc.returncode == 0, proc.stdout  # not runnable here is no failure
    assert "[1/2] all-on ... not runnable here" in proc.stdout
    assert "but package OpenMP (components CXX) not found by find_package" in proc.stdout
    assert "[2/2] all-off ... ok" in proc.stdout
    assert "modgate verify: 1 passed, 0 failed, 1 skipped" in proc.stdout.splitlines()
    assert "skipped: all-on: not runnable here" in proc.stdout
    report = junit.read_text(encoding="utf-8")
    assert 'skipped="1"' in report and "<skipped message=\"not runnable here: module 'omp_hatch' is ON" in report


@needs_openmp
def test_matrix_with_packages_here_keeps_modules_without_their_package_off(tmp_path: Path) -> None:
    tree = host_copy(tmp_path)
    base = [sys.executable, "-m", "modgate", "matrix", str(tree), "--strategy", "all-on,each-off", "--format", "json"]
    hidden = check(run([*base, "--packages-here", "-D", "CMAKE_DISABLE_FIND_PACKAGE_OpenMP=ON"]))
    configs = json.loads(hidden.stdout)
    assert configs and all(set(c["options"].values()) == {"OFF"} for c in configs)  # both need OpenMP
    text = check(run([*base[:-2], "--packages-here", "-D", "CMAKE_DISABLE_FIND_PACKAGE_OpenMP=ON"])).stdout
    assert (
        "omp_targets: OFF in every configuration: it needs OpenMP (components CXX), not found on this machine" in text
    )
    found = json.loads(check(run([*base, "--packages-here"])).stdout)
    assert found[0]["name"] == "all-on" and set(found[0]["options"].values()) == {"ON"}  # this machine has OpenMP


BROKEN = FIXTURES / "broken_package"


def test_a_package_whose_cmake_config_fails_turns_an_auto_module_off_and_configure_goes_on(tmp_path: Path) -> None:
    from tests.helpers import ROOT
    from tests.integration.cmake_builds import configure as configure_tree

    where = {"CMAKE_PREFIX_PATH": str(BROKEN / "prefix"), "MODGATE_EXTRA_MODULE_DIRS": str(BROKEN / "modules")}
    # The fixture reproduces the failure: found directly, the config breaks a C++-only configure.
    direct = tmp_path / "direct"
    direct.mkdir()
    (direct / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.21)\nproject(direct LANGUAGES CXX)\nfind_package(BrokenConfig QUIET)\n"
    )
    broken = run(["cmake", "-S", str(direct), "-B", str(direct / "b"), f"-DCMAKE_PREFIX_PATH={BROKEN / 'prefix'}"])
    assert broken.returncode != 0 and "needs to be enabled before use" in broken.stderr
    # Through modgate: AUTO turns off with the reason; the configure succeeds.
    proc = check(
        configure_tree(
            ROOT, tmp_path / "auto", {**where, "MODGATE_ALL_MODULES": "OFF", "USE_MODULE_NEEDS_BROKEN": "AUTO"}
        )
    )
    row = next(line for line in proc.stdout.splitlines() if line.split()[1:2] == ["needs_broken"])
    assert row.split()[2] == "OFF" and "package BrokenConfig failed to load in find_package" in row
    assert "check_source_compiles: C: needs to be enabled before use" in row
    # ON: a configure error naming the module and the package, with the fix.
    proc = configure_tree(
        ROOT, tmp_path / "on", {**where, "MODGATE_ALL_MODULES": "OFF", "USE_MODULE_NEEDS_BROKEN": "ON"}
    )
    assert proc.returncode != 0
    assert (
        "module 'needs_broken' is ON (USE_MODULE_NEEDS_BROKEN=ON) but package BrokenConfig failed to load"
        in proc.stderr
    )
    assert "modules/needs_broken/module.toml: native.packages: module 'needs_broken' is ON" in proc.stderr
    assert "fix: make BrokenConfig load (enable in project() the languages its config checks with)" in proc.stderr


def test_packages_here_looks_each_package_up_on_its_own(tmp_path: Path) -> None:
    # One package's config stops with a fatal error; the next one is still looked up.
    prefix = tmp_path / "prefix" / "lib" / "cmake" / "AlwaysBroken"
    prefix.mkdir(parents=True)
    (prefix / "AlwaysBrokenConfig.cmake").write_text('message(FATAL_ERROR "this package is broken")\n')
    host = tmp_path / "host"
    for name, package in (("a_broken", "AlwaysBroken"), ("b_zlib", "ZLIB")):
        folder = host / "modules" / name
        (folder / "src").mkdir(parents=True)
        (folder / "module.toml").write_text(
            f'name = "{name}"\nsummary = "{name}"\nstage = "S1"\nmaintainers = ["octocat"]\n\n'
            f'[native]\npackages = [{{ name = "{package}" }}]\n'
        )
        (folder / "src" / "x.cc").write_text(f"int {name}_x() {{ return 1; }}\n")
    (host / "pyproject.toml").write_text('[project]\nname = "probehost"\n[tool.modgate]\npackage = "probehost"\n')
    cmd = [sys.executable, "-m", "modgate", "matrix", str(host), "--strategy", "all-on", "--packages-here"]
    out = check(run([*cmd, "-D", f"CMAKE_PREFIX_PATH={tmp_path / 'prefix'}"])).stdout
    assert "a_broken: OFF in every configuration: it needs AlwaysBroken (its CMake package failed to load:" in out
    assert "this package is broken" in out
    zlib_found = "b_zlib: OFF" not in out
    assert zlib_found == Path("/usr/include/zlib.h").is_file(), out  # answered on its own, whatever came before
