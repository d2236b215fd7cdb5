"""Native functions by name, from the process-wide registry.

The core reaches an optional module's native code only through here: by name, with
allow-missing semantics. A module that was not built simply has no functions. Each host
has its own namespace in the registry: ``lookup("scan.includes")`` is modgate's module
``scan``; ``lookup("acme:scan.includes")`` is host ``acme``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._manifest import NotBuiltError

__all__ = ["functions", "load", "lookup"]

_DEFAULT_HOST = "modgate"


def _split(name: str) -> tuple[str, str]:
    host, colon, rest = name.rpartition(":")
    if not colon:
        return _DEFAULT_HOST, name
    import importlib

    importlib.import_module(host)  # the host package attaches itself
    return host, rest


def load(module: str) -> None:
    """Load the native libraries of ``module`` (``name`` or ``host:name``; in-tree or a
    plugin's) when it is built, so its functions register; nothing when it is not."""
    from . import _loader

    host, name = _split(module)
    try:
        _loader.host(host).load(name)
    except NotBuiltError:
        return


def lookup(name: str) -> Callable[..., Any] | None:
    """The native function registered as ``name`` (``"<module>.<function>"``, or
    ``"<host>:<module>.<function>"`` for another host's), loading the module's library when
    the module is built; ``None`` when there is none."""
    from . import _loader

    host, rest = _split(name)
    return _loader.host(host).lookup(rest)


def functions() -> list[str]:
    """The names registered so far, each as ``<host>:<module>.<function>`` (modules register
    when their library loads)."""
    from . import _core

    names: list[str] = _core.functions()
    return names
