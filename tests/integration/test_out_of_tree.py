"""An out-of-tree module (tests/fixtures/outoftree, a distribution of its own with native
and Python parts) built with pip against the installed modgate's CMake package, installed
beside it, and used as ``modgate.modules.ext_sum``."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

import modgate
from tests.helpers import FIXTURES
from tests.integration.cmake_builds import check, env_with, python_output, run

pytestmark = pytest.mark.build

FIXTURE = FIXTURES / "outoftree"
NAME = "ext_sum"


def pip_install(target: Path, tmp: Path, *config: str) -> None:
    source = shutil.copytree(FIXTURE, tmp / "source", ignore=shutil.ignore_patterns("build", "__pycache__"))
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps", "--target", str(target)]
    check(run([*cmd, *config, str(source)]))


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("oot") / "site"
    pip_install(where, tmp_path_factory.mktemp("oot-src"))
    return where


def test_cmake_dir_points_at_the_installed_package() -> None:
    proc = check(run([sys.executable, "-m", "modgate", "cmake-dir"]))
    folder = Path(proc.stdout.strip())
    assert (folder / "modgateConfig.cmake").is_file() and (folder / "modgateTargets.cmake").is_file()
    package = Path(modgate.__file__).parent
    assert folder == package / "share" / "cmake" / "modgate"
    assert (package / "include" / "modgate" / "abi.h").is_file()


def test_the_module_loads_through_its_entry_point(target: Path) -> None:
    entry_points = next(target.glob("modgate_ext_fixture-*.dist-info")) / "entry_points.txt"
    assert "[modgate.modules]\next_sum = modgate_ext.modules.ext_sum" in entry_points.read_text()
    out = python_output(
        """
        import json, sys
        import modgate
        modgate.is_built("scan")
        loaded_on_import = "importlib.metadata" in sys.modules
        import modgate.modules.ext_sum as imported
        from modgate.modules import ext_sum
        from modgate.native import functions, lookup
        print(json.dumps({
            "metadata_on_import": loaded_on_import,
            "same": imported is ext_sum is modgate.modules.ext_sum is modgate.require("ext_sum"),
            "python": ext_sum.hexdigest("Wikipedia"),
            "native": lookup("ext_sum.adler32")("Wikipedia"),
            "registry": sorted(functions()),
            "built": modgate.is_built("ext_sum"),
            "available": modgate.is_available("ext_sum"),
            "info": modgate.info()["modules"]["ext_sum"],
        }))
        """,
        env_with(target),
    )
    data = json.loads(out)
    assert data["metadata_on_import"] is False  # import modgate never scans entry points
    assert data["same"] is True
    assert data["python"] == "11e60398" and data["native"] == 0x11E60398
    assert "modgate:ext_sum.adler32" in data["registry"]  # a plugin module joins its host's namespace
    assert data["built"] is True and data["available"] is True
    info = data["info"]
    assert info["origin"] == "out-of-tree" and info["distribution"] == "modgate-ext-fixture"
    assert info["version"] == "1.2.0" and info["stage"] == "S0" and info["state"] == "ON"


def test_the_shared_registry_holds_in_tree_and_out_of_tree_functions(target: Path) -> None:
    built = [n for n, m in modgate.info()["modules"].items() if m["state"] == "ON" and m["native"]]
    if not built:
        pytest.skip("no native in-tree module is built in this configuration")
    out = python_output(
        f"""
        import modgate
        from modgate.modules import ext_sum
        from modgate import _core
        modgate.require({built[0]!r})
        print(sorted(name.partition(".")[0] for name in _core.functions()))
        """,
        env_with(target),
    )
    assert NAME in out and built[0] in out


def test_entry_points_are_scanned_once_per_process(target: Path) -> None:
    out = python_output(
        """
        from modgate import _records
        calls = []
        real = _records._entry_points
        _records._entry_points = lambda group: calls.append(group) or real(group)
        import modgate
        for name in ("ext_sum", "no_such_module", "ext_sum"):
            try:
                modgate.require(name)
            except modgate.UnknownModuleError:
                pass
        modgate.info()
        print(len(calls))
        """,
        env_with(target),
    )
    assert out.strip() == "1"


def test_modgate_list_and_the_plugin_see_it(target: Path) -> None:
    listing = check(run([sys.executable, "-m", "modgate", "list"], env=env_with(target))).stdout
    row = next(line for line in listing.splitlines() if line.startswith(f"{NAME} "))
    assert row.split()[1:3] == ["ON", "S0"] and "out-of-tree (modgate-ext-fixture 1.2.0)" in row
    tests = FIXTURE / "modules"
    cmd = [sys.executable, "-m", "pytest", "-q", "-ra", "-p", "no:cacheprovider", "--rootdir", str(FIXTURE), str(tests)]
    check(run(cmd, env=env_with(target)))
    proc = check(run([*cmd, f"--modgate-disable={NAME}"], env=env_with(target)))
    assert "1 skipped" in proc.stdout and f"USE_MODULE_{NAME.upper()}" in proc.stdout


def test_a_module_built_for_another_runtime_abi_is_refused(tmp_path: Path) -> None:
    # A copy of the installed modgate whose headers say ABI 99: what a module built
    # against another modgate release looks like.
    package = Path(modgate.__file__).parent
    other = tmp_path / "other" / "modgate"
    shutil.copytree(package, other, ignore=shutil.ignore_patterns("__pycache__"))
    abi = other / "include" / "modgate" / "abi.h"
    runtime_abi = modgate.info()["abi_version"]
    text = abi.read_text()
    assert f"#define MODGATE_ABI_VERSION {runtime_abi}\n" in text
    abi.write_text(text.replace(f"#define MODGATE_ABI_VERSION {runtime_abi}\n", "#define MODGATE_ABI_VERSION 99\n"))
    target = tmp_path / "site"
    pip_install(target, tmp_path, "-C", f"cmake.define.modgate_DIR={other / 'share' / 'cmake' / 'modgate'}")
    assert json.loads((target / "modgate_ext" / "_manifest.json").read_text())["abi_version"] == 99

    out = python_output(
        """
        import warnings
        import modgate
        from modgate.native import lookup
        try:
            modgate.require("ext_sum")
        except modgate.ModuleAbiError as exc:
            assert isinstance(exc, modgate.ModuleLoadError)
            print(exc)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            print("lookup:", lookup("ext_sum.adler32"), len(caught))
        print("available:", modgate.is_available("ext_sum"))
        """,
        env_with(target),
    )
    message, lookup, available = out.strip().splitlines()
    assert "built against modgate runtime ABI 99" in message and f"runtime ABI {runtime_abi}" in message
    assert "modgate-ext-fixture" in message and "pip install --force-reinstall --no-binary" in message
    assert lookup == "lookup: None 1"  # the core's lookup finds nothing, with one warning
    assert available == "available: False"
    check(run([sys.executable, "-m", "modgate", "list"], env=env_with(target)))


def fake_distribution(site: Path, dist: str, entry_points: str) -> None:
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[modgate.modules]\n{entry_points}\n")


def test_a_name_clash_with_an_in_tree_module_names_both_sources(tmp_path: Path) -> None:
    in_tree = sorted(modgate.info()["modules"])[0]
    fake_distribution(tmp_path, "clashing-dist", f"{in_tree} = clashing.modules.{in_tree}")
    env = env_with(tmp_path)
    proc = run([sys.executable, "-m", "modgate", "list"], env=env)
    assert proc.returncode == 2
    assert f"in-tree module {in_tree!r} of modgate (modules/{in_tree})" in proc.stderr
    assert "distribution 'clashing-dist'" in proc.stderr and "Traceback" not in proc.stderr
    out = python_output(
        """
        import modgate
        try:
            modgate.info()
        except modgate.ModuleClashError as exc:
            print(len(exc.sources))
        """,
        env,
    )
    assert out.strip() == "2"


def test_two_distributions_with_one_module_name_are_refused(target: Path, tmp_path: Path) -> None:
    fake_distribution(tmp_path, "second-dist", f"{NAME} = second.modules.{NAME}")
    out = python_output(
        f"""
        import modgate
        try:
            modgate.require({NAME!r})
        except modgate.ModuleClashError as exc:
            print(exc)
        """,
        env_with(target, tmp_path),
    )
    assert "distribution 'modgate-ext-fixture'" in out and "distribution 'second-dist'" in out
    assert "Uninstall one of them" in out


def usage_comment(config_file: Path) -> list[str]:
    """The CMake lines the installed package's opening comment tells adopters to write."""
    lines = config_file.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("# Usage"))
    block = []
    for line in lines[start + 2 :]:
        if not line.startswith("#   "):
            break
        block.append(line[4:])
    return block


