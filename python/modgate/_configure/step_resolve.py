"""The ``resolve`` step: with what ``find_package`` found, decide every module's state and
write what the build needs.

Writes one ``_modgate_add_module`` call per enabled module (with every name CMake needs,
so it derives none), the summary table, the build manifest, the include guards and the
list of links that makes the build tree an importable package.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .._names import (
    ALL_MODULES,
    EXTENSION_NAME,
    MANIFEST_NAME,
    MODULE_RECORD_NAME,
    MODULE_WHEELS_RECORD,
    MODULE_WHEELS_VARIABLE,
    MODULES_PACKAGE,
    REGISTRATION_FILE,
    entry_point_group,
    exported_target,
    extension_target,
    have_definition,
    headers_target,
    install_component,
    library_target,
    module_build_dir,
    module_export_file,
    module_import_name,
    module_install_dir,
    module_record,
    modules_export_file,
    modules_include_dir,
    shared_export_file,
)
from .._table import capability_table, group_table, state_table
from ..exceptions import deprecation_message
from . import build_tree
from .cmake_script import bracket, call, function, set_items, set_list, set_var
from .discovery import Discovery, ModuleSource, display_path
from .files import imported_sources, write_if_changed
from .graph import requires_closure
from .guards import guard_folder, write_guards
from .host import HostConfig
from .manifest import build_manifest, capability_entries, dumps, dumps_record
from .problems import ConfigurationError, Problem
from .registration import Registration
from .request import Capability, group_members, host_options
from .resolver import HostModule, Resolution, decide

__all__ = ["Outputs", "resolve_step"]


@dataclass(frozen=True)
class Outputs:
    """Where the resolve step writes, and the platform's file names, as CMake gives them."""

    binary_dir: Path | None = None  # CMake's binary folder, where the libraries are built
    manifest: Path | None = None
    guard_dir: Path | None = None
    generated_dir: Path | None = None
    package_dir: Path | None = None  # the build tree's importable package folder
    links: Path | None = None  # the link step's list
    version: str = "0+unknown"
    abi_version: int = 0
    lib_prefix: str = "lib"
    lib_suffix: str = ".so"
    ext_suffix: str = ".so"
    module_wheels: Path | None = None  # set: each module ships in a wheel of its own, staged here


