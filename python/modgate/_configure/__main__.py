"""The generator CMake calls at configure time (``cmake/modgate.cmake``).

Two stages; each re-reads the host's ``pyproject.toml`` and every registration file
(parsed once per configure: ``--cache`` keeps the parse for the second stage):

``plan``
    read ``[tool.modgate]``, validate every registration file and the user's values;
    write the host's names, and the calls that declare the CMake options and look for
    the external packages.
``resolve``
    with what ``find_package`` found, decide every module's state; write one
    ``_modgate_add_module`` call per enabled module (with every name CMake needs, so it
    derives none), the summary table, the build manifest, the include guards, and the
    links that make the build tree an importable package (``--stage-plan``).
``stage``
    a build step, not configure: make those links.

A user mistake exits with status 2 and the problems on stderr, never a traceback.
Runs as a script from the source tree (``python -S <package>/_configure ...``) before
anything is installed, so it uses the standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the package's modules importable without running
    # modgate/__init__.py, which is the import-time side (loader, environment switches).
    import types

    _package = types.ModuleType("modgate")
    _package.__path__ = [str(Path(__file__).resolve().parent.parent)]
    sys.modules.setdefault("modgate", _package)
    __package__ = "modgate._configure"

from modgate._configure import registration as registration_module
from modgate._configure.cmake_script import call, function, set_items, set_list, set_var
from modgate._configure.discovery import Discovery, ModuleSource, ParseCache, discover_project, display_path
from modgate._configure.host import HostConfig, read_host
from modgate._configure.manifest import build_manifest, dumps
from modgate._configure.problems import ConfigurationError, Problem
from modgate._configure.project import project_version
from modgate._configure.registration import Registration
from modgate._configure.resolver import HostModule, Resolution, build_requests, requires_closure, resolve
from modgate._configure.versions import MissingPackaging
from modgate._names import (
    ALL_MODULES,
    EXTENSION_NAME,
    EXTRA_MODULE_DIRS,
    MANIFEST_NAME,
    MODULES_PACKAGE,
    REGISTRATION_FILE,
    exported_target,
    extension_target,
    library_target,
    module_install_dir,
    modules_export_file,
    modules_include_dir,
    package_path,
)
from modgate.exceptions import deprecation_message
from modgate.table import state_table

EXIT_USER_ERROR = 2
# Sources and build leftovers in a module's python/ folder, never installed.
_NOT_INSTALLED = (".pyc", ".cc", ".cpp", ".h", ".hpp")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="modgate-configure", description=__doc__)
    parser.add_argument("stage", choices=("plan", "resolve", "stage"))
    parser.add_argument("--project-dir", type=Path, help="the folder of the host's pyproject.toml (plan, resolve)")
    parser.add_argument("--extra-dirs", default="", help=f"{EXTRA_MODULE_DIRS} as a CMake list")
    parser.add_argument("--value", action="append", default=[], help="NAME=value of a variable the user set")
    parser.add_argument("--host-dir", type=Path, help="a plugin's installed host package (resolve)")
    parser.add_argument("--all-modules", default="")
    parser.add_argument("--out", type=Path, required=True, help="the CMake script to write")
    parser.add_argument("--found", action="append", default=[], help="<module>:<index>=0|1 (resolve)")
    parser.add_argument("--manifest", type=Path)
    parser.add_argument("--guard-dir", type=Path)
    parser.add_argument("--generated-dir", type=Path)
    parser.add_argument("--version", default="0+unknown")
    parser.add_argument("--abi-version", type=int, default=0)
    parser.add_argument("--project-version", action="store_true", help="plan: work out the host's version")
    parser.add_argument("--cache", type=Path, help="where parsed registration files are kept between stages")
    parser.add_argument("--stage-dir", type=Path, help="the build tree's importable package folder (resolve)")
    parser.add_argument("--stage-plan", type=Path, help="resolve: where to write the links; stage: what to link")
    parser.add_argument("--binary-dir", type=Path, help="CMake's binary folder, where the libraries are built")
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


def _host(args: argparse.Namespace) -> HostConfig:
    return read_host(args.project_dir.resolve(), shown_as="pyproject.toml")


def _cache_token() -> str:
    # A cache written by another version of the parser is not reused.
    stat = os.stat(registration_module.__file__)
    return f"{stat.st_mtime_ns}:{stat.st_size}"


def _load_cache(path: Path | None) -> ParseCache | None:
    if path is None:
        return None
    import pickle

    try:
        with path.open("rb") as handle:
            token, cache = pickle.load(handle)
    except Exception:  # absent, unreadable or from another version: parse afresh
        return {}
    return cache if token == _cache_token() and isinstance(cache, dict) else {}


def _save_cache(path: Path | None, cache: ParseCache | None) -> None:
    if path is None or cache is None:
        return
    import pickle

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps((_cache_token(), cache), protocol=pickle.HIGHEST_PROTOCOL))


def _discover(args: argparse.Namespace, host: HostConfig, *, scan_files: bool) -> Discovery:
    base = args.project_dir.resolve()
    extra = [Path(p) for p in args.extra_dirs.split(";") if p.strip()]
    extra = [p if p.is_absolute() else base / p for p in extra]
    cache = _load_cache(args.cache)
    found = discover_project(base, host, extra=extra, scan_files=scan_files, cache=cache)
    _save_cache(args.cache, cache)
    return found


def _help(reg: Registration) -> str:
    text = f"{reg.summary} [ON, OFF or AUTO; unset: {ALL_MODULES} or the default, {reg.default}]"
    if reg.deprecated is not None:
        text = "DEPRECATED: " + text
    return text


def _plan(args: argparse.Namespace) -> str:
    # Registration files only: the module folders are walked once, by ``resolve``.
    host = _host(args)
    found = _discover(args, host, scan_files=False)
    regs = found.registrations
    requests = build_requests(regs, _values(args.value), args.all_modules, prefix=host.option_prefix)
    out = [
        set_var("modgate_PACKAGE", host.package),
        set_var("modgate_HOST", host.host),
        set_var("modgate_OPTION_PREFIX", host.option_prefix),
        set_var("modgate_INSTALL_DIR", package_path(host.package)),
        set_var("modgate_MANIFEST_NAME", MANIFEST_NAME),
        set_var("modgate_EXTENSION_NAME", EXTENSION_NAME),
        set_list("modgate_KNOWN", sorted(regs)),
        set_list("modgate_OPTIONS", sorted(reg.option_for(host.option_prefix) for reg in regs.values())),
    ]
    warnings = list(found.warnings)
    if args.project_version:
        own_version, why = project_version(args.project_dir.resolve())
        out.append(set_var("modgate_PROJECT_VERSION", own_version))
        warnings += [why] if why else []
    out.append(set_items("modgate_WARNINGS", warnings))
    options = []
    finds = []
    for name in sorted(regs):
        reg = regs[name]
        options.append(call("_modgate_declare_option", reg.option_for(host.option_prefix), _help(reg)))
        packages = reg.native.packages if reg.native and requests[name].value != "OFF" else ()
        for index, package in enumerate(packages):
            version = [package.version] if package.version else []
            key = f"{name}:{index}"
            finds.append(call("_modgate_find", key, package.name, *version, COMPONENTS=package.components))
    # Generated code, not per-module variables: CMake runs these once each.
    out.append(function("_modgate_generated_options", options))
    out.append(function("_modgate_generated_find", finds, macro=True))
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


def _summary(found: Discovery, resolution: Resolution, host: HostConfig) -> str:
    rows = []
    for state in resolution.states:
        reg = found.modules[state.name].registration
        rows.append((state.name, "ON" if state.enabled else "OFF", reg.stage, reg.deprecated is not None, state.reason))
    head = f"modgate ({host.package}): {len(resolution.states)} modules, {len(resolution.order)} enabled"
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


# The __init__.py of every module without a python/ folder: one file, not one per module
# (a thousand native modules would be a thousand more files to write at configure).
_MODULE_INIT = '''"""A module with no Python part of its own; its native functions are reached by name."""

from modgate._manifest import manifest as _manifest

_package, _, _name = __name__.rpartition(".modules.")
__doc__ = f"{_name}: {_manifest(_package)['modules'][_name]['summary']}"
'''


@functools.cache  # one file for every module: written (if changed) once per run
def _generated_init(generated_dir: Path) -> Path:
    path = generated_dir / "__init__.py"
    _write_if_changed(path, _MODULE_INIT)
    return path


def _artifacts(module: ModuleSource, args: argparse.Namespace, host: HostConfig) -> list[str]:
    """The module's native files, relative to the folder holding the manifest."""
    name = module.registration.name
    files = []
    if module.sources:
        files.append(f"modules/{name}/{args.lib_prefix}{library_target(host.host, name)}{args.lib_suffix}")
    if module.binding_sources:
        files.append(f"modules/{name}/{EXTENSION_NAME}{args.ext_suffix}")
    return files


