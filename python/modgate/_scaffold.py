"""``modgate init`` (a new host project) and ``modgate new`` (a new module folder).

Everything written builds and passes its own tests at once: ``pip install
--no-build-isolation ./DIR`` then ``pytest`` inside it, with any of its modules off.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path
from typing import Any

from ._configure.host import PYPROJECT, HostConfig, read_host
from ._configure.problems import ConfigurationError, Problem, suggest
from ._names import (
    REGISTRATION_FILE,
    RESERVED_NAMES,
    is_module_name,
    is_package_name,
    module_import_name,
    package_path,
)

__all__ = ["add_commands", "init_host", "new_module"]

_STAGES = ("S0", "S1", "S2")


def _write(files: dict[Path, str]) -> list[Path]:
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(files)


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
    cxx_ns = host.replace(".", "::")
    header = f"{package_path(host)}/{name}/{name}.h"
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
    files = {folder / REGISTRATION_FILE: "\n".join(toml) + "\n"}
    test_import = f"from {host}.modules import {name}"
    if native:
        files[folder / "include" / header] = (
            f"// {name}: the module's public C++ API (other modules that require it include this).\n"
            "#pragma once\n\n#include <string>\n\n"
            f"namespace {cxx_ns}::{name} {{\n\n"
            f"// A greeting from module {name}.\n"
            "std::string hello(const std::string& who);\n\n"
            f"}}  // namespace {cxx_ns}::{name}\n"
        )
        files[folder / "src" / f"{name}.cc"] = (
            f'#include "{header}"\n\n#include <modgate/module.h>\n\n'
            f"namespace {cxx_ns}::{name} {{\n\n"
            'std::string hello(const std::string& who) { return "hello " + who + " from ' + name + '"; }\n\n'
            f"}}  // namespace {cxx_ns}::{name}\n\n"
            f"// The core and other modules reach it by name, and cope when the module is off.\n"
            f'MODGATE_REGISTER_FUNCTION("{name}.hello", {cxx_ns}::{name}::hello, "A greeting.");\n'
        )
        files[folder / "python" / "_native.cc"] = (
            f'#include <modgate/python.h>\n\n#include "{header}"\n\n'
            f'MODGATE_PYTHON_MODULE(m) {{ m.def("hello", &{cxx_ns}::{name}::hello, "A greeting."); }}\n'
        )
        files[folder / "python" / "__init__.py"] = (
            f'"""{name}: {summary}."""\n\nfrom ._native import hello\n\n__all__ = ["hello"]\n'
        )
    else:
        files[folder / "python" / "__init__.py"] = (
            f'"""{name}: {summary}."""\n\n__all__ = ["hello"]\n\n\n'
            "def hello(who: str) -> str:\n"
            '    """A greeting."""\n'
            f'    return f"hello {{who}} from {name}"\n'
        )
    files[folder / "tests" / f"test_{name}.py"] = (
        f'"""Tests of module {name}: run only when it is built (the modgate pytest plugin skips'
        ' this folder otherwise)."""\n\n\n'
        f"def test_hello() -> None:\n"
        f"    {test_import}  # inside the test: importing a module is what may fail\n\n"
        f'    assert {name}.hello("you") == "hello you from {name}"\n'
    )
    return files


def _find_project(start: Path) -> tuple[Path, HostConfig]:
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / PYPROJECT).is_file():
            return candidate, read_host(candidate, shown_as=str(candidate / PYPROJECT))
    raise ConfigurationError(
        [
            Problem(
                str(folder),
                None,
                "no pyproject.toml here or above: `modgate new` runs inside a host's checkout",
                "cd into the host project, or create one with `modgate init DIR --package NAME`",
            )
        ]
    )


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
    from ._configure.discovery import discover_project

    project, host = _find_project(start)
    where = "modgate new"
    problems: list[Problem] = []
    if not is_module_name(name):
        problems.append(
            Problem(where, "NAME", f"{name!r} is not a module name", "use a lowercase letter, then [a-z0-9_] (≤ 63)")
        )
    elif name in RESERVED_NAMES:
        problems.append(Problem(where, "NAME", f"{name!r} is reserved: {RESERVED_NAMES[name]}", "choose another name"))
    if stage not in _STAGES:
        problems.append(Problem(where, "--stage", f"{stage!r} is not S0, S1 or S2", "use --stage S0 (a new module)"))
    known = discover_project(project, host, scan_files=False).registrations
    for dep in requires or []:
        if dep not in known:
            problems.append(
                Problem(
                    where, "--requires", f"no module {dep!r} in this host{suggest(dep, known)}", "name existing modules"
                )
            )
    folder = project / host.modules_dirs[0] / name
    if name in known or folder.exists():
        problems.append(Problem(str(folder), None, "already exists", "choose another name, or edit that module"))
    if problems:
        raise ConfigurationError(problems)
    files = _module_files(
        folder,
        host.host,
        name,
        native=native,
        requires=list(requires or []),
        stage=stage,
        maintainers=maintainers if maintainers is not None else _git_maintainer(),
        summary=summary or f"The {name} module",
    )
    return _write(files)


