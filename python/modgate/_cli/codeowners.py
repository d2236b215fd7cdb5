"""``modgate codeowners``: CODEOWNERS lines for every module folder, from its maintainers."""

from __future__ import annotations

import argparse
import sys

from ._common import DIR_HELP, project
from ._owners import codeowners_block, codeowners_file, merged

__all__ = ["main", "populate_parser"]


def main(args: argparse.Namespace) -> int:
    root, _config, found = project(args.dir)
    block = codeowners_block(found.registrations)
    if not args.write and not args.check:
        sys.stdout.write(block)
        return 0
    target, text = codeowners_file(root)
    current = text or ""
    wanted = merged(current, block)
    shown = target.relative_to(root).as_posix()
    if args.check:
        if current == wanted:
            print(f"modgate codeowners: {shown} matches the module.toml files")
            return 0
        import difflib

        diff = difflib.unified_diff(current.splitlines(), wanted.splitlines(), shown, f"{shown} (wanted)", lineterm="")
        print("\n".join(diff))
        print(f"modgate codeowners: {shown} has drifted from the module.toml files: run modgate codeowners --write")
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(wanted, encoding="utf-8")
    print(f"modgate codeowners: wrote {shown}")
    return 0


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "codeowners",
        help="CODEOWNERS lines for every module folder, from its maintainers",
        description="Prints the lines; --write puts them in the project's CODEOWNERS (a marked block, hand-written"
        " lines stay); --check exits 1 when the file has drifted.",
    )
    parser.add_argument("dir", nargs="?", default=".", help=DIR_HELP)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the block into CODEOWNERS")
    mode.add_argument("--check", action="store_true", help="exit 1 when CODEOWNERS differs from the block")
