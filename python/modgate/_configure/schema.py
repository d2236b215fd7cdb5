"""The keys of ``module.toml``, declared once: the parser (``registration.py``) takes its
key lists, required keys, allowed values and patterns from here, and ``modgate schema``
prints the same declaration as a JSON Schema for editors.

What a JSON Schema cannot say (a name equal to its folder, a requirement that exists, a
PEP 508 string pip accepts) the parser checks on top.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._names import ALL_EXTRA, COMMAND_PATTERN, MODULE_VALUES, NAME_PATTERN, OPTION_PATTERN

__all__ = [
    "CMAKE_PACKAGE_PATTERN",
    "CMAKE_TARGET_PATTERN",
    "CMAKE_VERSION_PATTERN",
    "MAINTAINER_PATTERN",
    "MODULE_FIELDS",
    "TARGET_PATTERN",
    "Field",
    "field_at",
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


@dataclass(frozen=True)
class Field:
    """One key: ``string``, ``strings`` (an array of strings), ``table``, ``tables`` (an
    array of tables) or ``map`` (a table of names to strings)."""

    kind: str
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()
    pattern: str | None = None  # of the string, of each item, or of a map's values
    key_pattern: str | None = None  # of a map's keys
    fields: Mapping[str, Field] = field(default_factory=dict)  # of a table or of each table


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
        "A capability this module provides (several may; the host's policy says at most or exactly one is on);"
        " the core looks up '<capability>.<function>'.",
        pattern=NAME_PATTERN,
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


def keys(path: str = "") -> tuple[str, ...]:
    """The keys allowed at ``path`` ("" for the top level, "native", "native.packages", ...)."""
    fields: Mapping[str, Field] = MODULE_FIELDS
    for part in path.split(".") if path else ():
        fields = fields[part].fields
    return tuple(fields)


def field_at(path: str) -> Field:
    """The declaration of key ``path`` ("stage", "deprecated.since", ...)."""
    fields: Mapping[str, Field] = MODULE_FIELDS
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
    elif f.kind in ("table", "tables"):
        table = _object(f.fields)
        out |= table if f.kind == "table" else {"type": "array", "items": table}
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
