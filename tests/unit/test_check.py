"""``modgate check`` on host trees with each violation planted: the code, the file and the
line of every finding; the clean tree (this repository) passes."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from modgate._cli.check import RULES, check_tree, format_findings
from modgate.cli import main
from tests.helpers import ROOT


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def toml(name: str, stage: str = "S1", maintainers: str = '["@acme/team"]', extra: str = "") -> str:
    return f'name = "{name}"\nsummary = "the {name} module"\nstage = "{stage}"\nmaintainers = {maintainers}\n{extra}'


PYPROJECT = '[project]\nname = "acme"\nversion = "2.0"\n\n[tool.modgate]\npackage = "acme"\n'

CLEAN = {
    "pyproject.toml": PYPROJECT,
    "src/core.cc": '#include <modgate/registry.h>\n#include "core.h"\nint f() { return 0; }\n',
    "python/acme/__init__.py": "from modgate import attach\n\nis_built, is_available, require, info = attach(__name__)"
    "\n",
    "modules/alpha/module.toml": toml("alpha"),
    "modules/alpha/include/acme/alpha/api.h": "int alpha();\n",
    "modules/alpha/src/alpha.cc": "#include <acme/alpha/api.h>\nint alpha() { return 1; }\n",
    "modules/alpha/python/__init__.py": "from . import helpers\nfrom .helpers import x\n",
    "modules/alpha/python/helpers.py": "x = 1\n",
    "modules/beta/module.toml": toml("beta", extra='requires = ["alpha"]\n'),
    "modules/beta/src/beta.cc": "#include <acme/alpha/api.h>\n",
    "modules/beta/python/__init__.py": "from acme.modules import alpha\nfrom ..alpha import helpers\n",
}


def codes(root: Path, **kwargs: str) -> set[tuple[str, str, int | None]]:
    return {(f.code, f.path, f.line) for f in check_tree(root, **kwargs)}


def test_a_clean_host_passes(tmp_path: Path) -> None:
    assert check_tree(write(tmp_path, CLEAN)) == []


def test_this_repository_passes() -> None:
    # Nothing but the drift warning a module just dropped into the tree brings (MG302).
    findings = check_tree(ROOT)
    assert [f for f in findings if f.code != "MG302"] == []
    assert all(f.severity == "warning" for f in findings)


def test_core_isolation(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        CLEAN
        | {
            "src/core.cc": "#include <modgate/registry.h>\n#include <acme/alpha/api.h>\n"
            "#ifdef USE_MODULE_ALPHA\n#endif\n#if defined(USE_MODULE_BETA) && X\n#endif\n"
            "#ifdef USE_MODULE_THREADS_FALLBACK\n#endif\n",  # the core's own option, no module's: fine
            "include/acme/core.h": '#include "../../modules/alpha/include/acme/alpha/api.h"\n',
            "python/acme/tools.py": "import os\n\nfrom acme.modules import beta\nimport acme.modules.alpha.helpers\n",
            "python/acme/modules/ignored.py": "import acme.modules.alpha\n",  # not the core: the loader's place
        },
    )
    assert codes(root) == {
        ("MG500", "src/core.cc", 2),
        ("MG501", "src/core.cc", 3),
        ("MG501", "src/core.cc", 5),
        ("MG500", "include/acme/core.h", 1),
        ("MG502", "python/acme/tools.py", 3),
        ("MG502", "python/acme/tools.py", 4),
    }


def test_module_isolation(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        CLEAN
        | {
            "modules/gamma/module.toml": toml("gamma"),
            "modules/gamma/src/g.cc": "#include <acme/alpha/api.h>\n"
            '#include "../../alpha/include/acme/alpha/api.h"\n#include "local.h"\n',
            "modules/gamma/src/local.h": "\n",
            "modules/gamma/python/__init__.py": "from acme.modules import alpha\nfrom ..beta import thing\n"
            "from .. import alpha as a2\nimport acme.modules.gamma\n",
            "modules/gamma/tests/test_g.py": "import acme.modules.beta\n",
        },
    )
    assert codes(root) == {
        ("MG600", "modules/gamma/src/g.cc", 1),
        ("MG601", "modules/gamma/src/g.cc", 2),
        ("MG602", "modules/gamma/python/__init__.py", 1),
        ("MG602", "modules/gamma/python/__init__.py", 2),
        ("MG602", "modules/gamma/python/__init__.py", 3),
        ("MG602", "modules/gamma/tests/test_g.py", 1),
    }


def test_stage_ownership_and_deprecation(tmp_path: Path) -> None:
    deprecated = '[deprecated]\nsince = "1.0"\nremoval = "{removal}"\nreason = "old"\nreplacement = "{replacement}"\n'
    root = write(
        tmp_path,
        CLEAN
        | {
            "modules/young/module.toml": toml("young", "S0", '["@a", "b <b@example.org>"]'),
            "modules/grown/module.toml": toml("grown", "S2", extra='requires = ["young"]\n'),
            "modules/nobody/module.toml": toml("nobody", maintainers="[]"),
            "modules/gone/module.toml": toml("gone", extra=deprecated.format(removal="2.0", replacement="nowhere")),
            "modules/going/module.toml": toml("going", extra=deprecated.format(removal="3.0", replacement="gone")),
            "modules/later/module.toml": toml("later", extra=deprecated.format(removal="9.0", replacement="alpha")),
        },
    )
    assert codes(root) == {
        ("MG200", "modules/young/module.toml", 4),
        ("MG201", "modules/grown/module.toml", 5),
        ("MG300", "modules/nobody/module.toml", 4),
        ("MG400", "modules/gone/module.toml", 5),
        ("MG402", "modules/gone/module.toml", 5),
        ("MG401", "modules/going/module.toml", 5),
        ("MG402", "modules/going/module.toml", 5),  # its replacement is deprecated
        ("MG401", "modules/later/module.toml", 5),
    }
    # A maintainer CODEOWNERS could not name: the parser refuses it, as an ownership finding.
    oddly = write(
        tmp_path / "oddly", CLEAN | {"modules/oddly/module.toml": toml("oddly", maintainers='["@ok", "Jane Doe"]')}
    )
    ((code, path, line),) = codes(oddly)
    assert (code, path, line) == ("MG301", "modules/oddly/module.toml", 4)
    # Judged as of another version: before the removal, a warning; the policy's threshold.
    assert ("MG400", "modules/gone/module.toml", 5) not in codes(root, as_of_version="1.5")
    assert ("MG401", "modules/gone/module.toml", 5) in codes(root, as_of_version="1.5")


def test_policy_thresholds_and_ignored_codes(tmp_path: Path) -> None:
    policy = '\n[tool.modgate.policy]\ns0-min-maintainers = 2\nignore = ["MG300", "MG999"]\n'
    root = write(
        tmp_path,
        CLEAN
        | {
            "pyproject.toml": PYPROJECT + policy,
            "modules/young/module.toml": toml("young", "S0", '["@a", "@b"]'),
            "modules/nobody/module.toml": toml("nobody", maintainers="[]"),
        },
    )
    assert codes(root) == {("MG001", "pyproject.toml", None)}


def test_registration_and_graph_problems_are_all_reported(tmp_path: Path) -> None:
    broken = write(
        tmp_path / "broken",
        CLEAN
        | {
            "modules/bad/module.toml": 'name = "bad"\nsumary = "x"\nstage = "S1"\n',
            "modules/worse/module.toml": "name = [\n",
        },
    )
    found = codes(broken)
    assert ("MG100", "modules/bad/module.toml", 2) in found  # the unknown key, on its line
    assert ("MG100", "modules/bad/module.toml", None) in found  # the missing one
    assert ("MG100", "modules/worse/module.toml", None) in found  # TOML syntax, at the end of the file
    graph = write(tmp_path / "graph", CLEAN | {"modules/c/module.toml": toml("c", extra='requires = ["alpah"]\n')})
    assert codes(graph) == {("MG101", "modules/c/module.toml", None)}


def test_formats_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write(tmp_path, CLEAN | {"src/core.cc": "#include <acme/alpha/api.h>\n"})
    assert main(["check", str(root), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data == [
        {
            "code": "MG500",
            "severity": "error",
            "path": "src/core.cc",
            "line": 1,
            "message": data[0]["message"],
            "fix": data[0]["fix"],
        }
    ]
    assert main(["check", str(root), "--format", "github"]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("::error file=src/core.cc,line=1,title=MG500::the core includes <acme/alpha/api.h>")
    assert main(["check", str(root)]) == 1
    assert capsys.readouterr().out.startswith("src/core.cc:1: MG500 error: the core includes")
    warned = write(
        tmp_path / "w",
        CLEAN | {"modules/alpha/module.toml": toml("alpha", extra='[deprecated]\nsince = "1.0"\nreason = "old"\n')},
    )
    assert main(["check", str(warned)]) == 0  # warnings alone pass
    assert "MG401 warning" in capsys.readouterr().out


def test_a_broken_host_setting_is_a_usage_error_not_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(tmp_path, CLEAN | {"pyproject.toml": '[tool.modgate]\npakage = "acme"\n'})
    assert main(["check", str(root)]) == 2
    assert "pakage" in capsys.readouterr().err


def test_github_annotations_escape_what_would_end_them() -> None:
    from modgate._cli.check import Finding

    finding = Finding("a,b:c.py", 3, "MG502", "error", "50% done\nnext", "fix")
    assert (
        format_findings([finding], "github")
        == "::error file=a%2Cb%3Ac.py,line=3,title=MG502::50%25 done%0Anext (fix: fix)"
    )


def test_every_code_is_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--list-codes"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == list(RULES)


def test_the_guide_documents_every_code_with_its_severity() -> None:
    guide = (ROOT / "docs" / "module-author-guide.md").read_text(encoding="utf-8")
    documented = {
        line.split("|")[1].strip(): line.split("|")[2].strip() for line in guide.splitlines() if line.startswith("| MG")
    }
    assert documented == {code: severity for code, (severity, _) in RULES.items()}


def test_tests_requires_admits_a_modules_tests_only(tmp_path: Path) -> None:
    # gamma's tests use beta (and through it alpha); gamma itself needs neither.
    files = CLEAN | {
        "modules/gamma/module.toml": toml("gamma", extra='[tests]\nrequires = ["beta"]\n'),
        "modules/gamma/python/__init__.py": "x = 1\n",
        "modules/gamma/tests/test_g.py": "from acme.modules import beta\nimport acme.modules.alpha\n",
    }
    assert codes(write(tmp_path / "ok", files)) == set()
    # The same import outside tests/ is still a finding, which says why it does not count.
    root = write(tmp_path / "bad", files | {"modules/gamma/python/__init__.py": "from acme.modules import beta\n"})
    [finding] = check_tree(root)
    assert (finding.code, finding.path, finding.line) == ("MG602", "modules/gamma/python/__init__.py", 1)
    assert "(its [tests] requires does, which holds for its tests/ folder only)" in finding.message
    # A module named nowhere is a finding in tests/ too, and the fix offers [tests] requires.
    root = write(tmp_path / "other", files | {"modules/delta/module.toml": toml("delta")})
    write(root, {"modules/gamma/tests/test_d.py": "from acme.modules import delta\n"})
    [finding] = check_tree(root)
    assert finding.code == "MG602" and finding.path == "modules/gamma/tests/test_d.py"
    assert "or to [tests] requires if only its tests/ use it" in finding.fix
    # An unknown module in [tests] requires is a graph finding.
    write(root, {"modules/gamma/module.toml": toml("gamma", extra='[tests]\nrequires = ["bet"]\n')})
    assert ("MG102", "modules/gamma/module.toml", None) in {(f.code, f.path, None) for f in check_tree(root)}


def test_optional_requires_admits_the_use_in_cxx_and_python(tmp_path: Path) -> None:
    files = CLEAN | {
        "modules/gamma/module.toml": toml("gamma", extra='optional-requires = ["alpha"]\n'),
        "modules/gamma/src/g.cc": "#if MODGATE_HAVE_ALPHA\n#include <acme/alpha/api.h>\n#endif\n",
        "modules/gamma/python/__init__.py": "import acme\n\nif acme.is_available('alpha'):\n"
        "    from acme.modules import alpha\n",
    }
    assert codes(write(tmp_path / "ok", files)) == set()
    # A module named nowhere is still a finding, in both languages.
    root = write(tmp_path / "bad", files | {"modules/delta/module.toml": toml("delta")})
    write(
        root,
        {"modules/delta/include/acme/delta/d.h": "int d();\n", "modules/gamma/src/h.cc": "#include <acme/delta/d.h>\n"},
    )
    write(root, {"modules/gamma/python/more.py": "from acme.modules import delta\n"})
    assert codes(root) == {("MG600", "modules/gamma/src/h.cc", 1), ("MG602", "modules/gamma/python/more.py", 1)}


@pytest.mark.parametrize(
    ("files", "needle"),
    [
        # A kept option under the host's prefix that is not the module's own name under it.
        (
            {"modules/alpha/module.toml": toml("alpha", extra='option = "USE_MODULE_BETA2"\n')},
            "option 'USE_MODULE_BETA2' starts with the host's option prefix",
        ),
        # An ON default requiring a module that is OFF by default.
        (
            {
                "modules/alpha/module.toml": toml("alpha", extra='default = "OFF"\n'),
                "modules/beta/module.toml": toml("beta", extra='default = "ON"\nrequires = ["alpha"]\n'),
            },
            "module 'beta' is ON (default ON) but requires beta → alpha, and 'alpha' is off: default OFF",
        ),
    ],
)
def test_check_refuses_what_a_default_configure_refuses(tmp_path: Path, files: dict[str, str], needle: str) -> None:
    # check, plan and configure read a host through one code path (MG103).
    root = write(tmp_path, CLEAN | files)
    found = [f for f in check_tree(root) if f.code == "MG103"]
    assert found and needle in found[0].message and found[0].severity == "error", check_tree(root)
