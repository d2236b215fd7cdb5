"""Pip extras and entry points from the registration files (a dynamic-metadata provider).

scikit-build-core calls it while it builds the wheel's metadata, so nothing about the
modules is written by hand in ``pyproject.toml``::

    [project]
    dynamic = ["optional-dependencies", "entry-points"]

    [[tool.dynamic-metadata]]
    provider = "modgate"           # from an installed modgate (a build requirement)
    modules-dirs = ["modules"]     # optional; the default
    package = "myproject"          # optional; the package the modules install into

It adds one extra per module that needs Python packages (its own ``python.requires``
and those of every module it requires, so the extra makes the module usable), the extra
``all``, and one entry point ``<name> = "<package>.modules.<name>"`` per module in group
``modgate.modules``. Standard library only: it runs inside the build backend.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .discovery import discover
from .errors import ModgateError, Problem, suggest
from .registration import Registration, extra_name
from .resolver import check_graph, requires_closure

__all__ = ["ENTRY_POINT_GROUP", "Provider", "derive", "extra_name"]

ENTRY_POINT_GROUP = "modgate.modules"
ALL_EXTRA = "all"
_SETTINGS = ("modules-dirs", "package")
_WHERE = "pyproject.toml"
_KEY = "[[tool.dynamic-metadata]] provider 'modgate'"
_PACKAGE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def derive(modules: Mapping[str, Registration], package: str) -> dict[str, Any]:
    """The ``[project]`` fields the registrations stand for. Pure; ``modules`` is checked."""
    extras: dict[str, list[str]] = {}
    for name in sorted(modules):
        needs = _unique(
            [req for dep in [name, *requires_closure(modules, name)] for req in modules[dep].python_requires]
        )
        if needs:
            extras[extra_name(name)] = needs
    everything = _unique([req for name in sorted(modules) for req in modules[name].python_requires])
    if everything:
        extras[ALL_EXTRA] = everything
    entry_points = {name: f"{package}.modules.{name}" for name in sorted(modules)}
    result: dict[str, Any] = {"optional-dependencies": extras}
    if entry_points:
        result["entry-points"] = {ENTRY_POINT_GROUP: entry_points}
    return result


def _settings_problems(settings: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for key in settings:
        if key not in _SETTINGS:
            problems.append(
                Problem(
                    _WHERE,
                    f"{_KEY}: {key}",
                    f"unknown setting {key!r}{suggest(key, _SETTINGS)}",
                    "use only " + ", ".join(_SETTINGS),
                )
            )
    dirs = settings.get("modules-dirs", ["modules"])
    if not (isinstance(dirs, list) and dirs and all(isinstance(d, str) and d for d in dirs)):
        problems.append(
            Problem(
                _WHERE,
                f"{_KEY}: modules-dirs",
                f"must be a non-empty array of folder names, not {dirs!r}",
                'write modules-dirs = ["modules"]',
            )
        )
    package = settings.get("package")
    if package is not None and not (isinstance(package, str) and _PACKAGE_RE.match(package)):
        problems.append(
            Problem(
                _WHERE,
                f"{_KEY}: package",
                f"must be an importable package name, not {package!r}",
                'write the package the modules install into, e.g. package = "myproject"',
            )
        )
    return problems


def read(settings: Mapping[str, Any], project: Mapping[str, Any], root: Path) -> dict[str, Any]:
    """Read the registration files under ``root`` and derive the fields; raises :class:`ModgateError`."""
    problems = _settings_problems(settings)
    if problems:
        raise ModgateError(problems)
    dirs: list[str] = settings.get("modules-dirs", ["modules"])
    package = settings.get("package") or re.sub(r"[-.]+", "_", str(project.get("name", ""))).lower()
    if not package:
        raise ModgateError(
            [Problem(_WHERE, f"{_KEY}: package", "the project has no name to derive the package from", "set package")]
        )
    found = discover([root / d for d in dirs], base=root, scan_files=False)
    graph = check_graph(found.registrations)
    if graph:
        raise ModgateError(graph)
    return derive(found.registrations, package)


class Provider:
    """The dynamic-metadata 0.3 hooks scikit-build-core calls."""

    @staticmethod
    def dynamic_metadata(settings: Mapping[str, Any], project: Mapping[str, Any]) -> dict[str, Any]:
        try:
            fields = read(settings, project, Path.cwd())
            missing = sorted(set(fields) - set(project.get("dynamic", ())))
            if missing:
                raise ModgateError(
                    [
                        Problem(
                            _WHERE,
                            "project.dynamic",
                            f"the modgate provider sets {', '.join(missing)}, which project.dynamic does not list",
                            'write dynamic = ["optional-dependencies", "entry-points", ...]',
                        )
                    ]
                )
        except ModgateError as exc:
            # A build backend shows stderr; a traceback would bury the file, the key and the fix.
            sys.stderr.write(exc.format() + "\n")
            raise SystemExit(2) from None
        return fields

    @staticmethod
    def get_requires_for_dynamic_metadata(settings: Mapping[str, Any]) -> list[str]:
        return []
