"""``modgate sbom`` of this build: a CycloneDX document the schema accepts, naming the core
and each module built ON with the license its registration declares."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import modgate
from modgate._cli.sbom import document

pytest.importorskip("cyclonedx", reason="modgate sbom needs cyclonedx-python-lib (tests/requirements.txt)")


def test_the_sbom_validates_and_lists_what_was_built() -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    data = modgate.info()
    text = document(data)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    root = bom["metadata"]["component"]
    assert (root["name"], root["version"]) == (data["distribution"], data["version"])
    assert root["licenses"] == ([{"license": {"id": data["core_license"]}}] if data["core_license"] else [])
    enabled = {n: m for n, m in data["modules"].items() if m["state"] == "ON"}
    found = {c["bom-ref"].removeprefix("module:modgate."): c for c in bom.get("components", [])}
    assert set(found) == set(enabled)
    for name, module in enabled.items():
        shown = found[name].get("licenses", [])
        if module["license"] is None:
            assert shown == []
        else:  # one id, or an expression
            assert shown in ([{"license": {"id": module["license"]}}], [{"expression": module["license"]}])
    depends = {d["ref"]: set(d.get("dependsOn", ())) for d in bom["dependencies"]}
    assert depends[root["bom-ref"]] == {c["bom-ref"] for c in found.values()}


def test_the_manifest_license_covers_the_core_and_every_module_built() -> None:
    data = modgate.info()
    enabled = [m["license"] for m in data["modules"].values() if m["state"] == "ON" and m["origin"] == "in-tree"]
    if data["core_license"] is None or None in enabled:
        assert data["license"] is None  # an expression leaving one out would claim too much
    else:
        for expression in {data["core_license"], *enabled}:
            assert expression in data["license"]


def test_the_command_writes_the_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from modgate.cli import main

    out = tmp_path / "sbom.json"
    assert main(["sbom", "--package", "modgate", "--output", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["bomFormat"] == "CycloneDX"
    assert main(["sbom", "--package", "modgate"]) == 0
    printed, written = json.loads(capsys.readouterr().out), json.loads(out.read_text(encoding="utf-8"))
    for bom in (printed, written):  # each document has its own serial number and time
        bom.pop("serialNumber")
        bom["metadata"].pop("timestamp")
    assert printed == written
