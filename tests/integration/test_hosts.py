"""Host projects: a host written by `modgate init` (package `acme`) installs and passes its
own tests with its modules on and off; it lives beside modgate (a module named `scan` in
both) without either touching the other; a plugin (tests/fixtures/plugin) requires acme's
native in-tree module, and is refused cleanly against an acme built without it."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import zlib
from pathlib import Path

import pytest

from tests.helpers import FIXTURES
from tests.integration.cmake_builds import build, check, configure, env_with, python_output, run

pytestmark = pytest.mark.build

PIP = [sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps"]


def install(source: Path, target: Path, *config: str) -> None:
    check(run([*PIP, "--target", str(target), *config, str(source)], env=env_with(target)))


def host_tests(project: Path, target: Path) -> str:
    proc = check(
        run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"], cwd=project, env=env_with(target))
    )
    return proc.stdout


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`modgate init`, then `modgate new scan --native` (a name modgate's modules use too),
    and text's option renamed to a pre-existing name (ACME_WITH_TEXT)."""
    project = tmp_path_factory.mktemp("hosts") / "acme"
    check(run([sys.executable, "-m", "modgate", "init", str(project), "--package", "acme"]))
    check(
        run(
            [
                sys.executable,
                "-m",
                "modgate",
                "new",
                "scan",
                "--native",
                "--maintainer",
                "a",
                "--maintainer",
                "b",
                "--maintainer",
                "c",
                "--requires",
                "greeter",
            ],
            cwd=project,
        )
    )
    toml = project / "modules" / "text" / "module.toml"
    toml.write_text(toml.read_text() + 'option = "ACME_WITH_TEXT"\n')
    packed_module(project)
    return project


PACKED = {
    "module.toml": """name = "packed"
summary = "zlib's CRC-32 and OpenMP's thread count"
stage = "S1"
default = "ON"
maintainers = ["a", "b", "c"]

[native]
packages = [
  { name = "OpenMP", components = ["CXX"], targets = ["OpenMP::OpenMP_CXX"] },
  { name = "ZLIB" },
]
""",
    "include/acme/packed/packed.h": """#pragma once

#include <string>

namespace acme::packed {

long crc(const std::string& text);
long threads();

}  // namespace acme::packed
""",
    "src/packed.cc": """#include "acme/packed/packed.h"

#include <modgate/module.h>
#include <omp.h>
#include <zlib.h>

namespace acme::packed {

long crc(const std::string& text) {
  return static_cast<long>(crc32(0L, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size())));
}

long threads() {
  long seen = 0;
#pragma omp parallel reduction(+ : seen)
  seen += 1;
  return seen == omp_get_max_threads() ? seen : -1;
}

}  // namespace acme::packed

MODGATE_REGISTER_FUNCTION("packed.crc", acme::packed::crc, "zlib's CRC-32 of a string.");
""",
    "python/__init__.py": "from ._native import crc, threads\n\n__all__ = ['crc', 'threads']\n",
    "python/_native.cc": """#include <modgate/python.h>

#include "acme/packed/packed.h"

MODGATE_PYTHON_MODULE(m) {
  m.def("crc", &acme::packed::crc);
  m.def("threads", &acme::packed::threads);
}
""",
    "tests/test_packed.py": """import zlib


def test_zlib_and_openmp_are_linked_and_called() -> None:
    from acme.modules import packed

    assert packed.crc("acme") == zlib.crc32(b"acme") and packed.threads() >= 1
""",
}


