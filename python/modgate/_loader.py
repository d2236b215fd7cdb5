"""The import-time loader: ``<host>.modules.<name>`` honouring what the host's build
decided, what the environment switches say, and what is installed.

A host package attaches itself (:func:`modgate.attach`, two lines in its
``__init__.py``); one meta-path finder then hands every ``<host>.modules.<name>`` import
of every attached host, whether it comes from ``import``, ``from ... import`` or
attribute access, to :func:`admit` here when the module is created. It raises the error
that says why a module cannot be used, or hands the import to the normal machinery,
whose per-module lock makes concurrent imports of one module run it exactly once. The
only locks held while modgate imports are the import system's own per-module ones, and
``_lock`` is never held across an import or a call out, so threads reaching modules
at once, by any way, cannot deadlock here.

Not on the path of ``import <host>`` + ``is_built()``: imported when a module, its
availability, a lookup or ``info()`` is first asked for. At module level it imports
modgate's own modules and what a bare interpreter has already imported; the rest (the
entry points) only on the way that needs it.
"""

import os
import sys

from . import _installed, _records
from ._closure import reach
from ._manifest import built, capability_entry, index, manifest, summary
from ._names import (
    DISABLE_VARIABLE,
    EXTENSION_NAME,
    MODULES_PACKAGE,
    extra_name,
    function_name,
    is_module_name,
)
from ._nearest import nearest, ranked
from .exceptions import (
    ManifestError,
    ModuleAbiError,
    ModuleClashError,
    ModuleDeprecationWarning,
    ModuleDisabledError,
    ModuleLoadError,
    ModuleLoadWarning,
    ModuleUnavailableError,
    NotBuiltError,
    UnknownModuleError,
    _warn_once,
    deprecation_message,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any
else:  # importlib.machinery.ModuleSpec, without importing importlib (0.7 ms in a fresh process)
    ModuleSpec = type(sys.__spec__)


__all__ = [
    "Host",
    "admit",
    "admit_spec",
    "attached",
    "disabled_names",
    "eager_after_init",
    "eager_host",
    "host",
    "is_attached",
    "modules_attribute",
    "modules_dir",
    "reload",
    "strict",
]

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})

# What the loader raises for a user to read, whose message says it all: an import shows it
# without the loader's frames (a bug of modgate's keeps them).
USER_ERRORS = (ImportError, ManifestError)

_NEAREST = 5  # known names an UnknownModuleError shows


def _needs(entry: "dict[str, Any]") -> "list[str]":
    """The modules a module's code needs at import time: its requirements, and the optional
    requirements it was built with (its libraries link them)."""
    return [*entry.get("requires", ()), *entry.get("optional_present", ())]


def _verb(entry: "dict[str, Any]", dep: str) -> str:
    return "requires" if dep in entry.get("requires", ()) else "was built with (optional-requires)"


def _chosen_at_run_time(package: str, capability: str) -> bool:
    """Whether ``capability`` has policy ``any`` in ``package``'s build: its provider is chosen at run time."""
    entry = capability_entry(package, capability)
    return entry is not None and entry.get("policy") == "any"


def flag(variable: str) -> bool:

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
    return flag("MODGATE_STRICT")


def _entries(raw: str) -> "list[tuple[str, str]]":
    """``MODGATE_DISABLE``'s entries as (host or "", module name), lower-cased."""
    entries = []
    for part in raw.split(","):
        entry = part.strip().lower()
        if entry:
            owner, _, name = entry.rpartition(".")
            entries.append((owner, name))
    return entries


def disabled_names(package: str) -> frozenset[str]:
    """The modules of host ``package`` that ``MODGATE_DISABLE`` turns off: an entry
    ``<package>.<name>`` turns off that host's module, a bare ``<name>`` every attached
    host's module of that name (read on every call: tests change it). An entry that names
    no module of any attached host is warned about once (a typo turns nothing off)."""
    raw = os.environ.get(DISABLE_VARIABLE, "")
    if not raw:
        return frozenset()
    if raw not in _checked_switches:
        _checked_switches.add(raw)
        _warn_unknown(raw)
    own = package.lower()
    return frozenset(name for owner, name in _entries(raw) if owner in ("", own))


