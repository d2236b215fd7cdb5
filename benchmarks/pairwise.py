"""``modgate matrix --strategy pairwise`` on a family of random graphs, one command:
``python benchmarks/pairwise.py`` (after ``pip install .``; ``pip install covertable`` adds
its column).

Each shape draws, for every module, a number of ``requires`` on earlier modules (its
fan-in, uniform from 0 to the shape's maximum) from the whole past or, for deep shapes,
from the last few modules only (long chains), and conflicts between about n/k random
pairs. The choice shapes add capabilities (``provides``): three of them (one below 30
modules), each with three providers drawn at random, under ``at-most-one`` or ``exactly-one`` (every configuration
then holds one provider of each). Groups are not a shape of their own: a group option
only sets the value its members fall back to, so the matrix, which sets every module's
own option, gives the same configurations with or without them. Per shape, size and
seed it reports:

- the configurations ``modgate matrix`` gives and the seconds it takes;
- the longest ``requires`` chain of modules that can be ON: a chain of L modules needs
  L + 1 configurations (each link ON with the next one OFF), a lower bound no generator
  beats;
- the generator this one replaced (a covering array of distinct half-weight columns, each
  row repaired, then one greedy row per batch of lost pairs), on graphs of up to 200
  modules (it takes about a minute at 1000) without capabilities, which it did not know;
- covertable 3.2 with the same constraints, up to 30 modules (``--covertable-up-to``; at 60
  it gave no result within a minute on any graph tried), where it finishes within
  ``--timeout``; under ``at-most-one`` a capability's providers are given to it as
  conflicts, and ``exactly-one`` it is not given.

Every result is checked here, by code that shares nothing with the generators: each row
valid, every feasible pair of states shown. Prints Markdown for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import random
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from modgate._cli._matrix import Graph, generate
from modgate._configure.registration import Registration
from modgate._configure.request import Capability, capabilities


@dataclass(frozen=True)
class Shape:
    name: str
    fan_in: int  # requires per module: 0 to this many, uniform
    window: int | None  # drawn from the last `window` modules only (deep chains), or any earlier
    conflicts_per: int  # about n / conflicts_per conflicting pairs
    policy: str | None = None  # three capabilities of three providers each, under this policy


SHAPES = {
    s.name: s
    for s in (
        Shape("fan-in 3, n/20 conflicts", 3, None, 20),  # the family the issue measured
        Shape("fan-in 2, n/20 conflicts", 2, None, 20),
        Shape("fan-in 5, n/50 conflicts", 5, None, 50),
        Shape("fan-in 1, n/5 conflicts", 1, None, 5),
        Shape("deep: fan-in 2 from the last 10", 2, 10, 20),
        Shape("fan-in 3, n/20 conflicts, 3 choices at-most-one", 3, None, 20, "at-most-one"),
        Shape("fan-in 3, n/20 conflicts, 3 choices exactly-one", 3, None, 20, "exactly-one"),
    )
}
CHOICES, PROVIDERS = 3, 3  # one capability below 30 modules


def family(shape: Shape, count: int, seed: int) -> dict[str, Registration]:
    rng = random.Random(f"{shape.name}/{count}/{seed}")
    names = [f"m{i:04d}" for i in range(count)]
    requires: dict[str, set[str]] = {}
    for i, name in enumerate(names):
        low = max(0, i - shape.window) if shape.window else 0
        requires[name] = {names[rng.randrange(low, i)] for _ in range(rng.randint(0, shape.fan_in))} if i else set()
    conflicts: dict[str, set[str]] = {name: set() for name in names}
    wanted, placed = max(1, count // shape.conflicts_per), 0
    for _ in range(100 * wanted):
        if placed >= wanted or count < 2:
            break
        a, b = sorted(rng.sample(names, 2))
        if a in requires[b] or b in conflicts[a]:
            continue
        conflicts[b].add(a)
        placed += 1
    provides: dict[str, str] = {}
    if shape.policy is not None:
        choices = CHOICES if count >= 30 else 1
        for k, name in enumerate(rng.sample(names, choices * PROVIDERS)):
            provides[name] = f"cap{k % choices}"
    return {
        name: Registration(
            name=name,
            summary="s",
            stage="S1",
            path=f"modules/{name}/module.toml",
            requires=tuple(sorted(requires[name])),
            conflicts=tuple(sorted(conflicts[name])),
            provides=provides.get(name),
        )
        for name in names
    }


def provided(shape: Shape, modules: Mapping[str, Registration]) -> dict[str, Capability]:
    """The capabilities of a family graph under its shape's policy (none for most shapes)."""
    names = {m.provides for m in modules.values() if m.provides is not None}
    return capabilities(modules, [(c, shape.policy, None, "") for c in sorted(names)]) if shape.policy else {}