def test_the_installed_packages_usage_comment_configures_a_host(tmp_path: Path) -> None:
    folder = Path(check(run([sys.executable, "-m", "modgate", "cmake-dir"])).stdout.strip())
    usage = usage_comment(folder / "modgateConfig.cmake")
    assert any("modgate_add_modules(" in line for line in usage), usage
    host = tmp_path / "host"
    (host / "modules" / "hello").mkdir(parents=True)
    (host / "modules" / "hello" / "module.toml").write_text(
        'name = "hello"\nsummary = "A module"\nstage = "S1"\nmaintainers = ["octocat"]\n', encoding="utf-8"
    )
    (host / "pyproject.toml").write_text(
        '[project]\nname = "usage-host"\nversion = "1.0"\n[tool.modgate]\npackage = "usage_host"\n', encoding="utf-8"
    )
    (host / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.21)\nproject(usage_host LANGUAGES CXX)\n" + "\n".join(usage) + "\n",
        encoding="utf-8",
    )
    pybind11_dir = check(run([sys.executable, "-m", "pybind11", "--cmakedir"])).stdout.strip()
    proc = run(
        [
            "cmake",
            "-S",
            str(host),
            "-B",
            str(tmp_path / "build"),
            f"-DPython_EXECUTABLE={sys.executable}",
            f"-Dpybind11_DIR={pybind11_dir}",
        ]
    )
    assert proc.returncode == 0, proc.stderr
    assert "modgate (usage_host): 1 modules, 1 enabled" in proc.stdout
