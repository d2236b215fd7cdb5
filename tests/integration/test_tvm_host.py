"""tests/fixtures/tvm: TVM's optional components as a host of their own (`tvmlite`), with
the option names TVM's users type. Groups turn families on and off, one option chooses the
BLAS, optional requirements change what a module is built with, test-only requirements
skip visibly: all without one `conflicts` entry. Built with real CMake."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.helpers import FIXTURES
from tests.integration.cmake_builds import build, check, env_with, install, python_output, run

pytestmark = pytest.mark.build

HOST = FIXTURES / "tvm"
REGISTRATIONS = {
    p.parent.name: tomllib.loads(p.read_text(encoding="utf-8")) for p in HOST.glob("modules/*/module.toml")
}


def configure(build_dir: Path, **values: str) -> subprocess.CompletedProcess[str]:
    generator = [] if (build_dir / "CMakeCache.txt").exists() else ["-G", "Ninja"]
    defines = [f"-D{k}={v}" for k, v in values.items()]
    cmd = ["cmake", "-S", str(HOST), "-B", str(build_dir), *generator, f"-DPython_EXECUTABLE={sys.executable}"]
    return run([*cmd, *defines])


def states(stdout: str) -> dict[str, tuple[str, str]]:
    table = {}
    for line in stdout.splitlines():
        parts = line.split(None, 4)
        if len(parts) >= 4 and parts[0] == "--" and parts[1] in REGISTRATIONS and parts[2] in ("ON", "OFF"):
            table[parts[1]] = (parts[2], parts[4] if len(parts) > 4 else "")
    return table


def said(proc: subprocess.CompletedProcess[str]) -> str:
    return " ".join(proc.stderr.split())


def test_the_graph_is_tvm_sized_and_needs_no_conflicts() -> None:
    assert len(REGISTRATIONS) >= 20
    assert not any("conflicts" in data for data in REGISTRATIONS.values())
    assert sum(1 for data in REGISTRATIONS.values() if data.get("provides") == "blas") >= 3
    assert any("groups" in data for data in REGISTRATIONS.values())
    assert any("optional-requires" in data for data in REGISTRATIONS.values())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build folder, reconfigured per scenario."""
    return tmp_path_factory.mktemp("tvmlite")


