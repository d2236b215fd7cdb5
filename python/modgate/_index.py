"""The build manifest's index: all that ``is_built()`` reads, without a JSON parser.

A build writes the manifest (``<package>/_manifest.json``) with the index on its second
line (the layout is :mod:`modgate._configure.manifest`'s); :class:`Index` splits it,
:func:`built` answers from it. The rest of the file (the top-level keys, each module's
entry, the checks and their errors) is :mod:`modgate._manifest`'s, which the loader uses.

On the path of ``import <host>`` + ``is_built()``, beside ``modgate/__init__.py``: it
imports only ``os`` (and the exception of a host that was not built, on that way). The
names that path reads are defined here; :mod:`modgate._names` re-exports them for every
other file.
"""

import os
import sys

__all__ = [
    "MANIFEST_NAME",
    "MODULES_PACKAGE",
    "MODULE_RECORD_NAME",
    "Index",
    "built",
    "index_of",
    "manifest_file",
    "module_record",
]

MANIFEST_NAME = "_manifest.json"  # <package>/_manifest.json, written from the resolver's output
MODULES_PACKAGE = "modules"  # <package>.modules.<name>
# <package>/modules/<name>/_module.json: what a module wheel installs beside the module, so the
# loader knows it is there and which core it was built with, without reading entry points.
MODULE_RECORD_NAME = "_module.json"


def module_record(module: str) -> str:
    """Where a module wheel's ``_module.json`` is, relative to the host's package folder."""
    return f"{MODULES_PACKAGE}/{module}/{MODULE_RECORD_NAME}"


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
    from .exceptions import NotBuiltError

    raise NotBuiltError(
        f"{package} has no build manifest ({MANIFEST_NAME} not found in {', '.join(entries) or '?'}): it is"
        " imported from a source tree that was not built. Install it with `pip install .` (or build with"
        " CMake, run `cmake --install build --prefix <prefix>` and put <prefix> on PYTHONPATH)"
    )


class Index:
    """A manifest's first lines, read without a JSON parser (the layout is
    :mod:`modgate._configure.manifest`'s): ``built`` maps each module to ``None`` (OFF),
    ``""`` (ON, in the core) or the distribution of its own wheel. ``built`` is ``None``
    when the file is not of that layout or ``damage`` says why its index cannot be read:
    :mod:`modgate._manifest` then reads the whole file, or raises the error."""

    __slots__ = ("base", "built", "damage", "first", "offsets", "path", "wheels_seen")

    def __init__(self, path: str) -> None:
        self.path = path
        self.built: dict[str, str | None] | None = None
        self.offsets = ""  # the entries' offsets after ``base``, in ``built``'s order
        self.damage: str | None = None
        self.wheels_seen: set[str] = set()  # module wheels whose record was found installed
        with open(path, "rb") as handle:
            lines = [handle.readline() for _ in range(4)]
        self.first = lines[0]  # the top-level keys but "modules", "index" and "order"
        self.base = -1  # where the entries start
        line = lines[1]
        if not (line.startswith(b'"index": "') and line.endswith(b'",\n') and lines[3] == b'"modules": {\n'):
            return
        parts = line[10:-3].split(b";")
        try:
            if len(parts) != 4:
                raise ValueError(f"{len(parts)} fields, not 4")
            names = parts[0].decode("ascii").split()
            states = parts[1].decode("ascii")
            offsets = parts[2].decode("ascii")
            wheels = dict(w.split("=", 1) for w in parts[3].decode("ascii").split() if "=" in w)
            if len(states) != len(names) or states.strip("01"):
                raise ValueError(f"{len(names)} module names but states {states[:40]!r}")
            count = offsets.count(" ") + 1 if offsets else 0
            if count != len(names) or (names and not offsets.replace(" ", "").isdigit()):
                raise ValueError(f"{len(names)} module names but offsets {offsets[:40]!r}")
            if not set(wheels) <= set(names) or len(wheels) != len(parts[3].split()):
                raise ValueError(f"wheels {parts[3][:40]!r} name modules the index does not list")
        except ValueError as exc:  # UnicodeDecodeError too
            self.damage = str(exc)
            return
        self.built = {n: (wheels.get(n, "") if s == "1" else None) for n, s in zip(names, states, strict=True)}
        self.offsets = offsets
        self.base = sum(map(len, lines))


_INDEXES: "dict[str, Index]" = {}


def index_of(package: str) -> Index:
    """Host ``package``'s :class:`Index`, read once per process."""
    found = _INDEXES.get(package)
    if found is None:
        # Two threads may both read it the first time; both get equal data.
        found = _INDEXES[package] = Index(manifest_file(package))
    return found


def built(package: str, name: str) -> "bool | None":
    """Whether host ``package``'s build built module ``name``, and, for a module shipped in
    a wheel of its own, whether that wheel is installed (one stat of the record it
    installs beside the manifest; what it holds is read when the module is imported).
    ``None`` for a name the build does not know (a plugin's module, perhaps), or when the
    index cannot answer (:class:`Index`)."""
    found = _INDEXES.get(package) or index_of(package)
    if found.built is None:
        return None
    wheel = found.built.get(name, False)
    if wheel is None or wheel is False:
        return None if wheel is False else False
    if not wheel or name in found.wheels_seen:
        return True  # ON, in the core; or its wheel's record was seen
    if os.path.isfile(os.path.join(os.path.dirname(found.path), module_record(name))):
        found.wheels_seen.add(name)
        return True
    return False
