"""What ``modgate init`` (a new host project) and ``modgate new`` (a new module folder)
write, from the templates in ``resources/templates/``.

A template is the file it becomes, with ``@word@`` placeholders (as CMake's
``configure_file`` writes them) and ``.in`` appended to its name. Everything written
builds and passes its own tests at once: ``pip install --no-build-isolation ./DIR`` then
``pytest`` inside it, with any of its modules off.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

from .._configure.discovery import discover_project
from .._configure.host import PYPROJECT, HostConfig, find_project, read_host
from .._configure.problems import ConfigurationError, Problem, suggest
from .._configure.registration import STAGES
from .._configure.reserved import reserved_name
from .._names import REGISTRATION_FILE, is_module_name, is_package_name, package_path
from ._owners import BEGIN, codeowners_block, codeowners_file, merged

__all__ = ["host_project", "init_host", "new_module", "render"]

_PLACEHOLDER = re.compile(r"@([a-z_]+)@")
# The host template's files, by the path each becomes in the new project.
_HOST_FILES = {
    PYPROJECT: "pyproject.toml",
    "CMakeLists.txt": "CMakeLists.txt",
    "src/core.cc": "src/core.cc",
    "python/{package_dir}/__init__.py": "python/__init__.py",
    "tests/test_core.py": "tests/test_core.py",
    "README.md": "README.md",
    ".github/workflows/ci.yml": ".github/workflows/ci.yml",
    ".gitignore": "gitignore",
}


def render(template: str, values: Mapping[str, str]) -> str:
    """The template ``template`` (a path below ``resources/templates``, without ``.in``)
    with every ``@word@`` replaced by ``values[word]``."""
    text = (files(__package__) / "resources" / "templates" / f"{template}.in").read_text(encoding="utf-8")

    def value(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return _PLACEHOLDER.sub(value, text)


def _write(written: Mapping[Path, str]) -> list[Path]:
    for path, text in written.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(written)


def _git_maintainer() -> list[str]:
    try:
        name = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, check=False
        ).stdout.strip()
        email = subprocess.run(["git", "config", "user.email"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return []
    email = email.strip()
    return [f"{name} <{email}>"] if name and email else []


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def _registration(
    name: str, *, native: bool, requires: list[str], stage: str, maintainers: list[str], summary: str
) -> str:
    toml = [
        f'name = "{name}"',
        f'summary = "{summary}"',
        f'stage = "{stage}"',
        'default = "AUTO"',
        f"maintainers = {_toml_list(maintainers)}",
    ]
    if requires:
        toml.append(f"requires = {_toml_list(requires)}")
    if native:
        toml += ["", "[native]", "# sources: src/**/*.cc and src/**/*.cpp (the default)"]
    return "\n".join(toml) + "\n"


def _module_files(
    folder: Path,
    host: str,
    name: str,
    *,
    native: bool,
    requires: list[str],
    stage: str,
    maintainers: list[str],
    summary: str,
) -> dict[Path, str]:
    header = f"{package_path(host)}/{name}/{name}.h"
    values = {"name": name, "host": host, "summary": summary, "cxx_ns": host.replace(".", "::"), "header": header}
    written = {
        folder / REGISTRATION_FILE: _registration(
            name, native=native, requires=requires, stage=stage, maintainers=maintainers, summary=summary
        )
    }
    if native:
        written[folder / "include" / header] = render("module/include/header.h", values)
        written[folder / "src" / f"{name}.cc"] = render("module/src/module.cc", values)
        written[folder / "python" / "_native.cc"] = render("module/python/_native.cc", values)
    kind = "native" if native else "pure"
    written[folder / "python" / "__init__.py"] = render(f"module/python/__init__.{kind}.py", values)
    written[folder / "tests" / f"test_{name}.py"] = render("module/tests/test_module.py", values)
    return written


def host_project(start: Path) -> tuple[Path, HostConfig]:
    """The host project around ``start`` and its settings; a :class:`ConfigurationError`
    saying where to run when there is none."""
    found = find_project(start)
    if found is None:
        raise ConfigurationError(
            [
                Problem(
                    str(start.resolve()),
                    None,
                    "no pyproject.toml here or above: `modgate new` runs inside a host's checkout",
                    "cd into the host project, or create one with `modgate init DIR --package NAME`",
                )
            ]
        )
    return found, read_host(found, shown_as=str(found / PYPROJECT))


def new_module(
    name: str,
    *,
    start: Path,
    native: bool = False,
    requires: list[str] | None = None,
    stage: str = "S0",
    maintainers: list[str] | None = None,
    summary: str | None = None,
) -> list[Path]:
    """Write ``<modules-dir>/<name>/`` in the host around ``start``; the files written."""
    root, config = host_project(start)
    where = "modgate new"
    problems: list[Problem] = []
    if not is_module_name(name):
        problems.append(
            Problem(
                where,
                "NAME",
                f"{name!r} is not a module name",
                "use a lowercase letter, then [a-z0-9] and single _ not at the end (≤ 63)",
            )
        )
    elif (why := reserved_name(name)) is not None:
        problems.append(Problem(where, "NAME", f"{name!r} is reserved: {why}", "choose another name"))
    if stage not in STAGES:
        problems.append(
            Problem(where, "--stage", f"{stage!r} is not {', '.join(STAGES)}", "use --stage S0 (a new module)")
        )
    known = discover_project(root, config, with_files=False).registrations
    for dep in requires or []:
        if dep not in known:
            problems.append(
                Problem(
                    where, "--requires", f"no module {dep!r} in this host{suggest(dep, known)}", "name existing modules"
                )
            )
    folder = root / config.modules_dirs[0] / name
    if name in known or folder.exists():
        problems.append(Problem(str(folder), None, "already exists", "choose another name, or edit that module"))
    if problems:
        raise ConfigurationError(problems)
    written = _module_files(
        folder,
        config.host_package,
        name,
        native=native,
        requires=list(requires or []),
        stage=stage,
        maintainers=maintainers if maintainers is not None else _git_maintainer(),
        summary=summary or f"The {name} module",
    )
    return _write(written) + _codeowners(root, config, create=False)


def _codeowners(root: Path, config: HostConfig, *, create: bool) -> list[Path]:
    """The host's CODEOWNERS with its generated block matching every module.toml (the file
    ``modgate codeowners --check`` reads): made when ``create``, else only updated where
    one already holds that block; the files written."""
    target, current = codeowners_file(root)
    if not create and BEGIN not in (current or ""):
        return []
    block = codeowners_block(discover_project(root, config, with_files=False).registrations)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(merged(current or "", block), encoding="utf-8")
    return [target]


def modgate_requirement() -> str:
    """What a new host requires of modgate, to build and to run: this modgate or a later one
    before the next major version (a host is not promised to build with the next major)."""
    from packaging.version import InvalidVersion, Version

    from .. import __version__

    try:
        version = Version(__version__)
    except InvalidVersion:  # a build without a version source (0+unknown is valid; this is not)
        return "modgate"
    return f"modgate>={version.public},<{version.major + 1}"


def init_host(directory: Path, package: str) -> list[Path]:
    """Write a complete host project in ``directory``: the files written."""
    problems: list[Problem] = []
    if not is_package_name(package) or "." in package:
        problems.append(
            Problem("modgate init", "--package", f"{package!r} is not a top-level package name", "use --package acme")
        )
    elif package == "modgate":
        problems.append(
            Problem("modgate init", "--package", "'modgate' is this framework's own package", "choose another")
        )
    if directory.exists() and any(directory.iterdir()):
        problems.append(Problem(str(directory), None, "is not empty", "name a new or empty folder"))
    if problems:
        raise ConfigurationError(problems)
    values = {
        "package": package,
        "package_dir": package_path(package),
        "dist": package.replace("_", "-"),
        "cmake_name": package,
        "up": "../",
        "modgate": modgate_requirement(),
    }
    written = _write(
        {
            directory / target.format(**values): render(f"host/{template}", values)
            for target, template in _HOST_FILES.items()
        }
    )
    (directory / "modules").mkdir(exist_ok=True)
    maintainers = ["Jane Doe <jane@example.org>", "octocat", "@acme/core"]
    written += new_module(
        "greeter",
        start=directory,
        native=True,
        stage="S1",
        maintainers=maintainers,
        summary="Native greetings the core uses when they are built",
    )
    written += new_module(
        "text", start=directory, stage="S1", maintainers=maintainers, summary="Pure-Python text helpers"
    )
    written += _codeowners(*host_project(directory), create=True)
    return [p for p in written if p.exists()]
