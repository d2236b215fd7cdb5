"""The include guards: a stub for every module header, searched after every real include
directory, so that an ``#include`` a target may not see fails with the fix.

A target that may see a module's headers finds the real header first; any other target
finds the stub, whose ``#error`` names the ``requires`` entry to add (a module: its target
defines ``MODGATE_MODULE_NAME``), or says that the owner is off and the include needs its
``#if`` (a module naming the owner in ``optional-requires``: its target defines
``MODGATE_HAVE_<OWNER>``), or that the core reaches modules by name (the core).
One folder serves both, so a configure writes one stub per header; CMake adds it with
``-idirafter`` (its path comes from here, :func:`guard_folder`).
"""

from __future__ import annotations

from pathlib import Path

from .._names import have_definition
from .discovery import Discovery
from .files import walk, write_if_changed

__all__ = ["guard_folder", "write_guards"]

_STUB = (
    "#if defined(MODGATE_MODULE_NAME) && defined({have})\n"
    "#error \"modgate: <{header}> is a header of module '{owner}', which is off in this build; a module naming"
    ' it in optional-requires includes it only under #if {have}"\n'
    "#elif defined(MODGATE_MODULE_NAME)\n"
    '#pragma message("modgate: module \'" MODGATE_MODULE_NAME "\' includes <{header}> without requiring'
    ' \'{owner}\': add \\"{owner}\\" to requires in the module.toml of module \'" MODGATE_MODULE_NAME "\'")\n'
    "#error \"modgate: <{header}> is a header of module '{owner}'. A module may include only the core's headers"
    ' and those of the modules it requires: add \\"{owner}\\" to requires in the module.toml of the module'
    ' whose source includes it."\n'
    "#else\n"
    "#error \"modgate: <{header}> is a header of module '{owner}', and the core (src/, include/) never includes"
    ' a module header: reach the module by name through the registry (modgate::find_function)."\n'
    "#endif\n"
)


def guard_folder(guard_dir: Path) -> Path:
    """The stub folder below ``guard_dir``, for the modules' targets and the core's."""
    return guard_dir / "stubs"


def write_guards(guard_dir: Path, found: Discovery) -> None:
    """Write (only what changed) the stubs of every header of every module ``found``, and
    remove those of headers that are gone (and any left by an older layout)."""
    stubs = guard_folder(guard_dir)
    wanted: dict[Path, str] = {}
    for name, module in found.modules.items():
        for header in module.headers:
            wanted[stubs / header] = _STUB.format(header=header, owner=name, have=have_definition(name))
    for stale in [guard_dir / f for f in walk(guard_dir).files] if guard_dir.is_dir() else []:
        if stale not in wanted:
            stale.unlink()
    for path, text in wanted.items():
        write_if_changed(path, text)
    stubs.mkdir(parents=True, exist_ok=True)
