"""The module graph: what a registration's ``requires`` reaches (one walk, shared), its
cycles, its order, and the names it gives that are not there (``requires``: an error;
``conflicts``, ``optional-requires``, ``[tests] requires``: a warning, so that deleting a
module's folder breaks no other module).

Runs at configure time; the standard library only.
"""

from __future__ import annotations

import heapq
from collections.abc import Container, Iterable, Mapping, Sequence
from itertools import pairwise

from .._closure import reach
from .._names import (
    REGISTRATION_FILE,
)
from .problems import Problem, suggest
from .registration import Registration

__all__ = [
    "chain_text",
    "check_graph",
    "outside_references",
    "requires_closure",
    "soft_references",
    "topological_order",
]

_CHAIN_SHOWN = 12


def chain_text(chain: Sequence[str]) -> str:
    if len(chain) <= _CHAIN_SHOWN:
        return " → ".join(chain)
    head, tail = chain[:5], chain[-5:]
    return " → ".join(head) + f" → … ({len(chain) - 10} more) … → " + " → ".join(tail)


def requires_closure(
    modules: Mapping[str, Registration], *names: str, within: Container[str] | None = None
) -> list[str]:
    """Every module ``names`` require, directly or through others, sorted, without
    ``names`` themselves (cycles end the walk; a host module a plugin requires ends it
    too). ``within``: walk only through these modules (those on, say)."""

    def requires(name: str) -> tuple[str, ...]:
        return modules[name].requires if name in modules else ()

    return sorted(reach(names, requires, within=within) - set(names))


def outside_references(modules: Mapping[str, Registration]) -> set[str]:
    """The modules ``requires``/``conflicts`` name that are not among ``modules``: for a
    plugin, its host's (configure checks them against the installed host)."""
    return {
        ref
        for reg in modules.values()
        for ref in (*reg.requires, *reg.conflicts, *reg.test_requires, *reg.optional_requires)
        if ref not in modules
    }


_SOFT_KEYS = ("conflicts", "optional-requires", "tests.requires")


_LISTED = 5  # names not here listed one by one per key; more are one problem


def _unknown_references(
    modules: Mapping[str, Registration], external: Iterable[str], keys: Sequence[str]
) -> list[Problem]:
    """Each module ``keys`` of a registration name that is neither here nor ``external``."""
    problems: list[Problem] = []
    names = sorted(modules)
    outside = set(external)
    for name in names:
        reg = modules[name]
        fields = {
            "requires": reg.requires,
            "conflicts": reg.conflicts,
            "optional-requires": reg.optional_requires,
            "tests.requires": reg.test_requires,
        }
        for key in keys:
            unknown = [ref for ref in fields[key] if ref not in modules and ref not in outside]
            soft = f" ({key} of a module that is not here is ignored)" if key in _SOFT_KEYS else ""
            if len(unknown) > _LISTED:  # one problem for the key, not one per name
                shown = ", ".join(map(repr, unknown[:_LISTED]))
                problems.append(
                    Problem(
                        reg.path,
                        key,
                        f"{key} names {len(unknown)} modules that are not here: {shown} and"
                        f" {len(unknown) - _LISTED} more{soft}",
                        f"remove them from {key!r}, or add those modules (modules/<name>/{REGISTRATION_FILE})",
                    )
                )
                continue
            for ref in unknown:
                others = [n for n in [*names, *outside] if n != name]
                problems.append(
                    Problem(
                        reg.path,
                        key,
                        f"{key} unknown module {ref!r}{suggest(ref, others)}{soft}",
                        f"remove {ref!r} from {key!r}, or add a module {ref!r} (modules/{ref}/{REGISTRATION_FILE})",
                    )
                )
    return problems


def soft_references(modules: Mapping[str, Registration], external: Iterable[str] = ()) -> list[Problem]:
    """Warnings: ``conflicts``, ``optional-requires`` and ``[tests] requires`` naming a module
    that is not here. Deleting one module's folder must never turn another off or break
    configure, so these are ignored (a typo is still worth a word)."""
    return _unknown_references(modules, external, _SOFT_KEYS)


def check_graph(modules: Mapping[str, Registration], external: Iterable[str] = ()) -> list[Problem]:
    """``requires`` naming an unknown module, ``requires`` cycles (each cycle named whole),
    and module commands taken twice. ``external`` names the modules of the host a plugin
    extends, which may be referred to. (Other keys naming an unknown module:
    :func:`soft_references`.)"""
    problems = _unknown_references(modules, external, ("requires",))
    names = sorted(modules)
    owners: dict[str, str] = {}
    for name in names:
        for command, _target in modules[name].commands:
            if command in owners:
                problems.append(
                    Problem(
                        modules[name].path,
                        f"commands.{command}",
                        f"modgate {command} is already a command of module {owners[command]!r}",
                        "give one of them another name",
                    )
                )
            owners.setdefault(command, name)
    problems.extend(_cycles(modules))
    return problems


def _cycles(modules: Mapping[str, Registration]) -> list[Problem]:
    # Iterative DFS (chains may be thousands long); each cycle reported once.
    color: dict[str, int] = {}
    problems: list[Problem] = []
    for root in sorted(modules):
        if color.get(root):
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = [root]
        color[root] = 1
        while stack:
            node, index = stack[-1]
            # Optional requirements link too, when present: a cycle through one is a cycle.
            deps = [d for d in (*modules[node].requires, *modules[node].optional_requires) if d in modules]
            if index < len(deps):
                stack[-1] = (node, index + 1)
                dep = deps[index]
                state = color.get(dep, 0)
                if state == 0:
                    color[dep] = 1
                    stack.append((dep, 0))
                    path.append(dep)
                elif state == 1:
                    cycle = [*path[path.index(dep) :], dep]
                    first = cycle[0]
                    optional = [(a, b) for a, b in pairwise(cycle) if b not in modules[a].requires]
                    key = "optional-requires" if cycle[1] not in modules[first].requires else "requires"
                    kind = "requires" if not optional else "requires and optional-requires"
                    problems.append(
                        Problem(
                            modules[first].path,
                            key,
                            f"{kind} cycle of {len(cycle) - 1} modules: {chain_text(cycle)}",
                            f"remove one link, for example {cycle[1]!r} from {key!r} in {modules[first].path}",
                        )
                    )
            else:
                color[node] = 2
                stack.pop()
                path.pop()
    return problems


def topological_order(modules: Mapping[str, Registration]) -> list[str]:
    """Requirements (and optional requirements) before dependents; ties broken by name.
    Assumes no cycles."""
    dependents: dict[str, list[str]] = {name: [] for name in modules}
    pending = {name: 0 for name in modules}
    for name, reg in modules.items():
        for dep in (*reg.requires, *reg.optional_requires):
            if dep in modules:
                dependents[dep].append(name)
                pending[name] += 1
    ready = [name for name, count in pending.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        name = heapq.heappop(ready)
        order.append(name)
        for dependent in dependents[name]:
            pending[dependent] -= 1
            if pending[dependent] == 0:
                heapq.heappush(ready, dependent)
    return order
