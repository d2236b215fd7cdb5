"""``modgate graph``: the command this module adds to ``modgate`` (its ``[commands]``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import FORMATS, GraphvizMissingError, render


def _from_tree(directory: Path) -> dict[str, Any]:
    """A host tree's modules as a configure with no options set would decide them."""
    from modgate._configure.discovery import discover_project
    from modgate._configure.host import read_host
    from modgate._inspect import plan

    root = directory.resolve()
    config = read_host(root, shown_as=str(root / "pyproject.toml"))
    regs = discover_project(root, config).registrations
    states = plan(regs, {}, "", config.option_prefix)
    return {
        "modules": {
            s.name: {
                "state": "ON" if s.enabled else "OFF",
                "reason": s.reason,
                "stage": regs[s.name].stage,
                "requires": list(regs[s.name].requires),
                "conflicts": list(regs[s.name].conflicts),
            }
            for s in states
        }
    }


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
    from modgate._configure.problems import ConfigurationError
    from modgate.cli import _host_info, default_host
    from modgate.exceptions import ModgateError

    try:
        info = _from_tree(args.dir) if args.dir else _host_info(args.package or default_host())
        sys.stdout.write(render(args.format, info))
    except (ConfigurationError, ModgateError, GraphvizMissingError) as exc:
        print(f"modgate graph: {exc}", file=sys.stderr)
        return 2
    return 0
