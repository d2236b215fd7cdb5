"""modgate's exceptions: one base class, :class:`ModgateError`, for every one of them.

What ``<package>.modules.<name>`` raises when a module cannot be used is one type per
cause; each is also an :class:`ImportError`, so ``except ImportError`` code keeps working;
the type tells *why*, and the message says what to do. A leaf: it imports nothing of
modgate's, so the configure step uses it too.
"""

from _thread import allocate_lock as _allocate_lock

__all__ = [
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
    "deprecation_message",
]


class ModgateError(Exception):
    """The base class of every error modgate raises."""


class NotBuiltError(ModgateError, RuntimeError):
    """A host package is imported from a tree that was never built, so there is no manifest."""


class ManifestError(ModgateError, ValueError):
    """A file the build generated and the loader reads (a host's ``_manifest.json``, a
    module wheel's ``_module.json``) is damaged: cut short, edited or overwritten. ``path``
    names it; the message says which distribution to reinstall."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class _ModuleErrorMixin(ModgateError):
    module: str  # the module's short name, e.g. "graph"


class ModuleDisabledError(_ModuleErrorMixin, ModuleNotFoundError):
    """The module was turned off when modgate was built (``USE_MODULE_<NAME>``) or at
    import time (``MODGATE_DISABLE``). ``at_import`` tells which."""

    def __init__(self, message: str, *, module: str, fullname: str, reason: str, at_import: bool) -> None:
        super().__init__(message, name=fullname)
        self.module = module
        self.reason = reason
        self.at_import = at_import


class ModuleUnavailableError(_ModuleErrorMixin, ImportError):
    """The module is built, but a Python requirement of it is missing or too old."""

    def __init__(self, message: str, *, module: str, fullname: str, requirement: str) -> None:
        super().__init__(message, name=fullname)
        self.module = module
        self.requirement = requirement


class ModuleLoadError(_ModuleErrorMixin, ImportError):
    """The module is built and enabled, but importing it failed: a bug or a broken
    install, never a missing module. The original exception is ``__cause__``."""

    def __init__(self, message: str, *, module: str, fullname: str) -> None:
        super().__init__(message, name=fullname)
        self.module = module


class ModuleAbiError(ModuleLoadError):
    """An out-of-tree native module was built against another runtime ABI version."""


class UnknownModuleError(_ModuleErrorMixin, ModuleNotFoundError):
    """No module of that name: not in the build manifest, and no installed distribution
    provides it. ``known`` lists the names there are, nearest first."""

    def __init__(self, message: str, *, module: str, fullname: str, known: list[str]) -> None:
        super().__init__(message, name=fullname)
        self.module = module
        self.known = known


class ModuleClashError(_ModuleErrorMixin, ImportError):
    """Two sources define one module name (in-tree and an installed distribution, or two
    distributions)."""

    def __init__(self, message: str, *, module: str, sources: list[str]) -> None:
        super().__init__(message)
        self.module = module
        self.sources = sources


class ModuleDeprecationWarning(FutureWarning):
    """A deprecated module was imported. A :class:`FutureWarning`, so users see it by
    default (a plain DeprecationWarning is hidden outside ``__main__``)."""


class ModuleLoadWarning(RuntimeWarning):
    """``MODGATE_EAGER=1`` found a module that fails to load (without ``MODGATE_STRICT``),
    or a ``MODGATE_*`` environment variable has a value modgate does not understand."""


def deprecation_message(name: str, *, since: str, reason: str, removal: str | None, replacement: str | None) -> str:
    """How a deprecation reads, the same at configure time and on import."""
    text = f"module {name!r} is deprecated since {since}"
    if removal:
        text += f" and will be removed in {removal}"
    text += f": {reason}"
    if replacement:
        text += f"; use {replacement} instead"
    return text


_warned: set[str] = set()  # what _warn_once said: once per process
_warned_lock = _allocate_lock()  # guards _warned only: never held across an import or a call out


def _warn_once(key: str, message: str, category: type[Warning], stacklevel: int = 3) -> None:
    """``warnings.warn`` the first time ``key`` is seen in this process (the loader's and
    the run-time provider choice's warnings)."""
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    import warnings

    warnings.warn(message, category, stacklevel=stacklevel)
