"""The import-time loader: ``modgate.modules.<name>`` honouring what the build decided,
what the environment switches say, and what is installed.

One meta-path finder handles every ``modgate.modules.<name>`` import, whether it comes
from ``import``, ``from ... import`` or attribute access. It raises the error that says
why a module cannot be used, or hands the import to the normal machinery, whose
per-module lock makes concurrent imports of one module run it exactly once. No lock of
ours is held while a module's code runs, so modules importing each other from several
threads cannot deadlock here.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from importlib.abc import Loader

from ._build import manifest, manifest_file, read_manifest
from .exceptions import (
    ModuleAbiError,
    ModuleClashError,
    ModuleDeprecationWarning,
    ModuleDisabledError,
    ModuleLoadError,
    ModuleLoadWarning,
    ModuleUnavailableError,
    UnknownModuleError,
    deprecation_message,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "PREFIX",
    "disabled_names",
    "eager",
    "info",
    "install",
    "is_available",
    "is_built",
    "native_libraries",
    "require",
    "strict",
]

PREFIX = "modgate.modules."
ENTRY_POINT_GROUP = "modgate.modules"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})

_lock = threading.Lock()
_warned: set[str] = set()
_requirements_met: set[str] = set()


def _warn_once(key: str, message: str, category: type[Warning], stacklevel: int = 3) -> None:
    with _lock:
        if key in _warned:
            return
        _warned.add(key)
    warnings.warn(message, category, stacklevel=stacklevel)


def _flag(variable: str) -> bool:
    raw = os.environ.get(variable, "")
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value not in _FALSE:
        _warn_once(
            f"env:{variable}={raw}",
            f"modgate: {variable}={raw!r} is not understood and is ignored: set {variable}=1 to turn it on,"
            f" or unset it",
            ModuleLoadWarning,
        )
    return False


def strict() -> bool:
    """``MODGATE_STRICT=1``: a module that fails to load raises its own exception."""
    return _flag("MODGATE_STRICT")


def disabled_names() -> frozenset[str]:
    """The modules ``MODGATE_DISABLE`` turns off (read on every call: tests change it)."""
    raw = os.environ.get("MODGATE_DISABLE", "")
    return frozenset(part.strip().lower() for part in raw.split(",") if part.strip())


class _Record:
    """A module this process can name: in-tree (the manifest) or out-of-tree (an entry point)."""

    __slots__ = ("abi_version", "base", "distribution", "entry", "error", "import_name", "name", "origin", "version")

    def __init__(
        self,
        name: str,
        entry: dict[str, Any],
        *,
        base: str,
        origin: str,
        distribution: str,
        import_name: str,
        version: str,
        abi_version: int,
        error: str | None = None,
    ) -> None:
        self.name = name
        self.entry = entry
        self.base = base  # the folder holding the manifest; native artifacts are relative to it
        self.origin = origin
        self.distribution = distribution
        self.import_name = import_name
        self.version = version
        self.abi_version = abi_version
        self.error = error  # an out-of-tree module whose build manifest cannot be read


def _in_tree(name: str) -> _Record | None:
    data = manifest()
    entry = data["modules"].get(name)
    if entry is None:
        return None
    return _Record(
        name,
        entry,
        base=os.path.dirname(manifest_file()),
        origin="in-tree",
        distribution=data.get("package", "modgate"),
        import_name=PREFIX + name,
        version=data["version"],
        abi_version=data["abi_version"],
    )


# --- out-of-tree modules: the entry-point group, scanned at most once per process -----

_scan_result: tuple[dict[str, _Record], list[ModuleClashError]] | None = None


def _read_out_of_tree(name: str, value: str, distribution: str, version: str) -> _Record:
    package, sep, rest = value.rpartition(".modules.")
    base = ""
    error = None
    entry: dict[str, Any] = {}
    abi = -1
    if not sep or rest != name:
        error = (
            f"its entry point {name} = {value!r} must name <package>.modules.{name}, where modgate_add_modules"
            f" installs the module (INSTALL_DIR <package>)"
        )
    else:
        try:
            from importlib.util import find_spec

            spec = find_spec(package)
            locations = list(spec.submodule_search_locations or []) if spec else []
            for location in locations:
                if os.path.isfile(os.path.join(location, "_manifest.json")):
                    base = location
                    break
            if not base:
                error = f"package {package!r} has no build manifest (_manifest.json); reinstall {distribution}"
            else:
                data = read_manifest(os.path.join(base, "_manifest.json"))
                if name not in data["modules"]:
                    error = f"the build manifest of {package!r} does not list module {name!r}; reinstall {distribution}"
                else:
                    entry = data["modules"][name]
                    abi = int(data["abi_version"])
        except (ImportError, OSError, ValueError, KeyError, TypeError) as exc:
            error = f"cannot read its build manifest: {type(exc).__name__}: {exc}"
    if error is not None:
        entry = {"state": "ON", "reason": error, "stage": "?", "requires": [], "python_requires": [], "native": []}
    return _Record(
        name,
        entry,
        base=base,
        origin="out-of-tree",
        distribution=distribution,
        import_name=value,
        version=version,
        abi_version=abi,
        error=error,
    )


def _scan() -> tuple[dict[str, _Record], list[ModuleClashError]]:
    global _scan_result
    with _lock:
        if _scan_result is not None:
            return _scan_result
        from importlib.metadata import entry_points

        data = manifest()
        package = data.get("package", "modgate")
        found: dict[str, _Record] = {}
        clashes: list[ModuleClashError] = []
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)):
            dist = ep.dist.name if ep.dist is not None else "an unknown distribution"
            dist_version = ep.dist.version if ep.dist is not None else "?"
            name = ep.name
            here = f"distribution {dist!r} (entry point {name} = {ep.value})"
            if ep.value == f"{package}.modules.{name}":
                # This package's own module: the manifest alone says whether this build has
                # it (the entry points may be another build's, e.g. a tree on PYTHONPATH).
                continue
            if name in data["modules"]:
                there = f"in-tree module {name!r} of {package} ({data['modules'][name].get('source', '?')})"
                clashes.append(_clash(name, there, here))
                continue
            if name in found:
                other = found[name]
                there = f"distribution {other.distribution!r} (entry point {name} = {other.import_name})"
                clashes.append(_clash(name, there, here))
                continue
            found[name] = _read_out_of_tree(name, ep.value, dist, dist_version)
        _scan_result = (found, clashes)
        return _scan_result


def _clash(name: str, first: str, second: str) -> ModuleClashError:
    return ModuleClashError(
        f"module {name!r} is defined twice: by the {first} and by {second}. Uninstall one of them"
        f" (pip uninstall <distribution>), or rename the out-of-tree module",
        module=name,
        sources=[first, second],
    )


def _out_of_tree(name: str) -> _Record | None:
    found, clashes = _scan()
    for clash in clashes:
        if clash.module == name:  # two distributions (in-tree names never get here)
            raise clash  # which one to load is not ours to guess
    return found.get(name)


def _record(name: str) -> _Record | None:
    return _in_tree(name) or _out_of_tree(name)


def _known() -> list[str]:
    return sorted(set(manifest()["modules"]) | set(_scan()[0]))


def _nearest_first(name: str, known: Sequence[str]) -> list[str]:
    from difflib import SequenceMatcher

    return sorted(known, key=lambda k: (-SequenceMatcher(None, name.lower(), k).ratio(), k))


def _unknown(name: str) -> UnknownModuleError:
    known = _nearest_first(name, _known())
    listed = ", ".join(known) if known else "none (this build has no modules)"
    return UnknownModuleError(
        f"modgate has no module {name!r}: no module folder of that name was built into this modgate, and no"
        f" installed distribution provides one (entry-point group {ENTRY_POINT_GROUP!r}). Known modules,"
        f" nearest first: {listed}",
        module=name,
        fullname=PREFIX + name,
        known=known,
    )


def _rebuild_hint(option: str) -> str:
    return (
        f"rebuild with it on: pip install . -C cmake.define.{option}=ON (from a modgate source checkout),"
        f" or cmake -S . -B build -D{option}=ON && cmake --build build && cmake --install build"
    )


# --- the checks, in the order a user would fix them ---------------------------------


def check(name: str, _chain: tuple[str, ...] = ()) -> _Record:
    """The module's record if it can be imported now; else the error saying why."""
    record = _record(name) if _valid_name(name) else None
    if record is None:
        raise _unknown(name)
    fullname = PREFIX + name
    entry = record.entry
    if record.error is not None:
        raise ModuleLoadError(
            f"out-of-tree module {name!r} from {record.distribution} cannot be loaded: {record.error}",
            module=name,
            fullname=fullname,
        )
    if entry["state"] != "ON":
        option = entry.get("option", f"USE_MODULE_{name.upper()}")
        raise ModuleDisabledError(
            f"module {name!r} was not built: {option} is OFF in this build of {record.distribution}"
            f" ({entry['reason']}). To use"
            f" it, {_rebuild_hint(option)}",
            module=name,
            fullname=fullname,
            reason=entry["reason"],
            at_import=False,
        )
    if name in disabled_names():
        raise ModuleDisabledError(
            f"module {name!r} is built but disabled at import time by MODGATE_DISABLE="
            f"{os.environ.get('MODGATE_DISABLE', '')}. To use it, remove {name!r} from MODGATE_DISABLE",
            module=name,
            fullname=fullname,
            reason="disabled at import time by MODGATE_DISABLE",
            at_import=True,
        )
    if record.origin == "out-of-tree" and entry.get("native"):
        runtime = manifest()["abi_version"]
        if record.abi_version != runtime:
            raise ModuleAbiError(
                f"out-of-tree module {name!r} from {record.distribution} {record.version} was built against modgate"
                f" runtime ABI {record.abi_version}, but this modgate ({manifest()['version']}) has runtime ABI"
                f" {runtime}; loading it could crash the process, so it is refused. Rebuild it against this"
                f" modgate: pip install --force-reinstall --no-binary {record.distribution} {record.distribution}",
                module=name,
                fullname=fullname,
            )
    for dep in entry.get("requires", ()):
        if dep in _chain:
            continue
        try:
            check(dep, (*_chain, name))
        except ModuleDisabledError as exc:
            raise ModuleDisabledError(
                f"module {name!r} requires module {dep!r}, which cannot be used: {exc}",
                module=name,
                fullname=fullname,
                reason=f"requires {dep!r}: {exc.reason}",
                at_import=exc.at_import,
            ) from None
        except ModuleUnavailableError as exc:
            raise ModuleUnavailableError(
                f"module {name!r} requires module {dep!r}, which cannot be used: {exc}",
                module=name,
                fullname=fullname,
                requirement=exc.requirement,
            ) from None
    requirements = entry.get("python_requires", ())
    if requirements and name not in _requirements_met:
        from ._requirements import unmet

        missing = unmet(requirements)
        if missing:
            from .registration import extra_name

            raise ModuleUnavailableError(
                f"module {name!r} is built, but its Python requirements are not met: {'; '.join(missing)}."
                f' Install them: pip install "{record.distribution}[{extra_name(name)}]"',
                module=name,
                fullname=fullname,
                requirement=missing[0],
            )
        _requirements_met.add(name)
    return record


