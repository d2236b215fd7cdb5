"""What one process can name as a host's module: its build manifest (in-tree modules,
in the host's wheel or each in a wheel of its own) plus the distributions that add
modules through the entry-point group ``<host>.modules`` (plugins), scanned at most once
per process and host.
"""

import os
import sys

from . import _manifest_file
from ._installed import installed, normalized
from ._manifest import (
    index,
    json_load,
    manifest_error,
    module_entry,
    read_manifest,
    summary,
    top_problem,
)
from ._names import (
    MANIFEST_NAME,
    MODULE_RECORD_NAME,
    MODULES_PACKAGE,
    entry_point_group,
    extra_name,
    module_import_name,
    module_record,
)
from .exceptions import ManifestError, ModuleAbiError, ModuleClashError, ModuleLoadError, ModuleUnavailableError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Record", "clash", "in_tree", "out_of_tree", "read_entry_points", "wheel_problem"]

# Where a module's files came from, as info() and `modgate list` say it.
IN_CORE = "core"
OWN_WHEEL = "module wheel"
PLUGIN = "plugin"


class Record:
    """A module one host can name: in-tree (its manifest) or a plugin's (an entry point)."""

    __slots__ = (
        "abi_version",
        "base",
        "distribution",
        "entry",
        "error",
        "host",
        "import_name",
        "name",
        "origin",
        "shipped",
        "version",
    )

    def __init__(
        self,
        host: str,
        name: str,
        entry: "dict[str, Any]",
        *,
        base: str,
        origin: str,
        distribution: str,
        import_name: str,
        version: str,
        abi_version: int,
        error: str | None = None,
        shipped: str = IN_CORE,
    ) -> None:
        self.host = host
        self.name = name
        self.entry = entry
        self.base = base  # the folder holding the manifest; native artifacts are relative to it
        self.origin = origin
        self.distribution = distribution
        self.import_name = import_name
        self.version = version
        self.abi_version = abi_version
        self.error = error  # a plugin's module whose build manifest cannot be read
        self.shipped = shipped  # IN_CORE, OWN_WHEEL or PLUGIN


def in_tree(host: str, name: str) -> Record | None:
    entry = module_entry(host, name)
    if entry is None:
        return None
    wheel = entry.get("wheel")
    data = summary(host)
    return Record(
        host,
        name,
        entry,
        base=os.path.dirname(_manifest_file(host)),
        origin="in-tree",
        distribution=wheel or data.get("distribution", host),
        import_name=module_import_name(host, name),
        version=data["version"],
        abi_version=data["abi_version"],
        shipped=OWN_WHEEL if wheel else IN_CORE,
    )


