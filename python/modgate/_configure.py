"""The generator CMake calls at configure time (``cmake/modgate.cmake``).

Two stages, both stateless (every run re-reads every registration file):

``plan``
    validate every registration file and the user's values; write the CMake
    options' help text and the external packages to look for.
``resolve``
    with what ``find_package`` found, decide every module's state; write the
    targets to create, the summary table, the build manifest and the include guards.

A user mistake exits with status 2 and the problems on stderr, never a traceback.
Runs as a script from the source tree (``python -S -E _configure.py ...``) before
anything is installed, so it uses the standard library only.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the package's modules importable without running
    # modgate/__init__.py, which is the import-time side (loader, environment switches).
    import types

    _package = types.ModuleType("modgate")
    _package.__path__ = [str(Path(__file__).resolve().parent)]
    sys.modules.setdefault("modgate", _package)
    __package__ = "modgate"

from modgate.cmake_script import set_items, set_list, set_var
from modgate.discovery import Discovery, ModuleSource, discover, display_path
from modgate.errors import ModgateError, Problem
from modgate.exceptions import deprecation_message
from modgate.manifest import build_manifest, dumps
from modgate.registration import Registration, option_name
from modgate.resolver import ALL_MODULES, Resolution, build_requests, requires_closure, resolve
from modgate.table import state_table

EXIT_USER_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="modgate-configure", description=__doc__)
    parser.add_argument("stage", choices=("plan", "resolve"))
    parser.add_argument("--source-dir", type=Path, required=True)
    parser.add_argument("--modules-dir", type=Path, action="append", default=[])
    parser.add_argument("--extra-dirs", default="", help="MODGATE_EXTRA_MODULE_DIRS as a CMake list")
    parser.add_argument("--value", action="append", default=[], help="USE_MODULE_X=value as set by the user")
    parser.add_argument("--all-modules", default="")
    parser.add_argument("--out", type=Path, required=True, help="the CMake script to write")
    parser.add_argument("--found", action="append", default=[], help="<module>:<index>=0|1 (resolve)")
    parser.add_argument("--manifest", type=Path)
    parser.add_argument("--guard-dir", type=Path)
    parser.add_argument("--generated-dir", type=Path)
    parser.add_argument("--version", default="0+unknown")
    parser.add_argument("--abi-version", type=int, default=0)
    parser.add_argument("--package", default="modgate", help="the Python package the modules install into")
    parser.add_argument("--lib-prefix", default="lib")
    parser.add_argument("--lib-suffix", default=".so")
    parser.add_argument("--ext-suffix", default=".so")
    return parser


def _values(raw: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in raw:
        name, _, value = item.partition("=")
        values[name] = value
    return values


def _discover(args: argparse.Namespace, *, scan_files: bool) -> Discovery:
    base = args.source_dir.resolve()
    extra = [Path(p) for p in args.extra_dirs.split(";") if p.strip()]
    extra = [p if p.is_absolute() else base / p for p in extra]
    roots = [p.resolve() if p.exists() else p for p in args.modules_dir]
    return discover(
        [r for r in roots if r.is_dir()] + extra,
        base=base,
        extra_origin="MODGATE_EXTRA_MODULE_DIRS",
        scan_files=scan_files,
    )


def _help(reg: Registration) -> str:
    text = f"{reg.summary} [ON, OFF or AUTO; unset: {ALL_MODULES} or the default, {reg.default}]"
    if reg.deprecated is not None:
        text = "DEPRECATED: " + text
    return text


def _plan(args: argparse.Namespace) -> str:
    # Registration files only: the module folders are walked once, by ``resolve``.
    found = _discover(args, scan_files=False)
    regs = found.registrations
    requests = build_requests(regs, _values(args.value), args.all_modules)
    out = [set_list("modgate_KNOWN", sorted(regs))]
    out.append(set_items("modgate_WARNINGS", found.warnings))
    for name in sorted(regs):
        reg = regs[name]
        prefix = f"modgate_module_{name}"
        out.append(set_var(f"{prefix}_OPTION", option_name(name)))
        out.append(set_var(f"{prefix}_HELP", _help(reg)))
        packages = reg.native.packages if reg.native and requests[name].value != "OFF" else ()
        out.append(set_list(f"{prefix}_FIND", [str(i) for i in range(len(packages))]))
        for index, package in enumerate(packages):
            out.append(set_var(f"{prefix}_package_{index}_NAME", package.name))
            out.append(set_var(f"{prefix}_package_{index}_VERSION", package.version or ""))
            out.append(set_list(f"{prefix}_package_{index}_COMPONENTS", package.components))
    return "".join(out)


def _missing(found: Discovery, raw: list[str]) -> dict[str, list[str]]:
    results = _values(raw)
    missing: dict[str, list[str]] = {}
    for name, module in found.modules.items():
        native = module.registration.native
        for index, package in enumerate(native.packages if native else ()):
            if results.get(f"{name}:{index}", "1") in ("0", ""):
                missing.setdefault(name, []).append(package.describe())
    return missing


def _summary(found: Discovery, resolution: Resolution) -> str:
    rows = []
    for state in resolution.states:
        reg = found.modules[state.name].registration
        rows.append((state.name, "ON" if state.enabled else "OFF", reg.stage, reg.deprecated is not None, state.reason))
    head = f"modgate: {len(resolution.states)} modules, {len(resolution.order)} enabled"
    return head + "\n" + state_table(rows, indent="  ")


_GUARD_MODULE = (
    "#ifdef MODGATE_MODULE_NAME\n"
    '#pragma message("modgate: module \'" MODGATE_MODULE_NAME "\' includes <{header}> without requiring'
    ' \'{owner}\': add \\"{owner}\\" to requires in the module.toml of module \'" MODGATE_MODULE_NAME "\'")\n'
    "#endif\n"
    "#error \"modgate: <{header}> is a header of module '{owner}'. A module may include only the core's headers"
    ' and those of the modules it requires: add \\"{owner}\\" to requires in the module.toml of the module'
    ' whose source includes it."\n'
)
_GUARD_CORE = (
    "#error \"modgate: <{header}> is a header of module '{owner}', and the core (src/, include/) never includes"
    ' a module header: reach the module by name through the registry (modgate::find_function)."\n'
)


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _write_guards(guard_dir: Path, found: Discovery) -> None:
    # Stubs for every module header, searched after every real include directory:
    # an include the target may see finds the real header first; any other hits #error.
    wanted: dict[Path, str] = {}
    for name, module in found.modules.items():
        for header in module.headers:
            wanted[guard_dir / "modules" / header] = _GUARD_MODULE.format(header=header, owner=name)
            wanted[guard_dir / "core" / header] = _GUARD_CORE.format(header=header, owner=name)
    for current, _dirs, files in os.walk(guard_dir):
        for stale in [Path(current, f) for f in files]:
            if stale not in wanted:
                stale.unlink()
    for path, text in wanted.items():
        _write_if_changed(path, text)
    for sub in ("modules", "core"):
        (guard_dir / sub).mkdir(parents=True, exist_ok=True)


def _generated_init(generated_dir: Path, module: ModuleSource) -> Path:
    reg = module.registration
    text = f"__doc__ = {reg.name + ': ' + reg.summary!r}\n"
    path = generated_dir / reg.name / "__init__.py"
    _write_if_changed(path, text)
    return path


def _artifacts(module: ModuleSource, args: argparse.Namespace) -> list[str]:
    name = module.registration.name
    files = []
    if module.sources:
        files.append(f"modules/{name}/{args.lib_prefix}modgate_{name}{args.lib_suffix}")
    if module.binding_sources:
        files.append(f"modules/{name}/_native{args.ext_suffix}")
    return files


def _resolve(args: argparse.Namespace) -> str:
    found = _discover(args, scan_files=True)
    regs = found.registrations
    values = _values(args.value)
    requests = build_requests(regs, values, args.all_modules)
    resolution = resolve(regs, requests, _missing(found, args.found))
    base = args.source_dir.resolve()
    out = [
        set_list("modgate_ENABLED", resolution.order),
        set_var("modgate_SUMMARY", _summary(found, resolution)),
        set_list("modgate_WATCH", [p.as_posix() for p in found.watch]),
    ]
    deprecations = []
    for name in resolution.order:
        module = found.modules[name]
        reg = module.registration
        prefix = f"modgate_module_{name}"
        out.append(set_var(f"{prefix}_DIR", module.directory.as_posix()))
        out.append(set_list(f"{prefix}_SOURCES", [p.as_posix() for p in module.sources]))
        out.append(set_list(f"{prefix}_BINDING", [p.as_posix() for p in module.binding_sources]))
        include = module.include_dir
        out.append(set_var(f"{prefix}_INCLUDE_DIR", include.as_posix() if include else ""))
        out.append(set_list(f"{prefix}_REQUIRES", reg.requires))
        out.append(set_list(f"{prefix}_REQUIRES_CLOSURE", requires_closure(regs, name)))
        packages = reg.native.packages if reg.native else ()
        out.append(set_list(f"{prefix}_PACKAGES", [str(i) for i in range(len(packages))]))
        out.append(set_list(f"{prefix}_ARTIFACTS", _artifacts(module, args)))
        if module.python_dir is not None:
            out.append(set_var(f"{prefix}_PYTHON_DIR", module.python_dir.as_posix()))
        elif args.generated_dir is not None:
            out.append(set_var(f"{prefix}_PYTHON_INIT", _generated_init(args.generated_dir, module).as_posix()))
        if reg.deprecated is not None:
            dep = reg.deprecated
            text = deprecation_message(
                name, since=dep.since, reason=dep.reason, removal=dep.removal, replacement=dep.replacement
            )
            deprecations.append(f"{text} ({display_path(module.directory / 'module.toml', base)})")
    out.append(set_items("modgate_DEPRECATIONS", deprecations))
    if args.guard_dir is not None:
        _write_guards(args.guard_dir, found)
    if args.manifest is not None:
        manifest = build_manifest(
            version=args.version,
            abi_version=args.abi_version,
            registrations=regs,
            resolution=resolution,
            options={k: v for k, v in values.items() if v.strip()}
            | ({ALL_MODULES: args.all_modules} if args.all_modules.strip() else {}),
            artifacts={name: _artifacts(found.modules[name], args) for name in resolution.order},
            sources={name: display_path(m.directory, base) for name, m in found.modules.items()},
            package=args.package,
        )
        _write_if_changed(args.manifest, dumps(manifest))
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        text = _plan(args) if args.stage == "plan" else _resolve(args)
    except ModgateError as exc:
        sys.stderr.write(exc.format() + "\n")
        return EXIT_USER_ERROR
    except OSError as exc:
        problem = Problem(str(exc.filename or "?"), None, f"cannot read or write: {exc.strerror}", "check the path")
        sys.stderr.write(ModgateError([problem]).format() + "\n")
        return EXIT_USER_ERROR
    _write_if_changed(args.out, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
