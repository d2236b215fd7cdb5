"""A host's configuration: ``[tool.modgate]`` in its ``pyproject.toml``.

The one place a project says who it is; the CMake side, the metadata provider, the CLI
and the pytest plugin all read it here::

    [tool.modgate]
    package = "acme"              # the import name: modules are acme.modules.<name>
    modules-dirs = ["modules"]    # folders holding module folders (default)
    option-prefix = "USE_MODULE_" # CMake options are <prefix><NAME> (default)
    # host = "modgate"            # a plugin: the host whose modules it adds to (default: itself)
    module-distribution = "{project}-{module}"  # a module wheel's name (`modgate wheels`; default)
    [tool.modgate.policy]         # what `modgate check` enforces (defaults shown)
    s0-min-maintainers = 3
    core-paths = ["src", "include", "python/acme"]
    ignore = []                   # finding codes to leave out
    twins = "warn"                # code copied between modules, undeclared: "warn", "error" or "off"
    twins-min-lines = 6           # the smallest copy that counts
    forbid-licenses = []          # SPDX ids no module's `license` may name (MG800)
    [tool.modgate.groups]         # per group (module.toml `groups`): its option's name, a summary
    cuda_libs = { option = "USE_CUDA_LIBS", summary = "the CUDA libraries" }  # default MODGATE_GROUP_CUDA_LIBS
    [tool.modgate.capabilities]   # per capability (module.toml `provides`): how many providers may be on
    blas = { policy = "at-most-one", option = "USE_BLAS", default = "none" }  # or just blas = "exactly-one"
    gpu = { policy = "any", prefer = ["cuda", "rocm"] }  # built side by side, the best chosen at run time

:func:`parse_host` is pure; :func:`read_host` reads the file. The standard library only.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._names import (
    CAPABILITY_POLICIES,
    DEFAULT_MODULE_DISTRIBUTION,
    DEFAULT_MODULES_DIRS,
    DEFAULT_OPTION_PREFIX,
    MODULE_VALUES,
    NO_PROVIDER,
    capability_option,
    group_option,
    is_module_name,
    is_option_name,
    is_package_name,
    module_distribution,
)
from .problems import ConfigurationError, Problem, suggest
from .reserved import reserved_variable
from .schema import HOST_FIELDS, TWIN_POLICIES, keys

__all__ = [
    "PYPROJECT",
    "CapabilitySetting",
    "GroupSetting",
    "HostConfig",
    "Policy",
    "find_project",
    "host_package_around",
    "parse_host",
    "read_host",
]

PYPROJECT = "pyproject.toml"
_TABLE = "tool.modgate"
# Keys and allowed values: declared once, in schema.py (``modgate schema --host`` prints them).
_KEYS = keys(declared=HOST_FIELDS)
_GROUP_KEYS = keys("groups", declared=HOST_FIELDS)
_CAPABILITY_KEYS = keys("capabilities", declared=HOST_FIELDS)
_POLICY_KEYS = keys("policy", declared=HOST_FIELDS)


@dataclass(frozen=True)
class Policy:
    """What ``modgate check`` enforces; ``core_paths`` empty means the default
    (``src``, ``include``, ``python/<package>`` without its ``modules``)."""

    s0_min_maintainers: int = 3
    core_paths: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    twins: str = "warn"  # an undeclared twin in `modgate check`: a warning, an error, or not looked for
    twins_min_lines: int = 6
    forbid_licenses: tuple[str, ...] = ()  # SPDX license ids no module's license may name


@dataclass(frozen=True)
class GroupSetting:
    """What the host says of one group (``[tool.modgate.groups.<name>]``): the option's
    name, when not ``MODGATE_GROUP_<NAME>`` (a name the project had before), the value its
    members take when nothing the user set decides (empty: none), and a summary."""

    name: str
    option: str | None = None
    summary: str = ""
    default: str = ""


@dataclass(frozen=True)
class CapabilitySetting:
    """What the host says of one capability (``[tool.modgate.capabilities]``): how many of
    its providers may be on, its option's name when not ``MODGATE_PROVIDER_<NAME>``, the
    provider chosen when the option is unset (or ``none``; empty: each provider's own
    setting), and a summary."""

    name: str
    policy: str = "at-most-one"
    option: str | None = None
    default: str = ""
    summary: str = ""
    prefer: tuple[str, ...] = ()  # policy any: the providers tried first at run time, in order


@dataclass(frozen=True)
class HostConfig:
    """A project adopting modgate. ``package`` is where its files install; ``host_package``
    the package whose modules its modules are (itself, unless it is a plugin)."""

    package: str
    host_package: str  # the host whose modules these are: itself, or the host a plugin extends
    modules_dirs: tuple[str, ...] = DEFAULT_MODULES_DIRS
    option_prefix: str = DEFAULT_OPTION_PREFIX
    policy: Policy = field(default_factory=Policy)
    path: str = PYPROJECT
    distribution: str = ""  # [project] name: what `pip install` takes (default: the package)
    module_distribution: str = DEFAULT_MODULE_DISTRIBUTION  # a module wheel's name pattern
    groups: tuple[GroupSetting, ...] = ()  # [tool.modgate.groups], sorted by name
    capabilities: tuple[CapabilitySetting, ...] = ()  # [tool.modgate.capabilities], sorted by name
    license: str = ""  # [project] license when it is a string (PEP 639: an SPDX expression), as written

    @property
    def group_defaults(self) -> dict[str, str]:
        """Each group the host gives a default value: group -> value."""
        return {group.name: group.default for group in self.groups if group.default}

    @property
    def group_renames(self) -> dict[str, str]:
        """Each group the host gives an option name of its own: group -> option."""
        return {group.name: group.option for group in self.groups if group.option is not None}

    def group_summary(self, name: str) -> str:
        return next((group.summary for group in self.groups if group.name == name), "")

    def capability_summary(self, name: str) -> str:
        return next((c.summary for c in self.capabilities if c.name == name), "")

    @property
    def distribution_name(self) -> str:
        return self.distribution or self.package

    def distribution_of(self, module: str) -> str:
        """The distribution module ``module`` ships as when it has a wheel of its own."""
        return module_distribution(self.distribution_name, module, self.module_distribution)

    @property
    def is_plugin(self) -> bool:
        return self.host_package != self.package

    def chosen_at_run_time(self, capability: str) -> bool:
        """Whether ``capability`` has policy ``any``: its providers are built side by side."""
        return any(c.name == capability and c.policy == "any" for c in self.capabilities)


def _bad(key: str, message: str, fix: str, path: str) -> Problem:
    return Problem(path, f"[{_TABLE}] {key}", message, fix)


def _string_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)


def _policy(raw: object, path: str, problems: list[Problem]) -> Policy:
    if raw is None:
        return Policy()
    if not isinstance(raw, dict):
        problems.append(_bad("policy", f"must be a table, not {raw!r}", f"write [{_TABLE}.policy]", path))
        return Policy()
    for key in raw:
        if key not in _POLICY_KEYS:
            problems.append(
                _bad(
                    f"policy.{key}",
                    f"unknown policy key {key!r}{suggest(key, _POLICY_KEYS)}",
                    "use only " + ", ".join(_POLICY_KEYS),
                    path,
                )
            )
    minimum = raw.get("s0-min-maintainers", 3)
    if type(minimum) is not int or minimum < 0:
        problems.append(
            _bad("policy.s0-min-maintainers", f"must be a whole number ≥ 0, not {minimum!r}", "write 3", path)
        )
        minimum = 3
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("core-paths", "ignore"):
        value = raw.get(key, [])
        if not _string_list(value):
            problems.append(
                _bad(f"policy.{key}", f"must be an array of strings, not {value!r}", f"write {key} = [...]", path)
            )
            value = []
        lists[key] = tuple(value)
    twins = raw.get("twins", "warn")
    if twins not in TWIN_POLICIES:
        problems.append(
            _bad("policy.twins", f"must be one of {', '.join(TWIN_POLICIES)}, not {twins!r}", 'write "warn"', path)
        )
        twins = "warn"
    lines = raw.get("twins-min-lines", 6)
    if type(lines) is not int or lines < 1:
        problems.append(_bad("policy.twins-min-lines", f"must be a whole number ≥ 1, not {lines!r}", "write 6", path))
        lines = 6
    return Policy(
        s0_min_maintainers=minimum,
        core_paths=lists["core-paths"],
        ignore=lists["ignore"],
        twins=twins,
        twins_min_lines=lines,
        forbid_licenses=_forbidden(raw.get("forbid-licenses", []), path, problems),
    )


def _forbidden(raw: object, path: str, problems: list[Problem]) -> tuple[str, ...]:
    """``forbid-licenses``: SPDX license ids, each canonical."""
    key = "policy.forbid-licenses"
    if not _string_list(raw):
        problems.append(_bad(key, f"must be an array of SPDX license ids, not {raw!r}", 'write ["GPL-3.0-only"]', path))
        return ()
    from .versions import canonical_license

    found = []
    for entry in raw:  # type: ignore[attr-defined]
        canonical, problem = canonical_license(entry)
        if problem is not None or canonical is None or " " in canonical:
            why = problem or f"{entry!r} is an expression, not one license id"
            problems.append(_bad(key, why, 'list SPDX license ids, such as "GPL-3.0-only"', path))
            continue
        found.append(canonical)
    return tuple(found)


def _default_package(project: Mapping[str, Any]) -> str:
    name = project.get("name")
    if not isinstance(name, str):
        return ""
    return name.replace("-", "_").replace(".", "_").lower()


def parse_host(pyproject: Mapping[str, Any], *, path: str = PYPROJECT) -> HostConfig:
    """The host configuration of a parsed ``pyproject.toml``; raises
    :class:`ConfigurationError` listing every problem."""
    tool = pyproject.get("tool", {})
    table = tool.get("modgate") if isinstance(tool, dict) else None
    project = pyproject.get("project", {})
    if table is None:
        guess = _default_package(project if isinstance(project, dict) else {})
        fix = f'add to {path}:\n        [{_TABLE}]\n        package = "{guess or "<your import name>"}"'
        raise ConfigurationError(
            [Problem(path, f"[{_TABLE}]", "the project does not declare itself a modgate host", fix)]
        )
    problems: list[Problem] = []
    if not isinstance(table, dict):
        raise ConfigurationError([_bad("", f"must be a table, not {table!r}", f"write [{_TABLE}]", path)])
    for key in table:
        if key not in _KEYS:
            problems.append(
                _bad(key, f"unknown key {key!r}{suggest(key, _KEYS)}", "use only " + ", ".join(_KEYS), path)
            )
    package: str | None = table.get("package")
    if package is None:
        package = _default_package(project if isinstance(project, dict) else {})
        if not package:
            problems.append(_bad("package", "is missing", 'write package = "<your import name>"', path))
    if package and not is_package_name(package):
        problems.append(
            _bad("package", f"{package!r} is not an importable package name", 'write package = "acme"', path)
        )
    # A project is its own host unless it says whose modules it adds to (a plugin).
    host = table.get("host", package)
    if "host" in table and not is_package_name(host):
        problems.append(
            _bad("host", f"{host!r} is not an importable package name", "name the host package it extends", path)
        )
    dirs = table.get("modules-dirs", list(DEFAULT_MODULES_DIRS))
    if not (_string_list(dirs) and dirs):
        problems.append(
            _bad("modules-dirs", f"must be a non-empty array of folder names, not {dirs!r}", 'write ["modules"]', path)
        )
        dirs = list(DEFAULT_MODULES_DIRS)
    elif len(set(dirs)) != len(dirs):
        problems.append(_bad("modules-dirs", f"lists a folder twice: {dirs!r}", "remove the duplicate", path))
    for folder in dirs:
        if Path(folder).is_absolute() or ".." in Path(folder).parts:
            problems.append(
                _bad("modules-dirs", f"{folder!r} leaves the project", "name folders inside the project", path)
            )
    prefix = table.get("option-prefix", DEFAULT_OPTION_PREFIX)
    if not (isinstance(prefix, str) and is_option_name(prefix + "X") and prefix.endswith("_")):
        problems.append(
            _bad(
                "option-prefix",
                f"{prefix!r} is not an option prefix (a letter, then letters, digits and '_', ending in '_')",
                f'write option-prefix = "{DEFAULT_OPTION_PREFIX}"',
                path,
            )
        )
        prefix = DEFAULT_OPTION_PREFIX
    elif (why := reserved_variable(prefix)) is not None:
        problems.append(
            _bad(
                "option-prefix",
                f"{prefix!r} would collide: {why}",
                f'write option-prefix = "{DEFAULT_OPTION_PREFIX}" or your project\'s own prefix',
                path,
            )
        )
    pattern = _module_distribution(table.get("module-distribution"), project, path, problems)
    policy = _policy(table.get("policy"), path, problems)
    groups = _groups(table.get("groups"), path, problems)
    capabilities = _capabilities(table.get("capabilities"), path, problems)
    license = project.get("license") if isinstance(project, dict) else None
    if problems:
        raise ConfigurationError(problems)
    return HostConfig(
        package=str(package),
        host_package=str(host),
        modules_dirs=tuple(dirs),
        option_prefix=str(prefix),
        policy=policy,
        path=path,
        distribution=str(project.get("name", "")) if isinstance(project, dict) else "",
        module_distribution=pattern,
        groups=groups,
        capabilities=capabilities,
        license=license if isinstance(license, str) else "",
    )


def _entry_ok(
    key: str,
    name: str,
    entry: object,
    allowed: tuple[str, ...],
    words: tuple[str, str, str],
    example: str,
    path: str,
    problems: list[Problem],
) -> bool:
    """Whether one entry of ``[tool.modgate.groups]`` or ``.capabilities`` is a table under a
    name module.toml can use, with known keys only (each problem added). ``words``: what
    the name is, how module.toml gives it, and what the entry must be."""
    kind, given, shape = words
    if not is_module_name(name):
        problems.append(
            _bad(
                key,
                f"{name!r} is not a {kind} name (lowercase letter, then lowercase letters, digits or '_')",
                f"write the name as module.toml's {given}",
                path,
            )
        )
        return False
    if not isinstance(entry, dict):
        problems.append(_bad(key, f"must be {shape}, not {entry!r}", f"write {example}", path))
        return False
    for unknown in sorted(set(entry) - set(allowed)):
        problems.append(
            _bad(
                f"{key}.{unknown}",
                f"unknown key {unknown!r}{suggest(unknown, allowed)}",
                "use only " + ", ".join(allowed),
                path,
            )
        )
    return True


def _capabilities(raw: object, path: str, problems: list[Problem]) -> tuple[CapabilitySetting, ...]:
    """``[tool.modgate.capabilities]``: a policy, or a table with one, per capability."""
    if raw is None:
        return ()
    example = '[tool.modgate.capabilities] blas = { policy = "at-most-one", option = "USE_BLAS", default = "none" }'
    if not isinstance(raw, dict):
        problems.append(_bad("capabilities", f"must be a table, not {raw!r}", f"write {example}", path))
        return ()
    found: list[CapabilitySetting] = []
    for name in sorted(raw):
        entry = raw[name]
        key = f"capabilities.{name}"
        if isinstance(entry, str):
            entry = {"policy": entry}
        if not _entry_ok(
            key,
            name,
            entry,
            _CAPABILITY_KEYS,
            ("capability", "provides gives it", "a policy or a table"),
            example,
            path,
            problems,
        ):
            continue
        policy = entry.get("policy", CAPABILITY_POLICIES[0])
        if policy not in CAPABILITY_POLICIES:
            shown = " or ".join(f'"{p}"' for p in CAPABILITY_POLICIES)
            problems.append(
                _bad(
                    f"{key}.policy",
                    f"{policy!r} is not a policy{suggest(str(policy), CAPABILITY_POLICIES)}",
                    f"write {shown}",
                    path,
                )
            )
            policy = CAPABILITY_POLICIES[0]
        option = entry.get("option")
        clash = reserved_variable(option) if is_option_name(option) else None
        if option is not None and (not is_option_name(option) or clash is not None):
            problems.append(
                _bad(
                    f"{key}.option",
                    f"{option!r} is not a CMake-safe option name of the project's own (a letter, then letters,"
                    f" digits or '_'{'; ' + clash if clash else ''})",
                    f'write option = "USE_{name.upper()}", or remove the key for {capability_option(name)}',
                    path,
                )
            )
            option = None
        default = entry.get("default", "")
        if not isinstance(default, str) or (default and not is_module_name(default)):
            problems.append(
                _bad(
                    f"{key}.default",
                    f"must be a provider's module name or {NO_PROVIDER!r}, not {default!r}",
                    f'write default = "{NO_PROVIDER}", or a module that provides {name!r}',
                    path,
                )
            )
            default = ""
        elif default == NO_PROVIDER and policy == "exactly-one":
            problems.append(
                _bad(
                    f"{key}.default",
                    f"is {NO_PROVIDER!r}, but the policy {policy!r} needs one provider on",
                    'name a provider, or write policy = "at-most-one"',
                    path,
                )
            )
            default = ""
        summary = entry.get("summary", "")
        if not isinstance(summary, str) or "\n" in summary:
            problems.append(_bad(f"{key}.summary", f"must be one line of text, not {summary!r}", "shorten it", path))
            summary = ""
        prefer = entry.get("prefer", [])
        if not (_string_list(prefer) and all(is_module_name(p) for p in prefer)) or len(set(prefer)) != len(prefer):
            why = f"must be an array of provider names, each once, not {prefer!r}"
            problems.append(_bad(f"{key}.prefer", why, 'write prefer = ["mkl", "openblas"]', path))
            prefer = []
        found.append(CapabilitySetting(name, str(policy), option, default, summary, tuple(prefer)))
    owners: dict[str, str] = {}
    for setting in found:
        option = setting.option
        if option is not None and option in owners:
            problems.append(
                _bad(
                    f"capabilities.{setting.name}.option",
                    f"{option!r} is already the option of capability {owners[option]!r}",
                    "give each capability an option of its own",
                    path,
                )
            )
        elif option is not None:
            owners[option] = setting.name
    return tuple(found)


def _groups(raw: object, path: str, problems: list[Problem]) -> tuple[GroupSetting, ...]:
    """``[tool.modgate.groups]``: a table per group, each option a name of its own."""
    if raw is None:
        return ()
    example = '[tool.modgate.groups] cuda_libs = { option = "USE_CUDA_LIBS", summary = "the CUDA libraries" }'
    if not isinstance(raw, dict):
        problems.append(_bad("groups", f"must be a table, not {raw!r}", f"write {example}", path))
        return ()
    found: list[GroupSetting] = []
    owners: dict[str, str] = {}
    for name in sorted(raw):
        entry = raw[name]
        key = f"groups.{name}"
        if not _entry_ok(
            key, name, entry, _GROUP_KEYS, ("group", "groups lists it", "a table"), example, path, problems
        ):
            continue
        option = entry.get("option")
        if option is not None and not is_option_name(option):
            problems.append(
                _bad(
                    f"{key}.option",
                    f"{option!r} is not a CMake-safe option name (a letter, then letters, digits or '_')",
                    'write option = "USE_CUDA_LIBS"',
                    path,
                )
            )
            option = None
        elif option is not None and (why := reserved_variable(option)) is not None:
            problems.append(
                _bad(
                    f"{key}.option",
                    f"{option!r} would collide: {why}",
                    f"choose another name, or remove the key for {group_option(name)}",
                    path,
                )
            )
            option = None
        elif option is not None and option in owners:
            problems.append(
                _bad(
                    f"{key}.option",
                    f"{option!r} is already the option of group {owners[option]!r}",
                    "give each group an option of its own",
                    path,
                )
            )
            option = None
        if option is not None:
            owners[option] = name
        summary = entry.get("summary", "")
        if not isinstance(summary, str) or "\n" in summary:
            problems.append(
                _bad(
                    f"{key}.summary",
                    f"must be one line of text, not {summary!r}",
                    'write summary = "what the group holds"',
                    path,
                )
            )
            summary = ""
        default = entry.get("default", "")
        if default not in ("", *MODULE_VALUES):
            problems.append(
                _bad(
                    f"{key}.default",
                    f"{default!r} is not one of {', '.join(MODULE_VALUES)}"
                    f"{suggest(str(default).upper(), MODULE_VALUES)}",
                    f'write default = "{MODULE_VALUES[2]}" (or another of {", ".join(MODULE_VALUES)}, upper case)',
                    path,
                )
            )
            default = ""
        found.append(GroupSetting(name, option, summary, default))
    return tuple(found)


_DISTRIBUTION_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def _module_distribution(raw: object, project: object, path: str, problems: list[Problem]) -> str:
    """``module-distribution``: a pattern holding ``{module}`` (and perhaps ``{project}``)
    whose every result is a distribution name other than the host's own."""
    if raw is None:
        return DEFAULT_MODULE_DISTRIBUTION
    key = "module-distribution"
    fix = f'write {key} = "{DEFAULT_MODULE_DISTRIBUTION}" (or e.g. "acme-plugin-{{module}}")'
    if not isinstance(raw, str) or "{module}" not in raw:
        problems.append(_bad(key, f"must be a string holding {{module}}, not {raw!r}", fix, path))
        return DEFAULT_MODULE_DISTRIBUTION
    name = str(project.get("name", "")) if isinstance(project, dict) else ""
    rest = raw.replace("{project}", "").replace("{module}", "")
    sample = module_distribution(name or "project", "x_y", raw)
    if "{" in rest or "}" in rest or not sample or not set(sample) <= _DISTRIBUTION_CHARS:
        problems.append(
            _bad(
                key,
                f"{raw!r} does not make a distribution name (module x_y would ship as {sample!r}): only {{project}},"
                " {module}, letters, digits, '-', '_' and '.' may appear",
                fix,
                path,
            )
        )
        return DEFAULT_MODULE_DISTRIBUTION
    if raw.count("{module}") != 1:
        problems.append(_bad(key, f"{raw!r} names {{module}} more than once", fix, path))
        return DEFAULT_MODULE_DISTRIBUTION
    return raw


