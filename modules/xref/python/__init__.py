"""xref: which module's files include or import which other modules.

Built on the ``scan`` module's C++ scanner (it ``requires = ["scan"]``).
"""

from __future__ import annotations

from pathlib import Path

from ._native import module_of_import, module_of_include, references

__all__ = ["module_graph", "module_of_import", "module_of_include", "references"]


def module_graph(modules_root: str | Path) -> dict[str, set[str]]:
    """For each folder under ``modules_root``, the other modules its files refer to."""
    graph: dict[str, set[str]] = {}
    root = Path(modules_root)
    for child in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        graph[child.name] = set()
    for file, _line, module, _kind in references(str(root)):
        owner = file.split("/", 1)[0]
        if owner in graph and module != owner:
            graph[owner].add(module)
    return graph
