"""modgate: build-time and import-time toggles for the optional modules of a host package.

modgate is itself the first host: its optional modules are ``modgate.modules.<name>``;
see :func:`require`, :func:`is_built`, :func:`is_available` and :func:`info`. Any other
package becomes a host with :func:`attach` (``acme.modules.<name>``, ``acme.require``...).

This file is all of modgate that ``import <host>`` and ``is_built()`` run: :func:`attach`
puts the one meta-path finder first on ``sys.meta_path``, makes ``<host>.modules`` and
hands back the host's functions (:class:`Attached`); ``is_built()`` reads the index on the
manifest's second line (:class:`_Index`, no JSON parsed). Everything else (the checks, the
loaders, the plugins, the native libraries, the manifest's entries, the exceptions) is
imported when first needed, from :mod:`modgate._loader` and :mod:`modgate._manifest`,
which read the index through :func:`_index_of`. A second file on this path would cost a
fresh process about 0.2 ms (finding it lists this folder), so this one imports only
``os``, ``sys`` and ``_thread``.
"""

import os
import sys
from _thread import allocate_lock

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any

    from ._manifest import manifest_path
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
else:  # importlib.machinery.ModuleSpec, without importing importlib (0.7 ms in a fresh process)
    ModuleSpec = type(sys.__spec__)

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

# The names this file reads: modgate._names' MANIFEST_NAME, MODULES_PACKAGE and
# MODULE_RECORD_NAME, which the configure steps read without running this file. This file
# imports no other of modgate, so `import <host>` reads one file of modgate (a second costs
# a fresh process about 0.2 ms); tests/unit/test_layout.py holds the two copies equal.
_MANIFEST_NAME = "_manifest.json"
_MODULES_PACKAGE = "modules"
_MODULE_RECORD_NAME = "_module.json"


def _manifest_file(package: str = "modgate") -> str:
    """Where the build manifest of the imported host ``package`` is (a plain string)."""
    module = sys.modules[package]
    # Every entry of __path__: an editable install spreads the package over the
    # source tree and the build's install tree.
    entries = list(getattr(module, "__path__", ()))
    for entry in entries:
        candidate = os.path.join(entry, _MANIFEST_NAME)
        if os.path.isfile(candidate):
            return candidate
    from .exceptions import NotBuiltError

    raise NotBuiltError(
        f"{package} has no build manifest ({_MANIFEST_NAME} not found in {', '.join(entries) or '?'}): it is"
        " imported from a source tree that was not built. Install it with `pip install .` (or build with"
        " CMake, run `cmake --install build --prefix <prefix>` and put <prefix> on PYTHONPATH)"
    )


class _Index:
    """A manifest's first lines, read without a JSON parser (the layout is
    :mod:`modgate._configure.manifest`'s): ``built`` maps each module to ``None`` (OFF),
    ``""`` (ON, in the core) or the distribution of its own wheel. ``built`` is ``None``
    when the file is not of that layout or ``damage`` says why its index cannot be read:
    :mod:`modgate._manifest` then reads the whole file, or raises the error. The entries'
    ``offsets`` are :mod:`modgate._manifest`'s to split and check."""

    __slots__ = ("base", "built", "damage", "first", "offsets", "path", "reader", "wheels_seen")

    def __init__(self, path: str) -> None:
        self.path = path
        self.built: dict[str, str | None] | None = None
        self.offsets = b""  # the entries' offsets after ``base``, in ``built``'s order
        self.damage: str | None = None
        self.wheels_seen: set[str] = set()  # module wheels whose record was found installed
        self.reader: object = None  # modgate._manifest's reader of the rest of the file
        with open(path, "rb") as handle:
            lines = [handle.readline() for _ in range(4)]
        self.first = lines[0]  # the top-level keys but "modules", "index" and "order"
        self.base = -1  # where the entries start
        line = lines[1]
        if not (line.startswith(b'"index": "') and line.endswith(b'",\n') and lines[3] == b'"modules": {\n'):
            return
        if not line.isascii():
            self.damage = "it is not ASCII text"
            return
        parts = line[10:-3].split(b";")
        if len(parts) != 4:
            self.damage = f"{len(parts)} fields, not 4"
            return
        names = parts[0].split()
        states = parts[1]
        if len(states) != len(names) or states.strip(b"01"):
            self.damage = f"{len(names)} module names but states {states[:40].decode()!r}"
            return
        try:
            built = dict(zip(map(bytes.decode, names), map(_STATES.__getitem__, states), strict=True))
            wheels = dict(w.decode().split("=", 1) for w in parts[3].split()) if parts[3] else {}
        except ValueError as exc:  # a wheel without its "=": the element has length 1
            self.damage = f"wheels {parts[3][:40].decode()!r} are not name=distribution pairs ({exc})"
            return
        for name, wheel in wheels.items():
            if name not in built:
                self.damage = f"wheels {parts[3][:40].decode()!r} name modules the index does not list"
                return
            if built[name] is not None:
                built[name] = wheel
        self.built = built
        self.offsets = parts[2]
        self.base = sum(map(len, lines))


