"""The import-time loader against a real build of the fixture host tests/fixtures/loader:
each way a module can be unusable gives its own error type and an actionable message,
and nothing breaks ``import modgate`` or ``modgate list``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, ROOT
from tests.integration.cmake_builds import build, check, configure, env_for, install, own_modules, run

pytestmark = pytest.mark.build

HOST = FIXTURES / "loader" / "modules"
NAMES = sorted(p.parent.name for p in HOST.glob("*/module.toml"))


@pytest.fixture(scope="module")
def prefix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build_dir = tmp_path_factory.mktemp("loader-build")
    defines = {"MODGATE_ALL_MODULES": "OFF", "MODGATE_EXTRA_MODULE_DIRS": str(HOST)}
    defines |= {f"USE_MODULE_{name.upper()}": "ON" for name in NAMES if name not in ("lz_off", "lz_after")}
    defines["USE_MODULE_LZ_AFTER"] = "AUTO"  # off, following lz_off
    check(configure(ROOT, build_dir, defines))
    check(build(build_dir)[0])
    return install(build_dir, tmp_path_factory.mktemp("loader-prefix"))


CATCH = """
def catch(fn):
    try:
        fn()
    except BaseException as exc:
        cause = exc.__cause__
        return {
            "type": type(exc).__name__,
            "mro": [c.__name__ for c in type(exc).__mro__],
            "message": str(exc),
            "cause": None if cause is None else [type(cause).__name__, str(cause)],
        }
    return None
"""


def py(prefix: Path, code: str, **env: str) -> dict[str, object]:
    """Runs ``code`` (which sets ``out``) against the build; returns ``out`` and stderr."""
    script = "import json\nout = {}\n" + CATCH + textwrap.dedent(code) + "\nprint(json.dumps(out))\n"
    environment = env_for(prefix) | env
    proc = check(run([sys.executable, "-c", script], env=environment, cwd=prefix))
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["stderr"] = proc.stderr
    return result


def test_enabled_module_is_one_object_whichever_way_it_is_reached(prefix: Path, tmp_path: Path) -> None:
    log = tmp_path / "log"
    out = py(
        prefix,
        """
        import modgate
        import modgate.modules.lz_slow as a
        from modgate.modules import lz_slow as b
        c = modgate.modules.lz_slow
        d = modgate.require("lz_slow")
        out["same"] = a is b is c is d
        out["value"] = a.VALUE
        """,
        LZ_SLOW_LOG=str(log),
    )
    assert out["same"] is True and out["value"] == 42
    assert log.read_text().splitlines() == ["imported"]


STRESS = """
import faulthandler, importlib, json, os, sys, threading
faulthandler.dump_traceback_later(float(sys.argv[1]), exit=True)  # a hang ends the process, naming every frame
import modgate
barrier = threading.Barrier(32)
got, errors = [], []
ways = [  # every way a user reaches a module, all at its first use in this process
    lambda: importlib.import_module("modgate.modules.lz_slow"),
    lambda: modgate.modules.lz_slow,
    lambda: modgate.require("lz_slow"),
    lambda: importlib.import_module("modgate.modules.lz_chain") and modgate.modules.lz_slow,
    lambda: modgate.native.lookup("lz_native.answer") and modgate.modules.lz_slow,
    lambda: modgate.is_available("lz_chain") and modgate.require("lz_slow"),
    lambda: modgate.info() and modgate.modules.lz_slow,
    lambda: exec("from modgate.modules import lz_slow as m") or sys.modules["modgate.modules.lz_slow"],
]
def worker(i):
    barrier.wait()
    try:
        got.append(ways[i % len(ways)]())
    except BaseException as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=worker, args=(i,)) for i in range(32)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"errors": errors, "objects": len({id(m) for m in got}), "count": len(got)}))
