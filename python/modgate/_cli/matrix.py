"""``modgate matrix``: the configurations worth building, as a CI matrix (the strategies are
:mod:`._matrix`'s)."""

from __future__ import annotations

import argparse

from ._common import DIR_HELP
from ._matrix import add_package_arguments, configurations, render

__all__ = ["main", "populate_parser"]


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "matrix",
        help="build configurations that prove the modules optional (all-on, each-off, pairwise, ...)",
        description="Valid configurations (every module ON or OFF) for the strategies asked; what cannot exist is"
        " adjusted or dropped, and said.",
    )
    parser.add_argument("dir", nargs="?", default=".", help=DIR_HELP)
    parser.add_argument(
        "--strategy",
        default="all-on,all-off,each-off",
        help="comma-separated: all-on, all-off, each-off,"
        " each-alone, pairwise, random:N, removal (default: all-on,all-off,each-off)",
    )
    parser.add_argument("--seed", type=int, default=0, help="for random:N (same seed, same configurations)")
    parser.add_argument("--shard", help="K/N: only the K-th of N disjoint parts")
    parser.add_argument("--format", choices=("text", "json", "github"), default="text")
    add_package_arguments(parser)


def main(args: argparse.Namespace) -> int:
    _root, settings, modules, configs, dropped = configurations(args)
    print(render(configs, modules, settings.option_prefix, args.format, dropped))
    return 0
