"""``modgate schema`` and the parser agree: both come from one declaration
(``_configure/schema.py``), on every registration file of this tree and on the bad-input
corpus."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from modgate._configure.problems import ConfigurationError
from modgate._configure.registration import parse_registration
from modgate._configure.schema import json_schema
from modgate.cli import main
from tests.helpers import ROOT
from tests.unit.test_bad_inputs import CASES

VALIDATOR = Draft202012Validator(json_schema())
# Corpus cases whose mistake a JSON Schema can express: it must refuse them too.
SCHEMA_LEVEL = {"wrong-type", "wrong-list-type", "unknown-key", "invalid-name", "invalid-stage", "invalid-default"}
SCHEMA_LEVEL |= {"empty-file", "blank-file", "reserved-name"}


def parser_accepts(path: Path) -> bool:
    try:
        parse_registration(path.read_bytes(), path=str(path), folder_name=path.parent.name)
    except ConfigurationError:
        return False
    return True


def schema_accepts(path: Path) -> bool:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError):
        return False
    return VALIDATOR.is_valid(data)


def test_the_schema_is_a_valid_json_schema() -> None:
    Draft202012Validator.check_schema(json_schema())


def test_every_registration_of_this_tree_passes_both() -> None:
    files = sorted(ROOT.glob("modules/*/module.toml")) + sorted((ROOT / "tests" / "fixtures").rglob("module.toml"))
    assert len(files) > 20
    for path in files:
        if parser_accepts(path):
            assert schema_accepts(path), (path, list(VALIDATOR.iter_errors(tomllib.loads(path.read_text()))))


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_the_bad_input_corpus(case_id: str, tmp_path: Path) -> None:
    root = tmp_path / "modules"
    root.mkdir()
    CASES[case_id].setup(root)
    files = sorted(p for p in root.rglob("module.toml") if p.is_file())  # one case makes it a folder
    verdicts = {path: (parser_accepts(path), schema_accepts(path)) for path in files}
    for path, (parser, schema) in verdicts.items():
        # Never stricter than the parser: what it accepts, the schema accepts.
        assert schema or not parser, f"{case_id}: the schema refuses {path}, which the parser accepts"
    if case_id in SCHEMA_LEVEL:
        assert any(not schema for _, schema in verdicts.values()), f"{case_id}: the schema accepts it"


def test_modgate_schema_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == json_schema()
