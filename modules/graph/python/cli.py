"""``modgate graph``: the command this module adds to ``modgate`` (its ``[commands]``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from modgate.cli import ModgateError, default_host, host_info, tree_info

from . import FORMATS, GraphvizMissingError, render


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="modgate graph",
        description="The module dependency graph: of a host's tree (DIR, as a plan with no options set), or of the"
        " installed host (the build's states).",
    )
    parser.add_argument("dir", nargs="?", type=Path, help="a host project's folder (default: the installed host)")
    parser.add_argument("--package", help="the installed host package (default: [tool.modgate] of the project here)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    args = parser.parse_args(list(argv))
    try:
        info = tree_info(args.dir) if args.dir else host_info(args.package or default_host())
        sys.stdout.write(render(args.format, info))
    except (ModgateError, GraphvizMissingError) as exc:
        print(f"modgate graph: {exc}", file=sys.stderr)
        return 2
    return 0
