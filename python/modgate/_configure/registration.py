"""The registration file ``modules/<name>/module.toml``: schema and strict parser.

Pure: :func:`parse_registration` takes the file's bytes and returns a
:class:`Registration` or raises :class:`~modgate._configure.problems.ConfigurationError`
listing every problem in the file. Runs at configure time: the standard library, and
``packaging`` (through ``versions.py``) for requirement and version strings.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .._names import (
    CORE_COMMANDS,
    DEFAULT_OPTION_PREFIX,
    NAME_PATTERN,
    is_command_name,
    is_module_name,
    is_option_name,
    option_name,
)
from .problems import ConfigurationError, Problem, suggest
from .reserved import reserved_name, reserved_variable
from .schema import (
    CMAKE_PACKAGE_PATTERN,
    CMAKE_TARGET_PATTERN,
    CMAKE_VERSION_PATTERN,
    MAINTAINER_PATTERN,
    TARGET_PATTERN,
    field_at,
    keys,
)
from .versions import canonical_license, check_requirement, check_version, version_after

__all__ = [
    "DEFAULT_SOURCES",
    "VALUES",
    "Deprecation",
    "Native",
    "Package",
    "Registration",
    "Twin",
    "line_of",
    "parse_registration",
]

# Keys, required keys, allowed values and patterns: declared once, in schema.py.
STAGES = field_at("stage").enum
VALUES = field_at("default").enum
DEFAULT_SOURCES = ("src/**/*.cc", "src/**/*.cpp")
_CMAKE_PACKAGE_RE = re.compile(CMAKE_PACKAGE_PATTERN)
_CMAKE_VERSION_RE = re.compile(CMAKE_VERSION_PATTERN)
_MAINTAINER_RE = re.compile(MAINTAINER_PATTERN)
_CMAKE_TARGET_RE = re.compile(CMAKE_TARGET_PATTERN)
_TARGET_RE = re.compile(TARGET_PATTERN)

_TOP_KEYS = keys()
_NATIVE_KEYS = keys("native")
_PACKAGE_KEYS = keys("native.packages")
_PYTHON_KEYS = keys("python")
_DEPRECATED_KEYS = keys("deprecated")
_TWIN_KEYS = keys("twins")
_TESTS_KEYS = keys("tests")


@dataclass(frozen=True)
class Package:
    """An external CMake package, found with ``find_package``."""

    name: str
    version: str | None = None
    components: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()  # what to link; empty: the usual target names (see cmake/modgate.cmake)

    def find_arguments(self) -> list[str]:
        """``find_package``'s arguments for this entry: the name, the version, the components."""
        components = ["COMPONENTS", *self.components] if self.components else []
        return [self.name, *([self.version] if self.version else []), *components]

    def describe(self) -> str:
        text = self.name
        if self.version:
            text += f" {self.version}"
        if self.components:
            text += f" (components {', '.join(self.components)})"
        return text


@dataclass(frozen=True)
class Native:
    sources: tuple[str, ...] = DEFAULT_SOURCES
    packages: tuple[Package, ...] = ()


@dataclass(frozen=True)
class Deprecation:
    since: str
    reason: str
    removal: str | None = None
    replacement: str | None = None


@dataclass(frozen=True)
class Twin:
    """A copy of code this module keeps on purpose (``[[twins]]``): its ``file`` (relative to
    the module folder), the ``other`` copy (relative to the project folder), and why."""

    file: str
    other: str
    reason: str