def packed_module(project: Path) -> None:
    """`modgate new packed --native`, edited as its author would to use two real CMake
    packages: OpenMP through `targets` and ZLIB through its usual target. Default ON, so a
    package probe that fails is a configure error, not a module quietly off."""
    check(run([sys.executable, "-m", "modgate", "new", "packed", "--native"], cwd=project))
    folder = project / "modules" / "packed"
    for relative, text in PACKED.items():
        (folder / relative).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def site(acme: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """acme with every module on, and the plugin that requires its greeter, in one folder."""
    target = tmp_path_factory.mktemp("hosts-site") / "site"
    install(acme, target)
    plugin = shutil.copytree(FIXTURES / "plugin", tmp_path_factory.mktemp("plugin") / "plugin")
    install(plugin, target)
    return target


def test_init_writes_a_host_that_passes_its_own_tests(acme: Path, site: Path) -> None:
    assert (acme / ".github" / "workflows" / "ci.yml").is_file() and "pip install" in (acme / "README.md").read_text()
    out = host_tests(acme, site)
    # core x2, greeter, text, scan, packed, and the load checks of the native three: all built
    assert "9 passed" in out and "skipped" not in out, out
    listing = check(run([sys.executable, "-m", "modgate", "list", "--package", "acme"], env=env_with(site))).stdout
    # acme's own modules and the plugin's, all on: counted from their folders.
    count = sum(1 for root in (acme, FIXTURES / "plugin") for _ in (root / "modules").glob("*/module.toml"))
    assert listing.splitlines()[0].startswith(f"acme 0.1.0: {count} modules, {count} enabled"), listing


def test_a_hosts_build_tree_is_importable_and_passes_its_tests(acme: Path, tmp_path: Path) -> None:
    # Plain CMake, no install: <build>/python holds acme's own files, its _core and the
    # modules this configuration built (text off here).
    project = shutil.copytree(acme, tmp_path / "acme", ignore=shutil.ignore_patterns("build", "__pycache__"))
    build_dir = tmp_path / "build"
    check(configure(project, build_dir, {"ACME_WITH_TEXT": "OFF"}))
    check(build(build_dir)[0])
    package = build_dir / "python" / "acme"
    assert (package / "__init__.py").is_file() and list(package.glob("_core*"))
    assert not (package / "modules" / "text").exists()
    out = host_tests(project, build_dir / "python")
    assert "passed" in out and "USE_MODULE_TEXT" not in out and "ACME_WITH_TEXT" in out, out


def test_two_hosts_side_by_side_never_touch(acme: Path, site: Path) -> None:
    code = """
        import json, modgate, acme
        from modgate.modules import scan as modgate_scan
        from acme.modules import scan as acme_scan
        import modgate.native as native
        native.load("acme:scan")
        native.load("acme:greeter")
        native.load("scan")
        print(json.dumps({
            "files": [modgate_scan.__file__, acme_scan.__file__],
            "acme": acme_scan.hello("x"),
            "modgate": modgate_scan.includes("#include <v>\\n"),
            "registry": sorted(native.functions()),
            "acme_lookup": native.lookup("acme:scan.hello")("y"),
            "modgate_lookup": native.lookup("scan.hello"),
            "manifests": [modgate.manifest_path().parent.name, sorted(acme.info()["modules"])],
            "available": [modgate.is_available("scan"), acme.is_available("scan")],
        }))
    """
    data = json.loads(python_output(code, env_with(site)))
    assert "/modgate/modules/scan/" in data["files"][0] and "/acme/modules/scan/" in data["files"][1]
    assert data["acme"] == "hello x from scan" and data["modgate"] == [[1, "v", True]]
    assert {"acme:scan.hello", "modgate:scan.includes", "acme:greeter.hello"} <= set(data["registry"])
    assert data["acme_lookup"] == "hello y from scan" and data["modgate_lookup"] is None
    modules = sorted(
        p.parent.name for root in (acme, FIXTURES / "plugin") for p in (root / "modules").glob("*/module.toml")
    )
    assert data["manifests"] == ["modgate", modules]
    assert data["available"] == [True, True]
    # MODGATE_DISABLE: a qualified name turns off one host's module; a bare name every host's.
    probe = "import modgate, acme; print(modgate.is_available('scan'), acme.is_available('scan'))"
    assert python_output(probe, env_with(site, MODGATE_DISABLE="acme.scan")).split() == ["True", "False"]
    assert python_output(probe, env_with(site, MODGATE_DISABLE="modgate.scan")).split() == ["False", "True"]
    assert python_output(probe, env_with(site, MODGATE_DISABLE="scan")).split() == ["False", "False"]
    # No host's own modules in entry points (each manifest lists them), a plugin's in its
    # host's group; the listing and the pytest header show one host.
    for dist_info in [*site.glob("acme-*.dist-info"), *site.glob("modgate-*.dist-info")]:
        entry_points = dist_info / "entry_points.txt"
        text = entry_points.read_text() if entry_points.is_file() else ""
        assert "[acme.modules]" not in text and "[modgate.modules]" not in text, dist_info
    plugin = next(site.glob("acme_plus-*.dist-info")).joinpath("entry_points.txt").read_text()
    assert "[acme.modules]\n" in plugin and "\nshout = acme_plus.modules.shout\n" in plugin
    listed = json.loads(
        check(
            run([sys.executable, "-m", "modgate", "list", "--package", "acme", "--format", "json"], env=env_with(site))
        ).stdout
    )
    info = json.loads(python_output("import json, acme; print(json.dumps(acme.info()))", env_with(site)))
    assert listed == info and sorted(listed["modules"]) == modules


def test_errors_name_the_hosts_own_option_extra_and_rebuild(acme: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    install(acme, target, "-C", "cmake.define.USE_MODULE_GREETER=OFF", "-C", "cmake.define.ACME_WITH_TEXT=OFF")
    out = host_tests(acme, target)
    # The core's tests pass with greeter and text off (packed, default ON, stays on).
    assert "4 passed" in out and "3 skipped" in out, out
    code = """
        import acme
        try:
            acme.require("greeter")
        except Exception as exc:
            print(type(exc).__name__, exc)
        print(acme.is_built("text"), acme.greet("you"))
    """
    text = python_output(code, env_with(target))
    assert "USE_MODULE_GREETER is OFF in this build of acme" in text
    assert "pip install . -C cmake.define.USE_MODULE_GREETER=ON (in the source checkout of acme)" in text
    assert text.strip().endswith("False hi you")  # the core copes: its own answer without greeter


def test_a_per_module_option_and_unknown_options_through_real_cmake(acme: Path, tmp_path: Path) -> None:
    proc = run([*PIP, "--target", str(tmp_path / "t"), "-C", "cmake.define.USE_MODULE_TEXT=OFF", str(acme)])
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "USE_MODULE_TEXT names no option: module 'text' is toggled by ACME_WITH_TEXT" in output, output
    assert "Traceback" not in output


def test_a_plugin_builds_on_the_hosts_native_module(site: Path) -> None:
    code = """
        import json, acme
        from acme.modules import shout
        import modgate.native as native
        origin = acme.info()["modules"]["shout"]["origin"]
        from acme.modules import murmur
        present = acme.info()["modules"]["murmur"]["optional_present"]
        loud = native.lookup("acme:shout.shout")("me")
        print(json.dumps([shout.shout("you"), loud, origin, murmur.murmur("me"), present]))
    """
    assert json.loads(python_output(code, env_with(site))) == [
        "HELLO YOU FROM GREETER!",
        "HELLO ME FROM GREETER!",
        "out-of-tree",
        "(hello me from greeter)",  # an optional requirement on the host's module, present: linked and used
        ["greeter"],
    ]


def test_a_plugin_is_refused_cleanly_against_a_host_built_without_its_requirement(acme: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    install(acme, target, "-C", "cmake.define.USE_MODULE_GREETER=OFF")
    plugin = shutil.copytree(FIXTURES / "plugin", tmp_path / "plugin")
    proc = run([*PIP, "--target", str(target), str(plugin)], env=env_with(target))
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "modules/shout/module.toml: requires: module 'shout' is ON" in output, output
    assert "acme's module 'greeter' is OFF in the installed acme (USE_MODULE_GREETER" in output
    assert "pip install acme -C cmake.define.USE_MODULE_GREETER=ON" in output
    assert "Traceback" not in output
    # The plugin's build found its host as pybind11's users find pybind11: the host's cmake.prefix.
    assert f"modgate: host acme from CMAKE_PREFIX_PATH (cmake.prefix): {target}" in output


def test_a_typo_in_a_kept_option_name_is_refused_by_plan_cmake_and_pip(acme: Path, tmp_path: Path) -> None:
    typo = "ACME_WITH_TXET"  # text's kept option is ACME_WITH_TEXT
    proc = run([sys.executable, "-m", "modgate", "plan", str(acme), "-D", f"{typo}=OFF"])
    assert proc.returncode == 2, proc.stdout
    assert f"{typo} names no option" in proc.stderr and "ACME_WITH_TEXT, the option of module 'text'" in proc.stderr
    assert f"fix: set ACME_WITH_TEXT instead (cmake: -U{typo} -DACME_WITH_TEXT=...)" in proc.stderr
    proc = configure(acme, tmp_path / "build", {typo: "OFF"})
    assert proc.returncode != 0 and f"{typo} names no option" in proc.stderr, proc.stderr[-3000:]
    target = tmp_path / "site"
    proc = run([*PIP, "--target", str(target), "-C", f"cmake.define.{typo}=OFF", str(acme)], env=env_with(target))
    assert proc.returncode != 0 and f"{typo} names no option" in proc.stdout + proc.stderr
    # A variable of the host's own, near no option, is the host's business.
    assert check(run([sys.executable, "-m", "modgate", "plan", str(acme), "-D", "ACME_FAST_PATH=ON"])).returncode == 0


def test_the_core_finds_a_built_modules_function_in_a_fresh_process(site: Path) -> None:
    # The core's C++ lookup of "greeter.hello", with nothing imported before: the module's
    # library loads on demand (modgate_core_target's loader), not only after an import.
    out = python_output(
        """
        import json, sys
        import acme
        before = sorted(name for name in sys.modules if name.startswith("acme.modules."))
        print(json.dumps({"greeting": acme.greet("you"), "imported_before": before}))
        """,
        env_with(site),
    )
    assert json.loads(out) == {"greeting": "hello you from greeter", "imported_before": []}
    off = python_output("import acme; print(acme.greet('you'))", env_with(site, MODGATE_DISABLE="acme.greeter"))
    assert off.strip() == "hi you"  # turned off at import time: the core's own fallback


def test_a_module_using_real_packages_loads_first_thing_in_a_process(site: Path) -> None:
    # OpenMP and ZLIB, found by configure's package probe in a host as `modgate init` writes it
    # (two languages), linked, and called: by a direct import and by the registry's lookup.
    out = python_output(
        """
        import json, zlib
        from acme.modules import packed
        import modgate.native as native
        crc = native.lookup("acme:packed.crc")
        print(json.dumps([packed.crc("x") == zlib.crc32(b"x"), packed.threads() >= 1, crc("y")]))
        """,
        env_with(site),
    )
    assert json.loads(out) == [True, True, zlib.crc32(b"y")]


def test_modgates_own_module_commands_work_inside_another_hosts_folder(acme: Path, site: Path) -> None:
    import modgate

    if not modgate.is_built("graph"):
        pytest.skip("modgate's graph module is off in this build: no modgate graph to offer")
    helped = check(run([sys.executable, "-m", "modgate", "--help"], cwd=acme, env=env_with(site))).stdout
    assert "graph (graph)" in helped
    drawn = check(run([sys.executable, "-m", "modgate", "graph", "--format", "text"], cwd=acme, env=env_with(site)))
    drawn_modules = {line.split()[0] for line in drawn.stdout.splitlines()}
    assert {
        "greeter",
        "scan",
        "text",
        "shout",
    } <= drawn_modules and "xref" not in drawn_modules  # acme's, not modgate's


def test_a_define_of_an_earlier_pip_install_does_not_stay_in_the_kept_build_folder(acme: Path, tmp_path: Path) -> None:
    # The template keeps its build folder (build-dir): a toggle of one pip run is that run's alone.
    off, on = tmp_path / "off", tmp_path / "on"
    install(acme, off, "-C", "cmake.define.USE_MODULE_GREETER=OFF")
    install(acme, on)
    states = {}
    for where in (off, on):
        states[where.name] = python_output(
            "import acme; print(acme.info()['modules']['greeter']['state'])", env_with(where)
        ).strip()
    assert states == {"off": "OFF", "on": "ON"}
    assert next((acme / "build").glob("*/CMakeCache.txt")).is_file()  # one folder, reused by both


def test_eager_and_strict_import_the_hosts_own_modules_after_its_init(site: Path, tmp_path: Path) -> None:
    """MODGATE_EAGER=1 imports every enabled module of each host once the host's
    ``__init__`` has run (a module may import what it defines); MODGATE_STRICT=1 makes a
    broken one fail ``import acme``."""
    copy = shutil.copytree(site, tmp_path / "site", symlinks=True)
    modules = json.loads((copy / "acme" / "_manifest.json").read_text(encoding="utf-8"))["modules"]
    enabled = sorted(n for n, e in modules.items() if e["state"] == "ON")
    folder = copy / "acme" / "modules"
    pure = [n for n in enabled if not modules[n]["native"] and (folder / n / "__init__.py").is_file()]
    assert pure, "acme has no pure-Python module to break"
    broken = copy / "acme" / "modules" / pure[0] / "__init__.py"
    # Imports what acme's __init__ defines after attach(): it must be done when modules load.
    broken.write_text("from acme import greet\n" + broken.read_text(encoding="utf-8"), encoding="utf-8")
    code = "import json, sys, acme; print(json.dumps([m for m in sys.modules if m.startswith('acme.modules.')]))"
    loaded = python_output(code, env_with(copy, MODGATE_EAGER="1"))
    assert {f"acme.modules.{n}" for n in enabled} <= set(json.loads(loaded))
    broken.write_text("raise RuntimeError('broken on purpose')\n", encoding="utf-8")
    warned = run([sys.executable, "-c", code], env=env_with(copy, MODGATE_EAGER="1"))
    assert warned.returncode == 0 and f"MODGATE_EAGER: module {pure[0]!r}" in warned.stderr, warned.stderr
    strict = run([sys.executable, "-c", "import acme"], env=env_with(copy, MODGATE_EAGER="1", MODGATE_STRICT="1"))
    assert strict.returncode == 1 and "RuntimeError: broken on purpose" in strict.stderr, strict.stderr


def test_the_editable_loop_of_a_module_author(tmp_path: Path) -> None:
    """What the module author guide shows: an editable install of a `modgate init` host,
    rebuilt on import; a module's native part imports first thing in a process; edits of a
    module's Python and C++ show at the next import; a toggle goes through pip."""
    project = tmp_path / "acme"
    check(run([sys.executable, "-m", "modgate", "init", str(project), "--package", "acme"]))
    bare = tmp_path / "venv"  # the test environment's modgate, scikit-build-core and pybind11
    check(run([sys.executable, "-m", "venv", "--system-site-packages", str(bare)]))
    python = str(bare / "bin" / "python")
    editable = [python, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps", "-e", str(project)]
    editable += ["-C", "editable.rebuild=true", "-C", "editable.verbose=false", "-C", "build-dir=build/editable"]
    env = env_with()
    check(run(editable, env=env, cwd=tmp_path))
    first = "import acme.modules.greeter as g\nprint(g.hello('x'))"  # nothing of modgate's loaded before
    assert check(run([python, "-c", first], env=env, cwd=tmp_path)).stdout.strip() == "hello x from greeter"
    text = project / "modules" / "text" / "python" / "__init__.py"
    text.write_text(text.read_text(encoding="utf-8").replace('from text"', 'from text, edited"'), encoding="utf-8")
    cxx = project / "modules" / "greeter" / "src" / "greeter.cc"
    cxx.write_text(
        cxx.read_text(encoding="utf-8").replace(' from greeter"', ' from greeter, edited"'), encoding="utf-8"
    )
    code = "import acme, acme.modules.text as t, acme.modules.greeter as g\n"
    code += "print(t.hello('x'), g.hello('x'), acme.greet('y'))"
    verbose = env | {"SKBUILD_EDITABLE_VERBOSE": "1"}  # the rebuild's output (on stdout), for a failure
    proc = check(run([python, "-c", code], env=verbose, cwd=tmp_path))
    edited = "hello x from text, edited hello x from greeter, edited hello y from greeter, edited"
    assert proc.stdout.splitlines()[-1] == edited, proc.stdout + proc.stderr
    # Rebuilt within a second of the last install: `cmake --install` alone keeps a destination
    # whose time is that close to its source's. Built by hand, installed at the next import.
    cxx.write_text(cxx.read_text(encoding="utf-8").replace(", edited", ", again"), encoding="utf-8")
    build = project / "build" / "editable"
    check(run(["cmake", "--build", str(build)], env=env))
    for built in (build / "modules" / "greeter").glob("*.so"):
        (installed,) = (build / "install").rglob(f"greeter/{built.name}")
        os.utime(installed, ns=(built.stat().st_atime_ns, built.stat().st_mtime_ns))
    proc = check(run([python, "-c", code], env=verbose, cwd=tmp_path))
    again = edited.replace("greeter, edited", "greeter, again")
    assert proc.stdout.splitlines()[-1] == again, proc.stdout + proc.stderr
    check(run([*editable, "-C", "cmake.define.USE_MODULE_GREETER=OFF"], env=env, cwd=tmp_path))
    off = "import acme\ntry:\n    import acme.modules.greeter\nexcept ImportError as e:\n    print(type(e).__name__)\n"
    off += "print(acme.is_built('greeter'), acme.greet('y'))"
    assert check(run([python, "-c", off], env=env, cwd=tmp_path)).stdout.split() == [
        "ModuleDisabledError",
        "False",
        "hi",
        "y",
    ]


def test_one_configure_runs_the_declare_step_once(acme: Path, tmp_path: Path) -> None:
    """Every variable crosses to the configure steps once: a per-module option the project
    sets as a plain variable (ACME_WITH_TEXT, not a cache entry, on a first configure) is
    taken by the one declare step, and a typo carrying the host's prefix is still refused."""
    log = tmp_path / "steps.log"
    wrapper = tmp_path / "python"
    wrapper.write_text(f'#!/bin/sh\necho "$3" >> {log}\nexec {sys.executable} "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    include = tmp_path / "set_text.cmake"
    include.write_text("set(ACME_WITH_TEXT OFF)\n", encoding="utf-8")
    defines = {"modgate_PYTHON_EXECUTABLE": str(wrapper), "CMAKE_PROJECT_INCLUDE": str(include)}
    proc = check(configure(acme, tmp_path / "build", defines))
    assert log.read_text(encoding="utf-8").split() == ["declare", "resolve"], log.read_text(encoding="utf-8")
    assert re.search(r"text\s+OFF\s+S\d\s+ACME_WITH_TEXT=OFF", proc.stdout), proc.stdout
    include.write_text("set(USE_MODULE_GRETER OFF)\n", encoding="utf-8")
    proc = configure(acme, tmp_path / "typo", defines)
    assert proc.returncode != 0 and "did you mean 'USE_MODULE_GREETER'" in proc.stderr, proc.stderr
