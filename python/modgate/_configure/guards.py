"""The include guards: a stub for every module header, searched after every real include
directory, so that an ``#include`` a target may not see fails with the fix.

A target that may see a module's headers finds the real header first; any other target
finds the stub, whose ``#error`` names the ``requires`` entry to add (a module) or says
that the core reaches modules by name (the core). CMake adds the two folders with
``-idirafter``; their paths come from here (:func:`guard_dirs`).
"""

from __future__ import annotations

from pathlib import Path

from .discovery import Discovery
from .files import walk, write_if_changed

__all__ = ["guard_dirs", "write_guards"]

_MODULE_STUB = (
    "#ifdef MODGATE_MODULE_NAME\n"
    '#pragma message("modgate: module \'" MODGATE_MODULE_NAME "\' includes <{header}> without requiring'
    ' \'{owner}\': add \\"{owner}\\" to requires in the module.toml of module \'" MODGATE_MODULE_NAME "\'")\n'
    "#endif\n"
    "#error \"modgate: <{header}> is a header of module '{owner}'. A module may include only the core's headers"
    ' and those of the modules it requires: add \\"{owner}\\" to requires in the module.toml of the module'
    ' whose source includes it."\n'
)
_CORE_STUB = (
    "#error \"modgate: <{header}> is a header of module '{owner}', and the core (src/, include/) never includes"
    ' a module header: reach the module by name through the registry (modgate::find_function)."\n'
)


def guard_dirs(guard_dir: Path) -> tuple[Path, Path]:
    """The stub folders below ``guard_dir``: the modules' and the core's."""
    return guard_dir / "modules", guard_dir / "core"


def write_guards(guard_dir: Path, found: Discovery) -> None:
    """Write (only what changed) the stubs of every header of every module ``found``, and
    remove those of headers that are gone."""
    modules_dir, core_dir = guard_dirs(guard_dir)
    wanted: dict[Path, str] = {}
    for name, module in found.modules.items():
        for header in module.headers:
            wanted[modules_dir / header] = _MODULE_STUB.format(header=header, owner=name)
            wanted[core_dir / header] = _CORE_STUB.format(header=header, owner=name)
    for stale in [guard_dir / f for f in walk(guard_dir).files] if guard_dir.is_dir() else []:
        if stale not in wanted:
            stale.unlink()
    for path, text in wanted.items():
        write_if_changed(path, text)
    for folder in (modules_dir, core_dir):
        folder.mkdir(parents=True, exist_ok=True)