_checked_switches: "set[str]" = set()


def _warn_unknown(raw: str) -> None:

    known: dict[str, set[str]] = {}
    for package in attached():
        try:
            names = set(index(package))
            if any(name not in names for _, name in _entries(raw)):
                names |= set(host(package)._plugins()[0])  # a plugin's module, perhaps: read entry points once
        except Exception:  # an unbuilt or broken host: nothing to judge by
            continue
        known[package.lower()] = {name.lower() for name in names}
    everything = set().union(*known.values()) if known else set()
    for owner, name in _entries(raw):
        if owner and owner not in known:
            continue  # a host not imported yet: it may well have that module
        pool = known[owner] if owner else everything
        if not known or name in pool:
            continue
        near = nearest(name, pool, limit=1)
        hint = f" (did you mean {owner + '.' if owner else ''}{near[0]}?)" if near else ""
        where = f"host {owner}" if owner else "any imported host"
        _warn_once(
            f"disable:{owner}.{name}",
            f"modgate: {DISABLE_VARIABLE}={raw} names {(owner + '.' if owner else '') + name!r}, which is no module of"
            f" {where}, so it turns nothing off{hint}; `modgate list` shows the known ones",
            ModuleLoadWarning,
            stacklevel=4,
        )


def _valid_name(name: object) -> bool:
    return is_module_name(name)


def _rebuild_hint(package: str, option: str) -> str:
    return (
        f"rebuild {package} with {option}=ON: pip install . -C cmake.define.{option}=ON (in the source checkout"
        f" of {package}), or cmake -S . -B build -D{option}=ON && cmake --build build"
        " && cmake --install build --prefix <prefix>"
    )


def _not_built(package: str, name: str, entry: "dict[str, Any]", distribution: str, modules: "dict[str, Any]") -> str:
    """Why module ``name`` was not built, and the one change that builds it."""
    option = entry.get("option", name)
    chain = list(entry.get("blocked_by") or ())
    if not chain:
        return (
            f"module {name!r} was not built: {option} is OFF in this build of {distribution} ({entry['reason']})."
            f" To use it, {_rebuild_hint(package, option)}"
        )
    # Off because a module it requires is off: turning this one on would fail; the
    # change is to the module at the end of the chain.
    root = chain[-1]
    path = " → ".join([name, *chain])
    off = modules.get(root)
    if off is None:  # another host's module (a plugin's requirement)
        return (
            f"module {name!r} was not built: it requires {path}, which was off ({entry['reason']})."
            f" To use it, rebuild the host with {root!r} on, then rebuild {distribution}"
        )
    root_option = off.get("option", root)
    text = f"module {name!r} was not built: it requires {path}, and {root!r} is off in this build ({off['reason']})."
    if off.get("requested") == "OFF":
        return f"{text} To use it, {_rebuild_hint(package, root_option)} ({name!r} is AUTO, so it follows)"
    return f"{text} To use it, make {root!r} buildable ({off['reason']}), then rebuild {package}"


