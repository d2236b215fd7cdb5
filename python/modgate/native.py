"""Native functions by name, from the process-wide registry.

The core reaches an optional module's native code only through here: by name, with
allow-missing semantics. A module that was not built, or that ``MODGATE_DISABLE`` turns
off (itself or a module it requires), simply has no functions. Each host has its own
namespace in the registry: ``lookup("scan.includes")`` is modgate's module ``scan``;
``lookup("acme:scan.includes")`` is host ``acme``'s.

A repeated :func:`lookup` of a found name costs about a dictionary lookup: the answer is
kept, together with the ``MODGATE_DISABLE`` value it was decided under, and decided
again when that value changes.
"""

import os

from ._names import DISABLE_VARIABLE
from .exceptions import NotBuiltError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["functions", "load", "lookup"]

_DEFAULT_HOST = "modgate"

_found: "dict[str, tuple[object, Callable[..., Any]]]" = {}


def _split(name: str) -> "tuple[str, str]":
    host, colon, rest = name.rpartition(":")
    if not colon:
        return _DEFAULT_HOST, name
    import importlib

    importlib.import_module(host)  # the host package attaches itself
    return host, rest


def load(module: str) -> None:
    """Load the native libraries of ``module`` (``name`` or ``host:name``; in-tree or a
    plugin's) when it is built and usable, so its functions register; nothing when it is
    not. A library that fails to load raises :class:`modgate.ModuleLoadError`."""
    from . import _loader

    host, name = _split(module)
    try:
        _loader.host(host).load(name)
    except NotBuiltError:
        return


def lookup(name: str) -> "Callable[..., Any] | None":
    """The native function registered as ``name`` (``"<module>.<function>"``, or
    ``"<host>:<module>.<function>"`` for another host's), loading the module's library when
    the module is built; ``None`` when there is none, or when ``MODGATE_DISABLE`` turns the
    module (or a module it requires) off. A library that fails to load raises
    :class:`modgate.ModuleLoadError`, as ``import`` does."""
    hit = _found.get(name)
    switches = os.environ.get(DISABLE_VARIABLE)
    if hit is not None and hit[0] == switches:
        return hit[1]
    from . import _loader

    host, rest = _split(name)
    function = _loader.host(host).lookup(rest)
    if function is not None:
        _found[name] = (switches, function)
    return function


def functions() -> "list[str]":
    """The names registered so far, each as ``<host>:<module>.<function>`` (modules register
    when their library loads)."""
    from . import _core

    names: list[str] = _core.functions()
    return names
