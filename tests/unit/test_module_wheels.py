"""The pure parts of module wheels: names, the host setting, the wheel writer and reader,
the extras rewrite, the manifest and the records the resolve step writes."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from modgate._cli._wheelfile import metadata_fields, read_wheel, replace_extras, write_wheel
from modgate._configure.host import parse_host
from modgate._configure.problems import ConfigurationError
from modgate._configure.resolver import HostModule
from modgate._names import DEFAULT_MODULE_DISTRIBUTION, module_distribution, wheel_file_name
from tests.helpers import basic, run_configure, write_module


@pytest.mark.parametrize(
    ("project", "module", "pattern", "expected"),
    [
        ("acme", "cutlass", DEFAULT_MODULE_DISTRIBUTION, "acme-cutlass"),
        ("Acme.Core", "graph_executor", DEFAULT_MODULE_DISTRIBUTION, "acme-core-graph-executor"),
        ("acme", "x__y", "{project}_plugin_{module}", "acme-plugin-x-y"),
        ("acme", "cuda", "tvm-{module}", "tvm-cuda"),
    ],
)
def test_module_distribution_names_are_normalized(project: str, module: str, pattern: str, expected: str) -> None:
    assert module_distribution(project, module, pattern) == expected
    assert wheel_file_name(expected) == expected.replace("-", "_")


def _host(table: str) -> dict[str, object]:
    import tomllib

    return tomllib.loads(f'[project]\nname = "acme"\n[tool.modgate]\npackage = "acme"\n{table}')


def test_the_host_may_rename_its_module_distributions() -> None:
    config = parse_host(_host('module-distribution = "acme-plugin-{module}"'))
    assert config.distribution_of("graph_executor") == "acme-plugin-graph-executor"
    assert parse_host(_host("")).distribution_of("x") == "acme-x"


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ('"acme-x"', "must be a string holding {module}"),
        ("3", "must be a string holding {module}"),
        ('"{project}-{name}"', "must be a string holding {module}"),
        ('"{module}-{other}"', "does not make a distribution name"),
        ('"acme {module}"', "does not make a distribution name"),
        ('"{module}-{module}"', "names {module} more than once"),
    ],
)
def test_a_bad_module_distribution_names_the_key_and_the_fix(value: str, said: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_host(_host(f"module-distribution = {value}"))
    text = caught.value.format()
    assert "[tool.modgate] module-distribution" in text and said in text, text
    assert 'module-distribution = "{project}-{module}"' in text


def test_write_wheel_records_every_file_and_reads_back(tmp_path: Path) -> None:
    files = {
        "acme/modules/x/__init__.py": (b"X = 1\n", 0o644),
        "acme/modules/x/libacme_x.so": (b"\x7fELF...", 0o755),
        "acme_x-1.0.dist-info/METADATA": (b"Metadata-Version: 2.4\nName: acme-x\nVersion: 1.0\n\n", 0o644),
    }
    path = write_wheel(tmp_path / "acme_x-1.0-cp311-cp311-linux_x86_64.whl", "acme_x-1.0.dist-info", files)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names[-1] == "acme_x-1.0.dist-info/RECORD"
        rows = list(csv.reader(archive.read(names[-1]).decode().splitlines()))
        for name, digest, size in rows[:-1]:
            data = archive.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={expected}" and int(size) == len(data)
        assert rows[-1] == ["acme_x-1.0.dist-info/RECORD", "", ""]
        assert (archive.getinfo("acme/modules/x/libacme_x.so").external_attr >> 16) & 0o777 == 0o755
    wheel = read_wheel(path)
    assert (wheel.distribution, wheel.version, wheel.tag) == ("acme_x", "1.0", "cp311-cp311-linux_x86_64")
    assert wheel.files["acme/modules/x/__init__.py"][0] == b"X = 1\n"
    with pytest.raises(ValueError, match="not a wheel file name"):
        read_wheel(tmp_path / "acme.zip")


def test_replace_extras_keeps_everything_else() -> None:
    text = (
        "Metadata-Version: 2.4\nName: acme\nVersion: 1.0\nLicense: a long\n  licence text\n"
        'Requires-Dist: packaging>=22\nProvides-Extra: graph\nRequires-Dist: graphviz>=0.20; extra == "graph"\n'
        'Provides-Extra: all\nRequires-Dist: graphviz>=0.20; extra == "all"\n\n# acme\n\nThe readme.\n'
    )
    out = replace_extras(text, {"graph": ["acme-graph==1.0"], "all": ["acme-graph==1.0"]})
    assert metadata_fields(out, "Provides-Extra") == ["graph", "all"]
    assert metadata_fields(out, "Requires-Dist") == [
        "packaging>=22",
        'acme-graph==1.0; extra == "graph"',
        'acme-graph==1.0; extra == "all"',
    ]
    assert "License: a long\n  licence text\n" in out and out.endswith("\n\n# acme\n\nThe readme.\n")
    assert replace_extras("Name: acme\n", {}) == "Name: acme\n\n"


def test_a_host_module_whose_wheel_is_missing_says_which_to_install() -> None:
    module = HostModule("acme", "greeter", False, "USE_MODULE_GREETER", "default AUTO", wheel="acme-greeter")
    assert module.off_text() == "acme's module 'greeter' ships in its own wheel, acme-greeter, which is not installed"
    assert module.rebuild_fix() == 'install it: pip install "acme[greeter]"'
    built_off = HostModule("acme", "greeter", False, "USE_MODULE_GREETER", "USE_MODULE_GREETER=OFF")
    assert "cmake.define.USE_MODULE_GREETER=ON" in built_off.rebuild_fix()


def test_the_resolve_step_writes_the_records_of_a_wheels_build(modules_dir: Path, tmp_path: Path) -> None:
    write_module(modules_dir, "alpha", basic("alpha"))
    write_module(modules_dir, "beta", basic("beta", 'requires = ["alpha"]\n'))
    write_module(modules_dir, "gamma", basic("gamma", 'default = "OFF"\n'))
    generated = tmp_path / "generated"
    stage = tmp_path / "stage"
    args = ["--manifest", str(tmp_path / "manifest.json"), "--generated-dir", str(generated)]
    args += ["--binary-dir", str(tmp_path / "bin"), "--version", "1.2", "--abi-version", "7"]
    args += ["--modules-dir", str(modules_dir)]
    result = run_configure("resolve", [*args, "--module-wheels", str(stage)], tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["module_wheels"] is True
    assert {n: m.get("wheel") for n, m in manifest["modules"].items()} == {
        "alpha": "modgate-alpha",
        "beta": "modgate-beta",
        "gamma": None,  # off: no wheel
    }
    record = json.loads((generated / "wheels.json").read_text())
    assert sorted(record["modules"]) == ["alpha", "beta"] and record["version"] == "1.2"
    assert record["modules"]["beta"]["requires"] == ["modgate-alpha"]
    assert record["modules"]["beta"]["entry_point"] == {
        "group": "modgate.modules",
        "name": "beta",
        "value": "modgate.modules.beta",
    }
    own = json.loads((generated / "records" / "beta" / "_module.json").read_text())
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert own.pop("build") == manifest["build"]  # the core's identity: the loader compares them
    assert own == {
        "schema": 1,
        "module": "beta",
        "package": "modgate",
        "distribution": "modgate-beta",
        "core": "modgate",
        "version": "1.2",
        "abi_version": 7,
    }
    script = (tmp_path / "resolve.cmake").read_text()
    assert "EXCLUDE_FROM_ALL" in script and "COMPONENT [[modgate_module_beta]]" in script
    # The build tree (<build>/python) links each record, so it imports as the wheels install.
    args_links = ["--package-dir", str(tmp_path / "pkg"), "--links", str(tmp_path / "links.json")]
    assert run_configure("resolve", [*args, *args_links, "--module-wheels", str(stage)], tmp_path).returncode == 0
    linked = json.loads((tmp_path / "links.json").read_text())["links"]
    assert [str(generated / "records" / "beta" / "_module.json"), "modules/beta/_module.json"] in linked
    stage_script = (generated / "stage.cmake").read_text()
    assert f"--prefix [[{stage.as_posix()}/modules/beta]]" in stage_script
    # Without --module-wheels: one wheel, nothing staged, nothing excluded.
    plain = run_configure("resolve", args, tmp_path)
    assert plain.returncode == 0 and "EXCLUDE_FROM_ALL" not in (tmp_path / "resolve.cmake").read_text()
    assert json.loads((tmp_path / "manifest.json").read_text())["module_wheels"] is False
    assert "build" not in json.loads((tmp_path / "manifest.json").read_text())  # nothing to compare in one wheel


def test_module_wheels_export_each_module_apart_and_one_wheel_exports_one_set(
    modules_dir: Path, tmp_path: Path
) -> None:
    # CMake writes two files per export set at every generate: a build into one wheel has
    # one set (one pair of files, whatever the module count); module wheels one per module.
    native = {"src/lib.cc": "int f() { return 1; }\n"}
    for name, extra in (("alpha", ""), ("beta", 'requires = ["alpha"]\n'), ("gamma", "")):
        write_module(modules_dir, name, basic(name, extra + "[native]\n"), native)
    write_module(modules_dir, "pure", basic("pure"))  # nothing to export
    generated = tmp_path / "generated"
    args = ["--manifest", str(tmp_path / "manifest.json"), "--generated-dir", str(generated)]
    args += ["--binary-dir", str(tmp_path / "bin"), "--modules-dir", str(modules_dir)]

    def calls() -> dict[str, tuple[str, str]]:
        found = {}
        for line in (tmp_path / "resolve.cmake").read_text().splitlines():
            if "_modgate_add_module(" in line:
                name = line.split("[[", 1)[1].split("]]", 1)[0]
                export_set = line.split("EXPORT_SET [[", 1)[1].split("]]", 1)[0] if "EXPORT_SET" in line else ""
                file = line.split("EXPORT_FILE [[", 1)[1].split("]]", 1)[0] if "EXPORT_FILE" in line else ""
                found[name] = (export_set, file.rpartition("/")[2])
        return found

    assert run_configure("resolve", args, tmp_path).returncode == 0
    one = calls()
    assert {s for s, _ in one.values() if s} == {"_modgate_modules_targets"} and one["pure"] == ("", "")
    assert sorted(f for _, f in one.values() if f) == ["modgateModuleTargetsAll.cmake"]
    index = (generated / "modgateModuleTargets.cmake").read_text()
    assert index.count("include(") == 1 and "modgateModuleTargetsAll.cmake" in index
    assert run_configure("resolve", [*args, "--module-wheels", str(tmp_path / "stage")], tmp_path).returncode == 0
    apart = calls()
    assert {n: f for n, (_, f) in apart.items() if f} == {
        n: f"modgate_{n}Targets.cmake" for n in ("alpha", "beta", "gamma")
    }
    assert len({s for s, _ in apart.values() if s}) == 3
    index = (generated / "modgateModuleTargets.cmake").read_text()
    assert [line for line in index.splitlines() if "include(" in line] == [
        f'  include("${{CMAKE_CURRENT_LIST_DIR}}/modgate_{n}Targets.cmake")' for n in ("alpha", "beta", "gamma")
    ]


def test_the_runtime_library_name_is_the_one_the_core_builds() -> None:
    from modgate._names import RUNTIME_LIBRARY
    from tests.helpers import ROOT

    assert f"add_library({RUNTIME_LIBRARY} SHARED" in (ROOT / "src" / "CMakeLists.txt").read_text(encoding="utf-8")


def test_each_configure_is_a_build_of_its_own_unless_the_build_is_reproducible() -> None:
    from modgate._configure.step_resolve import build_identity

    options = {"USE_MODULE_A": "ON"}
    assert build_identity("1.0", options, {}) != build_identity("1.0", options, {})
    epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    assert build_identity("1.0", options, epoch) == build_identity("1.0", dict(options), dict(epoch))
    assert build_identity("1.0", options, epoch) != build_identity("1.0", {"USE_MODULE_A": "OFF"}, epoch)
    assert build_identity("1.0", options, epoch) != build_identity("1.1", options, epoch)
