"""``modgate matrix``: small sets of build configurations that prove the modules optional.

A configuration gives every module an explicit ON or OFF and is valid under the
registration files (every ON module's requirements ON, no two conflicting modules ON); the
resolver configure uses decides each one again, so nothing here can disagree with a build.
A strategy that asks for a configuration that cannot exist adjusts it (saying what and why)
or drops it.

``pairwise`` covers every feasible pair of states (a ON/OFF with b ON/OFF): greedy rows
that are valid by construction, then the removal of rows whose pairs fit into the others
(:mod:`._pairwise`). A capability (``provides``) is one many-valued factor: its providers
conflict pairwise, so each provider meets every state of every other module; its
"none" (under ``at-most-one``) meets them too, and under ``exactly-one`` every row has one
provider. A capability of policy ``any`` is no factor: its providers are independent
modules, built side by side, and the choice among them is made at run time. Rows a
capability changes, and pairs only a row of its own can show, are completed last.
Written here rather than taken from a library: the known covering-array tools either
ignore requires/conflicts or do not finish at a thousand options.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .._configure.graph import requires_closure
from .._configure.host import HostConfig
from .._configure.problems import ConfigurationError
from .._configure.registration import Registration
from .._configure.request import Capability, build_requests, capabilities, host_options
from .._configure.resolver import resolve
from .._names import NO_PROVIDER
from ..exceptions import ModgateError
from ._common import add_defines, defines, project
from ._pairwise import pairwise_rows
from ._probe import missing_here

__all__ = [
    "STRATEGIES",
    "Configuration",
    "Graph",
    "configurations",
    "generate",
    "render",
    "shard",
]

_COMBINATIONS = 4096  # provider choices tried per row, when several capabilities need one
STRATEGIES = ("all-on", "all-off", "each-off", "each-alone", "pairwise", "random:N", "removal")


@dataclass
class Configuration:
    name: str
    on: frozenset[str]
    removed: tuple[str, ...] = ()  # the `removal` strategy: these modules' folders are deleted
    notes: list[str] = field(default_factory=list)
    avoid: frozenset[str] = frozenset()  # what must stay OFF when a provider is added (exactly-one)


class Graph:
    """The constraints of one host's modules. ``provided``: their capabilities (default:
    :func:`~modgate._configure.resolver.capabilities` with no host settings)."""

    def __init__(self, modules: Mapping[str, Registration], provided: Mapping[str, Capability] | None = None) -> None:
        self.modules = modules
        self.provided = _among(capabilities(modules) if provided is None else provided, modules)
        self.names = sorted(modules)
        self.closure = {
            n: frozenset([n, *(d for d in requires_closure(modules, n) if d in modules)]) for n in self.names
        }
        dependents: dict[str, set[str]] = {n: set() for n in self.names}
        for name, needed in self.closure.items():
            for dep in needed:
                dependents[dep].add(name)
        self.dependents = {n: frozenset(d) for n, d in dependents.items()}  # n and everything needing it
        self.conflicts = {n: frozenset(c for c in modules[n].conflicts if c in modules) for n in self.names}
        for name in self.names:
            for other in self.conflicts[name]:
                self.conflicts[other] = self.conflicts[other] | {name}
        for capability in self.provided.values():  # at most one provider on
            for provider in capability.providers:
                self.conflicts[provider] = self.conflicts[provider] | (set(capability.providers) - {provider})
        # Providers of which each row needs one (``exactly-one``), per capability.
        self.exactly = [frozenset(c.providers) for c in self.provided.values() if c.exactly_one]
        # What conflicts with a module or anything it requires: turning it ON clashes there.
        self.clash = {n: frozenset().union(*(self.conflicts[m] for m in self.closure[n])) for n in self.names}

    def mentioning(self, name: str) -> tuple[str, ...]:
        """``name`` and every module that requires a module in that set: what must go with
        ``name``'s folder for the tree to configure (a conflicts, optional-requires or
        [tests] requires entry naming a module that is gone is ignored)."""
        gone = {name}
        while True:
            more = {m for g in gone for m in self.dependents[g]} - gone
            if not more:
                return tuple(sorted(gone))
            gone |= more

    def valid(self, on: frozenset[str]) -> bool:
        return all(self.closure[n] <= on and not (self.conflicts[n] & on) for n in on) and all(
            providers & on for providers in self.exactly
        )

    def complete(self, on: frozenset[str], avoid: Iterable[str] = ()) -> frozenset[str] | None:
        """``on`` with a provider (and what it requires) for each ``exactly-one`` capability
        it has none of, none in ``avoid``; ``None`` when no choice is valid. Tries every
        combination: a valid one is a union of closures, since more modules only add
        conflicts."""
        if not self.exactly:
            return on if self.valid(on) else None
        avoided = set(avoid)
        missing = [sorted(providers - avoided) for providers in self.exactly if not providers & on]
        choices = itertools.islice(itertools.product(*missing), _COMBINATIONS)
        if on.union(*(self.closure[n] for n in on)) != on:  # not closed under requires
            for choice in choices:
                candidate = on.union(*(self.closure[p] for p in choice))
                if not candidate & avoided and self.valid(candidate):
                    return candidate
            return None
        # Closed under requires, and so is each candidate: only conflicts can spoil one, so
        # each choice costs a few set operations, not a check of every module in it.
        clash = frozenset().union(*(self.conflicts[n] for n in on))
        if clash & on:
            return None
        for choice in choices:
            added = frozenset().union(*(self.closure[p] for p in choice))
            candidate = on | added
            if candidate & avoided or added & clash or any(self.clash[p] & candidate for p in choice):
                continue
            if all(providers & candidate for providers in self.exactly):
                return candidate
        return None

    def repair(self, wanted: Iterable[str]) -> frozenset[str]:
        """The largest part of ``wanted`` that is valid: modules whose requirements are not
        all wanted go, then of each conflicting pair the later name (and what needs it)."""
        chosen = set(wanted)
        on = {n for n in chosen if self.closure[n] <= chosen}
        for name in self.names:
            if name in on and self.conflicts[name] & on:
                for other in sorted(self.conflicts[name] & on):
                    on -= self.dependents[max(name, other)]
        return frozenset(n for n in on if self.closure[n] <= on)


def _among(provided: Mapping[str, Capability], modules: Mapping[str, Registration]) -> dict[str, Capability]:
    """``provided`` with only the providers among ``modules`` (those left out: deleted, or
    not buildable here)."""
    out = {}
    for name, capability in provided.items():
        providers = tuple(p for p in capability.providers if p in modules)
        if providers:
            default = capability.default if capability.default in (*providers, NO_PROVIDER) else ""
            out[name] = dataclasses.replace(capability, providers=providers, default=default)
    return out


def _check(graph: Graph, config: Configuration, prefix: str) -> None:
    """The resolver's own verdict on ``config``: the states it decides must be these."""
    modules = {n: r for n, r in graph.modules.items() if n not in config.removed}
    values = {modules[n].option_for(prefix): ("ON" if n in config.on else "OFF") for n in modules}
    provided = _among(graph.provided, modules)
    requests = build_requests(modules, values, None, prefix=prefix, provided=provided)
    resolution = resolve(modules, requests, prefix=prefix, provided=provided)
    decided = {s.name for s in resolution.states if s.enabled}
    assert decided == set(config.on), (config.name, sorted(decided ^ set(config.on)))