@dataclass(frozen=True)
class Registration:
    """A validated ``module.toml``. ``path`` is the file as shown to the user."""

    name: str
    summary: str
    stage: str
    path: str
    default: str = "AUTO"
    maintainers: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    native: Native | None = None
    python_requires: tuple[str, ...] = ()
    deprecated: Deprecation | None = None
    # modgate subcommands the module adds: name -> "function" or "submodule:function" of its package
    commands: tuple[tuple[str, str], ...] = ()
    option: str | None = None  # the ``option`` key: a name kept from before the project adopted modgate
    twins: tuple[Twin, ...] = ()
    groups: tuple[str, ...] = ()  # each group's option sets the module when its own option is unset
    test_requires: tuple[str, ...] = ()  # [tests] requires: what its tests use and it does not
    optional_requires: tuple[str, ...] = ()  # used when enabled, built without otherwise
    provides: str | None = None  # a capability; the core looks up "<capability>.<function>"
    priority: int = 0  # a provider's rank at run time (policy any), after the host's prefer list
    probe: str | None = None  # a provider's probe: "function" or "submodule:function", else native
    license: str | None = None  # an SPDX expression, canonical (PEP 639)
    license_files: tuple[str, ...] = ()  # globs inside the module folder

    def option_for(self, prefix: str = DEFAULT_OPTION_PREFIX) -> str:
        """The CMake option that toggles this module in a host whose prefix is ``prefix``."""
        return self.option or option_name(self.name, prefix)


_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a float",
    bool: "a boolean",
    list: "an array",
    dict: "a table",
}


def _quoted(choices: tuple[str, ...]) -> str:
    """``"a", "b" or "c"``."""
    quoted = [f'"{choice}"' for choice in choices]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else "".join(quoted)


def _type_name(value: object) -> str:
    for kind, name in _TYPE_NAMES.items():
        if type(value) is kind:
            return name
    return type(value).__name__


def line_of(text: str, key: str) -> int | None:
    """The line of ``key`` ("stage", "native.sources", "deprecated"...) in a registration
    file's ``text``; best effort: the line that assigns the key's last part, or its table
    header."""
    last = key.split(".")[-1].split("[")[0]
    patterns = (
        re.compile(rf"^[ \t]*(?:[\w.\"']+\.)?[\"']?{re.escape(last)}[\"']?[ \t]*=", re.MULTILINE),
        re.compile(rf"^[ \t]*\[+[ \t]*{re.escape(key.split('[')[0])}\s*\]+", re.MULTILINE),
    )
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return text.count("\n", 0, match.start()) + 1
    return None


