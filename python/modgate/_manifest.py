"""What a host's build decided, read from its installed build manifest
(``<package>/_manifest.json``).

Not on the path of ``import <host>``: ``is_built()`` is answered from the manifest's index
(:mod:`modgate._index`, no JSON parsed). Here a module's entry is parsed from its own
line when first asked for (:func:`module_entry`), the top-level keys likewise
(:func:`summary`), the whole file only for :func:`manifest` or a file written by hand.

Every value the loader reads is checked here first (:func:`entry_problem`,
:func:`top_problem`): a file that is cut short, edited or overwritten raises
:class:`~modgate.ManifestError` naming the file and the reinstall, never a ``KeyError``
or a ``TypeError`` from deep in the loader.
"""

import os

from ._index import built as _built
from ._index import index_of, manifest_file

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from ._index import Index
    from .exceptions import ManifestError

__all__ = [
    "built",
    "entry_problem",
    "index",
    "json_load",
    "json_loads",
    "manifest",
    "manifest_error",
    "manifest_file",
    "manifest_path",
    "module_entry",
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


def json_loads(text: str, path: str = "<text>") -> "Any":
    """The JSON value of ``text``, read from file ``path``; a :class:`ManifestError` when it
    is not JSON (or nests too deep to read)."""
    import json  # only once a module is asked for: `import <host>` + is_built() parse no JSON

    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise manifest_error(path, f"it is not valid JSON ({type(exc).__name__}: {exc})") from None


def json_load(path: str) -> "Any":
    """The JSON value of file ``path``. Raises ``OSError`` (a missing file is for the caller
    to judge) or :class:`ManifestError`."""
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise manifest_error(path, f"it is not UTF-8 text ({exc})") from None
    return json_loads(text, path)


def read_manifest(path: str) -> "dict[str, Any]":
    """A whole build manifest, checked: every entry the loader reads is usable."""
    data = json_load(path)
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


class _Reader:
    """Host ``package``'s manifest beyond its index (:class:`modgate._index.Index`): the
    top-level keys and each module's entry, each parsed from its own line when first asked
    for; the whole file at once when it is not of the indexed layout. Raises the
    :class:`ManifestError` for an index that cannot be read."""

    __slots__ = ("_offsets", "_top", "entries", "index")

    def __init__(self, index: "Index") -> None:
        self.index = index
        self.entries: dict[str, Any] = {}
        self._top: dict[str, Any] | None = None
        self._offsets: dict[str, int] | None = None
        if index.damage is not None:
            raise manifest_error(index.path, f"its index (line 2) is damaged: {index.damage}")
        if index.built is None:  # another layout (a manifest written by hand): read it whole
            data = read_manifest(index.path)
            self.entries = data["modules"]
            self._top = {k: v for k, v in data.items() if k not in ("order", "modules")}
            index.built = {n: (e.get("wheel") or "" if e["state"] == "ON" else None) for n, e in self.entries.items()}

    @property
    def built(self) -> "dict[str, str | None]":
        assert self.index.built is not None  # set above when the file is not of the layout
        return self.index.built

    @property
    def top(self) -> "dict[str, Any]":
        if self._top is None:
            try:
                text = self.index.first.decode("utf-8").rstrip().rstrip(",") + "}"
            except UnicodeDecodeError as exc:
                raise manifest_error(self.index.path, f"its first line is not UTF-8 text ({exc})") from None
            top = json_loads(text, self.index.path)
            why = top_problem(top)
            if why is not None:
                raise manifest_error(self.index.path, why)
            self._top = top
        return self._top

    def entry(self, name: str) -> "dict[str, Any] | None":
        found = self.entries.get(name)
        if found is not None or name not in self.built:
            return found
        path = self.index.path
        if self._offsets is None:
            self._offsets = dict(zip(self.built, map(int, self.index.offsets.split()), strict=True))
        with open(path, "rb") as handle:
            handle.seek(self.index.base + self._offsets[name])
            raw = handle.readline()
        key = f'"{name}": '.encode()
        if not raw.startswith(key) or not raw.endswith(b"\n"):
            raise manifest_error(path, f"the entry of module {name!r} is not where its index says")
        text = raw[len(key) :].rstrip()
        try:
            value = json_loads(text.decode("utf-8").removesuffix(","), path)
        except UnicodeDecodeError as exc:
            raise manifest_error(path, f"the entry of module {name!r} is not UTF-8 text ({exc})") from None
        why = entry_problem(value)
        if why is not None:
            raise manifest_error(path, f"the entry of module {name!r}: {why}")
        entry: dict[str, Any] = value
        self.entries[name] = entry
        return entry


_READERS: "dict[str, _Reader]" = {}


def _reader(package: str) -> _Reader:
    found = _READERS.get(package)
    if found is None:
        found = _READERS[package] = _Reader(index_of(package))
    return found


def index(package: str = "modgate") -> "dict[str, str | None]":
    """Every module of host ``package``'s build: name -> ``None`` (OFF), ``""`` (ON, in the
    core) or the distribution of the wheel it ships in."""
    return _reader(package).built


def built(package: str, name: str) -> "bool | None":
    """:func:`modgate._index.built`, for a manifest of any layout, raising the
    :class:`ManifestError` of one that cannot be read."""
    _reader(package)
    return _built(package, name)


def summary(package: str = "modgate") -> "dict[str, Any]":
    """The manifest's top-level keys but ``modules`` and ``order`` (version, ABI, ...)."""
    return _reader(package).top


def module_entry(package: str, name: str) -> "dict[str, Any] | None":
    """Module ``name``'s manifest entry (read on its own the first time), or ``None``."""
    data = _MANIFESTS.get(package)
    if data is not None:
        found: dict[str, Any] | None = data["modules"].get(name)
        return found
    return _reader(package).entry(name)