class Host:
    """One host package's modules: ``<package>.modules.<name>``, its manifest, its plugins."""

    def __init__(self, package: str) -> None:
        self.package = package
        self.prefix = f"{package}.{MODULES_PACKAGE}."
        self._requirements_met: set[str] = set()
        self._wheels_match: set[str] = set()  # module wheels found installed and matching

    # --- what this process can name -------------------------------------------------

    def _plugins(self) -> "tuple[dict[str, _records.Record], list[ModuleClashError]]":

        return _records.read_entry_points(self.package)

    def record(self, name: str) -> "_records.Record | None":

        found = _records.in_tree(self.package, name)
        if found is not None:
            return found
        return _records.out_of_tree(self.package, name, *self._plugins())

    def known(self) -> list[str]:
        return sorted(set(index(self.package)) | set(self._plugins()[0]))

    def unknown_error(self, name: str) -> "UnknownModuleError":
        known = ranked(name, self.known())
        if not known:
            listed = "none (this build has no modules)"
        elif len(known) <= _NEAREST:
            listed = ", ".join(known)
        else:
            listed = f"{', '.join(known[:_NEAREST])} and {len(known) - _NEAREST} more (modgate list shows them)"
        return UnknownModuleError(
            f"{self.package} has no module {name!r}: no module folder of that name was built into this"
            f" {self.package}, and no installed distribution provides one (entry-point group"
            f" {self.prefix[:-1]!r}). Known modules, nearest first: {listed}",
            module=name,
            fullname=self.prefix + name,
            known=known,
        )

    # --- the checks, in the order a user would fix them -----------------------------

    def check(self, name: str, _chain: tuple[str, ...] = ()) -> "_records.Record":
        """The module's record if it can be imported now; else the error saying why."""

        record = self.record(name) if _valid_name(name) else None
        if record is None:
            raise self.unknown_error(name)
        fullname = self.prefix + name
        entry = record.entry
        if record.error is not None:
            raise ModuleLoadError(
                f"out-of-tree module {name!r} from {record.distribution} cannot be loaded: {record.error}",
                module=name,
                fullname=fullname,
            )
        if entry["state"] != "ON":
            modules = manifest(self.package)["modules"] if record.origin == "in-tree" else {}
            raise ModuleDisabledError(
                _not_built(self.package, name, entry, record.distribution, modules),
                module=name,
                fullname=fullname,
                reason=entry["reason"],
                at_import=False,
            )
        if name in disabled_names(self.package):
            raise ModuleDisabledError(
                f"module {name!r} is built but disabled at import time by {DISABLE_VARIABLE}="
                f"{os.environ.get(DISABLE_VARIABLE, '')}. To use it, remove {name!r} from {DISABLE_VARIABLE}",
                module=name,
                fullname=fullname,
                reason=f"disabled at import time by {DISABLE_VARIABLE}",
                at_import=True,
            )
        if record.shipped == _records.OWN_WHEEL and name not in self._wheels_match:
            problem = _records.wheel_problem(record)
            if problem is not None:
                raise problem
            self._wheels_match.add(name)
        if record.origin == "out-of-tree" and entry.get("native"):
            runtime = summary("modgate")["abi_version"] if "modgate" in sys.modules else -1
            if record.abi_version != runtime:
                raise ModuleAbiError(
                    f"out-of-tree module {name!r} from {record.distribution} {record.version} was built against"
                    f" modgate runtime ABI {record.abi_version}, but this modgate has runtime ABI {runtime};"
                    " loading it could crash the process, so it is refused. Rebuild it against this modgate:"
                    f" pip install --force-reinstall --no-binary {record.distribution} {record.distribution}",
                    module=name,
                    fullname=fullname,
                )
        for dep in _needs(entry):
            if dep in _chain:
                continue
            try:
                self.check(dep, (*_chain, name))
            except ModuleDisabledError as exc:
                raise ModuleDisabledError(
                    f"module {name!r} {_verb(entry, dep)} module {dep!r}, which cannot be used: {exc}",
                    module=name,
                    fullname=fullname,
                    reason=f"{_verb(entry, dep)} {dep!r}: {exc.reason}",
                    at_import=exc.at_import,
                ) from None
            except ModuleUnavailableError as exc:
                raise ModuleUnavailableError(
                    f"module {name!r} {_verb(entry, dep)} module {dep!r}, which cannot be used: {exc}",
                    module=name,
                    fullname=fullname,
                    requirement=exc.requirement,
                ) from None
        requirements = entry.get("python_requires", ())
        if requirements and name not in self._requirements_met:
            from ._requirements import unmet

            missing = unmet(requirements)
            if missing:
                raise ModuleUnavailableError(
                    f"module {name!r} is built, but its Python requirements are not met: {'; '.join(missing)}."
                    f' Install them: pip install "{record.distribution}[{extra_name(name)}]"',
                    module=name,
                    fullname=fullname,
                    requirement=missing[0],
                )
            self._requirements_met.add(name)
        return record

    # --- the public functions (``<host>.require`` and so on) --------------------------

    def require(self, name: str) -> "ModuleType":
        """``<package>.modules.<name>``, imported if needed; raises the error that says why not."""
        # Checked on every call, even for a module already imported: MODGATE_DISABLE may
        # have turned it off since.
        self.check(name)
        import importlib

        # Always through the import system, even when sys.modules has the name: a module
        # another thread is still importing is there half-initialized, and only the
        # import system waits for it.
        return importlib.import_module(self.prefix + name)

    def require_for_command(self, name: str) -> "ModuleType":
        """:meth:`require` for running a module's own command: a Python requirement that is
        missing fails only if the import itself needs it (``modgate graph`` draws text
        without ``graphviz``); then the usual :class:`ModuleUnavailableError`."""

        try:
            return self.require(name)
        except ModuleUnavailableError as unavailable:
            if self.record(name) is None or name in self._requirements_met:
                raise
            self._requirements_met.add(name)  # for this one import only
            try:
                return self.require(name)
            except ImportError:
                raise unavailable from None
            finally:
                self._requirements_met.discard(name)

    def is_built(self, name: str) -> bool:
        """Whether ``name`` was built (in-tree: its option was ON; a plugin's: installed and
        built ON). False for a name no build knows."""
        found = built(self.package, name)
        if found is not None:
            return found
        if not _valid_name(name):
            return False

        record = _records.out_of_tree(self.package, name, *self._plugins())
        return record is not None and record.error is None and record.entry["state"] == "ON"

    def is_available(self, name: str) -> bool:
        """Whether the module can be imported now: built, not disabled by ``MODGATE_DISABLE``,
        its required modules available and its Python requirements installed. Imports
        nothing: a module that is available but broken raises ModuleLoadError when imported."""

        try:
            self.check(name)
        except (ModuleDisabledError, ModuleUnavailableError, ModuleLoadError, UnknownModuleError):
            return False
        return True

    def _needed(self, name: str) -> "list[str]":
        """The modules ``name``'s code needs at import time (:func:`_needs`); none when unknown."""
        record = self.record(name) if _valid_name(name) else None
        return _needs(record.entry) if record is not None else []

    def _switched_off(self, name: str, disabled: frozenset[str]) -> str | None:
        """Which module ``MODGATE_DISABLE`` turns off that makes ``name`` unusable: ``name``
        itself, or a module it requires (directly or not; the first by name); ``None``
        when none does."""
        if name in disabled:
            return name
        return min(reach([name], self._needed) & disabled, default=None)

    def _native_usable(self, name: str) -> "_records.Record | None":
        """``name``'s record when its native code may run: built ON, not turned off by
        ``MODGATE_DISABLE``, and the same for every module it requires."""

        def usable(module: str) -> "_records.Record | None":
            record = self.record(module) if _valid_name(module) else None
            if record is None or record.error is not None or record.entry["state"] != "ON":
                return None
            return None if module in disabled_names(self.package) else record

        record = usable(name)
        if record is None or any(usable(dep) is None for dep in reach([name], self._needed)):
            return None
        return record

    def native_libraries(self, name: str) -> list[str]:
        """Absolute paths of ``name``'s native libraries (not its Python extension), if it
        is built and usable (see :meth:`lookup`)."""

        record = self._native_usable(name)
        if record is None:
            return []
        if record.shipped != _records.IN_CORE:
            try:
                self.check(name)
            except ModuleAbiError as exc:
                # Lookups allow a missing function; loading a library built for another runtime could crash.
                _warn_once(f"abi:{self.package}:{name}", f"modgate: {exc}", ModuleLoadWarning)
                return []
            except ImportError:
                return []
        return [
            os.path.join(record.base, *artifact.split("/"))
            for artifact in record.entry.get("native", ())
            if not os.path.basename(artifact).startswith(EXTENSION_NAME)
        ]

    def lookup(self, name: str) -> "Callable[..., Any] | None":
        """Native function ``name`` (``<module>.<function>``) in this host's namespace of the
        registry, loading the module's libraries when it is built; ``None`` when the module
        is not built, is turned off by ``MODGATE_DISABLE`` (itself or a module it requires:
        what ``import`` refuses, lookups refuse too), or has no such function. A library
        that fails to load raises :class:`ModuleLoadError`, as ``import`` does."""
        module = name.partition(".")[0]
        if self._native_usable(module) is None:
            # A capability ("blas.gemm"): whichever of its providers this build has.
            provider = self.provider(module)
            if provider is None or self._native_usable(provider) is None:
                return None
            module = provider
        from . import _core

        key = function_name(self.package, name)
        function: Callable[..., Any] | None = _core.lookup(key)
        if function is None and "." in name:
            self.load(module)  # a module named like a capability of policy any: its provider is chosen too
            function = _core.lookup(key)
        return function

    def load(self, module: str) -> None:
        """Load ``module``'s native libraries when it is built and usable, so its functions
        register; ``module`` may be a capability, for its provider. A library that fails to
        load raises :class:`ModuleLoadError`."""
        if _valid_name(module) and self.record(module) is None:
            module = self.provider(module) or module
        elif _valid_name(module) and _chosen_at_run_time(self.package, module):
            # Named like a capability of policy any (VTK's RenderingCore): its own functions
            # are found first, then, through the choice's alias, its provider's.
            self.provider(module)
        libraries = self.native_libraries(module)
        if not libraries:
            return
        from . import _core

        record = self.record(module)
        assert record is not None
        _intact(record)
        for library in libraries:
            try:
                _core.load_library(library)
            except OSError as exc:
                if strict():
                    raise
                raise _load_error(record, exc) from exc

    def provider(self, capability: str) -> str | None:
        """The module built as ``capability``'s provider (``provides``), or ``None``: no
        provider is built, or no module provides it. Under policy ``any``, the one chosen
        at run time (:mod:`modgate._providers`; none usable: ``None``)."""
        if _chosen_at_run_time(self.package, capability):
            from . import _providers

            return _providers.choose(self, capability).chosen
        entry = capability_entry(self.package, capability)
        provider = entry.get("provider") if entry is not None else None
        return provider if isinstance(provider, str) else None

    def provider_module(self, capability: str) -> "ModuleType":
        """``<host>.provider(capability)``: the Python package of the provider this process
        uses (chosen at run time under policy ``any``, else the one built); raises the
        error saying why there is none."""
        entry = capability_entry(self.package, capability)
        if entry is None:
            known = sorted(summary(self.package).get("capabilities") or {})
            raise UnknownModuleError(
                f"{self.package} has no capability {capability!r} (its capabilities: {', '.join(known) or 'none'})",
                module=capability,
                fullname=self.prefix + capability,
                known=known,
            )
        if entry.get("policy") == "any":
            from . import _providers

            choice = _providers.choose(self, capability)
            if choice.chosen is None:
                raise ModuleUnavailableError(
                    choice.reason, module=capability, fullname=self.prefix + capability, requirement=""
                )
            return self.require(choice.chosen)
        provider = entry.get("provider")
        if not isinstance(provider, str):
            raise ModuleUnavailableError(
                f"{self.package}'s capability {capability!r} has no provider in this build (its option"
                f" {entry.get('option')} chose none; providers: {', '.join(entry.get('providers', ()))})",
                module=capability,
                fullname=self.prefix + capability,
                requirement="",
            )
        return self.require(provider)

    def native_modules(self) -> list[str]:
        """The modules of this build with native parts that this process may use: what
        :meth:`load_native` checks (a module turned off at build or import time, or missing
        a Python requirement, is left out: it says why when asked for)."""
        found = []
        for name, entry in sorted(manifest(self.package)["modules"].items()):
            if entry["state"] == "ON" and entry.get("native") and self.is_available(name):
                found.append(name)
        return found

    def load_native(self, name: str) -> None:
        """Import ``name`` and load its native libraries, as a user's first import and
        lookup would: an extension or library that does not load (an undefined symbol, a
        missing library) raises :class:`ModuleLoadError` with the loader's reason."""
        self.require(name)
        self.load(name)

    def _view(self, record: "_records.Record", disabled: frozenset[str]) -> "dict[str, Any]":
        import copy

        view = copy.deepcopy(record.entry)
        view["origin"] = record.origin
        view["shipped_in"] = record.shipped  # "core", "module wheel" or "plugin"
        view["distribution"] = record.distribution
        view["version"] = record.version
        problem = _records.wheel_problem(record) if record.shipped == _records.OWN_WHEEL else None
        view["installed"] = not isinstance(problem, ModuleUnavailableError)
        view["wheel_problem"] = str(problem) if problem is not None else None
        view["owners"] = list(view.get("maintainers", []))
        cause = self._switched_off(record.name, disabled) if view["state"] == "ON" else None
        view["disabled_at_import"] = cause is not None
        view["disabled_by"] = cause  # the module MODGATE_DISABLE names: this one or one it requires
        # What an import would say (nothing is imported): a requirement's wheel missing, a
        # Python requirement absent, a plugin that cannot be read.
        view["unavailable"] = str(problem) if problem is not None else None
        if view["state"] == "ON" and cause is None and problem is None:
            try:
                self.check(record.name)
            except (ModuleDisabledError, ModuleUnavailableError, ModuleLoadError) as exc:
                view["unavailable"] = str(exc)
        return view

    def info(self, *, choose: bool = True) -> "dict[str, Any]":
        """The build manifest plus, per module, ``origin`` (``in-tree`` or ``out-of-tree``),
        ``shipped_in`` (``core``, ``module wheel`` or ``plugin``), ``distribution``,
        ``version``, ``installed`` (its wheel is), ``wheel_problem``, ``owners`` and
        ``disabled_at_import``; plugins' modules are listed too. A copy: change it freely.
        Each capability of policy any shows every provider tried and the one chosen (which
        makes the choice); with ``choose=False`` it only lists them (the pytest header)."""
        import copy

        data = copy.deepcopy(manifest(self.package))
        found, clashes = self._plugins()
        if clashes:
            raise clashes[0]
        disabled = disabled_names(self.package)
        modules = {}
        for name in data["modules"]:
            record = _records.in_tree(self.package, name)
            assert record is not None
            modules[name] = self._view(record, disabled)
        for name, record in sorted(found.items()):
            modules[name] = self._view(record, disabled)
        data["modules"] = modules
        for capability, entry in (data.get("capabilities") or {}).items():
            if choose and _chosen_at_run_time(self.package, capability):  # every provider tried, and the choice
                from . import _providers

                entry["providers"] = _providers.providers(self, capability)
                entry |= _providers.choose(self, capability, survey=True).as_dict()
        return data

    def _enabled(self) -> "Iterator[str]":
        disabled = disabled_names(self.package)
        for name, entry in manifest(self.package)["modules"].items():
            if entry["state"] == "ON" and name not in disabled:
                yield name

    def eager(self) -> list[str]:
        """Import every enabled in-tree module now (``MODGATE_EAGER=1``). A module that fails
        to load is warned about (ModuleLoadWarning) and skipped, unless ``MODGATE_STRICT=1``;
        a module whose Python requirements are missing is skipped. Returns the names imported."""
        import warnings

        loaded = []
        for name in self._enabled():
            try:
                self.require(name)
            except ModuleUnavailableError:
                continue
            except ModuleLoadError as exc:
                warnings.warn(f"modgate: MODGATE_EAGER: {exc}", ModuleLoadWarning, stacklevel=3)
                continue
            loaded.append(name)
        return loaded


