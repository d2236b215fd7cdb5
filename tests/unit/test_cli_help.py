"""Every ``modgate`` command answers ``--help`` with its own usage, and the user guide's
command table lists it."""

from __future__ import annotations

from pathlib import Path

import pytest

from modgate._names import CORE_COMMANDS
from modgate.cli import main
from tests.helpers import ROOT


@pytest.mark.parametrize("command", CORE_COMMANDS)
def test_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: modgate {command}") and "options:" in out and "-h, --help" in out


def test_the_top_level_help_names_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(command in out for command in CORE_COMMANDS)


def test_the_user_guide_lists_every_command() -> None:
    guide = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    assert all(f"`modgate {command}" in guide for command in CORE_COMMANDS), [
        c for c in CORE_COMMANDS if f"`modgate {c}" not in guide
    ]


@pytest.mark.parametrize(
    ("command", "option", "said"),
    [
        ("plan", "--why", "why this module is on or off"),
        ("verify", "--timeout", "seconds one configuration may take"),
        ("verify", "--test-timeout", "seconds one test of the default test command may take"),
        ("new", "--maintainers", "maintainers, comma-separated"),
        ("list", "--json", "the same as --format json"),
        ("schema", "--host", "the schema of a host's [tool.modgate] table in pyproject.toml"),
        ("info", "name", "or a capability's: its providers and the one chosen"),
    ],
)
def test_new_options_say_what_they_do(command: str, option: str, said: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert option in out and said in out
    guides = "".join(path.read_text(encoding="utf-8") for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
    assert option in guides, f"{command} {option} is in no guide"


def test_a_host_that_fails_to_import_is_named_in_the_help_not_swallowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "brokenhost"\n[tool.modgate]\npackage = "brokenhost"\n')
    (tmp_path / "brokenhost").mkdir()
    (tmp_path / "brokenhost" / "__init__.py").write_text("raise RuntimeError('the host is broken')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps the epilog
    assert "the commands of brokenhost's modules are not listed: RuntimeError: the host is broken" in out
    assert "check" in out  # the core's commands still listed