def _all_on(graph: Graph) -> Configuration:
    on = graph.repair(graph.names)
    config = Configuration("all-on", on)
    if len(on) < len(graph.names):
        config.notes.append(f"off to stay valid (conflicts): {', '.join(sorted(set(graph.names) - on))}")
    return config


def _each_off(graph: Graph, base: Configuration) -> list[Configuration]:
    out = []
    for name in graph.names:
        on = base.on - graph.dependents[name]
        config = Configuration(f"each-off:{name}", on, avoid=graph.dependents[name])
        also = sorted(graph.dependents[name] - {name})
        if also:
            config.notes.append(f"also off, as they require {name}: {', '.join(also)}")
        out.append(config)
    return out


def _each_alone(graph: Graph) -> tuple[list[Configuration], list[str]]:
    out, dropped = [], []
    for name in graph.names:
        on = graph.closure[name]
        if graph.complete(on) is None:  # an exactly-one capability's provider is added later
            dropped.append(f"each-alone:{name} dropped: what it requires conflicts within itself")
            continue
        config = Configuration(f"each-alone:{name}", on)
        if len(on) > 1:
            config.notes.append(f"with what it requires: {', '.join(sorted(on - {name}))}")
        out.append(config)
    return out, dropped


def _random(graph: Graph, count: int, seed: int) -> list[Configuration]:
    """Random requests, resolved: each row asks for a random number of modules, in random
    order, each ON with what it requires (one whose closure clashes within itself or with
    the row so far is left out). A deep module is then on about as often as a leaf;
    drawing each module's state on its own would keep every module with a long chain of
    requirements off."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        asked = rng.sample(graph.names, rng.randint(1, max(1, len(graph.names) // 2))) if graph.names else []
        on: frozenset[str] = frozenset()
        for name in asked:
            if not graph.clash[name] & (on | graph.closure[name]):  # nothing it needs clashes, nor with the row
                on |= graph.closure[name]
        note = f"asked for {len(asked)} module(s), each with what it requires"
        rows.append(Configuration(f"random:{index}", on, notes=[note]))
    return rows


def _pairwise(graph: Graph) -> list[Configuration]:
    rows = list(pairwise_rows(graph))
    if graph.provided:
        rows = _with_capabilities(graph, rows)
    return [Configuration(f"pairwise:{i}", row) for i, row in enumerate(rows)]


def _unshown(graph: Graph, rows: Sequence[frozenset[str]]) -> Iterator[tuple[frozenset[str], frozenset[str]]]:
    """What the pairwise rows must show and ``rows`` do not, each as (modules ON, modules
    OFF): every pair of module states, and each ``at-most-one`` capability's "none" with
    every state of every module that does not provide it. Rows as bits per module: a
    thousand modules make half a million pairs."""
    full = (1 << len(rows)) - 1
    on_in = dict.fromkeys(graph.names, 0)  # the rows each module is ON in
    for index, row in enumerate(rows):
        for name in row:
            on_in[name] |= 1 << index
    names = graph.names
    for i, a in enumerate(names):
        a_on = on_in[a]
        a_off = full ^ a_on
        for b in names[i + 1 :]:
            b_on = on_in[b]
            b_off = full ^ b_on
            for mask, on, off in (
                (a_on & b_on, (a, b), ()),
                (a_on & b_off, (a,), (b,)),
                (a_off & b_on, (b,), (a,)),
                (a_off & b_off, (), (a, b)),
            ):
                if not mask:
                    yield frozenset(on), frozenset(off)
    for capability in graph.provided.values():
        if capability.exactly_one:
            continue
        none = full
        for provider in capability.providers:
            none &= full ^ on_in[provider]
        for name in names:
            if name not in capability.providers:
                if not none & (full ^ on_in[name]):
                    yield frozenset(), frozenset({name, *capability.providers})
                if not none & on_in[name]:
                    yield frozenset({name}), frozenset(capability.providers)


def _with_capabilities(graph: Graph, rows: list[frozenset[str]]) -> list[frozenset[str]]:
    """The generator's rows, each given a provider where ``exactly-one`` asks for one, then
    a row more for what is feasible and not shown yet (:func:`_unshown`): the extra rows
    take as many of those as stay valid."""
    done: list[frozenset[str]] = []
    for row in rows:
        completed = graph.complete(row)
        if completed is not None and completed not in done:
            done.append(completed)
    extra: list[tuple[set[str], set[str]]] = []  # what each added row must have ON and OFF
    for on, off in _unshown(graph, done):
        base = frozenset().union(*(graph.closure[n] for n in on))
        if base & off or graph.complete(base, off) is None:
            continue  # no valid configuration shows it
        for must_on, must_off in extra:
            merged = frozenset(must_on | on).union(*(graph.closure[n] for n in must_on | on))
            if not merged & (must_off | off) and graph.complete(merged, must_off | off) is not None:
                must_on |= on
                must_off |= off
                break
        else:
            extra.append((set(on), set(off)))
    for must_on, must_off in extra:
        added = graph.complete(frozenset().union(*(graph.closure[n] for n in must_on)), must_off)
        assert added is not None
        done.append(added)
    return done


def _without_unavailable(
    modules: Mapping[str, Registration], unavailable: Mapping[str, Sequence[str]]
) -> tuple[dict[str, Registration], list[str]]:
    """``modules`` less those that cannot be ON here (a package missing) and what requires
    them, which stay OFF in every configuration; and a note for each."""
    full = Graph(modules)
    out: dict[str, str] = {}
    for name in sorted(unavailable):
        for gone in sorted(full.dependents.get(name, {name})):
            why = f"needs {', '.join(unavailable[name])}, not found on this machine"
            out.setdefault(gone, why if gone == name else f"requires {name}, which {why}")
    notes = [f"{name}: OFF in every configuration: it {why}" for name, why in sorted(out.items())]
    return {n: r for n, r in modules.items() if n not in out}, notes


def generate(
    modules: Mapping[str, Registration],
    strategies: Sequence[str],
    *,
    seed: int = 0,
    prefix: str = "USE_MODULE_",
    unavailable: Mapping[str, Sequence[str]] | None = None,
    provided: Mapping[str, Capability] | None = None,
) -> tuple[list[Configuration], list[str]]:
    """The configurations of ``strategies``, each checked by the resolver, and the notes on
    what was dropped. Configurations equal to an earlier one are listed once. The modules
    in ``unavailable`` (module -> the packages this machine lacks) and what requires them
    are OFF in every configuration, and said so. ``provided``: the capabilities, with the
    host's policies (default: none set)."""
    dropped: list[str] = []
    if unavailable:
        modules, dropped = _without_unavailable(modules, unavailable)
    graph = Graph(modules, provided)
    configs: list[Configuration] = []
    base = _all_on(graph)
    for strategy in strategies:
        kind, _, arg = strategy.partition(":")
        if kind == "all-on":
            configs.append(base)
        elif kind == "all-off":
            configs.append(Configuration("all-off", frozenset()))
        elif kind == "each-off":
            configs += _each_off(graph, base)
        elif kind == "each-alone":
            alone, gone = _each_alone(graph)
            configs += alone
            dropped += gone
        elif kind == "random" and arg.isdigit() and int(arg) > 0:
            configs += _random(graph, int(arg), seed)
        elif kind == "pairwise":
            configs += _pairwise(graph)
        elif kind == "removal":
            for name in graph.names:
                deleted = graph.mentioning(name)
                config = Configuration(
                    f"removal:{name}", base.on - set(deleted), removed=deleted, avoid=frozenset(deleted)
                )
                if len(deleted) > 1:
                    others = ", ".join(n for n in deleted if n != name)
                    config.notes.append(f"also deleted, as their module.toml names a deleted module: {others}")
                configs.append(config)
        else:
            raise ValueError(f"unknown strategy {strategy!r}: use {', '.join(STRATEGIES)}")
    first: dict[tuple[frozenset[str], tuple[str, ...]], Configuration] = {}
    unique = []
    for config in configs:
        if graph.exactly and not graph.valid(config.on):
            finished = graph.complete(config.on, config.avoid)
            if finished is None:
                dropped.append(f"{config.name} dropped: no provider of an exactly-one capability fits it")
                continue
            added = ", ".join(sorted(finished - config.on))
            config.notes.append(f"with {added}: an exactly-one capability needs a provider")
            config.on = finished
        key = (config.on, config.removed)
        if key in first:
            first[key].notes.append(f"also stands for {config.name}")
            continue
        first[key] = config
        _check(graph, config, prefix)
        unique.append(config)
    return unique, dropped


