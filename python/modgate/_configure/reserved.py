"""What a module's name and an option may not be: the one list of each, read when a
registration file, the host's settings or ``modgate new``'s name are checked (never at
import time, so none of it costs ``import <host>``).

Runs at configure time; the standard library only.
"""

from __future__ import annotations

import keyword

from .._names import (
    ALL_EXTRA,
    BUILD_TREE_TARGET,
    RUNTIME_LIBRARY,
    extension_target,
    headers_target,
    library_target,
)

__all__ = [
    "CXX_KEYWORDS",
    "RESERVED_NAMES",
    "RESERVED_VARIABLES",
    "RESERVED_VARIABLE_PREFIXES",
    "reserved_name",
    "reserved_variable",
    "target_clashes",
]

# Names a module may not take, because something derived from module names uses them.
RESERVED_NAMES = {ALL_EXTRA: f"the pip extra {ALL_EXTRA!r} installs the Python requirements of every module"}
# C++'s keywords and alternative tokens: a module's name is a C++ namespace (<host>::<name>),
# and the clone detector keeps these words' spelling.
CXX_KEYWORDS = frozenset(
    [
        "alignas",
        "alignof",
        "and",
        "and_eq",
        "asm",
        "auto",
        "bitand",
        "bitor",
        "bool",
        "break",
        "case",
        "catch",
        "char",
        "char8_t",
        "char16_t",
        "char32_t",
        "class",
        "compl",
        "concept",
        "const",
        "consteval",
        "constexpr",
        "constinit",
        "const_cast",
        "continue",
        "co_await",
        "co_return",
        "co_yield",
        "decltype",
        "default",
        "delete",
        "do",
        "double",
        "dynamic_cast",
        "else",
        "enum",
        "explicit",
        "export",
        "extern",
        "false",
        "float",
        "for",
        "friend",
        "goto",
        "if",
        "inline",
        "int",
        "long",
        "mutable",
        "namespace",
        "new",
        "noexcept",
        "not",
        "not_eq",
        "nullptr",
        "operator",
        "or",
        "or_eq",
        "private",
        "protected",
        "public",
        "register",
        "reinterpret_cast",
        "requires",
        "return",
        "short",
        "signed",
        "sizeof",
        "static",
        "static_assert",
        "static_cast",
        "struct",
        "switch",
        "template",
        "this",
        "thread_local",
        "throw",
        "true",
        "try",
        "typedef",
        "typeid",
        "typename",
        "union",
        "unsigned",
        "using",
        "virtual",
        "void",
        "volatile",
        "wchar_t",
        "while",
        "xor",
        "xor_eq",
    ]
)
# Variables an option may not be, nor start with: CMake's own (its platform and project
# variables keep their value whatever the cache says: -DUNIX=OFF leaves UNIX on), the build
# backend's (scikit-build-core sets SKBUILD=2), Python's and pybind11's (their find
# modules), and modgate's. Module, group and capability options and the option prefix are
# judged by it.
RESERVED_VARIABLE_PREFIXES = ("MODGATE_", "CMAKE_", "SKBUILD", "Python_", "Python3_", "PYTHON_", "pybind11_")
RESERVED_VARIABLES = frozenset(
    [
        "ANDROID",
        "APPLE",
        "BSD",
        "BUILD_SHARED_LIBS",
        "BUILD_TESTING",
        "CYGWIN",
        "EMSCRIPTEN",
        "IOS",
        "LINUX",
        "MINGW",
        "MSVC",
        "MSYS",
        "PROJECT_NAME",
        "PROJECT_VERSION",
        "UNIX",
        "WASI",
        "WIN32",
        "XCODE",
    ]
)


def reserved_name(name: str) -> str | None:
    """Why ``name`` cannot be a module's name although it matches the pattern, or ``None``:
    a name something derived from module names uses, or a keyword of Python (its import
    ``<host>.modules.<name>``) or of C++ (its namespace)."""
    if name in RESERVED_NAMES:
        return RESERVED_NAMES[name]
    languages = [lang for lang, hit in (("Python", keyword.iskeyword(name)), ("C++", name in CXX_KEYWORDS)) if hit]
    if languages:
        return (
            f"it is a keyword of {' and '.join(languages)}: the module's import or its namespace could not be written"
        )
    return None


def reserved_variable(option: str) -> str | None:
    """Why ``option`` may not be a module's, group's or capability's option, or ``None``."""
    if option in RESERVED_VARIABLES:
        return f"{option} is a variable CMake sets itself (the cache cannot change it)"
    prefix = next((p for p in RESERVED_VARIABLE_PREFIXES if option.startswith(p)), None)
    if prefix is not None:
        owner = {"MODGATE_": "modgate's", "SKBUILD": "the build backend's"}.get(prefix, "CMake's or Python's")
        return f"{option} starts with {prefix}, which {owner} own variables use"
    return None


def _module_targets(host: str, module: str) -> tuple[str, ...]:
    """Every CMake target a module of host ``host`` may make (library, headers, extension)."""
    return (library_target(host, module), headers_target(host, module), extension_target(module))


def target_clashes(host: str, modules: list[str]) -> list[tuple[str, str, str]]:
    """Modules whose CMake targets take a name another module's target or the core's has:
    (module, the other module or "the core", the target), each clash once."""
    taken = {RUNTIME_LIBRARY: "the core", BUILD_TREE_TARGET: "the core"}
    clashes = []
    for module in sorted(modules):
        for target in _module_targets(host, module):
            if target in taken:
                clashes.append((module, taken[target], target))
        for target in _module_targets(host, module):
            taken.setdefault(target, module)
    return clashes
