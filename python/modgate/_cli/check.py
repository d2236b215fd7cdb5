"""``modgate check``: the promises of the module process, checked on a host's tree without
building it.

Every finding has a stable code, a severity, the file (relative to the project folder),
the line where there is one, a message and a fix. The rules, their defaults and how a host
tunes them (``[tool.modgate.policy]``) are in the module author guide; ``RULES`` below is
the one list of codes.

Sources are read with :mod:`modgate._sourcescan`, which uses the scan module's native
scanner when this modgate was built with it, and its pure-Python twin otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import _sourcescan as sourcescan
from .._configure.discovery import Discovery, discover_project
from .._configure.graph import check_graph, outside_references, requires_closure, soft_references
from .._configure.host import HostConfig, read_host
from .._configure.problems import ConfigurationError, Problem
from .._configure.registration import Registration, line_of
from .._configure.request import host_options
from .._configure.resolver import decide
from .._names import MODULES_PACKAGE, NO_PROVIDER, REGISTRATION_FILE
from ..exceptions import ModgateError
from ._common import DIR_HELP
from ._owners import BEGIN, codeowners_block, codeowners_file, merged
from ._sources import CXX_SUFFIXES, core_folders, source_files, unreadable

__all__ = ["RULES", "Finding", "check_tree", "format_findings", "main", "populate_parser"]

ERROR = "error"
WARNING = "warning"

# code: (severity, what it checks). The one list: the docs table and `ignore` use these.
RULES: dict[str, tuple[str, str]] = {
    "MG001": (ERROR, "[tool.modgate.policy] ignore names a code that does not exist"),
    "MG100": (ERROR, "a registration file does not parse or validate"),
    "MG101": (ERROR, "requires names an unknown module, or requires form a cycle"),
    "MG102": (WARNING, "conflicts, optional-requires or [tests] requires name a module that is not here (ignored)"),
    "MG103": (ERROR, "a configure with no option set refuses the host (what modgate plan and configure report)"),
    "MG200": (ERROR, "an S0 module has fewer maintainers than the policy asks"),
    "MG201": (ERROR, "an S1/S2 module requires an S0 module"),
    "MG300": (ERROR, "a module has no maintainers"),
    "MG301": (ERROR, "a maintainer entry is neither a handle (@team, user) nor 'Name <email>' (the parser's rule)"),
    "MG302": (WARNING, "the generated CODEOWNERS block no longer matches the module.toml maintainers"),
    "MG400": (ERROR, "the host's version is at or past a deprecated module's removal"),
    "MG401": (WARNING, "a module is deprecated (its removal is still ahead)"),
    "MG402": (ERROR, "a deprecation's replacement does not exist or is itself deprecated"),
    "MG500": (ERROR, "the core includes a module's header"),
    "MG501": (ERROR, "the core tests a module's option in the preprocessor"),
    "MG502": (ERROR, "the core imports a module in Python"),
    "MG600": (ERROR, "a module includes the header of a module its requires does not name"),
    "MG601": (ERROR, "a module includes another module's file by a relative path its requires does not name"),
    "MG602": (ERROR, "a module imports a module its requires does not name"),
    "MG700": (WARNING, "code duplicated between two modules, or a module and the core, that no [[twins]] declares"),
    "MG701": (ERROR, "a [[twins]] entry names a file that does not exist"),
    "MG702": (WARNING, "twins were not looked for: the clone detector (lizard) is not installed"),
    "MG703": (WARNING, "a source over 1 MB was not looked at for twins (generated or vendored code)"),
    "MG800": (ERROR, "a module's license names a license the host's policy forbids"),
    "MG801": (
        ERROR,
        "two or more providers of a capability are on by default and the host names no default choice:"
        " a default configure refuses to choose",
    ),
}

_CXX = CXX_SUFFIXES
_PREPROCESSOR = re.compile(r"^[ \t]*#[ \t]*(?:if|ifdef|ifndef|elif|elifdef|elifndef)\b(.*)$")


@dataclass(frozen=True)
class Finding:
    path: str  # relative to the project folder, with /
    line: int | None
    code: str
    severity: str
    message: str
    fix: str


def _finding(code: str, path: str, line: int | None, message: str, fix: str) -> Finding:
    return Finding(path, line, code, RULES[code][0], message, fix)


# --- the tree ------------------------------------------------------------------------


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise unreadable(path, exc) from None


# --- registration, stage, ownership, deprecation -------------------------------------


def _problem_finding(code: str, problem: Problem, root: Path) -> Finding:
    file, line = problem.file, problem.line
    message = problem.message if problem.key is None else f"{problem.key}: {problem.message}"
    return _finding(
        code, _relative(root / file, root) if not Path(file).is_absolute() else file, line, message, problem.fix
    )


def _registration_rules(
    modules: Mapping[str, Registration], texts: Mapping[str, str], version: str | None, minimum: int
) -> list[Finding]:
    from .._configure.versions import version_after

    findings = []
    for name in sorted(modules):
        reg = modules[name]
        text = texts.get(name, "")
        if reg.stage == "S0" and 0 < len(reg.maintainers) < minimum:
            findings.append(
                _finding(
                    "MG200",
                    reg.path,
                    line_of(text, "maintainers"),
                    f"S0 module {name!r} has {len(reg.maintainers)} maintainer(s); the policy asks for {minimum}",
                    f"add maintainers to {reg.path}, or set [tool.modgate.policy] s0-min-maintainers",
                )
            )
        if reg.stage in ("S1", "S2"):
            for dep in reg.requires:
                if dep in modules and modules[dep].stage == "S0":
                    findings.append(
                        _finding(
                            "MG201",
                            reg.path,
                            line_of(text, "requires"),
                            f"{reg.stage} module {name!r} requires S0 module {dep!r}: a mature module may depend on"
                            " an S0 one only once that module is promoted (an S1 decision)",
                            f'promote {dep!r} first (stage = "S1" in {modules[dep].path}), or drop the requirement',
                        )
                    )
        if not reg.maintainers:
            findings.append(
                _finding(
                    "MG300",
                    reg.path,
                    line_of(text, "maintainers"),
                    f"module {name!r} has no maintainers",
                    'add maintainers = ["Jane Doe <jane@example.org>", "@org/team"]',
                )
            )
        gone = reg.deprecated
        if gone is None:
            continue
        line = line_of(text, "deprecated")
        if gone.replacement is not None:
            other = modules.get(gone.replacement)
            if other is None or other.deprecated is not None:
                why = "does not exist" if other is None else "is itself deprecated"
                findings.append(
                    _finding(
                        "MG402",
                        reg.path,
                        line,
                        f"module {name!r} names {gone.replacement!r} as its replacement, which {why}",
                        "name a module that exists and is not deprecated, or drop deprecated.replacement",
                    )
                )
        instead = f"; use {gone.replacement!r} instead" if gone.replacement else ""
        if gone.removal is not None and version is not None and not version_after(gone.removal, version):
            findings.append(
                _finding(
                    "MG400",
                    reg.path,
                    line,
                    f"module {name!r} was to be removed in {gone.removal}, and the project is at {version}{instead}",
                    f"delete modules/{name}/ (and what requires it), or move deprecated.removal later",
                )
            )
        else:
            removal = f", to be removed in {gone.removal}" if gone.removal else ""
            findings.append(
                _finding(
                    "MG401",
                    reg.path,
                    line,
                    f"module {name!r} is deprecated since {gone.since}{removal}: {gone.reason}{instead}",
                    "move its users to the replacement before the removal version",
                )
            )
    return findings


# --- isolation -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Host:
    """What the isolation rules need to know of a host's modules."""

    root: Path
    package: str
    host_package: str
    prefix: str  # option prefix
    modules: Mapping[str, Registration]
    folders: Mapping[str, Path]  # module -> its folder (resolved)

    def header_owner(self, target: str) -> str | None:
        """The module whose public header ``target`` (``<host>/<name>/...``) is."""
        head, _, rest = target.partition("/")
        name, slash, _ = rest.partition("/")
        if head == self.host_package and slash and name in self.modules:
            return name
        return None

    def folder_owner(self, path: Path) -> str | None:
        resolved = path.resolve()
        for name, folder in self.folders.items():
            if resolved.is_relative_to(folder):
                return name
        return None

    def import_owner(self, dotted: str) -> str | None:
        """The module ``<host or package>.modules.<name>[...]`` names (``None`` for the core's)."""
        for top in {self.host_package, self.package}:
            lead = f"{top}.{MODULES_PACKAGE}."
            if dotted.startswith(lead):
                return dotted[len(lead) :].partition(".")[0] or None
        return None

    def option_owner(self, word: str) -> str | None:
        """The module whose CMake option ``word`` is (a core's own ``USE_OPENMP`` is none)."""
        for name, reg in self.modules.items():
            if word == reg.option_for(self.prefix):
                return name
        return None


