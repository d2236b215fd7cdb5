"""The one-walk source matcher agrees with ``glob.glob(recursive=True)`` on real trees."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest

from modgate._configure.discovery import glob_regex

FILES = [
    "src/a.cc",
    "src/b.cpp",
    "src/deep/er/c.cc",
    "src/deep/d.cc",
    "src/x.h",
    "src/a1.cc",
    "src/ab.cc",
    "python/_ext.cc",
    "python/sub/more.cpp",
    "python/__init__.py",
    "other/src/z.cc",
    "top.cc",
]

PATTERNS = [
    "src/**/*.cc",
    "src/**/*.cpp",
    "src/*.cc",
    "**/*.cc",
    "src/**",
    "src/a?.cc",
    "src/a[0-9].cc",
    "src/a[!0-9].cc",
    "src/deep/*/c.cc",
    "python/**/*.cc",
    "./src/a.cc",
    "top.cc",
    "src/**/deep/*.cc",
    "nothing/*.cc",
]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for rel in FILES:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    return tmp_path


@pytest.mark.parametrize("pattern", PATTERNS)
def test_glob_regex_matches_what_glob_matches(tree: Path, pattern: str) -> None:
    expected = sorted(
        Path(hit).as_posix().removeprefix("./")
        for hit in glob.glob(pattern, root_dir=tree, recursive=True)
        if (tree / hit).is_file()
    )
    actual = sorted(f for f in FILES if glob_regex(pattern).match(f))
    assert actual == expected
