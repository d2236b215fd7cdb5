"""``modgate twins``: code duplicated between modules, or between a module and the core, that no
``[[twins]]`` entry declares (the search itself is :mod:`._twins`)."""

from __future__ import annotations

import argparse
import sys

from ..exceptions import ModgateError
from ._common import DIR_HELP, project
from ._twins import find_twins, format_changes, format_twins, large_note, twin_changes

__all__ = ["main", "populate_parser"]


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "twins",
        help="code duplicated between modules (or a module and the core); declared twins that drift apart",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("dir", nargs="?", default=".", help=DIR_HELP)
    parser.add_argument("--format", choices=("text", "json", "github"), default="text")
    parser.add_argument(
        "--min-lines",
        type=int,
        help="the smallest copy that counts (default: [tool.modgate.policy] twins-min-lines, 6)",
    )
    parser.add_argument(
        "--changed-since",
        metavar="REF",
        help="only declared twins one side of which changed since git revision REF while the other did not;"
        " exits 1 when there is one",
    )


# --- owners ----------------------------------------------------------------------------


def main(args: argparse.Namespace) -> int:
    root, config, found = project(args.dir, with_files=True)
    if args.min_lines is not None and args.min_lines < 1:
        raise ModgateError(f"modgate twins --min-lines: must be 1 or more, not {args.min_lines}")
    if args.changed_since:
        changes = twin_changes(root, found, config, args.changed_since)
        text = format_changes(changes, args.format)
        if text:
            print(text)
        return 1 if changes else 0
    twins, skipped = find_twins(root, config, found, min_lines=args.min_lines)
    text = format_twins(twins, args.format)
    if text:
        print(text)
    if skipped:
        print(f"modgate twins: {large_note(skipped)}", file=sys.stderr)
    return 0
