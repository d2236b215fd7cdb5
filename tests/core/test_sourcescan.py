"""Include and import scanning: native through the registry when built, else the fallback."""

from __future__ import annotations

from pathlib import Path

from modgate import _sourcescan as sourcescan

ROOT = Path(__file__).resolve().parents[2]

CPP = """#include <vector>
  #  include "local.h" // comment
/* #include <not_this> */
const char* s = "#include <nor_this>";
#define MACRO(x) \\
  #include <continued>
#include_next <next>
auto raw = R"d(
#include <in_raw_string>
)d";
#include MACRO_INCLUDE
#include <last>
"""

PY = '''import os, sys as system
from . import sibling
from ..pkg.sub import (a,
    b as c)
"""
import not_this
"""
if True: import inline_module
x = 1; import after_semicolon  # import not_comment
from .import dotted_import
from modgate.modules import something
from star import *
'''


def test_includes() -> None:
    assert sourcescan.includes(CPP) == [
        (1, "vector", True),
        (2, "local.h", False),
        (7, "next", True),
        (12, "last", True),
    ]
    assert sourcescan.includes(CPP) == sourcescan.includes_py(CPP)


def test_imports() -> None:
    assert sourcescan.imports(PY) == [
        (1, "os", ""),
        (1, "sys", ""),
        (2, ".", "sibling"),
        (3, "..pkg.sub", "a"),
        (3, "..pkg.sub", "b"),
        (8, "inline_module", ""),
        (9, "after_semicolon", ""),
        (10, ".", "dotted_import"),
        (11, "modgate.modules", "something"),
        (12, "star", "*"),
    ]
    assert sourcescan.imports(PY) == sourcescan.imports_py(PY)


def test_whatever_implementation_runs_agrees_with_the_fallback_on_real_sources() -> None:
    files = sorted(p for p in (ROOT / "src").rglob("*") if p.suffix in (".cc", ".h"))
    files += sorted((ROOT / "include").rglob("*.h")) + sorted((ROOT / "python" / "modgate").glob("*.py"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            assert sourcescan.imports(text) == sourcescan.imports_py(text), path
        else:
            assert sourcescan.includes(text) == sourcescan.includes_py(text), path
