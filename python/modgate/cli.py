"""The ``modgate`` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .exceptions import ModgateError
from .table import module_listing

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._configure.host import HostConfig
    from ._configure.registration import Registration
    from .matrix import Configuration

__all__ = ["cmake_dir", "default_host", "main"]


def default_host(start: Path | None = None) -> str:
    """The host whose modules a command shows when none is named: the ``[tool.modgate]``
    host of the project around ``start`` (the current folder), else ``modgate``."""
    from ._configure.host import PYPROJECT, read_host
    from ._configure.problems import ConfigurationError

    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / PYPROJECT).is_file():
            try:
                return read_host(candidate).host
            except ConfigurationError:
                return "modgate"
    return "modgate"


def _host_info(package: str) -> dict[str, object]:
    import importlib

    from . import _loader

    try:
        importlib.import_module(package)  # a host attaches itself when imported
    except ImportError as exc:
        raise ModgateError(
            f"cannot import host package {package!r}: {exc}; install it, or name another with --package"
        ) from None
    if package not in _loader._hosts:
        raise ModgateError(f"{package!r} is not a modgate host: its __init__.py does not call modgate.attach(__name__)")
    return _loader.host(package).info()


def _list(args: argparse.Namespace) -> int:
    package = args.package or default_host()
    data = _host_info(package)
    modules = data["modules"]
    if args.json or args.format == "json":
        print(json.dumps(data if args.format == "json" else modules, indent=2, sort_keys=True))
        return 0
    print("\n".join(module_listing(data)))
    return 0


def _check(args: argparse.Namespace) -> int:
    from ._configure.problems import ConfigurationError
    from .check import RULES, check_tree, format_findings

    if args.list_codes:
        for code, (severity, what) in RULES.items():
            print(f"{code}  {severity:<7}  {what}")
        return 0
    try:
        findings = check_tree(Path(args.dir), as_of_version=args.as_of_version)
    except ConfigurationError as exc:
        raise ModgateError(exc.format()) from None
    output = format_findings(findings, args.format)
    if output:
        print(output)
    return 1 if any(f.severity == "error" for f in findings) else 0


def _configurations(
    args: argparse.Namespace,
) -> tuple[Path, HostConfig, dict[str, Registration], list[Configuration], list[str]]:
    """The host at ``args.dir`` and the configurations of ``args.strategy`` (matrix, verify)."""
    from ._inspect import project
    from .matrix import generate, shard

    root, config, found = project(args.dir)
    modules = found.registrations
    try:
        strategies = [s.strip() for s in args.strategy.split(",") if s.strip()]
        configs, dropped = generate(modules, strategies, seed=args.seed, prefix=config.option_prefix)
        if args.shard:
            configs = shard(configs, args.shard)
    except ValueError as exc:
        raise ModgateError(str(exc)) from None
    if getattr(args, "only", None):
        wanted = set(args.only)
        unknown = wanted - {c.name for c in configs}
        if unknown:
            raise ModgateError(f"--only {', '.join(sorted(unknown))}: no such configuration of {args.strategy}")
        configs = [c for c in configs if c.name in wanted]
    return root, config, dict(modules), list(configs), dropped


def _matrix(args: argparse.Namespace) -> int:
    from .matrix import render

    _root, config, modules, configs, dropped = _configurations(args)
    print(render(configs, modules, config.option_prefix, args.format, dropped))
    return 0


def _verify(args: argparse.Namespace) -> int:
    from .verify import verify

    root, config, modules, configs, dropped = _configurations(args)
    for text in dropped:
        print(f"dropped: {text}")
    reproduce = ["modgate", "verify", str(root), "--strategy", args.strategy, "--seed", str(args.seed)]
    if args.build_dir:
        reproduce += ["--build-dir", args.build_dir]
    if args.test_command:
        reproduce += ["--test-command", args.test_command]
    work = Path(args.build_dir).resolve() if args.build_dir else root / "build" / "modgate-verify"
    return verify(
        configs,
        root=root,
        host=config,
        modules=modules,
        work=work,
        test_command=args.test_command,
        keep_going=args.keep_going,
        junit=Path(args.junit) if args.junit else None,
        reproduce=reproduce,
    )


def _schema(args: argparse.Namespace) -> int:
    from ._configure.schema import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0


def cmake_dir() -> str:
    """The folder holding ``modgateConfig.cmake`` in the installed package."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "share", "cmake", "modgate")


def _cmake_dir(args: argparse.Namespace) -> int:
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


