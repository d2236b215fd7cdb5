"""Providers built side by side, the best chosen at run time (``policy = "any"``).

A `modgate init` host, then, as its authors would add them with `modgate new`: capability
``blas`` of three native providers (``avx512``, first in the host's ``prefer`` list, whose
native probe scores 0 on every machine; ``mkl``, next, with a Python probe; ``ref``, the
fallback of lowest priority), and the VTK-style case: module ``rendering`` and seven
providers of a capability of the same name. Built once; each scenario is a fresh process
calling from C++ (the core's ``find_function("blas.gemm")``) and from Python."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, new_module
from tests.integration.cmake_builds import check, doctored, env_with, run

pytestmark = pytest.mark.build

PIP = [sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps"]
# name -> (module.toml lines, native functions' bodies: gemm's answer, a native score or None)
BLAS = {
    "avx512": ('provides = "blas"\npriority = 30\nprobe = "score"\n', "0"),
    "mkl": ('provides = "blas"\nprobe = "score"\n', None),
    "ref": ('provides = "blas"\npriority = -1\n', None),
}
RENDERING = [f"rendering_{n}" for n in ("opengl2", "ui", "webgpu", "anari", "raytracing", "openxr", "zspace")]


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("providers") / "acme"
    check(run([sys.executable, "-m", "modgate", "init", str(project), "--package", "acme"]))
    with (project / "pyproject.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[tool.modgate.capabilities]\nblas = { policy = "any", prefer = ["avx512", "mkl"] }\n')
        toml.write('rendering = "any"\n')
    for name, (lines, score) in BLAS.items():
        folder = new_module(project, name, "--native", top_level=lines)
        with (folder / "src" / f"{name}.cc").open("a", encoding="utf-8") as source:
            source.write(f'\nstatic std::string gemm() {{ return "{name}"; }}\n')
            source.write(f'MODGATE_REGISTER_FUNCTION("{name}.gemm", gemm, "Which provider answered.");\n')
            if score is not None:
                source.write(f"static long long score() {{ return {score}; }}\n")
                source.write(f'MODGATE_REGISTER_FUNCTION("{name}.score", score, "Whether it runs here.");\n')
    with (project / "modules" / "mkl" / "python" / "__init__.py").open("a", encoding="utf-8") as init:
        init.write("\n\ndef score() -> int:\n    return 10\n")
    new_module(project, "rendering")
    for rank, name in enumerate(RENDERING):
        new_module(project, name, top_level=f'provides = "rendering"\npriority = {rank}\n')
    core = project / "src" / "core.cc"
    text = core.read_text(encoding="utf-8").replace(
        "}  // namespace\n",
        "std::string gemm() {\n"
        '  const modgate::FunctionInfo* found = modgate::find_function("blas.gemm");\n'
        '  return found != nullptr ? found->function({}).as_string() : "none";\n'
        "}\n\n}  // namespace\n",
    )
    core.write_text(text.replace("m.def(", 'm.def("gemm", &gemm, "blas.gemm, whoever provides it");\n  m.def(', 1))
    return project


@pytest.fixture(scope="module")
def site(host: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("providers-site")
    check(run([*PIP, "--target", str(target), str(host)], env=env_with(target)))
    return target


def python(site: Path, code: str, **env: str) -> str:
    return check(run([sys.executable, "-W", "always", "-c", textwrap.dedent(code)], env=env_with(site, **env))).stdout


CALLERS = """
import modgate._core, acme._core, modgate.native
print(acme._core.gemm())  # C++ first, no module imported before
print(acme.provider("blas").__name__.rpartition(".")[2], modgate.native.lookup("acme:blas.gemm")())
"""


def test_the_first_usable_in_order_is_chosen_once_for_cpp_and_python(site: Path) -> None:
    """prefer = [avx512, mkl]: avx512's probe scores 0 here, so mkl; C++ and Python agree."""
    assert python(site, CALLERS).split() == ["mkl", "mkl", "mkl"]
    data = json.loads(python(site, "import acme, json; print(json.dumps(acme.info()['capabilities']['blas']))"))
    assert data["policy"] == "any" and data["chosen"] == "mkl" and data["providers"] == sorted(BLAS)
    seen = {c["name"]: c for c in data["candidates"]}
    assert [c["name"] for c in data["candidates"]] == ["avx512", "mkl", "ref"]
    assert seen["avx512"]["score"] == 0 and not seen["avx512"]["usable"] and "scores 0" in seen["avx512"]["reason"]
    assert seen["mkl"]["score"] == 10 and seen["ref"]["usable"] and seen["ref"]["priority"] == -1


