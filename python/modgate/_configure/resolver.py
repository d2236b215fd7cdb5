"""The resolver: which modules a configuration enables, each with a reason.

Pure and deterministic. Rules (the user guide, "Choosing modules at build time"):

- What is asked for a module comes from, first to last: its own option
  (``USE_MODULE_<NAME>``), its capability's option (``provides``: the chosen provider is
  ``ON``, the others ``OFF``; the user's choice contradicting a provider's own option is
  an error), the options of its ``groups`` (two of them set to different values are an
  error naming both), ``MODGATE_ALL_MODULES``, its ``default``. The first one set
  decides, and the reason names it.
- The providers of one capability conflict pairwise (at most one on); under
  ``exactly-one``, none on is an error listing every provider and the option to set.
- ``ON`` is required: every unmet need (a requirement that is off, a missing
  package, a conflict with another required module) is an error showing the whole
  chain and the fix, whichever of those places the ``ON`` came from.
- ``AUTO`` is on when everything it needs is there, else off with the reason;
  an ``AUTO`` module whose requirement turns off follows it.
- ``OFF`` is off. A value is never changed: the resolver turns only ``AUTO`` modules
  off, and never turns anything on that was not asked for.
- Two ``AUTO`` modules that conflict and could both be on are an error: choosing
  one silently would depend on nothing the user said.

Runs at configure time; the standard library only.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from .._names import (
    ALL_MODULES,
    CAPABILITY_OPTION_PREFIX,
    CAPABILITY_POLICIES,
    DEFAULT_OPTION_PREFIX,
    EXTRA_MODULE_DIRS,
    GROUP_OPTION_PREFIX,
    MODULE_VALUES,
    NO_PROVIDER,
    REGISTRATION_FILE,
    capability_option,
    extra_name,
    group_option,
)
from .host import HostConfig
from .problems import ConfigurationError, Problem, suggest
from .registration import Registration

__all__ = [
    "ALL_MODULES",
    "Capability",
    "HostModule",
    "HostOptions",
    "ModuleState",
    "Request",
    "Resolution",
    "build_requests",
    "capabilities",
    "check_graph",
    "check_options",
    "decide",
    "group_members",
    "group_options",
    "host_options",
    "near_option",
    "normalize_value",
    "outside_references",
    "requires_closure",
    "resolve",
    "soft_references",
    "topological_order",
]

# Every spelling a value may take (case-insensitive): CMake's booleans, and VTK's words
# (YES, WANT, DONT_WANT, NO; DEFAULT is "unset") so VTK and ITK users type what they know.
_ALIASES = {
    **{word: "ON" for word in ("ON", "TRUE", "YES", "Y", "1")},
    **{word: "OFF" for word in ("OFF", "FALSE", "NO", "N", "0")},
    **{word: "AUTO" for word in ("AUTO", "WANT")},
    **{word: "IF_NEEDED" for word in ("IF_NEEDED", "DONT_WANT")},
}
UNSET_WORD = "DEFAULT"  # VTK's word for "not set": the next place in the precedence decides
_CHAIN_SHOWN = 12
_VALUES_TEXT = ", ".join(MODULE_VALUES[:-1]) + f" or {MODULE_VALUES[-1]}"
_SYNONYMS_TEXT = "TRUE/FALSE/YES/NO/1/0, VTK's WANT/DONT_WANT, and DEFAULT for unset also work"


def normalize_value(raw: str) -> str | None:
    """One of ``MODULE_VALUES`` for an accepted spelling (case-insensitive), else ``None``;
    the empty string for an unset value (empty, or ``DEFAULT``)."""
    word = raw.strip().upper()
    if word in ("", UNSET_WORD):
        return ""
    return _ALIASES.get(word)


@dataclass(frozen=True)
class Request:
    """What was asked for one module, and where that came from."""

    value: str
    source: str  # an option name (the module's, a group's, a capability's), ALL_MODULES, or "default"
    group: str = ""  # the group whose option ``source`` is
    capability: str = ""  # the capability whose option (or default, when source is "default") chose
    choice: str = ""  # ... and what it chose: a provider or NO_PROVIDER

    def describe(self) -> str:
        if self.capability and self.source == "default":
            return f"capability {self.capability!r} defaults to {self.choice}"
        if self.capability:
            return f"{self.source}={self.choice} (capability {self.capability!r})"
        if self.source == "default":
            return f"default {self.value}"
        if self.source == "group default":
            return f"group {self.group!r} defaults to {self.value}"
        if self.group:
            return f"{self.source}={self.value} (group {self.group!r})"
        return f"{self.source}={self.value}"


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


def _unknown_option(option: str, raw: str, modules: Mapping[str, Registration], prefix: str, origin: str) -> Problem:
    by_option = {reg.option_for(prefix): name for name, reg in modules.items()}
    rest = option[len(prefix) :]
    named = modules.get(rest.lower())
    if named is not None:  # the right module, spelled another way (lower case, or it has an option of its own)
        right = named.option_for(prefix)
        return Problem(
            origin,
            option,
            f"{option} names no option: module {named.name!r} is toggled by {right}",
            f"set {right} instead (cmake: -U{option} -D{right}=...)",
            ((option, ""), (right, raw)),
        )
    # Compare module names and options, not whole options: the shared prefix makes every option look near.
    near = suggest(rest.lower(), by_option.values())
    for name in sorted(by_option.values(), key=len, reverse=True):
        near = near.replace(repr(name), repr(modules[name].option_for(prefix)))
    known = sorted(by_option)
    hint = near or (
        f" (known: {', '.join(known[:8])}{', …' if len(known) > 8 else ''})" if known else " (there are no modules)"
    )
    return Problem(
        origin,
        option,
        f"{option} names no module{hint}",
        f"remove it (cmake: -U{option}), or add a module {rest.lower()!r} (modules/{rest.lower()}/{REGISTRATION_FILE})",
        ((option, ""),),
    )


def _edits(a: str, b: str, limit: int) -> int:
    """The optimal-string-alignment distance of ``a`` and ``b`` (insertions, deletions,
    substitutions, swaps of neighbours), or ``limit + 1`` once it is surely over ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def near_option(name: str, known: Iterable[str]) -> str | None:
    """The known option ``name`` is a misspelling of: the same but for case, or one edit
    away (two for names longer than ten characters, where one slip is easier); ``None``
    when none is that close (an unrelated variable of the host's own)."""
    upper = name.upper()
    best: tuple[int, str] | None = None
    for option in known:
        if option == name:
            return None
        limit = 1 if len(option) <= 10 else 2
        # Case-blind: a kept name may be mixed case (VTK_GROUP_ENABLE_Rendering).
        distance = 0 if option.upper() == upper else _edits(upper, option.upper(), limit)
        if distance <= limit and (best is None or (distance, option) < best):
            best = (distance, option)
    return best[1] if best else None


