"""Pairwise configurations under ``requires`` and ``conflicts``: few rows, every feasible
pair of states covered.

A row is the set of modules ON; it is valid when it holds every requirement of its
members (a down-set of the requires order) and no two conflicting modules. Two phases:

1. Greedy rows. The first row is all OFF (every OFF/OFF pair). Each next row starts from
   an uncovered pair of the module with the most left (that pair's modules, with what they
   force), then climbs: a move turns a module ON with everything it requires, or OFF with
   everything in the row that requires it, and is taken when it covers more uncovered
   pairs than it uncovers. Two starts per row (one on graphs of over 500 modules); the
   better row is kept. On a graph of a dozen modules or fewer, each row is instead the
   best of all valid rows.
2. Row removal. A row each of whose pairs no other row shows is removed when every such
   pair can move into another row without breaking that row's own pairs (it gains the
   pair's modules, with what they force ON and OFF); rows with the fewest such pairs are
   tried first.

A graph of a few dozen modules runs both phases several times, with other random
choices, and keeps the smallest result; on one of a dozen modules or fewer, two rows are
then replaced by one valid row wherever one row can show what only those two showed.

Sets of modules are Python integers (bit ``i``: the ``i``-th module in an order where
requirements come first), so a row's effect on one module's pairs is a few AND and
popcount operations. Everything is deterministic: the same graph gives the same rows on
every machine, which sharded matrices rely on.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence
from typing import Protocol

__all__ = ["pairwise_rows"]

_STARTS = 2  # starts per greedy row (one past _ONE_START_PAST modules)
_ONE_START_PAST = 500
_REMOVAL_ATTEMPTS = 2000  # rows tried in phase 2, in all (bounds the time on large graphs)
_ALL_ROWS_UP_TO = 12  # up to this many modules, each greedy row is the best of all valid rows
_RUNS_BUDGET = 40_000  # small graphs run both phases several times (up to 8, seeds 0, 1, ...)


class Graph(Protocol):
    """What this needs of :class:`modgate._cli._matrix.Graph` (which imports this module)."""

    @property
    def names(self) -> list[str]: ...
    @property
    def closure(self) -> Mapping[str, frozenset[str]]: ...  # a module and what it requires
    @property
    def dependents(self) -> Mapping[str, frozenset[str]]: ...  # a module and what requires it
    @property
    def conflicts(self) -> Mapping[str, frozenset[str]]: ...  # both ways


def _members(bits: int) -> list[int]:
    out = []
    while bits:
        low = bits & -bits
        out.append(low.bit_length() - 1)
        bits ^= low
    return out


class _Bits:
    """A graph's constraints and feasible pairs as bit sets over its modules."""

    def __init__(self, graph: Graph) -> None:
        self.order = sorted(graph.names, key=lambda n: (len(graph.closure[n]), n))
        index = {name: i for i, name in enumerate(self.order)}
        n = self.n = len(self.order)
        self.full = (1 << n) - 1

        def bits(names: frozenset[str]) -> int:
            return sum(1 << index[m] for m in names if m in index)

        self.closure = [bits(graph.closure[name]) for name in self.order]
        self.dependents = [bits(graph.dependents[name]) for name in self.order]
        conflicts = [bits(graph.conflicts[name]) for name in self.order]
        # OFF whenever i is ON: everything requiring a module that conflicts with i or with
        # something i requires.
        self.off_if_on = []
        for i in range(n):
            forced = 0
            for member in _members(self.closure[i]):
                for other in _members(conflicts[member]):
                    forced |= self.dependents[other]
            self.off_if_on.append(forced)
        self.can_on = sum(1 << i for i in range(n) if not self.closure[i] & self.off_if_on[i])
        # need[x] = the partners y of x whose pair (x=vx, y=vy) some valid row has, for
        # (vx, vy) = (1, 1), (1, 0), (0, 1), (0, 0).
        self.need: list[tuple[int, int, int, int]] = []
        for x in range(n):
            others = self.full & ~(1 << x)
            on_on = on_off = 0
            if self.can_on >> x & 1:
                on_on = self.can_on & ~self.off_if_on[x] & others
                on_off = others & ~self.closure[x]
            self.need.append((on_on, on_off, self.can_on & others & ~self.dependents[x], others))

    def names(self, row: int) -> frozenset[str]:
        return frozenset(self.order[i] for i in _members(row))