"""


def test_threads_reaching_a_module_at_first_use_never_deadlock(prefix: Path, tmp_path: Path) -> None:
    """100 fresh processes, each with 32 threads reaching a slow module at once by every
    entry point: none hangs (a hang is killed after 20 s, dumping its threads), each
    imports the module exactly once and every thread gets that one object."""
    from concurrent.futures import ThreadPoolExecutor

    def one(i: int) -> tuple[subprocess.CompletedProcess[str], list[str]]:
        log = tmp_path / f"log{i}"
        proc = run([sys.executable, "-c", STRESS, "20"], env=env_for(prefix) | {"LZ_SLOW_LOG": str(log)}, cwd=prefix)
        return proc, log.read_text().splitlines() if log.exists() else []

    with ThreadPoolExecutor(4) as pool:  # the processes mostly sleep in the slow module
        results = list(pool.map(one, range(100)))
    hangs = [proc.stderr for proc, _ in results if "Timeout" in proc.stderr]
    assert not hangs, f"{len(hangs)} of 100 processes hung; the first:\n{hangs[0]}"
    for proc, log in results:
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        assert out == {"errors": [], "objects": 1, "count": 32}, out
        assert log == ["imported"]


def test_module_off_at_build_time_names_the_option_reason_and_rebuild(prefix: Path) -> None:
    out = py(
        prefix,
        """
        import importlib, modgate
        out["import"] = catch(lambda: importlib.import_module("modgate.modules.lz_off"))
        out["attribute"] = catch(lambda: modgate.modules.lz_off)
        out["from"] = catch(lambda: exec("from modgate.modules import lz_off"))
        out["require"] = catch(lambda: modgate.require("lz_off"))
        out["built"] = [modgate.is_built("lz_off"), modgate.is_available("lz_off")]
        """,
    )
    assert out["built"] == [False, False]
    for way in ("import", "attribute", "from", "require"):
        error = out[way]
        assert isinstance(error, dict)
        assert error["type"] == "ModuleDisabledError" and "ModuleNotFoundError" in error["mro"], (way, error)
        message = error["message"]
        assert "USE_MODULE_LZ_OFF is OFF" in message and "(MODGATE_ALL_MODULES=OFF)" in message, message
        assert "pip install . -C cmake.define.USE_MODULE_LZ_OFF=ON" in message
        assert "cmake -S . -B build -DUSE_MODULE_LZ_OFF=ON" in message
        assert "cmake --install build --prefix <prefix>" in message


def test_module_off_because_a_requirement_is_off_names_the_chain_and_the_option_to_change(prefix: Path) -> None:
    out = py(prefix, "import modgate\nout['e'] = catch(lambda: modgate.require('lz_after'))")
    error = out["e"]
    assert isinstance(error, dict) and error["type"] == "ModuleDisabledError", error
    message = error["message"]
    assert "requires lz_after → lz_off, and 'lz_off' is off in this build (MODGATE_ALL_MODULES=OFF)" in message
    assert "pip install . -C cmake.define.USE_MODULE_LZ_OFF=ON" in message, message
    assert "USE_MODULE_LZ_AFTER=ON" not in message  # that command would fail: lz_off is still off
    info = py(prefix, "import modgate\nout['m'] = modgate.info()['modules']['lz_after']['blocked_by']")
    assert info["m"] == ["lz_off"]


def test_modgate_disable_turns_modules_off_at_import_time(prefix: Path) -> None:
    out = py(
        prefix,
        """
        import modgate
        out["slow"] = catch(lambda: modgate.modules.lz_slow)
        out["chain"] = catch(lambda: modgate.modules.lz_chain)
        out["dep"] = modgate.modules.lz_dep.VALUE
        out["flags"] = [modgate.is_built("lz_slow"), modgate.is_available("lz_slow"), modgate.is_available("lz_dep")]
        out["info"] = modgate.info()["modules"]["lz_slow"]["disabled_at_import"]
        """,
        MODGATE_DISABLE="lz_slow, lz_broken",
    )
    slow, chain = out["slow"], out["chain"]
    assert isinstance(slow, dict) and isinstance(chain, dict)
    assert slow["type"] == "ModuleDisabledError"
    assert "disabled at import time by MODGATE_DISABLE=lz_slow, lz_broken" in slow["message"]
    assert "remove 'lz_slow' from MODGATE_DISABLE" in slow["message"]
    assert chain["type"] == "ModuleDisabledError" and "requires module 'lz_slow'" in chain["message"]
    assert out["dep"] == "dep" and out["flags"] == [True, False, True] and out["info"] is True
    listing = check(
        run([sys.executable, "-m", "modgate", "list"], env=env_for(prefix) | {"MODGATE_DISABLE": "lz_slow"})
    )
    row = next(line for line in listing.stdout.splitlines() if line.startswith("lz_slow "))
    assert row.split()[1] == "OFF" and "MODGATE_DISABLE" in row


def test_missing_or_old_python_requirement_names_it_and_the_extra(prefix: Path) -> None:
    out = py(
        prefix,
        """
        import modgate
        out["needs"] = catch(lambda: modgate.modules.lz_needs)
        out["old"] = catch(lambda: modgate.modules.lz_old)
        out["flags"] = [modgate.is_built("lz_needs"), modgate.is_available("lz_needs")]
        """,
    )
    needs, old = out["needs"], out["old"]
    assert isinstance(needs, dict) and isinstance(old, dict)
    assert needs["type"] == old["type"] == "ModuleUnavailableError"
    assert "ModuleNotFoundError" not in needs["mro"] and "ImportError" in needs["mro"]
    assert "modgate-fixture-absent-package>=1.0 (not installed)" in needs["message"]
    assert 'pip install "modgate[lz-needs]"' in needs["message"]
    assert "pytest>=999 (installed: pytest " in old["message"] and 'pip install "modgate[lz-old]"' in old["message"]
    assert out["flags"] == [True, False]


def test_broken_module_is_a_load_error_never_missing_and_breaks_nothing_else(prefix: Path) -> None:
    out = py(
        prefix,
        """
        import modgate
        out["broken"] = catch(lambda: modgate.modules.lz_broken)
        out["again"] = catch(lambda: modgate.modules.lz_broken)
        out["others"] = modgate.modules.lz_dep.VALUE
        out["flags"] = [modgate.is_built("lz_broken"), modgate.is_available("lz_broken")]
        """,
    )
    broken = out["broken"]
    assert isinstance(broken, dict)
    assert broken["type"] == "ModuleLoadError" and "ModuleNotFoundError" not in broken["mro"]
    assert broken["cause"] == ["RuntimeError", "lz_broken fails on purpose"]
    assert "not a missing one" in broken["message"] and "MODGATE_DISABLE=modgate.lz_broken" in broken["message"]
    assert out["again"] == broken  # a retry fails the same way; it is not cached as missing
    assert out["others"] == "dep" and out["flags"] == [True, True]
    strict = py(prefix, "import modgate\nout['e'] = catch(lambda: modgate.modules.lz_broken)", MODGATE_STRICT="1")
    assert isinstance(strict["e"], dict) and strict["e"]["type"] == "RuntimeError"
    listing = check(run([sys.executable, "-m", "modgate", "list"], env=env_for(prefix))).stdout.splitlines()
    assert len([line for line in listing if line.startswith("lz_")]) == len(NAMES)


@pytest.mark.parametrize("damage", ["removed", "corrupt"])
def test_native_module_with_missing_or_corrupt_extension_is_a_load_error(
    prefix: Path, tmp_path: Path, damage: str
) -> None:
    copy = tmp_path / "prefix"
    shutil.copytree(prefix, copy, symlinks=True)
    (extension,) = (copy / "modgate" / "modules" / "lz_native").glob("_native*.so")
    if damage == "removed":
        extension.unlink()
    else:
        extension.write_bytes(b"\x7fELF this is not a shared object")
    assert py(prefix, "import modgate\nout['v'] = modgate.modules.lz_native.twice(21)")["v"] == 42
    out = py(copy, "import modgate\nout['e'] = catch(lambda: modgate.modules.lz_native)")
    error = out["e"]
    assert isinstance(error, dict) and error["type"] == "ModuleLoadError", error
    assert error["cause"] is not None and error["cause"][0] in ("ImportError", "ModuleNotFoundError"), error
    assert "not a missing one" in error["message"]


def test_native_library_that_fails_to_load_is_a_load_error_for_lookups_too(prefix: Path, tmp_path: Path) -> None:
    copy = tmp_path / "prefix"
    shutil.copytree(prefix, copy, symlinks=True)
    (library,) = (copy / "modgate" / "modules" / "lz_native").glob("lib*")
    library.unlink()
    library.write_bytes(b"\x7fELF this is not a shared object")
    code = "import modgate.native as n\nout['e'] = catch(lambda: n.lookup('lz_native.answer'))"
    good = py(
        prefix,
        "import modgate.native as n\nout['v'] = [n.lookup('lz_native.answer')(), n.lookup('lz_native.length')('abc')]",
    )
    assert good["v"] == [42, 3]
    error = py(copy, code)["e"]
    assert isinstance(error, dict) and error["type"] == "ModuleLoadError", error
    assert error["cause"] is not None and error["cause"][0] == "OSError" and "not a missing one" in error["message"]
    strict = py(copy, code, MODGATE_STRICT="1")["e"]
    assert isinstance(strict, dict) and strict["type"] == "OSError", strict


def test_a_native_module_without_python_folder_imports_with_its_summary(prefix: Path) -> None:
    out = py(
        prefix,
        "import modgate, modgate.native as n\n"
        "out['v'] = [modgate.modules.lz_bare.__doc__, n.lookup('lz_bare.seven')()]",
    )
    assert out["v"] == ["lz_bare: Fixture: native code only, no python/ folder", 7]


def test_cpp_exceptions_reach_python_as_the_documented_types(prefix: Path) -> None:
    kinds = ["type", "invalid_argument", "overflow", "out_of_range", "bad_alloc", "runtime", "int"]
    code = (
        "import modgate.native as n\nfail = n.lookup('lz_native.fail')\n"
        f"out['e'] = {{k: catch(lambda k=k: fail(k)) for k in {kinds!r}}}\nout['ok'] = fail('none')"
    )
    out = py(prefix, code)
    errors = out["e"]
    assert isinstance(errors, dict) and out["ok"] is True
    types = {kind: error["type"] for kind, error in errors.items()}
    assert types == {
        "type": "TypeError",
        "invalid_argument": "ValueError",
        "overflow": "OverflowError",
        "out_of_range": "IndexError",
        "bad_alloc": "MemoryError",
        "runtime": "RuntimeError",
        "int": "RuntimeError",
    }
    assert errors["type"]["message"] == "modgate:lz_native.fail: a modgate type error"
    assert errors["invalid_argument"]["message"] == "an invalid argument"
    assert "unknown C++ exception" in errors["int"]["message"]


def test_unknown_name_lists_known_names_nearest_first(prefix: Path) -> None:
    out = py(
        prefix,
        """
        import modgate
        out["e"] = catch(lambda: modgate.modules.lz_slwo)
        out["r"] = catch(lambda: modgate.require("Not A Name"))
        out["built"] = modgate.is_built("lz_slwo")
        out["attr"] = catch(lambda: modgate.modules._private)
        """,
    )
    error = out["e"]
    assert isinstance(error, dict) and error["type"] == "UnknownModuleError"
    listed = error["message"].split("nearest first: ")[1]
    known = listed.split(" and ")[0].split(", ")
    # The nearest few, not every module (the fixture's and this tree's): the rest is one `modgate list` away.
    assert known[0] == "lz_slow" and len(known) == 5
    assert listed.endswith(f" and {len(NAMES) + len(own_modules()) - 5} more (modgate list shows them)")
    assert isinstance(out["r"], dict) and out["r"]["type"] == "UnknownModuleError"
    assert out["built"] is False
    assert isinstance(out["attr"], dict) and out["attr"]["type"] == "AttributeError"


def test_deprecated_module_warns_by_default_with_removal_and_replacement(prefix: Path) -> None:
    proc = check(run([sys.executable, "-c", "import modgate.modules.lz_dep"], env=env_for(prefix), cwd=prefix))
    assert "ModuleDeprecationWarning" in proc.stderr
    assert "module 'lz_dep' is deprecated since 0.1 and will be removed in 9.0: superseded; use lz_slow" in proc.stderr
    out = py(prefix, "import modgate\nout['fw'] = issubclass(modgate.ModuleDeprecationWarning, FutureWarning)")
    assert out["fw"] is True


def test_eager_imports_every_enabled_module_and_strict_makes_failures_fatal(prefix: Path, tmp_path: Path) -> None:
    log = tmp_path / "log"
    out = py(
        prefix,
        "import sys, modgate\nout['loaded'] = sorted(m for m in sys.modules if m.startswith('modgate.modules.'))",
        MODGATE_EAGER="1",
        LZ_SLOW_LOG=str(log),
    )
    loaded = out["loaded"]
    assert isinstance(loaded, list)
    assert {f"modgate.modules.{n}" for n in ("lz_slow", "lz_chain", "lz_dep", "lz_native")} <= set(loaded)
    assert "modgate.modules.lz_broken" not in loaded and "modgate.modules.lz_needs" not in loaded
    assert "ModuleLoadWarning" in str(out["stderr"]) and "lz_broken fails on purpose" in str(out["stderr"])
    assert log.read_text().splitlines() == ["imported"]
    strict = run(
        [sys.executable, "-c", "import modgate"],
        env=env_for(prefix) | {"MODGATE_EAGER": "1", "MODGATE_STRICT": "1"},
    )
    assert strict.returncode != 0 and "RuntimeError: lz_broken fails on purpose" in strict.stderr
    odd = py(prefix, "import sys, modgate\nout['n'] = 'modgate.modules.lz_slow' in sys.modules", MODGATE_EAGER="maybe")
    assert "MODGATE_EAGER='maybe' is not understood and is ignored" in str(odd["stderr"]) and odd["n"] is False


def test_the_four_failures_side_by_side_leave_modgate_working(prefix: Path) -> None:
    out = py(
        prefix,
        """
        import subprocess, sys, modgate
        out["errors"] = {
            name: catch(lambda name=name: modgate.require(name))["type"]
            for name in ("lz_off", "lz_slow", "lz_needs", "lz_broken")
        }
        listing = subprocess.run([sys.executable, "-m", "modgate", "list"], capture_output=True, text=True)
        out["list"] = listing.returncode
        out["info"] = sorted(modgate.info()["modules"])
        """,
        MODGATE_DISABLE="lz_slow",
    )
    assert out["errors"] == {
        "lz_off": "ModuleDisabledError",
        "lz_slow": "ModuleDisabledError",
        "lz_needs": "ModuleUnavailableError",
        "lz_broken": "ModuleLoadError",
    }
    assert out["list"] == 0 and isinstance(out["info"], list) and set(NAMES) < set(out["info"])


def test_an_import_refused_shows_the_users_line_and_the_reason_not_the_checks_frames(prefix: Path) -> None:
    env = env_for(prefix) | {"MODGATE_DISABLE": "lz_slow"}
    cases = {
        "import modgate.modules.lz_slow": "ModuleDisabledError: module 'lz_slow' is built but disabled",
        "from modgate.modules import lz_slow": "ModuleDisabledError: module 'lz_slow' is built but disabled",
        "import modgate.modules.lz_nope": "UnknownModuleError: modgate has no module 'lz_nope'",
    }
    for statement, message in cases.items():
        proc = run([sys.executable, "-c", statement], env=env, cwd=prefix)
        frames = [line.strip() for line in proc.stderr.splitlines() if line.strip().startswith("File ")]
        assert proc.returncode == 1 and message in proc.stderr, proc.stderr
        assert frames[0].startswith('File "<string>", line 1'), proc.stderr
        # The statement, then the one frame that re-raises the reason: an attribute read of
        # the modules package for `from`, the module's creation for `import`.
        last = "in __getattribute__" if statement.startswith("from") else "in create_module"
        assert len(frames) == 2 and frames[1].endswith(last), proc.stderr
        assert "raise error.with_traceback(None)" in proc.stderr, proc.stderr


def test_a_reloaded_module_is_checked_again_and_keeps_its_files(prefix: Path) -> None:
    # importlib.reload() runs the loader's exec_module alone: the checks and the module's
    # own spec (its __path__, __package__, __file__) come from there.
    out = py(
        prefix,
        """
        import importlib, os, modgate
        import modgate.modules.lz_native as n
        again = importlib.reload(n)
        out["same"] = again is n and n.twice(21) == 42 and n.__package__ == "modgate.modules.lz_native"
        out["file"] = n.__file__.endswith("lz_native/__init__.py")
        os.environ["MODGATE_DISABLE"] = "lz_native"
        out["off"] = catch(lambda: importlib.reload(n))
        """,
    )
    assert out["same"] is True and out["file"] is True
    off = out["off"]
    assert isinstance(off, dict) and off["type"] == "ModuleDisabledError", off