def _near_a_module_option(
    name: str, modules: Mapping[str, Registration], prefix: str, kept: Sequence[str]
) -> str | None:
    """The option ``name`` (which does not start with ``prefix``) misspells: a kept name, or
    a derived ``<prefix><NAME>`` whose prefix slipped. A slip in the prefix leaves the
    module's name at the end, so only those modules' options are measured: the check stays
    cheap for a thousand modules."""
    meant = near_option(name, kept)
    if meant is not None:
        return meant
    upper = name.upper()
    tails = [
        reg.option_for(prefix) for reg in modules.values() if reg.option is None and upper.endswith(reg.name.upper())
    ]
    return near_option(name, tails) if tails else None


def _misspelled_option(option: str, raw: str, meant: str, owners: Mapping[str, str], origin: str) -> Problem:
    """``owners``: each option -> what it sets ("module 'x'", "group 'g'", ...)."""
    what = f"the option of {owners[meant]}" if meant in owners else "a variable of modgate's"
    near = "differs only in case from" if option.upper() == meant.upper() else "is one letter or two from"
    return Problem(
        origin,
        option,
        f"{option} names no option; it {near} {meant}, {what}",
        f"set {meant} instead (cmake: -U{option} -D{meant}=...); if {option} is a variable of the project's own,"
        " declare it (option() or set(... CACHE ...)) before modgate_add_modules()",
        ((option, ""), (meant, raw)),
    )


