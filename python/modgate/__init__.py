"""modgate: build-time and import-time toggles for optional modules.

``import modgate`` is cheap: it imports no optional module and reads nothing until
asked. :func:`info` reads the build manifest written by the build.
"""

from __future__ import annotations

from typing import Any

from ._build import info, manifest_path

__all__ = ["__version__", "info", "manifest_path"]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return str(info()["version"])
    raise AttributeError(f"module 'modgate' has no attribute {name!r}")
