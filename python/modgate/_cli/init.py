"""``modgate init DIR --package P``: a new host project that builds and passes its tests at once."""

from __future__ import annotations

import argparse
import shlex
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
    # A path pip cannot take for a project name on an index ("acme" would install PyPI's).
    folder = shlex.quote(args.directory if Path(args.directory).is_absolute() else f"./{Path(args.directory)}")
    print(f"next: python -m pip install --no-build-isolation {folder} && (cd {folder} && pytest)")
    return 0
