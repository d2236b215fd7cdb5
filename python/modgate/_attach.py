"""Attaching a host package: what ``import <host>`` and ``is_built()`` run.

:func:`attach` puts the one meta-path finder first on ``sys.meta_path``, makes the
``<host>.modules`` package and hands back the host's functions (:class:`Attached`). ``is_built()`` is
answered from the manifest's index; everything else (the checks, the loaders, the
plugins, the native libraries) is :mod:`modgate._loader`'s, imported when a module is
first asked for. Every file on this path costs a fresh process about 0.1 ms to import,
and its size about as much again, so this one holds only what that path runs.
"""

import os
import sys
from _thread import allocate_lock

from ._manifest import built
from ._names import MODULES_PACKAGE, is_module_name

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any
else:  # importlib.machinery.ModuleSpec, without importing importlib (0.7 ms in a fresh process)
    ModuleSpec = type(sys.__spec__)

__all__ = ["Attached", "attach"]

_lock = allocate_lock()
_attached: "set[str]" = set()  # what the finder asks: attach() also made each one's <host>.modules
_INFIX = f".{MODULES_PACKAGE}."  # <host>.modules.<name>: made once, the finder runs on every import


class _Finder:
    """The one meta-path finder for ``<host>.modules.<name>`` of every attached host. Asked
    first about every import of the process, so anything else costs one partition.

    The import system calls ``find_spec`` holding its global lock, which every thread needs
    to start any import: an import here would wait for a module another thread is importing
    while that thread waits for the global lock. So ``find_spec`` imports nothing and
    decides nothing; :class:`_Gate` does both when the module is created, holding only
    that module's own lock, as a module's own import statements do."""

    def find_spec(
        self, fullname: str, path: "Sequence[str] | None" = None, target: "ModuleType | None" = None
    ) -> "ModuleSpec | None":
        package, sep, name = fullname.partition(_INFIX)
        if not sep or package not in _attached or "." in name:
            return None  # not a module of a host; or a submodule, which its parent package found
        return ModuleSpec(fullname, _Gate(self, path, target))  # type: ignore[arg-type]


class _Gate:
    """The loader the finder hands out: creating the module first runs the host's checks
    (:func:`modgate._loader.admit`), which raise the error that says why it cannot be
    imported, or make ``spec`` the module's own (its files, its loader)."""

    def __init__(self, finder: _Finder, path: "Sequence[str] | None", target: "ModuleType | None") -> None:
        self._finder = finder
        self._path = path
        self._target = target

    def create_module(self, spec: ModuleSpec) -> "ModuleType | None":
        from . import _loader

        try:
            return _loader.admit(self._finder, spec, self._path, self._target)
        except _loader.USER_ERRORS as error:  # the reason is the message: the loader's frames do not help
            raise error.with_traceback(None) from error.__cause__

    def exec_module(self, module: "ModuleType") -> None:
        """``importlib.reload()`` runs this alone, without create_module: the checks first."""
        from . import _loader

        spec = module.__spec__
        assert spec is not None  # set by the import system before it runs a loader
        try:
            loader = _loader.admit_spec(self._finder, spec, self._path, self._target)
        except _loader.USER_ERRORS as error:
            raise error.with_traceback(None) from error.__cause__
        # What the import system set from this gate's spec, now from the module's own.
        module.__loader__ = loader
        module.__package__ = spec.parent
        if spec.submodule_search_locations is not None:
            module.__path__ = spec.submodule_search_locations
        if spec.has_location:
            module.__file__ = spec.origin
            if spec.cached is not None:
                setattr(module, "__cached__", spec.cached)  # noqa: B010 - ModuleType does not declare it
        loader.exec_module(module)


_finder = _Finder()


class _ModulesPackage(type(sys)):  # type: ignore[misc]
    """``<package>.modules``: every module name read from it goes through the host, so a
    module turned off (``MODGATE_DISABLE``) after it was imported is refused too."""

    def __getattribute__(self, name: str) -> "Any":
        if name[:1] != "_" and is_module_name(name):
            from . import _loader

            owner = _loader.host(type(sys).__getattribute__(self, "_modgate_host"))
            try:
                return owner.require(name)
            except _loader.USER_ERRORS as error:  # the reason is the message: the loader's frames do not help
                raise error.with_traceback(None) from error.__cause__
        return type(sys).__getattribute__(self, name)

    def __dir__(self) -> "list[str]":
        from . import _loader

        owner = _loader.host(type(sys).__getattribute__(self, "_modgate_host"))
        names = {"__doc__", "__name__", "__path__", "__package__", "__spec__"}
        # Listing must never fail: a broken install still shows what is here.
        import contextlib

        with contextlib.suppress(Exception):
            names.update(owner.info()["modules"])
        return sorted(names)


def _modules_package(package: str) -> "ModuleType":
    """``<package>.modules``: made here, so a host ships no file for it."""
    parent = sys.modules[package]
    fullname = f"{package}.{MODULES_PACKAGE}"
    module = _ModulesPackage(fullname, f"Optional modules of {package}: {fullname}.<name>.")
    locations = [os.path.join(entry, MODULES_PACKAGE) for entry in getattr(parent, "__path__", ())]
    spec = ModuleSpec(fullname, None, is_package=True)
    spec.submodule_search_locations = locations
    module.__spec__ = spec
    module.__path__ = locations
    module.__package__ = fullname
    module._modgate_host = package
    return module


