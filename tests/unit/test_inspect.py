"""``modgate plan`` and ``modgate codeowners`` on a host's tree (no build), and the
pre-commit hooks that run them."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from modgate._cli._owners import BEGIN, END, owner_token
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
        ("USE_MODULE_GAMMA=ON", "fix: set USE_MODULE_ALPHA=IF_NEEDED"),
    ],
)
def test_plan_refuses_what_configure_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], define: str, said: str
) -> None:
    root = host(tmp_path)
    extra = ["-D", "USE_MODULE_ALPHA=OFF"] if "GAMMA" in define else []
    assert main(["plan", str(root), *extra, "-D", define]) == 2
    assert said in capsys.readouterr().err


def test_plan_why_says_where_a_value_came_from_and_the_chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = host(tmp_path)
    for name in ("alpha", "beta"):
        toml = root / "modules" / name / "module.toml"
        toml.write_text(toml.read_text() + 'default = "IF_NEEDED"\n')
    assert main(["plan", str(root), "-D", "USE_MODULE_GAMMA=ON", "--why", "alpha"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "alpha: ON: needed by beta (gamma → beta → alpha; USE_MODULE_GAMMA=ON)"
    assert out[1:3] == [
        "  value: default IF_NEEDED",
        "    from, first set wins: USE_MODULE_ALPHA=unset, MODGATE_ALL_MODULES=unset, alpha's default=IF_NEEDED",
    ]
    assert out[3:] == [
        "  brought in by what requires it:",
        "    gamma: USE_MODULE_GAMMA=ON",
        "    beta: default IF_NEEDED",
    ]
    # Kept out: the chain to the module off for a reason of its own.
    assert main(["plan", str(root), "-D", "USE_MODULE_ALPHA=OFF", "-D", "USE_MODULE_GAMMA=AUTO", "--why", "gamma"]) == 0
    out = capsys.readouterr().out
    assert "gamma: OFF: requires beta → alpha, which is off: USE_MODULE_ALPHA=OFF" in out
    assert "  kept out by what it requires:\n    beta: OFF (" in out and "    alpha: OFF (USE_MODULE_ALPHA=OFF)" in out
    # A refused plan ends with the one plan line that passes, --why kept.
    assert main(["plan", str(root), "-D", "USE_MODULE_ALPHA=OFF", "-D", "USE_MODULE_GAMMA=ON", "--why", "alpha"]) == 2
    err = capsys.readouterr().err
    line = err.split("fix all at once: ", 1)[1].strip()
    assert (
        line
        == f"modgate plan {shlex.quote(str(root))} -D USE_MODULE_ALPHA=IF_NEEDED -D USE_MODULE_GAMMA=ON --why alpha"
    )
    assert main(shlex.split(line)[1:]) == 0
    assert main(["plan", str(root), "--why", "alpah"]) == 2 and "did you mean 'alpha'" in capsys.readouterr().err


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


def _hook_entries() -> dict[str, list[str]]:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    entries = [line.split("entry:", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("entry:")]
    ids = [line.split("id:", 1)[1].strip() for line in text.splitlines() if line.startswith("- id:")]
    assert ids == ["modgate-check", "modgate-codeowners", "modgate-twins"] and len(entries) == 3
    commands = {}
    for hook, entry in zip(ids, entries, strict=True):
        program, *args = shlex.split(entry)
        assert program == "modgate"
        commands[hook] = args
    return commands


def test_pre_commit_hooks_run_real_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = host(tmp_path)
    gamma = root / "modules" / "gamma" / "module.toml"
    gamma.write_text(reg("gamma", 'maintainers = ["octocat"]\nrequires = ["beta"]'), encoding="utf-8")
    assert main(["codeowners", str(root), "--write"]) == 0
    hooks = _hook_entries()
    assert main([*hooks["modgate-check"], str(root)]) == 0
    assert main([*hooks["modgate-codeowners"], str(root)]) == 0
    # A new module: check still passes (a warning), and the codeowners hook asks for --write.
    (root / "modules" / "delta").mkdir()
    (root / "modules" / "delta" / "module.toml").write_text(reg("delta", 'maintainers = ["dee"]'), encoding="utf-8")
    assert main([*hooks["modgate-check"], str(root)]) == 0
    assert main([*hooks["modgate-codeowners"], str(root)]) == 1
    capsys.readouterr()


def test_a_drifted_codeowners_block_is_a_check_warning_naming_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = host(tmp_path)
    (root / "CODEOWNERS").write_text("* @acme/all\n", encoding="utf-8")
    assert main(["codeowners", str(root), "--write"]) == 0
    assert main(["check", str(root), "--format", "json"]) in (0, 1)
    assert "MG302" not in capsys.readouterr().out
    toml = root / "modules" / "beta" / "module.toml"
    toml.write_text(toml.read_text().replace("@acme/team", "@acme/other"), encoding="utf-8")
    main(["check", str(root), "--format", "json"])
    found = [f for f in json.loads(capsys.readouterr().out) if f["code"] == "MG302"]
    assert found == [
        {
            "code": "MG302",
            "severity": "warning",
            "path": "CODEOWNERS",
            "line": 3,
            "message": found[0]["message"],
            "fix": "run `modgate codeowners --write` (the modgate-codeowners pre-commit hook runs its --check)",
        }
    ]
    assert "no longer matches the module.toml maintainers" in found[0]["message"]
    # A CODEOWNERS without modgate's block is the host's own: never a finding.
    (root / "CODEOWNERS").write_text("* @acme/all\n", encoding="utf-8")
    main(["check", str(root), "--format", "json"])
    assert not [f for f in json.loads(capsys.readouterr().out) if f["code"] == "MG302"]


def test_this_repository_check_warns_exactly_when_its_codeowners_drifted(capsys: pytest.CaptureFixture[str]) -> None:
    # Holds with any module added to this tree: drift is a warning, and its fix is one command.
    drifted = main(["codeowners", str(ROOT), "--check"]) == 1
    capsys.readouterr()
    assert main(["check", str(ROOT), "--format", "json"]) == 0
    codes = [f["code"] for f in json.loads(capsys.readouterr().out)]
    assert ("MG302" in codes) == drifted


def _commit(root: Path, message: str, author: str, email: str, date: str) -> None:
    import os
    import subprocess

    env = dict(os.environ, GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL=email, GIT_AUTHOR_DATE=date)
    env |= {"GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", message], check=True, env=env)


def test_stale_flags_modules_no_maintainer_changed_recently(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    root = host(tmp_path)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    _commit(root, "start", "Someone", "someone@example.org", "2024-01-01T00:00:00+00:00")
    (root / "modules" / "alpha" / "x.py").write_text("x = 1\n")
    _commit(root, "alpha by its owner", "Ann", "ann@example.org", "2025-06-01T00:00:00+00:00")
    (root / "modules" / "beta" / "y.py").write_text("y = 1\n")
    _commit(root, "beta by a team member", "Bob", "1234+team@users.noreply.github.com", "2025-01-01T00:00:00+00:00")
    (root / "modules" / "beta" / "y.py").write_text("y = 2\n")
    _commit(root, "beta by a passer-by", "Eve", "eve@example.org", "2025-09-01T00:00:00+00:00")
    assert main(["stale", str(root), "--days", "180", "--as-of", "2025-10-01", "--format", "json"]) == 1
    report = {r["module"]: r for r in json.loads(capsys.readouterr().out)}
    assert report["alpha"]["last_maintainer_change_by"] == "Ann" and not report["alpha"]["stale"]
    assert report["alpha"]["days_since_maintainer_change"] == 122
    assert report["beta"]["last_change_by"] == "Eve" and report["beta"]["last_maintainer_change_by"] == "Bob"
    assert report["beta"]["stale"]  # 273 days since its team touched it
    assert report["gamma"]["last_maintainer_change"] is None and report["gamma"]["stale"]  # no maintainers at all
    assert main(["stale", str(root), "--days", "400", "--as-of", "2025-10-01"]) == 1
    out = capsys.readouterr().out
    assert "modgate stale: 1 of 3 modules without a maintainer's change in 400 days: gamma" in out


def test_stale_without_git_history_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = host(tmp_path)
    assert main(["stale", str(root)]) == 2
    assert "a source checkout with its .git is needed" in capsys.readouterr().err


def test_a_new_host_passes_its_own_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # As a user starts: init, a git repository with no commit yet, a new module with the
    # maintainers the S0 policy asks for; then every check of the host's own passes.
    import subprocess

    root = tmp_path / "acme"
    assert main(["init", str(root), "--package", "acme"]) == 0
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root)
    assert main(["new", "x", "--maintainers", "Ann <ann@example.org>,@acme/core,octocat"]) == 0
    assert "S0 module needs" not in capsys.readouterr().out
    for command in (["check"], ["codeowners", "--check"], ["stale"]):
        assert main([*command, str(root)]) == 0, (command, capsys.readouterr())
    assert "has no commit yet, so no module can be stale" in capsys.readouterr().out
    # Short of the policy's maintainers: said when the module is written.
    assert main(["new", "y", "--maintainer", "octocat"]) == 0
    out = capsys.readouterr().out
    assert "an S0 module needs 3 maintainers ([tool.modgate.policy] s0-min-maintainers) and 'y' has 1" in out
    # Committed, then a module added and not yet committed: new, not stale.
    _commit(root, "start", "Ann", "ann@example.org", "2026-01-01T00:00:00+00:00")
    assert main(["new", "z", "--maintainers", "a,b,c"]) == 0
    capsys.readouterr()
    main(["stale", str(root), "--as-of", "2026-02-01", "--format", "json"])  # greeter's owners never committed
    report = {r["module"]: r for r in json.loads(capsys.readouterr().out)}
    assert report["z"]["last_change"] is None and not report["z"]["stale"]
    assert report["greeter"]["stale"]
