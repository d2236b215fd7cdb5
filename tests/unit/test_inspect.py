"""``modgate plan`` and ``modgate codeowners`` on a host's tree (no build), and the
pre-commit hooks that run them."""

from __future__ import annotations

import json
import shlex
import textwrap
from pathlib import Path

import pytest

from modgate._inspect import BEGIN, END, owner_token
from modgate.cli import main
from tests.helpers import ROOT


def reg(name: str, extra: str) -> str:
    return f'name = "{name}"\nsummary = "{name}"\nstage = "S1"\n{extra}\n'


def host(root: Path) -> Path:
    files = {
        "pyproject.toml": '[project]\nname = "acme"\nversion = "1.0"\n\n[tool.modgate]\npackage = "acme"\n',
        "modules/alpha/module.toml": reg("alpha", 'maintainers = ["octocat", "Ann <ann@example.org>"]'),
        "modules/beta/module.toml": reg("beta", 'maintainers = ["@acme/team"]\nrequires = ["alpha"]'),
        "modules/gamma/module.toml": reg("gamma", 'requires = ["beta"]'),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_plan_shows_each_state_and_the_chain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = host(tmp_path)
    assert main(["plan", str(root), "-D", "USE_MODULE_ALPHA=OFF"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "acme (plan, no build): 3 modules, 0 enabled"
    rows = {line.split()[0]: line for line in out[2:]}
    assert rows["gamma"].split(None, 3)[1:] == [
        "OFF",
        "S1",
        "requires beta → alpha, which is off: USE_MODULE_ALPHA=OFF",
    ]
    assert (
        main(["plan", str(root), "-D", "MODGATE_ALL_MODULES=OFF", "-D", "USE_MODULE_ALPHA=ON", "--format", "json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert {name: entry["state"] for name, entry in data.items()} == {"alpha": "ON", "beta": "OFF", "gamma": "OFF"}
    assert data["beta"]["reason"] == "MODGATE_ALL_MODULES=OFF" and data["alpha"]["option"] == "USE_MODULE_ALPHA"


@pytest.mark.parametrize(
    ("define", "said"),
    [
        ("USE_MODULE_ALPAH=OFF", "did you mean 'USE_MODULE_ALPHA'"),
        ("USE_MODULE_ALPHA=MAYBE", "MAYBE"),
        ("USE_MODULE_ALPHA", "write NAME=VALUE"),
        ("USE_MODULE_GAMMA=ON", "fix: set USE_MODULE_ALPHA=ON or AUTO"),
    ],
)
def test_plan_refuses_what_configure_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], define: str, said: str
) -> None:
    root = host(tmp_path)
    extra = ["-D", "USE_MODULE_ALPHA=OFF"] if "GAMMA" in define else []
    assert main(["plan", str(root), *extra, "-D", define]) == 2
    assert said in capsys.readouterr().err


def test_owner_tokens() -> None:
    assert [owner_token(m) for m in ["octocat", "@org/team", "Ann Lee <ann@example.org>"]] == [
        "@octocat",
        "@org/team",
        "ann@example.org",
    ]


def test_codeowners_prints_writes_keeps_hand_lines_and_catches_drift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = host(tmp_path)
    assert main(["codeowners", str(root)]) == 0
    block = capsys.readouterr().out
    assert block.splitlines() == [
        BEGIN,
        "/modules/alpha/ @octocat ann@example.org",
        "/modules/beta/ @acme/team",
        "# /modules/gamma/ has no maintainers",
        END,
    ]
    assert main(["codeowners", str(root), "--check"]) == 1  # no CODEOWNERS yet
    capsys.readouterr()
    (root / "CODEOWNERS").write_text("* @acme/core\n", encoding="utf-8")
    assert main(["codeowners", str(root), "--write"]) == 0
    text = (root / "CODEOWNERS").read_text(encoding="utf-8")
    assert text.startswith("* @acme/core\n") and block in text  # the existing file, hand line kept
    assert main(["codeowners", str(root), "--check"]) == 0
    capsys.readouterr()
    toml = root / "modules" / "beta" / "module.toml"
    toml.write_text(toml.read_text().replace("@acme/team", "@acme/other"), encoding="utf-8")
    assert main(["codeowners", str(root), "--check"]) == 1
    out = capsys.readouterr().out
    assert "+/modules/beta/ @acme/other" in out and "run modgate codeowners --write" in out
    assert main(["codeowners", str(root), "--write"]) == 0
    assert (root / "CODEOWNERS").read_text().count(BEGIN) == 1  # replaced, not appended again


def test_codeowners_writes_the_github_place_when_there_is_none(tmp_path: Path) -> None:
    root = host(tmp_path)
    assert main(["codeowners", str(root), "--write"]) == 0
    assert (root / ".github" / "CODEOWNERS").read_text().startswith(BEGIN)


def test_pre_commit_hooks_run_real_commands(capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    entries = [line.split("entry:", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("entry:")]
    ids = [line.split("id:", 1)[1].strip() for line in text.splitlines() if line.startswith("- id:")]
    assert ids == ["modgate-check", "modgate-codeowners"] and len(entries) == 2
    for entry in entries:
        program, *args = shlex.split(entry)
        assert program == "modgate"
        assert main([*args, str(ROOT)]) == 0, entry  # and this repository passes both
    capsys.readouterr()


def test_this_repository_codeowners_block_is_current() -> None:
    assert main(["codeowners", str(ROOT), "--check"]) == 0, textwrap.dedent(
        "CODEOWNERS has drifted: run `modgate codeowners --write`"
    )
