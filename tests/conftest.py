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