@dataclass(frozen=True)
class Capability:
    """A capability modules provide (``provides``), as one configure sees it: the host's
    policy, the option choosing the provider, the host's default choice ("" for none
    given) and the providers, sorted."""

    name: str
    policy: str
    option: str
    default: str
    providers: tuple[str, ...]

    @property
    def exactly_one(self) -> bool:
        return self.policy == "exactly-one"

    def choices(self) -> str:
        """``a, b or none`` (``none`` only where no provider is allowed)."""
        shown = [*self.providers, *([] if self.exactly_one else [NO_PROVIDER])]
        return ", ".join(shown[:-1]) + f" or {shown[-1]}" if len(shown) > 1 else shown[0]


def capabilities(
    modules: Mapping[str, Registration],
    settings: Iterable[tuple[str, str, str | None, str]] = (),
    *,
    prefix: str = DEFAULT_OPTION_PREFIX,
    origin: str = "pyproject.toml",
    taken: Mapping[str, str] | None = None,
) -> dict[str, Capability]:
    """Every capability a module provides, with the host's ``settings`` (name, policy,
    option or ``None``, default; from ``[tool.modgate.capabilities]`` in ``origin``)
    applied: ``at-most-one`` and ``MODGATE_PROVIDER_<NAME>`` where it says nothing.
    ``taken`` maps other options (the groups') to what they set. A
    :class:`ConfigurationError` for a setting no module provides, a capability named as a
    module is (``<name>.<function>`` lookups would mean both), a default that is no
    provider, and an option that is also another's."""
    providers: dict[str, list[str]] = {}
    for name in sorted(modules):
        if modules[name].provides is not None:
            providers.setdefault(str(modules[name].provides), []).append(name)
    given = {name: (policy, option, default) for name, policy, option, default in settings}
    problems: list[Problem] = []
    for name in sorted(set(given) - set(providers)):
        problems.append(
            Problem(
                origin,
                f"[tool.modgate] capabilities.{name}",
                f"no module provides a capability {name!r}{suggest(name, providers)}",
                f'remove the entry, or add provides = "{name}" to the {REGISTRATION_FILE} of its providers',
            )
        )
    owners = {reg.option_for(prefix): f"module {name!r}" for name, reg in modules.items()}
    owners |= {option: f"group {group!r}" for group, option in (taken or {}).items()}
    found: dict[str, Capability] = {}
    for name, names in sorted(providers.items()):
        policy, option, default = given.get(name, (CAPABILITY_POLICIES[0], None, ""))
        option = option or capability_option(name)
        where = f"[tool.modgate] capabilities.{name}"
        if name in modules:
            problems.append(
                Problem(
                    modules[names[0]].path,
                    "provides",
                    f"capability {name!r} has the name of module {name!r}: a lookup of {name!r}.<function> would"
                    " mean both",
                    "give the capability another name in every provider's provides",
                )
            )
        if option in owners:
            problems.append(
                Problem(
                    origin,
                    f"{where}.option",
                    f"the option of capability {name!r}, {option}, is also the option of {owners[option]}",
                    "give the capability another option name",
                )
            )
        owners[option] = f"capability {name!r}"
        if default and default != NO_PROVIDER and default not in names:
            problems.append(
                Problem(
                    origin,
                    f"{where}.default",
                    f"{default!r} does not provide {name!r}{suggest(default, names)}"
                    f" (its providers: {', '.join(names)})",
                    f"name one of its providers, or {NO_PROVIDER!r}" if policy != "exactly-one" else "name a provider",
                )
            )
            default = ""
        found[name] = Capability(name, policy, option, default, tuple(names))
    if problems:
        raise ConfigurationError(problems)
    return found


def _choice(option: str, raw: str, capability: Capability, origin: str) -> tuple[str | None, Problem | None]:
    """The provider (or NO_PROVIDER) ``raw`` names for ``capability``; "" unset."""
    value = raw.strip().lower()
    if not value:
        return "", None
    if value in capability.providers or (value == NO_PROVIDER and not capability.exactly_one):
        return value, None
    if value == NO_PROVIDER:
        why = f"capability {capability.name!r} needs exactly one provider on ({capability.policy})"
    else:
        why = f"{raw.strip()!r} does not provide {capability.name!r}{suggest(value, capability.providers)}"
    return None, Problem(
        origin, option, f"{option}={raw.strip()}: {why}", f"set {option} to {capability.choices()}", ((option, ""),)
    )