def _host_modules(host: HostConfig, host_dir: Path | None) -> dict[str, HostModule]:
    """A plugin's view of the installed host: its build manifest's modules."""
    if not host.is_plugin:
        return {}
    from modgate._manifest import read_manifest

    where = f"[tool.modgate] host = {host.host!r}"
    if host_dir is None or not (host_dir / MANIFEST_NAME).is_file():
        raise ConfigurationError(
            [
                Problem(
                    host.path,
                    where,
                    f"the host package {host.host!r} is not installed where this build's Python can import it"
                    + (f" (no {MANIFEST_NAME} in {host_dir})" if host_dir else ""),
                    f"pip install {host.host} into the build environment (list it in [build-system] requires),"
                    " or build with --no-build-isolation where it is installed",
                )
            ]
        )
    data = read_manifest(str(host_dir / MANIFEST_NAME))
    return {
        name: HostModule(host.host, name, entry["state"] == "ON", entry.get("option", name), entry.get("reason", ""))
        for name, entry in data.get("modules", {}).items()
    }


def _python_files(module: ModuleSource, generated_dir: Path | None) -> dict[str, Path]:
    """The module's Python files, by path relative to its install folder."""
    if module.python_dir is None:
        if generated_dir is None:
            return {}
        return {"__init__.py": _generated_init(generated_dir)}
    return _files_below(module.python_dir, lambda file: not file.endswith(_NOT_INSTALLED))


