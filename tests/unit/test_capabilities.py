"""Capabilities (``provides`` in module.toml, ``[tool.modgate.capabilities]``): the choice
of a provider, the host's policy and default, and every mistake's message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modgate._configure.host import CapabilitySetting, parse_host
from modgate._configure.problems import ConfigurationError
from modgate._configure.registration import Registration, parse_registration
from modgate._configure.request import build_requests, capabilities
from modgate._configure.resolver import resolve
from modgate._names import capability_option
from modgate.cli import main, tree_info


def reg(name: str, provides: str | None = None, requires: tuple[str, ...] = ()) -> Registration:
    return Registration(name, "s", "S1", f"modules/{name}/module.toml", provides=provides, requires=requires)


MODULES = {
    r.name: r for r in (reg("openblas", "blas"), reg("mkl", "blas"), reg("gemm", requires=("mkl",)), reg("core_ops"))
}


def decide(values: dict[str, str], settings: list[tuple[str, str, str | None, str]] | None = None) -> dict[str, str]:
    """Each module's state and reason."""
    provided = capabilities(MODULES, settings or [])
    resolution = resolve(MODULES, build_requests(MODULES, values, None, provided=provided), provided=provided)
    return {s.name: f"{'ON' if s.enabled else 'OFF'}: {s.reason}" for s in resolution.states}


def failure(values: dict[str, str], settings: list[tuple[str, str, str | None, str]] | None = None) -> str:
    with pytest.raises(ConfigurationError) as caught:
        decide(values, settings)
    return caught.value.format()


def test_the_key_and_the_derived_option() -> None:
    text = b'name = "mkl"\nsummary = "s"\nstage = "S1"\nprovides = "blas"\n'
    assert parse_registration(text, path="m.toml", folder_name="mkl").provides == "blas"
    with pytest.raises(ConfigurationError) as caught:
        parse_registration(text.replace(b'"blas"', b'"BLAS"'), path="m.toml", folder_name="mkl")
    assert "m.toml:4: provides: 'BLAS' is not a capability name" in caught.value.format()
    assert capability_option("blas") == "MODGATE_PROVIDER_BLAS"


def test_the_choice_turns_one_provider_on_and_the_others_off() -> None:
    got = decide({"MODGATE_PROVIDER_BLAS": "MKL"})  # a provider's name, in any case
    assert got["mkl"] == "ON: MODGATE_PROVIDER_BLAS=mkl (capability 'blas')"
    assert got["openblas"] == "OFF: MODGATE_PROVIDER_BLAS=mkl (capability 'blas')"
    assert got["gemm"] == "ON: default AUTO"
    got = decide({"MODGATE_PROVIDER_BLAS": "none"})
    assert got["mkl"].startswith("OFF") and got["openblas"].startswith("OFF")
    assert got["gemm"] == "OFF: requires mkl, which is off: MODGATE_PROVIDER_BLAS=none (capability 'blas')"


def test_unset_each_provider_decides_and_an_on_one_wins_over_an_auto_one() -> None:
    got = decide({"USE_MODULE_OPENBLAS": "ON"})
    assert got["openblas"] == "ON: USE_MODULE_OPENBLAS=ON"
    assert got["mkl"] == "OFF: 'openblas', which also provides 'blas', is ON (USE_MODULE_OPENBLAS=ON)"
    assert got["gemm"].startswith("OFF: requires mkl")
    text = failure({})  # two AUTO providers, both buildable: choosing one silently would be arbitrary
    assert "modules 'mkl' and 'openblas' both provide 'blas', of which at most one may be on, and both are AUTO" in text
    assert "choose one: set MODGATE_PROVIDER_BLAS=mkl or MODGATE_PROVIDER_BLAS=openblas" in text


def test_the_hosts_default_and_option_name() -> None:
    settings = [("blas", "at-most-one", "USE_BLAS", "none")]
    got = decide({}, settings)
    assert got["mkl"] == "OFF: capability 'blas' defaults to none"
    # A module's own option wins over the host's default (the user set it; the host did not).
    assert decide({"USE_MODULE_MKL": "ON"}, settings)["mkl"] == "ON: USE_MODULE_MKL=ON"
    assert decide({"USE_BLAS": "openblas"}, settings)["openblas"] == "ON: USE_BLAS=openblas (capability 'blas')"
    assert "MODGATE_PROVIDER_BLAS names no option: capability 'blas' is chosen by USE_BLAS" in failure(
        {"MODGATE_PROVIDER_BLAS": "mkl"}, settings
    )


