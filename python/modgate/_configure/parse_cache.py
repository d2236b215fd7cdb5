"""The parse cache: registrations parsed by one configure step, reused by the next.

One configure runs the resolver twice (``declare``, then ``resolve``); the second reuses
the first one's parse of every ``module.toml`` that has not changed since. A cache written
by other parser code is never used: its token is the stat of every modgate source file
the process has imported by the time it is read or written (the parser, the schema it
takes its rules from, the names...), derived from ``sys.modules``, not listed by hand.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from .discovery import ParseCache
from .files import imported_sources

__all__ = ["load", "save", "token"]


def token() -> str:
    """What the cache's validity depends on: each loaded modgate module's file, its
    modification time and size."""
    parts = []
    for file in imported_sources():
        stat = file.stat()
        parts.append(f"{file}:{stat.st_mtime_ns}:{stat.st_size}")
    return ";".join(parts)


def load(path: Path | None) -> ParseCache | None:
    """The cache at ``path`` (empty when absent, unreadable or from other parser code);
    ``None`` when there is no cache file to use."""
    if path is None:
        return None
    try:
        with path.open("rb") as handle:
            saved, cache = pickle.load(handle)
    except Exception:  # absent, unreadable or from another version: parse afresh
        return {}
    return cache if saved == token() and isinstance(cache, dict) else {}


def save(path: Path | None, cache: ParseCache | None) -> None:
    """Keep ``cache`` at ``path`` for the next step."""
    if path is None or cache is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps((token(), cache), protocol=pickle.HIGHEST_PROTOCOL))
