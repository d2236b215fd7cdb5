"""pytest plugin (entry point ``pytest11``): run a host's suite against what its build enabled.

The host is the one named (``--modgate-host``, or ``modgate_host`` in the pytest
configuration), else the ``[tool.modgate]`` host of the project pytest runs in (its
rootdir's ``pyproject.toml``). In a project that is no host and names none, the plugin
does nothing: no header, no entry points read, none of modgate's modules imported.

- ``@pytest.mark.requires_module("x", ...)`` skips a test unless every named module can be
  imported, with a reason naming the module's option and why it is not available;
- a module's folder (one holding ``module.toml``) is skipped as a whole, visibly, when
  its module is not available, or one of the modules its tests need (``[tests] requires``)
  is not, so its tests never import what is not there;
- every built native module whose folder the run collects gets one more test,
  ``<folder>::native library loads``: it imports the module and loads its libraries as a
  user's first call would, so one that builds but does not load (an undefined symbol)
  fails here, not for a user;
- ``@pytest.mark.each_provider("blas")`` runs a test once per provider of the capability
  this build has (the fixture ``modgate_provider`` is that provider's Python package), so
  each provider is tested, not only the one a process chooses; one that cannot run here
  (not installed, its probe scores 0) is skipped, saying why;
- the session header lists each module's state;
- ``--modgate-disable=a,b`` turns modules off at import time for the run (``MODGATE_DISABLE``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from ._manifest import summary
from ._names import DEFAULT_OPTION_PREFIX, DISABLE_VARIABLE, REGISTRATION_FILE, is_module_name, option_name
from ._table import module_listing
from .exceptions import ModuleClashError, ModuleLoadError, NotBuiltError, UnknownModuleError

__all__ = ["unavailable_reason"]

_DISABLE = DISABLE_VARIABLE
_saved_disable = pytest.StashKey[str | None]()
_collected_modules = pytest.StashKey[dict[str, Path]]()  # module -> its folder, for the load checks
_HOST: str | None = None  # the host of this run, set in pytest_configure; None: not a host's run
_NO_HOST = (
    "the modgate plugin has no host here: this project's pyproject.toml has no [tool.modgate] table; name the"
    " host with --modgate-host=<package> (or modgate_host = <package> in the pytest configuration)"
)


def _host() -> Any:
    import importlib

    from . import _loader

    if _HOST is None:
        raise pytest.UsageError(_NO_HOST)

    with contextlib.suppress(ImportError):
        importlib.import_module(_HOST)  # the host attaches itself
    return _loader.host(_HOST)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("modgate", "optional modules (modgate)")
    group.addoption(
        "--modgate-disable",
        action="append",
        default=[],
        metavar="NAMES",
        help="turn these modules off at import time for the run, as MODGATE_DISABLE does (comma-separated)",
    )
    group.addoption(
        "--modgate-host",
        default=None,
        metavar="PACKAGE",
        help="the host whose modules this run tests (default: the [tool.modgate] host of the rootdir's project)",
    )
    parser.addini("modgate_host", "the host whose modules this run tests (as --modgate-host)", default="")


def _declared_host(root: Path) -> str | None:
    """The ``[tool.modgate]`` host of the project around ``root``; ``None`` when it has none,
    ``modgate`` when it is invalid (as :func:`host_package_around` answers: the header then
    says what is wrong)."""
    import tomllib

    from ._configure.host import PYPROJECT, find_project, parse_host
    from ._configure.problems import ConfigurationError

    project = find_project(root)
    if project is None:
        return None
    try:
        data = tomllib.loads((project / PYPROJECT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    tool = data.get("tool")
    if not isinstance(tool, dict) or "modgate" not in tool:
        return None
    try:
        return parse_host(data, path=str(project / PYPROJECT)).host_package
    except ConfigurationError:
        return "modgate"


def _names(values: Iterable[str]) -> list[str]:
    return [part.strip().lower() for value in values for part in value.split(",") if part.strip()]


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    # Before any conftest imports a module: the switch must hold for the whole run.
    names = _names(early_config.known_args_namespace.modgate_disable)
    if not names:
        return
    before = os.environ.get(_DISABLE)
    early_config.stash[_saved_disable] = before
    os.environ[_DISABLE] = ",".join(dict.fromkeys([*_names([before or ""]), *names]))


def pytest_configure(config: pytest.Config) -> None:
    global _HOST
    named = config.getoption("modgate_host") or str(config.getini("modgate_host")).strip()
    _HOST = named or _declared_host(config.rootpath)
    config.addinivalue_line(
        "markers",
        "requires_module(*names): skip unless every named modgate module can be imported"
        " (built, not disabled, its Python requirements installed)",
    )
    config.addinivalue_line(
        "markers",
        "each_provider(capability): run the test once per provider of the capability this build has,"
        " its Python package as the modgate_provider fixture",
    )
    names = _names(config.getoption("modgate_disable") or [])
    if not names:
        return
    host = _host()
    try:
        unknown = [name.rpartition(".")[2] for name in names if host.record(name.rpartition(".")[2]) is None]
    except (NotBuiltError, ModuleClashError):
        return  # the header says why; nothing to check the names against
    if unknown:
        known = ", ".join(host.known())
        raise pytest.UsageError(
            f"--modgate-disable: unknown module {', '.join(map(repr, unknown))}; known modules: {known}"
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    if _saved_disable not in config.stash:
        return
    before = config.stash[_saved_disable]
    if before is None:
        os.environ.pop(_DISABLE, None)
    else:
        os.environ[_DISABLE] = before


def unavailable_reason(name: str) -> str | None:
    """Why ``modgate.modules.<name>`` cannot be imported now, or ``None`` when it can.

    A module that is available but broken counts as available: its tests should fail."""
    host = _host()
    try:
        prefix = summary(host.package).get("option_prefix", DEFAULT_OPTION_PREFIX)
        record = host.record(name) if is_module_name(name) else None
        option = record.entry.get("option", name) if record is not None else option_name(name, prefix)
        host.check(name)
    except NotBuiltError as exc:
        return f"{name}: {host.package} is not built here, so module {name!r} cannot be imported: {exc}"
    except UnknownModuleError:
        return (
            f"{option}: module {name!r} is not in this build of {host.package} (its folder was not in the tree"
            " that was built)"
        )
    except ModuleLoadError:
        return None
    except ImportError as exc:  # disabled at build or import time, or its requirements unmet
        return f"{option}: {exc}"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("requires_module"):
        if _HOST is None:
            pytest.fail(f"{item.nodeid}: requires_module: {_NO_HOST}", pytrace=False)
        if not mark.args or not all(isinstance(name, str) for name in mark.args):
            pytest.fail(
                f"{item.nodeid}: requires_module takes module names, e.g."
                f' @pytest.mark.requires_module("graph"); got {mark.args!r}',
                pytrace=False,
            )
        for name in mark.args:
            reason = unavailable_reason(name)
            if reason is not None:
                pytest.skip(reason)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    mark = metafunc.definition.get_closest_marker("each_provider")
    if mark is None:
        return
    if _HOST is None:
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: each_provider: {_NO_HOST}")
    if len(mark.args) != 1 or not isinstance(mark.args[0], str):
        raise pytest.UsageError(
            f'{metafunc.definition.nodeid}: each_provider takes one capability, e.g. @pytest.mark.each_provider("blas")'
        )
    from . import _providers

    host = _host()
    capability = mark.args[0]
    known = summary(host.package).get("capabilities") or {}
    if capability not in known:
        raise pytest.UsageError(
            f"{metafunc.definition.nodeid}: each_provider: {host.package} has no capability {capability!r}"
            f" (its capabilities: {', '.join(sorted(known)) or 'none'})"
        )
    names = _providers.providers(host, capability)
    params: list[tuple[str, str | None]] = [(capability, name) for name in names] or [(capability, None)]
    metafunc.parametrize("modgate_provider", params, indirect=True, ids=names or ["no provider built"])


@pytest.fixture
def modgate_provider(request: pytest.FixtureRequest) -> Any:
    """The Python package of one provider of a capability (``@pytest.mark.each_provider``)."""
    capability, name = getattr(request, "param", (None, None))
    if capability is None:
        raise pytest.UsageError("modgate_provider comes with @pytest.mark.each_provider(<capability>)")
    if name is None:
        pytest.skip(f"no provider of {capability!r} is built here")
    from . import _providers

    host = _host()
    tried = _providers._try(host, name)
    if not tried.usable:
        pytest.skip(f"provider {name!r} of {capability!r}: {tried.reason}")
    return host.require(name)


class ModuleFolder(pytest.Directory):
    """The folder of a module this run cannot import: not collected, one skipped entry instead."""

    reason: str = ""

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        item = ModuleFolderSkipped.from_parent(self, name=self.path.name)
        item.add_marker(pytest.mark.skip(reason=self.reason))
        yield item


class ModuleFolderSkipped(pytest.Item):
    """Stands for every test in a skipped module folder (the summary shows the folder)."""

    def runtest(self) -> None:  # never runs: the item carries a skip mark
        raise AssertionError("a skipped module folder was run")

    def reportinfo(self) -> tuple[Path, int, str]:
        # Skips are reported at this location: the module's registration file.
        return self.path / REGISTRATION_FILE, 0, f"module folder {self.path.name}"


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if _HOST is None or not is_module_name(path.name) or not (path / REGISTRATION_FILE).is_file():
        return None
    reason = unavailable_reason(path.name)
    if reason is None:
        parent.config.stash.setdefault(_collected_modules, {})[path.name] = path  # its load check runs either way
        reason = _tests_need(path.name)
    if reason is None:
        return None
    folder = ModuleFolder.from_parent(parent, path=path)
    folder.reason = reason
    return folder


def _tests_need(name: str) -> str | None:
    """Why module ``name``'s tests cannot run although the module can be imported: a module
    its ``[tests] requires`` names is not available (as the build manifest records it)."""
    record = _host().record(name)
    for other in record.entry.get("test_requires", ()) if record is not None else ():
        reason = unavailable_reason(other)
        if reason is not None:
            return f"the tests of module {name!r} require module {other!r} ([tests] requires): {reason}"
    return None


class NativeLoads(pytest.Item):
    """One built native module, imported and its libraries loaded as a user's first call
    would (:meth:`modgate._loader.Host.load_native`)."""

    module: str = ""

    def runtest(self) -> None:
        _host().load_native(self.module)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        error = excinfo.value
        cause = f"\n  caused by: {error.__cause__}" if error.__cause__ is not None else ""
        return f"module {self.module!r} is built but does not load: {error}{cause}"

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path / REGISTRATION_FILE, 0, f"module {self.module}: native library loads"


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    folders = config.stash.get(_collected_modules, {})
    if not folders or _HOST is None:
        return
    try:
        native = set(_host().native_modules())
    except (NotBuiltError, ModuleClashError):
        return
    for name in sorted(set(folders) & native):
        folder = folders[name]
        where = folder.relative_to(config.rootpath) if folder.is_relative_to(config.rootpath) else folder
        item = NativeLoads.from_parent(
            session, name="native library loads", path=folder, nodeid=f"{where.as_posix()}::native library loads"
        )
        item.module = name
        items.append(item)


HEADER_ROWS = 10


def pytest_report_header(config: pytest.Config) -> list[str]:
    if _HOST is None:
        return []
    try:
        # No run-time choice of a provider here: the tests make it, under their own settings.
        data = _host().info(choose=False)
    except (NotBuiltError, ModuleClashError) as exc:
        return [f"modgate: {exc}"]
    # Every module's row only when asked (-v) or when there are few: a header of hundreds
    # of lines in every run buries the results.
    return module_listing(data, indent="  ", limit=None if config.get_verbosity() > 0 else HEADER_ROWS)
