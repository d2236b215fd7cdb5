"""What the installer recorded about a module's files (the ``RECORD`` of the wheel that
installed them), to refuse a damaged native library before it is loaded: the dynamic
loader maps a library cut short and the process dies with SIGBUS at the first page past
its end, which no ``except`` can catch.

Every library's size is compared with its record (one ``stat``); its content is hashed
only when the file changed after the install (newer than the ``RECORD`` the installer
wrote last), so an intact install pays no hashing. A file no ``RECORD`` lists (a build
tree, an editable install, a plain CMake install) is not judged.
"""

import os

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["damage", "installed", "normalized"]

_DEPTH = 8  # folders above a file searched for its site folder (<site>/<package>/modules/<name>/lib)

# Read once per process: each folder's entries, each RECORD, and where each distribution's is.
_LISTINGS: "dict[str, list[str]]" = {}
_TABLES: "dict[str, tuple[int, dict[str, tuple[str, str]]] | None]" = {}  # RECORD -> (mtime, path -> (hash, size))
_FOUND: "dict[tuple[str, str], tuple[str, str] | None]" = {}  # (distribution, folder) -> (site, RECORD)


def normalized(name: str) -> str:
    """A distribution's name as installers compare it in ``.dist-info`` folder names."""
    return name.lower().replace("-", "_").replace(".", "_")


def _ancestors(path: str) -> "Iterator[str]":
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(_DEPTH):
        yield folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return
        folder = parent


def _listing(folder: str) -> "list[str]":
    if folder not in _LISTINGS:
        try:
            _LISTINGS[folder] = os.listdir(folder)
        except OSError:
            _LISTINGS[folder] = []
    return _LISTINGS[folder]


def _table(record: str) -> "tuple[int, dict[str, tuple[str, str]]] | None":
    """A RECORD's mtime and its lines: path -> (algorithm=digest, size)."""
    if record not in _TABLES:
        try:
            with open(record, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
            mtime = os.stat(record).st_mtime_ns
        except (OSError, ValueError):
            _TABLES[record] = None
            return None
        table = {}
        for line in lines:
            # path,algorithm=digest,size: a path with a comma is quoted, and is none of ours
            head, _, size = line.rpartition(",")
            name, _, digest = head.rpartition(",")
            if name and not name.startswith('"'):
                table[name] = (digest, size)
        _TABLES[record] = (mtime, table)
    return _TABLES[record]


def _record(path: str, distribution: str) -> "tuple[str, str, int, dict[str, tuple[str, str]]] | None":
    """The installed ``distribution``'s RECORD, found in the first folder above ``path``
    holding its ``.dist-info`` (the site folder): (site, RECORD, its mtime, its lines)."""
    key = (distribution, os.path.dirname(path))
    if key not in _FOUND:
        wanted = normalized(distribution)
        _FOUND[key] = None
        for folder in _ancestors(path):
            for entry in _listing(folder):
                if entry.endswith(".dist-info") and normalized(entry[: -len(".dist-info")].split("-", 1)[0]) == wanted:
                    record = os.path.join(folder, entry, "RECORD")
                    if _table(record) is not None:
                        _FOUND[key] = (folder, record)
                        break
            if _FOUND[key] is not None:
                break
    found = _FOUND[key]
    if found is None:
        return None
    read = _table(found[1])
    assert read is not None  # found only when it was read
    return (found[0], found[1], *read)


def installed(distribution: str, near: str) -> bool:
    """Whether ``distribution`` is installed in the site folder above ``near`` (a path in
    it, which need not exist): its ``.dist-info`` is there. No metadata library is imported."""
    return _record(near, distribution) is not None


def _digest(path: str, algorithm: str) -> str:
    import base64
    import hashlib

    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def damage(path: str, distribution: str) -> str | None:
    """Why the file at ``path``, installed by ``distribution``, must not be loaded: its size
    or (when it changed after the install) its content differs from the distribution's
    ``RECORD``. ``None`` when it matches, or when no ``RECORD`` lists it."""
    found = _record(path, distribution)
    if found is None:
        return None
    site, record, installed, table = found
    relative = os.path.relpath(os.path.abspath(path), site).replace(os.sep, "/")
    listed = table.get(relative)
    if listed is None:
        return None
    digest, size = listed
    try:
        stat = os.stat(path)
    except OSError as exc:
        return f"it cannot be read ({exc})"
    if size.isdigit() and stat.st_size != int(size):
        return f"it is {stat.st_size} bytes, but {record} says {size}: it was cut short or replaced after the install"
    algorithm, _, expected = digest.partition("=")
    if stat.st_mtime_ns > installed and expected:
        try:
            actual = _digest(path, algorithm)
        except (OSError, ValueError) as exc:
            return f"its content cannot be checked ({exc})"
        if actual != expected:
            return f"its content changed after the install ({algorithm} {actual}, but {record} says {expected})"
    return None
