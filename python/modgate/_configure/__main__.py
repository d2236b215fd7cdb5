"""The generator CMake calls at configure time (``cmake/modgate.cmake``).

Two stages, both stateless (every run re-reads the host's ``pyproject.toml`` and every
registration file):

``plan``
    read ``[tool.modgate]``, validate every registration file and the user's values;
    write the host's names, the CMake options' help text and the external packages to
    look for.
``resolve``
    with what ``find_package`` found, decide every module's state; write the targets to
    create (with every name CMake needs, so it derives none), the summary table, the
    build manifest and the include guards.

A user mistake exits with status 2 and the problems on stderr, never a traceback.
Runs as a script from the source tree (``python -S -E <package>/_configure ...``) before
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
    _package.__path__ = [str(Path(__file__).resolve().parent.parent)]
    sys.modules.setdefault("modgate", _package)
    __package__ = "modgate._configure"

from modgate._configure.cmake_script import set_items, set_list, set_var
from modgate._configure.discovery import Discovery, ModuleSource, discover, display_path
from modgate._configure.host import HostConfig, read_host
from modgate._configure.manifest import build_manifest, dumps
from modgate._configure.problems import ConfigurationError, Problem
from modgate._configure.registration import Registration
from modgate._configure.resolver import HostModule, Resolution, build_requests, requires_closure, resolve
from modgate._names import (
    ALL_MODULES,
    EXTENSION_NAME,
    EXTRA_MODULE_DIRS,
    MANIFEST_NAME,
    REGISTRATION_FILE,
    exported_target,
    extension_target,
    library_target,
    module_import_name,
    module_install_dir,
    modules_export_file,
    modules_include_dir,
    package_path,
)
from modgate.exceptions import deprecation_message
from modgate.table import state_table

EXIT_USER_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="modgate-configure", description=__doc__)
    parser.add_argument("stage", choices=("plan", "resolve"))
    parser.add_argument("--project-dir", type=Path, required=True, help="the folder of the host's pyproject.toml")
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


def _discover(args: argparse.Namespace, host: HostConfig, *, scan_files: bool) -> Discovery:
    base = args.project_dir.resolve()
    extra = [Path(p) for p in args.extra_dirs.split(";") if p.strip()]
    extra = [p if p.is_absolute() else base / p for p in extra]
    # A modules folder of the host's may be gone (every module removed): the core alone.
    roots = [base / d for d in host.modules_dirs]
    return discover(
        [r.resolve() for r in roots if r.is_dir()] + extra,
        host=host.host,
        base=base,
        extra_origin=EXTRA_MODULE_DIRS,
        scan_files=scan_files,
    )


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
    out.append(set_items("modgate_WARNINGS", found.warnings))
    for name in sorted(regs):
        reg = regs[name]
        prefix = f"modgate_module_{name}"
        out.append(set_var(f"{prefix}_OPTION", reg.option_for(host.option_prefix)))
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


def _generated_init(generated_dir: Path, module: ModuleSource) -> Path:
    reg = module.registration
    text = f"__doc__ = {reg.name + ': ' + reg.summary!r}\n"
    path = generated_dir / reg.name / "__init__.py"
    _write_if_changed(path, text)
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
    out = [
        set_list("modgate_ENABLED", resolution.order),
        set_var("modgate_SUMMARY", _summary(found, resolution, host)),
        set_list("modgate_WATCH", [p.as_posix() for p in found.watch]),
        set_list("modgate_HOST_MODULES", used_host_modules),
        set_var("modgate_HOST_EXPORT_FILE", modules_export_file(host.host)),
        set_var("modgate_EXPORT_FILE", modules_export_file(host.package)),
        set_var("modgate_EXPORT_INCLUDE_DIR", modules_include_dir(host.package)),
    ]
    for dep in used_host_modules:
        out.append(set_var(f"modgate_host_module_{dep}_TARGET", exported_target(host.host, dep)))
        out.append(set_var(f"modgate_host_module_{dep}_DIR", module_install_dir(host.host, dep)))
    deprecations = []
    for name in resolution.order:
        module = found.modules[name]
        reg = module.registration
        prefix = f"modgate_module_{name}"
        out.append(set_var(f"{prefix}_DIR", module.directory.as_posix()))
        out.append(set_var(f"{prefix}_LIBRARY_TARGET", library_target(host.host, name)))
        out.append(set_var(f"{prefix}_EXTENSION_TARGET", extension_target(name)))
        out.append(set_var(f"{prefix}_EXPORTED_TARGET", exported_target(host.package, name)))
        out.append(set_var(f"{prefix}_INSTALL_DIR", module_install_dir(host.package, name)))
        out.append(set_var(f"{prefix}_IMPORT_NAME", module_import_name(host.host, name)))
        out.append(set_list(f"{prefix}_SOURCES", [p.as_posix() for p in module.sources]))
        out.append(set_list(f"{prefix}_BINDING", [p.as_posix() for p in module.binding_sources]))
        include = module.include_dir
        out.append(set_var(f"{prefix}_INCLUDE_DIR", include.as_posix() if include else ""))
        out.append(set_list(f"{prefix}_REQUIRES", [dep for dep in reg.requires if dep in regs]))
        out.append(set_list(f"{prefix}_HOST_REQUIRES", [dep for dep in reg.requires if dep in host_modules]))
        out.append(set_list(f"{prefix}_REQUIRES_CLOSURE", [d for d in requires_closure(regs, name) if d in regs]))
        packages = reg.native.packages if reg.native else ()
        out.append(set_list(f"{prefix}_PACKAGES", [str(i) for i in range(len(packages))]))
        out.append(set_list(f"{prefix}_ARTIFACTS", _artifacts(module, args, host)))
        if module.python_dir is not None:
            out.append(set_var(f"{prefix}_PYTHON_DIR", module.python_dir.as_posix()))
        elif args.generated_dir is not None:
            out.append(set_var(f"{prefix}_PYTHON_INIT", _generated_init(args.generated_dir, module).as_posix()))
        if reg.deprecated is not None:
            gone = reg.deprecated
            text = deprecation_message(
                name, since=gone.since, reason=gone.reason, removal=gone.removal, replacement=gone.replacement
            )
            deprecations.append(f"{text} ({display_path(module.directory / REGISTRATION_FILE, base)})")
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
        text = _plan(args) if args.stage == "plan" else _resolve(args)
    except ConfigurationError as exc:
        sys.stderr.write(exc.format() + "\n")
        return EXIT_USER_ERROR
    except OSError as exc:
        problem = Problem(str(exc.filename or "?"), None, f"cannot read or write: {exc.strerror}", "check the path")
        sys.stderr.write(ConfigurationError([problem]).format() + "\n")
        return EXIT_USER_ERROR
    _write_if_changed(args.out, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
