"""`modgate twins` and the twin rules of `modgate check`, on synthetic hosts: a function
copied from one module into another (with its variables renamed), in C++ and in Python,
is found with both places and their owners; declaring it silences the warning; a change
to one copy in a git history makes `--changed-since` name the other copy and its owners."""

from __future__ import annotations

import json
import shlex
import subprocess
import textwrap
from pathlib import Path

import pytest

from modgate._cli import main
from modgate._cli._twins import CORE, Place, changed_twins, declared, find_twins, pairs
from modgate._cli.check import check_tree
from modgate._configure.discovery import discover_project
from modgate._configure.host import read_host
from modgate._configure.registration import Registration, Twin
from tests.helpers import ROOT

pytest.importorskip("lizard_ext.lizardduplicate", reason="the clone detector: pip install lizard")

FEATURES = """\
#include <vector>

namespace {namespace} {{

{before}std::vector<double> {function}(const std::vector<double>& {samples}, int {window}) {{
  std::vector<double> {out};
  double {total} = 0.0;
  for (int {i} = 0; {i} < static_cast<int>({samples}.size()); ++{i}) {{
    {total} += {samples}[{i}];
    if ({i} >= {window}) {{
      {total} -= {samples}[{i} - {window}];
    }}
    if ({i} + 1 >= {window}) {{
      {out}.push_back({total} / {window});
    }}
  }}
  double {peak} = 0.0;
  for (double {value} : {out}) {{
    if ({value} > {peak}) {{
      {peak} = {value};
    }}
  }}
  {out}.push_back({peak});
  return {out};
}}

}}  // namespace {namespace}
"""

SUMMARY = """\
\"\"\"{doc}\"\"\"
{before}

def {function}({records}, {limit}):
    {totals} = {{}}
    for {record} in {records}:
        {key} = {record}["kind"]
        {totals}[{key}] = {totals}.get({key}, 0) + {record}["size"]
        if {totals}[{key}] > {limit}:
            {totals}[{key}] = {limit}
    {ordered} = sorted({totals}.items(), key=lambda item: item[1], reverse=True)
    return [name for name, size in {ordered} if size > 0]
"""

ALPHA_CXX = dict(
    namespace="alpha",
    before="int unrelated() { return 1; }\n\n",
    function="extract_features",
    samples="samples",
    window="window",
    out="features",
    total="total",
    i="i",
    peak="peak",
    value="value",
)
BETA_CXX = dict(
    namespace="beta",
    before="",
    function="features_of",
    samples="xs",
    window="w",
    out="acc_out",
    total="acc",
    i="k",
    peak="top",
    value="v",
)
ALPHA_PY = dict(
    doc="alpha.", before="", function="summarize", records="records", limit="limit", totals="totals", record="record"
) | dict(key="key", ordered="ordered")
BETA_PY = dict(
    doc="beta.", before="VERSION = 2\n", function="tally", records="rows", limit="cap", totals="acc", record="row"
) | dict(key="k", ordered="ranked")


def registration(name: str, maintainers: list[str], extra: str = "") -> str:
    head = f'name = "{name}"\nsummary = "the {name} module"\nstage = "S1"\n'
    return head + f"maintainers = {json.dumps(maintainers)}\n[native]\n{extra}"


def host(tmp_path: Path, *, python: bool = True) -> Path:
    root = tmp_path / "acme"
    (root / "modules" / "alpha" / "src").mkdir(parents=True)
    (root / "modules" / "beta" / "src").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "acme"\n[tool.modgate]\npackage = "acme"\n')
    (root / "modules" / "alpha" / "module.toml").write_text(registration("alpha", ["alice", "@acme/alpha-team"]))
    (root / "modules" / "beta" / "module.toml").write_text(registration("beta", ["Bob Builder <bob@acme.org>"]))
    (root / "modules" / "alpha" / "src" / "features.cc").write_text(FEATURES.format(**ALPHA_CXX))
    (root / "modules" / "beta" / "src" / "schedule.cc").write_text(FEATURES.format(**BETA_CXX))
    (root / "src" / "core.cc").write_text("int core_only(int x) { return x * 2; }\n")
    if python:
        for name, values in (("alpha", ALPHA_PY), ("beta", BETA_PY)):
            (root / "modules" / name / "python").mkdir()
            (root / "modules" / name / "python" / "__init__.py").write_text(SUMMARY.format(**values))
    return root