class _Uncovered:
    """The feasible pairs no row shows yet, per module and state (both ends hold each pair)."""

    def __init__(self, bits: _Bits) -> None:
        self.bits = bits
        self.sets = [list(need) for need in bits.need]  # [on_on, on_off, off_on, off_off]

    def add(self, row: int) -> None:
        off = self.bits.full & ~row
        for x, left in enumerate(self.sets):
            if row >> x & 1:
                left[0] &= ~row
                left[1] &= ~off
            else:
                left[2] &= ~row
                left[3] &= ~off

    def gain(self, moved: int, rest: int) -> int:
        """Twice the change in uncovered pairs shown when ``moved`` turns ON beside ``rest``
        (the other ON modules; ``moved`` and ``rest`` are disjoint)."""
        outside = self.bits.full & ~rest & ~moved
        total = 0
        for x in _members(moved):
            on_on, on_off, off_on, off_off = self.sets[x]
            total += 2 * ((on_on & rest).bit_count() + (on_off & outside).bit_count())
            total -= 2 * ((off_on & rest).bit_count() + (off_off & outside).bit_count())
            total += (on_on & moved).bit_count() - (off_off & moved).bit_count()
        return total

    def shown(self, row: int) -> int:
        off = self.bits.full & ~row
        total = 0
        for x, (on_on, on_off, off_on, off_off) in enumerate(self.sets):
            if row >> x & 1:
                total += (on_on & row).bit_count() + (on_off & off).bit_count()
            else:
                total += (off_on & row).bit_count() + (off_off & off).bit_count()
        return total


def _climb(bits: _Bits, left: _Uncovered, row: int, rng: random.Random) -> int:
    order = list(range(bits.n))
    improved = True
    while improved:
        improved = False
        rng.shuffle(order)
        for x in order:
            if row >> x & 1:
                moved = bits.dependents[x] & row
                if -left.gain(moved, row & ~moved) > 0:
                    row &= ~moved
                    improved = True
            elif bits.can_on >> x & 1 and not bits.off_if_on[x] & row:
                moved = bits.closure[x] & ~row
                if left.gain(moved, row) > 0:
                    row |= moved
                    improved = True
    return row


def _pins(bits: _Bits, pair: tuple[int, int, int, int]) -> tuple[int, int]:
    """What a pair (x=vx, y=vy) forces ON, and OFF."""
    x, vx, y, vy = pair
    on = off = 0
    for module, value in ((x, vx), (y, vy)):
        if value:
            on |= bits.closure[module]
            off |= bits.off_if_on[module]
        else:
            off |= bits.dependents[module]
    return on, off


def _valid_rows(bits: _Bits) -> list[int]:
    """Every valid row of a small graph."""
    return [
        row
        for row in range(1 << bits.n)
        if all(not bits.closure[x] & ~row and not bits.off_if_on[x] & row for x in _members(row))
    ]


