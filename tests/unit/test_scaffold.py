"""`modgate init` and `modgate new`: what they write, and their errors (building what they
write is tests/integration/test_hosts.py)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from modgate._cli._scaffold import init_host, new_module
from modgate._configure.problems import ConfigurationError
from tests.helpers import ROOT


def modgate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env_path = str(ROOT / "python")
    return subprocess.run(
        [sys.executable, "-c", "import sys; from modgate.cli import main; sys.exit(main(sys.argv[1:]))", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
    )


def test_init_writes_a_host_declared_in_one_place(tmp_path: Path) -> None:
    written = init_host(tmp_path / "acme", "acme")
    root = tmp_path / "acme"
    assert root / "modules" / "greeter" / "include" / "acme" / "greeter" / "greeter.h" in written
    data = tomllib.loads((root / "pyproject.toml").read_text())
    assert data["tool"]["modgate"] == {"package": "acme"}
    assert "modgate_add_modules()" in (root / "CMakeLists.txt").read_text()
    assert "attach(__name__)" in (root / "python" / "acme" / "__init__.py").read_text()
    assert not (root / "modules" / ".keep").exists()


@pytest.mark.parametrize(
    ("package", "needle"), [("not-a-name", "not a top-level package name"), ("modgate", "framework's own package")]
)
def test_init_refuses_bad_packages(tmp_path: Path, package: str, needle: str) -> None:
    with pytest.raises(ConfigurationError, match=needle):
        init_host(tmp_path / "x", package)


def test_init_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigurationError, match="is not empty"):
        init_host(tmp_path, "acme")


def test_new_adds_a_module_and_refuses_mistakes(tmp_path: Path) -> None:
    init_host(tmp_path / "acme", "acme")
    inside = tmp_path / "acme" / "src"
    written = new_module("fast_io", start=inside, native=True, requires=["greeter"], maintainers=["a"])
    toml = tomllib.loads((tmp_path / "acme" / "modules" / "fast_io" / "module.toml").read_text())
    assert toml["requires"] == ["greeter"] and toml["stage"] == "S0" and "native" in toml
    assert any(p.name == "test_fast_io.py" for p in written)
    with pytest.raises(ConfigurationError) as caught:
        new_module("fast_io", start=inside, requires=["greter"])
    text = caught.value.format()
    assert "already exists" in text and "no module 'greter' in this host (did you mean 'greeter'?)" in text
    with pytest.raises(ConfigurationError, match="not a module name"):
        new_module("Bad-Name", start=inside)
    with pytest.raises(ConfigurationError, match=r"no pyproject\.toml here or above"):
        new_module("x", start=Path("/"))


def test_the_commands_explain_themselves_and_fail_without_a_traceback(tmp_path: Path) -> None:
    for command, needle in (("init", "--package"), ("new", "--requires"), ("list", "--format")):
        proc = modgate(command, "--help", cwd=tmp_path)
        assert proc.returncode == 0 and needle in proc.stdout, proc.stderr
    proc = modgate("new", "x", cwd=tmp_path)
    assert proc.returncode == 2 and "no pyproject.toml here or above" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(("given", "shown"), [("acme", "./acme"), ("sub/acme", "./sub/acme"), ("./acme", "./acme")])
def test_inits_next_line_names_the_project_by_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], given: str, shown: str
) -> None:
    # `pip install acme` would install the project of that name from an index: a path it must be.
    from modgate.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["init", given, "--package", "acme"]) == 0
    out = capsys.readouterr().out
    assert (
        "next: python -m pip install scikit-build-core pybind11 pytest"
        f" && python -m pip install --no-build-isolation {shown} && (cd {shown} && pytest)"
    ) in out


@pytest.mark.parametrize("name", ["class", "async", "template", "a_"])
def test_new_refuses_a_name_no_import_or_namespace_can_take(tmp_path: Path, name: str) -> None:
    init_host(tmp_path / "acme", "acme")
    with pytest.raises(ConfigurationError) as info:
        new_module(name, start=tmp_path / "acme")
    assert "NAME" in info.value.format() and not (tmp_path / "acme" / "modules" / name).exists()
