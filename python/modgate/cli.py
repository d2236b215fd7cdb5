"""The ``modgate`` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from ._build import NotBuiltError
from .exceptions import ModuleClashError
from .table import module_listing

__all__ = ["main"]


def _list(args: argparse.Namespace) -> int:
    from ._loader import info

    data = info()
    modules = data["modules"]
    if args.json:
        print(json.dumps(modules, indent=2, sort_keys=True))
        return 0
    print("\n".join(module_listing(data)))
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