class _AfterInit:
    """``MODGATE_EAGER=1``: imports host ``package``'s modules once the host's
    ``__init__.py`` (the frame that called attach()) has run to its end, since its modules
    may import what it defines after attach(). A profile hook of this thread waits for that
    frame's return; a hook of another host still waiting is handed every event."""

    def __init__(self, package: str, frame: "Any", previous: "Any") -> None:
        self.package = package
        self.frame = frame
        self.previous = previous

    def __call__(self, frame: "Any", event: str, arg: object) -> None:
        if self.previous is not None:
            self.previous(frame, event, arg)
        if frame is self.frame and event == "return":
            sys.setprofile(self.previous)
            _eager(self.package)


def _eager(package: str) -> None:
    from . import _loader

    if _loader.flag("MODGATE_EAGER"):
        _loader.eager_host(package)


def _eager_after_init(package: str) -> None:
    previous = sys.getprofile()
    if previous is not None and not isinstance(previous, _AfterInit):
        _eager(package)  # a profiler has the hook: import now, before the rest of __init__
        return
    sys.setprofile(_AfterInit(package, sys._getframe(2), previous))


class Attached:
    """What :func:`attach` gives a host: its functions as attributes (``package``,
    ``is_built``, ``is_available``, ``require``, ``info``, ``provider``, and any a later
    modgate adds).
    It unpacks to exactly ``is_built, is_available, require, info``, in that order, now and
    in every later version: a function added later is an attribute only, so the host's
    ``__init__.py`` line keeps working."""

    __slots__ = ("info", "is_available", "is_built", "package", "provider", "require")

    def __init__(
        self,
        package: str,
        is_built: "Callable[[str], bool]",
        is_available: "Callable[[str], bool]",
        require: "Callable[[str], ModuleType]",
        info: "Callable[[], dict[str, Any]]",
        provider: "Callable[[str], ModuleType]",
    ) -> None:
        self.package = package
        self.is_built = is_built
        self.is_available = is_available
        self.require = require
        self.info = info
        self.provider = provider

    def __iter__(self) -> "Iterator[Callable[..., Any]]":
        return iter((self.is_built, self.is_available, self.require, self.info))

    def __repr__(self) -> str:
        return f"<modgate host {self.package!r}>"


def attach(package: str) -> Attached:
    """Make ``package`` a modgate host: ``<package>.modules.<name>`` for its modules, and
    its ``is_built``, ``is_available``, ``require`` and ``info`` (:class:`Attached`). Call it
    from the host's ``__init__.py``::

        from modgate import attach
        is_built, is_available, require, info = attach(__name__)

    Cheap: reads nothing until a module is asked for."""
    with _lock:
        _attached.add(package)
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)
    fullname = f"{package}.{MODULES_PACKAGE}"
    if fullname not in sys.modules:
        module = _modules_package(package)
        sys.modules[fullname] = module
        setattr(sys.modules[package], MODULES_PACKAGE, module)

    def is_built(name: str) -> bool:
        """Whether module ``name`` was built (in-tree: its option was ON; a plugin's:
        installed and built ON). False for a name no build knows."""
        found = built(package, name)
        if found is not None:
            return found
        from . import _loader  # a plugin's module, perhaps: not on the path of `import <host>`

        return _loader.host(package).is_built(name)

    def is_available(name: str) -> bool:
        """Whether module ``name`` can be imported now: built, not disabled by
        ``MODGATE_DISABLE``, its required modules available and its Python requirements
        installed. Imports nothing: a module that is available but broken raises
        ModuleLoadError when imported."""
        from . import _loader

        return _loader.host(package).is_available(name)

    def require(name: str) -> "ModuleType":
        """``<package>.modules.<name>``, imported if needed; raises the error that says why not."""
        from . import _loader

        return _loader.host(package).require(name)

    def info() -> "dict[str, Any]":
        """The build manifest plus, per module, ``origin``, ``shipped_in``, ``distribution``,
        ``version``, ``installed``, ``wheel_problem``, ``owners`` and ``disabled_at_import``;
        plugins' modules are listed too. A copy: change it freely."""
        from . import _loader

        return _loader.host(package).info()

    def provider(capability: str) -> "ModuleType":
        """The Python package of ``capability``'s provider this process uses: under policy
        ``any`` the best one installed, chosen on first use (``MODGATE_PREFER``, the host's
        ``prefer``, each provider's ``priority`` and probe); else the one built. Raises the
        error saying why there is none."""
        from . import _loader

        return _loader.host(package).provider_module(capability)

    for function in (is_built, is_available, require, info, provider):
        function.__qualname__ = f"{package}.{function.__name__}"
    if os.environ.get("MODGATE_EAGER", "").strip():
        _eager_after_init(package)
    return Attached(package, is_built, is_available, require, info, provider)