_PYPROJECT = """\
[build-system]
requires = ["scikit-build-core>=1.1", "pybind11>=2.12", "modgate"]
build-backend = "scikit_build_core.build"

[project]
name = "{dist}"
version = "0.1.0"
description = "{package}: a native core with optional modules"
requires-python = ">=3.11"
dependencies = ["modgate"]
dynamic = ["optional-dependencies", "entry-points"]

[tool.scikit-build]
cmake.version = ">=3.21"
wheel.packages = ["python/{package_dir}"]

# The extras and the {package}.modules entry points, from modules/*/module.toml.
[[tool.dynamic-metadata]]
provider = "modgate"

# This project is a modgate host: its modules are {package}.modules.<name>.
[tool.modgate]
package = "{package}"

[tool.pytest.ini_options]
testpaths = ["tests", "modules"]
addopts = ["-ra", "--import-mode=importlib"]
"""

_CMAKELISTS = """\
# {package}: a native core, then every module in modules/ (modgate_add_modules reads
# [tool.modgate] in pyproject.toml).
cmake_minimum_required(VERSION 3.21...3.31)
project({cmake_name} LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)

find_package(Python 3.11 REQUIRED COMPONENTS Interpreter Development.Module)
execute_process(COMMAND "${{Python_EXECUTABLE}}" -m pybind11 --cmakedir
                OUTPUT_VARIABLE pybind11_DIR OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
find_package(pybind11 CONFIG REQUIRED)
execute_process(COMMAND "${{Python_EXECUTABLE}}" -m modgate cmake-dir
                OUTPUT_VARIABLE modgate_DIR OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
find_package(modgate CONFIG REQUIRED)

# The core: it reaches optional modules only by name through the registry.
pybind11_add_module(_core MODULE src/core.cc)
target_link_libraries(_core PRIVATE modgate::runtime)
set_target_properties(_core PROPERTIES INSTALL_RPATH "$ORIGIN/{up}modgate")
modgate_core_target(_core)
install(TARGETS _core LIBRARY DESTINATION {package_dir})

modgate_add_modules()
"""

_CORE_CC = """\
// The core of {package}: it never includes a module's header. It reaches an optional
// module by name through modgate's registry and copes when the module is off.
#include <pybind11/pybind11.h>

#include <modgate/registry.h>

#include <string>

namespace {{

std::string greet(const std::string& who) {{
  // "greeter.hello" is this host's (MODGATE_HOST_NAME): nullptr when greeter is off.
  if (const modgate::FunctionInfo* hello = modgate::find_function("greeter.hello")) {{
    return hello->function({{modgate::Value(who)}}).as_string();
  }}
  return "hi " + who;  // the core's own answer without the module
}}

}}  // namespace

PYBIND11_MODULE(_core, m) {{
  m.def("greet", &greet, pybind11::arg("who"), "A greeting: module greeter's when it is built.");
}}
"""

_INIT_PY = '''\
"""{package}: a native core with optional modules ({package}.modules.<name>)."""

from modgate import attach

is_built, is_available, require, info = attach(__name__)


def greet(who: str) -> str:
    """A greeting: module greeter's when it was built, the core's own otherwise."""
    import modgate._core  # noqa: F401  # the shared runtime ._core links: loaded, it is found wherever it is
    import modgate.native

    modgate.native.load("{package}:greeter")  # registers greeter's functions when it is built
    from ._core import greet as native_greet

    return native_greet(who)
'''

