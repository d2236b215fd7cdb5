"""``modgate cmake-dir``: where the installed CMake package is, for plain-CMake adopters."""

from __future__ import annotations

import argparse
import os
import sys

from ._common import cmake_dir

__all__ = ["main", "populate_parser"]


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("cmake-dir", help="where the installed CMake package is: cmake -Dmodgate_DIR=$(modgate cmake-dir)")


def main(args: argparse.Namespace) -> int:
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
