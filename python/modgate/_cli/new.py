"""``modgate new NAME``: a new module folder in the host project here, nothing else edited."""

from __future__ import annotations

import argparse
from pathlib import Path

from .._configure.registration import STAGES, parse_registration
from .._names import REGISTRATION_FILE, module_import_name
from ._scaffold import host_project, new_module

__all__ = ["main", "populate_parser"]


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("new", help="add a module folder to the host project here")
    parser.add_argument("name", help="the module's name: a folder under the first of [tool.modgate] modules-dirs")
    parser.add_argument(
        "--native", action="store_true", help="with C++ sources, a public header and a pybind11 extension"
    )
    parser.add_argument("--requires", help="modules it requires, comma-separated")
    parser.add_argument("--stage", default="S0", choices=STAGES, help="its lifecycle stage (default S0, a new module)")
    parser.add_argument(
        "--maintainer", action="append", help="a maintainer (repeat); default: git's user.name <user.email>"
    )
    parser.add_argument("--maintainers", help="maintainers, comma-separated (with --maintainer: both)")
    parser.add_argument("--summary", help="one line saying what it does")


def main(args: argparse.Namespace) -> int:
    requires = [part.strip() for part in (args.requires or "").split(",") if part.strip()]
    listed = [part.strip() for part in (args.maintainers or "").split(",") if part.strip()]
    maintainers = [*(args.maintainer or []), *listed] or None
    written = new_module(
        args.name,
        start=Path.cwd(),
        native=args.native,
        requires=requires,
        stage=args.stage,
        maintainers=maintainers,
        summary=args.summary,
    )
    root, config = host_project(Path.cwd())
    for path in written:
        print(path)
    folder = root / config.modules_dirs[0] / args.name
    print(f"modgate: module {args.name!r} ({module_import_name(config.host_package, args.name)}) written in {folder}")
    toml = folder / REGISTRATION_FILE
    count = len(parse_registration(toml.read_bytes(), path=str(toml), folder_name=args.name).maintainers)
    wanted = config.policy.s0_min_maintainers
    if args.stage == "S0" and count < wanted:
        print(
            f"modgate: an S0 module needs {wanted} maintainers ([tool.modgate.policy] s0-min-maintainers) and"
            f" {args.name!r} has {count}: add them to {toml.relative_to(root)} (or pass --maintainers a,b,c),"
            " else modgate check reports MG200"
        )
    return 0
