"""What a host's build decided, read from its installed build manifest
(``<package>/_manifest.json``).

On the path of ``import <host>``: it imports only ``os`` and ``sys``. ``is_built()`` reads
the manifest's first lines and splits its index (:func:`built`: no JSON parsed); a
module's entry is parsed from its own line when first asked for (:func:`module_entry`),
the top-level keys likewise (:func:`summary`), the whole file only for :func:`manifest`.
JSON is parsed with the C scanner behind :mod:`json` (the :mod:`json` package itself
pulls in ``re`` and ``enum``, several milliseconds on a bare interpreter).
"""

import os
import sys

from ._names import MANIFEST_NAME, module_record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

__all__ = [
    "built",
    "index",
    "manifest",
    "manifest_file",
    "manifest_path",
    "module_entry",
    "parse_json",
    "read_manifest",
    "summary",
]


class _ScanContext:
    # The attributes json's C scanner reads (json.JSONDecoder's defaults).
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = None

    def __init__(self) -> None:
        self.memo: dict[str, Any] = {}


def _scan(text: str, start: int = 0) -> "tuple[Any, int]":
    """The JSON value at ``text[start:]`` and where it ends."""
    try:
        import _json
    except ImportError:  # an interpreter without the C accelerator
        import json

        return json.JSONDecoder().raw_decode(text, start)
    scanner: Any = _json.make_scanner(_ScanContext())  # type: ignore[arg-type]
    try:
        value, end = scanner(text, start)
    except StopIteration:
        raise ValueError(f"no JSON value at offset {start}") from None
    return value, end


def parse_json(text: str) -> "Any":
    """``json.loads`` for a trusted, generated file, without importing :mod:`json`."""
    start = len(text) - len(text.lstrip())
    value, end = _scan(text, start)
    if text[end:].strip():
        raise ValueError(f"extra data after the JSON value at offset {end}")
    return value


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


def read_manifest(path: str) -> "dict[str, Any]":
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = parse_json(handle.read())
    data.pop("index", None)  # the layout's, not the build's (see modgate._configure.manifest)
    return data


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
        with open(path, "rb") as handle:
            lines = [handle.readline() for _ in range(4)]
        field = lines[1][10:-3].decode("utf-8") if lines[1].startswith(b'"index": "') else ""
        parts = field.split(";") if lines[1].endswith(b'",\n') and b"\\" not in lines[1] else []
        if len(parts) == 4 and lines[3] == b'"modules": {\n':
            names = parts[0].split()
            wheels = dict(w.split("=", 1) for w in parts[3].split())
            # name -> None (OFF), "" (ON, in the core) or the distribution of its own wheel
            self.built: dict[str, str | None] = {
                n: (wheels.get(n, "") if s == "1" else None) for n, s in zip(names, parts[1], strict=True)
            }
            self.offsets: dict[str, int] | str = parts[2]  # split when an entry is first read
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
            self._top = parse_json(self._lines.decode("utf-8").rstrip().rstrip(",") + "}")
        return self._top

    def entry(self, name: str) -> "dict[str, Any] | None":
        found = self.entries.get(name)
        if found is not None or name not in self.built:
            return found
        if isinstance(self.offsets, str):
            self.offsets = dict(zip(self.built, map(int, self.offsets.split()), strict=True))
        with open(self.path, "rb") as handle:
            handle.seek(self.base + self.offsets[name])
            line = handle.readline().decode("utf-8")
        key = f'"{name}": '
        try:
            if not line.startswith(key):
                raise ValueError(line[:40])
            value, end = _scan(line, len(key))
            if line[end:].strip() not in ("", ","):
                raise ValueError(line[end:][:40])
        except ValueError as exc:
            raise ValueError(f"{self.path}: the entry of module {name!r} is not where its index says ({exc})") from None
        entry: dict[str, Any] = value
        self.entries[name] = entry
        return entry


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
