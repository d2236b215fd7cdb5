"""modgate: build-time and import-time toggles for optional modules.

``import modgate`` is cheap: it reads the build manifest only when first asked, imports
no optional module and never scans entry points. Optional modules are
``modgate.modules.<name>``; see :func:`require`, :func:`is_built`, :func:`is_available`
and :func:`info`.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

from ._build import NotBuiltError, manifest, manifest_path
from .exceptions import (
    ModuleAbiError,
    ModuleClashError,
    ModuleDeprecationWarning,
    ModuleDisabledError,
    ModuleLoadError,
    ModuleLoadWarning,
    ModuleUnavailableError,
    UnknownModuleError,
)

__all__ = [
    "ModuleAbiError",
    "ModuleClashError",
    "ModuleDeprecationWarning",
    "ModuleDisabledError",
    "ModuleLoadError",
    "ModuleLoadWarning",
    "ModuleUnavailableError",
    "NotBuiltError",
    "UnknownModuleError",
    "__version__",
    "info",
    "is_available",
    "is_built",
    "manifest_path",
    "require",
]


def is_built(name: str) -> bool:
    """Whether module ``name`` was built (its ``USE_MODULE_<NAME>`` resolved ON), or is an
    installed out-of-tree module built ON. ``False`` for a name no build knows."""
    # In-tree names are answered here without importing the loader (the import-time budget).
    entry = manifest()["modules"].get(name)
    if entry is not None:
        return bool(entry["state"] == "ON")
    from . import _loader

    return _loader.is_built(name)


def is_available(name: str) -> bool:
    """Whether ``modgate.modules.<name>`` can be imported now: built, not turned off by
    ``MODGATE_DISABLE``, the modules it requires available, its Python requirements
    installed. Imports nothing; a broken module still raises :class:`ModuleLoadError`
    when it is imported."""
    from . import _loader

    return _loader.is_available(name)


def require(name: str) -> ModuleType:
    """``modgate.modules.<name>``, imported on first use. Raises
    :class:`ModuleDisabledError`, :class:`ModuleUnavailableError`,
    :class:`ModuleLoadError` or :class:`UnknownModuleError`, each saying what to do."""
    from . import _loader

    return _loader.require(name)


def info() -> dict[str, Any]:
    """What the build decided, plus what this process sees: ``version``, ``abi_version``,
    ``options`` and ``modules``; per module its ``state`` (ON/OFF at build time),
    ``reason``, ``stage``, ``summary``, ``requires``, ``conflicts``, ``maintainers`` and
    ``owners``, ``python_requires``, ``native`` artifacts, ``deprecated``, ``source``,
    ``origin`` (``in-tree`` or ``out-of-tree``), ``distribution``, ``version`` and
    ``disabled_at_import``. Lists installed out-of-tree modules too. A copy."""
    from . import _loader

    return _loader.info()


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return str(manifest()["version"])
    if name == "modules":
        import importlib

        return importlib.import_module(".modules", __name__)
    raise AttributeError(f"module 'modgate' has no attribute {name!r}")


if os.environ.get("MODGATE_EAGER", "").strip():
    from . import _loader as _eager_loader

    if _eager_loader._flag("MODGATE_EAGER"):
        try:
            manifest()
        except NotBuiltError:
            pass  # a source tree (the build itself imports the resolver from here)
        else:
            _eager_loader.eager()
