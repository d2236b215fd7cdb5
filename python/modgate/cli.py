"""The ``modgate`` command."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from ._build import NotBuiltError, info
from .table import state_table

__all__ = ["main"]


def _list(args: argparse.Namespace) -> int:
    data = info()
    modules = data["modules"]
    if args.json:
        print(json.dumps(modules, indent=2, sort_keys=True))
        return 0
    rows = [(name, m["state"], m["stage"], bool(m["deprecated"]), m["reason"]) for name, m in sorted(modules.items())]
    enabled = sum(1 for m in modules.values() if m["state"] == "ON")
    print(f"modgate {data['version']}: {len(modules)} modules, {enabled} enabled")
    print(state_table(rows))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="modgate", description="Optional-module toggles: inspect a build.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    listing = sub.add_parser("list", help="modules, their state, stage and reason")
    listing.add_argument("--json", action="store_true", help="print the manifest's module table as JSON")
    listing.set_defaults(run=_list)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except NotBuiltError as exc:
        print(f"modgate: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
