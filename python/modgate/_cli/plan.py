"""``modgate plan``: what a configure with these option values would decide, without CMake."""

from __future__ import annotations

import argparse
import json
import shlex
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .._configure.host import HostConfig
from .._configure.manifest import capability_entries
from .._configure.problems import ConfigurationError, suggest
from .._configure.registration import Registration
from .._configure.request import group_members, host_options
from .._configure.resolver import ModuleState, decide
from .._names import ALL_MODULES
from .._table import capability_table, group_table, state_table
from ..exceptions import ModgateError
from ._common import DIR_HELP, add_defines, defines, project

__all__ = ["main", "plan", "populate_parser", "tree_info"]


def plan(
    modules: Mapping[str, Registration], values: Mapping[str, str], all_modules: str, config: HostConfig
) -> list[ModuleState]:
    """What a configure with ``values`` would decide, every external package assumed found
    (a :class:`ConfigurationError` with every problem and one fix, as configure's)."""
    prefix = config.option_prefix
    hosted = host_options(modules, config)
    _requests, resolution = decide(modules, values, all_modules, hosted, prefix=prefix, origin="-D")
    return list(resolution.states)


def why(
    name: str,
    modules: Mapping[str, Registration],
    states: Sequence[ModuleState],
    values: Mapping[str, str],
    all_modules: str,
    config: HostConfig,
) -> list[str]:
    """Why module ``name`` is on or off: where its value came from (each place in the
    precedence, first set wins), then the chain that brought it in or kept it out."""
    by_name = {state.name: state for state in states}
    state, reg = by_name[name], modules[name]
    hosted = host_options(modules, config)
    own = reg.option_for(config.option_prefix)
    places = [(own, values.get(own, ""))]
    places += [(hosted.groups[group], values.get(hosted.groups[group], "")) for group in sorted(reg.groups)]
    places.append((ALL_MODULES, all_modules))
    places += [(f"group {g!r}'s default", hosted.defaults.get(g, "")) for g in sorted(reg.groups)]
    places.append((f"{reg.name}'s default", reg.default))
    lines = [f"{name}: {'ON' if state.enabled else 'OFF'}: {state.reason}"]
    lines.append(f"  value: {state.request.describe()}")
    lines.append("    from, first set wins: " + ", ".join(f"{where}={value or 'unset'}" for where, value in places))
    if state.needed_by:
        lines.append("  brought in by what requires it:")
        lines += [f"    {link}: {by_name[link].request.describe()}" for link in state.needed_by[:-1]]
    if state.blocked_by:
        lines.append("  kept out by what it requires:")
        lines += [f"    {link}: {_state_text(by_name[link])}" for link in state.blocked_by if link in by_name]
    return lines


def _state_text(state: ModuleState) -> str:
    return f"{'ON' if state.enabled else 'OFF'} ({state.reason})"


def _fix_command(directory: str, why_name: str | None) -> Callable[[ConfigurationError], str]:
    """``modgate plan`` again with every value the fix needs: a plan keeps nothing."""

    def line(error: ConfigurationError) -> str:
        defines = [f"-D {shlex.quote(f'{name}={value}')}" for name, value in error.values.items()]
        return " ".join(["modgate plan", shlex.quote(directory), *defines, *(["--why", why_name] if why_name else [])])

    return line


def _entry(state: ModuleState, reg: Registration, prefix: str) -> dict[str, Any]:
    """What a plan says of one module, keyed as ``<package>.info()`` keys it."""
    return {
        "state": "ON" if state.enabled else "OFF",
        "reason": state.reason,
        "option": reg.option_for(prefix),
        "stage": reg.stage,
        "groups": list(reg.groups),
        "provides": reg.provides,
    }


def _capabilities(
    modules: Mapping[str, Registration], values: Mapping[str, str], config: HostConfig, states: list[ModuleState]
) -> dict[str, Any]:
    """Each capability as ``<package>.info()["capabilities"]`` shows it."""
    provided = host_options(modules, config).provided
    return capability_entries(provided, values, [s.name for s in states if s.enabled])


def _groups(modules: Mapping[str, Registration], values: Mapping[str, str], config: HostConfig) -> dict[str, Any]:
    """Each group as ``<package>.info()["groups"]`` shows it: option, value set, members."""
    options = host_options(modules, config).groups
    return {
        group: {"option": options[group], "value": values.get(options[group], "").strip(), "members": members}
        for group, members in group_members(modules).items()
    }


def tree_info(directory: str | Path) -> dict[str, Any]:
    """A host tree's modules as a configure with no options set would decide them, shaped
    as ``<package>.info()`` is (per module: state, reason, option, stage, groups, requires,
    conflicts; the groups); a :class:`~modgate.ModgateError` naming the file, key and fix
    when the tree is invalid."""
    _root, config, found = project(directory)
    regs = found.registrations
    try:
        states = plan(regs, {}, "", config)
        groups = _groups(regs, {}, config)
        provided = _capabilities(regs, {}, config, states)
    except ConfigurationError as exc:
        raise ModgateError(exc.format()) from None
    return {
        "package": config.package,
        "groups": groups,
        "capabilities": provided,
        "modules": {
            s.name: _entry(s, regs[s.name], config.option_prefix)
            | {"requires": list(regs[s.name].requires), "conflicts": list(regs[s.name].conflicts)}
            for s in states
        },
    }


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "plan",
        help="what a configure with these values would decide, without CMake",
        description="Each module's state and reason for the given option values (external packages assumed found).",
    )
    parser.add_argument("dir", nargs="?", default=".", help=DIR_HELP)
    add_defines(parser, "an option, as for cmake")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--why", metavar="MODULE", help="why this module is on or off: where its value came from, and the chain"
    )


def main(args: argparse.Namespace) -> int:
    _root, config, found = project(args.dir)
    modules = found.registrations
    example = min(modules, default="<name>")
    example_option = modules[example].option_for(config.option_prefix) if example in modules else "USE_MODULE_<NAME>"
    values = {name: value.strip() for name, value in defines(args.define, f"{example_option}=OFF").items()}
    all_modules = values.pop(ALL_MODULES, "")
    if args.why is not None and args.why not in modules:
        raise ModgateError(f"--why {args.why}: no module {args.why!r} in {args.dir}{suggest(args.why, modules)}")
    try:
        states = plan(modules, values, all_modules, config)
        groups = _groups(modules, values, config)
        provided = _capabilities(modules, values, config, states)
    except ConfigurationError as exc:
        raise ModgateError(exc.format(_fix_command(args.dir, args.why))) from None
    if args.why is not None:
        print("\n".join(why(args.why, modules, states, values, all_modules, config)))
        return 0
    if args.format == "json":
        data = {
            state.name: _entry(state, modules[state.name], config.option_prefix)
            | {"blocked_by": list(state.blocked_by), "needed_by": list(state.needed_by)}
            for state in states
        }
        print(json.dumps(data, indent=2, sort_keys=True))
        return 0
    rows = [
        (s.name, "ON" if s.enabled else "OFF", modules[s.name].stage, modules[s.name].deprecated is not None, s.reason)
        for s in states
    ]
    enabled = sum(1 for s in states if s.enabled)
    print(f"{config.package} (plan, no build): {len(states)} modules, {enabled} enabled")
    print(state_table(rows))
    table = group_table({g: (e["option"], e["value"], e["members"]) for g, e in groups.items()})
    if table:
        print(table)
    chosen = capability_table(provided)
    if chosen:
        print(chosen)
    if any(reg.native and reg.native.packages for reg in modules.values()):
        print("(native.packages are assumed found: a plan runs no find_package)")
    return 0
