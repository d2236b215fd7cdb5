"""The pip path: a wheel with modules turned off by pip's config settings and by the
environment, relocatable; and an editable install."""

from __future__ import annotations

import configparser
import email.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.integration.cmake_builds import check, own_modules, run

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    env = dict(os.environ, SKBUILD_CMAKE_DEFINE="USE_MODULE_XREF=OFF")
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",  # an isolated build of this tree is .ci/run's own install
        "-w",
        str(out),
        str(ROOT),
        "-C",
        "cmake.define.USE_MODULE_GRAPH=OFF",
        "-C",
        f"build-dir={out / 'build'}",  # not the tree's kept build folder, which other builds use
    ]
    check(run(cmd, env=env))
    (found,) = out.glob("modgate-*.whl")
    return found


def test_wheel_leaves_out_what_was_turned_off(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith(("modgate/modules/graph/", "modgate/modules/xref/"))]
    assert "modgate/modules/scan/__init__.py" in names
    assert "modgate/py.typed" in names  # type checkers read modgate's annotations
    assert any(n.startswith("modgate/modules/scan/libmodgate_scan") for n in names)
    assert any(n.startswith("modgate/modules/scan/_native") for n in names)
    data = json.loads(zipfile.ZipFile(wheel).read("modgate/_manifest.json"))
    modules = data["modules"]
    assert modules["graph"]["state"] == "OFF" and modules["graph"]["reason"] == "USE_MODULE_GRAPH=OFF"
    assert modules["xref"]["state"] == "OFF" and modules["xref"]["reason"] == "USE_MODULE_XREF=OFF"
    assert modules["scan"]["state"] == "ON"
    assert data["options"] == {"USE_MODULE_GRAPH": "OFF", "USE_MODULE_XREF": "OFF"}
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    version = next(
        line for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines() if line.startswith("Version:")
    )
    assert version == f"Version: {data['version']}"


def _dist_info(wheel: Path, name: str) -> str:
    archive = zipfile.ZipFile(wheel)
    member = next(n for n in archive.namelist() if n.endswith(f".dist-info/{name}"))
    return archive.read(member).decode()


def test_wheel_extras_and_entry_points_agree_with_every_registration(wheel: Path) -> None:
    # Expected values from the registration files read here directly, not through modgate.
    registrations = {}
    for toml in sorted((ROOT / "modules").glob("*/module.toml")):
        data = tomllib.loads(toml.read_text(encoding="utf-8"))
        registrations[data["name"]] = data

    def closure(name: str) -> list[str]:
        seen: list[str] = []
        stack = [name]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.append(current)
                stack.extend(registrations[current].get("requires", []))
        return seen

    expected: dict[str, set[str]] = {}
    for name in registrations:
        needs = {r for dep in closure(name) for r in registrations[dep].get("python", {}).get("requires", [])}
        if needs:
            expected[name.replace("_", "-")] = needs
    expected["all"] = {r for data in registrations.values() for r in data.get("python", {}).get("requires", [])}
    assert "graph" in expected  # this repository has a module with Python requirements

    metadata = email.parser.Parser().parsestr(_dist_info(wheel, "METADATA"))
    extras = set(metadata.get_all("Provides-Extra") or [])
    assert extras == set(expected)
    found: dict[str, set[str]] = {extra: set() for extra in extras}
    for line in metadata.get_all("Requires-Dist") or []:
        match = re.fullmatch(r'(.+?);\s*(?:(.+) and )?extra == "([^"]+)"', line)
        if match is None:
            continue  # a dependency of modgate itself
        requirement, marker, extra = match.groups()
        found[extra].add(requirement if marker is None else f"{requirement}; {marker}")
    assert found == expected

    entry_points = configparser.ConfigParser(delimiters=("=",))
    entry_points.optionxform = str  # type: ignore[assignment,method-assign]
    entry_points.read_string(_dist_info(wheel, "entry_points.txt"))
    # A host's own modules have no entry points: graph and xref are off in this wheel,
    # and only the build manifest says so.
    assert "modgate.modules" not in entry_points
    assert entry_points["pytest11"]["modgate"] == "modgate.pytest_plugin"

    # Nothing about the modules is written by hand in pyproject.toml.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "optional-dependencies" not in project
    assert "modgate.modules" not in project.get("entry-points", {})
    assert {"optional-dependencies", "entry-points"} <= set(project["dynamic"])


@pytest.mark.skipif(shutil.which("readelf") is None, reason="readelf (binutils) is needed to read RUNPATHs")
def test_wheel_binaries_use_relative_rpaths(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path)
    libraries = sorted(tmp_path.rglob("*.so"))
    assert len(libraries) >= 4
    for library in libraries:
        dynamic = subprocess.run(["readelf", "-d", str(library)], capture_output=True, text=True, check=True).stdout
        for line in dynamic.splitlines():
            if "RPATH" in line or "RUNPATH" in line:
                entries = line.split("[", 1)[1].rstrip("]").split(":")
                assert all(e.startswith("$ORIGIN") for e in entries), (library, line)


