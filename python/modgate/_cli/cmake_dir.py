"""``modgate cmake-dir``: where the installed CMake package is, for plain-CMake adopters."""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["cmake_dir", "main", "populate_parser"]


def cmake_dir() -> str:
    """The folder holding ``modgateConfig.cmake`` in the installed package."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(package, "share", "cmake", "modgate")


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
