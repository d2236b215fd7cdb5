"""What several commands share: a host project read from its tree, an installed host's
``info()``, the subcommands a host's modules add, and where the CMake package is."""

from __future__ import annotations

import argparse
import importlib
import os
from pathlib import Path
from typing import Any

from .. import _loader
from .._configure.discovery import Discovery, discover_project
from .._configure.host import HostConfig, host_package_around, read_host
from .._configure.problems import ConfigurationError
from .._manifest import manifest
from ..exceptions import ModgateError

__all__ = ["add_defines", "cmake_dir", "default_host", "defines", "host_info", "module_commands", "project"]

DIR_HELP = "the host project's folder (default: here)"
PACKAGE_HELP = "the host package (default: [tool.modgate] of the project here, else modgate)"


def default_host(start: Path | None = None) -> str:
    """The host whose modules a command shows when none is named: the ``[tool.modgate]``
    host of the project around ``start`` (the current folder), else ``modgate``."""
    return host_package_around(start)


def add_defines(parser: argparse.ArgumentParser, help: str) -> None:
    """The ``-D NAME=VALUE`` option (repeatable, into ``args.define``); :func:`defines` reads it."""
    parser.add_argument("-D", dest="define", action="append", default=[], metavar="NAME=VALUE", help=help)


def defines(items: list[str], example: str) -> dict[str, str]:
    """``-D NAME=VALUE`` arguments as a dict (the last of a name wins); a
    :class:`ModgateError` showing ``example`` for one without ``=`` or a name."""
    values: dict[str, str] = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise ModgateError(f"-D {item!r}: write NAME=VALUE, e.g. -D {example}")
        values[name.strip()] = value
    return values


def project(directory: str | Path, *, with_files: bool = False) -> tuple[Path, HostConfig, Discovery]:
    """The host project in ``directory``: its folder, settings and modules (registrations
    only, unless ``with_files``: then each module's folder is walked too)."""
    root = Path(directory).resolve()
    try:
        config = read_host(root, shown_as=str(root / "pyproject.toml"))
        found = discover_project(root, config, with_files=with_files)
    except ConfigurationError as exc:
        raise ModgateError(exc.format()) from None
    return root, config, found


def host_info(package: str) -> dict[str, Any]:
    """``<package>.info()`` of the installed host ``package``; a :class:`ModgateError` saying
    what to do when it is not installed or not a host."""
    try:
        importlib.import_module(package)  # a host attaches itself when imported
    except ImportError as exc:
        raise ModgateError(
            f"cannot import host package {package!r}: {exc}; install it, or name another with --package"
        ) from None
    if not _loader.is_attached(package):
        raise ModgateError(f"{package!r} is not a modgate host: its __init__.py does not call modgate.attach(__name__)")
    return _loader.host(package).info()


def module_commands(package: str, *, plugins: bool = True) -> dict[str, tuple[str, str]]:
    """The subcommands the modules of host ``package`` add: name -> (module, target); with
    ``plugins``, those of installed plugins too (their entry points are read)."""
    if plugins:
        data = host_info(package)
    else:
        importlib.import_module(package)
        data = manifest(package)
    modules: dict[str, dict[str, Any]] = data["modules"]
    found: dict[str, tuple[str, str]] = {}
    for module, entry in sorted(modules.items()):
        for command, target in dict(entry.get("commands") or {}).items():
            found.setdefault(command, (module, str(target)))
    return found


def cmake_dir() -> str:
    """The folder holding ``modgateConfig.cmake`` in the installed package."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(package, "share", "cmake", "modgate")
