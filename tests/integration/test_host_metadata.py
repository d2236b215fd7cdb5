"""A host project's extras and a plugin's entry points, as pip sees them: the installed provider
(``provider = "modgate"``) reads the host's registration files while pip prepares metadata."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import basic, write_module
from tests.integration.cmake_builds import check, run

PYPROJECT = """\
[build-system]
requires = ["scikit-build-core>=1.1", "modgate"]
build-backend = "scikit_build_core.build"

[project]
name = "host-project"
version = "1.0"
dynamic = ["optional-dependencies", "entry-points"]

[[tool.dynamic-metadata]]
provider = "modgate"
{settings}

[tool.modgate]
{tool}
"""


PIP_DRY_RUN = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--no-build-isolation", "-q"]


def host(tmp_path: Path, settings: str = "", tool: str = 'package = "host_project"') -> Path:
    root = tmp_path / "host"
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT.format(settings=settings, tool=tool), encoding="utf-8")
    (root / "CMakeLists.txt").write_text("cmake_minimum_required(VERSION 3.21)\nproject(host LANGUAGES NONE)\n")
    return root


def pip_metadata(root: Path) -> tuple[int, dict[str, list[str]], str]:
    """What ``pip install`` would install: the project's metadata (no build, no download)."""
    proc = run(
        [*PIP_DRY_RUN, "--report", "-", str(root)],
        cwd=root,
    )
    if proc.returncode != 0:
        return proc.returncode, {}, proc.stdout + proc.stderr
    metadata = json.loads(proc.stdout)["install"][0]["metadata"]
    return 0, metadata, proc.stderr


def test_pip_sees_one_extra_per_module_with_requirements(tmp_path: Path) -> None:
    root = host(tmp_path)
    write_module(root / "modules", "fast_io", basic("fast_io", '[python]\nrequires = ["attrs>=23"]\n'))
    write_module(root / "modules", "report", basic("report", 'requires = ["fast_io"]\n'))
    write_module(root / "modules", "plain", basic("plain"))
    code, metadata, err = pip_metadata(root)
    assert code == 0, err
    assert metadata["provides_extra"] == ["fast-io", "report", "all"]
    assert sorted(metadata["requires_dist"]) == [
        'attrs>=23; extra == "all"',
        'attrs>=23; extra == "fast-io"',
        'attrs>=23; extra == "report"',
    ]


def _entry_points(root: Path, out: Path) -> str:
    code = textwrap.dedent(
        """
        import sys
        from scikit_build_core.build import prepare_metadata_for_build_wheel
        print(prepare_metadata_for_build_wheel(sys.argv[1]))
        """
    )
    out.mkdir()
    proc = check(run([sys.executable, "-c", code, str(out)], cwd=root))
    dist_info = proc.stdout.strip().splitlines()[-1]  # scikit-build-core prints a banner first
    path = out / dist_info / "entry_points.txt"
    return path.read_text() if path.is_file() else ""


def test_pip_writes_entry_points_for_a_plugin_and_none_for_a_hosts_own_modules(tmp_path: Path) -> None:
    root = host(tmp_path, tool='package = "host_pkg"')
    write_module(root / "modules", "alpha", basic("alpha"))
    own = _entry_points(root, tmp_path / "meta")
    assert "host_pkg.modules" not in own and "[cmake.prefix]\nhost_pkg = host_pkg\n" in own

    plugin = host(tmp_path / "p", tool='package = "plug_pkg"\nhost = "host_pkg"')
    write_module(plugin / "modules", "beta", basic("beta"))
    plugged = _entry_points(plugin, tmp_path / "pmeta")
    assert "[host_pkg.modules]\nbeta = plug_pkg.modules.beta\n" in plugged and "cmake.prefix" not in plugged


@pytest.mark.parametrize(
    ("settings", "tool", "toml", "expected"),
    [
        ("", "", 'name = "alpha"\nsumary = "x"\nstage = "S1"\n', "modules/alpha/module.toml:2: sumary: unknown key"),
        ('package = "x"', "", None, "[[tool.dynamic-metadata]] provider 'modgate': package: the provider takes no"),
        ("", 'pakage = "x"', None, "pyproject.toml: [tool.modgate] pakage: unknown key 'pakage'"),
        ("", "", basic("alpha", 'requires = ["nope"]\n'), "modules/alpha/module.toml: requires"),
    ],
    ids=["registration", "provider-setting", "host-setting", "unknown-requirement"],
)
def test_a_mistake_fails_pip_with_the_file_the_key_and_the_fix(
    tmp_path: Path, settings: str, tool: str, toml: str | None, expected: str
) -> None:
    root = host(tmp_path, settings, tool or 'package = "host_project"')
    write_module(root / "modules", "alpha", toml or basic("alpha"))
    code, _, output = pip_metadata(root)
    assert code != 0
    assert expected in output and "fix:" in output, output
    assert "Traceback" not in output, output
