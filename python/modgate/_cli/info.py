"""``modgate info NAME``: one module (or capability) of an installed host."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .. import _loader
from ._common import PACKAGE_HELP, default_host, host_info

__all__ = ["main", "populate_parser"]


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "info", help="one module of an installed host (state, reason, owners, requirements), or a capability"
    )
    parser.add_argument("name", help="the module's name, or a capability's: its providers and the one chosen")
    parser.add_argument("--package", help=PACKAGE_HELP)
    parser.add_argument("--format", choices=("text", "json"), default="text")


def _groups(module: dict[str, Any], data: dict[str, Any]) -> str:
    """Each group the module is in, with its option and the value set."""
    known: dict[str, Any] = data.get("groups") or {}
    shown = []
    for group in module.get("groups") or ():
        entry = known.get(group, {})
        option, value = entry.get("option", "?"), entry.get("value", "")
        shown.append(f"{group} ({option}={value})" if value else f"{group} ({option} unset)")
    return ", ".join(shown) or "-"


def _optional(module: dict[str, Any]) -> str:
    """Each optional requirement, and whether the module was built with it."""
    present = set(module.get("optional_present") or ())
    built = module["state"] == "ON"
    shown = [
        f"{dep} ({'present' if dep in present else 'absent'})" if built else dep
        for dep in module.get("optional_requires") or ()
    ]
    return ", ".join(shown) or "-"


def _capability(package: str, name: str, entry: dict[str, Any], form: str) -> int:
    """A capability: its policy, its providers, and the one this process uses, with why."""
    if form == "json":
        print(json.dumps(entry, indent=2, sort_keys=True))
        return 0
    from .._table import capability_table

    print(f"{package}: capability {name!r}, policy {entry['policy']}")
    print(capability_table({name: entry}, indent="  "))
    if entry["policy"] == "any":
        print(f"  chosen: {entry.get('chosen') or 'none'} ({entry.get('reason', '')})")
    return 0


def main(args: argparse.Namespace) -> int:
    package = args.package or default_host()
    data = host_info(package)
    modules: dict[str, Any] = data["modules"]
    capability = (data.get("capabilities") or {}).get(args.name)
    if args.name not in modules and capability is not None:
        return _capability(package, args.name, capability, args.format)
    if args.name not in modules:
        raise _loader.host(package).unknown_error(args.name)
    module = modules[args.name]
    if args.format == "json":
        print(json.dumps(module, indent=2, sort_keys=True))
        return 0
    state = module["state"]
    if state == "ON" and module.get("disabled_at_import"):
        state = f"OFF (disabled at import time by MODGATE_DISABLE: {module.get('disabled_by')})"
    gone = module.get("deprecated")
    lines = [
        f"{package}.modules.{args.name}: {module['summary']}",
        f"  state:        {state} ({module['reason']})",
        f"  option:       {module.get('option', '?')}",
        f"  stage:        {module['stage']}",
        f"  license:      {module.get('license') or '(none declared)'}"
        + (f" ({', '.join(module['license_files'])})" if module.get("license_files") else ""),
        f"  provides:     {module.get('provides') or '-'}",
        f"  groups:       {_groups(module, data)}",
        f"  maintainers:  {', '.join(module.get('maintainers', [])) or '(none)'}",
        f"  requires:     {', '.join(module.get('requires', [])) or '-'}",
        f"  conflicts:    {', '.join(module.get('conflicts', [])) or '-'}",
        f"  optional:     {_optional(module)}",
        f"  tests need:   {', '.join(module.get('test_requires', [])) or '-'}",
        f"  python:       {', '.join(module.get('python_requires', [])) or '-'}",
        f"  native:       {', '.join(module.get('native', [])) or '-'}",
        f"  origin:       {module['origin']}, in the {module.get('shipped_in', 'core')}"
        f" ({module['distribution']} {module['version']}, {module.get('source', '?')})",
    ]
    for twin in module.get("twins") or ():
        lines.append(f"  twin:         {twin['file']} ~ {twin['other']} ({twin['reason']})")
    if gone:
        removal = f", removal {gone['removal']}" if gone.get("removal") else ""
        instead = f", use {gone['replacement']}" if gone.get("replacement") else ""
        lines.append(f"  deprecated:   since {gone['since']}{removal}: {gone['reason']}{instead}")
    print("\n".join(lines))
    return 0