_TEST_CORE = '''\
"""The core's tests: they pass with any module turned off."""

import {package}


def test_the_core_greets_with_or_without_the_module() -> None:
    expected = "hello you from greeter" if {package}.is_available("greeter") else "hi you"
    assert {package}.greet("you") == expected


def test_the_build_manifest_lists_every_module() -> None:
    assert set({package}.info()["modules"]) >= {{"greeter", "text"}}
'''

_README = """\
# {package}

A native core with optional modules, each in `modules/<name>/` with one `module.toml`
(managed by modgate: `USE_MODULE_<NAME>=ON|OFF|AUTO`, `{package}.modules.<name>`).

Install and see which modules were built:

```sh
python -m pip install --no-build-isolation . && modgate list --package {package}
```

Install the test dependencies and run the tests:

```sh
python -m pip install pytest && python -m pip install --no-build-isolation . && python -m pytest
```

Turn a module off: `pip install . -C cmake.define.USE_MODULE_GREETER=OFF`; add one:
`modgate new NAME [--native] [--requires a,b]`.
"""

_WORKFLOW = """\
name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        modules: ["ON", "OFF"]  # every module on; the core alone
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: python -m pip install pytest modgate scikit-build-core pybind11 ninja cmake
      - run: python -m pip install --no-build-isolation . -C cmake.define.MODGATE_ALL_MODULES=${{{{ matrix.modules }}}}
      - run: python -m pytest
"""

_GITIGNORE = "/build/\n/dist/\n*.egg-info/\n__pycache__/\n.pytest_cache/\n"


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
    }
    files = {
        directory / PYPROJECT: _PYPROJECT.format(**values),
        directory / "CMakeLists.txt": _CMAKELISTS.format(**values),
        directory / "src" / "core.cc": _CORE_CC.format(**values),
        directory / "python" / package / "__init__.py": _INIT_PY.format(**values),
        directory / "tests" / "test_core.py": _TEST_CORE.format(**values),
        directory / "README.md": _README.format(**values),
        directory / ".github" / "workflows" / "ci.yml": _WORKFLOW.format(**values),
        directory / ".gitignore": _GITIGNORE,
        directory / "modules" / ".keep": "",
    }
    written = _write(files)
    (directory / "modules" / ".keep").unlink()
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
    return [p for p in written if p.exists()]


def _init(args: argparse.Namespace) -> int:
    written = init_host(Path(args.directory), args.package)
    print(f"modgate: wrote a host project for package {args.package!r} in {args.directory} ({len(written)} files)")
    print(f"next: python -m pip install --no-build-isolation {args.directory} && (cd {args.directory} && pytest)")
    return 0


def _new(args: argparse.Namespace) -> int:
    requires = [part.strip() for part in (args.requires or "").split(",") if part.strip()]
    written = new_module(
        args.name,
        start=Path.cwd(),
        native=args.native,
        requires=requires,
        stage=args.stage,
        maintainers=args.maintainer,
        summary=args.summary,
    )
    project, host = _find_project(Path.cwd())
    for path in written:
        print(path)
    folder = project / host.modules_dirs[0] / args.name
    print(f"modgate: module {args.name!r} ({module_import_name(host.host, args.name)}) written in {folder}")
    return 0


def add_commands(sub: Any) -> None:
    """Register ``init`` and ``new`` on the CLI's subparsers."""
    init = sub.add_parser("init", help="write a new host project that builds and passes its tests at once")
    init.add_argument("directory", help="a new or empty folder")
    init.add_argument("--package", required=True, help="the host's import name, e.g. acme")
    init.set_defaults(run=_init)
    new = sub.add_parser("new", help="add a module folder to the host project here")
    new.add_argument("name", help="the module's name: a folder under the first of [tool.modgate] modules-dirs")
    new.add_argument("--native", action="store_true", help="with C++ sources, a public header and a pybind11 extension")
    new.add_argument("--requires", help="modules it requires, comma-separated")
    new.add_argument("--stage", default="S0", choices=_STAGES, help="its lifecycle stage (default S0, a new module)")
    new.add_argument(
        "--maintainer", action="append", help="a maintainer (repeat); default: git's user.name <user.email>"
    )
    new.add_argument("--summary", help="one line saying what it does")
    new.set_defaults(run=_new)
