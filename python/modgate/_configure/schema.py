"""The keys of ``module.toml`` and of a host's ``[tool.modgate]``, declared once: the
parsers (``registration.py``, ``host.py``) take their key lists, required keys, allowed
values and patterns from here, and ``modgate schema`` (``--host``) prints the same
declaration as a JSON Schema for editors.

What a JSON Schema cannot say (a name equal to its folder, a requirement that exists, a
PEP 508 string pip accepts, an option no other entry has) the parsers check on top.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._names import (
    ALL_EXTRA,
    CAPABILITY_POLICIES,
    COMMAND_PATTERN,
    DEFAULT_MODULE_DISTRIBUTION,
    DEFAULT_MODULES_DIRS,
    DEFAULT_OPTION_PREFIX,
    MODULE_VALUES,
    NAME_PATTERN,
    NO_PROVIDER,
    OPTION_PATTERN,
)

__all__ = [
    "CMAKE_PACKAGE_PATTERN",
    "CMAKE_TARGET_PATTERN",
    "CMAKE_VERSION_PATTERN",
    "HOST_FIELDS",
    "MAINTAINER_PATTERN",
    "MODULE_FIELDS",
    "TARGET_PATTERN",
    "TWIN_POLICIES",
    "Field",
    "field_at",
    "json_host_schema",
    "json_schema",
    "keys",
]

MAINTAINER_PATTERN = (
    r"^(?:[^<>@\s][^<>]*\s<[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+>"  # Name <email>
    # A GitHub handle (letters, digits, single inner hyphens: what CODEOWNERS can name) or @org/team.
    r"|@?[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}(?:/[A-Za-z0-9][A-Za-z0-9_-]*)?)$"
)
TARGET_PATTERN = r"^(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*:)?[A-Za-z_][A-Za-z0-9_]*$"
CMAKE_PACKAGE_PATTERN = r"^[A-Za-z][A-Za-z0-9_.+-]*$"
CMAKE_VERSION_PATTERN = r"^[0-9]+(\.[0-9]+){0,3}(\.\.\.<?[0-9]+(\.[0-9]+){0,3})?$"
CMAKE_TARGET_PATTERN = r"^[A-Za-z0-9_.+-]+(::[A-Za-z0-9_.+-]+)*$"


PACKAGE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"
TWIN_POLICIES = ("warn", "error", "off")


@dataclass(frozen=True)
class Field:
    """One key: ``string``, ``strings`` (an array of strings), ``integer``, ``table``,
    ``tables`` (an array of tables), ``map`` (a table of names to strings) or ``named`` (a
    table of names to tables, each entry perhaps given as just its ``shorthand`` string)."""

    kind: str
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()
    pattern: str | None = None  # of the string, of each item, or of a map's values
    key_pattern: str | None = None  # of a map's or of a named table's keys
    fields: Mapping[str, Field] = field(default_factory=dict)  # of a table or of each table
    minimum: int | None = None  # of an integer, or the fewest items of an array of strings
    shorthand: str = ""  # a named table's: the key a bare string entry stands for


MODULE_FIELDS: dict[str, Field] = {
    "name": Field("string", "The module's name: its folder's name.", required=True, pattern=NAME_PATTERN),
    "summary": Field("string", "One line saying what the module does (CMake help text, listings).", required=True),
    "option": Field(
        "string", "The CMake option that toggles it, when not the host's <option-prefix><NAME>.", pattern=OPTION_PATTERN
    ),
    "stage": Field(
        "string",
        "Lifecycle stage: S0 new, S1 used by others, S2 reshapes the project.",
        required=True,
        enum=("S0", "S1", "S2"),
    ),
    "default": Field(
        "string",
        "The state when nothing is set (default AUTO): ON builds it and what it requires, AUTO the same when all"
        " of it can be built, IF_NEEDED only when a module being built requires it, OFF never.",
        enum=MODULE_VALUES,
    ),
    "maintainers": Field("strings", "Owners: 'Name <email>', a handle or @org/team.", pattern=MAINTAINER_PATTERN),
    "requires": Field("strings", "Modules that must be enabled for this one.", pattern=NAME_PATTERN),
    "conflicts": Field("strings", "Modules that must not be enabled with this one.", pattern=NAME_PATTERN),
    "optional-requires": Field(
        "strings",
        "Modules this one uses when they are enabled (linked, headers seen, MODGATE_HAVE_<NAME> 1) and builds"
        " without otherwise (MODGATE_HAVE_<NAME> 0).",
        pattern=NAME_PATTERN,
    ),
    "provides": Field(
        "string",
        "A capability this module provides (several may; the host's policy says at most one, exactly one or"
        " any number are on, the best chosen at run time); the core looks up '<capability>.<function>'.",
        pattern=NAME_PATTERN,
    ),
    "priority": Field(
        "integer",
        "A provider's rank under a capability of policy any, after the host's prefer list: higher is tried"
        " first (default 0).",
    ),
    "probe": Field(
        "string",
        "A provider's probe, asked once per process before it is chosen at run time: 'function' or"
        " 'submodule:function' of its Python package, else its native function <module>.<function>; it"
        " returns a score, 0 when the provider cannot run here.",
        pattern=TARGET_PATTERN,
    ),
    "license": Field(
        "string",
        "The module's license, an SPDX expression (PEP 639), e.g. 'Apache-2.0' or 'MIT OR Apache-2.0'.",
    ),
    "license-files": Field(
        "strings", "Globs inside the module folder naming its license texts, e.g. LICENSE or licenses/*.txt."
    ),
    "groups": Field(
        "strings",
        "Groups the module belongs to: each group's option (MODGATE_GROUP_<G>) sets it when its own option is unset.",
        pattern=NAME_PATTERN,
    ),
    "native": Field(
        "table",
        "C++ parts; absent: a pure-Python module. Empty: the default sources.",
        fields={
            "sources": Field("strings", "Globs inside the module folder (default src/**/*.cc, src/**/*.cpp)."),
            "packages": Field(
                "tables",
                "External CMake packages, found with find_package.",
                fields={
                    "name": Field("string", "The CMake package name.", required=True, pattern=CMAKE_PACKAGE_PATTERN),
                    "version": Field(
                        "string", "A minimum version or a range min...<max.", pattern=CMAKE_VERSION_PATTERN
                    ),
                    "components": Field("strings", "find_package components."),
                    "targets": Field(
                        "strings",
                        "The package's CMake targets to link, e.g. OpenMP::OpenMP_CXX (default: <Name>::<component>"
                        " or <Name>::<Name>, else <Name>_LIBRARIES).",
                        pattern=CMAKE_TARGET_PATTERN,
                    ),
                },
            ),
        },
    ),
    "python": Field(
        "table",
        "Python requirements: the pip extra named after the module.",
        fields={"requires": Field("strings", "PEP 508 requirements, e.g. graphviz>=0.20.")},
    ),
    "deprecated": Field(
        "table",
        "The module is going away.",
        fields={
            "since": Field("string", "The version that deprecated it (PEP 440).", required=True),
            "removal": Field(
                "string",
                "The version that removes it (PEP 440).",
            ),
            "reason": Field("string", "Why it is going away.", required=True),
            "replacement": Field("string", "The module to use instead.", pattern=NAME_PATTERN),
        },
    ),
    "twins": Field(
        "tables",
        "Code this module keeps a copy of on purpose (modgate twins): `modgate check` lists it instead of"
        " warning, and `modgate twins --changed-since` asks for the other copy when one changes.",
        fields={
            "file": Field("string", "This module's copy, relative to the module folder.", required=True),
            "other": Field(
                "string",
                "The other copy, relative to the project folder (another module's or the core's).",
                required=True,
            ),
            "reason": Field("string", "Why the copies are kept apart, and until when.", required=True),
        },
    ),
    "tests": Field(
        "table",
        "What the module's own tests need beyond what the module does.",
        fields={
            "requires": Field(
                "strings",
                "Modules the tests use and the module does not: its tests skip, naming the option, when one is off.",
                pattern=NAME_PATTERN,
            )
        },
    ),
    "commands": Field(
        "map",
        'modgate subcommands the module adds: name = "function" or "submodule:function".',
        pattern=TARGET_PATTERN,
        key_pattern=COMMAND_PATTERN,
    ),
}


_ONE_LINE = "^[^\n]*$"

HOST_FIELDS: dict[str, Field] = {
    "package": Field(
        "string",
        "The import name: modules are <package>.modules.<name> (default: [project] name, '-' and '.' as '_').",
        pattern=PACKAGE_PATTERN,
    ),
    "modules-dirs": Field(
        "strings",
        f"Folders of module folders, inside the project (default {', '.join(DEFAULT_MODULES_DIRS)}).",
        minimum=1,
    ),
    "option-prefix": Field(
        "string",
        f"CMake options are <prefix><NAME> (default {DEFAULT_OPTION_PREFIX}); not MODGATE_ or CMAKE_.",
        pattern=r"^[A-Za-z][A-Za-z0-9_]*_$",
    ),
    "host": Field(
        "string", "A plugin: the host package whose modules it adds to (default: itself).", pattern=PACKAGE_PATTERN
    ),
    "module-distribution": Field(
        "string",
        f"A module wheel's distribution name, holding {{module}} once (default {DEFAULT_MODULE_DISTRIBUTION}).",
        pattern=r"\{module\}",
    ),
    "policy": Field(
        "table",
        "What `modgate check` enforces.",
        fields={
            "s0-min-maintainers": Field("integer", "Maintainers an S0 module needs (default 3).", minimum=0),
            "core-paths": Field("strings", "The core's folders: no module code is copied there unseen."),
            "ignore": Field("strings", "Finding codes `modgate check` leaves out, e.g. MG301."),
            "twins": Field(
                "string", "Code copied between modules, undeclared: warn (default), error or off.", enum=TWIN_POLICIES
            ),
            "twins-min-lines": Field("integer", "The smallest copy that counts as twins (default 6).", minimum=1),
            "forbid-licenses": Field("strings", "SPDX license ids no module's license may name (MG800)."),
        },
    ),
    "groups": Field(
        "named",
        "Per group (module.toml groups): its option's name, a summary, its members' default.",
        key_pattern=NAME_PATTERN,
        fields={
            "option": Field("string", "The group's CMake option (default MODGATE_GROUP_<G>).", pattern=OPTION_PATTERN),
            "default": Field("string", "What its members take when nothing else is set.", enum=MODULE_VALUES),
            "summary": Field("string", "One line: what the group holds.", pattern=_ONE_LINE),
        },
    ),
    "capabilities": Field(
        "named",
        "Per capability (module.toml provides): how many providers may be on, its option, its default.",
        key_pattern=NAME_PATTERN,
        shorthand="policy",
        fields={
            "policy": Field(
                "string",
                "How many providers may be on (default at-most-one); any: the best is chosen at run time.",
                enum=CAPABILITY_POLICIES,
            ),
            "option": Field(
                "string", "The chooser's CMake option (default MODGATE_PROVIDER_<C>).", pattern=OPTION_PATTERN
            ),
            "default": Field(
                "string", f"The provider chosen while the option is unset, or {NO_PROVIDER}.", pattern=NAME_PATTERN
            ),
            "summary": Field("string", "One line: what the capability is.", pattern=_ONE_LINE),
            "prefer": Field(
                "strings",
                "Under policy any: the providers to try first at run time, in this order.",
                pattern=NAME_PATTERN,
            ),
        },
    ),
}


def keys(path: str = "", *, declared: Mapping[str, Field] = MODULE_FIELDS) -> tuple[str, ...]:
    """The keys allowed at ``path`` ("" for the top level, "native", "native.packages", ...)
    of ``module.toml`` (or of another declaration: ``HOST_FIELDS``)."""
    fields = declared
    for part in path.split(".") if path else ():
        fields = fields[part].fields
    return tuple(fields)


def field_at(path: str, *, declared: Mapping[str, Field] = MODULE_FIELDS) -> Field:
    """The declaration of key ``path`` ("stage", "deprecated.since", ...)."""
    fields = declared
    *outer, last = path.split(".")
    for part in outer:
        fields = fields[part].fields
    return fields[last]


def _schema(f: Field) -> dict[str, Any]:
    out: dict[str, Any] = {"description": f.description}
    if f.kind == "string":
        out["type"] = "string"
        if f.enum:
            out["enum"] = list(f.enum)
        if f.pattern:
            out["pattern"] = f.pattern
    elif f.kind == "strings":
        item: dict[str, Any] = {"type": "string"}
        if f.pattern:
            item["pattern"] = f.pattern
        out |= {"type": "array", "items": item, "uniqueItems": True}
        if f.minimum is not None:
            out["minItems"] = f.minimum
    elif f.kind == "integer":
        out["type"] = "integer"
        if f.minimum is not None:
            out["minimum"] = f.minimum
    elif f.kind in ("table", "tables"):
        table = _object(f.fields)
        out |= table if f.kind == "table" else {"type": "array", "items": table}
    elif f.kind == "named":
        entry = _object(f.fields)
        if f.shorthand:
            entry = {"oneOf": [_schema(f.fields[f.shorthand]) | {"description": "Just the " + f.shorthand}, entry]}
        out |= {"type": "object", "propertyNames": {"pattern": f.key_pattern}, "additionalProperties": entry}
    else:  # map
        out |= {
            "type": "object",
            "propertyNames": {"pattern": f.key_pattern},
            "additionalProperties": {"type": "string", "pattern": f.pattern},
        }
    return out


def _object(fields: Mapping[str, Field]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: _schema(f) for name, f in fields.items()},
        "required": [name for name, f in fields.items() if f.required],
        "additionalProperties": False,
    }


def json_schema() -> dict[str, Any]:
    """``module.toml`` as a JSON Schema (draft 2020-12)."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://modgate.dev/schemas/module.toml.json",
        "title": "modgate module registration (module.toml)",
        **_object(MODULE_FIELDS),
    }
    schema["properties"]["name"]["not"] = {"const": ALL_EXTRA}  # reserved: the pip extra of every module
    return schema


def json_host_schema() -> dict[str, Any]:
    """A host's ``[tool.modgate]`` (in ``pyproject.toml``) as a JSON Schema (draft 2020-12)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://modgate.dev/schemas/tool.modgate.json",
        "title": "modgate host configuration ([tool.modgate] in pyproject.toml)",
        **_object(HOST_FIELDS),
    }
