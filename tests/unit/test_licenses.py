"""``license`` and ``license-files`` in module.toml, ``[project] license``, the combined
expression of a build, and the policy that forbids licenses."""

from __future__ import annotations

from pathlib import Path

import pytest

from modgate._cli.check import check_tree
from modgate._configure.host import parse_host
from modgate._configure.manifest import core_license
from modgate._configure.problems import ConfigurationError
from modgate._configure.registration import parse_registration
from modgate._configure.versions import combined_license


def parse(extra: str) -> object:
    text = f'name = "a"\nsummary = "s"\nstage = "S1"\n{extra}'.encode()
    return parse_registration(text, path="modules/a/module.toml", folder_name="a")


def test_an_expression_is_kept_in_its_canonical_spelling() -> None:
    reg = parse('license = "mit or apache-2.0"\nlicense-files = ["LICENSE", "licenses/*.txt"]\n')
    assert reg.license == "MIT OR Apache-2.0"  # type: ignore[attr-defined]
    assert reg.license_files == ("LICENSE", "licenses/*.txt")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("extra", "key", "needle"),
    [
        ('license = "Apache 2"\n', "license", "'Apache 2' is not an SPDX license expression"),
        ('license = "MIT AND"\n', "license", "is not an SPDX license expression"),
        ('license = ""\n', "license", "the license expression is empty"),
        ("license = 2\n", "license", "must be a string"),
        ('license-files = ["../LICENSE"]\n', "license-files", "contains '..'"),
    ],
)
def test_bad_licenses_name_the_key_and_the_fix(extra: str, key: str, needle: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse(extra)
    text = caught.value.format()
    assert f"modules/a/module.toml:4: {key}" in text and needle in text and "fix:" in text


def test_the_combined_expression() -> None:
    assert combined_license(["Apache-2.0", "Apache-2.0"]) == "Apache-2.0"
    assert combined_license(["Apache-2.0", "MIT OR BSD-3-Clause"]) == "Apache-2.0 AND (MIT OR BSD-3-Clause)"
    assert combined_license(["MIT OR BSD-3-Clause"]) == "MIT OR BSD-3-Clause"
    assert combined_license([]) == ""


def test_the_project_license_and_the_policy() -> None:
    host = parse_host({"project": {"name": "acme", "license": "apache-2.0"}, "tool": {"modgate": {}}})
    assert core_license(host) == "Apache-2.0"
    legacy = parse_host({"project": {"name": "acme", "license": {"text": "..."}}, "tool": {"modgate": {}}})
    assert legacy.license == "" and core_license(legacy) is None  # the older table names no expression
    with pytest.raises(ConfigurationError) as caught:
        core_license(parse_host({"project": {"license": "Apache 2"}, "tool": {"modgate": {"package": "acme"}}}))
    assert "pyproject.toml: [project] license: 'Apache 2' is not an SPDX license expression" in caught.value.format()
    policy = {"forbid-licenses": ["gpl-3.0-only", "AGPL-3.0-or-later"]}
    host = parse_host({"tool": {"modgate": {"package": "acme", "policy": policy}}})
    assert host.policy.forbid_licenses == ("GPL-3.0-only", "AGPL-3.0-or-later")
    for bad, needle in (
        ({"tool": {"modgate": {"package": "acme", "policy": {"forbid-licenses": "GPL"}}}}, "policy.forbid-licenses"),
        (
            {"tool": {"modgate": {"package": "acme", "policy": {"forbid-licenses": ["MIT OR GPL-2.0-only"]}}}},
            "is an expression, not one license id",
        ),
    ):
        with pytest.raises(ConfigurationError) as caught:
            parse_host(bad)
        assert needle in caught.value.format()


def test_check_reports_a_forbidden_license_anywhere_in_an_expression(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "acme"\nversion = "1.0"\n\n[tool.modgate]\npackage = "acme"\n'
        '[tool.modgate.policy]\nforbid-licenses = ["GPL-3.0-only"]\n',
        "modules/ok/module.toml": 'name = "ok"\nsummary = "s"\nstage = "S1"\nmaintainers = ["a"]\nlicense = "MIT"\n',
        "modules/bad/module.toml": 'name = "bad"\nsummary = "s"\nstage = "S1"\nmaintainers = ["a"]\n'
        'license = "MIT AND (GPL-3.0-only OR BSD-2-Clause)"\n',
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    found = [f for f in check_tree(tmp_path) if f.code == "MG800"]
    assert [(f.path, f.line) for f in found] == [("modules/bad/module.toml", 5)]
    assert "names GPL-3.0-only: the host's policy forbids it" in found[0].message
