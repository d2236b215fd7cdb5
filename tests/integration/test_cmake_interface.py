"""What a person sees from CMake: options and their help, the summary table, warnings and
errors. Configure only."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, ROOT
from tests.integration.cmake_builds import check, configure, own_modules, run

pytestmark = pytest.mark.build

VERBATIM = FIXTURES / "verbatim" / "modules"


def test_options_carry_the_summary_as_help(tmp_path: Path) -> None:
    check(configure(ROOT, tmp_path, {"MODGATE_EXTRA_MODULE_DIRS": str(VERBATIM), "MODGATE_ALL_MODULES": "OFF"}))
    listing = check(run(["cmake", "-LH", "-N", str(tmp_path)])).stdout
    for name in own_modules():
        summary = (ROOT / "modules" / name / "module.toml").read_text().split('summary = "')[1].split('"')[0]
        help_text = f"// {summary} [ON, AUTO, IF_NEEDED or OFF; unset: its groups', MODGATE_ALL_MODULES or the default"
        assert help_text in listing
        assert f"\nUSE_MODULE_{name.upper()}:STRING=\n" in listing
    assert "MODGATE_ALL_MODULES:STRING=OFF" in listing


def test_summary_with_cmake_syntax_is_shown_verbatim(tmp_path: Path) -> None:
    summary = 'He said "hi"; it\'s ${HOME} and $ENV{PATH} ]] ]==] [[x]] \\n $<1:gen> # not a comment'
    check(configure(ROOT, tmp_path, {"MODGATE_EXTRA_MODULE_DIRS": str(VERBATIM), "MODGATE_ALL_MODULES": "OFF"}))
    listing = check(run(["cmake", "-LH", "-N", str(tmp_path)])).stdout
    assert f"// {summary} [ON, AUTO, IF_NEEDED or OFF;" in listing
    manifest = (tmp_path / "modgate" / "_manifest.json").read_text()
    assert (
        '"summary": "He said \\"hi\\"; it\'s ${HOME} and $ENV{PATH} ]] ]==] [[x]] \\\\n $<1:gen> # not a comment"'
        in manifest
    )


def test_summary_table_lists_every_module(tmp_path: Path) -> None:
    proc = check(configure(ROOT, tmp_path, {"USE_MODULE_GRAPH": "off"}))
    lines = [line[3:] for line in proc.stdout.splitlines() if line.startswith("--   ")]
    assert lines[0].split() == ["module", "state", "stage", "reason"]
    rows = {line.split()[0]: line.split(None, 3) for line in lines[1:]}
    assert set(rows) == set(own_modules())
    assert rows["graph"][1:] == ["OFF", "S1", "USE_MODULE_GRAPH=OFF"]


def test_a_plain_cmake_build_has_the_version_setuptools_scm_computes(tmp_path: Path) -> None:
    check(configure(ROOT, tmp_path, {"MODGATE_ALL_MODULES": "OFF"}))
    version = json.loads((tmp_path / "modgate" / "_manifest.json").read_text())["version"]
    expected = check(run([sys.executable, "-m", "setuptools_scm"], cwd=ROOT)).stdout.strip().splitlines()[-1]
    assert version == expected and version != "0+unknown"


def test_invalid_value_fails_configure_naming_the_option(tmp_path: Path) -> None:
    proc = configure(ROOT, tmp_path, {"USE_MODULE_SCAN": "MAYBE"})
    assert proc.returncode != 0
    assert "USE_MODULE_SCAN: value 'MAYBE' is not ON, AUTO, IF_NEEDED or OFF" in proc.stderr
    assert "fix: set USE_MODULE_SCAN=ON, AUTO, IF_NEEDED or OFF" in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_option_fails_configure_with_a_suggestion(tmp_path: Path) -> None:
    proc = configure(ROOT, tmp_path, {"USE_MODULE_NOPE": "ON", "USE_MODULE_GRAF": "OFF"})
    assert proc.returncode != 0
    assert "USE_MODULE_NOPE names no module (known: USE_MODULE_" in proc.stderr
    assert "USE_MODULE_GRAF names no module (did you mean 'USE_MODULE_GRAPH'?)" in proc.stderr
    assert "fix: remove it (cmake: -UUSE_MODULE_NOPE)" in proc.stderr


def test_folder_without_registration_is_a_configure_warning(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    (extra / "stray" / "src").mkdir(parents=True)
    proc = check(
        configure(ROOT, tmp_path / "build", {"MODGATE_EXTRA_MODULE_DIRS": str(extra), "MODGATE_ALL_MODULES": "OFF"})
    )
    assert "CMake Warning" in proc.stderr and "stray has no module.toml" in proc.stderr


def test_deprecated_module_warns_at_configure(tmp_path: Path) -> None:
    proc = check(
        configure(
            ROOT,
            tmp_path,
            {
                "MODGATE_EXTRA_MODULE_DIRS": str(VERBATIM),
                "MODGATE_ALL_MODULES": "OFF",
                "USE_MODULE_LEGACY": "ON",
            },
        )
    )
    assert "module 'legacy' is deprecated since 0.1 and will be removed in 9.0: superseded by quoted;" in proc.stderr
    assert "use quoted instead" in proc.stderr
    assert "legacy/module.toml" in proc.stderr
    assert any(line.split()[1:4] == ["legacy", "ON", "S1"] for line in proc.stdout.splitlines())


def test_bad_registration_fails_configure_with_the_resolver_message(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    (extra / "broken").mkdir(parents=True)
    (extra / "broken" / "module.toml").write_text('name = "broken"\nsummary = "x"\nstage = "S4"\n')
    proc = configure(ROOT, tmp_path / "build", {"MODGATE_EXTRA_MODULE_DIRS": str(extra)})
    assert proc.returncode != 0
    assert "broken/module.toml:3: stage: stage 'S4' is not one of S0, S1, S2" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_editing_a_registration_reruns_configure(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    folder = extra / "late"
    folder.mkdir(parents=True)
    (folder / "module.toml").write_text('name = "late"\nsummary = "x"\nstage = "S1"\ndefault = "OFF"\n')
    build = tmp_path / "build"
    check(configure(ROOT, build, {"MODGATE_EXTRA_MODULE_DIRS": str(extra), "MODGATE_ALL_MODULES": ""}))
    (folder / "module.toml").write_text('name = "late"\nsummary = "x"\nstage = "S1"\ndefault = "ON"\n')
    # The build notices the change and re-runs configure before building.
    proc = run(["cmake", "--build", str(build), "--target", "modgate_runtime"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    manifest = json.loads((build / "modgate" / "_manifest.json").read_text())
    assert manifest["modules"]["late"]["state"] == "ON"


def test_a_configure_without_pybind11_says_what_to_run_and_recovers_once_it_is_there(tmp_path: Path) -> None:
    """A first configure with a Python that lacks pybind11 names the command that installs
    it; once it is there (here: on PYTHONPATH), configuring again finds it, although the
    first configure cached that it was not found."""
    import os

    import pybind11

    bare = tmp_path / "venv"
    check(run([sys.executable, "-m", "venv", "--without-pip", str(bare)]))
    python = bare / "bin" / "python"
    build = tmp_path / "build"
    command = ["cmake", "-S", str(ROOT), "-B", str(build), f"-DPython_EXECUTABLE={python}"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "pybind11_DIR")}
    first = run(command, env=env)
    assert first.returncode != 0
    said = " ".join(first.stderr.split())
    assert f"pybind11 is not installed for {python}" in said and f"{python} -m pip install pybind11" in said, said
    site = Path(pybind11.__file__).parent.parent  # "installed": the pybind11 of this Python
    again = check(run(command, env=env | {"PYTHONPATH": str(site)}))
    assert "pybind11 is not installed" not in again.stderr
    cached = (build / "CMakeCache.txt").read_text(encoding="utf-8")
    assert f"pybind11_DIR:PATH={pybind11.get_cmake_dir()}" in cached
