"""``modgate list``: an installed host's modules, their state, stage and reason."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._table import module_listing
from ._common import PACKAGE_HELP, default_host, host_info

__all__ = ["main", "populate_parser"]


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("list", help="a host's modules, their state, stage and reason")
    parser.add_argument("--package", help=PACKAGE_HELP)
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="json: the structure <package>.info() returns"
    )
    parser.add_argument("--json", action="store_true", help="the same as --format json")


def main(args: argparse.Namespace) -> int:
    data: dict[str, Any] = host_info(args.package or default_host())
    if args.json or args.format == "json":
        print(json.dumps(data, indent=2, sort_keys=True))
        return 0
    print("\n".join(module_listing(data)))
    fix = wheels_fix(data)
    if fix:
        print(fix)
    return 0


def wheels_fix(data: dict[str, Any]) -> str:
    """One ``pip install`` line that brings every module wheel in line with the installed
    core: those of another version, ABI or build, and those another module needs that are
    missing; empty when there are none."""
    modules = data["modules"]
    # A wheel that is simply not installed is the user's choice of extras, not a problem.
    wanted = {
        name
        for name, module in modules.items()
        if module.get("shipped_in") == "module wheel"
        and module["state"] == "ON"
        and module.get("wheel_problem")
        and module.get("installed", True)
    }
    for module in modules.values():  # the wheels a usable-looking module waits for
        if module["state"] == "ON" and module.get("unavailable"):
            wanted |= {
                dep
                for dep in module.get("requires", [])
                if modules.get(dep, {}).get("shipped_in") == "module wheel" and not modules[dep].get("installed", True)
            }
    if not wanted:
        return ""
    pins = " ".join(f'"{modules[name]["distribution"]}=={data["version"]}"' for name in sorted(wanted))
    return f"fix the module wheels at once: pip install --force-reinstall --no-deps {pins}"
