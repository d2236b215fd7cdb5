"""``modgate verify`` on a host made by ``modgate init``, with a planted module whose test
secretly needs another module: ``each-off`` catches it, and the printed reproduce command
fails the same way."""

from __future__ import annotations

import shlex
import shutil
import sys
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.integration.cmake_builds import check, run

pytestmark = pytest.mark.build

PLANTED = """\
from acme.modules import text  # the module needs text; its module.toml does not say so


def test_needy() -> None:
    assert text is not None
"""


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("verify") / "acme"
    check(run([sys.executable, "-m", "modgate", "init", str(project), "--package", "acme"]))
    check(run([sys.executable, "-m", "modgate", "new", "needy"], cwd=project))
    (project / "modules" / "needy" / "tests" / "test_needy.py").write_text(PLANTED)
    return project


def modgate(*args: str, cwd: Path) -> tuple[int, str]:
    proc = run([sys.executable, "-m", "modgate", *args], cwd=cwd)
    return proc.returncode, proc.stdout + proc.stderr


def test_each_off_catches_the_planted_module_and_its_reproduce_command_fails_the_same(
    host: Path, tmp_path: Path
) -> None:
    report = tmp_path / "junit.xml"
    code, out = modgate("verify", str(host), "--strategy", "each-off", "--keep-going", "--junit", str(report), cwd=host)
    assert code == 1, out
    assert "[3/3] each-off:text ... FAILED at tests" in out and "ModuleDisabledError" in out
    assert "each-off:greeter  ok" in out and "each-off:needy    ok" in out
    assert "modgate verify: 2 passed, 1 failed" in out
    (reproduce,) = [line.removeprefix("reproduce: ") for line in out.splitlines() if line.startswith("reproduce: ")]
    assert reproduce.endswith("--only each-off:text")
    program, *args = shlex.split(reproduce)
    again_code, again = modgate(*args, cwd=host)
    assert program == "modgate" and again_code == 1
    assert "[1/1] each-off:text ... FAILED at tests" in again and "ModuleDisabledError" in again
    suite = ET.parse(report).getroot()
    assert suite.get("tests") == "3" and suite.get("failures") == "1"
    failed = [case.get("name") for case in suite if case.find("failure") is not None]
    assert failed == ["each-off:text"]
    # The same mistake, found without building: modgate check names the file and line.
    code, out = modgate("check", str(host), cwd=host)
    assert code == 1 and "modules/needy/tests/test_needy.py:1: MG602" in out


def test_a_removal_builds_a_copy_without_the_folder_and_a_bad_only_is_refused(host: Path) -> None:
    code, out = modgate("verify", str(host), "--strategy", "removal", "--only", "removal:needy", cwd=host)
    assert code == 0, out
    assert "modgate verify: 1 passed, 0 failed" in out
    assert (host / "modules" / "needy").is_dir()  # the tree itself is untouched
    code, out = modgate("verify", str(host), "--only", "each-off:nosuch", cwd=host)
    assert code == 2 and "--only each-off:nosuch: no such configuration" in out


def test_a_hanging_test_and_a_hanging_configuration_stop_at_their_time_limits(host: Path, tmp_path: Path) -> None:
    # A copy of the host with a core test that never returns: the default test command
    # stops it after --test-timeout, naming where it hung; --timeout stops any step.
    project = shutil.copytree(host, tmp_path / "acme", ignore=shutil.ignore_patterns("build", "__pycache__"))
    (project / "tests" / "test_hang.py").write_text("import time\n\n\ndef test_hangs() -> None:\n    time.sleep(600)\n")
    start = time.perf_counter()
    code, out = modgate("verify", str(project), "--only", "each-off:greeter", "--test-timeout", "3", cwd=project)
    assert code == 1 and "FAILED at tests" in out, out
    assert "a test ran past --test-timeout and was stopped: Timeout (0:00:03)!" in out
    assert 'test_hang.py", line 5 in test_hangs' in out
    assert "--test-timeout 3 --only each-off:greeter" in out  # the reproduce line keeps the limit
    code, out = modgate(
        "verify", str(project), "--only", "each-off:text", "--test-command", "sleep 600", "--timeout", "30", cwd=project
    )
    assert code == 1 and "FAILED at tests (timed out)" in out and "stopped after 30 s for this configuration" in out
    assert time.perf_counter() - start < 200, out
    code, out = modgate("verify", str(project), "--timeout", "0", cwd=project)
    assert code == 2 and "'0' is not a positive number of seconds" in out and "Traceback" not in out
