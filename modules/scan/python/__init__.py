"""scan: native scanner of ``#include`` lines and Python imports.

>>> from modgate.modules import scan
>>> scan.includes('#include <vector>\\n')
[(1, 'vector', True)]
"""

from __future__ import annotations

from pathlib import Path

from ._native import imports, includes

__all__ = ["imports", "includes", "scan_file"]


def scan_file(path: str | Path) -> list[tuple[int, str, bool]] | list[tuple[int, str, str]]:
    """Includes of a C/C++ file, or imports of a ``.py`` file."""
    file = Path(path)
    text = file.read_text(encoding="utf-8", errors="replace")
    if file.suffix in (".py", ".pyi"):
        return imports(text)
    return includes(text)
