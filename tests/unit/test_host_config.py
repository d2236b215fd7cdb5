"""Host settings ([tool.modgate]), per-module option names, and a plugin's view of its host."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from modgate._configure.host import HostConfig, Policy, parse_host, read_host
from modgate._configure.problems import ConfigurationError
from modgate._configure.registration import Registration, parse_registration
from modgate._configure.request import build_requests, check_options
from modgate._configure.resolver import HostModule, resolve
from modgate._names import extra_name, option_name
from tests.helpers import CONFIGURE, ROOT, basic


def reg(name: str, *, option: str | None = None, requires: tuple[str, ...] = (), default: str = "AUTO") -> Registration:
    return Registration(
        name=name,
        summary=name,
        stage="S1",
        path=f"modules/{name}/module.toml",
        option=option,
        requires=requires,
        default=default,
    )


def test_defaults_and_every_key() -> None:
    host = parse_host({"project": {"name": "Acme-Core"}, "tool": {"modgate": {}}})
    assert host == HostConfig(package="acme_core", host_package="acme_core", distribution="Acme-Core")
    full = parse_host(
        {
            "tool": {
                "modgate": {
                    "package": "acme",
                    "modules-dirs": ["modules", "contrib"],
                    "option-prefix": "ACME_WITH_",
                    "policy": {"s0-min-maintainers": 2, "core-paths": ["src"], "ignore": ["MG101"]},
                }
            }
        }
    )
    assert full.package == full.host_package == "acme" and not full.is_plugin
    assert full.modules_dirs == ("modules", "contrib") and full.option_prefix == "ACME_WITH_"
    assert full.policy == Policy(s0_min_maintainers=2, core_paths=("src",), ignore=("MG101",))
    plugin = parse_host({"tool": {"modgate": {"package": "acme_extra", "host": "acme"}}})
    assert plugin.is_plugin and plugin.host_package == "acme"


@pytest.mark.parametrize(
    ("table", "key", "needle"),
    [
        ({"package": "acme", "pakage": "x"}, "pakage", "did you mean 'package'"),
        ({"package": "not a name"}, "package", "importable package name"),
        ({"package": "acme", "modules-dirs": []}, "modules-dirs", "non-empty array"),
        ({"package": "acme", "modules-dirs": ["../elsewhere"]}, "modules-dirs", "leaves the project"),
        ({"package": "acme", "option-prefix": "use-"}, "option-prefix", "not an option prefix"),
        ({"package": "acme", "option-prefix": 3}, "option-prefix", "not an option prefix"),
        ({"package": "acme", "option-prefix": "CMAKE_"}, "option-prefix", "collide"),
        ({"package": "acme", "host": "1bad"}, "host", "importable package name"),
        (
            {"package": "acme", "policy": {"s0-min-maintainer": 3}},
            "policy.s0-min-maintainer",
            "did you mean 's0-min-maintainers'",
        ),
        ({"package": "acme", "policy": {"s0-min-maintainers": -1}}, "policy.s0-min-maintainers", "≥ 0"),
    ],
)
def test_bad_settings_name_the_file_the_key_and_the_fix(table: dict[str, object], key: str, needle: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_host({"tool": {"modgate": table}}, path="acme/pyproject.toml")
    text = caught.value.format()
    assert f"acme/pyproject.toml: [tool.modgate] {key}" in text and needle in text and "fix:" in text


def test_a_project_without_the_table_is_told_what_to_add(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "acme"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        read_host(tmp_path, shown_as="pyproject.toml")
    assert '[tool.modgate]\n        package = "acme"' in caught.value.format()
    with pytest.raises(ConfigurationError, match=r"there is no pyproject\.toml"):
        read_host(tmp_path / "missing")


def test_the_option_key_is_validated() -> None:
    ok = parse_registration(basic("cutlass", 'option = "USE_CUTLASS"\n').encode(), path="m.toml", folder_name="cutlass")
    assert ok.option_for("USE_MODULE_") == "USE_CUTLASS"
    for bad, needle in (("use-cutlass", "not a CMake-safe option name"), ("MODGATE_X", "collide")):
        with pytest.raises(ConfigurationError) as caught:
            parse_registration(basic("cutlass", f'option = "{bad}"\n').encode(), path="m.toml", folder_name="cutlass")
        assert "m.toml:4: option:" in caught.value.format() and needle in caught.value.format()


def test_options_are_unique_within_a_host_and_stay_outside_the_prefix() -> None:
    modules = {
        "a": reg("a", option="USE_SHARED"),
        "b": reg("b", option="USE_SHARED"),
        "c": reg("c", option="USE_MODULE_D"),
    }
    text = "\n".join(p.format() for p in check_options(modules, "USE_MODULE_"))
    assert (
        "already toggles module 'a'" in text
        and "USE_MODULE_D" in text
        and "starts with the host's option prefix" in text
    )
    assert check_options({"a": reg("a", option="USE_MODULE_A")}, "USE_MODULE_") == []


def test_values_reach_modules_by_their_own_option_or_the_hosts_prefix() -> None:
    modules = {"cutlass": reg("cutlass", option="USE_CUTLASS"), "graph": reg("graph")}
    requests = build_requests(
        modules, {"USE_CUTLASS": "OFF", "ACME_GRAPH": "ON", "USE_CUDA": "ON"}, None, prefix="ACME_"
    )
    assert requests["cutlass"].value == "OFF" and requests["graph"].value == "ON"  # USE_CUDA: not modgate's


@pytest.mark.parametrize(
    ("option", "needle"),
    [
        ("USE_MODULE_CUTLAS", "did you mean 'USE_CUTLASS'"),  # the prefix, a typo of a module with its own option
        ("USE_MODULE_CUTLASS", "module 'cutlass' is toggled by USE_CUTLASS"),  # the module, under the wrong name
        ("USE_MODULE_graph", "module 'graph' is toggled by USE_MODULE_GRAPH"),  # lower case
        ("USE_MODULE_GRAHP", "did you mean 'USE_MODULE_GRAPH'"),
    ],
)
def test_unknown_options_are_errors_with_suggestions_for_both_kinds(option: str, needle: str) -> None:
    modules = {"cutlass": reg("cutlass", option="USE_CUTLASS"), "graph": reg("graph")}
    with pytest.raises(ConfigurationError) as caught:
        build_requests(modules, {option: "ON"}, None)
    text = caught.value.format()
    assert f"CMake cache: {option}:" in text and needle in text and "fix:" in text
    assert "add a module 'graph'" not in text  # never suggests creating a module that exists


def test_a_plugin_module_follows_its_hosts_module() -> None:
    host_modules = {
        "scan": HostModule("acme", "scan", True, "USE_MODULE_SCAN", "default AUTO"),
        "gpu": HostModule("acme", "gpu", False, "USE_GPU", "USE_GPU=OFF"),
    }
    modules = {"uses_scan": reg("uses_scan", requires=("scan",)), "uses_gpu": reg("uses_gpu", requires=("gpu",))}
    requests = build_requests(modules, {}, None)
    result = resolve(modules, requests, prefix="USE_MODULE_", host_modules=host_modules)
    assert result.order == ("uses_scan",)
    assert "acme's module 'gpu' is OFF in the installed acme (USE_GPU: USE_GPU=OFF)" in result.state("uses_gpu").reason
    required = build_requests(modules, {"USE_MODULE_USES_GPU": "ON"}, None)
    with pytest.raises(ConfigurationError) as caught:
        resolve(modules, required, host_modules=host_modules)
    text = caught.value.format()
    assert "modules/uses_gpu/module.toml: requires:" in text
    assert "pip install acme -C cmake.define.USE_GPU=ON" in text


def test_derived_names() -> None:
    assert option_name("fast_io") == "USE_MODULE_FAST_IO" and option_name("x", "ACME_") == "ACME_X"
    assert extra_name("a__b_c") == "a-b-c"


@pytest.mark.parametrize(
    ("project", "version", "warned"),
    [
        ('version = "2.3.1"\n', "2.3.1", False),
        ('dynamic = ["version"]\n', "0+unknown", True),  # no [tool.setuptools_scm]: nothing computes it
        ("", "0+unknown", True),
    ],
)
def test_a_build_outside_pip_takes_the_version_from_pyproject(
    tmp_path: Path, project: str, version: str, warned: bool
) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "acme"\n{project}\n[tool.modgate]\npackage = "acme"\n')
    proc = subprocess.run(
        [
            sys.executable,
            "-S",
            "-E",
            str(CONFIGURE),
            "declare",
            "--project-dir",
            str(tmp_path),
            "--project-version",
            "--out",
            str(tmp_path / "declare.cmake"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    script = (tmp_path / "declare.cmake").read_text()
    assert f"set(modgate_PROJECT_VERSION [[{version}]])" in script
    assert ("the build's version is 0+unknown" in script) == warned


@pytest.mark.parametrize(
    ("option", "needle"),
    [
        ("UNIX", "a variable CMake sets itself"),
        ("SKBUILD_FAST", "the build backend's own variables"),
        ("Python_WITH_X", "CMake's or Python's own variables"),
        ("MODGATE_X", "modgate's own variables"),
    ],
)
def test_an_option_may_not_be_a_variable_cmake_or_the_backend_owns(option: str, needle: str) -> None:
    # One rule for a module's option, a group's and a capability's (modgate._configure.reserved.reserved_variable).
    with pytest.raises(ConfigurationError) as caught:
        parse_registration(basic("cutlass", f'option = "{option}"\n').encode(), path="m.toml", folder_name="cutlass")
    assert "m.toml:4: option:" in caught.value.format() and needle in caught.value.format()
    for table in ("groups", "capabilities"):
        with pytest.raises(ConfigurationError) as caught:
            parse_host({"tool": {"modgate": {"package": "acme", table: {"cuda": {"option": option}}}}})
        assert f"{table}.cuda.option" in caught.value.format() and needle in caught.value.format()


def test_a_pyproject_nested_too_deep_is_named_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("x = " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        read_host(tmp_path)
    (problem,) = caught.value.problems
    assert problem.file.endswith("pyproject.toml") and "nests too deep" in problem.message
    assert "a few levels deep" in problem.fix


# What the JSON Schema can say about [tool.modgate] (shape, names, values), each rejected by both.
SHAPE_MISTAKES = [
    {"pakage": "acme"},
    {"package": "not a name"},
    {"package": 3},
    {"modules-dirs": "modules"},
    {"modules-dirs": []},
    {"modules-dirs": ["modules", "modules"]},
    {"option-prefix": "use-"},
    {"host": "1bad"},
    {"module-distribution": "acme-plugins"},
    {"policy": []},
    {"policy": {"s0-min-maintainer": 3}},
    {"policy": {"s0-min-maintainers": -1}},
    {"policy": {"s0-min-maintainers": "3"}},
    {"policy": {"twins": "loud"}},
    {"policy": {"twins-min-lines": 0}},
    {"policy": {"core-paths": "src"}},
    {"groups": {"Cuda": {}}},
    {"groups": {"cuda": "USE_CUDA"}},
    {"groups": {"cuda": {"opton": "USE_CUDA"}}},
    {"groups": {"cuda": {"default": "on"}}},
    {"groups": {"cuda": {"option": "1USE"}}},
    {"groups": {"cuda": {"summary": "two\nlines"}}},
    {"capabilities": {"blas": "any-number"}},
    {"capabilities": {"blas": {"policy": "at-most-two"}}},
    {"capabilities": {"blas": {"default": "Open BLAS"}}},
    {"capabilities": {"blas": {"priority": 1}}},
    {"capabilities": {"blas": 1}},
]
SHAPES_THAT_HOLD = [
    {},
    {"package": "acme.core", "modules-dirs": ["modules", "contrib"], "option-prefix": "ACME_WITH_"},
    {"host": "acme", "module-distribution": "acme-plugin-{module}"},
    {"policy": {"s0-min-maintainers": 0, "twins": "off", "twins-min-lines": 1, "forbid-licenses": ["GPL-3.0-only"]}},
    {"groups": {"cuda_libs": {"option": "USE_CUDA_LIBS", "default": "IF_NEEDED", "summary": "CUDA"}}},
    {"capabilities": {"blas": "exactly-one", "fft": {"policy": "at-most-one", "option": "USE_FFT", "default": "none"}}},
]


@pytest.mark.parametrize("table", SHAPE_MISTAKES + SHAPES_THAT_HOLD)
def test_the_host_schema_and_the_parser_agree(table: dict[str, object]) -> None:
    """`modgate schema --host` is the parser's own declaration: what one refuses, so does
    the other, and what one takes, so does the other."""
    import jsonschema

    from modgate._configure.schema import json_host_schema

    schema_ok = jsonschema.Draft202012Validator(json_host_schema()).is_valid(table)
    try:
        parse_host({"project": {"name": "acme"}, "tool": {"modgate": table}})
        parser_ok = True
    except ConfigurationError:
        parser_ok = False
    assert schema_ok == parser_ok == (table in SHAPES_THAT_HOLD), (schema_ok, parser_ok)


def test_the_host_schema_takes_every_hosts_table_in_this_tree() -> None:
    """This repository's and every fixture host's [tool.modgate], and what `modgate init` writes."""
    import tomllib

    import jsonschema

    from modgate._configure.schema import json_host_schema

    validator = jsonschema.Draft202012Validator(json_host_schema())
    template = ROOT / "python" / "modgate" / "_cli" / "resources" / "templates" / "host" / "pyproject.toml.in"
    files = [ROOT / "pyproject.toml", template, *sorted((ROOT / "tests" / "fixtures").rglob("pyproject.toml"))]
    tables = {}
    for file in files:
        text = file.read_text(encoding="utf-8").replace("@", "x")  # the template's @placeholders@
        table = tomllib.loads(text).get("tool", {}).get("modgate")
        if table is not None:
            tables[file.relative_to(ROOT).as_posix()] = table
    assert len(tables) >= 3 and template.relative_to(ROOT).as_posix() in tables
    for name, table in tables.items():
        assert not list(validator.iter_errors(table)), name