def _python_package(path: Path, module_folder: Path | None, host: _Host) -> str:
    """The package a Python file belongs to once installed (for relative imports)."""
    if module_folder is not None:
        name = module_folder.name
        inside = (
            path.parent.relative_to(module_folder / "python") if (module_folder / "python") in path.parents else None
        )
        base = f"{host.host_package}.{MODULES_PACKAGE}.{name}"
        return base if inside is None or str(inside) == "." else f"{base}.{'.'.join(inside.parts)}"
    parts = path.parent.relative_to(host.root).parts
    if parts[:1] == ("python",):
        parts = parts[1:]
    return ".".join(parts)


def _absolute(module: str, name: str, package: str) -> list[str]:
    """The dotted names an import statement reaches (both ``m`` and ``m.name`` for a from-import)."""
    level = len(module) - len(module.lstrip("."))
    rest = module[level:]
    if level:
        parts = package.split(".")
        base = ".".join(parts[: len(parts) - (level - 1)]) if level - 1 <= len(parts) else ""
        module = f"{base}.{rest}" if rest else base
    targets = [module]
    if name and name != "*":
        targets.append(f"{module}.{name}")
    return targets


def _cxx_findings(path: Path, text: str, owner: str | None, host: _Host, allowed: set[str]) -> list[Finding]:
    findings = []
    where = _relative(path, host.root)
    for line, target, angled in sourcescan.includes(text):
        used = host.header_owner(target)
        how = "include"
        if used is None and not angled and "/" in target:
            candidate = host.folder_owner(path.parent / target)
            if candidate is not None and candidate != owner:
                used, how = candidate, "relative"
        if used is None or used == owner or used in allowed:
            continue
        if owner is None:
            findings.append(
                _finding(
                    "MG500",
                    where,
                    line,
                    f"the core includes <{target}>, a file of module {used!r}: the core never depends on a module",
                    f'reach {used!r} by name through the registry (modgate::find_function("{used}.<function>")),'
                    " which allows it to be off",
                )
            )
        else:
            code = "MG601" if how == "relative" else "MG600"
            findings.append(
                _finding(
                    code,
                    where,
                    line,
                    f"module {owner!r} includes {target!r}, a file of module {used!r}, which its requires does not"
                    " name" + (" (a relative path past the include-path guard)" if how == "relative" else ""),
                    f'add "{used}" to requires in {host.modules[owner].path}'
                    + (f" and include <{host.host_package}/{used}/...>" if how == "relative" else ""),
                )
            )
    if owner is None:
        for number, raw in enumerate(text.splitlines(), 1):
            match = _PREPROCESSOR.match(raw)
            if not match:
                continue
            for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", match.group(1)):
                used = host.option_owner(word)
                if used is not None:
                    findings.append(
                        _finding(
                            "MG501",
                            where,
                            number,
                            f"the core tests {word} in the preprocessor: a module's option must not change the core's"
                            " code (toggling it would recompile the core, and the core would depend on the module)",
                            f'reach {used!r} at run time: modgate::find_function("{used}.<function>") returns'
                            " nullptr when it is off",
                        )
                    )
    return findings