def wheel_problem(record: Record) -> "ImportError | None":
    """Why the wheel of a module shipped on its own cannot be used: not installed, damaged,
    or built by another build of the core (its version, runtime ABI or build identity
    differ; read from the ``_module.json`` it installs, so nothing of it is loaded first);
    ``None`` when it matches."""
    top = summary(record.host)
    core = top.get("distribution", record.host)
    fullname = f"{record.host}.{MODULES_PACKAGE}.{record.name}"
    extra = extra_name(record.name)
    path = os.path.join(record.base, module_record(record.name))
    pinned = f'pip install --force-reinstall "{core}[{extra}]=={record.version}"'
    try:
        wheel = json_load(path)
        why = top_problem(wheel)
        if why is not None:
            raise manifest_error(path, why, record.distribution)
    except FileNotFoundError:
        if installed(record.distribution, path):
            return ModuleLoadError(
                f"module {record.name!r} ships in {record.distribution}, which is installed, but the"
                f" {MODULE_RECORD_NAME} it installs is missing ({path}): the install is broken. Reinstall it: {pinned}",
                module=record.name,
                fullname=fullname,
            )
        return ModuleUnavailableError(
            f"module {record.name!r} is built, but it ships in a wheel of its own, {record.distribution}, which is not"
            f' installed. Install it: pip install "{core}[{extra}]"',
            module=record.name,
            fullname=fullname,
            requirement=f"{record.distribution}=={record.version}",
        )
    except (OSError, ManifestError) as exc:
        return ModuleLoadError(
            f"module {record.name!r} cannot be checked against this {core}: {exc}",
            module=record.name,
            fullname=fullname,
        )
    theirs, their_abi = wheel["version"], wheel["abi_version"]
    ours, their_build = top.get("build"), wheel.get("build")
    if theirs == record.version and their_abi == record.abi_version and (ours is None or their_build == ours):
        return None
    if theirs == record.version and their_abi == record.abi_version:
        return ModuleAbiError(
            f"module {record.name!r} comes from {record.distribution} {theirs} of build {their_build or '?'}, but the"
            f" installed {core} {theirs} is build {ours}: wheels of one version from two builds may hold different"
            f" native code, so it is refused before its library is loaded. Install the module wheel built with this"
            f" {core} (the same `modgate wheels` run): {pinned}",
            module=record.name,
            fullname=fullname,
        )
    # The same version with another ABI is a wheel rebuilt by hand: only a reinstall replaces it.
    again = "--force-reinstall " if theirs == record.version else ""
    return ModuleAbiError(
        f"module {record.name!r} comes from {record.distribution} {theirs} (runtime ABI {their_abi}), but the"
        f" installed {core} is {record.version} (runtime ABI {record.abi_version}); a module wheel built for another"
        " core could crash the process, so it is refused before its library is loaded. Install the one built with"
        f' this {core}: pip install {again}"{core}[{extra}]=={record.version}"',
        module=record.name,
        fullname=fullname,
    )


def _read_plugin(host: str, name: str, value: str, distribution: str, version: str) -> Record:
    package, sep, rest = value.rpartition(f".{MODULES_PACKAGE}.")
    base = ""
    error = None
    entry: dict[str, Any] = {}
    abi = -1
    if not sep or rest != name:
        error = (
            f"its entry point {name} = {value!r} must name <package>.{MODULES_PACKAGE}.{name}, where"
            " modgate_add_modules installs the module ([tool.modgate] package)"
        )
    else:
        try:
            from importlib.util import find_spec

            spec = find_spec(package)
            locations = list(spec.submodule_search_locations or []) if spec else []
            for location in locations:
                if os.path.isfile(os.path.join(location, MANIFEST_NAME)):
                    base = location
                    break
            if not base:
                error = f"package {package!r} has no build manifest ({MANIFEST_NAME}); reinstall {distribution}"
            else:
                data = read_manifest(os.path.join(base, MANIFEST_NAME))
                if name not in data["modules"]:
                    error = f"the build manifest of {package!r} does not list module {name!r}; reinstall {distribution}"
                elif data.get("host", "modgate") != host:
                    error = (
                        f"the build manifest of {package!r} says its modules belong to host {data.get('host')!r},"
                        f" not {host!r}; its entry point is in the wrong group"
                    )
                else:
                    entry = data["modules"][name]
                    abi = int(data["abi_version"])
        except (ImportError, OSError, ValueError, KeyError, TypeError) as exc:
            error = f"cannot read its build manifest: {type(exc).__name__}: {exc}"
    if error is not None:
        entry = {"state": "ON", "reason": error, "stage": "?", "requires": [], "python_requires": [], "native": []}
    return Record(
        host,
        name,
        entry,
        base=base,
        origin="out-of-tree",
        distribution=distribution,
        import_name=value,
        version=version,
        abi_version=abi,
        error=error,
        shipped=PLUGIN,
    )


def clash(name: str, first: str, second: str) -> ModuleClashError:
    return ModuleClashError(
        f"module {name!r} is defined twice: by the {first} and by {second}. Uninstall one of them"
        f" (pip uninstall <distribution>), or rename the out-of-tree module",
        module=name,
        sources=[first, second],
    )


_scanned: dict[str, tuple[dict[str, Record], list[ModuleClashError]]] = {}