class _Checker:
    """Collects problems for one file so the user sees all of them at once."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.problems: list[Problem] = []

    def add(self, key: str | None, message: str, fix: str) -> None:
        line = None if key is None else line_of(self.text, key)
        self.problems.append(Problem(self.path, key, message, fix, line=line))

    def unknown_keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
        for key in table:
            if key not in allowed:
                full = f"{prefix}{key}"
                self.add(
                    full,
                    f"unknown key {full!r}{suggest(key, allowed)}",
                    f"use one of: {', '.join(prefix + a for a in allowed)}",
                )

    def string(self, table: Mapping[str, Any], key: str, full: str, *, fix: str) -> str | None:
        """The string at ``key``; whether it is required comes from the declaration."""
        if key not in table:
            if field_at(re.sub(r"\[\d+\]", "", full)).required:
                self.add(None, f"missing required key {full!r}", fix)
            return None
        value = table[key]
        if not isinstance(value, str):
            self.add(full, f"{full!r} must be a string, got {_type_name(value)} ({value!r})", fix)
            return None
        if (bad := _control(value)) is not None:
            self.add(full, f"{full!r} holds the control character {bad!r}, which no generated file can carry", fix)
            return None
        return value

    def string_list(
        self,
        table: Mapping[str, Any],
        key: str,
        full: str,
        *,
        fix: str,
        item: Callable[[str], str | None] | None = None,
    ) -> tuple[str, ...] | None:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, list):
            self.add(full, f"{full!r} must be an array of strings, got {_type_name(value)} ({value!r})", fix)
            return None
        out: list[str] = []
        seen: set[str] = set()
        ok = True
        for index, entry in enumerate(value):
            if not isinstance(entry, str):
                self.add(full, f"{full}[{index}] must be a string, got {_type_name(entry)} ({entry!r})", fix)
                ok = False
                continue
            bad = _control(entry)
            message = f"holds the control character {bad!r}" if bad is not None else item(entry) if item else None
            if message:
                self.add(full, f"{full}[{index}]: {message}", fix)
                ok = False
                continue
            if entry in seen:
                self.add(full, f"{full} lists {entry!r} twice", f"remove the duplicate from {full!r}")
                ok = False
                continue
            seen.add(entry)
            out.append(entry)
        return tuple(out) if ok else None


def _check_module_ref(entry: str) -> str | None:
    if is_module_name(entry):
        return None
    return f"{entry!r} is not a module name (lowercase letter, then lowercase letters, digits or '_')"


def _check_source(entry: str) -> str | None:
    if not entry.strip():
        return "a source pattern is empty"
    if entry.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", entry):
        return f"{entry!r} is an absolute path; sources must stay inside the module folder"
    if ".." in re.split(r"[\\/]", entry):
        return f"{entry!r} contains '..'; sources must stay inside the module folder"
    return None


def _check_target(entry: str) -> str | None:
    if _CMAKE_TARGET_RE.match(entry):
        return None
    return f"{entry!r} is not a CMake target name such as 'OpenMP::OpenMP_CXX'"


def _check_maintainer(entry: str) -> str | None:
    if _MAINTAINER_RE.match(entry):
        return None
    return (
        f"{entry!r} is neither 'Name <email>' nor a GitHub handle such as 'octocat' or '@org/team' (letters,"
        " digits and single hyphens: CODEOWNERS skips any other name silently)"
    )


def _decode(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigurationError(
            [
                Problem(
                    path,
                    None,
                    f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                    "save the file as UTF-8",
                    line=line,
                )
            ]
        ) from None


def _load(data: bytes, path: str, folder_name: str) -> tuple[str, dict[str, Any]]:
    """The file's text and TOML table; a :class:`ConfigurationError` for a file that is
    not UTF-8, empty or not TOML."""
    text = _decode(data, path)
    if not text.strip():
        raise ConfigurationError(
            [
                Problem(
                    path,
                    None,
                    "the registration file is empty",
                    f'write at least: name = "{folder_name}", summary = "...", stage = "S0"'
                    " (`modgate new <name>` writes a complete module folder)",
                )
            ]
        )
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        fix = "fix the TOML syntax at that position"
        # tomllib says where in its message (Python 3.14 adds lineno and colno)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line, column = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        problem = Problem(path, None, f"TOML syntax error: {message}", fix, line=line, column=column)
        raise ConfigurationError([problem]) from None
    except RecursionError:
        fix = "write tables and arrays a few levels deep: a registration needs at most three"
        raise ConfigurationError([Problem(path, None, "the TOML nests too deep to read", fix)]) from None


def _parse_name(c: _Checker, table: Mapping[str, Any], folder_name: str) -> str | None:
    name = c.string(table, "name", "name", fix=f'add name = "{folder_name}"')
    if name is None:
        return None
    if not is_module_name(name):
        c.add(
            "name",
            f"{name!r} is not a valid module name (pattern {NAME_PATTERN})",
            "use a lowercase letter followed by up to 62 lowercase letters, digits or single '_' (not at the"
            " end: the pip extra and the wheel name turn each '_' into '-'), and rename the folder to match",
        )
    elif (why := reserved_name(name)) is not None:
        c.add(
            "name",
            f"{name!r} is reserved: {why}",
            "choose another name for the module, and rename its folder to match",
        )
    elif name != folder_name:
        c.add(
            "name",
            f"name {name!r} does not equal the folder name {folder_name!r}",
            f'set name = "{folder_name}", or rename the folder to {name!r}',
        )
    return name


def _parse_summary(c: _Checker, table: Mapping[str, Any]) -> str | None:
    summary = c.string(table, "summary", "summary", fix='add summary = "one line saying what it does"')
    if summary is None:
        return None
    if not summary.strip():
        c.add("summary", "'summary' is empty", "write one line saying what the module does")
    elif any(ch in summary for ch in "\r\n") or any(ord(ch) < 32 and ch != "\t" for ch in summary):
        c.add("summary", "'summary' must be one line without control characters", "shorten it to one line")
    elif len(summary) > 200:
        c.add("summary", f"'summary' is {len(summary)} characters long (at most 200)", "shorten it to one line")
    return summary


def _control(text: str) -> str | None:
    """The first control character in ``text`` other than a tab or a line break (a NUL
    would end the CMake file the configure steps write), else ``None``."""
    return next((char for char in text if (char < " " and char not in "\t\n") or char == "\x7f"), None)


def _parse_choice(c: _Checker, table: Mapping[str, Any], key: str, choices: tuple[str, ...], fix: str) -> str | None:
    """A string key whose value is one of ``choices`` (``stage``, ``default``)."""
    value = c.string(table, key, key, fix=fix)
    if value is not None and value not in choices:
        c.add(
            key,
            f"{key} {value!r} is not one of {', '.join(choices)}{suggest(value.upper(), choices)}",
            f"use {_quoted(choices)}" + (" (uppercase)" if key == "default" else ""),
        )
    return value


def _parse_option(c: _Checker, table: Mapping[str, Any], folder_name: str) -> str | None:
    option = c.string(table, "option", "option", fix='write a name such as "USE_CUTLASS"')
    if option is not None and not is_option_name(option):
        c.add(
            "option",
            f"option {option!r} is not a CMake-safe option name (a letter, then letters, digits or '_')",
            f'write option = "{option.upper().replace("-", "_") if option.strip() else "USE_" + folder_name.upper()}",'
            " or remove the key for the host's default name",
        )
    elif option is not None and (why := reserved_variable(option)) is not None:
        c.add("option", f"option {option!r} would collide: {why}", "choose a name of the project's own")
    return option


def _parse_relations(
    c: _Checker, table: Mapping[str, Any], own: str
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None, tuple[str, ...] | None]:
    """``maintainers``, ``requires`` and ``conflicts``: each well formed, none naming the
    module itself, no module in both of the last two."""
    maintainers = c.string_list(
        table,
        "maintainers",
        "maintainers",
        fix='use maintainers = ["Jane Doe <jane@example.org>", "octocat"]',
        item=_check_maintainer,
    )
    fix = "list module names (folder names under modules/)"
    requires = c.string_list(table, "requires", "requires", fix=fix, item=_check_module_ref)
    conflicts = c.string_list(table, "conflicts", "conflicts", fix=fix, item=_check_module_ref)
    if requires and own in requires:
        c.add("requires", f"module {own!r} requires itself", f"remove {own!r} from 'requires'")
    if conflicts and own in conflicts:
        c.add("conflicts", f"module {own!r} conflicts with itself", f"remove {own!r} from 'conflicts'")
    for both in sorted(set(requires or ()) & set(conflicts or ())):
        c.add("conflicts", f"{both!r} is in both 'requires' and 'conflicts'", f"remove {both!r} from one of them")
    return maintainers, requires, conflicts


def _parse_optional(
    c: _Checker, table: Mapping[str, Any], own: str, requires: tuple[str, ...], conflicts: tuple[str, ...]
) -> tuple[str, ...]:
    key = "optional-requires"
    found = c.string_list(
        table, key, key, fix="list module names (folder names under modules/)", item=_check_module_ref
    )
    for name in found or ():
        if name == own:
            c.add(key, f"module {own!r} names itself in {key!r}", f"remove {own!r}")
        elif name in requires:
            c.add(key, f"{name!r} is in 'requires' too, which makes it always needed", "remove it from one of them")
        elif name in conflicts:
            c.add(key, f"{name!r} is in 'conflicts' too: it can never be present", "remove it from one of them")
    return found or ()


def _check_group(entry: str) -> str | None:
    if is_module_name(entry):
        return None
    return f"{entry!r} is not a group name (lowercase letter, then lowercase letters, digits or '_')"


def _parse_groups(c: _Checker, table: Mapping[str, Any]) -> tuple[str, ...]:
    groups = c.string_list(
        table, "groups", "groups", fix='list group names, such as groups = ["cuda_libs"]', item=_check_group
    )
    return groups or ()


def parse_registration(data: bytes, *, path: str, folder_name: str) -> Registration:
    """Parse and validate one registration file.

    ``path`` is how the file is named in messages; ``folder_name`` the name of the
    folder holding it, which the ``name`` key must equal. Every problem in the file is
    reported at once: each pass below adds what it finds to one list.
    """
    text, table = _load(data, path, folder_name)
    c = _Checker(path, text)
    c.unknown_keys(table, _TOP_KEYS, "")
    name = _parse_name(c, table, folder_name)
    summary = _parse_summary(c, table)
    stage = _parse_choice(c, table, "stage", STAGES, 'add stage = "S0" (a new module)')
    option = _parse_option(c, table, folder_name)
    default = _parse_choice(c, table, "default", VALUES, f"use {_quoted(VALUES)}")
    maintainers, requires, conflicts = _parse_relations(c, table, name if name is not None else folder_name)
    native = _parse_native(c, table)
    python_requires = _parse_python(c, table)
    deprecated = _parse_deprecated(c, table)
    commands = _parse_commands(c, table)
    twins = _parse_twins(c, table)
    groups = _parse_groups(c, table)
    optional = _parse_optional(c, table, name if name is not None else folder_name, requires or (), conflicts or ())
    license, license_files = _parse_license(c, table)
    provides = c.string(table, "provides", "provides", fix='name the capability, such as provides = "blas"')
    if provides is not None and not is_module_name(provides):
        c.add(
            "provides",
            f"{provides!r} is not a capability name (lowercase letter, then lowercase letters, digits or '_')",
            'write provides = "blas"',
        )
    priority, probe = _parse_provider(c, table, provides)
    test_requires = _parse_tests(c, table, name if name is not None else folder_name, requires or ())
    if c.problems:
        raise ConfigurationError(c.problems)
    assert name is not None and summary is not None and stage is not None
    return Registration(
        name=name,
        summary=summary,
        stage=stage,
        path=path,
        default=default or "AUTO",
        maintainers=maintainers or (),
        requires=requires or (),
        conflicts=conflicts or (),
        native=native,
        python_requires=python_requires,
        deprecated=deprecated,
        option=option,
        commands=commands,
        twins=twins,
        groups=groups,
        test_requires=test_requires,
        optional_requires=optional,
        provides=provides,
        priority=priority,
        probe=probe,
        license=license,
        license_files=license_files,
    )


def _parse_provider(c: _Checker, table: Mapping[str, Any], provides: str | None) -> tuple[int, str | None]:
    """``priority`` and ``probe``: a provider's rank and its probe for the run-time choice."""
    priority = table.get("priority", 0)
    if type(priority) is not int or not -1000 <= priority <= 1000:
        c.add(
            "priority", f"'priority' must be a whole number from -1000 to 1000, not {priority!r}", "write priority = 10"
        )
        priority = 0
    probe = c.string(table, "probe", "probe", fix='name a function of the module, such as probe = "score"')
    if probe is not None and not _TARGET_RE.match(probe):
        c.add("probe", f"'probe' {probe!r} is not 'function' or 'submodule:function'", 'write probe = "score"')
        probe = None
    for key in ("priority", "probe"):
        if key in table and provides is None:
            c.add(
                key,
                f"{key!r} ranks a provider, and this module provides no capability",
                'add provides = "<capability>"',
            )
    return priority, probe