# --- the finder and loaders ----------------------------------------------------------


def _deprecation(record: "_records.Record") -> None:

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
    _warn_once(f"deprecated:{record.host}:{record.name}", text, ModuleDeprecationWarning, stacklevel=4)


def _load_error(record: "_records.Record", exc: BaseException) -> "ModuleLoadError":

    return ModuleLoadError(
        f"module {record.name!r} is built and enabled, but importing it failed with {type(exc).__name__}: {exc}."
        f" This is a broken module or install, not a missing one: see the exception above; reinstall"
        f" {record.distribution}, or turn the module off at import time with"
        f" {DISABLE_VARIABLE}={record.host}.{record.name}",
        module=record.name,
        fullname=f"{record.host}.{MODULES_PACKAGE}.{record.name}",
    )


_checked: "set[tuple[str, str]]" = set()  # (host, module) whose native files matched their RECORD


def _intact(record: "_records.Record") -> None:
    """Refuse a module whose native files differ from what installed them (a library cut
    short would end the process with SIGBUS when loaded); checked once per process."""
    if not record.entry.get("native") or (record.host, record.name) in _checked:
        return
    for artifact in record.entry["native"]:
        path = os.path.join(record.base, *artifact.split("/"))
        why = _installed.damage(path, record.distribution)
        if why is not None:
            raise ModuleLoadError(
                f"module {record.name!r} cannot be loaded: its file {path} is damaged: {why}. Loading it could"
                f" crash the process, so it is refused. Reinstall it: pip install --force-reinstall --no-deps"
                f' "{record.distribution}=={record.version}"',
                module=record.name,
                fullname=f"{record.host}.{MODULES_PACKAGE}.{record.name}",
            )
    _checked.add((record.host, record.name))