def _python_findings(
    path: Path, text: str, owner: str | None, module_folder: Path | None, host: _Host, allowed: set[str]
) -> list[Finding]:
    findings = []
    where = _relative(path, host.root)
    package = _python_package(path, module_folder, host)
    for line, module, name in sourcescan.imports(text):
        used = None
        for dotted in _absolute(module, name, package):
            used = host.import_owner(dotted) or used
        if used is None or used == owner or used in allowed:
            continue
        tests_only = owner is not None and used in host.modules[owner].test_requires
        if owner is None:
            findings.append(
                _finding(
                    "MG502",
                    where,
                    line,
                    f"the core imports module {used!r} ({host.host_package}.{MODULES_PACKAGE}.{used}): the core never"
                    " depends on a module",
                    f"ask for it where it is optional: {host.host_package}.is_available({used!r}) or"
                    f" {host.host_package}.require({used!r}) inside the code that needs it, never at the core's import",
                )
            )
        else:
            findings.append(
                _finding(
                    "MG602",
                    where,
                    line,
                    f"module {owner!r} imports module {used!r}, which its requires does not name"
                    + (" (its [tests] requires does, which holds for its tests/ folder only)" if tests_only else ""),
                    f'add "{used}" to requires in {host.modules[owner].path}'
                    + ("" if tests_only else ", or to [tests] requires if only its tests/ use it"),
                )
            )
    return findings