def _valid_name(name: object) -> bool:
    return isinstance(name, str) and name.isidentifier() and name.islower() and not name.startswith("_")


# --- the finder and loaders ----------------------------------------------------------


def _deprecation(record: _Record) -> None:
    dep = record.entry.get("deprecated")
    if not dep:
        return
    text = deprecation_message(
        record.name,
        since=dep["since"],
        reason=dep["reason"],
        removal=dep.get("removal"),
        replacement=dep.get("replacement"),
    )
    _warn_once(f"deprecated:{record.name}", text, ModuleDeprecationWarning, stacklevel=4)


def _load_error(record: _Record, exc: BaseException) -> ModuleLoadError:
    return ModuleLoadError(
        f"module {record.name!r} is built and enabled, but importing it failed with {type(exc).__name__}: {exc}."
        f" This is a broken module or install, not a missing one: see the exception above; reinstall"
        f" {record.distribution}, or turn the module off at import time with MODGATE_DISABLE={record.name}",
        module=record.name,
        fullname=PREFIX + record.name,
    )


class _GuardedLoader:
    """Runs an in-tree module's own loader; a failure becomes :class:`ModuleLoadError`."""

    def __init__(self, loader: Any, record: _Record) -> None:
        self._loader = loader
        self._record = record

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        module: ModuleType | None = self._loader.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        try:
            self._loader.exec_module(module)
        except Exception as exc:
            if strict():
                raise
            raise _load_error(self._record, exc) from exc
        _deprecation(self._record)

    def __getattr__(self, attribute: str) -> Any:  # get_resource_reader, is_package, get_code, ...
        return getattr(self._loader, attribute)