def _runtime_first(record: "_records.Record") -> None:
    """A native module's libraries need the shared runtime: loaded (by ``modgate._core``), it
    is found by its SONAME wherever modgate is installed, whatever their RUNPATH says."""
    if record.entry.get("native"):
        import modgate._core  # noqa: F401


class _GuardedLoader:
    """Runs an in-tree module's own loader; a failure becomes :class:`ModuleLoadError`."""

    def __init__(self, loader: "Any", record: "_records.Record") -> None:
        self._loader = loader
        self._record = record

    def create_module(self, spec: ModuleSpec) -> "ModuleType | None":
        module: ModuleType | None = self._loader.create_module(spec)
        return module

    def exec_module(self, module: "ModuleType") -> None:
        _intact(self._record)
        try:
            _runtime_first(self._record)
            self._loader.exec_module(module)
        except Exception as exc:
            if strict():
                raise
            raise _load_error(self._record, exc) from exc
        _deprecation(self._record)

    def __getattr__(self, attribute: str) -> "Any":  # get_resource_reader, is_package, get_code, ...
        return getattr(self._loader, attribute)


class _AliasLoader:
    """Imports a plugin's module under its own name and binds it as ``<host>.modules.<name>``."""

    def __init__(self, record: "_records.Record") -> None:
        self._record = record

    def create_module(self, spec: ModuleSpec) -> "ModuleType":
        import importlib

        record = self._record
        _intact(record)
        try:
            _runtime_first(record)
            return importlib.import_module(record.import_name)
        except Exception as exc:
            if strict():
                raise
            raise _load_error(record, exc) from exc

    def exec_module(self, module: "ModuleType") -> None:
        _deprecation(self._record)