def _findings_in(path: Path, owner: str | None, folder: Path | None, host: _Host, allowed: set[str]) -> list[Finding]:
    """The isolation findings of one source file of the core (``owner`` None) or of a module."""
    text = _read(path)
    if path.suffix == ".py":
        return _python_findings(path, text, owner, folder, host, allowed)
    return _cxx_findings(path, text, owner, host, allowed)


def _isolation_rules(config: HostConfig, found: Discovery, root: Path) -> list[Finding]:
    modules = found.registrations
    folders = {name: m.directory.resolve() for name, m in found.modules.items()}
    host = _Host(root, config.package, config.host_package, config.option_prefix, modules, folders)
    findings: list[Finding] = []
    core, outside = core_folders(config, root)
    for folder in core:
        if folder.exists():
            for path in source_files(folder, outside) if folder.is_dir() else [folder]:
                findings += _findings_in(path, None, None, host, set())
    for name, source in sorted(found.modules.items()):
        # What it requires, directly or not, and what it may use when present.
        allowed = set(requires_closure(modules, name)) | {
            d for o in modules[name].optional_requires if o in modules for d in (o, *requires_closure(modules, o))
        }
        # Its tests may use, besides, what [tests] requires names (and what those require).
        tested = allowed | {
            d for t in modules[name].test_requires if t in modules for d in (t, *requires_closure(modules, t))
        }
        tests = source.directory / "tests"
        for path in source_files(source.directory):
            uses = tested if path.is_relative_to(tests) else allowed
            findings += _findings_in(path, name, source.directory, host, uses)
    return findings


# --- the whole check -----------------------------------------------------------------


def check_tree(root: Path, *, as_of_version: str | None = None) -> list[Finding]:
    """Every finding in the host project at ``root``, sorted by file and line; raises
    :class:`ConfigurationError` when ``[tool.modgate]`` itself is wrong (nothing to check)."""
    root = root.resolve()
    config = read_host(root, shown_as="pyproject.toml")
    ignored = set(config.policy.ignore)
    findings = [
        _finding(
            "MG001",
            "pyproject.toml",
            None,
            f"[tool.modgate.policy] ignore names {code!r}, which is no check code",
            f"use codes from `modgate check --list-codes` ({', '.join(sorted(RULES)[:3])}, ...)",
        )
        for code in sorted(ignored - set(RULES))
    ]
    try:
        found = discover_project(root, config)
    except ConfigurationError as exc:
        # A maintainer the parser refuses is an ownership finding: CODEOWNERS could not name it.
        findings += [_problem_finding("MG301" if p.key == "maintainers" else "MG100", p, root) for p in exc.problems]
        return _sorted(f for f in findings if f.code not in ignored)
    modules = found.registrations
    external = outside_references(modules) if config.is_plugin else set()
    graph = check_graph(modules, external)
    findings += [_problem_finding("MG101", p, root) for p in graph]
    findings += [_problem_finding("MG102", p, root) for p in soft_references(modules, external)]
    texts = {name: _read(m.directory / REGISTRATION_FILE) for name, m in found.modules.items()}
    version = as_of_version
    if version is None:
        from .._configure.project import project_version

        own, why = project_version(root)
        version = None if why else own
    findings += _registration_rules(modules, texts, version, config.policy.s0_min_maintainers)
    findings += _isolation_rules(config, found, root)
    findings += _codeowners_rule(root, modules)
    findings += _twin_rules(root, config, found, texts)
    findings += _license_rules(modules, texts, config.policy.forbid_licenses)
    findings += _choice_rules(config, modules, texts, root, graph)
    return _sorted(f for f in set(findings) if f.code not in ignored)