_STATES = {48: None, 49: ""}  # an index's state byte, b"0" or b"1": OFF, or ON in the core


_INDEXES: "dict[str, _Index]" = {}


def _index_of(package: str) -> _Index:
    """Host ``package``'s :class:`_Index`, read once per process."""
    found = _INDEXES.get(package)
    if found is None:
        # Two threads may both read it the first time; both get equal data.
        found = _INDEXES[package] = _Index(_manifest_file(package))
    return found


def _record_path(folder: str, name: str) -> str:
    """Where module ``name``'s wheel installs its record, in the host's package ``folder``
    (``modgate._names.module_record``'s path)."""
    return os.path.join(folder, _MODULES_PACKAGE, name, _MODULE_RECORD_NAME)


def _built(package: str, name: str) -> "bool | None":
    """Whether host ``package``'s build built module ``name``, and, for a module shipped in
    a wheel of its own, whether that wheel is installed (one stat of the record it
    installs beside the manifest; what it holds is read when the module is imported).
    ``None`` for a name the build does not know (a plugin's module, perhaps), or when the
    index cannot answer (:class:`_Index`)."""
    found = _INDEXES.get(package) or _index_of(package)
    if found.built is None:
        return None
    wheel = found.built.get(name, False)
    if wheel is None or wheel is False:
        return None if wheel is False else False
    if not wheel or name in found.wheels_seen:
        return True  # ON, in the core; or its wheel's record was seen
    if os.path.isfile(_record_path(os.path.dirname(found.path), name)):
        found.wheels_seen.add(name)
        return True
    return False


_lock = allocate_lock()
_attached: "set[str]" = set()  # what the finder asks: attach() also made each one's <host>.modules
_INFIX = f".{_MODULES_PACKAGE}."  # <host>.modules.<name>: made once, the finder runs on every import


class _Finder:
    """The one meta-path finder, and loader, of ``<host>.modules.<name>`` for every attached
    host. Asked first about every import of the process, so anything else costs one
    partition.

    The import system calls ``find_spec`` holding its global lock, which every thread needs
    to start any import: an import here would wait for a module another thread is importing
    while that thread waits for the global lock. So ``find_spec`` imports nothing and
    decides nothing; ``create_module`` does both (:func:`modgate._loader.admit`), holding
    only that module's own lock, as a module's own import statements do: it raises the
    error that says why the module cannot be imported, or makes the spec the module's own."""

    def find_spec(
        self, fullname: str, path: "Sequence[str] | None" = None, target: "ModuleType | None" = None
    ) -> "ModuleSpec | None":
        package, sep, name = fullname.partition(_INFIX)
        if not sep or package not in _attached or "." in name:
            return None  # not a module of a host; or a submodule, which its parent package found
        return ModuleSpec(fullname, self, loader_state=(path, target))  # type: ignore[arg-type]

    def create_module(self, spec: ModuleSpec) -> "ModuleType | None":
        from . import _loader

        try:
            return _loader.admit(self, spec)
        except _loader.USER_ERRORS as error:  # the reason is the message: the loader's frames do not help
            raise error.with_traceback(None) from error.__cause__

    def exec_module(self, module: "ModuleType") -> None:
        """``importlib.reload()`` runs this alone, without create_module: the checks first."""
        from . import _loader

        try:
            _loader.reload(self, module)
        except _loader.USER_ERRORS as error:
            raise error.with_traceback(None) from error.__cause__