_hosts: "dict[str, Host]" = {}


def attached() -> list[str]:
    """The hosts that attached themselves (``modgate.attach``), in that order: those
    whose ``<host>.modules`` is the package attach() made."""
    suffix = f".{MODULES_PACKAGE}"
    return [
        name[: -len(suffix)]
        for name, module in list(sys.modules.items())
        if name.endswith(suffix) and getattr(module, "_modgate_host", None) == name[: -len(suffix)]
    ]


def is_attached(package: str) -> bool:
    """Whether ``package`` has attached itself (its ``__init__.py`` called ``attach``)."""
    module = sys.modules.get(f"{package}.{MODULES_PACKAGE}")
    return getattr(module, "_modgate_host", None) == package


def host(package: str) -> "Host":
    """Host ``package``'s :class:`Host`, made when first asked for (a package need not be
    attached for its build to be inspected: ``modgate info`` in another host's folder)."""
    found = _hosts.get(package)
    if found is None:
        found = _hosts.setdefault(package, Host(package))  # one wins when two threads ask first
    return found


def admit(finder: object, spec: ModuleSpec) -> "ModuleType | None":
    """Create ``<host>.modules.<name>`` for ``spec`` (the spec the finder of
    ``modgate/__init__.py`` made, its ``loader_state`` the path and target it was asked
    with): :func:`admit_spec`, then create the module as its loader does. Runs under the
    module's own import lock, not the global one."""
    loader: Any = admit_spec(finder, spec)
    module: ModuleType | None = loader.create_module(spec)
    return module


