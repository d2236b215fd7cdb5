"""``modgate init DIR --package P``: a new host project that builds and passes its tests at once."""

from __future__ import annotations

import argparse
from pathlib import Path

from .scaffold import init_host

__all__ = ["main", "populate_parser"]


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("init", help="write a new host project that builds and passes its tests at once")
    parser.add_argument("directory", help="a new or empty folder")
    parser.add_argument("--package", required=True, help="the host's import name, e.g. acme")


def main(args: argparse.Namespace) -> int:
    written = init_host(Path(args.directory), args.package)
    print(f"modgate: wrote a host project for package {args.package!r} in {args.directory} ({len(written)} files)")
    print(f"next: python -m pip install --no-build-isolation {args.directory} && (cd {args.directory} && pytest)")
    return 0