def _files_below(folder: Path, keep: Callable[[str], bool], *, skip: str | None = None) -> dict[str, Path]:
    """The files under ``folder`` whose names ``keep`` accepts, by path relative to it,
    never inside ``__pycache__`` nor inside the top-level folder ``skip``."""
    files = {}
    for current, dirs, names in os.walk(folder):
        top = current == str(folder)
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not (top and d == skip))
        for file in sorted(names):
            if keep(file):
                path = Path(current, file)
                files[path.relative_to(folder).as_posix()] = path
    return files


def _add_module_call(module: ModuleSource, found: Discovery, host: HostConfig, args: argparse.Namespace) -> str:
    """The ``_modgate_add_module`` call that creates one enabled module's targets and install
    rules, with every name and path CMake needs."""
    reg = module.registration
    name = reg.name
    install_dir = module_install_dir(host.package, name)
    # Relative RPATHs keep the wheel relocatable: the runtime in the modgate package (for a
    # plugin: when both share a prefix; the loader also loads the runtime first, which the
    # module then finds by its SONAME), the required modules beside, a plugin's host modules.
    up = "$ORIGIN" + "/.." * len(install_dir.split("/"))
    rpath = ["$ORIGIN", f"{up}/modgate"]
    rpath += [f"$ORIGIN/../{dep}" for dep in requires_closure(found.registrations, name) if dep in found.modules]
    depends = []
    for dep in reg.requires:
        other = found.modules.get(dep)
        if other is not None and other.sources:
            depends.append(library_target(host.host, dep))
        elif other is not None and other.include_dir is not None:
            depends.append(library_target(host.host, dep) + "_headers")
        elif other is None and host.is_plugin:
            depends.append(exported_target(host.host, dep))
            rpath.append(f"{up}/{module_install_dir(host.host, dep)}")
    packages = reg.native.packages if reg.native else ()
    python_dir = module.python_dir.as_posix() if module.python_dir is not None else None
    init = None
    if python_dir is None and args.generated_dir is not None:
        init = _generated_init(args.generated_dir).as_posix()
    return call(
        "_modgate_add_module",
        name,
        INSTALL_DIR=install_dir,
        LIBRARY_TARGET=library_target(host.host, name),
        EXTENSION_TARGET=extension_target(name),
        EXPORTED_TARGET=exported_target(host.package, name),
        INCLUDE_DIR=module.include_dir.as_posix() if module.include_dir is not None else None,
        PYTHON_DIR=python_dir,
        PYTHON_INIT=init,
        SOURCES=[p.as_posix() for p in module.sources],
        BINDING=[p.as_posix() for p in module.binding_sources],
        DEPENDS=depends,
        RPATH=rpath,
        PACKAGES=[":".join((package.name, *package.components)) for package in packages],
    )


