"""The build tree as an importable package: ``<build>/python/<package>`` mirrors what the
wheel installs, with links, so ``PYTHONPATH=<build>/python`` imports this configuration.

The ``resolve`` step writes the list of links (``links.json``); the ``link`` step, a build
step CMake runs when that list changes, makes them, so a module turned off is gone.
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from .._names import MANIFEST_NAME, MODULES_PACKAGE, package_path
from .discovery import Discovery, ModuleSource
from .files import walk, write_if_changed

__all__ = ["NOT_INSTALLED", "generated_init", "links", "make_links", "python_files", "write_links"]

# Sources and build leftovers in a module's python/ folder, never installed.
NOT_INSTALLED = (".pyc", ".cc", ".cpp", ".h", ".hpp")

# The __init__.py of every module without a python/ folder: one file, not one per module
# (a thousand native modules would be a thousand more files to write at configure).
_MODULE_INIT = '''"""A module with no Python part of its own; its native functions are reached by name."""

from modgate._manifest import manifest as _manifest

_package, _, _name = __name__.rpartition(".modules.")
__doc__ = f"{_name}: {_manifest(_package)['modules'][_name]['summary']}"
'''


@functools.cache  # one file for every module: written (if changed) once per run
def generated_init(generated_dir: Path) -> Path:
    """The shared ``__init__.py`` of modules without a ``python/`` folder."""
    path = generated_dir / "__init__.py"
    write_if_changed(path, _MODULE_INIT)
    return path


def python_files(module: ModuleSource, generated_dir: Path | None) -> dict[str, Path]:
    """The module's Python files, by path relative to its install folder."""
    if module.python_dir is None:
        if generated_dir is None:
            return {}
        return {"__init__.py": generated_init(generated_dir)}
    return {f: module.python_dir / f for f in walk(module.python_dir).files if not f.endswith(NOT_INSTALLED)}


def links(
    order: Sequence[str],
    found: Discovery,
    *,
    package: str,
    project_dir: Path,
    manifest: Path | None,
    built: dict[str, dict[str, Path]],
    generated_dir: Path | None,
) -> list[list[str]]:
    """[target, path relative to the package folder] for the manifest, the host's own
    Python files, and each enabled module's Python files and built libraries (``built``:
    per module, installed path -> built file); a pure-Python module is one link to its folder."""
    found_links = []
    if manifest is not None:
        found_links.append([str(manifest), MANIFEST_NAME])
    # The host's own Python files (python/<package>/, as its wheel has them), not its modules/.
    source = project_dir / "python" / package_path(package)
    if source.is_dir():
        own = walk(source, skip=[source / MODULES_PACKAGE]).files
        found_links += [[str(source / f), f] for f in own if f.endswith((".py", ".pyi")) or Path(f).name == "py.typed"]
    for name in order:
        module = found.modules[name]
        artifacts = built.get(name, {})
        if not artifacts and module.python_dir is not None:
            found_links.append([str(module.python_dir), f"{MODULES_PACKAGE}/{name}"])
            continue
        found_links += [[str(path), installed] for installed, path in artifacts.items()]
        for relative, path in python_files(module, generated_dir).items():
            found_links.append([str(path), f"{MODULES_PACKAGE}/{name}/{relative}"])
    return found_links


def write_links(path: Path, package_dir: Path, links: list[list[str]]) -> None:
    """Write the ``link`` step's list (``links.json``) for the build tree's package folder
    ``package_dir``."""
    write_if_changed(path, json.dumps({"package_dir": str(package_dir), "links": links}, indent=1) + "\n")


def _link(target: Path, link: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    try:
        link.symlink_to(target, target_is_directory=target.is_dir())
    except OSError:  # no symbolic links here: a copy of what exists
        if target.is_dir():
            shutil.copytree(
                target, link, ignore=shutil.ignore_patterns("__pycache__", *(f"*{e}" for e in NOT_INSTALLED))
            )
        elif target.is_file():
            shutil.copy2(target, link)


def make_links(path: Path) -> str:
    """The ``link`` step: (re)make the build tree's package from the list ``path`` holds,
    so a module turned off is gone from it. Returns the stamp's text."""
    data = json.loads(path.read_text(encoding="utf-8"))
    package_dir = Path(data["package_dir"])
    shutil.rmtree(package_dir / MODULES_PACKAGE, ignore_errors=True)
    for target, relative in data["links"]:
        with contextlib.suppress(FileNotFoundError):
            (package_dir / relative).unlink()
        _link(Path(target), package_dir / relative)
    return f"{len(data['links'])} links\n"
