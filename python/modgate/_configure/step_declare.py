"""The ``declare`` step: what CMake declares before it looks for anything.

Reads ``[tool.modgate]`` and every registration file (not the module folders: ``resolve``
walks those once), checks the user's values, and writes the host's names and two
generated CMake functions: one declaring every module's cache option, one calling
``find_package`` for the external packages of every module that is not ``OFF``.
"""

from __future__ import annotations

from pathlib import Path

from .._names import (
    ALL_MODULES,
    EXTENSION_NAME,
    MANIFEST_NAME,
    MODULE_VALUES,
    MODULE_WHEELS_VARIABLE,
    NO_PROVIDER,
    package_path,
)
from .cmake_script import call, function, set_items, set_list, set_var
from .discovery import Discovery
from .graph import soft_references
from .host import HostConfig
from .problems import ConfigurationError
from .project import project_version
from .registration import Registration
from .request import VALUES_TEXT, Capability, group_members, host_options
from .resolver import decide

__all__ = ["declare"]


def _help(reg: Registration) -> str:
    text = f"{reg.summary} [{VALUES_TEXT}; unset: its groups', {ALL_MODULES} or the default, {reg.default}]"
    if reg.deprecated is not None:
        text = "DEPRECATED: " + text
    return text


def _group_help(group: str, members: list[str], summary: str) -> str:
    shown = ", ".join(members[:6]) + (f" and {len(members) - 6} more" if len(members) > 6 else "")
    what = f"{summary}: " if summary else ""
    return (
        f"Group {group!r}: {what}sets {shown} where their own option is unset"
        f" [{VALUES_TEXT}; unset: each member's own setting, {ALL_MODULES} or default]"
    )


def _capability_help(capability: Capability, summary: str) -> str:
    what = f"{summary}: " if summary else ""
    unset = f"unset: {capability.default}" if capability.default else "unset: each provider's own setting"
    return (
        f"Capability {capability.name!r}: {what}the provider to build ({capability.policy})"
        f" [{capability.choices()}; {unset}]"
    )


def declare(
    config: HostConfig,
    found: Discovery,
    values: dict[str, str],
    all_modules: str,
    *,
    project_dir: Path | None = None,
) -> str:
    """The declare step's CMake script. With ``project_dir``, the host's version is worked
    out too (``modgate_PROJECT_VERSION``), for a build pip does not give one."""
    regs = found.registrations
    hosted = host_options(regs, config)
    groups = hosted.groups
    try:
        requests = hosted.requests(regs, values, all_modules, prefix=config.option_prefix, origin="CMake cache")
    except ConfigurationError:
        # Refused: decide it whole (every package assumed found), so the error lists what
        # resolve would refuse too and ends with one fix for all of it. (A plugin's modules
        # may require its host's, which only the resolve step reads.)
        if not config.is_plugin:
            decide(regs, values, all_modules, hosted, prefix=config.option_prefix)
        raise
    module_options = [reg.option_for(config.option_prefix) for reg in regs.values()]
    choosers = [capability.option for capability in hosted.provided.values()]
    out = [
        set_var("modgate_PACKAGE", config.package),
        set_var("modgate_HOST", config.host_package),
        set_var("modgate_OPTION_PREFIX", config.option_prefix),
        set_var("modgate_INSTALL_DIR", package_path(config.package)),
        set_var("modgate_MANIFEST_NAME", MANIFEST_NAME),
        set_var("modgate_EXTENSION_NAME", EXTENSION_NAME),
        set_var("modgate_MODULE_WHEELS_VARIABLE", MODULE_WHEELS_VARIABLE),
        set_list("modgate_KNOWN", sorted(regs)),
        set_list("modgate_VALUES", MODULE_VALUES),
        set_list("modgate_OPTIONS", sorted([*module_options, *groups.values(), *choosers])),
    ]
    warnings = list(found.warnings)
    if not config.is_plugin:  # a plugin's names of its host's modules are checked against the host, later
        warnings += [f"{p.file}: {p.key}: {p.message}\n    fix: {p.fix}" for p in soft_references(regs)]
    if project_dir is not None:
        own_version, why = project_version(project_dir)
        out.append(set_var("modgate_PROJECT_VERSION", own_version))
        warnings += [why] if why else []
    out.append(set_items("modgate_WARNINGS", warnings))
    options = []
    finds = []
    for name in sorted(regs):
        reg = regs[name]
        options.append(call("_modgate_declare_option", reg.option_for(config.option_prefix), _help(reg)))
        packages = reg.native.packages if reg.native and requests[name].value != "OFF" else ()
        for index, package in enumerate(packages):
            finds.append(call("_modgate_find", f"{name}:{index}", *package.find_arguments()))
    for group, members in group_members(regs).items():
        options.append(
            call("_modgate_declare_option", groups[group], _group_help(group, members, config.group_summary(group)))
        )
    for capability in hosted.provided.values():
        options.append(
            call(
                "_modgate_declare_option",
                capability.option,
                _capability_help(capability, config.capability_summary(capability.name)),
                CHOICES=[*capability.providers, *([] if capability.exactly_one else [NO_PROVIDER])],
            )
        )
    # Generated code, not per-module variables: CMake runs these once each.
    out.append(function("_modgate_generated_options", options))
    out.append(function("_modgate_generated_find", finds, macro=True))
    return "".join(out)
