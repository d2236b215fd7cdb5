"""The dynamic-metadata provider: extras and entry points derived from registrations."""

from __future__ import annotations

from pathlib import Path

import pytest

from modgate._configure.host import HostConfig
from modgate._configure.problems import ConfigurationError
from modgate._configure.registration import Registration
from modgate._names import extra_name
from modgate.metadata_provider import Provider, derive, read
from tests.helpers import basic, write_module

PLUGIN = HostConfig(package="host", host_package="modgate")  # a plugin: files in host/, modules of modgate


def pyproject(root: Path, tool: str = 'package = "host"\n', name: str = "host") -> None:
    (root / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n\n[tool.modgate]\n{tool}', encoding="utf-8")


def reg(name: str, requires: tuple[str, ...] = (), python: tuple[str, ...] = ()) -> Registration:
    return Registration(
        name=name,
        summary=name,
        stage="S1",
        path=f"modules/{name}/module.toml",
        requires=requires,
        python_requires=python,
    )


def test_extra_names_are_normalized_as_pip_compares_them() -> None:
    assert extra_name("fast_io") == "fast-io"
    assert extra_name("a__b") == "a-b"
    assert extra_name("plain") == "plain"


def test_an_extra_holds_the_requirements_of_every_module_it_needs() -> None:
    modules = {
        "base": reg("base", python=("numpy>=1.26",)),
        "mid": reg("mid", requires=("base",)),
        "top_level": reg("top_level", requires=("mid",), python=("rich>=13; python_version >= '3.11'",)),
        "bare": reg("bare"),
    }
    fields = derive(modules, PLUGIN)
    assert fields["optional-dependencies"] == {
        "base": ["numpy>=1.26"],
        "mid": ["numpy>=1.26"],
        "top-level": ["rich>=13; python_version >= '3.11'", "numpy>=1.26"],
        "all": ["numpy>=1.26", "rich>=13; python_version >= '3.11'"],
    }
    assert fields["entry-points"] == {
        "modgate.modules": {
            "bare": "host.modules.bare",
            "base": "host.modules.base",
            "mid": "host.modules.mid",
            "top_level": "host.modules.top_level",
        }
    }


def test_shared_requirements_appear_once_per_extra() -> None:
    modules = {
        "a": reg("a", python=("attrs",)),
        "b": reg("b", requires=("a",), python=("attrs",)),
    }
    assert derive(modules, HostConfig(package="p", host_package="p"))["optional-dependencies"] == {
        "a": ["attrs"],
        "b": ["attrs"],
        "all": ["attrs"],
    }


def test_a_hosts_own_modules_have_no_entry_points_and_no_requirements_no_extras() -> None:
    # The build manifest lists a host's modules with the state each build gave them; an
    # entry point, fixed before the build, would name a module the build turned off. The
    # host registers its package for CMake (cmake.prefix); a plugin does not.
    own = HostConfig(package="p", host_package="p")
    found_by_cmake = {"cmake.prefix": {"p": "p"}}
    assert derive({"a": reg("a")}, own) == {"optional-dependencies": {}, "entry-points": found_by_cmake}
    assert derive({}, own) == {"optional-dependencies": {}, "entry-points": found_by_cmake}
    assert derive({}, PLUGIN) == {"optional-dependencies": {}, "entry-points": {}}


def test_read_discovers_and_checks_the_graph(tmp_path: Path) -> None:
    pyproject(tmp_path)
    write_module(tmp_path / "modules", "a", basic("a", 'requires = ["b"]\n'))
    write_module(tmp_path / "modules", "b", basic("b", 'requires = ["a"]\n'))
    with pytest.raises(ConfigurationError, match="cycle"):
        read({}, tmp_path)


def test_read_takes_the_host_from_tool_modgate(tmp_path: Path) -> None:
    pyproject(tmp_path, 'modules-dirs = ["plugins"]\nhost = "acme"\n', name="My-Host.Project")
    write_module(tmp_path / "plugins", "a", basic("a", '[python]\nrequires = ["attrs"]\n'))
    fields = read({}, tmp_path)
    assert fields["entry-points"] == {"acme.modules": {"a": "my_host_project.modules.a"}}
    assert fields["optional-dependencies"] == {"a": ["attrs"], "all": ["attrs"]}


def test_a_plugin_adds_to_its_hosts_group_and_may_require_its_modules(tmp_path: Path) -> None:
    pyproject(tmp_path, 'package = "acme_extra"\nhost = "acme"\n')
    write_module(tmp_path / "modules", "a", basic("a", 'requires = ["scan"]\n'))
    fields = read({}, tmp_path)
    assert fields["entry-points"] == {"acme.modules": {"a": "acme_extra.modules.a"}}


def test_settings_under_the_provider_are_refused_with_where_they_moved(tmp_path: Path) -> None:
    pyproject(tmp_path)
    with pytest.raises(ConfigurationError) as caught:
        read({"package": "x"}, tmp_path)
    message = caught.value.format()
    assert "pyproject.toml: [[tool.dynamic-metadata]] provider 'modgate': package" in message
    assert "[tool.modgate] package = 'x'" in message and "fix:" in message


def test_provider_exits_with_the_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject(tmp_path)
    write_module(tmp_path / "modules", "a", 'name = "a"\nsumary = "x"\nstage = "S1"\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as caught:
        Provider.dynamic_metadata({}, {"name": "host", "dynamic": ["optional-dependencies", "entry-points"]})
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "modules/a/module.toml:2: sumary: unknown key 'sumary' (did you mean 'summary'?)" in err


def test_provider_needs_the_fields_listed_as_dynamic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject(tmp_path)
    write_module(tmp_path / "modules", "a", basic("a"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):
        Provider.dynamic_metadata({}, {"name": "host", "dynamic": ["optional-dependencies"]})
    assert "project.dynamic" in capsys.readouterr().err
    fields = Provider.dynamic_metadata({}, {"name": "host", "dynamic": ["optional-dependencies", "entry-points"]})
    assert fields == {"optional-dependencies": {}, "entry-points": {"cmake.prefix": {"host": "host"}}}
    assert Provider.get_requires_for_dynamic_metadata({}) == []
