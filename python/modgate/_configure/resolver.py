"""The decision: which modules a request builds, each with a reason.

Pure and deterministic. Rules (the user guide, "Choosing modules at build time"):

- ``ON`` builds a module and every module it requires: a requirement that cannot be
  built (set ``OFF``, a package missing, a conflict with another ``ON``) is an error
  showing the whole chain and the fix, whichever place the ``ON`` came from.
- ``AUTO`` does the same when all of it can be built; else it is off with the chain.
- ``IF_NEEDED`` is on exactly when a module being built requires it ("needed by X").
- ``OFF`` is off; nothing brings it in. A value is never changed: the resolver turns
  only ``AUTO`` and ``IF_NEEDED`` modules off, and brings in only ``IF_NEEDED`` ones.
- The providers of one capability conflict pairwise (at most one on); under
  ``exactly-one``, none on is an error listing every provider and the option to set.
- Of two conflicting modules, one an ``ON`` request brings in wins over an ``AUTO`` one;
  two of the same strength are an error: choosing silently would depend on nothing the
  user said.
- A refusal lists every problem at once and carries one set of option changes that
  fixes them all (:func:`decide`).

Runs at configure time; the standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .._names import (
    ALL_MODULES,
    DEFAULT_OPTION_PREFIX,
    extra_name,
)
from .graph import chain_text, check_graph, requires_closure, topological_order
from .problems import ConfigurationError, Problem
from .registration import Registration
from .request import Capability, HostOptions, Request, capabilities, check_options

__all__ = [
    "HostModule",
    "ModuleState",
    "Resolution",
    "decide",
    "needed_text",
    "resolve",
]


@dataclass(frozen=True)
class ModuleState:
    name: str
    enabled: bool
    request: Request
    reason: str
    # An AUTO module off because a module it requires is off: that chain of requirements,
    # ending with the module that is off for a reason of its own (whose option to change).
    blocked_by: tuple[str, ...] = ()
    # A module on only because a module being built requires it: the chain of requirements
    # from the module that was asked for (ON or AUTO) to this one.
    needed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolution:
    """Every module's state, sorted by name; ``order`` lists enabled modules requirements-first."""

    states: tuple[ModuleState, ...]
    order: tuple[str, ...]

    def state(self, name: str) -> ModuleState:
        for state in self.states:
            if state.name == name:
                return state
        raise KeyError(name)

    @property
    def enabled(self) -> tuple[str, ...]:
        return self.order


@dataclass(frozen=True)
class HostModule:
    """A module of the installed host a plugin extends, as the host's build manifest says:
    a fixed fact for the plugin's configure, never a request."""

    host: str
    name: str
    enabled: bool
    option: str
    reason: str
    wheel: str = ""  # built, and shipped in this wheel of its own, which is not installed

    def off_text(self) -> str:
        if self.wheel:
            return f"{self.host}'s module {self.name!r} ships in its own wheel, {self.wheel}, which is not installed"
        return f"{self.host}'s module {self.name!r} is OFF in the installed {self.host} ({self.option}: {self.reason})"

    def rebuild_fix(self) -> str:
        if self.wheel:
            return f'install it: pip install "{self.host}[{extra_name(self.name)}]"'
        return (
            f"rebuild {self.host} with it: pip install {self.host} -C cmake.define.{self.option}=ON (from its checkout)"
        )


def _package_text(missing: Sequence[str], failed: Sequence[str] = ()) -> str:
    parts = []
    if missing:
        noun = "package" if len(missing) == 1 else "packages"
        parts.append(f"{noun} {', '.join(missing)} not found by find_package")
    for text in failed:  # "<package>: <what CMake said>"
        package, _, said = text.partition(": ")
        parts.append(f"package {package} failed to load in find_package ({said})")
    return "; ".join(parts)