class _AliasLoader:
    """Imports an out-of-tree module under its own name and binds it as ``modgate.modules.<name>``."""

    def __init__(self, record: _Record) -> None:
        self._record = record

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        record = self._record
        try:
            if record.entry.get("native"):
                # The module's libraries need the shared runtime, found by its SONAME once loaded.
                importlib.import_module("modgate._core")
            return importlib.import_module(record.import_name)
        except Exception as exc:
            if strict():
                raise
            raise _load_error(record, exc) from exc

    def exec_module(self, module: ModuleType) -> None:
        _deprecation(self._record)


class _Finder:
    """The meta-path finder for ``modgate.modules.<name>``."""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None) -> Any:
        if not fullname.startswith(PREFIX):
            return None
        name = fullname[len(PREFIX) :]
        if "." in name:
            return None  # a submodule: its parent package is already loaded and found it
        record = check(name)
        if record.origin == "out-of-tree":
            return ModuleSpec(fullname, cast("Loader", _AliasLoader(record)))
        spec = None
        for finder in list(sys.meta_path):
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        if spec is None or spec.loader is None:
            error = FileNotFoundError(f"no files for {fullname} in {', '.join(path or ()) or 'modgate/modules'}")
            if strict():
                raise ModuleNotFoundError(str(error), name=fullname)
            raise _load_error(record, error)
        spec.loader = cast("Loader", _GuardedLoader(spec.loader, record))
        return spec


