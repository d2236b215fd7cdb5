"""The xref module, built on scan's C++ API (it declares requires = ["scan"])."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import modgate._core as core
from modgate.native import lookup


def tree(root: Path) -> Path:
    files = {
        "alpha/src/a.cc": (
            '#include <modgate/beta/api.h>\n#include <modgate/registry.h>\n#include "modgate/gamma/x.h"\n'
        ),
        "alpha/python/__init__.py": "from modgate.modules import beta\nimport modgate.modules.delta.sub as d\n",
        "beta/src/b.cc": "// #include <modgate/alpha/a.h>\n",
        "beta/.hidden/c.cc": "#include <modgate/alpha/a.h>\n",
        "gamma/notes.txt": "#include <modgate/alpha/a.h>\n",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_references(tmp_path: Path) -> None:
    from modgate.modules import xref

    refs = xref.references(str(tree(tmp_path)))
    assert refs == [
        ("alpha/python/__init__.py", 1, "beta", "import"),
        ("alpha/python/__init__.py", 2, "delta", "import"),
        ("alpha/src/a.cc", 1, "beta", "include"),
        ("alpha/src/a.cc", 3, "gamma", "include"),
    ]


def test_module_graph(tmp_path: Path) -> None:
    from modgate.modules import xref

    assert xref.module_graph(tree(tmp_path)) == {"alpha": {"beta", "gamma", "delta"}, "beta": set(), "gamma": set()}


def test_module_of() -> None:
    from modgate.modules import xref

    assert xref.module_of_include("modgate/scan/scanner.h") == "scan"
    assert xref.module_of_include("modgate/registry.h") == ""
    assert xref.module_of_import("modgate.modules", "graph") == "graph"
    assert xref.module_of_import("modgate.modules.graph.sub") == "graph"
    assert xref.module_of_import("modgate") == ""


def test_registry_function(tmp_path: Path) -> None:
    function = lookup("xref.references")
    assert function is not None
    assert function(str(tree(tmp_path)))[0] == ["alpha/python/__init__.py", 1, "beta", "import"]


def test_all_extensions_in_one_process_share_one_registry() -> None:
    from modgate.modules import scan, xref

    addresses = {core._registry_address(), scan._native._registry_address(), xref._native._registry_address()}
    assert len(addresses) == 1
    # A function registered by one module's library is callable through another's view.
    assert set(core.functions()) >= {"modgate:scan.includes", "modgate:scan.imports", "modgate:xref.references"}
    assert xref._native.MODGATE_ABI_VERSION == scan._native.MODGATE_ABI_VERSION == core.abi_version()


def test_turning_scan_off_at_import_time_turns_off_xref_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    import modgate

    assert lookup("xref.references") is not None
    monkeypatch.setenv("MODGATE_DISABLE", "scan")
    # Found a moment ago, refused now: a lookup answers what import answers.
    assert lookup("xref.references") is None and lookup("scan.includes") is None
    assert not modgate.is_available("xref")
    view = modgate.info()["modules"]["xref"]
    assert view["disabled_at_import"] and view["disabled_by"] == "scan"
    listing = subprocess.run(
        [sys.executable, "-m", "modgate", "list"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    (row,) = [line for line in listing if line.startswith("xref ")]
    assert row.split()[1] == "OFF" and "turning off scan, which it requires" in row
    monkeypatch.setenv("MODGATE_DISABLE", "graph")
    assert lookup("xref.references") is not None
