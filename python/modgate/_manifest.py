"""What a host's build decided, read from its installed build manifest
(``<package>/_manifest.json``).

On the path of ``import <host>``: it imports only ``os`` and ``sys`` and parses the
manifest with the C scanner behind :mod:`json` (the :mod:`json` package itself pulls in
``re`` and ``enum``, several milliseconds on a bare interpreter).
"""

import os
import sys

from ._names import MANIFEST_NAME
from .exceptions import ModgateError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

__all__ = ["NotBuiltError", "manifest", "manifest_file", "manifest_path", "parse_json", "read_manifest"]


class NotBuiltError(ModgateError, RuntimeError):
    """A host package is imported from a tree that was never built, so there is no manifest."""


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


def parse_json(text: str) -> "Any":
    """``json.loads`` for a trusted, generated file, without importing :mod:`json`."""
    try:
        import _json
    except ImportError:  # an interpreter without the C accelerator
        import json

        return json.loads(text)
    scanner: Any = _json.make_scanner(_ScanContext())  # type: ignore[arg-type]
    value, end = scanner(text, 0)
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
    return data


_MANIFESTS: "dict[str, dict[str, Any]]" = {}


def manifest(package: str = "modgate") -> "dict[str, Any]":
    """Host ``package``'s parsed manifest, read once per process. Shared: never modify it."""
    data = _MANIFESTS.get(package)
    if data is None:
        # Two threads may both read it the first time; both get equal data.
        data = _MANIFESTS[package] = read_manifest(manifest_file(package))
    return data