_finder = _Finder()


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once)."""
    with _lock:
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)


# --- the public functions (re-exported by modgate/__init__.py) -----------------------


def require(name: str) -> ModuleType:
    """``modgate.modules.<name>``, imported if needed; raises the error that says why not."""
    if not _valid_name(name):
        raise _unknown(str(name))
    install()
    # Always through the import system, even when sys.modules has the name: a module
    # another thread is still importing is there half-initialized, and only the
    # import system waits for it.
    return importlib.import_module(PREFIX + name)


def is_built(name: str) -> bool:
    """Whether ``name`` was built (in-tree: its option was ON; out-of-tree: installed and
    built ON). False for a name no build knows."""
    entry = manifest()["modules"].get(name)
    if entry is not None:
        return bool(entry["state"] == "ON")
    record = _out_of_tree(name) if _valid_name(name) else None
    return record is not None and record.error is None and record.entry["state"] == "ON"


def is_available(name: str) -> bool:
    """Whether ``modgate.modules.<name>`` can be imported now: built, not disabled by
    ``MODGATE_DISABLE``, its required modules available and its Python requirements
    installed. Imports nothing: a module that is available but broken raises
    :class:`~modgate.ModuleLoadError` when imported."""
    try:
        check(name)
    except (ModuleDisabledError, ModuleUnavailableError, ModuleLoadError, UnknownModuleError):
        return False
    return True


def native_libraries(name: str) -> list[str]:
    """Absolute paths of ``name``'s native libraries (not its Python extension), if built."""
    record = _record(name) if _valid_name(name) else None
    if record is None or record.error is not None or record.entry["state"] != "ON" or name in disabled_names():
        return []
    if record.origin == "out-of-tree" and record.abi_version != manifest()["abi_version"]:
        try:
            check(name)
        except ModuleAbiError as exc:
            # Lookups allow a missing function; loading a library built for another runtime could crash.
            _warn_once(f"abi:{name}", f"modgate: {exc}", ModuleLoadWarning)
            return []
        except ImportError:
            return []
    return [
        os.path.join(record.base, *artifact.split("/"))
        for artifact in record.entry.get("native", ())
        if not os.path.basename(artifact).startswith("_native")
    ]


def _view(record: _Record, disabled: frozenset[str]) -> dict[str, Any]:
    import copy

    view = copy.deepcopy(record.entry)
    view["origin"] = record.origin
    view["distribution"] = record.distribution
    view["version"] = record.version
    view["owners"] = list(view.get("maintainers", []))
    view["disabled_at_import"] = record.name in disabled
    return view


def info() -> dict[str, Any]:
    """The build manifest plus, per module, ``origin`` (``in-tree`` or ``out-of-tree``),
    ``distribution``, ``version``, ``owners`` and ``disabled_at_import``; out-of-tree
    modules are listed too. A copy: change it freely."""
    import copy

    data = copy.deepcopy(manifest())
    found, clashes = _scan()
    if clashes:
        raise clashes[0]
    disabled = disabled_names()
    modules = {}
    for name in data["modules"]:
        record = _in_tree(name)
        assert record is not None
        modules[name] = _view(record, disabled)
    for name, record in sorted(found.items()):
        modules[name] = _view(record, disabled)
    data["modules"] = modules
    return data


def _enabled() -> Iterator[str]:
    disabled = disabled_names()
    for name, entry in manifest()["modules"].items():
        if entry["state"] == "ON" and name not in disabled:
            yield name


def eager() -> list[str]:
    """Import every enabled in-tree module now (``MODGATE_EAGER=1``). A module that fails
    to load is warned about (:class:`~modgate.ModuleLoadWarning`) and skipped, unless
    ``MODGATE_STRICT=1``; a module whose Python requirements are missing is skipped.
    Returns the names imported."""
    loaded = []
    for name in _enabled():
        try:
            require(name)
        except ModuleUnavailableError:
            continue
        except ModuleLoadError as exc:
            warnings.warn(f"modgate: MODGATE_EAGER: {exc}", ModuleLoadWarning, stacklevel=3)
            continue
        loaded.append(name)
    return loaded
