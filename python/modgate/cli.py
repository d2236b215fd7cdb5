"""The ``modgate`` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from ._build import NotBuiltError
from .exceptions import ModuleClashError
from .table import state_table

__all__ = ["main"]


def _row(name: str, module: dict[str, Any]) -> tuple[str, str, str, bool, str]:
    state, reason = module["state"], module["reason"]
    if module.get("origin") == "out-of-tree":
        reason = f"out-of-tree ({module['distribution']} {module['version']}): {reason}"
    if state == "ON" and module.get("disabled_at_import"):
        state, reason = "OFF", f"built, but disabled at import time by MODGATE_DISABLE ({reason})"
    return (name, state, module["stage"], bool(module.get("deprecated")), reason)


def _list(args: argparse.Namespace) -> int:
    from ._loader import info

    data = info()
    modules = data["modules"]
    if args.json:
        print(json.dumps(modules, indent=2, sort_keys=True))
        return 0
    rows = [_row(name, module) for name, module in sorted(modules.items())]
    enabled = sum(1 for row in rows if row[1] == "ON")
    print(f"modgate {data['version']}: {len(modules)} modules, {enabled} enabled")
    print(state_table(rows))
    return 0


def cmake_dir() -> str:
    """The folder holding ``modgateConfig.cmake`` in the installed package."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "share", "cmake", "modgate")


def _cmake_dir(args: argparse.Namespace) -> int:
    path = cmake_dir()
    if not os.path.isfile(os.path.join(path, "modgateConfig.cmake")):
        print(
            f"modgate: no CMake package at {path}: this modgate is imported from a source tree or a build"
            " without one. Install it with `pip install modgate` (or `pip install .` from a checkout)",
            file=sys.stderr,
        )
        return 2
    print(path)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="modgate", description="Optional-module toggles: inspect a build.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    listing = sub.add_parser("list", help="modules, their state, stage and reason")
    listing.add_argument("--json", action="store_true", help="print every module's entry as JSON")
    listing.set_defaults(run=_list)
    cmake = sub.add_parser(
        "cmake-dir", help="where the installed CMake package is: cmake -Dmodgate_DIR=$(modgate cmake-dir)"
    )
    cmake.set_defaults(run=_cmake_dir)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except (NotBuiltError, ModuleClashError) as exc:
        print(f"modgate: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