def _greedy(bits: _Bits, rng: random.Random, every: Sequence[int] | None) -> list[int]:
    """Rows until every feasible pair is shown; each the best of ``every`` (a small graph's
    valid rows) or grown by :func:`_climb`."""
    left = _Uncovered(bits)
    rows = [0]
    left.add(0)
    while True:
        remaining = [(s[0] | s[1] | s[2] | s[3]).bit_count() for s in left.sets]
        if not any(remaining):
            return rows
        if every is not None:  # a small graph: the best of all valid rows
            scores = [(left.shown(row), rng.random(), row) for row in every]
            rows.append(max(scores)[2])
            left.add(rows[-1])
            continue
        best: tuple[int, int] | None = None
        for _ in range(_STARTS if bits.n <= _ONE_START_PAST else 1):
            x = max(range(bits.n), key=lambda m: (remaining[m], rng.random()))
            state = next(k for k in range(4) if left.sets[x][k])
            y = rng.choice(_members(left.sets[x][state]))
            on, _off = _pins(bits, (x, 1 - state // 2, y, 1 - state % 2))
            row = _climb(bits, left, on, rng)
            score = left.shown(row)
            if best is None or score > best[0]:
                best = (score, row)
        assert best is not None and best[0] > 0  # the start alone shows an uncovered pair
        rows.append(best[1])
        left.add(best[1])


def _unique(bits: _Bits, rows: Sequence[int]) -> list[list[tuple[int, int, int, int]]]:
    """For each row, the pairs (x, vx, y, vy), x < y, that no other row shows."""
    full = bits.full
    columns = [0] * bits.n  # the rows in which each module is ON
    for r, row in enumerate(rows):
        for x in _members(row):
            columns[x] |= 1 << r
    every = (1 << len(rows)) - 1
    offs = [full & ~row for row in rows]
    out: list[list[tuple[int, int, int, int]]] = [[] for _ in rows]
    for x in range(bits.n):
        later = full & ~((2 << x) - 1)
        for vx, where in ((1, columns[x]), (0, every & ~columns[x])):
            members = _members(where)
            once_on = many_on = once_off = many_off = 0
            for r in members:
                many_on |= once_on & rows[r]
                once_on = (once_on ^ rows[r]) & ~many_on
                many_off |= once_off & offs[r]
                once_off = (once_off ^ offs[r]) & ~many_off
            once_on &= later
            once_off &= later
            if once_on or once_off:
                for r in members:
                    out[r] += [(x, vx, y, 1) for y in _members(once_on & rows[r])]
                    out[r] += [(x, vx, y, 0) for y in _members(once_off & offs[r])]
    return out


def _lost(bits: _Bits, rows: Sequence[int], modules: int) -> list[tuple[int, int, int, int]]:
    """The feasible pairs involving one of ``modules`` that ``rows`` do not show."""
    out = []
    for x in _members(modules):
        seen = [0, 0, 0, 0]
        for row in rows:
            off = bits.full & ~row
            if row >> x & 1:
                seen[0] |= row
                seen[1] |= off
            else:
                seen[2] |= row
                seen[3] |= off
        for k, need in enumerate(bits.need[x]):
            for y in _members(need & ~seen[k]):
                pair = (x, 1 - k // 2, y, 1 - k % 2)
                out.append(pair if x < y else (y, pair[3], x, pair[1]))
    return out


def _without(
    bits: _Bits,
    rows: Sequence[int],
    r: int,
    unique: Sequence[list[tuple[int, int, int, int]]],
    locks: Sequence[tuple[int, int]],
) -> list[int] | None:
    """``rows`` less row ``r``, its pairs moved into the others; ``None`` when one cannot move.

    A pair moves into the row that changes least, among those whose own pairs (the pairs
    only they show, and those moved in) survive it. Another row's change can hide a pair two
    rows showed; such pairs move too, in up to three rounds."""
    trial = {q: rows[q] for q in range(len(rows)) if q != r}
    held = {q: locks[q] for q in trial}  # what each row must keep ON and OFF
    todo = unique[r]
    for _round in range(3):
        for pair in todo:
            on, off = _pins(bits, pair)
            hosts = [
                ((((row | on) & ~off) ^ row).bit_count(), q)
                for q, row in trial.items()
                if not (held[q][0] & off or held[q][1] & on)
            ]
            if not hosts:
                return None
            _cost, q = min(hosts)
            trial[q] = (trial[q] | on) & ~off
            held[q] = (held[q][0] | on, held[q][1] | off)
        changed = 0
        for q, row in trial.items():
            changed |= row ^ rows[q]
        todo = _lost(bits, list(trial.values()), changed)
        if not todo:
            return list(trial.values())
    return None


def _remove_rows(bits: _Bits, rows: list[int]) -> list[int]:
    attempts = _REMOVAL_ATTEMPTS
    while attempts > 0:
        unique = _unique(bits, rows)
        locks = []  # per row: the modules its own pairs need ON, and OFF
        for pairs in unique:
            keep_on = keep_off = 0
            for pair in pairs:
                on, off = _pins(bits, pair)
                keep_on |= on
                keep_off |= off
            locks.append((keep_on, keep_off))
        # Fewest pairs to move first; the all-OFF row stays.
        for r in sorted(range(1, len(rows)), key=lambda i: (len(unique[i]), i)):
            if attempts <= 0:
                return rows
            attempts -= 1
            smaller = _without(bits, rows, r, unique, locks)
            if smaller is not None:
                rows = smaller
                break
        else:
            return rows
    return rows


def _two_for_one(bits: _Bits, rows: list[int], every: Sequence[int]) -> list[int]:
    """On a small graph: replace two rows by one valid row showing every pair they alone
    showed, while some such two rows exist."""
    improved = True
    while improved and len(rows) > 2:
        improved = False
        for a, b in itertools.combinations(range(1, len(rows)), 2):  # the all-OFF row stays
            rest = [row for i, row in enumerate(rows) if i not in (a, b)]
            left = _Uncovered(bits)
            for row in rest:
                left.add(row)
            lost = sum(sum(k.bit_count() for k in sets) for sets in left.sets)
            found = next((row for row in every if left.shown(row) == lost), None)
            if found is not None:
                rows = [*rest, found]
                improved = True
                break
    return rows


def pairwise_rows(graph: Graph, seed: int = 0) -> list[frozenset[str]]:
    """Valid rows covering every feasible pair of module states of ``graph``."""
    bits = _Bits(graph)
    if not bits.n:
        return []
    every = _valid_rows(bits) if bits.n <= _ALL_ROWS_UP_TO else None
    best: list[int] | None = None
    for run in range(max(1, min(8, _RUNS_BUDGET // bits.n**2))):
        rows = _remove_rows(bits, _greedy(bits, random.Random(seed + run), every))
        if every is not None:
            rows = _two_for_one(bits, rows, every)
        if best is None or len(rows) < len(best):
            best = rows
    assert best is not None
    return [bits.names(row) for row in best]
