"""Walking a folder and writing generated files: the file-system edge every configure
step, ``modgate check`` and the build-tree links share."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BUILD_OUTPUT_DIRS", "Tree", "imported_sources", "walk", "write_if_changed"]

# Folders at the top of a walk that hold build output or environments, never sources.
BUILD_OUTPUT_DIRS = frozenset({"build", "_build", "dist", "node_modules", "venv"})


@dataclass(frozen=True)
class Tree:
    """One walk of a folder: its files (POSIX paths relative to it, sorted), the files
    reached through a symbolic link, every folder visited, and the links that lead nowhere
    (a missing target, or a loop)."""

    files: tuple[str, ...]
    linked: frozenset[str]
    folders: tuple[Path, ...]
    broken: frozenset[str] = frozenset()


def walk(folder: Path, *, skip: Iterable[Path] = ()) -> Tree:
    """Every file under ``folder``, leaving out hidden entries, ``__pycache__``, the
    :data:`BUILD_OUTPUT_DIRS` at its top and the folders ``skip`` names. Links are followed
    once (a link loop ends there) and the files reached through one are marked, so a
    caller can refuse those that lead outside; a link that leads nowhere is listed apart.
    Never raises for what it finds: an unreadable folder is left out."""
    skipped = {os.path.realpath(p) for p in skip}
    files: list[str] = []
    linked: set[str] = set()
    broken: set[str] = set()
    folders: list[Path] = []
    seen: set[str] = set()
    stack: list[tuple[str, bool]] = [("", False)]
    while stack:
        rel, through_link = stack.pop()
        current = folder / rel if rel else folder
        if through_link:
            real = os.path.realpath(current)
            if real in seen:  # a link loop
                continue
            seen.add(real)
        folders.append(current)
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = f"{rel}/{entry.name}" if rel else entry.name
            try:
                link = through_link or entry.is_symlink()
                is_dir, is_file = entry.is_dir(), entry.is_file()
            except OSError:  # a link that loops back on itself
                broken.add(path)
                continue
            if not is_dir and not is_file and entry.is_symlink():
                broken.add(path)  # its target does not exist
                continue
            if is_dir:
                if entry.name == "__pycache__" or (not rel and entry.name in BUILD_OUTPUT_DIRS):
                    continue
                if skipped and os.path.realpath(entry.path) in skipped:
                    continue
                stack.append((path, link))
            elif is_file:
                files.append(path)
                if link:
                    linked.add(path)
    files.sort()
    return Tree(tuple(files), frozenset(linked), tuple(folders), frozenset(broken))


def write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` unless it already holds exactly that (so what depends on
    the file's time is not rebuilt)."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def imported_sources() -> list[Path]:
    """The file of every modgate module this process has imported, sorted: what a
    configure step's result depends on besides its inputs (derived, never listed)."""
    found = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if (name == "modgate" or name.startswith("modgate.")) and isinstance(file, str):
            found.append(Path(file))
    return sorted(found)
