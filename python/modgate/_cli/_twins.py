"""``modgate twins``: code duplicated between two modules, or between a module and the core.

Clones are found by lizard's duplicate extension (``lizard_ext.lizardduplicate``): lizard
tokenizes C/C++ and Python, each literal becomes one token and each identifier its order
of appearance (here: within each compared window of tokens, see :mod:`._clones`), and
token runs that recur are reported, so a copy whose variables were renamed is found too.
A module accepts a twin in its registration (``[[twins]]``: its file, the other place, the
reason); ``modgate check`` warns about an undeclared one; ``--changed-since REF`` names
the other copy of a declared twin whose one side changed since REF and the other did not,
with the owners who should look.
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .._configure.discovery import Discovery
from .._configure.host import HostConfig
from .._configure.registration import Registration, Twin
from ..exceptions import ModgateError
from ._owners import CODEOWNERS_PLACES, owner_token
from ._sources import core_folders, source_files

__all__ = [
    "CORE",
    "Change",
    "Place",
    "Twins",
    "changed_twins",
    "declared",
    "find_twins",
    "format_changes",
    "format_twins",
    "large_note",
    "pairs",
    "twin_changes",
]

CORE = "core"  # the owner of a file of the core
MIN_TOKENS = 50  # lizard's unit: a run shorter than this is not a clone


@dataclass(frozen=True)
class Place:
    path: str  # relative to the project folder, with /
    first: int
    last: int
    owner: str  # a module's name, or CORE
    owners: tuple[str, ...]  # who reviews it: CODEOWNERS-style handles

    def where(self) -> str:
        return f"{self.path}:{self.first}-{self.last}"


@dataclass(frozen=True)
class Twins:
    """Two places with the same code (or the same code with other names)."""

    a: Place
    b: Place
    lines: int
    declared: Twin | None  # the [[twins]] entry that accepts it, if any

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": asdict(self.a),
            "b": asdict(self.b),
            "lines": self.lines,
            "declared": asdict(self.declared) if self.declared is not None else None,
        }


@dataclass(frozen=True)
class Change:
    """A declared twin whose ``changed`` side changed since a revision and whose ``other`` did not."""

    module: str
    twin: Twin
    changed: Place
    other: Place


def _codeowners(root: Path) -> list[tuple[str, tuple[str, ...]]]:
    place = next((root / p for p in CODEOWNERS_PLACES if (root / p).is_file()), None)
    if place is None:
        return []
    rules = []
    for line in place.read_text(encoding="utf-8").splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) >= 2:
            rules.append((words[0], tuple(words[1:])))
    return rules


def _codeowners_match(pattern: str, path: str) -> bool:
    """CODEOWNERS' gitignore-style patterns, the common forms: ``/dir/``, ``dir/``, ``*.cc``, ``/file``."""
    anchored = pattern.startswith("/")
    body = pattern.strip("/")
    if pattern.endswith("/"):
        return path.startswith(body + "/") if anchored else f"/{body}/" in f"/{path}"
    if anchored:
        return fnmatch.fnmatch(path, body) or path.startswith(body + "/")
    return fnmatch.fnmatch(path.rsplit("/", 1)[-1], body) or fnmatch.fnmatch(path, body)


def _owners(
    path: str, owner: str, modules: Mapping[str, Registration], rules: Sequence[tuple[str, tuple[str, ...]]]
) -> tuple[str, ...]:
    if owner != CORE:
        return tuple(dict.fromkeys(owner_token(m) for m in modules[owner].maintainers))
    found: tuple[str, ...] = ()
    for pattern, owners in rules:  # the last match wins, as GitHub reads it
        if _codeowners_match(pattern, path):
            found = owners
    return found


# --- finding ----------------------------------------------------------------------------


class DetectorMissing(ModgateError):
    """The clone detector (lizard) is not installed."""


# Files larger than this are generated or vendored, not copies a person keeps in step:
# tokenizing 10 MB takes lizard about 30 s and 1 GB, so they are named and left out.
MAX_SOURCE_BYTES = 1_000_000


def too_large(root: Path, files: Iterable[str]) -> list[tuple[str, int]]:
    """The ``files`` (relative to ``root``) over :data:`MAX_SOURCE_BYTES`, with their sizes."""
    found = []
    for name in files:
        try:
            size = (root / name).stat().st_size
        except OSError:
            continue  # named by the reader, which says why it cannot read it
        if size > MAX_SOURCE_BYTES:
            found.append((name, size))
    return found


