"""Groups (``groups`` in module.toml, ``[tool.modgate.groups]``): where a request comes
from, the host's renames, what plan, list and info show, and every mistake's message."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modgate._configure.host import GroupSetting, parse_host
from modgate._configure.problems import ConfigurationError
from modgate._configure.registration import Registration, parse_registration
from modgate._configure.request import HostOptions, Request, build_requests, group_members, group_options, host_options
from modgate._configure.resolver import resolve
from modgate._names import group_option
from modgate._table import module_listing
from modgate.cli import main, tree_info


def reg(name: str, *groups: str, requires: tuple[str, ...] = (), option: str | None = None) -> Registration:
    return Registration(
        name, f"{name} module", "S1", f"modules/{name}/module.toml", groups=groups, requires=requires, option=option
    )


MODULES = {r.name: r for r in (reg("a", "cuda"), reg("b", "cuda", "rpc"), reg("c", requires=("a",)), reg("d"))}


def requests(values: dict[str, str], all_modules: str | None = None, renames: dict[str, str] | None = None):
    groups = group_options(MODULES, renames)
    return build_requests(MODULES, values, all_modules, groups=groups)


def failure(values: dict[str, str], renames: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigurationError) as caught:
        requests(values, renames=renames)
    return caught.value.format()


def test_the_registration_key_and_the_derived_option() -> None:
    text = b'name = "a"\nsummary = "s"\nstage = "S1"\ngroups = ["cuda_libs", "rpc"]\n'
    assert parse_registration(text, path="m.toml", folder_name="a").groups == ("cuda_libs", "rpc")
    assert group_option("cuda_libs") == "MODGATE_GROUP_CUDA_LIBS"
    with pytest.raises(ConfigurationError) as caught:
        parse_registration(text.replace(b'"rpc"]', b'"rpc", "rpc"]'), path="m.toml", folder_name="a")
    assert "m.toml:4: groups: groups lists 'rpc' twice" in caught.value.format()
    assert group_members(MODULES) == {"cuda": ["a", "b"], "rpc": ["b"]}


def test_precedence_module_then_groups_then_all_modules_then_default() -> None:
    got = requests({"MODGATE_GROUP_CUDA": "OFF", "USE_MODULE_A": "on"}, all_modules="ON")
    assert got["a"].describe() == "USE_MODULE_A=ON"  # the module's own option
    assert got["b"].describe() == "MODGATE_GROUP_CUDA=OFF (group 'cuda')"  # its group's
    assert got["c"].describe() == "MODGATE_ALL_MODULES=ON"  # in no group
    assert requests({})["b"].describe() == "default AUTO"
    # Two groups set alike agree; the first by name is the one named.
    assert requests({"MODGATE_GROUP_CUDA": "OFF", "MODGATE_GROUP_RPC": "0"})["b"].source == "MODGATE_GROUP_CUDA"
    # An empty value is unset.
    assert requests({"MODGATE_GROUP_CUDA": " "})["a"].source == "default"


@settings(max_examples=200, deadline=None)
@given(
    own=st.dictionaries(st.sampled_from("abcd"), st.sampled_from(["ON", "OFF", "AUTO"])),
    grouped=st.dictionaries(st.sampled_from(["cuda", "rpc"]), st.sampled_from(["ON", "OFF", "AUTO"])),
    blanket=st.sampled_from([None, "ON", "OFF", "AUTO"]),
)
def test_every_request_comes_from_the_first_place_set(
    own: dict[str, str], grouped: dict[str, str], blanket: str | None
) -> None:
    values = {f"USE_MODULE_{n.upper()}": v for n, v in own.items()}
    values |= {f"MODGATE_GROUP_{g.upper()}": v for g, v in grouped.items()}
    try:
        got = requests(values, blanket)
    except ConfigurationError as exc:  # only for a module in two groups set differently, its own option unset
        assert "b" not in own and grouped.get("cuda") != grouped.get("rpc") and len(grouped) == 2, exc.format()
        return
    for name, registration in MODULES.items():
        from_groups = [grouped[g] for g in registration.groups if g in grouped]
        expected = own.get(name) or (from_groups[0] if from_groups else None) or blanket or "AUTO"
        assert got[name].value == expected
        assert (got[name].group != "") == (name not in own and bool(from_groups))


def test_an_on_module_requiring_a_member_of_an_off_group_names_both() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve(MODULES, requests({"MODGATE_GROUP_CUDA": "OFF", "USE_MODULE_C": "ON"}))
    text = caught.value.format()
    assert "module 'c' is ON (USE_MODULE_C=ON) but requires c → a, and 'a' is off: MODGATE_GROUP_CUDA=OFF" in text
    assert "fix: set USE_MODULE_A=IF_NEEDED (a module's own option wins over its group's" in text
    assert "or set MODGATE_GROUP_CUDA=IF_NEEDED, or set USE_MODULE_C=OFF" in text


@pytest.mark.parametrize(
    ("values", "renames", "needles"),
    [
        (
            {"MODGATE_GROUP_CUDAA": "OFF"},
            None,
            ["MODGATE_GROUP_CUDAA names no group (did you mean MODGATE_GROUP_CUDA?)"],
        ),
        ({"MODGATE_GROUP_GPU": "OFF"}, None, ["names no group (groups: MODGATE_GROUP_CUDA, MODGATE_GROUP_RPC)"]),
        (
            {"MODGATE_GROUP_CUDA": "OFF"},
            {"cuda": "USE_CUDA_LIBS"},
            ["MODGATE_GROUP_CUDA names no option: group 'cuda' is set by USE_CUDA_LIBS", "-DUSE_CUDA_LIBS="],
        ),
        (
            {"USE_CUDA_LIB": "OFF"},
            {"cuda": "USE_CUDA_LIBS"},
            ["one letter or two from USE_CUDA_LIBS, the option of group 'cuda'"],
        ),
        ({"MODGATE_GROUP_RPC": "MAYBE"}, None, ["MODGATE_GROUP_RPC: value 'MAYBE' is not ON, AUTO, IF_NEEDED or OFF"]),
        (
            {"MODGATE_GROUP_CUDA": "ON", "MODGATE_GROUP_RPC": "OFF"},
            None,
            [
                "MODGATE_GROUP_CUDA, MODGATE_GROUP_RPC: module 'b' is in groups 'cuda' (MODGATE_GROUP_CUDA=ON) and"
                " 'rpc' (MODGATE_GROUP_RPC=OFF)",
                "fix: set USE_MODULE_B to decide for it",
            ],
        ),
    ],
)
def test_group_option_mistakes(values: dict[str, str], renames: dict[str, str] | None, needles: list[str]) -> None:
    text = failure(values, renames)
    for needle in needles:
        assert needle in text
    assert "fix:" in text


def test_a_renamed_group_is_set_by_its_own_name_only() -> None:
    got = requests({"USE_CUDA_LIBS": "OFF"}, renames={"cuda": "USE_CUDA_LIBS"})
    assert got["a"].describe() == "USE_CUDA_LIBS=OFF (group 'cuda')"
    with pytest.raises(ConfigurationError) as caught:
        group_options(MODULES, {"cudaa": "USE_X", "rpc": "USE_MODULE_D"}, origin="acme/pyproject.toml")
    text = caught.value.format()
    assert (
        "acme/pyproject.toml: [tool.modgate] groups.cudaa: no module is in a group 'cudaa' (did you mean 'cuda'?)"
        in text
    )
    assert "groups.rpc.option: the option of group 'rpc', USE_MODULE_D, is also the option of module 'd'" in text


def test_a_groups_default_comes_after_every_value_the_user_set() -> None:
    # Precedence: own option, groups' options, MODGATE_ALL_MODULES, groups' defaults, default.
    hosted = HostOptions(groups={"cuda": "MODGATE_GROUP_CUDA"}, provided={}, defaults={"cuda": "IF_NEEDED"})
    ask = functools.partial(hosted.requests, MODULES, prefix="USE_MODULE_", origin="-D")
    assert ask({}, None)["a"] == Request("IF_NEEDED", "group default", group="cuda")
    assert ask({}, "ON")["a"].source == "MODGATE_ALL_MODULES"
    assert ask({"MODGATE_GROUP_CUDA": "OFF"}, None)["a"].source == "MODGATE_GROUP_CUDA"
    assert ask({"USE_MODULE_A": "ON"}, None)["a"].source == "USE_MODULE_A"
    assert ask({}, None)["c"].source == "default"  # in no group
    # Two of a module's groups with different defaults: refused, naming both.
    config = parse_host(
        {"tool": {"modgate": {"package": "acme", "groups": {"cuda": {"default": "ON"}, "rpc": {"default": "OFF"}}}}}
    )
    with pytest.raises(ConfigurationError) as caught:
        host_options(MODULES, config)
    assert "groups.cuda.default, groups.rpc.default: module 'b' is in groups 'cuda' (default ON) and 'rpc'" in (
        caught.value.format()
    )


def test_the_hosts_group_table() -> None:
    table = {"package": "acme", "groups": {"cuda": {"option": "USE_CUDA_LIBS", "summary": "CUDA libraries"}, "rpc": {}}}
    host = parse_host({"tool": {"modgate": table}})
    assert host.groups == (GroupSetting("cuda", "USE_CUDA_LIBS", "CUDA libraries"), GroupSetting("rpc"))
    assert host.group_renames == {"cuda": "USE_CUDA_LIBS"} and host.group_summary("cuda") == "CUDA libraries"


@pytest.mark.parametrize(
    ("groups", "key", "needle"),
    [
        ([], "groups", "must be a table"),
        ({"Cuda": {}}, "groups.Cuda", "not a group name"),
        ({"cuda": "USE_CUDA"}, "groups.cuda", "must be a table"),
        ({"cuda": {"opton": "X"}}, "groups.cuda.opton", "did you mean 'option'"),
        ({"cuda": {"option": "use-cuda"}}, "groups.cuda.option", "not a CMake-safe option name"),
        ({"cuda": {"option": "MODGATE_CUDA"}}, "groups.cuda.option", "starts with MODGATE_, which modgate's own"),
        ({"a": {"option": "USE_X"}, "b": {"option": "USE_X"}}, "groups.b.option", "already the option of group 'a'"),
        ({"cuda": {"summary": ["x"]}}, "groups.cuda.summary", "one line of text"),
        ({"cuda": {"default": "WANT"}}, "groups.cuda.default", "'WANT' is not one of ON, AUTO, IF_NEEDED, OFF"),
        ({"cuda": {"default": 1}}, "groups.cuda.default", "1 is not one of ON, AUTO, IF_NEEDED, OFF"),
    ],
)
def test_bad_group_tables_name_the_key_and_the_fix(groups: object, key: str, needle: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_host({"tool": {"modgate": {"package": "acme", "groups": groups}}}, path="acme/pyproject.toml")
    text = caught.value.format()
    assert f"acme/pyproject.toml: [tool.modgate] {key}" in text and needle in text and "fix:" in text


def _host(root: Path) -> Path:
    files = {
        "pyproject.toml": '[project]\nname = "acme"\nversion = "1.0"\n\n[tool.modgate]\npackage = "acme"\n'
        '[tool.modgate.groups]\ncuda = { option = "USE_CUDA_LIBS", summary = "CUDA libraries" }\n',
        "modules/cublas/module.toml": 'name = "cublas"\nsummary = "s"\nstage = "S1"\ngroups = ["cuda", "blas"]\n',
        "modules/cudnn/module.toml": 'name = "cudnn"\nsummary = "s"\nstage = "S1"\ngroups = ["cuda"]\n',
        "modules/core_ops/module.toml": 'name = "core_ops"\nsummary = "s"\nstage = "S1"\n',
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_plan_shows_groups_and_their_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _host(tmp_path)
    assert main(["plan", str(root), "-D", "USE_CUDA_LIBS=OFF"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any(
        line.split()[:2] == ["cublas", "OFF"] and line.endswith("USE_CUDA_LIBS=OFF (group 'cuda')") for line in out
    )
    assert [line.split() for line in out if line.startswith(("group ", "blas ", "cuda "))] == [
        ["group", "option", "members"],
        ["blas", "MODGATE_GROUP_BLAS", "(unset)", "cublas"],
        ["cuda", "USE_CUDA_LIBS=OFF", "cublas,", "cudnn"],
    ]
    assert main(["plan", str(root), "--format", "json", "-D", "MODGATE_GROUP_BLAS=ON"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (
        data["cublas"]["groups"] == ["cuda", "blas"]
        and data["cublas"]["reason"] == "MODGATE_GROUP_BLAS=ON (group 'blas')"
    )
    info = tree_info(root)
    assert info["groups"]["cuda"] == {"option": "USE_CUDA_LIBS", "value": "", "members": ["cublas", "cudnn"]}


def test_list_shows_the_groups_of_an_installed_host() -> None:
    data = {
        "package": "acme",
        "version": "1.0",
        "groups": {"cuda": {"option": "USE_CUDA_LIBS", "value": "OFF", "members": ["cublas"]}},
        "modules": {"cublas": {"state": "OFF", "reason": "USE_CUDA_LIBS=OFF (group 'cuda')", "stage": "S1"}},
    }
    lines = module_listing(data)
    assert lines[-2:] == ["group  option             members", "cuda   USE_CUDA_LIBS=OFF  cublas"]


def test_the_configure_steps_take_the_hosts_options_from_every_variable_cmake_hands_over(tmp_path: Path) -> None:
    # CMake hands every variable over once (--maybe); the steps keep the host's: modules',
    # groups' and capabilities' options under the names [tool.modgate] gives them, and any
    # carrying the host's prefixes (an unknown one is then reported by the step).
    from modgate._configure.__main__ import _taken
    from modgate._configure.discovery import discover_project
    from modgate._configure.host import read_host

    root = _host(tmp_path)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8") + '[tool.modgate.capabilities]\ndnn = { option = "USE_DNN" }\n',
        encoding="utf-8",
    )
    (root / "modules/cudnn/module.toml").write_text(
        'name = "cudnn"\nsummary = "s"\nstage = "S1"\ngroups = ["cuda"]\nprovides = "dnn"\n', encoding="utf-8"
    )
    config = read_host(root)
    maybe = {
        name: "ON"
        for name in (
            "USE_MODULE_CUBLAS",
            "USE_CUDA_LIBS",
            "USE_DNN",
            "MODGATE_GROUP_BLAS",
            "USE_MODULE_NOPE",
            "CMAKE_BUILD_TYPE",
            "USE_CUDA",
            "FOO",
        )
    }
    taken = _taken({"ANYTHING": "OFF"}, maybe, config, discover_project(root, config))
    assert taken == {
        "ANYTHING": "OFF",  # the user's, kept whatever it is
        "USE_MODULE_CUBLAS": "ON",
        "USE_CUDA_LIBS": "ON",
        "USE_DNN": "ON",
        "MODGATE_GROUP_BLAS": "ON",
        "USE_MODULE_NOPE": "ON",
    }
