"""modgate: build-time and import-time toggles for the optional modules of a host package.

modgate is itself the first host: its optional modules are ``modgate.modules.<name>``;
see :func:`require`, :func:`is_built`, :func:`is_available` and :func:`info`. Any other
package becomes a host with :func:`attach` (``acme.modules.<name>``, ``acme.require``...).

``import modgate`` is cheap: it reads the build manifest only when first asked, imports
no optional module and never scans entry points.
"""

from ._attach import Attached, attach
from ._manifest import manifest_path, summary

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

    from .exceptions import (
        ManifestError,
        ModgateError,
        ModuleAbiError,
        ModuleClashError,
        ModuleDeprecationWarning,
        ModuleDisabledError,
        ModuleLoadError,
        ModuleLoadWarning,
        ModuleUnavailableError,
        NotBuiltError,
        UnknownModuleError,
    )

__all__ = [
    "Attached",
    "ManifestError",
    "ModgateError",
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
    "attach",
    "info",
    "is_available",
    "is_built",
    "manifest_path",
    "require",
]

_EXCEPTIONS = frozenset(n for n in __all__ if n.endswith(("Error", "Warning")))

# modgate's own modules, exactly as any host wires its own.
is_built, is_available, require, info = attach(__name__)


def __getattr__(name: str) -> "Any":
    # The exception classes are imported when first named: every module imported on the
    # path of `import <host>` costs a fresh process about 0.2 ms.
    if name in _EXCEPTIONS:
        from . import exceptions

        return getattr(exceptions, name)
    if name == "__version__":
        return str(summary(__name__)["version"])
    if name == "native":
        import importlib

        return importlib.import_module(".native", __name__)
    raise AttributeError(f"module 'modgate' has no attribute {name!r}")