def test_exactly_one_picks_or_refuses_with_every_candidate() -> None:
    settings = [("blas", "exactly-one", None, "")]
    assert decide({"USE_MODULE_OPENBLAS": "OFF"}, settings)["mkl"] == "ON: default AUTO"  # the one left is picked
    text = failure({"USE_MODULE_OPENBLAS": "OFF", "USE_MODULE_MKL": "OFF"}, settings)
    assert "capability 'blas' needs exactly one provider on, and none is" in text
    assert "mkl off: USE_MODULE_MKL=OFF; openblas off: USE_MODULE_OPENBLAS=OFF" in text
    assert "fix: set MODGATE_PROVIDER_BLAS to mkl or openblas" in text
    assert "needs exactly one provider on (exactly-one)" in failure({"MODGATE_PROVIDER_BLAS": "none"}, settings)


@pytest.mark.parametrize(
    ("values", "needles"),
    [
        (
            {"MODGATE_PROVIDER_BLAS": "openblass"},
            ["'openblass' does not provide 'blas' (did you mean 'openblas'?)", "to mkl, openblas or none"],
        ),
        (
            {"MODGATE_PROVIDER_BLA": "mkl"},
            ["MODGATE_PROVIDER_BLA names no capability (did you mean MODGATE_PROVIDER_BLAS?)"],
        ),
        (
            {"MODGATE_PROVIDER_BLAS": "openblas", "USE_MODULE_MKL": "ON"},
            [
                "MODGATE_PROVIDER_BLAS=openblas chooses 'openblas' as the provider of 'blas', but USE_MODULE_MKL=ON",
                "fix: set MODGATE_PROVIDER_BLAS=mkl, or unset USE_MODULE_MKL",
            ],
        ),
        (
            {"MODGATE_PROVIDER_BLAS": "mkl", "USE_MODULE_MKL": "OFF"},
            ["chooses 'mkl' as the provider of 'blas', but USE_MODULE_MKL=OFF"],
        ),
        (
            {"MODGATE_PROVIDER_BLAS": "openblas", "USE_MODULE_GEMM": "ON"},
            [
                "'mkl' is off: MODGATE_PROVIDER_BLAS=openblas",
                "fix: set MODGATE_PROVIDER_BLAS=mkl, or set USE_MODULE_GEMM=OFF",
            ],
        ),
    ],
)
def test_choice_mistakes(values: dict[str, str], needles: list[str]) -> None:
    text = failure(values)
    for needle in needles:
        assert needle in text


def test_capability_settings_that_match_nothing_or_collide() -> None:
    with pytest.raises(ConfigurationError) as caught:
        capabilities(
            MODULES,
            [("blass", "at-most-one", None, ""), ("blas", "at-most-one", "USE_MODULE_CORE_OPS", "mkk")],
            origin="acme/pyproject.toml",
        )
    text = caught.value.format()
    assert "acme/pyproject.toml: [tool.modgate] capabilities.blass: no module provides a capability 'blass'" in text
    assert (
        "capabilities.blas.option: the option of capability 'blas', USE_MODULE_CORE_OPS, is also the option of" in text
    )
    assert "capabilities.blas.default: 'mkk' does not provide 'blas' (did you mean 'mkl'?)" in text
    with pytest.raises(ConfigurationError) as caught:
        capabilities({**MODULES, "blas": reg("blas")})
    assert "capability 'blas' has the name of module 'blas'" in caught.value.format()


def test_the_hosts_capability_table() -> None:
    table = {
        "package": "acme",
        "capabilities": {"blas": {"policy": "exactly-one", "option": "USE_BLAS"}, "fft": "at-most-one"},
    }
    host = parse_host({"tool": {"modgate": table}})
    assert host.capabilities == (
        CapabilitySetting("blas", "exactly-one", "USE_BLAS"),
        CapabilitySetting("fft", "at-most-one"),
    )