def shard(configs: Sequence[Configuration], spec: str) -> list[Configuration]:
    """Part K of N (``"K/N"``, 1-based): every N-th configuration from the K-th, so N machines
    run disjoint parts whose union is the whole."""
    k_text, _, n_text = spec.partition("/")
    if not (k_text.isdigit() and n_text.isdigit()) or not 1 <= int(k_text) <= int(n_text):
        raise ValueError(f"--shard {spec!r}: write K/N with 1 <= K <= N, e.g. 2/4")
    k, n = int(k_text), int(n_text)
    return [c for i, c in enumerate(configs) if i % n == k - 1]


def render(
    configs: Sequence[Configuration], modules: Mapping[str, Registration], prefix: str, fmt: str, dropped: Sequence[str]
) -> str:
    def options(config: Configuration) -> dict[str, str]:
        return {
            modules[n].option_for(prefix): ("ON" if n in config.on else "OFF")
            for n in sorted(modules)
            if n not in config.removed
        }

    if fmt == "json":
        out = []
        for config in configs:
            entry: dict[str, object] = {"name": config.name, "options": options(config)}
            if config.removed:
                entry["removed"] = list(config.removed)
            out.append(entry)
        return json.dumps(out, indent=2)
    if fmt == "github":
        include = []
        for config in configs:
            opts = options(config)
            include.append(
                {
                    "name": config.name,
                    "removed": " ".join(config.removed),
                    "cmake_defines": " ".join(f"-D{k}={v}" for k, v in opts.items()),
                    "pip_config": " ".join(f"-C cmake.define.{k}={v}" for k, v in opts.items()),
                }
            )
        return json.dumps({"include": include})
    lines = []
    for config in configs:
        on = ", ".join(sorted(config.on)) or "(none: the core alone)"
        lines.append(f"{config.name}: ON {on}" + "".join(f"\n    {note}" for note in config.notes))
    lines += [f"dropped: {text}" for text in dropped]
    lines.append(f"modgate matrix: {len(configs)} configuration(s) over {len(modules)} module(s)")
    return "\n".join(lines)


