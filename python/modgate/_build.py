"""What the build decided, read from the installed build manifest."""

from __future__ import annotations

import copy
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from .manifest import MANIFEST_NAME, load

__all__ = ["NotBuiltError", "info", "manifest_path"]


class NotBuiltError(RuntimeError):
    """modgate is imported from a tree that was never built, so there is no manifest."""


def manifest_path() -> Path:
    """Where the build manifest of the imported modgate is."""
    package = sys.modules[__package__ or "modgate"]
    # Every entry of __path__: an editable install spreads the package over the
    # source tree and the build's install tree.
    for entry in getattr(package, "__path__", ()):
        candidate = Path(entry) / MANIFEST_NAME
        if candidate.is_file():
            return candidate
    locations = ", ".join(str(p) for p in getattr(package, "__path__", ())) or "?"
    raise NotBuiltError(
        f"modgate has no build manifest ({MANIFEST_NAME} not found in {locations}): it is imported from a"
        " source tree that was not built. Install it with `pip install .` (or build with CMake and run"
        " `cmake --install`)"
    )


@lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    return load(manifest_path())


def info() -> dict[str, Any]:
    """The build manifest: ``version``, ``abi_version``, ``options`` (what the build was
    given) and ``modules``, per module its ``state`` (ON/OFF), ``reason``, ``stage``,
    ``summary``, ``requires``, ``conflicts``, ``maintainers``, ``python_requires``,
    ``native`` artifacts, ``deprecated`` and ``origin``. A copy: change it freely."""
    return copy.deepcopy(_load())