def twins_of(root: Path, **options: int) -> list[object]:
    config = read_host(root)
    return list(find_twins(root, config, discover_project(root, config), **options)[0])


def test_a_copied_function_with_renamed_variables_is_found_with_both_places_and_owners(tmp_path: Path) -> None:
    root = host(tmp_path)
    found = twins_of(root)
    by_file = {(t.a.path, t.b.path): t for t in found}  # type: ignore[attr-defined]
    cxx = by_file[("modules/alpha/src/features.cc", "modules/beta/src/schedule.cc")]
    assert cxx.a.owner == "alpha" and cxx.b.owner == "beta"
    assert cxx.a.owners == ("@alice", "@acme/alpha-team") and cxx.b.owners == ("bob@acme.org",)
    # The copied function: alpha's starts after its extra function, beta's at the top.
    assert 6 <= cxx.a.first <= 9 and 4 <= cxx.b.first <= 6 and cxx.lines >= 10 and cxx.declared is None
    py = by_file[("modules/alpha/python/__init__.py", "modules/beta/python/__init__.py")]
    assert py.lines >= 6 and py.declared is None
    assert len(found) == 2  # the core's unrelated file pairs with nothing


def test_a_source_over_the_limit_is_named_and_left_out_of_the_search(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from modgate._cli._twins import MAX_SOURCE_BYTES

    root = host(tmp_path)
    generated = root / "modules" / "beta" / "src" / "generated.cc"
    # The copied function again, in a file too large to tokenize: not a twin, and said so.
    (root / "modules" / "beta" / "src" / "schedule.cc").rename(generated)
    body = generated.read_text()
    filler = "int filler_%d(int x) { return x + %d; }\n"
    generated.write_text(body + "".join(filler % (i, i) for i in range(MAX_SOURCE_BYTES // 30)))
    config = read_host(root)
    found, skipped = find_twins(root, config, discover_project(root, config))
    assert [t.a.path for t in found if t.b.path.endswith(".cc")] == []
    assert [name for name, _ in skipped] == ["modules/beta/src/generated.cc"]
    assert main(["twins", str(root)]) == 0
    assert "not looked at for twins, over 1 MB" in capsys.readouterr().err
    findings = check_tree(root)
    assert [f.code for f in findings if f.path == "modules/beta/src/generated.cc"] == ["MG703"]


def test_text_json_and_github_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = host(tmp_path, python=False)
    assert main(["twins", str(root)]) == 0
    out = capsys.readouterr().out
    assert (
        "modules/alpha/src/features.cc:" in out
        and "(alpha: @alice @acme/alpha-team) ~ modules/beta/src/schedule.cc:" in out
    )
    assert out.rstrip().endswith("1 twins, 1 undeclared") and "undeclared" in out.splitlines()[0]
    assert main(["twins", str(root), "--format", "json"]) == 0
    (data,) = json.loads(capsys.readouterr().out)
    assert data["a"]["path"] == "modules/alpha/src/features.cc" and data["b"]["owners"] == ["bob@acme.org"]
    assert main(["twins", str(root), "--format", "github"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("::warning file=modules/alpha/src/features.cc,line=") and "title=modgate twins::" in line
    assert main(["twins", str(root), "--min-lines", "500"]) == 0
    assert capsys.readouterr().out.strip() == "0 twins, 0 undeclared"
    assert main(["twins", str(root), "--min-lines", "0"]) == 2
    assert "--min-lines: must be 1 or more" in capsys.readouterr().err


def test_an_undeclared_twin_is_a_check_warning_and_declaring_it_silences_it(tmp_path: Path) -> None:
    root = host(tmp_path, python=False)
    (warning,) = [f for f in check_tree(root) if f.code == "MG700"]
    assert warning.severity == "warning" and warning.path == "modules/alpha/src/features.cc"
    assert "modules/beta/src/schedule.cc" in warning.message
    assert 'file = "src/features.cc", other = "modules/beta/src/schedule.cc"' in warning.fix
    toml = root / "modules" / "alpha" / "module.toml"
    toml.write_text(
        toml.read_text()
        + '\n[[twins]]\nfile = "src/features.cc"\nother = "modules/beta/src/schedule.cc"\nreason = "until beta is S1"\n'
    )
    assert not [f for f in check_tree(root) if f.code.startswith("MG70")]
    (twin,) = twins_of(root)
    assert twin.declared == Twin("src/features.cc", "modules/beta/src/schedule.cc", "until beta is S1")  # type: ignore[attr-defined]
    # Under the error policy an undeclared one fails the check; "off" does not look.
    (root / "modules" / "beta" / "src" / "copy2.cc").write_text(FEATURES.format(**(ALPHA_CXX | {"namespace": "b2"})))
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '[tool.modgate.policy]\ntwins = "error"\n')
    assert {f.severity for f in check_tree(root) if f.code == "MG700"} == {"error"}
    pyproject.write_text(pyproject.read_text().replace('"error"', '"off"'))
    assert not [f for f in check_tree(root) if f.code == "MG700"]


def test_a_declared_twin_whose_file_is_gone_is_an_error(tmp_path: Path) -> None:
    root = host(tmp_path, python=False)
    toml = root / "modules" / "alpha" / "module.toml"
    toml.write_text(
        toml.read_text() + '\n[[twins]]\nfile = "src/gone.cc"\nother = "modules/beta/nowhere.cc"\nreason = "x"\n'
    )
    gone = sorted(f.message for f in check_tree(root) if f.code == "MG701")
    assert gone == [
        "twins[0].file names modules/alpha/src/gone.cc, which does not exist",
        "twins[0].other names modules/beta/nowhere.cc, which does not exist",
    ]


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ('twins = "x"', "'twins' must be an array of tables"),
        ('[[twins]]\nfile = "a.cc"\nreason = "r"', "missing required key 'twins[0].other'"),
        ('[[twins]]\nfile = "../a.cc"\nother = "b.cc"\nreason = "r"', "twins[0].file '../a.cc' must name one file"),
        ('[[twins]]\nfile = "/a.cc"\nother = "b.cc"\nreason = "r"', "is an absolute path"),
        ('[[twins]]\nfile = "a.cc"\nother = "b.cc"\nreason = " "', "twins[0].reason is empty"),
        ('[[twins]]\nfile = "a.cc"\nother = "b.cc"\nreason = "r"\nwhy = "w"', "unknown key 'twins[0].why'"),
    ],
)
def test_a_bad_twins_entry_names_the_key_and_the_fix(tmp_path: Path, entry: str, said: str) -> None:
    root = host(tmp_path, python=False)
    toml = root / "modules" / "alpha" / "module.toml"
    text = toml.read_text()
    toml.write_text(entry + "\n" + text if not entry.startswith("[[") else text + "\n" + entry + "\n")
    messages = [f.message for f in check_tree(root) if f.code == "MG100"]
    assert any(said in m for m in messages), messages


def git(root: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@x", "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@x"}
    import os

    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True, env=os.environ | env)
    return done.stdout


def test_changed_since_names_the_other_copy_and_its_owners(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = host(tmp_path, python=False)
    toml = root / "modules" / "alpha" / "module.toml"
    toml.write_text(
        toml.read_text()
        + '\n[[twins]]\nfile = "src/features.cc"\nother = "modules/beta/src/schedule.cc"\nreason = "until beta is S1"\n'
    )
    git(root, "init", "-q", ".")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    base = git(root, "rev-parse", "HEAD").strip()
    assert main(["twins", str(root), "--changed-since", base]) == 0
    assert capsys.readouterr().out.strip() == "0 declared twins changed on one side only"
    # A fix to alpha's copy only, committed.
    source = root / "modules" / "alpha" / "src" / "features.cc"
    source.write_text(source.read_text().replace("double peak = 0.0;", "double peak = -1.0;"))
    git(root, "commit", "-qam", "fix alpha's copy")
    assert main(["twins", str(root), "--changed-since", base]) == 1
    out = capsys.readouterr().out
    assert "modules/alpha/src/features.cc changed, but its declared twin modules/beta/src/schedule.cc:" in out
    assert "(until beta is S1): apply the change there too, or ask bob@acme.org" in out
    assert main(["twins", str(root), "--changed-since", base, "--format", "github"]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert (
        line.startswith("::warning file=modules/alpha/src/features.cc,line=") and "modules/beta/src/schedule.cc" in line
    )
    # The other copy follows: nothing to ask any more.
    other = root / "modules" / "beta" / "src" / "schedule.cc"
    other.write_text(other.read_text().replace("double top = 0.0;", "double top = -1.0;"))
    assert main(["twins", str(root), "--changed-since", base]) == 0
    capsys.readouterr()
    assert main(["twins", str(root), "--changed-since", "no-such-ref"]) == 2
    assert "git rev-parse" in capsys.readouterr().err


def test_the_pre_commit_hook_runs_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    entry = text.split("- id: modgate-twins", 1)[1].split("entry:", 1)[1].splitlines()[0].strip()
    program, *args = shlex.split(entry)
    assert program == "modgate" and args == ["twins", "--changed-since", "HEAD"]
    root = host(tmp_path, python=False)
    git(root, "init", "-q", ".")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    assert main([*args, str(root)]) == 0
    capsys.readouterr()


def _reg(name: str, twins: tuple[Twin, ...] = ()) -> Registration:
    return Registration(name=name, summary="s", stage="S1", path=f"modules/{name}/module.toml", twins=twins)


def test_pairs_and_changes_are_pure_functions() -> None:
    modules = {"a": _reg("a", (Twin("src/x.cc", "modules/b/src/y.cc", "r"),)), "b": _reg("b")}
    owned = {"modules/a/src/x.cc": "a", "modules/b/src/y.cc": "b", "modules/a/src/z.cc": "a", "src/core.cc": CORE}
    groups = [
        [("modules/b/src/y.cc", 3, 20), ("modules/a/src/x.cc", 5, 22), ("modules/a/src/z.cc", 1, 18)],
        [("modules/a/src/x.cc", 30, 33), ("src/core.cc", 1, 4)],  # too short
        [("modules/a/src/x.cc", 40, 60), ("src/core.cc", 10, 30)],
    ]
    found = pairs(groups, owned, modules, min_lines=6)
    assert [(t.a.path, t.b.path, t.lines) for t in found] == [
        ("modules/a/src/x.cc", "modules/b/src/y.cc", 18),
        ("modules/a/src/x.cc", "src/core.cc", 21),
        ("modules/a/src/z.cc", "modules/b/src/y.cc", 18),
    ]
    assert found[0].declared is not None and found[1].declared is None and found[2].declared is None
    place = Place("modules/b/src/y.cc", 1, 2, "b", ())
    assert declared(place, Place("modules/a/src/x.cc", 1, 2, "a", ()), modules) == modules["a"].twins[0]
    assert changed_twins(modules, {"modules/a/src/x.cc"}) == [
        ("a", modules["a"].twins[0], "modules/a/src/x.cc", "modules/b/src/y.cc")
    ]
    assert changed_twins(modules, {"modules/b/src/y.cc"})[0][2] == "modules/b/src/y.cc"
    assert changed_twins(modules, {"modules/a/src/x.cc", "modules/b/src/y.cc"}) == []


def test_this_tree_has_no_undeclared_twins() -> None:
    undeclared = [t for t in twins_of(ROOT) if t.declared is None]  # type: ignore[attr-defined]
    assert undeclared == [], textwrap.shorten(str(undeclared), 400)


def test_the_manifest_and_modgate_info_list_a_modules_declared_twins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from modgate._cli import info
    from tests.helpers import basic, run_configure, write_module

    modules_dir = tmp_path / "modules"
    twin = '[[twins]]\nfile = "src/a.cc"\nother = "modules/beta/src/b.cc"\nreason = "until beta is S1"\n'
    write_module(modules_dir, "alpha", basic("alpha", twin))
    write_module(modules_dir, "beta", basic("beta"))
    manifest = tmp_path / "manifest.json"
    result = run_configure("resolve", ["--modules-dir", str(modules_dir), "--manifest", str(manifest)], tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(manifest.read_text())
    assert data["modules"]["alpha"]["twins"] == [
        {"file": "src/a.cc", "other": "modules/beta/src/b.cc", "reason": "until beta is S1"}
    ]
    assert data["modules"]["beta"]["twins"] == []
    view = dict(data["modules"]["alpha"], origin="in-tree", distribution="modgate", version="1", owners=[])
    monkeypatch.setattr(info, "host_info", lambda package: {"modules": {"alpha": view}})
    assert main(["info", "alpha", "--package", "modgate"]) == 0
    assert "  twin:         src/a.cc ~ modules/beta/src/b.cc (until beta is S1)" in capsys.readouterr().out
