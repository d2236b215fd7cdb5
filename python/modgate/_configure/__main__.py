"""The configure steps CMake runs (``cmake/modgate.cmake``), as a script.

``declare``
    at configure, first: read ``[tool.modgate]``, validate every registration file and the
    user's values; write the host's names and the calls that declare the CMake options and
    look for the external packages (``declare.cmake``).
``resolve``
    at configure, second: with what ``find_package`` found, decide every module's state;
    write the module targets' calls, the summary, the build manifest, the include guards
    and the build tree's list of links (``modules.cmake``, ``links.json``).
``link``
    a build step, not configure: make those links (``links.stamp``).

Both configure steps re-read the host's ``pyproject.toml`` and every registration file,
parsed once per configure (``--cache`` keeps the parse for the second step). A user
mistake exits with status 2 and the problems on stderr, never a traceback. Runs from the
source tree (``python -S <package>/_configure ...``) before anything is installed: the
standard library, and ``packaging`` for requirement and version strings.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the package's modules importable without running
    # modgate/__init__.py, which is the import-time side (loader, environment switches).
    import types

    _package = types.ModuleType("modgate")
    _package.__path__ = [str(Path(__file__).resolve().parent.parent)]
    sys.modules.setdefault("modgate", _package)
    __package__ = "modgate._configure"

from modgate._configure import parse_cache
from modgate._configure.build_tree import make_links
from modgate._configure.discovery import Discovery, discover_project
from modgate._configure.files import write_if_changed
from modgate._configure.host import HostConfig, read_host
from modgate._configure.problems import ConfigurationError, Problem, cmake_flags
from modgate._configure.step_declare import declare
from modgate._configure.step_resolve import Outputs, resolve_step
from modgate._configure.versions import MissingPackaging
from modgate._names import CAPABILITY_OPTION_PREFIX, EXTRA_MODULE_DIRS, GROUP_OPTION_PREFIX, PROBLEMS_FILE

EXIT_USER_ERROR = 2
STEPS = ("declare", "resolve", "link")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="modgate-configure", description=__doc__)
    parser.add_argument("step", choices=STEPS)
    parser.add_argument("--project-dir", type=Path, help="the folder of the host's pyproject.toml (declare, resolve)")
    parser.add_argument("--extra-dirs", default="", help=f"{EXTRA_MODULE_DIRS} as a CMake list")
    parser.add_argument("--value", action="append", default=[], help="NAME=value of a variable the user set")
    parser.add_argument(
        "--maybe",
        action="append",
        default=[],
        help="NAME=value of any other variable: taken when it is the host's option or carries its prefixes",
    )
    parser.add_argument("--host-dir", type=Path, help="a plugin's installed host package (resolve)")
    parser.add_argument("--all-modules", default="")
    parser.add_argument("--out", type=Path, required=True, help="the CMake script (or the link step's stamp) to write")
    parser.add_argument("--found", action="append", default=[], help="<module>:<index>=0|1 (resolve)")
    parser.add_argument("--manifest", type=Path)
    parser.add_argument("--guard-dir", type=Path)
    parser.add_argument("--generated-dir", type=Path)
    parser.add_argument("--version", default="0+unknown")
    parser.add_argument("--abi-version", type=int, default=0)
    parser.add_argument("--project-version", action="store_true", help="declare: work out the host's version")
    parser.add_argument("--cache", type=Path, help="where parsed registration files are kept between steps")
    parser.add_argument("--package-dir", type=Path, help="the build tree's importable package folder (resolve)")
    parser.add_argument("--links", type=Path, help="resolve: where to write the links; link: what to link")
    parser.add_argument("--binary-dir", type=Path, help="CMake's binary folder, where the libraries are built")
    parser.add_argument(
        "--module-wheels", type=Path, help="resolve: ship each module in a wheel of its own, staged in this folder"
    )
    parser.add_argument("--lib-prefix", default="lib")
    parser.add_argument("--lib-suffix", default=".so")
    parser.add_argument("--ext-suffix", default=".so")
    parser.add_argument(
        "--work-dir", type=Path, help=f"CMake's modgate folder: a refused configure leaves {PROBLEMS_FILE} there"
    )
    parser.add_argument(
        "--rerun", default="", help="how the user configures again: pip, or cmake:<build folder> (the fix line)"
    )
    return parser


def _fix_line(rerun: str, project_dir: Path | None) -> Callable[[ConfigurationError], str]:
    """The one command that configures again with a refused request's fix: pip takes every
    value again (its build folder keeps none); CMake's cache keeps them, so it takes the changes."""

    def line(error: ConfigurationError) -> str:
        changes = error.changes or {}
        if rerun == "pip":
            source = shlex.quote(str(project_dir)) if project_dir is not None else "."
            defines = [f"-C {shlex.quote(f'cmake.define.{name}={value}')}" for name, value in error.values.items()]
            return " ".join(["python -m pip install", source, *defines])
        build = rerun.removeprefix("cmake:") or "<build folder>"
        return f"cmake {cmake_flags(changes)} {shlex.quote(build)}"

    return line