def read_host(project_dir: Path, *, shown_as: str | None = None) -> HostConfig:
    """Read ``<project_dir>/pyproject.toml``; raises :class:`ConfigurationError`."""
    file = project_dir / PYPROJECT
    path = shown_as or file.as_posix()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(
            [
                Problem(
                    path,
                    None,
                    "there is no pyproject.toml, so the project does not say which package it is",
                    f'create it with [{_TABLE}] package = "<your import name>" (`modgate init` writes a whole host)',
                )
            ]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError([Problem(path, None, f"cannot read the file: {exc}", "check the file")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError([Problem(path, None, f"TOML syntax error: {exc}", "fix the TOML syntax")]) from None
    except RecursionError:
        fix = "write tables and arrays a few levels deep"
        raise ConfigurationError([Problem(path, None, "the TOML nests too deep to read", fix)]) from None
    return parse_host(data, path=path)


def find_project(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding a ``pyproject.toml``, or ``None``."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / PYPROJECT).is_file():
            return candidate
    return None


def host_package_around(start: Path | None = None, *, fallback: str = "modgate") -> str:
    """The host package of the project around ``start`` (the current folder): its
    ``[tool.modgate]`` host, or ``fallback`` when there is no such project or it is invalid
    (the command or plugin asking then reports what it finds about ``fallback``)."""
    project = find_project(start or Path.cwd())
    if project is None:
        return fallback
    try:
        return read_host(project).host_package
    except ConfigurationError:
        return fallback