class _Decision:
    """The state :func:`resolve` builds up, one named pass at a time: which modules are on,
    why each one that is off is off, and the problems to report (each once)."""

    def __init__(
        self,
        modules: Mapping[str, Registration],
        requests: Mapping[str, Request],
        prefix: str,
        host_modules: Mapping[str, HostModule],
    ) -> None:
        self.modules = modules
        self.requests = requests
        self.prefix = prefix
        self.host_modules = host_modules
        self.order = topological_order(modules)
        self.asked = {name for name in modules if requests[name].value in ("ON", "AUTO")}
        self.on = set(self.asked)
        self.on |= {name for name, module in host_modules.items() if module.enabled}
        # A module on only because an asked module requires it: the chain from that module.
        self.needed: dict[str, tuple[str, ...]] = self._pull()
        self.on |= set(self.needed)
        # What an ON module brings in counts as ON where two modules conflict.
        hard = sorted(name for name in self.asked if self.hard(name))
        self.strong = {*hard, *requires_closure(modules, *hard, within=self.on)}
        self.reason: dict[str, str] = {}
        # Why the module at the end of a chain is off (its own reason, not a follower's).
        self.root: dict[str, str] = {name: m.off_text() for name, m in host_modules.items() if not m.enabled}
        self.via: dict[str, str] = {}  # the requirement an AUTO module followed off
        self.chains: dict[str, tuple[str, ...]] = {}  # that requirement's chain to the module off on its own
        self.found: dict[tuple[str, str], Problem] = {}
        self.shared: dict[tuple[str, str], Capability] = {}  # two providers of one capability (sorted)
        self.provided: Mapping[str, Capability] = {}
        self.unbuildable: set[str] = set()  # modules a package of theirs was not found for
        for name in sorted(modules):
            if name not in self.on:
                self.reason[name] = self.root[name] = requests[name].describe()
                if requests[name].value == "IF_NEEDED":
                    self.reason[name] += ": nothing being built requires it"

    def _pull(self) -> dict[str, tuple[str, ...]]:
        """The ``IF_NEEDED`` modules the asked ones require (through each other), each with
        its chain from the first asking module found: ON modules first, then AUTO, by name."""
        roots = sorted(self.asked, key=lambda name: (not self.hard(name), name))
        chains: dict[str, tuple[str, ...]] = {root: (root,) for root in roots}
        queue = list(roots)
        needed: dict[str, tuple[str, ...]] = {}
        for name in queue:  # grows as it goes: breadth first
            for dep in self.modules[name].requires:
                if dep in self.modules and dep not in chains and self.requests[dep].value == "IF_NEEDED":
                    chains[dep] = needed[dep] = (*chains[name], dep)
                    queue.append(dep)
        return needed

    def why_on(self, name: str) -> str:
        """Why ``name`` is (or was) to be built: what was asked for it, or who needs it."""
        chain = self.needed.get(name)
        return self.requests[name].describe() if chain is None else needed_text(chain, self.requests[chain[0]])

    def option(self, name: str) -> str:
        return self.modules[name].option_for(self.prefix)

    def hard(self, name: str) -> bool:
        return self.requests[name].value == "ON"

    def report(self, key: tuple[str, str], problem: Problem) -> None:
        self.found.setdefault(key, problem)

    def turn_off(self, name: str, why: str) -> None:
        self.on.discard(name)
        self.reason[name] = self.root[name] = why

    def chain_of(self, start: str) -> list[str]:
        chain = [start]
        while chain[-1] in self.via:
            chain.append(self.via[chain[-1]])
        return chain

    # --- the passes, in order ----------------------------------------------------------

    def missing_packages(
        self, missing_packages: Mapping[str, Sequence[str]], failed_packages: Mapping[str, Sequence[str]]
    ) -> None:
        """A module whose external packages were not found, or whose CMake config failed
        when probed: an error when ON, off when AUTO (the rest of configure goes on)."""
        self.unbuildable = {name for name in self.modules if missing_packages.get(name) or failed_packages.get(name)}
        for name in sorted(self.on):
            missing = missing_packages.get(name, ())
            failed = failed_packages.get(name, ())
            if not missing and not failed:
                continue
            text = _package_text(missing, failed)
            if self.hard(name):
                fixes = []
                if missing:
                    fixes.append(f"install {', '.join(missing)} (and point CMake at it with CMAKE_PREFIX_PATH)")
                if failed:
                    broken = ", ".join(f.partition(": ")[0] for f in failed)
                    fixes.append(f"make {broken} load (enable in project() the languages its config checks with)")
                self.report(
                    (name, "packages"),
                    Problem(
                        self.modules[name].path,
                        "native.packages",
                        f"module {name!r} is ON ({self.requests[name].describe()}) but {text}",
                        f"{', or '.join(fixes)}, or set {self.option(name)}=AUTO to build without it, or OFF",
                        ((self.option(name), "OFF"),),
                    ),
                )
            else:
                self.turn_off(name, text)

    def installed_host_conflicts(self) -> None:
        """A conflict with a module the installed host built ON is settled: that module is there."""
        for name in sorted(self.on & set(self.modules)):
            present = [
                other for other in self.modules[name].conflicts if other in self.host_modules and other in self.on
            ]
            if not present:
                continue
            host = self.host_modules[present[0]].host
            text = f"conflicts with {host}'s module {present[0]!r}, which the installed host has ON"
            if self.hard(name):
                self.report(
                    (name, f"conflicts:{present[0]}"),
                    Problem(
                        self.modules[name].path,
                        "conflicts",
                        f"module {name!r} is ON but {text}",
                        f"set {self.option(name)}=OFF",
                        ((self.option(name), "OFF"),),
                    ),
                )
            else:
                self.turn_off(name, text)

    def _unmet_requirements(self, name: str, blocked: list[str]) -> None:
        # Every unmet requirement of an ON module at once: one configure shows all there is to fix.
        for dep in blocked:
            chain = self.chain_of(dep)
            last, cause = chain[-1], self.root[chain[-1]]
            off = f"set {self.option(name)}=OFF"
            last_request = self.requests.get(last)
            if last_request is None:  # the installed host's module
                fix, action = f"{self.host_modules[last].rebuild_fix()}, or {off}", (self.option(name), "OFF")
            elif last_request.value == "OFF" and last_request.capability:
                chooser = self.provided[last_request.capability].option
                fix, action = f"set {chooser}={last}, or {off}", (chooser, last)
            elif last_request.value == "OFF":
                own = f"{self.option(last)}=IF_NEEDED"
                fix = (
                    f"set {own} (a module's own option wins over its group's; built because {name!r} needs it),"
                    f" or set {last_request.source}=IF_NEEDED, or {off}"
                    if last_request.group
                    else f"set {own} (built because {name!r} needs it) or ON, or {off}"
                )
                action = (self.option(last), "IF_NEEDED")
            else:
                fix, action = f"make {last!r} buildable ({cause}), or {off}", (self.option(name), "OFF")
            if self.requests[name].group:  # the ON came from a group: AUTO there lets the member follow
                fix += f" (or {self.requests[name].source}=AUTO)"
            self.report(
                (name, f"requires:{dep}"),
                Problem(
                    self.modules[name].path,
                    "requires",
                    f"module {name!r} is ON ({self.requests[name].describe()}) but requires"
                    f" {chain_text([name, *chain])}, and {last!r} is off: {cause}",
                    fix,
                    (action,),
                ),
            )

    def _follow_requirements(self) -> bool:
        """AUTO modules whose requirement is off follow it off; whether any did."""
        changed = False
        for name in self.order:
            if name not in self.on:
                continue
            blocked = [dep for dep in self.modules[name].requires if dep not in self.on]
            if not blocked:
                continue
            if self.hard(name):
                self._unmet_requirements(name, blocked)
                continue
            chain = self.chain_of(blocked[0])
            self.on.discard(name)
            self.via[name] = blocked[0]
            self.root[name] = self.root[chain[-1]]
            self.chains[name] = tuple(chain)
            self.reason[name] = f"requires {chain_text(chain)}, which is off: {self.root[chain[-1]]}"
            changed = True
        return changed

    def _yield_to_required(self, conflicts: Sequence[tuple[str, str]]) -> bool:
        """Of two conflicting modules, one that only AUTO asks for gives way to one that ON
        asks for (itself or through what it requires); whether any did."""
        changed = False
        for a, b in conflicts:
            if a not in self.on or b not in self.on or (a in self.strong) == (b in self.strong):
                continue
            winner, loser = (a, b) if a in self.strong else (b, a)
            capability = self.shared.get((a, b))
            if capability is not None:
                why = f"{winner!r}, which also provides {capability.name!r}, is ON ({self.why_on(winner)})"
            else:
                why = f"conflicts with {winner!r}, which is ON ({self.why_on(winner)})"
            self.turn_off(loser, why)
            self.chains.pop(loser, None)
            changed = True
        return changed

    def requirements_and_conflicts(self, declared: Mapping[tuple[str, str], str]) -> None:
        """Until nothing changes: requirements followed, conflicts settled in favour of ON;
        then what only modules now off needed is off too."""
        conflicts = sorted(declared)
        changed = True
        while changed:
            changed = self._follow_requirements()
            changed = self._yield_to_required(conflicts) or changed
        self._drop_unneeded()

    def _drop_unneeded(self) -> None:
        """An IF_NEEDED module whose every needer turned off is off: nothing built needs it."""
        kept = [name for name in self.on if name in self.modules and name not in self.needed]
        still = set(requires_closure(self.modules, *kept, within=self.on))
        for name in sorted(set(self.needed) & self.on - still):
            root = self.needed[name][0]
            why = f"needed only by {root!r}, which is off: {self.reason[root]}" if root in self.reason else ""
            self.turn_off(name, f"{self.requests[name].describe()}: {why or 'nothing being built requires it'}")

    def _asker(self, name: str) -> str:
        """The module whose request put ``name`` on: itself, or the first that needs it."""
        return self.needed[name][0] if name in self.needed else name

    def conflicting_pairs_still_on(self, declared: Mapping[tuple[str, str], str]) -> None:
        """Two conflicting modules both still on (both asked ON, or both AUTO): an error
        whose fix turns off one of the modules that asked for them."""
        for pair in sorted(declared):
            a = declared[pair]
            b = pair[1] if a == pair[0] else pair[0]
            if a not in self.on or b not in self.on:
                continue
            both = "ON" if a in self.strong else "AUTO"
            whys = f"{self.why_on(a)}; {self.why_on(b)}"
            if pair in self.shared:
                capability = self.shared[pair]
                self.report(
                    (a, f"conflicts:{b}"),
                    Problem(
                        self.modules[a].path,
                        "provides",
                        f"modules {a!r} and {b!r} both provide {capability.name!r}, of which at most one may be on,"
                        f" and both are {both} ({whys})",
                        f"choose one: set {capability.option}={a} or {capability.option}={b}"
                        f" (it takes {capability.choices()})",
                        ((capability.option, a),),
                    ),
                )
            else:
                self.report(
                    (a, f"conflicts:{b}"),
                    Problem(
                        self.modules[a].path,
                        "conflicts",
                        f"modules {a!r} and {b!r} conflict, and both are {both} ({whys})",
                        f"choose one: set {self.option(self._asker(a))}=OFF or {self.option(self._asker(b))}=OFF",
                        ((self.option(self._asker(b)), "OFF"),),
                    ),
                )

    def one_provider_each(self, provided: Mapping[str, Capability]) -> None:
        """An ``exactly-one`` capability none of whose providers is on: an error listing each."""
        for capability in provided.values():
            if not capability.exactly_one or any(p in self.on for p in capability.providers):
                continue
            whys = "; ".join(f"{p} off: {self.reason.get(p, '?')}" for p in capability.providers)
            first = self.modules[capability.providers[0]]
            self.report(
                (capability.name, "exactly-one"),
                Problem(
                    first.path,
                    "provides",
                    f"capability {capability.name!r} needs exactly one provider on, and none is ({whys})",
                    f"set {capability.option} to {capability.choices()}, and make that provider buildable",
                    ((capability.option, self._buildable_first(capability.providers)),),
                ),
            )

    def _buildable_first(self, names: Sequence[str]) -> str:
        """The first of ``names`` whose packages were all found (else the first)."""
        return next((name for name in names if name not in self.unbuildable), names[0])

    def resolution(self) -> Resolution:
        states = []
        for name in sorted(self.modules):
            enabled = name in self.on
            request = self.requests[name]
            reason = self.why_on(name) if enabled else self.reason[name]
            blocked = () if enabled else self.chains.get(name, ())
            needed = self.needed.get(name, ()) if enabled else ()
            states.append(ModuleState(name, enabled, request, reason, blocked, needed))
        return Resolution(states=tuple(states), order=tuple(n for n in self.order if n in self.on))