def test_tvm_options_groups_and_the_blas_choice_build(built: Path, tmp_path: Path) -> None:
    values = {
        "USE_CUDA": "ON",
        "USE_CUDA_LIBS": "ON",
        "USE_CUTLASS": "OFF",
        "USE_BLAS": "openblas",
        "USE_CPP_RPC": "ON",
    }
    proc = check(configure(built, **values))
    table = states(proc.stdout)
    assert table["cublas"] == ("ON", "USE_CUDA_LIBS=ON (group 'cuda_libs')")
    assert table["cutlass"] == ("OFF", "USE_CUTLASS=OFF")  # its own option wins over its group's
    assert table["openblas"] == ("ON", "USE_BLAS=openblas (capability 'blas')")
    assert table["mkl"] == ("OFF", "USE_BLAS=openblas (capability 'blas')")
    assert table["rocm"] == ("OFF", "default OFF") and table["rocblas"][0] == "OFF"
    check(build(built)[0])
    prefix = install(built, tmp_path / "gpu")
    data = json.loads(python_output("import json, tvmlite; print(json.dumps(tvmlite.info()))", env_with(prefix)))
    assert data["capabilities"]["blas"]["provider"] == "openblas"
    assert data["groups"]["cuda_libs"]["option"] == "USE_CUDA_LIBS"
    assert data["modules"]["sort"]["optional_present"] == ["thrust"]  # thrust is on: sort uses it
    assert data["modules"]["graph_executor"]["optional_present"] == ["profiler"]
    out = python_output(
        """
        import tvmlite
        from modgate.native import lookup
        print(lookup("tvmlite:blas.gemm")(3, 4), lookup("tvmlite:sort.built_with")(), lookup("tvmlite:mkl.gemm"))
        """,
        env_with(prefix),
    )
    assert out.split() == ["13", "1", "None"]
    # A module's tests that need a module it does not: they run here, and skip when it is off.
    tests = HOST / "modules" / "cpp_rpc"
    here = ["--rootdir", str(HOST), "--confcutdir", str(HOST)]
    cmd = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *here, str(tests)]
    assert "passed" in check(run(cmd, env=env_with(prefix), cwd=prefix)).stdout

    # The CPU build: the family off at once, another BLAS, and what that changes.
    proc = check(
        configure(built, USE_CUDA="OFF", USE_CUDA_LIBS="", USE_CUTLASS="", USE_BLAS="mkl", USE_GRAPH_EXECUTOR="OFF")
    )
    table = states(proc.stdout)
    assert table["cublas"] == ("OFF", "requires cuda, which is off: USE_CUDA=OFF")
    assert table["mkl"] == ("ON", "USE_BLAS=mkl (capability 'blas')")
    proc, compiled = build(built)
    check(proc)
    assert "tvmlite_sort" in compiled and "tvmlite_rpc" not in compiled  # sort lost thrust; rpc is unchanged
    prefix = install(built, tmp_path / "cpu")
    out = python_output(
        """
        import tvmlite
        from modgate.native import lookup
        print(lookup("tvmlite:blas.gemm")(3, 4), lookup("tvmlite:sort.built_with")())
        """,
        env_with(prefix),
    )
    assert out.split() == ["14", "0"]
    proc = run(cmd, env=env_with(prefix), cwd=prefix)
    assert proc.returncode == 0, proc.stdout
    assert "the tests of module 'cpp_rpc' require module 'graph_executor' ([tests] requires): USE_GRAPH_EXECUTOR:" in (
        proc.stdout
    )


def test_tvm_mistakes_name_the_options_to_set(built: Path) -> None:
    reset = {"USE_CUDA": "", "USE_CUDA_LIBS": "", "USE_CUTLASS": "", "USE_BLAS": "", "USE_GRAPH_EXECUTOR": ""}
    proc = configure(built, **(reset | {"USE_CUDA_LIBS": "ON"}))  # the libraries without the device API
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "module 'cublas' is ON (USE_CUDA_LIBS=ON (group 'cuda_libs')) but requires cublas → cuda" in said(proc)
    assert "fix: set USE_CUDA=IF_NEEDED (built because 'cublas' needs it) or ON, or set USE_CUBLAS=OFF" in said(proc)
    assert "(or USE_CUDA_LIBS=AUTO)" in said(proc)
    proc = configure(built, **(reset | {"USE_BLAS": "openblas", "USE_MKL": "ON"}))
    assert "USE_BLAS=openblas chooses 'openblas' as the provider of 'blas', but USE_MKL=ON" in said(proc)
    proc = configure(built, **(reset | {"USE_MKL": "", "USE_BLAS": "atlas"}))
    assert "USE_BLAS=atlas: 'atlas' does not provide 'blas'" in said(proc)
    assert "fix: set USE_BLAS to apple, mkl, openblas or none" in said(proc)
    proc = configure(built, **(reset | {"USE_CUDAA": "ON"}))  # a kept name, misspelled
    assert "USE_CUDAA names no module (did you mean 'USE_CUDA' or 'USE_CUDNN'?)" in said(proc)


def test_the_pairwise_matrix_of_the_tvm_host(tmp_path: Path) -> None:
    tree = shutil.copytree(HOST, tmp_path / "tvm", ignore=shutil.ignore_patterns("build", "__pycache__"))
    proc = run([sys.executable, "-m", "modgate", "matrix", str(tree), "--strategy", "pairwise", "--format", "json"])
    rows = json.loads(check(proc).stdout)
    for row in rows:  # every row chooses at most one BLAS, and says so by the providers' options
        assert sum(row["options"][f"USE_{p.upper()}"] == "ON" for p in ("openblas", "mkl", "apple")) <= 1
    assert len(rows) <= 20, len(rows)