def _values(raw: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in raw:
        name, _, value = item.partition("=")
        values[name] = value
    return values


def _taken(values: dict[str, str], maybe: dict[str, str], config: HostConfig, found: Discovery) -> dict[str, str]:
    """``values`` and those of ``maybe`` that are the host's options (modules', groups',
    capabilities') or carry its prefixes: CMake hands every variable over once, before
    anyone knows the host's names, so the declare step runs once. A group's or a
    capability's option is either named in ``[tool.modgate]`` or carries its prefix."""
    if not maybe:
        return values
    names = {reg.option_for(config.option_prefix) for reg in found.registrations.values()}
    names |= set(config.group_renames.values()) | {c.option for c in config.capabilities if c.option}
    prefixes = (config.option_prefix, GROUP_OPTION_PREFIX, CAPABILITY_OPTION_PREFIX)
    return {name: value for name, value in maybe.items() if name in names or name.startswith(prefixes)} | values


def _discover(args: argparse.Namespace, config: HostConfig, *, with_files: bool) -> Discovery:
    base = args.project_dir.resolve()
    extra = [Path(p) for p in args.extra_dirs.split(";") if p.strip()]
    extra = [p if p.is_absolute() else base / p for p in extra]
    cache = parse_cache.load(args.cache)
    found = discover_project(base, config, extra=extra, with_files=with_files, cache=cache)
    parse_cache.save(args.cache, cache)
    return found


def _configure_step(args: argparse.Namespace) -> str:
    project_dir = args.project_dir.resolve()
    config = read_host(project_dir, shown_as="pyproject.toml")
    if args.step == "declare":
        found = _discover(args, config, with_files=False)  # the module folders are walked once, by resolve
        values = _taken(_values(args.value), _values(args.maybe), config, found)
        return declare(
            config, found, values, args.all_modules, project_dir=project_dir if args.project_version else None
        )
    out = Outputs(
        binary_dir=args.binary_dir,
        manifest=args.manifest,
        guard_dir=args.guard_dir,
        generated_dir=args.generated_dir,
        package_dir=args.package_dir,
        links=args.links,
        version=args.version,
        abi_version=args.abi_version,
        lib_prefix=args.lib_prefix,
        lib_suffix=args.lib_suffix,
        ext_suffix=args.ext_suffix,
        module_wheels=args.module_wheels.resolve() if args.module_wheels is not None else None,
    )
    found = _discover(args, config, with_files=True)
    return resolve_step(
        config,
        found,
        _taken(_values(args.value), _values(args.maybe), config, found),
        args.all_modules,
        _values(args.found),
        project_dir=project_dir,
        host_dir=args.host_dir,
        out=out,
    )


def _write_problems(work_dir: Path | None, error: ConfigurationError | None) -> None:
    """The problems of a refused configure, as JSON, for tools (``modgate verify`` tells a
    missing package from a failure by them); none after one that passed."""
    if work_dir is None:
        return
    path = work_dir / PROBLEMS_FILE
    if error is None:
        path.unlink(missing_ok=True)
        return
    import dataclasses
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([dataclasses.asdict(p) for p in error.problems], indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _write_problems(args.work_dir, None)
    try:
        if args.step == "link":
            if args.links is None:
                raise SystemExit("modgate-configure link: --links is required")
            text = make_links(args.links)
        elif args.project_dir is None:
            raise SystemExit(f"modgate-configure {args.step}: --project-dir is required")
        else:
            text = _configure_step(args)
    except (ConfigurationError, MissingPackaging) as exc:
        _write_problems(args.work_dir, exc if isinstance(exc, ConfigurationError) else None)
        text = exc.format(_fix_line(args.rerun, args.project_dir)) if isinstance(exc, ConfigurationError) else str(exc)
        sys.stderr.write(f"{text}\n")
        return EXIT_USER_ERROR
    except OSError as exc:
        problem = Problem(str(exc.filename or "?"), None, f"cannot read or write: {exc.strerror}", "check the path")
        sys.stderr.write(ConfigurationError([problem]).format() + "\n")
        return EXIT_USER_ERROR
    if args.step == "link":
        args.out.write_text(text, encoding="utf-8")  # a stamp: newer than the list of links, always
    else:
        write_if_changed(args.out, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