def _capability_request(
    reg: Registration,
    chosen: Mapping[str, tuple[str, bool]],
    found: Mapping[str, Capability],
    explicit: Mapping[str, Request],
    origin: str,
) -> Request | Problem | None:
    """What ``reg``'s capability's option asks for it: ON if it names ``reg``, else OFF;
    a problem when the user's choice contradicts the module's own option; ``None`` when
    nothing is chosen or the module's own option decides."""
    if reg.provides is None or reg.provides not in chosen:
        return None
    capability = found[reg.provides]
    choice, by_user = chosen[reg.provides]
    want = "ON" if choice == reg.name else "OFF"
    own = explicit.get(reg.name)
    if own is not None:
        if by_user and ((want == "ON" and own.value == "OFF") or (want == "OFF" and own.value == "ON")):
            return Problem(
                origin,
                f"{capability.option}, {own.source}",
                f"{capability.option}={choice} chooses "
                + (f"{choice!r} as the provider" if choice != NO_PROVIDER else "no provider")
                + f" of {capability.name!r}, but {own.source}={own.value}",
                f"set {capability.option}={reg.name if own.value == 'ON' else choice}, or unset {own.source}",
                ((own.source, ""),),
            )
        return None
    source = capability.option if by_user else "default"
    return Request(want, source, capability=capability.name, choice=choice)


@dataclass(frozen=True)
class HostOptions:
    """The options a host's settings add beside the modules' own: each group's and each
    capability's (what :func:`build_requests` and :func:`resolve` take)."""

    groups: dict[str, str]
    provided: dict[str, Capability]
    defaults: dict[str, str] = field(default_factory=dict)  # each group's default, where the host gives one

    def requests(
        self,
        modules: Mapping[str, Registration],
        values: Mapping[str, str],
        all_modules: str | None,
        *,
        prefix: str,
        origin: str,
    ) -> dict[str, Request]:
        """:func:`build_requests` with these options: how configure, plan and check read a request."""
        return build_requests(
            modules,
            values,
            all_modules,
            prefix=prefix,
            origin=origin,
            groups=self.groups,
            provided=self.provided,
            group_defaults=self.defaults,
        )


def host_options(modules: Mapping[str, Registration], config: HostConfig) -> HostOptions:
    """:func:`group_options` and :func:`capabilities` with ``config``'s settings, and its
    groups' defaults (a :class:`ConfigurationError` where a module's groups' defaults differ)."""
    groups = group_options(modules, config.group_renames, prefix=config.option_prefix, origin=config.path)
    settings = [(c.name, c.policy, c.option, c.default) for c in config.capabilities]
    provided = capabilities(modules, settings, prefix=config.option_prefix, origin=config.path, taken=groups)
    defaults = config.group_defaults
    problems = group_default_problems(modules, defaults, config.path)
    if problems:
        raise ConfigurationError(problems)
    return HostOptions(groups, provided, defaults)


def group_members(modules: Mapping[str, Registration]) -> dict[str, list[str]]:
    """Every group a module is in, sorted, with its members, sorted."""
    members: dict[str, list[str]] = {}
    for name in sorted(modules):
        for group in modules[name].groups:
            members.setdefault(group, []).append(name)
    return dict(sorted(members.items()))


def group_options(
    modules: Mapping[str, Registration],
    renames: Mapping[str, str] | None = None,
    *,
    prefix: str = DEFAULT_OPTION_PREFIX,
    origin: str = "pyproject.toml",
) -> dict[str, str]:
    """Every group a module is in -> the option that sets it: ``MODGATE_GROUP_<G>``, or the
    name the host's ``[tool.modgate.groups]`` gives it (``renames``, read from ``origin``).
    A :class:`ConfigurationError` for a renamed group no module is in (a typo there would
    leave the group under its default name), and for a group option that is also a module's."""
    members = group_members(modules)
    renames = renames or {}
    problems: list[Problem] = []
    for group in sorted(set(renames) - set(members)):
        problems.append(
            Problem(
                origin,
                f"[tool.modgate] groups.{group}",
                f"no module is in a group {group!r}{suggest(group, members)}",
                f'remove the table, or add groups = ["{group}"] to a module\'s {REGISTRATION_FILE}',
            )
        )
    options = {group: renames.get(group) or group_option(group) for group in members}
    by_option = {reg.option_for(prefix): name for name, reg in modules.items()}
    for group, option in options.items():
        if option in by_option:
            problems.append(
                Problem(
                    origin,
                    f"[tool.modgate] groups.{group}.option",
                    f"the option of group {group!r}, {option}, is also the option of module {by_option[option]!r}",
                    "give the group another option name",
                )
            )
    if problems:
        raise ConfigurationError(problems)
    return options


