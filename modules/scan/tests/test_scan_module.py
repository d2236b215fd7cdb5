"""The scan module: its Python API, its registry functions, and agreement with the
core's pure-Python fallback on random input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modgate import _sourcescan as sourcescan
from modgate.native import lookup


def test_python_api() -> None:
    from modgate.modules import scan

    assert scan.includes('#include <a/b.h>\n#include "c.h"\n') == [(1, "a/b.h", True), (2, "c.h", False)]
    assert scan.imports("from x.y import z as w\n") == [(1, "x.y", "z")]


def test_scan_file(tmp_path: Path) -> None:
    from modgate.modules import scan

    (tmp_path / "a.py").write_text("import os\n")
    (tmp_path / "a.cc").write_text("#include <os>\n")
    assert scan.scan_file(tmp_path / "a.py") == [(1, "os", "")]
    assert scan.scan_file(tmp_path / "a.cc") == [(1, "os", True)]


def test_registry_functions_are_the_same_scanner() -> None:
    includes = lookup("scan.includes")
    imports = lookup("scan.imports")
    assert includes is not None and imports is not None
    assert includes("#include <x>\n") == [[1, "x", True]]
    assert imports("import a.b\n") == [[1, "a.b", ""]]


def test_registry_calls_check_their_arguments_with_type_errors() -> None:
    includes = lookup("scan.includes")
    assert includes is not None
    cases = [((42,), "argument 1: expected string, got int"), ((), "expected 1 argument(s), got 0")]
    cases += [(("a", "b"), "expected 1 argument(s), got 2"), ((object(),), "cannot pass a object")]
    for args, message in cases:
        with pytest.raises(TypeError, match=re.escape(message)) as caught:
            includes(*args)
        assert "scan.includes" in str(caught.value) or "cannot pass" in message
    with pytest.raises(TypeError, match="positional arguments only"):
        includes(source="#include <x>\n")
    with pytest.raises(TypeError):
        type(includes)()  # only lookup() makes them


def test_core_uses_the_native_scanner_by_name() -> None:
    assert lookup("scan.includes") is not None  # so sourcescan.includes goes native
    assert sourcescan.includes("#include <x>\n") == [(1, "x", True)]


ALPHABET = st.sampled_from(
    [
        "#",
        "include",
        "import",
        "from",
        " ",
        "\t",
        "\n",
        "<",
        ">",
        '"',
        "'",
        "/",
        "*",
        "\\",
        "(",
        ")",
        "R",
        "d",
        "a",
        "b",
        ".",
        ",",
        ";",
        ":",
        "if",
        "as",
        "[",
        "]",
        "{",
        "}",
        "é",
        "x_1",
        '"""',
        "'''",
        "u8R",
        "*/",
        "/*",
    ]
)
SOURCE = st.lists(ALPHABET, max_size=60).map("".join)


@settings(max_examples=1500, deadline=None)
@given(SOURCE)
def test_native_includes_agree_with_the_fallback(text: str) -> None:
    native = lookup("scan.includes")
    assert native is not None
    assert [tuple(x) for x in native(text)] == sourcescan.includes_py(text)


@settings(max_examples=1500, deadline=None)
@given(SOURCE)
def test_native_imports_agree_with_the_fallback(text: str) -> None:
    native = lookup("scan.imports")
    assert native is not None
    assert [tuple(x) for x in native(text)] == sourcescan.imports_py(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_agreement_on_arbitrary_unicode(text: str) -> None:
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)
    assert [tuple(x) for x in lookup("scan.includes")(text)] == sourcescan.includes_py(text)  # type: ignore[misc]
    assert [tuple(x) for x in lookup("scan.imports")(text)] == sourcescan.imports_py(text)  # type: ignore[misc]