def read_entry_points(host: str) -> tuple[dict[str, Record], list[ModuleClashError]]:
    """Host ``host``'s plugin modules and the name clashes among them; the entry points are
    read once per process and host (two threads asking first may both read them; one
    answer is kept). No lock is held: reading imports the plugins' packages."""
    if host in _scanned:
        return _scanned[host]
    built = index(host)
    found: dict[str, Record] = {}
    clashes: list[ModuleClashError] = []
    for name, value, dist, dist_version in sorted(_entry_points(entry_point_group(host))):
        here = f"distribution {dist!r} (entry point {name} = {value})"
        if value == module_import_name(host, name):
            # The host's own module: its manifest alone says whether this build has it
            # (the entry points may be another build's, e.g. a tree on PYTHONPATH).
            continue
        if name in built:
            there = f"in-tree module {name!r} of {host} ({(module_entry(host, name) or {}).get('source', '?')})"
            clashes.append(clash(name, there, here))
            continue
        if name in found:
            other = found[name]
            there = f"distribution {other.distribution!r} (entry point {name} = {other.import_name})"
            clashes.append(clash(name, there, here))
            continue
        found[name] = _read_plugin(host, name, value, dist, dist_version)
    return _scanned.setdefault(host, (found, clashes))


def _entry_points(group: str) -> list[tuple[str, str, str, str]]:
    """Every ``(name, value, distribution, version)`` of entry-point ``group`` that the
    installed distributions declare, as :func:`importlib.metadata.entry_points` finds them
    (the first distribution of a name on ``sys.path`` wins), read from their
    ``entry_points.txt`` directly: importing :mod:`importlib.metadata` alone costs about
    13 ms, which a host's first lookup of a capability would pay. With a zip file on
    ``sys.path``, :mod:`importlib.metadata` reads them all."""
    if any(entry and os.path.isfile(entry) for entry in sys.path):
        from importlib.metadata import entry_points

        return [
            (ep.name, ep.value, ep.dist.name, ep.dist.version) if ep.dist is not None else (ep.name, ep.value, "?", "?")
            for ep in entry_points(group=group)
        ]
    found: list[tuple[str, str, str, str]] = []
    seen: set[str] = set()
    marker = group.encode()
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for folder in names:
            stem, dot, kind = folder.rpartition(".")
            if not dot or kind not in ("dist-info", "egg-info"):
                continue
            key = normalized(stem.partition("-")[0])
            if key in seen:
                continue
            seen.add(key)
            where = os.path.join(entry or ".", folder)
            try:  # bytes, and decoded only when the group is named: most files are not
                with open(os.path.join(where, "entry_points.txt"), "rb") as file:
                    data = file.read()
            except OSError:
                continue
            declared = _section(data.decode("utf-8", "replace"), group) if marker in data else []
            if declared:
                dist, version = _name_and_version(where, stem)
                found += [(name, value, dist, version) for name, value in declared]
    return found


def _text(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError):
        return ""


def _section(text: str, group: str) -> list[tuple[str, str]]:
    """The ``name = value`` lines of ``[group]`` in an ``entry_points.txt`` (INI)."""
    lines, inside = [], False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            inside = line[1:-1].strip() == group
        elif inside and "=" in line:
            name, _, value = line.partition("=")
            lines.append((name.strip(), value.strip()))
    return lines


def _name_and_version(folder: str, stem: str) -> tuple[str, str]:
    """A distribution's ``Name`` and ``Version`` from its metadata's header (else its folder's name)."""
    name, _, version = stem.partition("-")
    for meta in ("METADATA", "PKG-INFO"):
        for line in _text(os.path.join(folder, meta)).splitlines():
            if not line.strip():
                break  # the header ends at the first blank line
            key, _, value = line.partition(":")
            if key == "Name":
                name = value.strip()
            elif key == "Version":
                version = value.strip()
        if version:
            break
    return name, version or "?"


def out_of_tree(host: str, name: str, found: dict[str, Record], clashes: list[ModuleClashError]) -> Record | None:
    for error in clashes:
        if error.module == name:  # two distributions (in-tree names never get here)
            raise error  # which one to load is not ours to guess
    return found.get(name)