def as_conflicts(modules: Mapping[str, Registration]) -> dict[str, Registration]:
    """The graph with each capability's providers conflicting pairwise (``at-most-one`` as
    plain constraints, for the generators that know no capabilities)."""
    out = dict(modules)
    for name, reg in modules.items():
        rivals = {o for o, other in modules.items() if reg.provides and other.provides == reg.provides and o < name}
        if rivals:
            out[name] = dataclasses.replace(reg, conflicts=tuple(sorted(set(reg.conflicts) | rivals)))
    return out


def longest_chain(modules: Mapping[str, Registration]) -> int:
    """The longest ``requires`` chain of modules that can be ON (a module whose
    requirements conflict among themselves is OFF in every configuration)."""
    closure: dict[str, set[str]] = {}
    depth: dict[str, int] = {}
    for name in sorted(modules):  # requires point to earlier names
        closure[name] = {name}.union(*(closure[d] for d in modules[name].requires))
        clash = {c for m in closure[name] for c in modules[m].conflicts}
        clash |= {m for m in modules if set(modules[m].conflicts) & closure[name]}
        if clash & closure[name]:
            continue
        depth[name] = 1 + max((depth[d] for d in modules[name].requires), default=0)
    return max(depth.values(), default=0)


# --- an independent check: straight from the registrations -------------------------------


def check(modules: Mapping[str, Registration], rows: Sequence[frozenset[str]], policy: str | None = None) -> None:
    """Every row valid, every feasible pair of states shown; exits naming what is not.
    ``policy``: the capabilities' (every one's providers conflict; under ``exactly-one``
    every row holds one of them, and a pair is feasible when some choice of providers
    completes it)."""
    if policy is not None:
        modules = as_conflicts(modules)
    caps: dict[str, list[str]] = {}
    for name in sorted(modules):
        if modules[name].provides is not None and policy == "exactly-one":
            caps.setdefault(str(modules[name].provides), []).append(name)
    names = sorted(modules)
    up: dict[str, set[str]] = {n: {n} for n in names}  # the module and what requires it
    down: dict[str, set[str]] = {}
    for name in names:
        down[name] = {name}.union(*(down[d] for d in modules[name].requires))
        for d in down[name]:
            up[d].add(name)
    clash = {n: set(modules[n].conflicts) for n in names}
    for n in names:
        for c in modules[n].conflicts:
            clash[c].add(n)
    for row in rows:
        for n in row:
            if not down[n] <= row or clash[n] & row:
                sys.exit(f"pairwise benchmark: an invalid configuration ({n} ON)")
        for cap, providers in caps.items():
            if len(row & set(providers)) != 1:
                sys.exit(f"pairwise benchmark: a configuration without one provider of {cap}")
    index = {n: i for i, n in enumerate(names)}

    def bits(items: Iterable[str]) -> int:
        return sum(1 << index[i] for i in items)

    # Forced OFF by n ON: what requires a module clashing with one n requires.
    forced_off = {n: bits(set().union(*(up[c] for d in down[n] for c in clash[d]))) for n in names}
    possible = {n: not bits(down[n]) & forced_off[n] for n in names}
    choices = [set().union(*(down[p] for p in pick)) for pick in itertools.product(*caps.values())]

    def completes(on: set[str], off: set[str]) -> bool:
        return any(
            not (on | more) & off and not any(bits(on | more) & forced_off[n] for n in on | more)
            for more in choices or [set()]
        )

    row_bits = [bits(row) for row in rows]
    full = (1 << len(names)) - 1
    for a in names:
        i = 1 << index[a]
        shown = {(va, vb): 0 for va in (True, False) for vb in (True, False)}
        for mask in row_bits:
            va = bool(mask & i)
            shown[va, True] |= mask
            shown[va, False] |= full & ~mask
        for b in names[index[a] + 1 :]:
            j = 1 << index[b]
            for va, vb in itertools.product((True, False), repeat=2):
                if shown[va, vb] & j:
                    continue
                on = (down[a] if va else set()) | (down[b] if vb else set())
                off = (up[a] if not va else set()) | (up[b] if not vb else set())
                feasible = (not va or possible[a]) and (not vb or possible[b]) and completes(on, off)
                if feasible:
                    sys.exit(
                        f"pairwise benchmark: ({a}={'ON' if va else 'OFF'}, {b}={'ON' if vb else 'OFF'}) not shown"
                    )


# --- the generator this one replaced -----------------------------------------------------