def _unknown_named_option(
    option: str, raw: str, prefix: str, options: Mapping[str, str], origin: str, *, kind: str, words: tuple[str, ...]
) -> Problem:
    """``option`` starts with ``prefix`` (a group's or a capability's) and names none of
    ``options`` (name -> its option): the old name of a renamed one, or the nearest.
    ``words``: how the option sets (``is set by``), the plural, what to say when there
    are none, the registration key to add (``groups = ["{}"]``) and to whose files."""
    verb, plural, nothing, add, whose = words
    wanted = option[len(prefix) :].lower()
    if wanted in options:  # it has a name of the host's own
        return Problem(
            origin,
            option,
            f"{option} names no option: {kind} {wanted!r} {verb} {options[wanted]}",
            f"set {options[wanted]} instead (cmake: -U{option} -D{options[wanted]}=...)",
            ((option, ""), (options[wanted], raw)),
        )
    near = suggest(wanted, options)
    for name in sorted(options, key=len, reverse=True):
        near = near.replace(repr(name), options[name])
    known = ", ".join(options.values())
    return Problem(
        origin,
        option,
        f"{option} names no {kind}" + (near or (f" ({plural}: {known})" if known else f" ({nothing})")),
        f"remove it (cmake: -U{option}), or add {add.format(wanted)} to the {REGISTRATION_FILE} of its {whose}",
        ((option, ""),),
    )


def _group_request(
    reg: Registration, set_groups: Mapping[str, str], groups: Mapping[str, str], prefix: str, origin: str
) -> Request | Problem | None:
    """What ``reg``'s groups ask for it (its own option unset): the one value its set
    groups agree on, a problem naming two that disagree, or ``None`` (none is set)."""
    chosen = [(group, set_groups[group]) for group in sorted(reg.groups) if group in set_groups]
    if not chosen:
        return None
    first, value = chosen[0]
    for other, other_value in chosen[1:]:
        if other_value != value:
            own = reg.option_for(prefix)
            return Problem(
                origin,
                f"{groups[first]}, {groups[other]}",
                f"module {reg.name!r} is in groups {first!r} ({groups[first]}={value}) and {other!r}"
                f" ({groups[other]}={other_value}), which are set to different values",
                f"set {own} to decide for it (a module's own option wins over its groups'), or set"
                f" {groups[first]} and {groups[other]} alike",
                ((own, value),),
            )
    return Request(value, groups[first], group=first)


def _group_default(reg: Registration, defaults: Mapping[str, str]) -> Request | None:
    """What the host's group defaults say of ``reg`` when nothing the user set decides
    (:func:`group_default_problems` has made sure its groups' defaults agree)."""
    group = next((group for group in sorted(reg.groups) if group in defaults), None)
    return None if group is None else Request(defaults[group], "group default", group=group)


