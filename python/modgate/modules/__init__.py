"""Optional modules: ``modgate.modules.<name>``, one folder each under ``modules/``.

Only modules enabled at build time are installed here. Importing one, by ``import``,
``from modgate.modules import <name>`` or attribute access, goes through the loader
(``modgate._loader``), which raises the error that says why a module cannot be used.
"""

from __future__ import annotations

import contextlib
from types import ModuleType

from .. import _loader

_loader.install()


def __getattr__(name: str) -> ModuleType:
    if name.startswith("_"):
        raise AttributeError(f"module 'modgate.modules' has no attribute {name!r}")
    return _loader.require(name)


def __dir__() -> list[str]:
    names = set(globals())
    # Listing must never fail: a broken install still shows what is here.
    with contextlib.suppress(Exception):
        names.update(_loader.info()["modules"])
    return sorted(names)
