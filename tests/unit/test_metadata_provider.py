"""The dynamic-metadata provider: extras and entry points derived from registrations."""

from __future__ import annotations

from pathlib import Path

import pytest

from modgate.errors import ModgateError
from modgate.metadata_provider import Provider, derive, extra_name, read
from modgate.registration import Registration
from tests.helpers import basic, write_module


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
    fields = derive(modules, "host")
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
    assert derive(modules, "p")["optional-dependencies"] == {"a": ["attrs"], "b": ["attrs"], "all": ["attrs"]}


def test_no_requirements_no_extras_and_no_modules_no_entry_points() -> None:
    assert derive({"a": reg("a")}, "p") == {
        "optional-dependencies": {},
        "entry-points": {"modgate.modules": {"a": "p.modules.a"}},
    }
    assert derive({}, "p") == {"optional-dependencies": {}}


def test_read_discovers_and_checks_the_graph(tmp_path: Path) -> None:
    write_module(tmp_path / "modules", "a", basic("a", 'requires = ["b"]\n'))
    write_module(tmp_path / "modules", "b", basic("b", 'requires = ["a"]\n'))
    with pytest.raises(ModgateError, match="cycle"):
        read({}, {"name": "host"}, tmp_path)


def test_read_takes_the_package_from_the_project_name(tmp_path: Path) -> None:
    write_module(tmp_path / "plugins", "a", basic("a"))
    fields = read({"modules-dirs": ["plugins"]}, {"name": "My-Host.Project"}, tmp_path)
    assert fields["entry-points"]["modgate.modules"] == {"a": "my_host_project.modules.a"}


@pytest.mark.parametrize(
    ("settings", "key", "text"),
    [
        ({"packag": "x"}, "packag", "did you mean 'package'"),
        ({"modules-dirs": "modules"}, "modules-dirs", "non-empty array"),
        ({"modules-dirs": []}, "modules-dirs", "non-empty array"),
        ({"package": "not a name"}, "package", "importable package name"),
    ],
)
def test_bad_settings_name_the_key_and_the_fix(
    tmp_path: Path, settings: dict[str, object], key: str, text: str
) -> None:
    with pytest.raises(ModgateError) as caught:
        read(settings, {"name": "host"}, tmp_path)
    message = caught.value.format()
    assert f"pyproject.toml: [[tool.dynamic-metadata]] provider 'modgate': {key}" in message
    assert text in message and "fix:" in message


def test_provider_exits_with_the_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
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
    write_module(tmp_path / "modules", "a", basic("a"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):
        Provider.dynamic_metadata({}, {"name": "host", "dynamic": ["optional-dependencies"]})
    assert "project.dynamic" in capsys.readouterr().err
    fields = Provider.dynamic_metadata({}, {"name": "host", "dynamic": ["optional-dependencies", "entry-points"]})
    assert fields["entry-points"] == {"modgate.modules": {"a": "host.modules.a"}}
    assert Provider.get_requires_for_dynamic_metadata({}) == []
