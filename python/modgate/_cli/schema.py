"""``modgate schema``: the JSON Schema of ``module.toml`` (``--host``: of a host's
``[tool.modgate]``), for editors."""

from __future__ import annotations

import argparse
import json

from .._configure.schema import json_host_schema, json_schema

__all__ = ["main", "populate_parser"]


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "schema",
        help="the JSON Schema of module.toml, for editors (the parser's own declaration)",
        description="Prints the JSON Schema; save it and point your editor's TOML support at it.",
    )
    parser.add_argument(
        "--host",
        action="store_true",
        help="the schema of a host's [tool.modgate] table in pyproject.toml instead",
    )


def main(args: argparse.Namespace) -> int:
    print(json.dumps(json_host_schema() if args.host else json_schema(), indent=2))
    return 0
