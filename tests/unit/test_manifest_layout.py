"""The build manifest's layout: what ``dumps`` writes, the import-time reader answers from
its first lines and from one module's line, exactly as a whole-file JSON parse would; a
manifest in any other layout is read whole, with the same answers."""

from __future__ import annotations

import itertools
import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import modgate
from modgate import _manifest
from modgate._configure.manifest import dumps

_COUNTER = itertools.count()


def synthetic(count: int, wheels: bool = False) -> dict[str, Any]:
    modules = {}
    for i in range(count):
        name = f"m{i:03d}"
        entry: dict[str, Any] = {
            "state": "ON" if i % 3 else "OFF",
            "reason": "default AUTO",
            # Non-ASCII text: the index counts bytes, not characters.
            "summary": f"module {i} — größer, 模块 {'é' * (i % 7)}",
            "requires": [f"m{i - 1:03d}"] if i else [],
            "native": [],
        }
        if wheels and entry["state"] == "ON":
            entry["wheel"] = f"acme-{name}"
        modules[name] = entry
    return {
        "schema": 2,
        "package": "acme",
        "distribution": "acme",
        "version": "1.2.3",
        "abi_version": 2,
        "module_wheels": wheels,
        "options": {"USE_MODULE_M001": "OFF"},
        "order": sorted(modules),
        "modules": modules,
    }


@pytest.fixture
def package(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A package name whose ``__path__`` is a fresh folder, and that folder."""
    name = f"layout_host_{next(_COUNTER)}"
    module = types.ModuleType(name)
    module.__path__ = [str(tmp_path)]
    sys.modules[name] = module
    yield name, tmp_path
    del sys.modules[name]


def answers(package: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    index = dict(_manifest.index(package))
    entries = {name: _manifest.module_entry(package, name) for name in reversed(list(index))}
    return index, dict(_manifest.summary(package)), entries


def expected(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    index = {n: (e.get("wheel") or "") if e["state"] == "ON" else None for n, e in data["modules"].items()}
    top = {k: v for k, v in data.items() if k not in ("order", "modules")}
    return index, top, data["modules"]


@pytest.mark.parametrize(("count", "wheels"), [(0, False), (1, False), (40, False), (40, True)])
def test_the_reader_answers_from_the_layout_as_a_whole_parse_would(
    package: tuple[str, Path], count: int, wheels: bool
) -> None:
    name, folder = package
    data = synthetic(count, wheels)
    text = dumps(data)
    (folder / "_manifest.json").write_text(text, encoding="utf-8")
    whole = json.loads(text)
    assert whole.pop("index")  # one JSON value, readable by any parser
    assert whole == data
    index, top, entries = answers(name)
    assert (index, top, entries) == expected(data)
    assert modgate._INDEXES[name].base > 0  # answered from the layout, not a whole parse
    assert _manifest.manifest(name) == data  # the whole, for info(): without the index


def test_a_manifest_in_another_layout_is_read_whole_with_the_same_answers(package: tuple[str, Path]) -> None:
    name, folder = package
    data = synthetic(12, wheels=True)
    (folder / "_manifest.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    assert answers(name) == expected(data)
    assert modgate._INDEXES[name].base == -1


def test_an_entry_that_is_not_where_the_index_says_is_an_error(package: tuple[str, Path]) -> None:
    name, folder = package
    text = dumps(synthetic(5))
    lines = text.splitlines(keepends=True)
    lines[5] = " " + lines[5]  # shifts every later module's line by one byte
    (folder / "_manifest.json").write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ValueError, match="not where its index says"):
        for module in _manifest.index(name):
            _manifest.module_entry(name, module)


def test_a_name_the_index_cannot_hold_plainly_is_refused() -> None:
    data = synthetic(2)
    data["modules"]['bad"name'] = data["modules"].pop("m001")
    with pytest.raises(ValueError, match="not a plain name"):
        dumps(data)


def _field(text: str, index: int, value: str) -> str:
    """``text`` (a manifest in the layout) with field ``index`` of its index line set to ``value``."""
    lines = text.splitlines(keepends=True)
    fields = lines[1][len('"index": "') : -len('",\n')].split(";")
    fields[index] = value
    lines[1] = '"index": "' + ";".join(fields) + '",\n'
    return "".join(lines)


@pytest.mark.parametrize(
    ("damage", "needle"),
    [
        (lambda text: _field(text, 3, "m001=acme-m001;x"), "5 fields, not 4"),
        (lambda text: _field(text, 1, "0110"), "5 module names but states '0110'"),
        (lambda text: _field(text, 1, "01x11"), "5 module names but states '01x11'"),
        (lambda text: _field(text, 3, "acme-m001"), "wheels 'acme-m001' are not name=distribution pairs"),
        (lambda text: _field(text, 3, "m009=acme-m009"), "'m009=acme-m009' name modules the index does not list"),
        (lambda text: _field(text, 0, "m000 m001 m002 m003 mö04"), "it is not ASCII text"),
        (lambda text: _field(text, 2, "0 1 2"), "5 module names but offsets '0 1 2'"),
        (lambda text: _field(text, 2, "0 1 2 x 4"), "5 module names but offsets"),
    ],
)
def test_a_damaged_index_names_the_file_its_line_and_the_reinstall(
    package: tuple[str, Path], damage: Any, needle: str
) -> None:
    name, folder = package
    path = folder / "_manifest.json"
    path.write_text(damage(dumps(synthetic(5, wheels=True))), encoding="utf-8")
    with pytest.raises(ValueError) as caught:  # ManifestError
        for module in _manifest.index(name):
            _manifest.module_entry(name, module)
    message = str(caught.value)
    assert message.startswith(f"{path} cannot be read: its index (line 2) is damaged: "), message
    assert needle in message, message
    assert "pip install --force-reinstall --no-deps" in message, message