def test_modgate_prefer_forces_and_excludes_and_a_wrong_name_is_a_warning(site: Path) -> None:
    assert python(site, CALLERS, MODGATE_PREFER="blas:ref").split() == ["ref", "ref", "ref"]
    assert python(site, CALLERS, MODGATE_PREFER="blas:-mkl").split() == ["ref", "ref", "ref"]
    proc = run([sys.executable, "-c", CALLERS], env=env_with(site, MODGATE_PREFER="blas:mkll"))
    assert proc.stdout.split() == ["mkl", "mkl", "mkl"], proc.stderr
    assert "'mkll'" in proc.stderr and "mkl" in proc.stderr.split("nearest first:")[1], proc.stderr
    # Forced and unusable: no silent fallback; the error lists each provider and why.
    said = python(
        site,
        """
        import acme
        try:
            acme.provider("blas")
        except ImportError as exc:
            print(type(exc).__name__, exc)
        """,
        MODGATE_PREFER="blas:avx512",
    )
    assert said.startswith("ModuleUnavailableError acme's capability 'blas' has no usable provider"), said
    assert "avx512: its probe scores 0" in said and "mkl: MODGATE_PREFER forces 'avx512'" in said


def test_a_provider_whose_library_is_damaged_is_passed_over_with_a_warning(site: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(site, tmp_path / "site", symlinks=True)
    (library,) = (copy / "acme" / "modules" / "mkl").glob("lib*mkl*")
    library.write_bytes(library.read_bytes()[:4096])
    proc = run([sys.executable, "-c", CALLERS], env=env_with(copy))
    assert proc.returncode == 0 and proc.stdout.split() == ["ref", "ref", "ref"], proc.stdout + proc.stderr
    assert "provider 'mkl' of acme was passed over" in proc.stderr, proc.stderr


def test_threads_at_first_use_see_one_choice(site: Path) -> None:
    """16 threads at once, from C++ and Python: one choice; and a C++ lookup made while
    another thread loads the module waits for it instead of missing (greeter's too)."""
    code = """
    import threading, modgate._core, acme._core
    seen, greeted, start = [], [], threading.Barrier(16)
    def ask(i):
        start.wait()
        seen.append(acme._core.gemm() if i % 2 else acme.provider("blas").__name__.rpartition(".")[2])
        greeted.append(acme._core.greet("y"))
    threads = [threading.Thread(target=ask, args=(i,)) for i in range(16)]
    [t.start() for t in threads]
    [t.join(30) for t in threads]
    print(sorted(set(seen)), len(seen), sorted(set(greeted)))
    """
    for _ in range(3):
        assert python(site, code).strip() == "['mkl'] 16 ['hello y from greeter']"


def test_list_and_info_show_every_provider_its_score_and_the_choice(site: Path) -> None:
    listed = check(run([sys.executable, "-m", "modgate", "list", "--package", "acme"], env=env_with(site))).stdout
    assert "blas (any)" in listed and "mkl (chosen here)" in listed, listed
    assert "blas: avx512 (priority 30, probe 0): its probe scores 0 on this machine" in listed, listed
    shown = run([sys.executable, "-m", "modgate", "info", "blas", "--package", "acme"], env=env_with(site)).stdout
    assert "capability 'blas', policy any" in shown and "chosen: mkl" in shown, shown


def test_seven_providers_of_a_capability_named_like_a_module(site: Path) -> None:
    """VTK's IMPLEMENTS: module rendering and seven implementations, all built; the highest
    priority is chosen, and the module of that name stays itself."""
    said = python(
        site,
        """
        import acme
        print(acme.provider("rendering").__name__.rpartition(".")[2], acme.require("rendering").__name__)
        print(sorted(n for n, m in acme.info()["modules"].items() if m.get("provides") == "rendering"))
        """,
    ).splitlines()
    assert said[0] == f"{RENDERING[-1]} acme.modules.rendering"
    assert said[1] == repr(sorted(RENDERING))


def test_each_provider_is_tested_by_the_pytest_plugin(host: Path, site: Path) -> None:
    tests = host / "tests" / "test_blas_each.py"
    tests.write_text(
        "import pytest\n\n\n@pytest.mark.each_provider('blas')\ndef test_gemm(modgate_provider):\n"
        "    name = modgate_provider.__name__.rpartition('.')[2]\n"
        "    assert name in ('avx512', 'mkl', 'ref')\n",
        encoding="utf-8",
    )
    try:
        proc = run(
            [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(tests)],
            cwd=host,
            env=env_with(site),
        )
    finally:
        tests.unlink()
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "2 passed, 1 skipped" in proc.stdout and "provider 'avx512' of 'blas': its probe scores 0" in proc.stdout


def test_each_provider_is_its_own_wheel_and_removing_one_changes_the_choice(host: Path, tmp_path: Path) -> None:
    """`modgate wheels`: a core wheel and one per module; with all installed mkl serves, and
    `pip uninstall acme-mkl` hands blas to ref at the next process, with no rebuild."""
    out, build = tmp_path / "dist", tmp_path / "build"
    wheels = [sys.executable, "-m", "modgate", "wheels", str(host), "--out", str(out), "--no-build-isolation"]
    check(run([*wheels, "--build-dir", str(build)], env=env_with()))
    venv_dir = tmp_path / "venv"
    check(run([sys.executable, "-m", "venv", "--system-site-packages", str(venv_dir)]))
    python_bin = str(venv_dir / "bin" / "python")
    found = sorted(str(p) for p in out.glob("*.whl"))
    check(run([python_bin, "-m", "pip", "install", "-q", "--no-deps", "--no-index", *found], env=env_with()))
    ask = [python_bin, "-W", "always", "-c", CALLERS]
    assert check(run(ask, env=env_with(), cwd=tmp_path)).stdout.split() == ["mkl", "mkl", "mkl"]
    check(run([python_bin, "-m", "pip", "uninstall", "-y", "-q", "acme-mkl"], env=env_with()))
    proc = check(run(ask, env=env_with(), cwd=tmp_path))
    assert proc.stdout.split() == ["ref", "ref", "ref"] and "passed over" not in proc.stderr, proc.stderr
    # mkl's wheel of another version: refused before its library loads, passed over with a warning.
    (mkl,) = out.glob("acme_mkl-*.whl")
    other = doctored(mkl, tmp_path, version="9.9")
    check(run([python_bin, "-m", "pip", "install", "-q", "--no-deps", str(other)], env=env_with()))
    proc = check(run(ask, env=env_with(), cwd=tmp_path))
    assert proc.stdout.split() == ["ref", "ref", "ref"], proc.stderr
    assert "provider 'mkl' of acme was passed over" in proc.stderr and "9.9" in proc.stderr, proc.stderr


def test_a_plugin_adds_a_provider_to_the_hosts_capability(host: Path, site: Path, tmp_path: Path) -> None:
    """A plugin distribution (built against the installed acme) with a provider of blas:
    it follows the host's policy (no alias of its own), is among the providers, and serves
    when MODGATE_PREFER asks for it, from C++ and from Python."""
    plugin = tmp_path / "acme-blis"
    shutil.copytree(FIXTURES / "plugin", plugin, ignore=shutil.ignore_patterns("modules", "python"))
    (plugin / "python" / "acme_blis").mkdir(parents=True)
    (plugin / "python" / "acme_blis" / "__init__.py").write_text('"""acme-blis: a BLAS for acme."""\n')
    toml = (plugin / "pyproject.toml").read_text(encoding="utf-8")
    toml = toml.replace("acme-plus", "acme-blis").replace("acme_plus", "acme_blis")
    (plugin / "pyproject.toml").write_text(toml, encoding="utf-8")
    folder = plugin / "modules" / "blis"
    (folder / "src").mkdir(parents=True)
    (folder / "module.toml").write_text(
        'name = "blis"\nsummary = "BLAS through BLIS"\nstage = "S1"\nmaintainers = ["octocat"]\n'
        'provides = "blas"\npriority = 100\n\n[native]\n',
        encoding="utf-8",
    )
    (folder / "src" / "blis.cc").write_text(
        "#include <modgate/module.h>\n\n#include <string>\n\n"
        'static std::string gemm() { return "blis"; }\n'
        'MODGATE_REGISTER_FUNCTION("blis.gemm", gemm, "Which provider answered.");\n',
        encoding="utf-8",
    )
    copy = shutil.copytree(site, tmp_path / "site", symlinks=True)
    check(run([*PIP, "--target", str(copy), str(plugin)], env=env_with(copy)))
    assert python(copy, CALLERS).split() == ["mkl", "mkl", "mkl"]  # the host's prefer list still comes first
    assert python(copy, CALLERS, MODGATE_PREFER="blas:blis").split() == ["blis", "blis", "blis"]
    providers = json.loads(python(copy, "import acme, json; print(json.dumps(acme.info()['capabilities']['blas']))"))
    assert providers["providers"] == ["avx512", "blis", "mkl", "ref"], providers
    # info() loads every provider, blis too: C++ still sees the one chosen, not the last loaded.
    both = "import modgate._core, acme._core\nacme.info()\nprint(acme._core.gemm(), acme.provider('blas').__name__)"
    assert python(copy, both).split() == ["mkl", "acme.modules.mkl"]


def test_the_pytest_header_lists_the_capability_without_choosing(host: Path, site: Path) -> None:
    """The header runs before the tests: it names the providers and chooses none, so a test
    setting MODGATE_PREFER still decides (the choice is made once per process)."""
    tests = host / "tests" / "test_prefer_inside.py"
    tests.write_text(
        "import acme\n\n\ndef test_prefer(monkeypatch):\n"
        "    monkeypatch.setenv('MODGATE_PREFER', 'blas:ref')\n"
        "    assert acme.provider('blas').__name__ == 'acme.modules.ref'\n",
        encoding="utf-8",
    )
    try:
        proc = run(
            [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", str(tests)],
            cwd=host,
            env=env_with(site),
        )
    finally:
        tests.unlink()
    assert proc.returncode == 0 and "blas (any)" in proc.stdout and "chosen at run time" in proc.stdout, proc.stdout