@pytest.mark.parametrize(
    ("capabilities_table", "key", "needle"),
    [
        ("blas", "capabilities", "must be a table"),
        ({"BLAS": "at-most-one"}, "capabilities.BLAS", "not a capability name"),
        ({"blas": "at-most-2"}, "capabilities.blas.policy", "not a policy (did you mean 'at-most-one'?)"),
        ({"blas": {"polcy": "at-most-one"}}, "capabilities.blas.polcy", "did you mean 'policy'"),
        ({"blas": {"option": "MODGATE_BLAS"}}, "capabilities.blas.option", "starts with MODGATE_, which modgate's own"),
        ({"blas": {"default": "Open BLAS"}}, "capabilities.blas.default", "must be a provider's module name"),
        ({"blas": {"policy": "exactly-one", "default": "none"}}, "capabilities.blas.default", "needs one provider on"),
        ({"a": {"option": "USE_X"}, "b": {"option": "USE_X"}}, "capabilities.b.option", "already the option of"),
        ({"blas": 3}, "capabilities.blas", "must be a policy or a table"),
    ],
)
def test_bad_capability_tables_name_the_key_and_the_fix(capabilities_table: object, key: str, needle: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_host(
            {"tool": {"modgate": {"package": "acme", "capabilities": capabilities_table}}}, path="acme/pyproject.toml"
        )
    text = caught.value.format()
    assert f"acme/pyproject.toml: [tool.modgate] {key}" in text and needle in text and "fix:" in text


def test_plan_shows_the_choice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "acme"\nversion = "1.0"\n\n[tool.modgate]\npackage = "acme"\n'
        '[tool.modgate.capabilities]\nblas = { policy = "at-most-one", option = "USE_BLAS", default = "none" }\n',
        "modules/openblas/module.toml": 'name = "openblas"\nsummary = "s"\nstage = "S1"\nprovides = "blas"\n',
        "modules/mkl/module.toml": 'name = "mkl"\nsummary = "s"\nstage = "S1"\nprovides = "blas"\n',
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    assert main(["plan", str(tmp_path), "-D", "USE_BLAS=openblas"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split() for line in out if line.startswith(("capability ", "blas "))] == [
        ["capability", "option", "built", "providers"],
        ["blas", "(at-most-one)", "USE_BLAS=openblas", "openblas", "mkl,", "openblas"],
    ]
    assert main(["plan", str(tmp_path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["mkl"]["reason"] == "capability 'blas' defaults to none"
    info = tree_info(tmp_path)["capabilities"]["blas"]
    assert (info["provider"], info["default"], info["option"]) == (None, "none", "USE_BLAS")


def test_a_misspelled_option_that_starts_with_the_hosts_prefix_is_named() -> None:
    # TVM's prefix is USE_, and so are its BLAS choice and its groups' options.
    modules = {"mkl": reg("mkl", "blas"), "cublas": Registration("cublas", "s", "S1", "m.toml", groups=("cuda",))}
    provided = capabilities(modules, [("blas", "at-most-one", "USE_BLAS", "")], prefix="USE_")
    for typo, meant, owner in (
        ("USE_BLASS", "USE_BLAS", "capability 'blas'"),
        ("USE_CUDA_LIB", "USE_CUDA_LIBS", "group 'cuda'"),
    ):
        with pytest.raises(ConfigurationError) as caught:
            build_requests(
                modules, {typo: "ON"}, None, prefix="USE_", groups={"cuda": "USE_CUDA_LIBS"}, provided=provided
            )
        assert f"{typo} names no option; it is one letter or two from {meant}, the option of {owner}" in (
            caught.value.format()
        )
    with pytest.raises(ConfigurationError) as caught:  # far from both: an unknown module, as before
        build_requests(
            modules, {"USE_FOO": "ON"}, None, prefix="USE_", groups={"cuda": "USE_CUDA_LIBS"}, provided=provided
        )
    assert "USE_FOO names no module" in caught.value.format()


def test_check_refuses_a_host_whose_default_configure_would_have_to_choose(tmp_path: Path) -> None:
    from modgate._cli.check import check_tree

    pyproject = '[project]\nname = "acme"\nversion = "1.0"\n\n[tool.modgate]\npackage = "acme"\n'
    files = {
        "pyproject.toml": pyproject,
        "modules/openblas/module.toml": 'name = "openblas"\nsummary = "s"\nstage = "S1"\nmaintainers = ["a"]\n'
        'provides = "blas"\n',
        "modules/mkl/module.toml": 'name = "mkl"\nsummary = "s"\nstage = "S1"\nmaintainers = ["a"]\n'
        'provides = "blas"\n',
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    [finding] = [f for f in check_tree(tmp_path) if f.code == "MG801"]
    assert (finding.path, finding.line, finding.severity) == ("modules/mkl/module.toml", 5, "error")
    assert "mkl, openblas provide 'blas' and are on by default" in finding.message
    # A default choice settles it; a bad setting is what configure would refuse (MG100).
    (tmp_path / "pyproject.toml").write_text(pyproject + '[tool.modgate.capabilities]\nblas = { default = "none" }\n')
    assert not [f for f in check_tree(tmp_path) if f.code in ("MG801", "MG100")]
    (tmp_path / "pyproject.toml").write_text(pyproject + '[tool.modgate.capabilities]\nblas = { default = "mkk" }\n')
    assert [f.message for f in check_tree(tmp_path) if f.code == "MG100"] == [
        "[tool.modgate] capabilities.blas.default: 'mkk' does not provide 'blas' (did you mean 'mkl'?) (its providers:"
        " mkl, openblas)"
    ]


def test_policy_any_builds_every_provider_and_chooses_nothing_at_configure_time() -> None:
    """Both providers ON (AUTO), no chooser option, no conflict; the manifest records the
    prefer list for the run-time choice; a capability may share a module's name."""
    from modgate._configure.manifest import capability_entries
    from modgate._configure.request import run_time_capabilities

    settings: list[tuple[str, str, str | None, str, tuple[str, ...]]] = [("blas", "any", None, "", ("mkl",))]
    provided = capabilities(MODULES, settings)
    assert "blas" not in provided
    resolution = resolve(MODULES, build_requests(MODULES, {}, None, provided=provided), provided=provided)
    assert {s.name for s in resolution.states if s.enabled} == set(MODULES)
    run_time = run_time_capabilities(MODULES, [("blas", "any", ("mkl",))])
    entry = capability_entries(provided, {}, resolution.order, run_time)["blas"]
    assert entry == {
        "policy": "any",
        "option": None,
        "value": "",
        "default": "",
        "providers": ["mkl", "openblas"],
        "provider": None,
        "prefer": ["mkl"],
    }
    named = MODULES | {"blas": reg("blas")}
    assert "blas" not in capabilities(named, [("blas", "any", None, "")])  # no clash under any
    with pytest.raises(ConfigurationError) as caught:
        capabilities(named, [])
    assert "has the name of module 'blas'" in caught.value.format()


RunTimeSetting = tuple[str, str, str | None, str, tuple[str, ...]]


@pytest.mark.parametrize(
    ("setting", "needles"),
    [
        (("blas", "any", "USE_BLAS", "", ()), ["capabilities.blas.option", "there is no option to give"]),
        (("blas", "any", None, "mkl", ()), ["capabilities.blas.default", "there is no default to give"]),
        (("blas", "any", None, "", ("mlk",)), ["capabilities.blas.prefer", "'mlk' does not provide 'blas'", "'mkl'"]),
        (("blas", "at-most-one", None, "", ("mkl",)), ["capabilities.blas.prefer", 'write policy = "any"']),
    ],
)
def test_run_time_settings_mistakes(
    setting: tuple[str, str, str | None, str, tuple[str, ...]], needles: list[str]
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        capabilities(MODULES, [setting])
    text = caught.value.format()
    assert all(needle in text for needle in needles), text
    assert "pyproject.toml: [tool.modgate] capabilities.blas." in text and "\n    fix: " in text, text


def test_a_providers_priority_and_probe() -> None:
    text = b'name = "mkl"\nsummary = "s"\nstage = "S1"\nprovides = "blas"\npriority = 5\nprobe = "probes:score"\n'
    parsed = parse_registration(text, path="m.toml", folder_name="mkl")
    assert (parsed.priority, parsed.probe) == (5, "probes:score")
    for bad, needle, fix in (
        (b"priority = 5000", "'priority' must be a whole number from -1000 to 1000", "write priority = 10"),
        (b'priority = "high"', "'priority' must be a whole number", "write priority = 10"),
        (b'probe = "a b"', "'probe' 'a b' is not 'function' or 'submodule:function'", 'write probe = "score"'),
    ):
        lines = text.replace(b"priority = 5", b"").replace(b'probe = "probes:score"', b"") + bad + b"\n"
        with pytest.raises(ConfigurationError) as caught:
            parse_registration(lines, path="m.toml", folder_name="mkl")
        key = bad.split(b" ")[0].decode()
        assert needle in caught.value.format(), caught.value.format()
        assert f"m.toml:7: {key}: " in caught.value.format() and f"fix: {fix}" in caught.value.format()
    with pytest.raises(ConfigurationError) as caught:
        parse_registration(text.replace(b'provides = "blas"\n', b""), path="m.toml", folder_name="mkl")
    assert "'priority' ranks a provider, and this module provides no capability" in caught.value.format()
    assert (
        "m.toml:4: priority: " in caught.value.format()
        and 'fix: add provides = "<capability>"' in caught.value.format()
    )


def test_the_host_reads_prefer() -> None:
    host = parse_host(
        {"tool": {"modgate": {"package": "acme", "capabilities": {"blas": {"policy": "any", "prefer": ["mkl"]}}}}}
    )
    assert host.capabilities == (CapabilitySetting("blas", "any", prefer=("mkl",)),)
    assert host.chosen_at_run_time("blas") and not host.chosen_at_run_time("fft")
    with pytest.raises(ConfigurationError) as caught:
        parse_host({"tool": {"modgate": {"package": "acme", "capabilities": {"blas": {"prefer": ["mkl", "mkl"]}}}}})
    assert "capabilities.blas.prefer" in caught.value.format() and "each once" in caught.value.format()
    assert "pyproject.toml: [tool.modgate] capabilities.blas.prefer: " in caught.value.format()
    assert 'fix: write prefer = ["mkl", "openblas"]' in caught.value.format()