def _choice_rules(
    config: HostConfig,
    modules: Mapping[str, Registration],
    texts: Mapping[str, str],
    root: Path,
    graph: Sequence[Problem],
) -> list[Finding]:
    """The host's group and capability settings as configure judges them (MG100), what a
    configure with no option set refuses (MG103: ``graph``, the problems MG101 reported,
    aside), and a capability whose default build would have to choose between providers
    (MG801)."""
    try:
        hosted = host_options(modules, config)
    except ConfigurationError as exc:
        return [_problem_finding("MG100", p, root) for p in exc.problems]
    provided = hosted.provided
    findings = []
    if not config.is_plugin:  # a plugin's configure reads its installed host first
        try:
            decide(modules, {}, None, hosted, prefix=config.option_prefix, origin="a configure with no option set")
        except ConfigurationError as exc:
            # One code path with plan and configure; MG101 has said the graph's problems, and
            # MG801 a capability's undecided default.
            said = {(p.file, p.key, p.message) for p in graph}
            findings += [
                _problem_finding("MG103", p, root)
                for p in exc.problems
                if p.key != "provides" and (p.file, p.key, p.message) not in said
            ]
    for capability in provided.values():
        eager = [p for p in capability.providers if modules[p].default != "OFF"]
        if capability.default or len(eager) < 2:
            continue
        first = modules[eager[0]]
        findings.append(
            _finding(
                "MG801",
                first.path,
                line_of(texts.get(first.name, ""), "provides"),
                f"{', '.join(eager)} provide {capability.name!r} and are on by default, and the host names no"
                f" default provider: a configure with {capability.option} unset stops and asks for one",
                f'set [tool.modgate.capabilities] {capability.name} = {{ default = "{NO_PROVIDER}" }} (or a'
                ' provider), or default = "OFF" in all but one of them',
            )
        )
    return findings


def _license_rules(
    modules: Mapping[str, Registration], texts: Mapping[str, str], forbidden: Sequence[str]
) -> list[Finding]:
    """A module whose license expression names a forbidden license, anywhere in it."""
    findings = []
    banned = set(forbidden)
    for name in sorted(modules):
        expression = modules[name].license or ""
        named = {word for word in expression.replace("(", " ").replace(")", " ").split()} - {"AND", "OR", "WITH"}
        for license_id in sorted(named & banned):
            findings.append(
                _finding(
                    "MG800",
                    modules[name].path,
                    line_of(texts.get(name, ""), "license"),
                    f"module {name!r} is licensed {expression!r}, which names {license_id}:"
                    " the host's policy forbids it",
                    "relicense the module, leave it out of the tree, or take the license out of"
                    " [tool.modgate.policy] forbid-licenses",
                )
            )
    return findings


def _twin_rules(root: Path, config: HostConfig, found: Discovery, texts: Mapping[str, str]) -> list[Finding]:
    """Declared twins whose files are gone; undeclared twins (``modgate twins``), a warning
    or, under ``[tool.modgate.policy] twins = "error"``, an error."""
    from ._twins import DetectorMissing, find_twins, large_note

    findings = []
    for name, reg in sorted(found.registrations.items()):
        folder = Path(reg.path).parent.as_posix()
        text = texts.get(name, "")
        for index, twin in enumerate(reg.twins):
            for key, path in (("file", f"{folder}/{twin.file}"), ("other", twin.other)):
                if not (root / path).is_file():
                    findings.append(
                        _finding(
                            "MG701",
                            reg.path,
                            line_of(text, "twins"),
                            f"twins[{index}].{key} names {path}, which does not exist",
                            "fix the path (file: inside the module folder; other: from the project folder), or remove"
                            " the entry if the copies are gone",
                        )
                    )
    if config.policy.twins == "off":
        return findings
    try:
        twins, skipped = find_twins(root, config, found)
    except DetectorMissing:
        return [
            *findings,
            _finding(
                "MG702",
                "pyproject.toml",
                None,
                "code duplicated between modules was not looked for: the clone detector (lizard) is not installed",
                'pip install lizard, or turn the check off: [tool.modgate.policy] twins = "off"',
            ),
        ]
    if skipped:
        findings.append(
            _finding(
                "MG703",
                skipped[0][0],
                None,
                large_note(skipped),
                "nothing, for generated or vendored code; split a file people edit, so its copies can be found",
            )
        )
    severity = ERROR if config.policy.twins == "error" else WARNING
    for pair in twins:
        if pair.declared is None:
            side = pair.a if pair.a.owner != "core" else pair.b
            other = pair.b if side is pair.a else pair.a
            reg = found.registrations[side.owner]
            findings.append(
                Finding(
                    side.path,
                    side.first,
                    "MG700",
                    severity,
                    f"lines {side.first}-{side.last} are duplicated in {other.where()} ({other.owner}), and no"
                    " [[twins]] entry says so: a fix to one copy will miss the other",
                    f"share the code (a module both require, or the core), or declare it in {reg.path}:"
                    f' [[twins]] file = "{Path(side.path).relative_to(Path(reg.path).parent).as_posix()}",'
                    f' other = "{other.path}", reason = "..."',
                )
            )
    return findings