def _link(target: Path, link: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.symlink(target, link, target_is_directory=target.is_dir())
    except OSError:  # no symbolic links here: a copy of what exists
        if target.is_dir():
            shutil.copytree(
                target, link, ignore=shutil.ignore_patterns("__pycache__", *(f"*{e}" for e in _NOT_INSTALLED))
            )
        elif target.is_file():
            shutil.copy2(target, link)


def _stage_links(order: Sequence[str], found: Discovery, host: HostConfig, args: argparse.Namespace) -> list[list[str]]:
    """The links that make the build tree an importable package: [target, path relative to
    the stage folder] for the manifest, the enabled modules' Python files and their
    (future) libraries; a pure-Python module is one link to its folder."""
    links = []
    if args.manifest is not None:
        links.append([str(args.manifest), MANIFEST_NAME])
    # The host's own Python files (python/<package>/, as its wheel has them), not its modules/.
    source = args.project_dir.resolve() / "python" / package_path(host.package)
    own = _files_below(source, lambda file: file.endswith((".py", ".pyi")) or file == "py.typed", skip=MODULES_PACKAGE)
    links += [[str(path), relative] for relative, path in own.items()]
    for name in order:
        module = found.modules[name]
        artifacts = _artifacts(module, args, host)
        if not artifacts and module.python_dir is not None:
            links.append([str(module.python_dir), f"{MODULES_PACKAGE}/{name}"])
            continue
        if args.binary_dir is not None:
            links += [[str(args.binary_dir / artifact), artifact] for artifact in artifacts]
        for relative, path in _python_files(module, args.generated_dir).items():
            links.append([str(path), f"{MODULES_PACKAGE}/{name}/{relative}"])
    return links


def _stage(plan: Path) -> str:
    """The ``stage`` stage (a build step): (re)make the build tree's package from the plan
    ``resolve`` wrote, so a module turned off is gone from it. Returns the stamp's text."""
    import json

    data = json.loads(plan.read_text(encoding="utf-8"))
    stage = Path(data["stage"])
    shutil.rmtree(stage / MODULES_PACKAGE, ignore_errors=True)
    for target, relative in data["links"]:
        with contextlib.suppress(FileNotFoundError):
            (stage / relative).unlink()
        _link(Path(target), stage / relative)
    return f"{len(data['links'])} links\n"


def _resolve(args: argparse.Namespace) -> str:
    host = _host(args)
    found = _discover(args, host, scan_files=True)
    regs = found.registrations
    values = _values(args.value)
    requests = build_requests(regs, values, args.all_modules, prefix=host.option_prefix)
    host_modules = _host_modules(host, args.host_dir)
    resolution = resolve(
        regs, requests, _missing(found, args.found), prefix=host.option_prefix, host_modules=host_modules
    )
    base = args.project_dir.resolve()
    used = {dep for name in resolution.order for dep in requires_closure(regs, name)}
    used_host_modules = sorted(used & set(host_modules))
    if args.stage_dir is not None and args.stage_plan is not None:
        import json

        plan = {"stage": str(args.stage_dir), "links": _stage_links(resolution.order, found, host, args)}
        _write_if_changed(args.stage_plan, json.dumps(plan, indent=1) + "\n")
    out = [
        set_list("modgate_ENABLED", resolution.order),
        set_var("modgate_SUMMARY", _summary(found, resolution, host)),
        set_list("modgate_WATCH", [p.as_posix() for p in found.watch]),
        set_var("modgate_HOST_EXPORT_FILE", modules_export_file(host.host) if used_host_modules else ""),
        set_var("modgate_EXPORT_FILE", modules_export_file(host.package)),
        set_var("modgate_EXPORT_INCLUDE_DIR", modules_include_dir(host.package)),
    ]
    deprecations = []
    calls = []
    for name in resolution.order:
        module = found.modules[name]
        reg = module.registration
        calls.append(_add_module_call(module, found, host, args))
        if reg.deprecated is not None:
            gone = reg.deprecated
            text = deprecation_message(
                name, since=gone.since, reason=gone.reason, removal=gone.removal, replacement=gone.replacement
            )
            deprecations.append(f"{text} ({display_path(module.directory / REGISTRATION_FILE, base)})")
    # Generated code, not per-module variables: one call per enabled module, dependencies first.
    out.append(function("_modgate_generated_modules", calls))
    out.append(set_items("modgate_DEPRECATIONS", deprecations))
    if args.guard_dir is not None:
        _write_guards(args.guard_dir, found)
    if args.manifest is not None:
        options = {reg.option_for(host.option_prefix) for reg in regs.values()}
        manifest = build_manifest(
            version=args.version,
            abi_version=args.abi_version,
            registrations=regs,
            resolution=resolution,
            options={k: v for k, v in values.items() if v.strip() and k in options}
            | ({ALL_MODULES: args.all_modules} if args.all_modules.strip() else {}),
            artifacts={name: _artifacts(found.modules[name], args, host) for name in resolution.order},
            sources={name: display_path(m.directory, base) for name, m in found.modules.items()},
            host=host,
        )
        _write_if_changed(args.manifest, dumps(manifest))
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.stage == "stage":
            if args.stage_plan is None:
                raise SystemExit("modgate-configure stage: --stage-plan is required")
            text = _stage(args.stage_plan)
        elif args.project_dir is None:
            raise SystemExit(f"modgate-configure {args.stage}: --project-dir is required")
        else:
            text = _plan(args) if args.stage == "plan" else _resolve(args)
    except ConfigurationError as exc:
        sys.stderr.write(exc.format() + "\n")
        return EXIT_USER_ERROR
    except MissingPackaging as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_USER_ERROR
    except OSError as exc:
        problem = Problem(str(exc.filename or "?"), None, f"cannot read or write: {exc.strerror}", "check the path")
        sys.stderr.write(ConfigurationError([problem]).format() + "\n")
        return EXIT_USER_ERROR
    if args.stage == "stage":
        args.out.write_text(text, encoding="utf-8")  # a stamp: newer than the plan, always
    else:
        _write_if_changed(args.out, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