def needed_text(chain: Sequence[str], request: Request) -> str:
    """``needed by X (USE_MODULE_X=ON)``: the reason of a module on because ``chain[0]``
    (asked for by ``request``) requires it, through the rest of ``chain``."""
    through = f"{chain_text(chain)}; " if len(chain) > 2 else ""
    return f"needed by {chain[-2]} ({through}{request.describe()})"


def _declared_conflicts(modules: Mapping[str, Registration]) -> dict[tuple[str, str], str]:
    """Each conflicting pair once (sorted), with the module whose file declares it."""
    declared: dict[tuple[str, str], str] = {}
    for name in sorted(modules):
        for other in modules[name].conflicts:
            if other in modules:
                declared.setdefault((min(name, other), max(name, other)), name)
    return declared


def resolve(
    modules: Mapping[str, Registration],
    requests: Mapping[str, Request],
    missing_packages: Mapping[str, Sequence[str]] | None = None,
    *,
    prefix: str = DEFAULT_OPTION_PREFIX,
    host_modules: Mapping[str, HostModule] | None = None,
    failed_packages: Mapping[str, Sequence[str]] | None = None,
    provided: Mapping[str, Capability] | None = None,
) -> Resolution:
    """Decide every module's state. ``missing_packages`` maps a module to the
    descriptions of its ``native.packages`` that were not found, ``failed_packages`` to
    those whose CMake config failed (``"<package>: <what CMake said>"``); ``prefix`` is the
    host's option prefix (for messages); ``host_modules`` are the installed host's modules,
    for a plugin (its modules may require them); ``provided`` the capabilities
    (:func:`capabilities`; default: no host settings)."""
    host_modules = host_modules or {}
    problems = check_graph(modules, host_modules) + check_options(modules, prefix)
    if problems:
        raise ConfigurationError(problems)
    provided = capabilities(modules, prefix=prefix) if provided is None else provided
    decision = _Decision(modules, requests, prefix, host_modules)
    decision.provided = provided
    decision.missing_packages(missing_packages or {}, failed_packages or {})
    decision.installed_host_conflicts()
    declared = _declared_conflicts(modules)
    for capability in provided.values():  # providers of one capability conflict pairwise
        for i, a in enumerate(capability.providers):
            for b in capability.providers[i + 1 :]:
                declared.setdefault((a, b), a)
                decision.shared[(a, b)] = capability
    decision.requirements_and_conflicts(declared)
    decision.conflicting_pairs_still_on(declared)
    decision.one_provider_each(provided)
    if decision.found:
        raise ConfigurationError(list(decision.found.values()))
    return decision.resolution()