def test_wheel_works_wherever_it_is_unpacked(wheel: Path, tmp_path: Path) -> None:
    first = tmp_path / "first"
    zipfile.ZipFile(wheel).extractall(first)
    moved = tmp_path / "elsewhere" / "site"
    moved.parent.mkdir()
    first.rename(moved)
    code = (
        "import modgate\n"
        "from modgate.modules import scan\n"
        "from modgate.native import lookup\n"
        "assert scan.includes('#include <x>') == [(1, 'x', True)]\n"
        "assert lookup('scan.imports')('import y') == [[1, 'y', '']]\n"
        "print(modgate.info()['modules']['graph']['state'])\n"
    )
    env = dict(os.environ, PYTHONPATH=str(moved))
    env.pop("MODGATE_DISABLE", None)
    proc = check(run([sys.executable, "-c", code], env=env, cwd=tmp_path))
    assert proc.stdout.strip() == "OFF"

    # Turned off at build time, and off at import time: each says so and how to turn it on.
    errors = (
        "import modgate\n"
        "for name in ('graph', 'scan'):\n"
        "    try:\n"
        "        modgate.require(name)\n"
        "    except modgate.ModuleDisabledError as exc:\n"
        "        assert isinstance(exc, ModuleNotFoundError)\n"
        "        print(name, exc.at_import, '|', exc)\n"
    )
    proc = check(run([sys.executable, "-c", errors], env=dict(env, MODGATE_DISABLE="scan"), cwd=tmp_path))
    graph, scan = proc.stdout.strip().splitlines()
    assert graph.startswith("graph False |") and "USE_MODULE_GRAPH is OFF" in graph and "USE_MODULE_GRAPH=OFF" in graph
    assert "pip install" in graph and "cmake.define.USE_MODULE_GRAPH=ON" in graph and "-DUSE_MODULE_GRAPH=ON" in graph
    assert scan.startswith("scan True |") and "MODGATE_DISABLE" in scan


def test_a_damaged_module_library_is_refused_before_it_is_loaded(wheel: Path, tmp_path: Path) -> None:
    """A library cut short would end the process with SIGBUS when loaded; one replaced after
    the install may be another build's. Both are compared with the wheel's RECORD first."""
    site = tmp_path / "site"
    check(run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)]))
    modules = json.loads((site / "modgate" / "_manifest.json").read_text(encoding="utf-8"))["modules"]
    native = sorted(n for n, e in modules.items() if [a for a in e["native"] if "/lib" in a])
    assert native, "this build has no module with a native library"
    name = native[0]
    (artifact,) = [a for a in modules[name]["native"] if "/lib" in a]
    library = site / "modgate" / artifact
    data = library.read_bytes()
    env = dict(os.environ, PYTHONPATH=str(site))
    env.pop("MODGATE_DISABLE", None)
    code = (
        "import sys, modgate, modgate.native\n"
        "way = sys.argv[1]\n"
        "try:\n"
        f"    modgate.require({name!r}) if way == 'import' else modgate.native.load({name!r})\n"
        "except modgate.ModuleLoadError as exc:\n"
        "    print('refused:', exc)\n"
    )
    cut, half = min(16384, len(data) // 2), len(data) // 2  # its headers kept: loading it dies with SIGBUS
    flipped = data[:half] + bytes(b ^ 0xFF for b in data[half : half + 8]) + data[half + 8 :]
    for damage, said in ((data[:cut], f"is {cut} bytes"), (flipped, "content changed after the install")):
        library.write_bytes(damage)
        for way in ("import", "load"):
            proc = run([sys.executable, "-c", code, way], env=env, cwd=tmp_path)
            assert proc.returncode == 0, (way, proc.returncode, proc.stderr[-2000:])  # not killed by SIGBUS
            assert f"refused: module {name!r} cannot be loaded: its file {library} is damaged" in proc.stdout
            assert said in proc.stdout and "pip install --force-reinstall --no-deps" in proc.stdout, proc.stdout
    library.write_bytes(data)  # intact again (newer than RECORD, so hashed): it loads
    for way in ("import", "load"):
        proc = check(run([sys.executable, "-c", code, way], env=env, cwd=tmp_path))
        assert "refused" not in proc.stdout


def test_editable_install(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    check(run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "-e", str(ROOT)]))
    code = (
        "import modgate, pathlib\n"
        "from modgate.modules import scan\n"
        "assert scan.includes('#include <x>') == [(1, 'x', True)]\n"
        "print(pathlib.Path(modgate.__file__).resolve().parent)\n"
    )
    proc = check(run([str(bin_dir / "python"), "-c", code], cwd=tmp_path))
    assert Path(proc.stdout.strip()) == ROOT / "python" / "modgate"  # the source tree is imported
    listing = check(run([str(bin_dir / "modgate"), "list"], cwd=tmp_path)).stdout
    own = own_modules()
    assert f"{len(own)} modules" in listing
    rows = {line.split()[0]: line for line in listing.splitlines()[2:] if line.split()}
    for name in own:  # built; OFF only where an import here would fail, saying why
        assert rows[name].split()[1] == "ON" or "built, but an import here fails" in rows[name], listing

    # graph is built but its Python requirement (graphviz) is not installed here: the error
    # names the extra, and installing that extra, as the message says, makes it importable.
    graph = (
        "import modgate\n"
        "try:\n"
        "    modgate.require('graph')\n"
        "except modgate.ModuleUnavailableError as exc:\n"
        "    print(exc)\n"
        "else:\n"
        "    print('available')\n"
    )
    python = str(bin_dir / "python")
    message = check(run([python, "-c", graph], cwd=tmp_path)).stdout
    assert "graphviz>=0.20" in message and 'pip install "modgate[graph]"' in message, message
    check(run([python, "-m", "pip", "install", "-q", "modgate[graph]"], cwd=tmp_path))
    assert check(run([python, "-c", graph], cwd=tmp_path)).stdout.strip() == "available"