def _parse_license(c: _Checker, table: Mapping[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    fix = 'write an SPDX expression, such as license = "Apache-2.0" or "MIT OR Apache-2.0" (https://spdx.org/licenses/)'
    text = c.string(table, "license", "license", fix=fix)
    license = None
    if text is not None:
        license, problem = canonical_license(text)
        if problem is not None:
            c.add("license", problem, fix)
    files = c.string_list(
        table,
        "license-files",
        "license-files",
        fix='list globs inside the module folder, such as license-files = ["LICENSE"]',
        item=_check_source,
    )
    return license, files or ()


def _parse_tests(c: _Checker, table: Mapping[str, Any], own: str, requires: tuple[str, ...]) -> tuple[str, ...]:
    tests = _table(c, table, "tests", 'write it as a table: [tests] with requires = ["other"]')
    if tests is None:
        return ()
    c.unknown_keys(tests, _TESTS_KEYS, "tests.")
    found = c.string_list(
        tests,
        "requires",
        "tests.requires",
        fix="list module names (folder names under modules/)",
        item=_check_module_ref,
    )
    for name in found or ():
        if name == own:
            c.add("tests.requires", f"module {own!r}'s tests require the module itself", f"remove {own!r}")
        elif name in requires:
            c.add(
                "tests.requires",
                f"{name!r} is in 'requires' already, so it is on whenever the module is",
                f"remove {name!r} from 'tests.requires'",
            )
    return found or ()


def _table(c: _Checker, table: Mapping[str, Any], key: str, fix: str) -> Mapping[str, Any] | None:
    if key not in table:
        return None
    value = table[key]
    if not isinstance(value, dict):
        c.add(key, f"{key!r} must be a table, got {_type_name(value)} ({value!r})", fix)
        return None
    return value


def _parse_native(c: _Checker, table: Mapping[str, Any]) -> Native | None:
    native = _table(c, table, "native", "write it as a table: [native]")
    if native is None:
        return None
    c.unknown_keys(native, _NATIVE_KEYS, "native.")
    sources = c.string_list(
        native,
        "sources",
        "native.sources",
        fix='list globs inside the module folder, such as ["src/**/*.cc"]',
        item=_check_source,
    )
    if sources is not None and not sources:
        c.add(
            "native.sources", "'native.sources' is empty", "list at least one glob, or remove the key for the default"
        )
    packages: list[Package] = []
    if "packages" in native:
        raw = native["packages"]
        pkg_fix = 'write packages = [{ name = "ZLIB", version = "1.2", components = [] }]'
        if not isinstance(raw, list):
            c.add("native.packages", f"'native.packages' must be an array of tables, got {_type_name(raw)}", pkg_fix)
        else:
            for index, entry in enumerate(raw):
                full = f"native.packages[{index}]"
                if not isinstance(entry, dict):
                    c.add("native.packages", f"{full} must be a table, got {_type_name(entry)} ({entry!r})", pkg_fix)
                    continue
                c.unknown_keys(entry, _PACKAGE_KEYS, f"{full}.")
                pname = c.string(entry, "name", f"{full}.name", fix=pkg_fix)
                if pname is not None and not _CMAKE_PACKAGE_RE.match(pname):
                    c.add("native.packages", f"{full}.name {pname!r} is not a CMake package name", pkg_fix)
                    pname = None
                version = c.string(
                    entry,
                    "version",
                    f"{full}.version",
                    fix=pkg_fix,
                )
                if version is not None and not _CMAKE_VERSION_RE.match(version):
                    c.add(
                        "native.packages",
                        f"{full}.version {version!r} is not a CMake version such as '1.2' or '1.2...<2.0'",
                        "use dotted numbers, or a range min...<max",
                    )
                    version = None
                components = c.string_list(entry, "components", f"{full}.components", fix=pkg_fix)
                targets = c.string_list(
                    entry,
                    "targets",
                    f"{full}.targets",
                    fix='name the package\'s CMake targets, e.g. targets = ["OpenMP::OpenMP_CXX"]',
                    item=_check_target,
                )
                if pname is None:
                    if "name" in entry:
                        continue
                    c.add("native.packages", f"{full} has no 'name'", pkg_fix)
                    continue
                packages.append(Package(pname, version, components or (), targets or ()))
    return Native(sources=sources or DEFAULT_SOURCES, packages=tuple(packages))


def _parse_commands(c: _Checker, table: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    commands = _table(c, table, "commands", 'write it as a table: [commands] with graph = "command"')
    if commands is None:
        return ()
    found = []
    for name, target in commands.items():
        key = f"commands.{name}"
        if not is_command_name(name):
            c.add(key, f"{name!r} is not a command name", "use lower case letters, digits and '-', e.g. graph")
        elif name in CORE_COMMANDS:
            c.add(
                key,
                f"{name!r} is one of modgate's own commands",
                f"choose another name (taken: {', '.join(sorted(CORE_COMMANDS))})",
            )
        elif not isinstance(target, str) or not _TARGET_RE.match(target):
            c.add(
                key,
                f"{target!r} is not a function of the module's package",
                'write "function" (in the module\'s __init__.py) or "submodule:function"; it takes the arguments'
                " after the command name and returns the exit status",
            )
        else:
            found.append((name, target))
    return tuple(sorted(found))


def _relative_file(entry: str, inside: str) -> str | None:
    """Why ``entry`` is not a plain relative file path inside ``inside``; ``None`` if it is."""
    if not entry.strip():
        return "is empty"
    if entry.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", entry):
        return f"{entry!r} is an absolute path; name a file inside {inside}"
    if ".." in re.split(r"[\\/]", entry) or "*" in entry:
        return f"{entry!r} must name one file inside {inside} (no '..', no pattern)"
    return None


def _parse_twins(c: _Checker, table: Mapping[str, Any]) -> tuple[Twin, ...]:
    if "twins" not in table:
        return ()
    raw = table["twins"]
    fix = '[[twins]] with file = "src/copy.cc", other = "modules/other/src/copy.cc", reason = "why"'
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        c.add("twins", f"'twins' must be an array of tables, got {_type_name(raw)} ({raw!r})", f"write {fix}")
        return ()
    found: list[Twin] = []
    for index, entry in enumerate(raw):
        full = f"twins[{index}]"
        c.unknown_keys(entry, _TWIN_KEYS, f"{full}.")
        values = {}
        for key, inside in (("file", "the module folder"), ("other", "the project folder"), ("reason", "")):
            value = c.string(entry, key, f"{full}.{key}", fix=f"write {fix}")
            problem = None
            if value is not None and key != "reason":
                problem = _relative_file(value, inside)
            elif value is not None and not value.strip():
                problem = "is empty"
            if problem:
                c.add(f"twins.{key}", f"{full}.{key} {problem}", f"write {fix}")
                value = None
            values[key] = value
        if values["file"] and values["other"] and values["reason"]:
            twin = Twin(values["file"].replace("\\", "/"), values["other"].replace("\\", "/"), values["reason"])
            if any((t.file, t.other) == (twin.file, twin.other) for t in found):
                c.add("twins", f"{full} declares {twin.file} and {twin.other} a second time", "remove the duplicate")
            else:
                found.append(twin)
    return tuple(found)


def _parse_python(c: _Checker, table: Mapping[str, Any]) -> tuple[str, ...]:
    python = _table(c, table, "python", 'write it as a table: [python] with requires = ["pkg>=1.0"]')
    if python is None:
        return ()
    c.unknown_keys(python, _PYTHON_KEYS, "python.")
    requires = c.string_list(
        python,
        "requires",
        "python.requires",
        fix='write PEP 508 requirements such as "graphviz>=0.20"',
        item=check_requirement,
    )
    return requires or ()


def _parse_deprecated(c: _Checker, table: Mapping[str, Any]) -> Deprecation | None:
    dep = _table(c, table, "deprecated", 'write it as a table: [deprecated] with since = "1.2", reason = "..."')
    if dep is None:
        return None
    c.unknown_keys(dep, _DEPRECATED_KEYS, "deprecated.")
    fix = 'use a PEP 440 version such as "1.4"'
    since = c.string(dep, "since", "deprecated.since", fix=fix)
    removal = c.string(dep, "removal", "deprecated.removal", fix=fix)
    reason = c.string(
        dep,
        "reason",
        "deprecated.reason",
        fix='add reason = "why it is going away"',
    )
    replacement = c.string(
        dep,
        "replacement",
        "deprecated.replacement",
        fix="name what to use instead",
    )
    for key, value in (("deprecated.since", since), ("deprecated.removal", removal)):
        if value is not None:
            message = check_version(value)
            if message:
                c.add(key, message, fix)
    if (
        since is not None
        and removal is not None
        and check_version(since) is None
        and check_version(removal) is None
        and not version_after(removal, since)
    ):
        c.add("deprecated.removal", f"removal {removal!r} is not after since {since!r}", "set a later removal version")
    if reason is not None and not reason.strip():
        c.add("deprecated.reason", "'deprecated.reason' is empty", "say why the module is going away")
    if since is None or reason is None:
        return None
    return Deprecation(since=since, reason=reason, removal=removal, replacement=replacement)
