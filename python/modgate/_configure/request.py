"""The request model: what the user's option values ask of each module, and where each
value came from.

Values (``MODULE_VALUES`` and their spellings: CMake's booleans, VTK's words) and the
precedence, first set wins: a module's own option, its capability's choice (``provides``:
the chosen provider ``ON``, the others ``OFF``), its groups' options (two set differently
are an error), ``MODGATE_ALL_MODULES``, its groups' ``default``, its own ``default``. Every
name the user sets is a module's, group's or capability's option, or is near none of them
(a misspelling is an error with the nearest name and an action for the one-line fix).

Runs at configure time; the standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
    group_option,
)
from .._nearest import distance as distance_of
from .host import HostConfig
from .problems import ConfigurationError, Problem, suggest
from .registration import Registration

__all__ = [
    "VALUES_TEXT",
    "Capability",
    "HostOptions",
    "Request",
    "RunTimeCapability",
    "build_requests",
    "capabilities",
    "check_options",
    "group_default_problems",
    "group_members",
    "group_options",
    "host_options",
    "near_option",
    "normalize_value",
    "run_time_capabilities",
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
VALUES_TEXT = ", ".join(MODULE_VALUES[:-1]) + f" or {MODULE_VALUES[-1]}"  # "ON, AUTO, IF_NEEDED or OFF"
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


def near_option(name: str, known: Iterable[str]) -> str | None:
    """The known option ``name`` is a misspelling of: the same but for case, or one edit
    away (two for names longer than ten characters, where one slip is easier); ``None``
    when none is that close (an unrelated variable of the host's own). Stricter than a
    suggestion (:func:`modgate._nearest.slips`): this one refuses a configure."""
    best: tuple[int, str] | None = None
    for option in known:
        if option == name:
            return None
        limit = 1 if len(option) <= 10 else 2
        # Case-blind: a kept name may be mixed case (VTK_GROUP_ENABLE_Rendering).
        distance = distance_of(name, option, limit)
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


@dataclass(frozen=True)
class RunTimeCapability:
    """A capability of policy ``any``: every provider is built by its own option, and the
    best one installed is chosen at run time, ``prefer`` first."""

    name: str
    prefer: tuple[str, ...]
    providers: tuple[str, ...]


def run_time_capabilities(
    modules: Mapping[str, Registration], settings: Iterable[tuple[str, str, tuple[str, ...]]]
) -> dict[str, RunTimeCapability]:
    """The capabilities the host gives policy ``any`` (``settings``: name, policy, prefer),
    with their providers; :func:`capabilities` checks the settings."""
    providers: dict[str, list[str]] = {}
    for name in sorted(modules):
        if modules[name].provides is not None:
            providers.setdefault(str(modules[name].provides), []).append(name)
    return {
        name: RunTimeCapability(name, prefer, tuple(providers[name]))
        for name, policy, prefer in settings
        if policy == "any" and name in providers
    }


def capabilities(
    modules: Mapping[str, Registration],
    settings: Iterable[tuple[str, str, str | None, str] | tuple[str, str, str | None, str, tuple[str, ...]]] = (),
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
    given: dict[str, tuple[str, str | None, str]] = {}
    prefers: dict[str, tuple[str, ...]] = {}
    for setting in settings:
        given[setting[0]] = setting[1:4]
        prefers[setting[0]] = setting[4] if len(setting) > 4 else ()
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
        where = f"[tool.modgate] capabilities.{name}"
        problems += _prefer_problems(name, policy, option, default, prefers.get(name, ()), names, where, origin)
        if policy == "any":
            continue  # no option, no choice at configure time; a module may share its name
        option = option or capability_option(name)
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


def _prefer_problems(
    name: str,
    policy: str,
    option: str | None,
    default: str,
    prefer: tuple[str, ...],
    providers: Sequence[str],
    where: str,
    origin: str,
) -> list[Problem]:
    """What policy ``any`` forbids (an option, a default) and what ``prefer`` may name."""
    problems = []
    if policy != "any":
        if prefer:
            why = f"orders the providers at run time, and {name!r} is chosen at configure time ({policy})"
            problems.append(Problem(origin, f"{where}.prefer", why, 'remove it, or write policy = "any"'))
        return problems
    for key, given in (("option", option), ("default", default)):
        if given:
            why = "under policy 'any' every provider is built by its own option and the best is chosen at run time"
            problems.append(Problem(origin, f"{where}.{key}", f"{why}: there is no {key} to give", f"remove {key}"))
    for entry in prefer:
        if entry not in providers:
            problems.append(
                Problem(
                    origin,
                    f"{where}.prefer",
                    f"{entry!r} does not provide {name!r}{suggest(entry, providers)}"
                    f" (its providers: {', '.join(providers)})",
                    "name its providers only",
                )
            )
    return problems


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
    run_time: dict[str, RunTimeCapability] = field(default_factory=dict)  # policy any: chosen at run time

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
    settings = [(c.name, c.policy, c.option, c.default, c.prefer) for c in config.capabilities]
    provided = capabilities(modules, settings, prefix=config.option_prefix, origin=config.path, taken=groups)
    run_time = run_time_capabilities(modules, [(c.name, c.policy, c.prefer) for c in config.capabilities])
    defaults = config.group_defaults
    problems = group_default_problems(modules, defaults, config.path)
    if problems:
        raise ConfigurationError(problems)
    return HostOptions(groups, provided, defaults, run_time)


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
        normalized = normalize_value(all_modules)
        blanket = normalized or None
        if normalized is None:
            problems.append(
                Problem(
                    origin,
                    ALL_MODULES,
                    f"value {all_modules!r} is not {VALUES_TEXT}{suggest(all_modules.upper(), MODULE_VALUES)}",
                    f"set {ALL_MODULES}={VALUES_TEXT} ({_SYNONYMS_TEXT}), or leave it unset",
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
                    f"value {raw!r} is not {VALUES_TEXT}{suggest(raw.strip().upper(), MODULE_VALUES)}",
                    f"set {option}={VALUES_TEXT} ({_SYNONYMS_TEXT})",
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
