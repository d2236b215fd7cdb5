"""One configure parses each registration file once: the second configure step reuses
the first one's parse, and never a stale one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modgate._configure.discovery import ParseCache, discover
from modgate._configure.problems import ConfigurationError
from tests.helpers import basic, host_pyproject, run_configure, write_module


def test_unchanged_files_are_reused_and_changed_ones_parsed_again(tmp_path: Path) -> None:
    root = tmp_path / "modules"
    write_module(root, "alpha", basic("alpha"))
    write_module(root, "beta", basic("beta"))
    cache: ParseCache = {}
    first = discover([root], host="acme", with_files=False, cache=cache)
    assert set(cache) == {str(root / "alpha" / "module.toml"), str(root / "beta" / "module.toml")}
    second = discover([root], host="acme", with_files=False, cache=cache)
    assert second.registrations["alpha"] is first.registrations["alpha"]  # not parsed again

    toml = root / "beta" / "module.toml"
    stat = toml.stat()
    toml.write_text(basic("beta").replace("the beta module", "changed"), encoding="utf-8")
    os.utime(toml, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    third = discover([root], host="acme", with_files=False, cache=cache)
    assert third.registrations["beta"].summary == "changed"
    assert third.registrations["alpha"] is first.registrations["alpha"]


def test_a_broken_file_is_never_served_from_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "modules"
    write_module(root, "alpha", basic("alpha"))
    cache: ParseCache = {}
    discover([root], host="acme", with_files=False, cache=cache)
    toml = root / "alpha" / "module.toml"
    stat = toml.stat()
    toml.write_text('name = "alpha"\nsummary = 3\n', encoding="utf-8")
    os.utime(toml, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    with pytest.raises(ConfigurationError, match="summary"):
        discover([root], host="acme", with_files=False, cache=cache)


def test_the_resolver_keeps_its_cache_between_steps_and_ignores_a_corrupt_one(tmp_path: Path) -> None:
    root = tmp_path / "modules"
    write_module(root, "alpha", basic("alpha"))
    host_pyproject(tmp_path, [root])
    cache = tmp_path / "build" / "registrations.pickle"
    args = ["--cache", str(cache)]
    assert run_configure("declare", args, tmp_path).returncode == 0
    assert cache.is_file()
    cache.write_bytes(b"not a pickle")
    planned = run_configure("declare", args, tmp_path)
    assert planned.returncode == 0, planned.stderr
    assert "_modgate_declare_option([[USE_MODULE_ALPHA]]" in (tmp_path / "declare.cmake").read_text()


def test_a_change_to_any_parser_file_discards_the_cache(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    from tests.helpers import ROOT

    # A copy of the configure code, whose schema.py the test edits (registration.py stays).
    package = shutil.copytree(
        ROOT / "python" / "modgate", tmp_path / "code" / "modgate", ignore=shutil.ignore_patterns("__pycache__")
    )
    project = tmp_path / "host"
    write_module(project / "modules", "alpha", basic("alpha").replace('stage = "S1"', 'stage = "S2"'))
    host_pyproject(project, [project / "modules"])
    cache = tmp_path / "registrations.pickle"

    def declare() -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-S", str(package / "_configure"), "declare", "--project-dir", str(project)]
        cmd += ["--out", str(tmp_path / "declare.cmake"), "--cache", str(cache)]
        return subprocess.run(cmd, capture_output=True, text=True, check=False)

    assert declare().returncode == 0 and cache.is_file()
    schema = package / "_configure" / "schema.py"
    text = schema.read_text(encoding="utf-8")
    assert 'enum=("S0", "S1", "S2")' in text
    schema.write_text(text.replace('enum=("S0", "S1", "S2")', 'enum=("S0", "S1")'), encoding="utf-8")
    refused = declare()  # the cached parse of alpha (stage S2) was made by other rules: not reused
    assert refused.returncode == 2 and "stage 'S2' is not one of S0, S1" in refused.stderr


def test_the_configure_dependencies_are_the_modgate_files_the_steps_imported(tmp_path: Path) -> None:
    root = tmp_path / "modules"
    write_module(root, "alpha", basic("alpha"))
    host_pyproject(tmp_path, [root])
    assert run_configure("resolve", [], tmp_path).returncode == 0
    script = (tmp_path / "resolve.cmake").read_text(encoding="utf-8")
    start = script.index("set(modgate_CONFIGURE_SOURCES")
    listed = script[start : script.index(")\n", start)]
    for needed in ("_configure/registration.py", "_configure/schema.py", "_table.py", "exceptions.py", "_names.py"):
        assert f"modgate/{needed}" in listed, needed