_finder = _Finder()


class _ModulesPackage(type(sys)):  # type: ignore[misc]
    """``<package>.modules``: every public name read from it goes through the host
    (:func:`modgate._loader.modules_attribute`), so a module turned off
    (``MODGATE_DISABLE``) after it was imported is refused too."""

    def __getattribute__(self, name: str) -> "Any":
        if name[:1] != "_":
            from . import _loader

            try:
                return _loader.modules_attribute(self, name)
            except _loader.USER_ERRORS as error:  # the reason is the message: the loader's frames do not help
                raise error.with_traceback(None) from error.__cause__
        return type(sys).__getattribute__(self, name)

    def __dir__(self) -> "list[str]":
        from . import _loader

        return _loader.modules_dir(self)


def _modules_package(package: str) -> "ModuleType":
    """``<package>.modules``: made here, so a host ships no file for it."""
    parent = sys.modules[package]
    fullname = f"{package}.{_MODULES_PACKAGE}"
    module = _ModulesPackage(fullname, f"Optional modules of {package}: {fullname}.<name>.")
    locations = [os.path.join(entry, _MODULES_PACKAGE) for entry in getattr(parent, "__path__", ())]
    spec = ModuleSpec(fullname, None, is_package=True)
    spec.submodule_search_locations = locations
    module.__spec__ = spec
    module.__path__ = locations
    module.__package__ = fullname
    module._modgate_host = package
    return module


class Attached:
    """What :func:`attach` gives a host: its functions as attributes (``package``,
    ``is_built``, ``is_available``, ``require``, ``info``, ``provider``, and any a later
    modgate adds). It unpacks to exactly ``is_built, is_available, require, info``, in that
    order, now and in every later version, so the host's ``__init__.py`` line keeps working."""

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
    its ``is_built``, ``is_available``, ``require``, ``info`` and ``provider``
    (:class:`Attached`). Call it from the host's ``__init__.py``::

        from modgate import attach
        is_built, is_available, require, info = attach(__name__)

    Cheap: reads nothing until a module is asked for."""
    with _lock:
        _attached.add(package)
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)
    fullname = f"{package}.{_MODULES_PACKAGE}"
    if fullname not in sys.modules:
        module = _modules_package(package)
        sys.modules[fullname] = module
        setattr(sys.modules[package], _MODULES_PACKAGE, module)

    def is_built(name: str) -> bool:
        """Whether module ``name`` was built (in-tree: its option was ON; a plugin's:
        installed and built ON). False for a name no build knows."""
        found = _built(package, name)
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
        from . import _loader  # MODGATE_EAGER imports every module anyway

        _loader.eager_after_init(package, sys._getframe(1))
    return Attached(package, is_built, is_available, require, info, provider)


# modgate's own modules, exactly as any host wires its own.
is_built, is_available, require, info = attach(__name__)


def __getattr__(name: str) -> "Any":
    # What `import <host>` + is_built() do not use is imported when first named: every file
    # on that path costs a fresh process about 0.2 ms.
    if name in _EXCEPTIONS:
        from . import exceptions

        return getattr(exceptions, name)
    if name == "manifest_path":
        from ._manifest import manifest_path

        return manifest_path
    if name == "__version__":
        from ._manifest import summary

        return str(summary(__name__)["version"])
    if name == "native":
        import importlib

        return importlib.import_module(".native", __name__)
    raise AttributeError(f"module 'modgate' has no attribute {name!r}")
