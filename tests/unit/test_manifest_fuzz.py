"""The readers of generated files (a host's ``_manifest.json``, a module wheel's
``_module.json``) on damaged input: whatever the bytes, each answers or raises
:class:`modgate.ManifestError` naming the file; never another exception."""

from __future__ import annotations

import itertools
import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modgate import ManifestError, _manifest, _records
from modgate._configure.manifest import dumps
from modgate._names import MANIFEST_NAME, module_record

_COUNTER = itertools.count()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def valid() -> dict[str, Any]:
    modules = {}
    for i, state in enumerate(["ON", "OFF", "ON", "ON"]):
        modules[f"m{i}"] = {
            "state": state,
            "reason": "default AUTO",
            "option": f"USE_MODULE_M{i}",
            "requires": [f"m{i - 1}"] if i else [],
            "python_requires": [],
            "native": [],
            "deprecated": {"since": "1.0", "reason": "old", "removal": None, "replacement": None} if i == 3 else None,
        }
    modules["m2"]["wheel"] = "acme-m2"
    return {
        "schema": 2,
        "package": "acme",
        "distribution": "acme",
        "version": "1.2.3",
        "abi_version": 2,
        "build": "b1",
        "capabilities": {},
        "order": ["m0", "m2", "m3"],
        "modules": modules,
    }


def record_of(data: dict[str, Any]) -> dict[str, Any]:
    return {"schema": 1, "module": "m2", "distribution": "acme-m2", "version": "1.2.3", "abi_version": 2, "build": "b1"}


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Any]:
    """A function making a package whose ``__path__`` is a fresh folder holding ``text`` as
    its manifest; returns the package's name and folder."""
    made: list[str] = []

    def make(text: bytes) -> tuple[str, Path]:
        name = f"fuzz_host_{next(_COUNTER)}"
        folder = tmp_path / name
        (folder / "modules" / "m2").mkdir(parents=True)
        (folder / MANIFEST_NAME).write_bytes(text)
        module = types.ModuleType(name)
        module.__path__ = [str(folder)]
        sys.modules[name] = module
        made.append(name)
        return name, folder

    yield make
    for name in made:
        sys.modules.pop(name, None)


def read_everything(package: str) -> None:
    """Every answer the loader asks the manifest for, checked as the loader would use it."""
    index = _manifest.index(package)
    top = _manifest.summary(package)
    assert _manifest.top_problem(top) is None
    for name in index:
        _manifest.built(package, name)
        entry = _manifest.module_entry(package, name)
        assert _manifest.entry_problem(entry) is None
    whole = _manifest.manifest(package)
    assert all(_manifest.entry_problem(e) is None for e in whole["modules"].values())


def damage(text: bytes, data: st.DataObject) -> bytes:
    how = data.draw(st.sampled_from(["truncate", "flip", "insert", "value", "nest"]))
    if how == "truncate":
        return text[: data.draw(st.integers(0, len(text) - 1))]
    if how == "flip":
        at = data.draw(st.integers(0, len(text) - 1))
        return text[:at] + bytes([data.draw(st.integers(0, 255))]) + text[at + 1 :]
    if how == "insert":
        at = data.draw(st.integers(0, len(text)))
        return text[:at] + data.draw(st.binary(min_size=1, max_size=4)) + text[at:]
    if how == "nest":
        return b'{"version": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    # A value replaced by any JSON value, written in the layout (the index stays right).
    manifest = valid()
    target = data.draw(st.sampled_from(["top", *manifest["modules"]]))
    holder = manifest if target == "top" else manifest["modules"][target]
    key = data.draw(st.sampled_from(sorted(holder)))
    if key in ("modules", "order") or (target != "top" and key == "wheel"):
        key = "reason" if target != "top" else "version"
    holder[key] = data.draw(json_values)
    try:
        return dumps(manifest).encode()
    except (KeyError, TypeError, AttributeError):  # a state dumps itself cannot write: write it whole
        return json.dumps(manifest).encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_damaged_manifest_is_read_or_refused_with_manifest_error(fresh: Any, data: st.DataObject) -> None:
    text = dumps(valid()).encode()
    package, folder = fresh(damage(text, data))
    try:
        read_everything(package)
    except ManifestError as exc:
        assert exc.path == str(folder / MANIFEST_NAME)
        assert str(folder / MANIFEST_NAME) in str(exc) and "pip install --force-reinstall" in str(exc)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_damaged_module_record_is_an_import_error_never_a_crash(fresh: Any, data: st.DataObject) -> None:
    manifest = valid()
    package, folder = fresh(dumps(manifest).encode())
    text = json.dumps(record_of(manifest), indent=2).encode()
    how = data.draw(st.sampled_from(["bytes", "value"]))
    if how == "bytes":
        at = data.draw(st.integers(0, len(text) - 1))
        text = text[:at] + data.draw(st.binary(max_size=3)) + text[at + data.draw(st.integers(0, 3)) :]
    else:
        record = record_of(manifest)
        record[data.draw(st.sampled_from(sorted(record)))] = data.draw(json_values)
        text = json.dumps(record).encode()
    (folder / module_record("m2")).write_bytes(text)
    found = _records.in_tree(package, "m2")
    assert found is not None
    problem = _records.wheel_problem(found)
    assert problem is None or isinstance(problem, ImportError)
    if problem is not None and "cannot be read" in str(problem):
        assert str(folder / module_record("m2")) in str(problem)


def test_a_record_of_another_build_of_the_same_version_is_refused(fresh: Any) -> None:
    manifest = valid()
    package, folder = fresh(dumps(manifest).encode())
    record = record_of(manifest) | {"build": "b2"}
    (folder / module_record("m2")).write_text(json.dumps(record), encoding="utf-8")
    found = _records.in_tree(package, "m2")
    assert found is not None
    problem = _records.wheel_problem(found)
    assert type(problem).__name__ == "ModuleAbiError"
    assert "build b2" in str(problem) and "is build b1" in str(problem)
    (folder / module_record("m2")).write_text(json.dumps(record_of(manifest)), encoding="utf-8")
    assert _records.wheel_problem(found) is None


def test_a_missing_record_of_a_wheel_not_installed_says_install_it(fresh: Any) -> None:
    package, _ = fresh(dumps(valid()).encode())
    found = _records.in_tree(package, "m2")
    assert found is not None
    problem = _records.wheel_problem(found)
    assert type(problem).__name__ == "ModuleUnavailableError"
    assert 'pip install "acme[m2]"' in str(problem)


def test_a_missing_record_of_an_installed_wheel_says_the_install_is_broken(fresh: Any) -> None:
    package, folder = fresh(dumps(valid()).encode())
    info = folder.parent / "acme_m2-1.2.3.dist-info"  # the module wheel, installed beside the package
    info.mkdir()
    (info / "RECORD").write_text(f"{folder.name}/modules/m2/_module.json,,\n", encoding="utf-8")
    found = _records.in_tree(package, "m2")
    assert found is not None
    problem = _records.wheel_problem(found)
    assert type(problem).__name__ == "ModuleLoadError"
    assert "acme-m2, which is installed, but the _module.json it installs is missing" in str(problem)
    assert 'pip install --force-reinstall "acme[m2]==1.2.3"' in str(problem)
