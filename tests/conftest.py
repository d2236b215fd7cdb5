from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def modules_dir(tmp_path: Path) -> Path:
    path = tmp_path / "modules"
    path.mkdir()
    return path


# Fixture hosts hold their own tests; they run inside the builds that use them.
collect_ignore = ["fixtures"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``--dist loadgroup``) a file's tests run on one worker, so the
    builds its module-scoped fixtures make are made once; a file whose tests build nothing
    they share (``SPREAD_TESTS = True``) spreads its tests over the workers. (Without
    pytest-xdist, in the venvs some tests make, there is no such marker to give.)"""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if not getattr(getattr(item, "module", None), "SPREAD_TESTS", False):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