def group_default_problems(
    modules: Mapping[str, Registration], defaults: Mapping[str, str], origin: str
) -> list[Problem]:
    """A module in two groups whose ``default`` values differ: which one applies would
    depend on nothing the host said."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for name in sorted(modules):
        chosen = [(group, defaults[group]) for group in sorted(modules[name].groups) if group in defaults]
        for (first, value), (other, other_value) in pairwise(chosen):
            if value != other_value and (first, other) not in seen:
                seen.add((first, other))
                problems.append(
                    Problem(
                        origin,
                        f"[tool.modgate] groups.{first}.default, groups.{other}.default",
                        f"module {name!r} is in groups {first!r} (default {value}) and {other!r} (default"
                        f" {other_value}), whose defaults differ",
                        f"give groups {first!r} and {other!r} the same default, or remove one of the two",
                    )
                )
    return problems


def build_requests(
    modules: Mapping[str, Registration],
    user_values: Mapping[str, str],
    all_modules: str | None,
    *,
    prefix: str = DEFAULT_OPTION_PREFIX,
    origin: str = "CMake cache",
    groups: Mapping[str, str] | None = None,
    provided: Mapping[str, Capability] | None = None,
    group_defaults: Mapping[str, str] | None = None,
) -> dict[str, Request]:
    """Turn the user's option values and ``MODGATE_ALL_MODULES`` into requests.

    ``user_values`` maps variable names to raw values; empty values mean "not set". A
    name is a module's option or a group's, or starts with ``prefix`` (``MODGATE_GROUP_``)
    and then must name a module (a group), or is a misspelling of one of those options or
    of modgate's own variables (each an error with the suggestion, never ignored); any
    other name is not modgate's and is left alone. ``origin`` names where the values came
    from, for messages; ``groups`` is :func:`group_options` (default: no group renamed),
    ``provided`` :func:`capabilities` (default: no host settings), ``group_defaults`` each
    group's ``default`` from ``[tool.modgate.groups]``.

    Precedence, first set wins: the module's own option, its capability's choice, its
    groups' options, ``MODGATE_ALL_MODULES``, its groups' defaults, its own ``default``.
    """
    problems: list[Problem] = []
    groups = group_options(modules, prefix=prefix) if groups is None else groups
    by_option = {reg.option_for(prefix): name for name, reg in modules.items()}
    by_group_option = {option: group for group, option in groups.items()}
    provided = capabilities(modules, prefix=prefix, taken=groups) if provided is None else provided
    by_capability_option = {c.option: c for c in provided.values()}
    # capability -> (provider or NO_PROVIDER, whether the user chose it); the host's default first
    chosen: dict[str, tuple[str, bool]] = {c.name: (c.default, False) for c in provided.values() if c.default}
    set_groups: dict[str, str] = {}
    blanket: str | None = None
    if all_modules is not None:
        blanket = normalize_value(all_modules) or None
        if normalize_value(all_modules) is None:
            problems.append(
                Problem(
                    origin,
                    ALL_MODULES,
                    f"value {all_modules!r} is not {_VALUES_TEXT}{suggest(all_modules.upper(), MODULE_VALUES)}",
                    f"set {ALL_MODULES}={_VALUES_TEXT} ({_SYNONYMS_TEXT}), or leave it unset",
                    ((ALL_MODULES, ""),),
                )
            )
    explicit: dict[str, Request] = {}
    kept = [
        *(reg.option for reg in modules.values() if reg.option is not None),
        *groups.values(),
        *by_capability_option,
        ALL_MODULES,
        EXTRA_MODULE_DIRS,
    ]
    # A group's or capability's own option name may start with the prefix too (USE_BLAS):
    # one a letter or two from those is their misspelling, not an unknown module.
    hosts_own = [option for option in (*groups.values(), *by_capability_option) if option.startswith(prefix)]
    for option in sorted(user_values):
        raw = user_values[option]
        if option in by_capability_option:
            choice, problem = _choice(option, raw, by_capability_option[option], origin)
            if problem is not None:
                problems.append(problem)
            elif choice:
                chosen[by_capability_option[option].name] = (choice, True)
            continue
        if option not in by_option and option not in by_group_option:
            if raw.strip() and option.startswith(CAPABILITY_OPTION_PREFIX):
                choosers = {name: capability.option for name, capability in provided.items()}
                words = ("is chosen by", "capabilities", "no module provides one", 'provides = "{}"', "providers")
                problems.append(
                    _unknown_named_option(
                        option, raw, CAPABILITY_OPTION_PREFIX, choosers, origin, kind="capability", words=words
                    )
                )
            elif raw.strip() and option.startswith(GROUP_OPTION_PREFIX):
                words = ("is set by", "groups", "no module is in a group", 'groups = ["{}"]', "modules")
                problems.append(
                    _unknown_named_option(option, raw, GROUP_OPTION_PREFIX, groups, origin, kind="group", words=words)
                )
            elif raw.strip() and option.startswith(prefix) and near_option(option, hosts_own) is None:
                problems.append(_unknown_option(option, raw, modules, prefix, origin))
            elif raw.strip() and (meant := _near_a_module_option(option, modules, prefix, kept)) is not None:
                owners = {o: f"module {n!r}" for o, n in by_option.items()}
                owners |= {o: f"group {g!r}" for o, g in by_group_option.items()}
                owners |= {o: f"capability {c.name!r}" for o, c in by_capability_option.items()}
                problems.append(_misspelled_option(option, raw, meant, owners, origin))
            continue
        value = normalize_value(raw)
        if value == "":
            continue
        if value is None:
            problems.append(
                Problem(
                    origin,
                    option,
                    f"value {raw!r} is not {_VALUES_TEXT}{suggest(raw.strip().upper(), MODULE_VALUES)}",
                    f"set {option}={_VALUES_TEXT} ({_SYNONYMS_TEXT})",
                    ((option, ""),),
                )
            )
            continue
        if option in by_group_option:
            set_groups[by_group_option[option]] = value
        else:
            explicit[by_option[option]] = Request(value, option)
    requests: dict[str, Request] = {}
    for name in sorted(modules):
        picked = _capability_request(modules[name], chosen, provided, explicit, origin)
        grouped = None
        if name not in explicit and picked is None:
            grouped = _group_request(modules[name], set_groups, groups, prefix, origin)
        if isinstance(picked, Problem):
            problems.append(picked)
        elif isinstance(grouped, Problem):
            problems.append(grouped)
        elif name in explicit:
            requests[name] = explicit[name]
        elif picked is not None:
            requests[name] = picked
        elif grouped is not None:
            requests[name] = grouped
        elif blanket is not None:
            requests[name] = Request(blanket, ALL_MODULES)
        elif (defaulted := _group_default(modules[name], group_defaults or {})) is not None:
            requests[name] = defaulted
        else:
            requests[name] = Request(modules[name].default, "default")
    if problems:
        raise ConfigurationError(problems)
    return requests


def check_options(modules: Mapping[str, Registration], prefix: str = DEFAULT_OPTION_PREFIX) -> list[Problem]:
    """Options that two modules would share, or an ``option`` key that looks like another
    module's derived option (it starts with the host's prefix; the module's own derived
    option spelled in another case is its own: VTK_MODULE_ENABLE_VTK_RenderingOpenGL2)."""
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    for name in sorted(modules):
        reg = modules[name]
        option = reg.option_for(prefix)
        if reg.option is not None and option.startswith(prefix) and option.upper() != prefix + name.upper():
            problems.append(
                Problem(
                    reg.path,
                    "option",
                    f"option {option!r} starts with the host's option prefix {prefix!r} but is not this module's"
                    f" own name under it ({prefix + name.upper()})",
                    f"remove the key (the option is then {prefix + name.upper()}), or choose a name outside {prefix}*",
                )
            )
        if option in owner:
            problems.append(
                Problem(
                    reg.path,
                    "option",
                    f"module {name!r} would be toggled by {option}, which already toggles module {owner[option]!r}",
                    "give one of them another option key",
                )
            )
        else:
            owner[option] = name
    return problems


def _abbreviate(chain: Sequence[str]) -> str:
    if len(chain) <= _CHAIN_SHOWN:
        return " → ".join(chain)
    head, tail = chain[:5], chain[-5:]
    return " → ".join(head) + f" → … ({len(chain) - 10} more) … → " + " → ".join(tail)


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


def requires_closure(
    modules: Mapping[str, Registration], *names: str, within: Container[str] | None = None
) -> list[str]:
    """Every module ``names`` require, directly or through others, sorted, without
    ``names`` themselves (cycles end the walk; a host module a plugin requires ends it
    too). ``within``: walk only through these modules (those on, say)."""
    seen: set[str] = set()
    stack = [dep for name in names for dep in modules[name].requires]
    while stack:
        dep = stack.pop()
        if dep not in seen and (within is None or dep in within):
            seen.add(dep)
            if dep in modules:
                stack.extend(modules[dep].requires)
    seen.difference_update(names)
    return sorted(seen)


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
            for ref in fields[key]:
                if ref not in modules and ref not in outside:
                    others = [n for n in [*names, *outside] if n != name]
                    soft = f" ({key} of a module that is not here is ignored)" if key in _SOFT_KEYS else ""
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
                            f"{kind} cycle of {len(cycle) - 1} modules: {_abbreviate(cycle)}",
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
                    f" {_abbreviate([name, *chain])}, and {last!r} is off: {cause}",
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
            self.reason[name] = f"requires {_abbreviate(chain)}, which is off: {self.root[chain[-1]]}"
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
    through = f"{_abbreviate(chain)}; " if len(chain) > 2 else ""
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