def decide(
    modules: Mapping[str, Registration],
    values: Mapping[str, str],
    all_modules: str | None,
    hosted: HostOptions,
    *,
    prefix: str = DEFAULT_OPTION_PREFIX,
    origin: str = "CMake cache",
    missing_packages: Mapping[str, Sequence[str]] | None = None,
    failed_packages: Mapping[str, Sequence[str]] | None = None,
    host_modules: Mapping[str, HostModule] | None = None,
) -> tuple[dict[str, Request], Resolution]:
    """The requests the user's ``values`` make and what they decide: how configure, ``plan``
    and ``check`` read a request. A refusal lists every problem of the request at once, the
    ones the first fixes would uncover too, and carries one set of option ``changes`` that
    fixes them all: each problem's action applied, and the request decided again, until it
    passes (none when a problem cannot be fixed with options)."""

    def attempt(current: Mapping[str, str]) -> tuple[dict[str, Request], Resolution]:
        given = {name: value for name, value in current.items() if name != ALL_MODULES}
        requests = hosted.requests(modules, given, current.get(ALL_MODULES), prefix=prefix, origin=origin)
        return requests, resolve(
            modules,
            requests,
            missing_packages,
            prefix=prefix,
            host_modules=host_modules,
            failed_packages=failed_packages,
            provided=hosted.provided,
        )

    start = dict(values) | ({ALL_MODULES: all_modules} if all_modules else {})
    try:
        return attempt(start)
    except ConfigurationError as refused:
        problems, changes, current = _repair(refused, start, attempt, rounds=len(modules) + len(start) + 4)
    # The values a command that keeps nothing (pip, plan) takes again: modgate's options only.
    options = {reg.option_for(prefix) for reg in modules.values()} | {ALL_MODULES, *hosted.groups.values()}
    options |= {capability.option for capability in hosted.provided.values()}
    kept = {name: value for name, value in current.items() if name in options and value}
    raise ConfigurationError(problems, changes=changes, values=kept) from None


