"""Native functions by name, from the process-wide registry.

The core reaches an optional module's native code only through here: by name, with
allow-missing semantics. A module that was not built simply has no functions.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._build import NotBuiltError, info, manifest_path

__all__ = ["functions", "load", "lookup"]


def load(module: str) -> None:
    """Load the native libraries of ``module`` when it is built (its functions register);
    nothing when it is not."""
    try:
        entry = info()["modules"].get(module)
        base = manifest_path().parent
    except NotBuiltError:
        return
    if not entry or entry["state"] != "ON":
        return
    from . import _core

    for artifact in entry["native"]:
        # The module's library registers its functions when it loads; its Python
        # extension (_native) is not needed for that.
        if not Path(artifact).name.startswith("_native"):
            _core.load_library(str(base / artifact))


def lookup(name: str) -> Callable[..., Any] | None:
    """The native function registered as ``name`` (``"<module>.<function>"``), loading
    the module's library when the module is built; ``None`` when there is none."""
    from . import _core

    function: Callable[..., Any] | None = _core.lookup(name)
    if function is None and "." in name:
        load(name.partition(".")[0])
        function = _core.lookup(name)
    return function


def functions() -> list[str]:
    """The names registered so far (modules register when their library loads)."""
    from . import _core

    names: list[str] = _core.functions()
    return names