def _missing(found: Discovery, results: dict[str, str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per module, the packages ``find_package`` did not find, and those whose CMake config
    failed when probed (``results``: ``<module>:<index>`` -> 1, 0 or ``error:<what CMake said>``)."""
    missing: dict[str, list[str]] = {}
    failed: dict[str, list[str]] = {}
    for name, module in found.modules.items():
        native = module.registration.native
        for index, package in enumerate(native.packages if native else ()):
            result = results.get(f"{name}:{index}", "1")
            if result.startswith("error:"):
                failed.setdefault(name, []).append(f"{package.describe()}: {result.removeprefix('error:')}")
            elif result in ("0", ""):
                missing.setdefault(name, []).append(package.describe())
    return missing, failed


def _summary(
    found: Discovery,
    resolution: Resolution,
    config: HostConfig,
    groups: dict[str, str],
    values: dict[str, str],
    provided: dict[str, Capability],
) -> str:
    rows = []
    for state in resolution.states:
        reg = found.modules[state.name].registration
        rows.append((state.name, "ON" if state.enabled else "OFF", reg.stage, reg.deprecated is not None, state.reason))
    head = f"modgate ({config.package}): {len(resolution.states)} modules, {len(resolution.order)} enabled"
    members = group_members(found.registrations)
    table = group_table({g: (option, values.get(option, ""), members[g]) for g, option in groups.items()}, indent="  ")
    chosen = capability_table(capability_entries(provided, values, resolution.order), indent="  ")
    return head + "\n" + "\n".join(t for t in (state_table(rows, indent="  "), table, chosen) if t)


def _artifacts(module: ModuleSource, config: HostConfig, out: Outputs) -> list[str]:
    """The module's native file names (its library, its extension)."""
    name = module.registration.name
    files = []
    if module.sources:
        files.append(f"{out.lib_prefix}{library_target(config.host_package, name)}{out.lib_suffix}")
    if module.binding_sources:
        files.append(f"{EXTENSION_NAME}{out.ext_suffix}")
    return files


def installed_host(config: HostConfig, host_dir: Path | None) -> tuple[dict[str, HostModule], frozenset[str]]:
    """A plugin's view of the installed host, from its build manifest (read once): its
    modules, and its capabilities of policy any (a plugin's provider of one is chosen at
    run time among the host's, as the host's are)."""
    if not config.is_plugin:
        return {}, frozenset()
    from .._manifest import read_manifest

    host = config.host_package
    if host_dir is None or not (host_dir / MANIFEST_NAME).is_file():
        raise ConfigurationError(
            [
                Problem(
                    config.path,
                    f"[tool.modgate] host = {host!r}",
                    f"the host package {host!r} is not installed where this build's Python can import it"
                    + (f" (no {MANIFEST_NAME} in {host_dir})" if host_dir else ""),
                    f"pip install {host} into the build environment (list it in [build-system] requires),"
                    " or build with --no-build-isolation where it is installed",
                )
            ]
        )
    data = read_manifest(str(host_dir / MANIFEST_NAME))
    found = {}
    for name, entry in data.get("modules", {}).items():
        enabled = entry["state"] == "ON"
        # Shipped in a wheel of its own: there only when that wheel is installed.
        absent = bool(entry.get("wheel")) and not (host_dir / module_record(name)).is_file()
        wheel = str(entry["wheel"]) if enabled and absent else ""
        found[name] = HostModule(
            host, name, enabled and not wheel, entry.get("option", name), entry.get("reason", ""), wheel=wheel
        )
    capabilities = data.get("capabilities") or {}
    return found, frozenset(name for name, entry in capabilities.items() if entry.get("policy") == "any")


def _record_file(out: Outputs, name: str) -> Path | None:
    """The ``_module.json`` a module wheel installs beside the module (a wheels build only)."""
    if out.module_wheels is None or out.generated_dir is None:
        return None
    return out.generated_dir / "records" / name / MODULE_RECORD_NAME


def _links(reg: Registration, present: frozenset[str]) -> list[str]:
    """What ``reg``'s module links and sees: its requirements, and the optional ones present."""
    return [*reg.requires, *(dep for dep in reg.optional_requires if dep in present)]


def _add_module_call(
    module: ModuleSource,
    found: Discovery,
    config: HostConfig,
    out: Outputs,
    present: frozenset[str],
    export: tuple[str, str | None],
    run_time: frozenset[str] = frozenset(),
) -> str:
    """The ``_modgate_add_module`` call that creates one enabled module's targets and install
    rules, with every name and path CMake needs. ``present``: the modules enabled in this
    build (and a plugin's host's), which decide its optional requirements; ``export``: the
    export set its targets join, and the file to install that set as when this call is the
    one to install it (see :func:`_exports`); ``run_time``: a plugin's installed host's
    capabilities of policy any (this host's own are ``config``'s), whose providers are
    chosen at run time."""
    reg = module.registration
    name = reg.name
    host = config.host_package
    install_dir = module_install_dir(config.package, name)
    # Relative RPATHs keep the wheel relocatable: the runtime in the modgate package (for a
    # plugin: when both share a prefix; the loader also loads the runtime first, which the
    # module then finds by its SONAME), the required modules beside, a plugin's host modules.
    up = "$ORIGIN" + "/.." * len(install_dir.split("/"))
    rpath = ["$ORIGIN", f"{up}/modgate"]
    linked = _links(reg, present)
    reach = sorted({d for dep in linked for d in (dep, *_closure(found.registrations, dep))})
    rpath += [f"$ORIGIN/../{dep}" for dep in reach if dep in found.modules]
    depends = []
    for dep in linked:
        other = found.modules.get(dep)
        if other is not None and other.sources:
            depends.append(library_target(host, dep))
        elif other is not None and other.include_dir is not None:
            depends.append(headers_target(host, dep))
        elif other is None and config.is_plugin:
            depends.append(exported_target(host, dep))
            rpath.append(f"{up}/{module_install_dir(host, dep)}")
    packages = reg.native.packages if reg.native else ()
    python_dir = module.python_dir.as_posix() if module.python_dir is not None else None
    init = None
    if python_dir is None and out.generated_dir is not None:
        init = build_tree.generated_init(out.generated_dir).as_posix()
    return call(
        "_modgate_add_module",
        name,
        flags=("EXCLUDE_FROM_ALL",) if out.module_wheels is not None else (),
        INSTALL_DIR=install_dir,
        OUTPUT_DIR=module_build_dir(name),
        LIBRARY_TARGET=library_target(host, name),
        HEADERS_TARGET=headers_target(host, name),
        EXTENSION_TARGET=extension_target(name),
        EXPORTED_TARGET=exported_target(config.package, name),
        MODULE_DIR=module.directory.absolute().as_posix(),
        INCLUDE_DIR=module.include_dir.as_posix() if module.include_dir is not None else None,
        PYTHON_DIR=python_dir,
        PYTHON_INIT=init,
        SOURCES=[p.as_posix() for p in module.sources],
        BINDING=[p.as_posix() for p in module.binding_sources],
        DEPENDS=depends,
        RPATH=rpath,
        PACKAGES=[":".join((package.name, *package.components)) for package in packages],
        LINK=[f"{package.name}={target}" for package in packages for target in package.targets],
        CMAKE_FILE=module.cmake_file.as_posix() if module.cmake_file is not None else None,
        REGISTRATION=reg.path,
        COMPONENT=install_component(name),
        EXPORT_SET=export[0],
        EXPORT_FILE=export[1],
        RECORD=record.as_posix() if (record := _record_file(out, name)) is not None else None,
        DEFINITIONS=[
            *(f"{have_definition(dep)}={int(dep in present)}" for dep in reg.optional_requires),
            # A provider's functions are registered under its capability's name too.
            # Under policy any the run-time choice maps the capability's name to the provider.
            *(
                [f'MODGATE_MODULE_PROVIDES="{reg.provides}"']
                if reg.provides and not config.chosen_at_run_time(reg.provides) and reg.provides not in run_time
                else []
            ),
        ],
    )


def _closure(modules: dict[str, Registration], name: str) -> list[str]:
    """What ``name`` requires, directly or not (none for a module of a plugin's host)."""
    return requires_closure(modules, name) if name in modules else []


def _exported(module: ModuleSource) -> bool:
    """Whether the module has targets a plugin can import (a library, or public headers)."""
    return bool(module.sources) or module.include_dir is not None


def _exports(
    order: tuple[str, ...], found: Discovery, config: HostConfig, out: Outputs
) -> dict[str, tuple[str, str | None]]:
    """Per enabled module: the export set its targets join, and the file that set installs
    as, given to the one module whose call installs it. Module wheels need an export set
    and file per module (each wheel brings its own); a build into one wheel shares one set,
    since CMake writes two files per export set at every generate."""
    exported = [name for name in order if _exported(found.modules[name])]
    if out.module_wheels is not None:
        return {
            name: (f"_modgate_module_{name}_targets", module_export_file(config.package, name)) for name in exported
        }
    return {
        name: ("_modgate_modules_targets", shared_export_file(config.package) if i == 0 else None)
        for i, name in enumerate(exported)
    }


def _export_index(exports: dict[str, tuple[str, str | None]], config: HostConfig) -> str:
    """``<package>ModuleTargets.cmake``: includes the export file of each module that is
    installed, dependencies first (a module wheel brings its own file), or the one file of
    a build into one wheel; ``exports`` is :func:`_exports`'."""
    lines = [
        f"# The targets of {config.package}'s modules that are installed here (with {config.package}, or each"
        " from its own wheel),\n# dependencies first. Written by modgate's resolve step.\n"
    ]
    for _set, file in exports.values():
        if file is not None:
            path = "${CMAKE_CURRENT_LIST_DIR}/" + Path(file).name
            lines.append(f'if(EXISTS "{path}")\n  include("{path}")\nendif()\n')
    return "".join(lines)


def build_identity(version: str, options: Mapping[str, str], environ: Mapping[str, str]) -> str:
    """Which build made a set of module wheels and their core: the loader refuses a module
    wheel whose identity is not its core's, since two builds of one version (a static
    version, a rebuild) may hold different native code. New at each configure; derived
    from the version, the options and ``SOURCE_DATE_EPOCH`` when that is set, so that a
    reproducible build stays reproducible."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return uuid.uuid4().hex[:16]
    text = json.dumps([version, epoch, sorted(options.items())])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _module_record(name: str, config: HostConfig, out: Outputs, build: str) -> dict[str, object]:
    """A module wheel's ``_module.json``: which module it holds and which core it was built
    with (the loader refuses it, before loading anything, in another core)."""
    return {
        "schema": 1,
        "module": name,
        "package": config.package,
        "distribution": config.distribution_of(name),
        "core": config.distribution_name,
        "version": out.version,
        "abi_version": out.abi_version,
        "build": build,
    }


def _wheels_record(
    order: tuple[str, ...],
    found: Discovery,
    config: HostConfig,
    out: Outputs,
    artifacts: dict[str, list[str]],
    present: frozenset[str],
) -> dict[str, object]:
    """What ``modgate wheels`` needs to write each enabled module's wheel: its distribution,
    what it requires, whether it is native, its install component and entry point."""
    modules: dict[str, object] = {}
    for name in order:
        reg = found.modules[name].registration
        modules[name] = {
            "distribution": config.distribution_of(name),
            "summary": reg.summary,
            # A present optional requirement is linked: the wheel needs it as it needs a requirement.
            "requires": [config.distribution_of(dep) for dep in _links(reg, present) if dep in found.modules],
            "python_requires": list(reg.python_requires),
            "native": bool(artifacts[name]),
            # The module's own shared library (not its extension): what no other wheel may copy.
            "libraries": [file for file in artifacts[name] if not file.startswith(EXTENSION_NAME)],
            "option": reg.option_for(config.option_prefix),
            "component": install_component(name),
            "entry_point": {
                "group": entry_point_group(config.host_package),
                "name": name,
                "value": module_import_name(config.package, name),
            },
            "registration": reg.path,
            "maintainers": list(reg.maintainers),
            "license": reg.license,
            # The module's own license texts, for its wheel's <dist-info>/licenses/ (PEP 639).
            "license_files": {
                f.relative_to(found.modules[name].directory).as_posix(): f.as_posix()
                for f in found.modules[name].license_files
            },
        }
    return {
        "schema": 1,
        "package": config.package,
        "distribution": config.distribution_name,
        "version": out.version,
        "abi_version": out.abi_version,
        "binary_dir": out.binary_dir.as_posix() if out.binary_dir is not None else "",
        "modules": modules,
    }


def _stage_script(order: tuple[str, ...], out: Outputs, record: Path) -> str:
    """The install script of a build shipping modules as wheels: the host's own install
    installs each module's component into ``<stage>/modules/<name>`` for its wheel."""
    assert out.module_wheels is not None and out.binary_dir is not None
    stage = out.module_wheels.as_posix()
    lines = [
        "# Written by modgate's resolve step. Run by the host's install: each enabled module's install\n"
        "# component goes to <stage>/modules/<name>, for its own wheel (`modgate wheels`).\n",
        f"file(REMOVE_RECURSE {bracket(stage + '/modules')})\n",
        "set(_modgate_stage_config)\nif(CMAKE_INSTALL_CONFIG_NAME)\n"
        '  set(_modgate_stage_config --config "${CMAKE_INSTALL_CONFIG_NAME}")\nendif()\n',
    ]
    for name in order:
        lines.append(
            f'execute_process(COMMAND "${{CMAKE_COMMAND}}" --install {bracket(out.binary_dir.as_posix())}'
            f" --component {bracket(install_component(name))} --prefix {bracket(f'{stage}/modules/{name}')}"
            " ${_modgate_stage_config} OUTPUT_QUIET RESULT_VARIABLE _modgate_stage_rc)\n"
            "if(NOT _modgate_stage_rc EQUAL 0)\n"
            f"  message(FATAL_ERROR {bracket(f'modgate: staging module {name!r} for its wheel failed')})\n"
            "endif()\n"
        )
    lines.append(f"file(COPY {bracket(record.as_posix())} DESTINATION {bracket(stage)})\n")
    return "".join(lines)


def _license_notes(manifest: dict[str, object], config: HostConfig, out: Outputs) -> list[str]:
    """A build shipping its modules in the host's one wheel, whose modules bring licenses
    besides the host's: that wheel's ``License-Expression`` is ``[project] license``, written
    before configure decides which modules are in it, so it says less than the build holds."""
    built, core = manifest.get("license"), manifest.get("core_license")
    if out.module_wheels is not None or not core or built in (None, core):
        return []
    return [
        f"the wheel's License-Expression is {config.path}'s [project] license, {core!r}, but the modules built"
        f" into it make {built!r} (the manifest's license, and `modgate sbom`, say so): write that as the"
        " license, or ship the modules as wheels of their own (`modgate wheels`), each with its own license"
    ]


def _deprecations(order: tuple[str, ...], found: Discovery, base: Path) -> list[str]:
    texts = []
    for name in order:
        module = found.modules[name]
        gone = module.registration.deprecated
        if gone is not None:
            text = deprecation_message(
                name, since=gone.since, reason=gone.reason, removal=gone.removal, replacement=gone.replacement
            )
            texts.append(f"{text} ({display_path(module.directory / REGISTRATION_FILE, base)})")
    return texts


def resolve_step(
    config: HostConfig,
    found: Discovery,
    values: dict[str, str],
    all_modules: str,
    found_packages: dict[str, str],
    *,
    project_dir: Path,
    host_dir: Path | None,
    out: Outputs,
) -> str:
    """The resolve step's CMake script; writes the manifest, guards and links on the way."""
    regs = found.registrations
    hosted = host_options(regs, config)
    groups = hosted.groups
    from_host, host_run_time = installed_host(config, host_dir)
    missing, failed = _missing(found, found_packages)
    _requests, resolution = decide(
        regs,
        values,
        all_modules,
        hosted,
        prefix=config.option_prefix,
        missing_packages=missing,
        failed_packages=failed,
        host_modules=from_host,
    )
    present = frozenset(resolution.order) | {name for name, module in from_host.items() if module.enabled}
    used = {d for name in resolution.order for dep in _links(regs[name], present) for d in (dep, *_closure(regs, dep))}
    # Each enabled module's native files: their names, and where they install (under the package).
    artifacts = {name: _artifacts(found.modules[name], config, out) for name in resolution.order}
    installed = {name: [f"{MODULES_PACKAGE}/{name}/{file}" for file in files] for name, files in artifacts.items()}
    if out.package_dir is not None and out.links is not None:
        built: dict[str, dict[str, Path]] = {}
        if out.binary_dir is not None:
            for name, files in artifacts.items():
                folder = out.binary_dir / module_build_dir(name)
                built[name] = dict(zip(installed[name], (folder / file for file in files), strict=True))
                record = _record_file(out, name)
                if record is not None:  # a wheels build: the build tree has each module's record too
                    built[name][module_record(name)] = record
        links = build_tree.links(
            resolution.order,
            found,
            package=config.package,
            project_dir=project_dir,
            manifest=out.manifest,
            built=built,
            generated_dir=out.generated_dir,
        )
        build_tree.write_links(out.links, out.package_dir, links)
    if out.module_wheels is not None and config.is_plugin:
        raise ConfigurationError(
            [
                Problem(
                    config.path,
                    "[tool.modgate] host",
                    f"a plugin ships as one distribution, so its modules cannot have wheels of their own"
                    f" ({MODULE_WHEELS_VARIABLE} is set)",
                    f"build it with `pip wheel .`, without {MODULE_WHEELS_VARIABLE}",
                )
            ]
        )
    wheels = {name: config.distribution_of(name) for name in resolution.order} if out.module_wheels else None
    script = [
        set_list("modgate_ENABLED", resolution.order),
        set_var("modgate_SUMMARY", _summary(found, resolution, config, groups, values, hosted.provided)),
        set_list("modgate_WATCH", [p.as_posix() for p in found.watch]),
        # What re-runs configure besides the inputs: the modgate code these steps ran.
        set_list("modgate_CONFIGURE_SOURCES", [p.as_posix() for p in imported_sources()]),
        set_var("modgate_HOST_EXPORT_FILE", modules_export_file(config.host_package) if used & set(from_host) else ""),
        set_var("modgate_EXPORT_FILE", modules_export_file(config.package)),
        set_var("modgate_EXPORT_INCLUDE_DIR", modules_include_dir(config.package)),
    ]
    exports = _exports(resolution.order, found, config, out)
    build = build_identity(out.version, values, os.environ)
    if out.generated_dir is not None:
        index = out.generated_dir / Path(modules_export_file(config.package)).name
        write_if_changed(index, _export_index(exports, config))
        script.append(set_var("modgate_EXPORT_INDEX", index.as_posix()))
        stage_script = ""
        if out.module_wheels is not None:
            for name in resolution.order:
                record_file = _record_file(out, name)
                assert record_file is not None
                record_file.parent.mkdir(parents=True, exist_ok=True)
                write_if_changed(record_file, dumps_record(_module_record(name, config, out, build)))
            record = out.generated_dir / MODULE_WHEELS_RECORD
            write_if_changed(
                record, dumps_record(_wheels_record(resolution.order, found, config, out, artifacts, present))
            )
            stage = out.generated_dir / "stage.cmake"
            write_if_changed(stage, _stage_script(resolution.order, out, record))
            stage_script = stage.as_posix()
        script.append(set_var("modgate_STAGE_SCRIPT", stage_script))
    if out.guard_dir is not None:
        write_guards(out.guard_dir, found)
        script += [set_var("modgate_GUARD_DIR", guard_folder(out.guard_dir).as_posix())]
    # Generated code, not per-module variables: one call per enabled module, dependencies first.
    calls = [
        _add_module_call(found.modules[name], found, config, out, present, exports.get(name, ("", None)), host_run_time)
        for name in resolution.order
    ]
    script.append(function("_modgate_generated_modules", calls))
    script.append(set_items("modgate_DEPRECATIONS", _deprecations(resolution.order, found, project_dir)))
    if out.manifest is not None:
        options = {reg.option_for(config.option_prefix) for reg in regs.values()} | set(groups.values())
        options |= {capability.option for capability in hosted.provided.values()}
        manifest = build_manifest(
            version=out.version,
            abi_version=out.abi_version,
            registrations=regs,
            resolution=resolution,
            options={k: v for k, v in values.items() if v.strip() and k in options}
            | ({ALL_MODULES: all_modules} if all_modules.strip() else {}),
            artifacts=installed,
            sources={name: display_path(m.directory, project_dir) for name, m in found.modules.items()},
            config=config,
            wheels=wheels,
            groups=groups,
            present=present,
            capabilities=capability_entries(hosted.provided, values, resolution.order, hosted.run_time),
            license_files={
                name: [f.relative_to(m.directory).as_posix() for m in [found.modules[name]] for f in m.license_files]
                for name in found.modules
            },
            build=build if out.module_wheels is not None else None,
        )
        write_if_changed(out.manifest, dumps(manifest))
        script.append(set_items("modgate_LICENSE_NOTES", _license_notes(manifest, config, out)))
    return "".join(script)