# --- the command -----------------------------------------------------------------------


def configurations(
    args: argparse.Namespace,
) -> tuple[Path, HostConfig, dict[str, Registration], list[Configuration], list[str]]:
    """The host at ``args.dir`` and the configurations of ``args.strategy`` (matrix, verify)."""
    root, settings, found = project(args.dir)
    modules = found.registrations
    defines(args.define, "CMAKE_PREFIX_PATH=/opt/cuda")  # refused here, before anything runs
    unavailable = missing_here(modules, args.define) if args.packages_here else None
    try:
        strategies = [s.strip() for s in args.strategy.split(",") if s.strip()]
        provided = host_options(modules, settings).provided
        configs, dropped = generate(
            modules,
            strategies,
            seed=args.seed,
            prefix=settings.option_prefix,
            unavailable=unavailable,
            provided=provided,
        )
        if args.shard:
            configs = shard(configs, args.shard)
    except ValueError as exc:
        raise ModgateError(str(exc)) from None
    except ConfigurationError as exc:
        raise ModgateError(exc.format()) from None
    if getattr(args, "only", None):
        wanted = set(args.only)
        unknown = wanted - {c.name for c in configs}
        if unknown:
            raise ModgateError(f"--only {', '.join(sorted(unknown))}: no such configuration of {args.strategy}")
        configs = [c for c in configs if c.name in wanted]
    return root, settings, dict(modules), list(configs), dropped


def add_package_arguments(parser: argparse.ArgumentParser) -> None:
    """``--packages-here`` and ``-D``, shared by matrix and verify."""
    parser.add_argument(
        "--packages-here",
        action="store_true",
        help="look for every module's native.packages on this machine first; a module whose package is missing"
        " (and what requires it) is OFF in every configuration",
    )
    add_defines(
        parser,
        "a CMake variable for the package look-up (and, for verify, every configure), e.g."
        " -D CMAKE_PREFIX_PATH=/opt/cuda",
    )
