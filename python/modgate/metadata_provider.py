"""Pip extras and entry points from the registration files (a dynamic-metadata provider).

scikit-build-core calls it while it builds the wheel's metadata, so nothing about the
modules is written by hand in ``pyproject.toml``; the host's settings are its
``[tool.modgate]``::

    [project]
    dynamic = ["optional-dependencies", "entry-points"]

    [[tool.dynamic-metadata]]
    provider = "modgate"           # from an installed modgate (a build requirement)

    [tool.modgate]
    package = "myproject"          # modules are myproject.modules.<name>

It adds one extra per module that needs Python packages (its own ``python.requires``
and those of every module it requires, so the extra makes the module usable) and the
extra ``all``. A plugin (``[tool.modgate] host = ...``) also gets one entry point
``<name> = "<package>.modules.<name>"`` per module in group ``<host>.modules``: how the
host finds it. A host's own modules get none: the build manifest lists them, with the
state each build gave them. Standard library and packaging only: it runs inside the build backend.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._configure.discovery import discover_project
from ._configure.graph import check_graph, outside_references, requires_closure
from ._configure.host import PYPROJECT, HostConfig, parse_host
from ._configure.problems import ConfigurationError, Problem
from ._configure.registration import Registration
from ._names import ALL_EXTRA, CMAKE_PREFIX_GROUP, entry_point_group, extra_name, module_import_name

__all__ = ["Provider", "derive", "read"]

_KEY = "[[tool.dynamic-metadata]] provider 'modgate'"


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def derive(modules: Mapping[str, Registration], host: HostConfig) -> dict[str, Any]:
    """The ``[project]`` fields the registrations stand for. Pure; ``modules`` is checked."""
    extras: dict[str, list[str]] = {}
    for name in sorted(modules):
        closure = [dep for dep in requires_closure(modules, name) if dep in modules]
        needs = _unique([req for dep in [name, *closure] for req in modules[dep].python_requires])
        if needs:
            extras[extra_name(name)] = needs
    everything = _unique([req for name in sorted(modules) for req in modules[name].python_requires])
    if everything:
        extras[ALL_EXTRA] = everything
    result: dict[str, Any] = {"optional-dependencies": extras, "entry-points": {}}
    if not host.is_plugin:
        # scikit-build-core puts a cmake.prefix entry point's package folder on CMAKE_PREFIX_PATH:
        # a build that needs the installed host (its CMake package, its exported module targets)
        # finds it there, as pybind11's users find pybind11.
        result["entry-points"][CMAKE_PREFIX_GROUP] = {host.package: host.package}
    if host.is_plugin and modules:
        # How the host finds a plugin's modules. A host's own modules have none: its build
        # manifest lists them with the state this build gave them, which metadata written
        # before the build (and identical for every build) cannot.
        entry_points = {name: module_import_name(host.package, name) for name in sorted(modules)}
        result["entry-points"] = {entry_point_group(host.host_package): entry_points}
    return result


def read(settings: Mapping[str, Any], root: Path) -> dict[str, Any]:
    """Read ``[tool.modgate]`` and the registration files under ``root`` and derive the
    fields; raises :class:`ConfigurationError`."""
    if settings:
        moved = ", ".join(f"{key} = {value!r}" for key, value in settings.items())
        raise ConfigurationError(
            [
                Problem(
                    PYPROJECT,
                    f"{_KEY}: {', '.join(settings)}",
                    "the provider takes no settings: a host declares itself once, in [tool.modgate]",
                    f'move them there ([tool.modgate] {moved}) and keep only provider = "modgate"',
                )
            ]
        )
    try:
        data = tomllib.loads((root / PYPROJECT).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError([Problem(PYPROJECT, None, f"cannot read it: {exc}", "fix the file")]) from None
    host = parse_host(data)
    found = discover_project(root, host, with_files=False)
    # A plugin's modules may require its host's: configure checks those against the installed host.
    external = outside_references(found.registrations) if host.is_plugin else ()
    graph = check_graph(found.registrations, external=external)
    if graph:
        raise ConfigurationError(graph)
    return derive(found.registrations, host)


class Provider:
    """The dynamic-metadata 0.3 hooks scikit-build-core calls."""

    @staticmethod
    def dynamic_metadata(settings: Mapping[str, Any], project: Mapping[str, Any]) -> dict[str, Any]:
        try:
            fields = read(settings, Path.cwd())
            missing = sorted(set(fields) - set(project.get("dynamic", ())))
            if missing:
                raise ConfigurationError(
                    [
                        Problem(
                            PYPROJECT,
                            "project.dynamic",
                            f"the modgate provider sets {', '.join(missing)}, which project.dynamic does not list",
                            'write dynamic = ["optional-dependencies", "entry-points", ...]',
                        )
                    ]
                )
        except ConfigurationError as exc:
            # A build backend shows stderr; a traceback would bury the file, the key and the fix.
            sys.stderr.write(exc.format() + "\n")
            raise SystemExit(2) from None
        return fields

    @staticmethod
    def get_requires_for_dynamic_metadata(settings: Mapping[str, Any]) -> list[str]:
        return []