def _parser() -> argparse.ArgumentParser:
    epilog = None
    try:  # the commands the host's modules add, when it is built (never an error here)
        added = _module_commands(default_host(), plugins=False)
        if added:
            epilog = "commands added by modules: " + ", ".join(f"{c} ({m})" for c, (m, _) in sorted(added.items()))
    except Exception:
        pass
    parser = argparse.ArgumentParser(
        prog="modgate", description="Optional-module toggles for host projects.", epilog=epilog
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    listing = sub.add_parser("list", help="a host's modules, their state, stage and reason")
    listing.add_argument(
        "--package", help="the host package (default: [tool.modgate] of the project here, else modgate)"
    )
    listing.add_argument(
        "--format", choices=("text", "json"), default="text", help="json: the structure <package>.info() returns"
    )
    listing.add_argument("--json", action="store_true", help="print every module's entry as JSON")
    listing.set_defaults(run=_list)
    check = sub.add_parser(
        "check",
        help="the module rules on a host's tree (registration, stage, owners, deprecation, isolation)",
        description="Every finding at once, each with a code, file, line, message and fix; exit 1 on any error.",
    )
    check.add_argument("dir", nargs="?", default=".", help="the host project's folder (default: here)")
    check.add_argument("--format", choices=("text", "json", "github"), default="text")
    check.add_argument("--as-of-version", help="judge deprecations against this version, not the project's")
    check.add_argument("--list-codes", action="store_true", help="print every check code and exit")
    check.set_defaults(run=_check)
    matrix = sub.add_parser(
        "matrix",
        help="build configurations that prove the modules optional (all-on, each-off, pairwise, ...)",
        description="Valid configurations (every module ON or OFF) for the strategies asked; what cannot exist is"
        " adjusted or dropped, and said.",
    )
    matrix.add_argument("dir", nargs="?", default=".", help="the host project's folder (default: here)")
    matrix.add_argument(
        "--strategy",
        default="all-on,all-off,each-off",
        help="comma-separated: all-on, all-off, each-off,"
        " each-alone, pairwise, random:N, removal (default: all-on,all-off,each-off)",
    )
    matrix.add_argument("--seed", type=int, default=0, help="for random:N (same seed, same configurations)")
    matrix.add_argument("--shard", help="K/N: only the K-th of N disjoint parts")
    matrix.add_argument("--format", choices=("text", "json", "github"), default="text")
    matrix.set_defaults(run=_matrix)
    checking = sub.add_parser(
        "verify",
        help="configure, build and test a host in each configuration of the strategies asked",
        description="One build folder reused, every option passed explicitly; a failing configuration prints the"
        " command that reruns it; exit 1 on any failure.",
    )
    checking.add_argument("dir", nargs="?", default=".", help="the host project's folder (default: here)")
    checking.add_argument("--strategy", default="each-off", help="as for modgate matrix (default: each-off)")
    checking.add_argument("--seed", type=int, default=0, help="for random:N")
    checking.add_argument("--shard", help="K/N: only the K-th of N disjoint parts")
    checking.add_argument("--only", action="append", metavar="NAME", help="only this configuration (repeatable)")
    checking.add_argument("--test-command", help="a shell command run instead of the default tests")
    checking.add_argument("--keep-going", action="store_true", help="run every configuration, not stop at a failure")
    checking.add_argument("--junit", help="write a JUnit XML report here")
    checking.add_argument("--build-dir", help="the build folder (default: <dir>/build/modgate-verify)")
    checking.set_defaults(run=_verify)
    schema = sub.add_parser(
        "schema",
        help="the JSON Schema of module.toml, for editors (the parser's own declaration)",
        description="Prints the JSON Schema; save it and point your editor's TOML support at it.",
    )
    schema.set_defaults(run=_schema)
    cmake = sub.add_parser(
        "cmake-dir", help="where the installed CMake package is: cmake -Dmodgate_DIR=$(modgate cmake-dir)"
    )
    cmake.set_defaults(run=_cmake_dir)
    from . import _inspect, _scaffold

    _scaffold.add_commands(sub)
    _inspect.add_commands(sub)
    return parser


def _module_commands(package: str, *, plugins: bool = True) -> dict[str, tuple[str, str]]:
    """The subcommands the modules of host ``package`` add: name -> (module, target); with
    ``plugins``, those of installed plugins too (their entry points are read)."""
    if plugins:
        data = _host_info(package)
    else:
        import importlib

        from ._manifest import manifest

        importlib.import_module(package)
        data = manifest(package)
    modules: dict[str, dict[str, object]] = data["modules"]  # type: ignore[assignment]
    found: dict[str, tuple[str, str]] = {}
    for module, entry in sorted(modules.items()):
        for command, target in dict(entry.get("commands") or {}).items():  # type: ignore[call-overload]
            found.setdefault(command, (module, str(target)))
    return found


def _run_module_command(command: str, rest: list[str]) -> int | None:
    """Run ``modgate <command>`` when a module of the host here adds it; ``None`` when none does."""
    import importlib

    from . import _loader
    from ._manifest import NotBuiltError
    from .exceptions import ModuleDisabledError, ModuleLoadError, ModuleUnavailableError

    package = default_host()
    try:
        commands = _module_commands(package)
    except (ModgateError, NotBuiltError):
        return None
    if command not in commands:
        return None
    module, target = commands[command]
    try:
        loaded = _loader.host(package).require(module)
    except (ModuleDisabledError, ModuleUnavailableError, ModuleLoadError) as exc:
        print(f"modgate {command}: a command of module {module!r}, which cannot be used here: {exc}", file=sys.stderr)
        return 2
    where, _, name = target.rpartition(":")
    holder = importlib.import_module(f"{loaded.__name__}.{where}") if where else loaded
    function = getattr(holder, name)
    return int(function(rest))


def main(argv: Sequence[str] | None = None) -> int:
    from ._names import CORE_COMMANDS

    words = list(sys.argv[1:] if argv is None else argv)
    try:
        if words and not words[0].startswith("-") and words[0] not in CORE_COMMANDS:
            # A module's command (its [commands] table), e.g. `modgate graph` from module graph.
            module_code = _run_module_command(words[0], words[1:])
            if module_code is not None:
                return module_code
        args = _parser().parse_args(words)
        code: int = args.run(args)
    except ModgateError as exc:
        text = str(exc)
        print(text if text.startswith("modgate") else f"modgate: {text}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `modgate list | head -1`: the reader left; point stdout at nothing so the exit flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
