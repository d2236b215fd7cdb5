"""lizard's duplicate extension as ``modgate twins`` runs it (importing this imports lizard).

One change to lizard: an identifier's unified token is its order of first appearance in
each compared window of tokens, not in its whole scope. lizard numbers names per scope,
so one extra name earlier in a file (another function, another namespace) renumbers every
later name and hides a copy; per window it cannot. Files are tokenized and
hashed in worker processes (:func:`hash_files`), which hand back plain tuples; lizard's
own pool pickles the extension, with every file's windows so far, into each task.
"""

from __future__ import annotations

import keyword
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from lizard_core.extensions import get_extensions
from lizard_core.file_analyzer import FileAnalyzer
from lizard_ext import lizardduplicate

from .._configure.reserved import CXX_KEYWORDS
from ._sources import unreadable

__all__ = ["Extension", "duplicates", "hash_files"]

# Words that keep their spelling: the languages' own (an identifier becomes its order in
# the window, so a copy with other names matches, but `for` never matches `while`).
_KEYWORDS = frozenset([*keyword.kwlist, *keyword.softkwlist, *CXX_KEYWORDS, "self"])
# Tokens per compared window: twice lizard's 31, about six lines of code (the smallest twin
# `modgate twins` reports by default). With names numbered per window, shorter windows match
# by chance between unrelated code built from the same few statement shapes.
SAMPLE_SIZE = 63


class WindowUnified(lizardduplicate.NestingStackWithUnifiedTokens):  # type: ignore[misc]
    """lizard's token unifier, identifiers left marked for :meth:`samples` to number."""

    def _unified_token(self, token: str) -> str:
        if self.previous_token in (".", "->") or token in _KEYWORDS:
            return token
        if token == "-":
            return "+"
        if self._is_const(token):
            return "1"
        if token[0].isalpha() or token[0] == "_":
            return "\0" + token
        return token

    def samples(self) -> Any:
        # Each identifier is coded by its distance back to the same name (0: its first use),
        # clipped at the window's start, so a window's code is its names' order of
        # appearance without renumbering each window (Baker's parameterized strings).
        tokens = self.unified_tokens
        code: list[str | int] = []
        last: dict[str, int] = {}
        for index, (token, _) in enumerate(tokens):
            if token[:1] == "\0":
                before = last.get(token)
                last[token] = index
                code.append(0 if before is None else index - before)
            else:
                code.append(token)
        for start in range(len(tokens) - SAMPLE_SIZE):
            window = code[start : start + SAMPLE_SIZE + 1]
            sequence = lizardduplicate.Sequence(tokens[start][1])
            # A name used before the window starts counts as its first use here.
            sequence.hash = hash(tuple(c if type(c) is not int or c <= k else 0 for k, c in enumerate(window)))
            sequence.end_line = tokens[start + SAMPLE_SIZE][1]
            yield sequence


class Extension(lizardduplicate.LizardExtension):  # type: ignore[misc]
    """lizard's duplicate extension with :class:`WindowUnified` as its unifier."""

    def __call__(self, tokens: Any, reader: Any) -> Any:
        unifier = reader.context.decorate_nesting_stack(WindowUnified)
        for token in tokens:
            unifier.enqueue_token(token, reader.context.current_line)
            yield token
        reader.context.fileinfo.hash_nodes = list(unifier.samples())


Hashed = tuple[str, list[tuple[int, int, int]]]  # a file: its windows' (hash, first line, last line)


def _hash_file(path: str) -> Hashed:
    try:  # lizard would print its own error and go on as if the file were empty
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise unreadable(path, exc) from None
    info = FileAnalyzer(get_extensions([Extension()]))(path)
    return path, [(node.hash, node.start_line, node.end_line) for node in getattr(info, "hash_nodes", [])]


def hash_files(paths: Sequence[str], processes: int = 1) -> list[Hashed]:
    """Every file's windows, in ``processes`` worker processes when there are many files."""
    if processes > 1 and len(paths) > 200:
        import multiprocessing

        with multiprocessing.Pool(processes) as pool:
            return pool.map(_hash_file, paths, chunksize=32)
    return [_hash_file(path) for path in paths]


def duplicates(hashed: Sequence[Hashed], min_tokens: int) -> list[list[tuple[str, int, int]]]:
    """lizard's duplicate finder over the hashed files: groups of (path, first, last)."""
    nodes: list[Any] = []
    boundaries: list[int] = []
    paths: list[str] = []
    for path, windows in hashed:
        boundaries.append(len(nodes))
        paths.append(path)
        for value, first, last in windows:
            node = lizardduplicate.Sequence(first)
            node.hash = value
            node.end_line = last
            nodes.append(node)
    finder = lizardduplicate.DuplicateFinder(
        nodes, list(boundaries), min_duplicate_tokens=min_tokens, sample_size=SAMPLE_SIZE
    )
    groups = []
    for start_and_ends in finder.find_start_and_ends():
        group = []
        for start, end in start_and_ends:
            path = paths[bisect_right(boundaries, start) - 1]
            group.append((path, nodes[start].start_line, nodes[end].end_line))
        groups.append(group)
    return groups