def large_note(skipped: Sequence[tuple[str, int]]) -> str:
    shown = ", ".join(f"{name} ({size / 1e6:.1f} MB)" for name, size in skipped[:5])
    more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
    return (
        f"not looked at for twins, over {MAX_SOURCE_BYTES // 1_000_000} MB (generated or vendored code): {shown}{more}"
    )


def _lizard() -> Any:
    try:
        from . import _clones
    except ImportError:
        raise DetectorMissing(
            f"modgate twins: the clone detector (lizard) is not installed: {sys.executable} -m pip install lizard"
        ) from None
    return _clones


def _owned_files(root: Path, config: HostConfig, found: Discovery) -> dict[str, str]:
    """Every C/C++ and Python file of the core and of each module: path -> owner."""
    owned: dict[str, str] = {}
    core, outside = core_folders(config, root)
    for folder in core:
        if folder.is_dir():
            for path in source_files(folder, outside):
                owned[path.relative_to(root).as_posix()] = CORE
        elif folder.is_file():
            owned[folder.relative_to(root).as_posix()] = CORE
    for name, module in sorted(found.modules.items()):
        for path in source_files(module.directory):
            rel = path.resolve().relative_to(root).as_posix() if path.resolve().is_relative_to(root) else str(path)
            owned[rel] = name
    return owned


def clone_groups(root: Path, files: Sequence[str], *, processes: int = 1) -> list[list[tuple[str, int, int]]]:
    """The duplicate groups over ``files`` (relative to ``root``): each a list of
    (path, first line, last line) with the same token run."""
    clones = _lizard()
    hashed = clones.hash_files([str(root / f) for f in files], processes)
    groups = []
    for group in clones.duplicates(hashed, MIN_TOKENS):
        groups.append([(Path(path).relative_to(root).as_posix(), first, last) for path, first, last in group])
    return groups


def declared(a: Place, b: Place, modules: Mapping[str, Registration]) -> Twin | None:
    """The ``[[twins]]`` entry of either side's module that names this pair of files."""
    for side, other in ((a, b), (b, a)):
        if side.owner == CORE:
            continue
        folder = Path(modules[side.owner].path).parent.as_posix()
        for twin in modules[side.owner].twins:
            if f"{folder}/{twin.file}" == side.path and twin.other == other.path:
                return twin
    return None


def pairs(
    groups: Iterable[Sequence[tuple[str, int, int]]],
    owned: Mapping[str, str],
    modules: Mapping[str, Registration],
    rules: Sequence[tuple[str, tuple[str, ...]]] = (),
    *,
    min_lines: int = 6,
) -> list[Twins]:
    """The twins among clone ``groups``: every two places of a group that belong to two
    different modules, or to a module and the core, each at least ``min_lines`` long;
    one pair of places per pair of files (the longest). Pure."""
    best: dict[tuple[str, str], Twins] = {}
    for group in groups:
        places = []
        for path, first, last in group:
            owner = owned.get(path)
            if owner is not None and last - first + 1 >= min_lines:
                places.append(Place(path, first, last, owner, _owners(path, owner, modules, rules)))
        for i, one in enumerate(places):
            for two in places[i + 1 :]:
                if one.owner == two.owner:
                    continue
                a, b = (one, two) if one.path <= two.path else (two, one)
                lines = min(a.last - a.first, b.last - b.first) + 1
                key = (a.path, b.path)
                if key not in best or best[key].lines < lines:
                    best[key] = Twins(a, b, lines, declared(a, b, modules))
    return sorted(best.values(), key=lambda t: (t.a.path, t.a.first, t.b.path))


def find_twins(
    root: Path, config: HostConfig, found: Discovery, *, min_lines: int | None = None
) -> tuple[list[Twins], list[tuple[str, int]]]:
    """Every twin in the host project at ``root`` (its files are read; lizard runs), and
    the files left out for their size (:func:`too_large`)."""
    owned = _owned_files(root, config, found)
    skipped = too_large(root, owned)
    large = {name for name, _ in skipped}
    groups = clone_groups(root, sorted(f for f in owned if f not in large), processes=os.cpu_count() or 1)
    lines = config.policy.twins_min_lines if min_lines is None else min_lines
    return pairs(groups, owned, found.registrations, _codeowners(root), min_lines=lines), skipped


