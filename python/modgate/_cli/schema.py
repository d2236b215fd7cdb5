"""``modgate schema``: the JSON Schema of ``module.toml``, for editors."""

from __future__ import annotations

import argparse
import json

from .._configure.schema import json_schema

__all__ = ["main", "populate_parser"]


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser(
        "schema",
        help="the JSON Schema of module.toml, for editors (the parser's own declaration)",
        description="Prints the JSON Schema; save it and point your editor's TOML support at it.",
    )


def main(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2))
    return 0
