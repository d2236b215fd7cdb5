"""``modgate list``: an installed host's modules, their state, stage and reason."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._table import module_listing
from .common import PACKAGE_HELP, default_host, host_info

__all__ = ["main", "populate_parser"]


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("list", help="a host's modules, their state, stage and reason")
    parser.add_argument("--package", help=PACKAGE_HELP)
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="json: the structure <package>.info() returns"
    )
    parser.add_argument("--json", action="store_true", help="print every module's entry as JSON")


def main(args: argparse.Namespace) -> int:
    data: dict[str, Any] = host_info(args.package or default_host())
    if args.json or args.format == "json":
        print(json.dumps(data if args.format == "json" else data["modules"], indent=2, sort_keys=True))
        return 0
    print("\n".join(module_listing(data)))
    return 0