def _codeowners_rule(root: Path, modules: Mapping[str, Registration]) -> list[Finding]:
    """A CODEOWNERS file with modgate's generated block that the maintainers have moved on
    from: a module added or removed, or one that changed hands. A warning, so a new module
    never fails the check; ``modgate codeowners --write`` (or its pre-commit hook) fixes it."""
    place, current = codeowners_file(root)
    if current is None or BEGIN not in current or merged(current, codeowners_block(modules)) == current:
        return []  # no generated block (the host writes its own), or it is current
    return [
        _finding(
            "MG302",
            _relative(place, root),
            current[: current.index(BEGIN)].count("\n") + 1,
            "the generated block no longer matches the module.toml maintainers (a module was added or removed,"
            " or its maintainers changed), so GitHub asks the wrong reviewers",
            "run `modgate codeowners --write` (the modgate-codeowners pre-commit hook runs its --check)",
        )
    ]


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.path, f.line or 0, f.code, f.message))


# --- output ----------------------------------------------------------------------------


def _github_escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_findings(findings: Sequence[Finding], fmt: str) -> str:
    """``text`` for people, ``json`` for tools, ``github`` for workflow annotations."""
    if fmt == "json":
        keys = ("code", "severity", "path", "line", "message", "fix")
        return json.dumps([{key: asdict(f)[key] for key in keys} for f in findings], indent=2)
    if fmt == "github":
        lines = []
        for f in findings:
            props = f"file={_github_escape(f.path, property_value=True)}"
            if f.line is not None:
                props += f",line={f.line}"
            props += f",title={f.code}"
            lines.append(f"::{f.severity} {props}::{_github_escape(f'{f.message} (fix: {f.fix})')}")
        return "\n".join(lines)
    lines = []
    for f in findings:
        where = f.path if f.line is None else f"{f.path}:{f.line}"
        lines.append(f"{where}: {f.code} {f.severity}: {f.message}\n    fix: {f.fix}")
    errors = sum(1 for f in findings if f.severity == ERROR)
    warnings = len(findings) - errors
    lines.append(f"modgate check: {errors} error(s), {warnings} warning(s)")
    return "\n".join(lines)


# --- the command -----------------------------------------------------------------------


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "check",
        help="the module rules on a host's tree (registration, stage, owners, deprecation, isolation)",
        description="Every finding at once, each with a code, file, line, message and fix; exit 1 on any error.",
    )
    parser.add_argument("dir", nargs="?", default=".", help=DIR_HELP)
    parser.add_argument("--format", choices=("text", "json", "github"), default="text")
    parser.add_argument("--as-of-version", help="judge deprecations against this version, not the project's")
    parser.add_argument("--list-codes", action="store_true", help="print every check code and exit")


def main(args: argparse.Namespace) -> int:
    if args.list_codes:
        for code, (severity, what) in RULES.items():
            print(f"{code}  {severity:<7}  {what}")
        return 0
    try:
        findings = check_tree(Path(args.dir), as_of_version=args.as_of_version)
    except ConfigurationError as exc:
        raise ModgateError(exc.format()) from None
    output = format_findings(findings, args.format)
    if output:
        print(output)
    return 1 if any(f.severity == "error" for f in findings) else 0