def _repair(
    refused: ConfigurationError,
    start: dict[str, str],
    attempt: Callable[[Mapping[str, str]], object],
    *,
    rounds: int,
) -> tuple[list[Problem], dict[str, str] | None, dict[str, str]]:
    """Every problem a request runs into on the way to passing, the option changes that get
    it there (``None`` when some problem has no action, or the actions go round), and the
    values with those changes."""
    problems = list(refused.problems)
    current, changes = dict(start), {}
    error = refused
    for _ in range(rounds):
        actions = [action for problem in error.problems for action in problem.action]
        if any(not problem.action for problem in error.problems):
            return problems, None, current
        moved = False
        for name, value in actions:
            if current.get(name, "") != value:
                current[name], changes[name], moved = value, value, True
        if not moved:
            return problems, None, current
        try:
            attempt(current)
        except ConfigurationError as again:
            error = again
            # What the changes themselves caused is not the user's problem: leave it out.
            shown = {(p.file, p.key, p.message) for p in problems}
            ours = re.compile(r"\b(?:" + "|".join(map(re.escape, changes)) + r")\b")
            fresh = [p for p in again.problems if (p.file, p.key, p.message) not in shown]
            problems += [p for p in fresh if not ours.search(p.message)]
            continue
        return problems, changes, current
    return problems, None, current