def previous_generator(modules: Mapping[str, Registration]) -> list[frozenset[str]]:
    graph = Graph(modules)
    names = graph.names
    rows_count = 2
    while len(
        list(itertools.islice(itertools.combinations(range(1, rows_count), (rows_count + 1) // 2), len(names)))
    ) < len(names):
        rows_count += 1
    columns = [
        sum(1 << bit for bit in ones)
        for ones in itertools.islice(itertools.combinations(range(1, rows_count), (rows_count + 1) // 2), len(names))
    ]
    rows = [graph.repair(n for n, col in zip(names, columns, strict=True) if col >> r & 1) for r in range(rows_count)]

    def pins(a: str, va: bool, b: str, vb: bool) -> tuple[set[str], set[str]]:
        on: set[str] = set()
        off: set[str] = set()
        for name, value in ((a, va), (b, vb)):
            (on if value else off).update(graph.closure[name] if value else graph.dependents[name])
        return on, off

    def feasible(a: str, va: bool, b: str, vb: bool) -> bool:
        on, off = pins(a, va, b, vb)
        return not on & off and not any(graph.conflicts[n] & on for n in on)

    def uncovered(rows: Sequence[frozenset[str]]) -> list[tuple[str, bool, str, bool]]:
        out = []
        for a, b in itertools.combinations(names, 2):
            for va, vb in itertools.product((True, False), repeat=2):
                if not any((a in row) == va and (b in row) == vb for row in rows) and feasible(a, va, b, vb):
                    out.append((a, va, b, vb))
        return out

    missing = uncovered(rows)
    missing.sort(
        key=lambda p: -sum(len(graph.closure[n] if v else graph.dependents[n]) for n, v in ((p[0], p[1]), (p[2], p[3])))
    )
    while missing:
        on: set[str] = set()
        off: set[str] = set()
        for pair in missing:
            add_on, add_off = pins(*pair)
            if (
                add_on & off
                or add_off & on
                or add_on & add_off
                or any(graph.conflicts[n] & (on | add_on) for n in add_on)
            ):
                continue
            on |= add_on
            off |= add_off
        rows.append(frozenset(on))
        missing = [p for p in missing if (p[0] in on) != p[1] or (p[2] in on) != p[3]]
    return list(dict.fromkeys(rows))


# --- covertable, in a process of its own (it may not finish) -----------------------------

_COVERTABLE = """
import json, sys
from covertable import make
modules = json.load(sys.stdin)
either = lambda a, va, b, vb: {"operator": "or", "conditions": [
    {"operator": "eq", "left": a, "value": va}, {"operator": "eq", "left": b, "value": vb}]}
constraints = [either(n, 0, r, 1) for n, m in modules.items() for r in m["requires"]]
constraints += [either(n, 0, c, 0) for n, m in modules.items() for c in m["conflicts"]]
rows = make({n: [0, 1] for n in modules}, strength=2, constraints=constraints)
print(json.dumps([sorted(n for n, v in row.items() if v) for row in rows]))
"""


def covertable(modules: Mapping[str, Registration], timeout: float) -> tuple[list[frozenset[str]] | None, float, str]:
    data = {n: {"requires": list(r.requires), "conflicts": list(r.conflicts)} for n, r in modules.items()}
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _COVERTABLE], input=json.dumps(data), capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None, timeout, f"no result in {timeout:.0f} s"
    took = time.perf_counter() - start
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        return None, took, "not installed" if "ModuleNotFoundError" in last else last[:60]
    return [frozenset(row) for row in json.loads(proc.stdout)], took, ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[10, 30, 60, 200, 1000, 2000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--shapes", nargs="+", choices=sorted(SHAPES), default=list(SHAPES))
    parser.add_argument("--timeout", type=float, default=60, help="seconds covertable may take per graph")
    parser.add_argument("--covertable-up-to", type=int, default=30, help="run covertable up to this size")
    parser.add_argument("--previous-up-to", type=int, default=200, help="run the replaced generator up to this size")
    args = parser.parse_args()
    rows = [
        "| shape | modules | seed | longest chain | pairwise configurations | generated in (s)"
        " | replaced generator | covertable 3.2 | covertable (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for shape_name in args.shapes:
        shape = SHAPES[shape_name]
        for count in args.counts:
            for seed in args.seeds:
                modules = family(shape, count, seed)
                plain = as_conflicts(modules) if shape.policy else modules  # providers as conflicts
                start = time.perf_counter()
                configs, _ = generate(modules, ["pairwise"], provided=provided(shape, modules))
                took = time.perf_counter() - start
                check(modules, [c.on for c in configs], shape.policy)
                previous = "—"
                if count <= args.previous_up_to and shape.policy is None:
                    before = previous_generator(modules)
                    check(modules, before)
                    previous = str(len(before))
                ct_rows, ct_took, why = (
                    covertable(plain, args.timeout)
                    if count <= args.covertable_up_to and shape.policy != "exactly-one"
                    else (None, 0.0, "—")
                )
                if ct_rows is not None:
                    check(modules, ct_rows, shape.policy)
                ct = str(len(ct_rows)) if ct_rows is not None else why
                rows.append(
                    f"| {shape.name} | {count} | {seed} | {longest_chain(plain)} | {len(configs)} | {took:.2f}"
                    f" | {previous} | {ct} | {ct_took:.1f} |"
                )
                print(rows[-1], file=sys.stderr, flush=True)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
