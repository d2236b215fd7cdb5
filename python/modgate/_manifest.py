"""What a host's build decided, read from its installed build manifest
(``<package>/_manifest.json``).

On the path of ``import <host>``: it imports only ``os`` and ``sys``. ``is_built()`` reads
the manifest's first lines and splits its index (:func:`built`: no JSON parsed); a
module's entry is parsed from its own line when first asked for (:func:`module_entry`),
the top-level keys likewise (:func:`summary`), the whole file only for :func:`manifest`.

Every value the loader reads is checked here first (:func:`entry_problem`,
:func:`top_problem`): a file that is cut short, edited or overwritten raises
:class:`~modgate.ManifestError` naming the file and the reinstall, never a ``KeyError``
or a ``TypeError`` from deep in the loader.
"""

import os
import sys

from ._names import MANIFEST_NAME, module_record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from .exceptions import ManifestError

__all__ = [
    "built",
    "entry_problem",
    "index",
    "manifest",
    "manifest_error",
    "manifest_file",
    "manifest_path",
    "module_entry",
    "parse_json",
    "read_json",
    "read_manifest",
    "summary",
    "top_problem",
]

_STRINGS = ("reason", "option", "source", "stage", "requested", "summary")
_LISTS = ("requires", "optional_present", "python_requires", "native", "blocked_by", "maintainers")


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def entry_problem(entry: object) -> str | None:
    """What is wrong with a module's manifest entry, as the loader reads it; ``None`` when
    nothing is. Keys the loader does not read are not judged."""
    if not isinstance(entry, dict):
        return f"the entry is a {type(entry).__name__}, not an object"
    if entry.get("state") not in ("ON", "OFF"):
        return f"state is {entry.get('state')!r}, not 'ON' or 'OFF'"
    for key in _STRINGS:
        if key in entry and not isinstance(entry[key], str):
            return f"{key} is {entry[key]!r}, not a string"
    if "reason" not in entry:
        return "it has no reason"
    for key in _LISTS:
        if key in entry and not _strings(entry[key]):
            return f"{key} is {entry[key]!r}, not a list of strings"
    if entry.get("wheel") is not None and not isinstance(entry["wheel"], str):
        return f"wheel is {entry['wheel']!r}, not a string"
    for key in ("provides", "probe"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            return f"{key} is {entry[key]!r}, not a string"
    priority = entry.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        return f"priority is {priority!r}, not an integer"
    deprecated = entry.get("deprecated")
    if deprecated is not None:
        if not isinstance(deprecated, dict) or not all(isinstance(deprecated.get(k), str) for k in ("since", "reason")):
            return f"deprecated is {deprecated!r}, not an object with since and reason"
        if not all(isinstance(deprecated.get(k), str | None) for k in ("removal", "replacement")):
            return f"deprecated is {deprecated!r}: removal and replacement must be strings or null"
    return None


def top_problem(top: object) -> str | None:
    """What is wrong with a manifest's (or a module wheel's record's) top-level keys."""
    if not isinstance(top, dict):
        return f"it holds a {type(top).__name__}, not an object"
    if not isinstance(top.get("version"), str):
        return f"version is {top.get('version')!r}, not a string"
    abi = top.get("abi_version")
    if not isinstance(abi, int) or isinstance(abi, bool):
        return f"abi_version is {abi!r}, not an integer"
    for key in ("distribution", "host", "package", "build"):
        if key in top and not isinstance(top[key], str):
            return f"{key} is {top[key]!r}, not a string"
    capabilities = top.get("capabilities", {})
    if not isinstance(capabilities, dict) or not all(
        isinstance(c, dict) and isinstance(c.get("provider"), str | None) for c in capabilities.values()
    ):
        return f"capabilities is {capabilities!r}, not an object of objects naming their provider"
    for name, capability in capabilities.items():
        if not all(_strings(capability.get(key, [])) for key in ("providers", "prefer")):
            return f"capability {name!r} is {capability!r}: providers and prefer must be lists of strings"
    return None


def manifest_error(path: str, why: str, distribution: str | None = None) -> "ManifestError":
    """The error for a manifest or record that cannot be used: the file, why, and the
    reinstall that replaces it (``distribution``: the one that installed it, when known)."""
    from .exceptions import ManifestError

    if distribution is None:
        distribution = _owner(path)
    return ManifestError(
        f"{path} cannot be read: {why}. The file is generated by the build and installed with"
        f" {distribution}, so the install is broken (cut short, edited or overwritten): reinstall it,"
        f" pip install --force-reinstall --no-deps {distribution}",
        path=path,
    )


_OWNERS: "dict[str, list[str]]" = {}  # package folder -> distributions, read once per process


def _owner(path: str) -> str:
    """The distribution that installed ``path`` (from the installed files' records), or
    the name of the package folder holding it. Only on the way to an error: it reads
    every installed distribution's file list, once per process."""
    package = os.path.basename(os.path.dirname(os.path.abspath(path)))
    if not _OWNERS:
        try:
            from importlib.metadata import packages_distributions

            _OWNERS.update(packages_distributions())
        except Exception:  # a broken environment: the folder's name is still a fair guess
            _OWNERS[""] = []
    found = _OWNERS.get(package)
    return found[0] if found else package


def parse_json(text: str, path: str = "<text>") -> "Any":
    """The JSON value of ``text``, read from file ``path``; a :class:`ManifestError` when it
    is not JSON (or nests too deep to read)."""
    import json  # only once a module is asked for: `import <host>` + is_built() parse no JSON

    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise manifest_error(path, f"it is not valid JSON ({type(exc).__name__}: {exc})") from None


def read_json(path: str) -> "Any":
    """The JSON value of file ``path``. Raises ``OSError`` (a missing file is for the caller
    to judge) or :class:`ManifestError`."""
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise manifest_error(path, f"it is not UTF-8 text ({exc})") from None
    return parse_json(text, path)


def read_manifest(path: str) -> "dict[str, Any]":
    """A whole build manifest, checked: every entry the loader reads is usable."""
    data = read_json(path)
    why = top_problem(data)
    modules = data.get("modules") if isinstance(data, dict) else None
    if why is None and not isinstance(modules, dict):
        why = "it has no modules object"
    if why is None and isinstance(modules, dict):
        for name, entry in modules.items():
            problem = entry_problem(entry)
            if problem is not None:
                why = f"the entry of module {name!r}: {problem}"
                break
    if why is not None:
        raise manifest_error(path, why)
    data.pop("index", None)  # the layout's, not the build's (see modgate._configure.manifest)
    result: dict[str, Any] = data
    return result


def manifest_file(package: str = "modgate") -> str:
    """Where the build manifest of the imported host ``package`` is (a plain string)."""
    module = sys.modules[package]
    # Every entry of __path__: an editable install spreads the package over the
    # source tree and the build's install tree.
    entries = list(getattr(module, "__path__", ()))
    for entry in entries:
        candidate = os.path.join(entry, MANIFEST_NAME)
        if os.path.isfile(candidate):
            return candidate
    from .exceptions import NotBuiltError  # not imported on the path of `import <host>`

    raise NotBuiltError(
        f"{package} has no build manifest ({MANIFEST_NAME} not found in {', '.join(entries) or '?'}): it is"
        " imported from a source tree that was not built. Install it with `pip install .` (or build with"
        " CMake, run `cmake --install build --prefix <prefix>` and put <prefix> on PYTHONPATH)"
    )


def manifest_path(package: str = "modgate") -> "Path":
    """Where the build manifest of the imported host ``package`` is."""
    from pathlib import Path

    return Path(manifest_file(package))


_MANIFESTS: "dict[str, dict[str, Any]]" = {}


def manifest(package: str = "modgate") -> "dict[str, Any]":
    """Host ``package``'s parsed manifest, read once per process. Shared: never modify it."""
    data = _MANIFESTS.get(package)
    if data is None:
        # Two threads may both read it the first time; both get equal data.
        data = _MANIFESTS[package] = read_manifest(manifest_file(package))
    return data


class _Head:
    """The first lines of a manifest: its index of modules, and (parsed when first asked
    for) its top-level keys. The layout is :mod:`modgate._configure.manifest`'s."""

    __slots__ = ("_lines", "_top", "base", "built", "entries", "offsets", "path")

    def __init__(self, path: str) -> None:
        self.path = path
        self.entries: dict[str, Any] = {}
        self._top: dict[str, Any] | None = None
        self.built: dict[str, str | None]
        self.offsets: dict[str, int] | str
        with open(path, "rb") as handle:
            lines = [handle.readline() for _ in range(4)]
        field = lines[1][10:-3] if lines[1].startswith(b'"index": "') and lines[1].endswith(b'",\n') else b""
        parts = field.split(b";")
        if len(parts) == 4 and lines[3] == b'"modules": {\n':
            try:
                self.built, self.offsets = _read_index(parts)
            except ValueError as exc:
                raise manifest_error(path, f"its index (line 2) is damaged: {exc}") from None
            self._lines = lines[0]
            self.base = sum(map(len, lines))
        else:  # another layout (a manifest written by hand): read it whole
            data = read_manifest(path)
            self.entries = data["modules"]
            self._top = {k: v for k, v in data.items() if k not in ("order", "modules")}
            self.built = {n: (e.get("wheel") or "" if e["state"] == "ON" else None) for n, e in self.entries.items()}
            self.offsets = {}
            self.base = -1

    @property
    def top(self) -> "dict[str, Any]":
        if self._top is None:
            try:
                text = self._lines.decode("utf-8").rstrip().rstrip(",") + "}"
            except UnicodeDecodeError as exc:
                raise manifest_error(self.path, f"its first line is not UTF-8 text ({exc})") from None
            top = parse_json(text, self.path)
            why = top_problem(top)
            if why is not None:
                raise manifest_error(self.path, why)
            self._top = top
        return self._top

    def entry(self, name: str) -> "dict[str, Any] | None":
        found = self.entries.get(name)
        if found is not None or name not in self.built:
            return found
        if isinstance(self.offsets, str):
            self.offsets = dict(zip(self.built, map(int, self.offsets.split()), strict=True))
        with open(self.path, "rb") as handle:
            handle.seek(self.base + self.offsets[name])
            raw = handle.readline()
        key = f'"{name}": '.encode()
        if not raw.startswith(key) or not raw.endswith(b"\n"):
            raise manifest_error(self.path, f"the entry of module {name!r} is not where its index says")
        text = raw[len(key) :].rstrip()
        try:
            value = parse_json(text.decode("utf-8").removesuffix(","), self.path)
        except UnicodeDecodeError as exc:
            raise manifest_error(self.path, f"the entry of module {name!r} is not UTF-8 text ({exc})") from None
        why = entry_problem(value)
        if why is not None:
            raise manifest_error(self.path, f"the entry of module {name!r}: {why}")
        entry: dict[str, Any] = value
        self.entries[name] = entry
        return entry


def _read_index(parts: "list[bytes]") -> "tuple[dict[str, str | None], str]":
    """The index's four fields: name -> None (OFF), "" (ON, in the core) or the
    distribution of its own wheel; and the entries' offsets, split when first needed.
    ``ValueError`` saying what does not add up."""
    names = parts[0].decode("ascii").split()
    states = parts[1].decode("ascii")
    offsets = parts[2].decode("ascii")
    wheels = dict(w.split("=", 1) for w in parts[3].decode("ascii").split() if "=" in w)
    if len(states) != len(names) or states.strip("01"):
        raise ValueError(f"{len(names)} module names but states {states[:40]!r}")
    count = offsets.count(" ") + 1 if offsets else 0
    if count != len(names) or (not offsets.replace(" ", "").isdigit() and names):
        raise ValueError(f"{len(names)} module names but offsets {offsets[:40]!r}")
    if not set(wheels) <= set(names) or len(wheels) != len(parts[3].split()):
        raise ValueError(f"wheels {parts[3][:40]!r} name modules the index does not list")
    return {n: (wheels.get(n, "") if s == "1" else None) for n, s in zip(names, states, strict=True)}, offsets


_HEADS: "dict[str, _Head]" = {}


def _head(package: str) -> _Head:
    head = _HEADS.get(package)
    if head is None:
        head = _HEADS[package] = _Head(manifest_file(package))
    return head


def index(package: str = "modgate") -> "dict[str, str | None]":
    """Every module of host ``package``'s build: name -> ``None`` (OFF), ``""`` (ON, in the
    core) or the distribution of the wheel it ships in; from the manifest's second line,
    without a JSON parser (what ``is_built`` needs)."""
    return _head(package).built


_WHEELS: "dict[str, tuple[str, set[str]]]" = {}  # host -> (its manifest's folder, module wheels seen installed)


def built(package: str, name: str) -> "bool | None":
    """Whether host ``package``'s build built module ``name``, and, for a module shipped in
    a wheel of its own, whether that wheel is installed (one stat of the record it
    installs beside the manifest; what it holds is read when the module is imported).
    ``None`` for a name the build does not know (a plugin's module, perhaps)."""
    wheel = _head(package).built.get(name, False)
    if wheel is False:
        return None
    if wheel is None:
        return False
    if not wheel:
        return True  # ON, in the core
    seen = _WHEELS.get(package)
    if seen is None:
        seen = _WHEELS.setdefault(package, (os.path.dirname(_head(package).path), set()))
    if name in seen[1]:
        return True
    found = os.path.isfile(os.path.join(seen[0], module_record(name)))
    if found:
        seen[1].add(name)
    return found


def summary(package: str = "modgate") -> "dict[str, Any]":
    """The manifest's top-level keys but ``modules`` and ``order`` (version, ABI, ...)."""
    return _head(package).top


def module_entry(package: str, name: str) -> "dict[str, Any] | None":
    """Module ``name``'s manifest entry (read on its own the first time), or ``None``."""
    data = _MANIFESTS.get(package)
    if data is not None:
        found: dict[str, Any] | None = data["modules"].get(name)
        return found
    return _head(package).entry(name)
