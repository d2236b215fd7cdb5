"""A disabled module's tests are skipped visibly, naming the option and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

import modgate

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    modules = modgate.info()["modules"]
    for item in items:
        try:
            rel = Path(str(item.path)).resolve().relative_to(HERE)
        except ValueError:
            continue
        name = rel.parts[0]
        module = modules.get(name)
        if module is None:
            item.add_marker(pytest.mark.skip(reason=f"module {name!r} is not in this build's manifest"))
        elif module["state"] != "ON":
            item.add_marker(
                pytest.mark.skip(
                    reason=f"module {name!r} is OFF in this build ({module['option']}): {module['reason']}"
                )
            )