def admit_spec(finder: object, spec: ModuleSpec) -> "Any":
    """Raise the error that says why ``<host>.modules.<name>`` cannot be imported, or make
    ``spec`` the module's own (found by the finders after ``finder``, or a plugin's alias)
    and return its loader."""
    path, target = spec.loader_state
    fullname = spec.name
    package, _sep, name = fullname.partition(f".{MODULES_PACKAGE}.")
    owner = host(package)
    record = owner.check(name)
    if record.origin == "out-of-tree":
        alias = _AliasLoader(record)
        spec.loader = alias  # type: ignore[assignment]
        return alias
    found = None
    for other in list(sys.meta_path):
        if other is finder or not hasattr(other, "find_spec"):
            continue
        found = other.find_spec(fullname, path, target)
        if found is not None:
            break
    if found is None or found.loader is None:
        error = FileNotFoundError(f"no files for {fullname} in {', '.join(path or ()) or owner.prefix}")
        if strict():
            raise ModuleNotFoundError(str(error), name=fullname)
        raise _load_error(record, error)
    # The import system reads these after create_module(), when it sets the module's
    # __file__, __path__, __loader__ and runs spec.loader.exec_module().
    guarded = _GuardedLoader(found.loader, record)
    spec.loader = guarded  # type: ignore[assignment]
    spec.origin = found.origin
    spec.loader_state = found.loader_state
    spec.submodule_search_locations = found.submodule_search_locations
    spec.has_location = found.has_location
    spec.cached = found.cached
    return guarded