# --- keeping declared twins in sync ------------------------------------------------------


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ModgateError("modgate twins --changed-since: git is not installed") from None
    if done.returncode != 0:
        raise ModgateError(f"modgate twins --changed-since: git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def changed_files(root: Path, ref: str) -> set[str]:
    """Files (relative to ``root``) that differ between ``ref`` and the working tree, or are new."""
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip()).resolve()
    _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    names = _git(root, "diff", "--name-only", ref, "--", ".").splitlines()
    names += _git(root, "ls-files", "--others", "--exclude-standard", "--full-name", "--", ".").splitlines()
    out = set()
    for name in names:
        full = (top / name).resolve()
        if full.is_relative_to(root):
            out.add(full.relative_to(root).as_posix())
    return out


def _spans(root: Path, one: str, two: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """The lines of ``one`` and of ``two`` that still match each other (one lizard run on
    the two files); a file's whole length when they no longer match."""
    try:
        groups = clone_groups(root, [one, two])
    except ModgateError:
        groups = []

    def span(path: str) -> tuple[int, int]:
        found = [(first, last) for group in groups for p, first, last in group if p == path]
        if found:
            return min(f for f, _ in found), max(last for _, last in found)
        try:
            return 1, (root / path).read_text(encoding="utf-8", errors="replace").count("\n") + 1
        except OSError:
            return 1, 1

    return span(one), span(two)


def changed_twins(modules: Mapping[str, Registration], changed: set[str]) -> list[tuple[str, Twin, str, str]]:
    """The declared twins with exactly one side in ``changed``: (module, twin, the changed
    side's path, the other side's path). Pure."""
    out = []
    for name in sorted(modules):
        folder = Path(modules[name].path).parent.as_posix()
        for twin in modules[name].twins:
            mine = f"{folder}/{twin.file}"
            if (mine in changed) != (twin.other in changed):
                out.append((name, twin, mine, twin.other) if mine in changed else (name, twin, twin.other, mine))
    return out


def twin_changes(root: Path, found: Discovery, config: HostConfig, ref: str) -> list[Change]:
    modules = found.registrations
    owned = _owned_files(root, config, found)
    rules = _codeowners(root)
    result = []
    for name, twin, changed_path, other_path in changed_twins(modules, changed_files(root, ref)):
        owner_changed = owned.get(changed_path, CORE)
        owner_other = owned.get(other_path, CORE)
        (first, last), (other_first, other_last) = _spans(root, changed_path, other_path)
        result.append(
            Change(
                name,
                twin,
                Place(changed_path, first, last, owner_changed, _owners(changed_path, owner_changed, modules, rules)),
                Place(
                    other_path, other_first, other_last, owner_other, _owners(other_path, owner_other, modules, rules)
                ),
            )
        )
    return result


# --- output -------------------------------------------------------------------------------


def _who(place: Place) -> str:
    return f"{place.owner}: {' '.join(place.owners) or 'no owners'}"


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def format_twins(found: Sequence[Twins], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([t.as_dict() for t in found], indent=2)
    lines = []
    for t in found:
        if fmt == "github":
            if t.declared is None:
                message = (
                    f"{t.lines} lines duplicated with {t.b.where()} ({_who(t.b)}); declare it in [[twins]] or"
                    " share the code"
                )
                lines.append(
                    f"::warning file={_property(t.a.path)},line={t.a.first},endLine={t.a.last},"
                    f"title=modgate twins::{_escape(message)}"
                )
            continue
        state = f"declared: {t.declared.reason}" if t.declared is not None else "undeclared"
        lines.append(f"{t.a.where()} ({_who(t.a)}) ~ {t.b.where()} ({_who(t.b)}): {t.lines} lines, {state}")
    if fmt == "text":
        undeclared = sum(1 for t in found if t.declared is None)
        lines.append(f"{len(found)} twins, {undeclared} undeclared")
    return "\n".join(lines)


def format_changes(changes: Sequence[Change], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(
            [
                {"module": c.module, "twin": asdict(c.twin), "changed": asdict(c.changed), "other": asdict(c.other)}
                for c in changes
            ],
            indent=2,
        )
    lines = []
    for c in changes:
        ask = " ".join(c.other.owners) or f"the owners of {c.other.owner}"
        message = (
            f"{c.changed.path} changed, but its declared twin {c.other.where()} did not ({c.twin.reason}):"
            f" apply the change there too, or ask {ask}"
        )
        if fmt == "github":
            lines.append(
                f"::warning file={_property(c.changed.path)},line={c.changed.first},endLine={c.changed.last},"
                f"title=modgate twins::{_escape(message)}"
            )
        else:
            lines.append(message)
    if fmt == "text":
        lines.append(f"{len(changes)} declared twins changed on one side only")
    return "\n".join(lines)
