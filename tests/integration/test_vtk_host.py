"""tests/fixtures/vtk: VTK's 265 module files converted one for one (`convert.py`), and VTK's
own resolver (`vtk_module_scan`, in the fixture's `reference/`) run on the very same files:
the modules modgate builds are the modules VTK builds, request by request, typed with VTK's
own option names and words. Where they differ, the test names the documented reason."""

from __future__ import annotations

import importlib.util
import json
import shlex
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.helpers import FIXTURES
from tests.integration.cmake_builds import check, run

HOST = FIXTURES / "vtk"
_SPEC = importlib.util.spec_from_file_location("vtk_convert", HOST / "convert.py")
assert _SPEC is not None and _SPEC.loader is not None
CONVERT = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(CONVERT)  # the converter's request and reject lists, without touching sys.path

MODULES = sorted(p.parent.name for p in HOST.glob("modules/*/module.toml"))
# VTK's top level rejects RenderingWebGPU (VTK_ENABLE_WEBGPU=OFF), which outranks its
# group's WANT there; in modgate a group's default outranks a module's own default (the
# user guide's precedence), so the default build differs by this module alone.
DEFAULT_BUILD_DIFFERENCE = {"renderingwebgpu"}


def vtk_enables(tmp: Path, settings: Mapping[str, str]) -> set[str]:
    """What VTK's vtk_module_scan enables with these cache settings (modgate's names)."""
    defines = [
        f"-DVTK_REFERENCE_REQUESTS={';'.join(CONVERT.REFERENCE_REQUESTS)}",
        f"-DVTK_REFERENCE_REJECTS={';'.join(CONVERT.REFERENCE_REJECTS)}",
        *(f"-D{name}={value}" for name, value in settings.items()),
    ]
    check(run(["cmake", "-S", str(HOST / "reference"), "-B", str(tmp), *defines]))
    return {line.split("::", 1)[1].lower() for line in (tmp / "enabled.txt").read_text().split() if line}


def modgate_enables(settings: Mapping[str, str]) -> tuple[set[str], str]:
    """What ``modgate plan`` decides for the fixture with these settings, and its output."""
    flags = [arg for name, value in settings.items() for arg in ("-D", f"{name}={value}")]
    proc = check(run([sys.executable, "-m", "modgate", "plan", str(HOST), *flags]))
    on = {parts[0] for line in proc.stdout.splitlines() if len(parts := line.split()) > 1 and parts[1] == "ON"}
    return on & set(MODULES), proc.stdout


def test_the_fixture_is_vtks_graph() -> None:
    assert len(MODULES) >= 250
    assert (HOST / "reference" / "vtk" / "vtkModule.cmake").is_file() and (
        HOST / "reference" / "vtk" / "Copyright.txt"
    ).is_file()


@pytest.mark.parametrize(
    ("scenario", "settings", "differences"),
    [
        ("the default build", {}, DEFAULT_BUILD_DIFFERENCE),
        ("one module VTK builds only on request", {"VTK_MODULE_ENABLE_VTK_ViewsQt": "YES"}, DEFAULT_BUILD_DIFFERENCE),
        ("one group off", {"VTK_GROUP_ENABLE_Rendering": "NO"}, set()),
        (
            "all off but one module and what it needs",
            {
                "VTK_GROUP_ENABLE_StandAlone": "DONT_WANT",
                "VTK_GROUP_ENABLE_Rendering": "DONT_WANT",
                "VTK_MODULE_ENABLE_VTK_IOXML": "YES",
            },
            set(),
        ),
    ],
)
def test_modgate_builds_what_vtk_builds(
    scenario: str, settings: dict[str, str], differences: set[str], tmp_path: Path
) -> None:
    vtk = vtk_enables(tmp_path, settings)
    ours, _out = modgate_enables(settings)
    assert ours ^ vtk == differences, f"{scenario}: only modgate {sorted(ours - vtk)}, only VTK {sorted(vtk - ours)}"


def test_one_flag_turns_a_deep_module_on_and_two_give_the_core_and_it() -> None:
    # ViewsQt, which VTK builds only on request: one flag, one configure, no error.
    default, _ = modgate_enables({})
    asked, out = modgate_enables({"VTK_MODULE_ENABLE_VTK_ViewsQt": "ON"})
    assert "viewsqt" not in default and "viewsqt" in asked and "guisupportqt" in asked
    assert "guisupportqt  " in out and "needed by viewsqt (VTK_MODULE_ENABLE_VTK_ViewsQt=ON)" in out
    # The core, FiltersParallel and what it needs: two flags.
    alone, _ = modgate_enables({"MODGATE_ALL_MODULES": "IF_NEEDED", "VTK_MODULE_ENABLE_VTK_FiltersParallel": "ON"})
    requires = {name: tomllib.loads((HOST / "modules" / name / "module.toml").read_text()) for name in MODULES}
    closure, stack = set(), ["filtersparallel"]
    while stack:
        if (name := stack.pop()) not in closure:
            closure.add(name)
            stack += requires[name].get("requires", [])
    assert alone == closure and len(alone) < len(default) / 2


def test_a_refused_request_on_vtks_graph_is_fixed_in_one_round() -> None:
    # ON for a module whose requirement is set OFF, deep down: every problem at once, and the
    # printed line configures as it is.
    proc = run(
        [
            sys.executable,
            "-m",
            "modgate",
            "plan",
            str(HOST),
            "-D",
            "VTK_MODULE_ENABLE_VTK_ViewsQt=ON",
            "-D",
            "VTK_MODULE_ENABLE_VTK_CommonMath=NO",
            "-D",
            "VTK_GROUP_ENABLE_Qt=NO",
        ]
    )
    assert proc.returncode != 0
    line = next(text for text in proc.stderr.splitlines() if "fix all at once:" in text)
    fixed = check(run([sys.executable, *_as_module(line)]))
    assert "viewsqt" in {p[0] for row in fixed.stdout.splitlines() if len(p := row.split()) > 1 and p[1] == "ON"}


def _as_module(line: str) -> list[str]:
    """The printed ``modgate plan ...`` line, run with this interpreter."""
    words = shlex.split(line.split("fix all at once: ", 1)[1])
    assert words[:2] == ["modgate", "plan"], words
    return ["-m", *words]


def test_random_requests_reach_every_module_of_vtks_graph() -> None:
    # random:N draws requests and resolves them: each module is on in a fair share of the
    # rows, however long its chain of requirements (a state drawn per module left most off).
    proc = check(
        run([sys.executable, "-m", "modgate", "matrix", str(HOST), "--strategy", "random:200", "--format", "json"])
    )
    rows = json.loads(proc.stdout)
    counts = {name: sum(row["options"][option] == "ON" for row in rows) for name, option in _options(rows).items()}
    assert len(rows) == 200 and min(counts.values()) >= len(rows) // 10, sorted(counts.items(), key=lambda i: i[1])[:5]


def _options(rows: list[dict[str, dict[str, str]]]) -> dict[str, str]:
    """Module -> its option, as the matrix's rows name them (VTK's spelling)."""
    return {option.removeprefix("VTK_MODULE_ENABLE_VTK_").lower(): option for option in rows[0]["options"]}
