"""Native functions by name, from the process-wide registry.

The core reaches an optional module's native code only through here: by name, with
allow-missing semantics. A module that was not built simply has no functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._build import NotBuiltError

__all__ = ["functions", "load", "lookup"]


def load(module: str) -> None:
    """Load the native libraries of ``module`` (in-tree or out-of-tree) when it is built,
    so its functions register; nothing when it is not."""
    from . import _loader

    try:
        libraries = _loader.native_libraries(module)
    except NotBuiltError:
        return
    if not libraries:
        return
    from . import _core

    for library in libraries:
        _core.load_library(library)


def lookup(name: str) -> Callable[..., Any] | None:
    """The native function registered as ``name`` (``"<module>.<function>"``), loading
    the module's library when the module is built; ``None`` when there is none."""
    from . import _core, _loader

    if name.partition(".")[0] in _loader.disabled_names():
        return None  # MODGATE_DISABLE turns the module off for the core's lookups too
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
