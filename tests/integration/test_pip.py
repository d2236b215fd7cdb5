"""The pip path: a wheel with modules turned off by pip's config settings and by the
environment, relocatable; and an editable install."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
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
        "-w",
        str(out),
        str(ROOT),
        "-C",
        "cmake.define.USE_MODULE_GRAPH=OFF",
    ]
    check(run(cmd, env=env))
    (found,) = out.glob("modgate-*.whl")
    return found


def test_wheel_leaves_out_what_was_turned_off(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith(("modgate/modules/graph/", "modgate/modules/xref/"))]
    assert "modgate/modules/scan/__init__.py" in names
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
    proc = check(run([sys.executable, "-c", code], env=env, cwd=tmp_path))
    assert proc.stdout.strip() == "OFF"


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
    for name in own:
        assert any(line.split()[:2] == [name, "ON"] for line in listing.splitlines()), listing