def reload(finder: object, module: "ModuleType") -> None:
    """What ``importlib.reload()`` of ``<host>.modules.<name>`` runs (the finder's loader's
    ``exec_module`` alone, without ``create_module``): the checks first, then the module's
    own loader, with what the import system set from the finder's spec made the module's own."""
    spec = module.__spec__
    assert spec is not None  # set by the import system before it runs a loader
    loader = admit_spec(finder, spec)
    module.__loader__ = loader
    module.__package__ = spec.parent
    if spec.submodule_search_locations is not None:
        module.__path__ = spec.submodule_search_locations
    if spec.has_location:
        module.__file__ = spec.origin
        if spec.cached is not None:
            setattr(module, "__cached__", spec.cached)  # noqa: B010 - ModuleType does not declare it
    loader.exec_module(module)


def modules_attribute(package_module: "ModuleType", name: str) -> "Any":
    """Attribute ``name`` of ``<host>.modules`` (``package_module``): a module's name goes
    through the host (:meth:`Host.require`), anything else is the package's own."""
    if not is_module_name(name):
        return type(sys).__getattribute__(package_module, name)
    return host(type(sys).__getattribute__(package_module, "_modgate_host")).require(name)


def modules_dir(package_module: "ModuleType") -> "list[str]":
    """``dir(<host>.modules)``: the package's own names and every module the host knows.
    Never fails: a broken install still shows what is here."""
    owner = host(type(sys).__getattribute__(package_module, "_modgate_host"))
    names = {"__doc__", "__name__", "__path__", "__package__", "__spec__"}
    import contextlib

    with contextlib.suppress(Exception):
        names.update(owner.info()["modules"])
    return sorted(names)


class _AfterInit:
    """``MODGATE_EAGER=1``: imports host ``package``'s modules once the host's
    ``__init__.py`` (``frame``, which called attach()) has run to its end, since its modules
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
    if flag("MODGATE_EAGER"):
        eager_host(package)


def eager_after_init(package: str, frame: "Any") -> None:
    """``MODGATE_EAGER`` set when host ``package`` attached from ``frame`` (its
    ``__init__.py``): import its modules when that frame returns (:class:`_AfterInit`)."""
    previous = sys.getprofile()
    if previous is not None and not isinstance(previous, _AfterInit):
        _eager(package)  # a profiler has the hook: import now, before the rest of __init__
        return
    sys.setprofile(_AfterInit(package, frame, previous))


def eager_host(package: str) -> list[str]:
    """``MODGATE_EAGER=1``: import every enabled module of host ``package`` (nothing for a
    source tree that was not built: the build itself imports from there)."""
    try:
        summary(package)
    except NotBuiltError:
        return []
    return [f"{package}.{name}" for name in host(package).eager()]
