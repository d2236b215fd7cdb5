"""The resolver's rules, one test each."""

from __future__ import annotations

import dataclasses

import pytest

from modgate._configure.graph import check_graph, soft_references, topological_order
from modgate._configure.problems import ConfigurationError as ModgateError
from modgate._configure.registration import Registration
from modgate._configure.request import Request, build_requests, near_option, normalize_value
from modgate._configure.resolver import resolve


def reg(
    name: str, *, default: str = "AUTO", requires: tuple[str, ...] = (), conflicts: tuple[str, ...] = ()
) -> Registration:
    return Registration(
        name=name,
        summary=f"{name} module",
        stage="S1",
        path=f"modules/{name}/module.toml",
        default=default,
        requires=requires,
        conflicts=conflicts,
    )


def mods(*regs: Registration) -> dict[str, Registration]:
    return {r.name: r for r in regs}


def run(modules, values=None, all_modules=None, missing=None):
    return resolve(modules, build_requests(modules, values or {}, all_modules), missing)


def states(resolution) -> dict[str, bool]:
    return {s.name: s.enabled for s in resolution.states}


def error(modules, values=None, all_modules=None, missing=None) -> str:
    with pytest.raises(ModgateError) as info:
        run(modules, values, all_modules, missing)
    return info.value.format()


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("ON", "ON"),
        ("on", "ON"),
        ("True", "ON"),
        ("1", "ON"),
        ("yes", "ON"),
        ("OFF", "OFF"),
        ("false", "OFF"),
        ("0", "OFF"),
        ("no", "OFF"),
        ("auto", "AUTO"),
        (" Auto ", "AUTO"),
        ("if_needed", "IF_NEEDED"),
        ("WANT", "AUTO"),  # VTK's words
        ("dont_want", "IF_NEEDED"),
        ("DEFAULT", ""),  # unset: the next place in the precedence decides
        ("MAYBE", None),
        ("", ""),
    ],
)
def test_values_are_case_insensitive_with_boolean_aliases(raw: str, value: str | None) -> None:
    assert normalize_value(raw) == value


def test_defaults_apply_when_nothing_is_set() -> None:
    r = run(mods(reg("a"), reg("b", default="OFF"), reg("c", default="ON")))
    assert states(r) == {"a": True, "b": False, "c": True}
    assert r.state("b").reason == "default OFF"


def test_explicit_value_wins_over_default_and_all_modules() -> None:
    m = mods(reg("a"), reg("b"))
    r = run(m, {"USE_MODULE_A": "ON"}, all_modules="OFF")
    assert states(r) == {"a": True, "b": False}
    assert r.state("b").reason == "MODGATE_ALL_MODULES=OFF"
    assert r.state("a").request == Request("ON", "USE_MODULE_A")


def test_all_modules_off_gives_the_core_only_build() -> None:
    r = run(mods(reg("a", default="ON"), reg("b")), all_modules="OFF")
    assert r.enabled == ()


def test_empty_values_mean_unset() -> None:
    r = run(mods(reg("a", default="OFF")), {"USE_MODULE_A": ""}, all_modules="")
    assert states(r) == {"a": False}


def test_auto_dependents_follow_a_requirement_off_with_the_chain() -> None:
    m = mods(reg("a"), reg("b", requires=("a",)), reg("c", requires=("b",)))
    r = run(m, {"USE_MODULE_A": "OFF"})
    assert states(r) == {"a": False, "b": False, "c": False}
    assert r.state("c").reason == "requires b → a, which is off: USE_MODULE_A=OFF"
    # The chain to the module whose own option is the cause (what a rebuild must change).
    assert (r.state("a").blocked_by, r.state("b").blocked_by, r.state("c").blocked_by) == ((), ("a",), ("b", "a"))


def test_explicit_on_with_requirement_off_is_an_error_with_chain_and_fix() -> None:
    m = mods(reg("a"), reg("b", requires=("a",)), reg("c", requires=("b",)))
    text = error(m, {"USE_MODULE_A": "OFF", "USE_MODULE_C": "ON"})
    assert "modules/c/module.toml: requires" in text
    assert "c → b → a" in text and "USE_MODULE_A=OFF" in text
    assert "fix: set USE_MODULE_A=IF_NEEDED (built because 'c' needs it) or ON, or set USE_MODULE_C=OFF" in text


def test_every_unmet_requirement_is_reported_at_once() -> None:
    m = mods(reg("a"), reg("b"), reg("c", requires=("a", "b")))
    text = error(m, {"USE_MODULE_A": "OFF", "USE_MODULE_B": "OFF", "USE_MODULE_C": "ON"})
    assert "2 problems" in text
    assert "fix: set USE_MODULE_A=IF_NEEDED (built because 'c' needs it) or ON, or set USE_MODULE_C=OFF" in text
    assert "fix: set USE_MODULE_B=IF_NEEDED (built because 'c' needs it) or ON, or set USE_MODULE_C=OFF" in text


def test_default_on_is_required_too() -> None:
    text = error(mods(reg("a", default="OFF"), reg("b", default="ON", requires=("a",))))
    assert "module 'b' is ON (default ON)" in text


def test_missing_package_turns_auto_off_and_fails_on() -> None:
    m = mods(reg("a"), reg("b", requires=("a",)))
    r = run(m, missing={"a": ["ZLIB 1.2"]})
    assert states(r) == {"a": False, "b": False}
    assert r.state("a").reason == "package ZLIB 1.2 not found by find_package"
    assert r.state("b").reason == "requires a, which is off: package ZLIB 1.2 not found by find_package"
    text = error(m, {"USE_MODULE_A": "ON"}, missing={"a": ["ZLIB 1.2"]})
    assert "modules/a/module.toml: native.packages" in text and "install ZLIB 1.2" in text


def test_explicit_on_blocked_by_missing_package_of_requirement() -> None:
    m = mods(reg("a"), reg("b", requires=("a",)))
    text = error(m, {"USE_MODULE_B": "ON"}, missing={"a": ["FOO"]})
    assert "b → a" in text and "package FOO not found" in text and "set USE_MODULE_B=OFF" in text


def test_conflict_explicit_on_beats_auto() -> None:
    m = mods(reg("a", conflicts=("b",)), reg("b"))
    r = run(m, {"USE_MODULE_B": "ON"})
    assert states(r) == {"a": False, "b": True}
    assert r.state("a").reason == "conflicts with 'b', which is ON (USE_MODULE_B=ON)"


def test_conflict_is_symmetric() -> None:
    m = mods(reg("a"), reg("b", conflicts=("a",)))
    assert states(run(m, {"USE_MODULE_A": "ON"})) == {"a": True, "b": False}


def test_conflict_on_both_sides_is_an_error() -> None:
    text = error(mods(reg("a", conflicts=("b",)), reg("b")), {"USE_MODULE_A": "ON", "USE_MODULE_B": "ON"})
    assert "conflict, and both are ON" in text and "choose one" in text


def test_conflict_between_two_autos_is_an_error() -> None:
    text = error(mods(reg("a", conflicts=("b",)), reg("b")))
    assert "both are AUTO" in text and "USE_MODULE_A=OFF or USE_MODULE_B=OFF" in text


def test_conflict_resolved_when_one_side_is_off_anyway() -> None:
    m = mods(reg("a", conflicts=("b",)), reg("b", requires=("c",)), reg("c"))
    assert states(run(m, {"USE_MODULE_C": "OFF"})) == {"a": True, "b": False, "c": False}


def test_conflict_loser_takes_its_dependents_along() -> None:
    m = mods(reg("a", conflicts=("b",)), reg("b"), reg("d", requires=("b",)))
    r = run(m, {"USE_MODULE_A": "ON"})
    assert states(r) == {"a": True, "b": False, "d": False}
    assert "conflicts with 'a'" in r.state("d").reason


def test_unknown_requirement_is_named_with_a_suggestion() -> None:
    text = error(mods(reg("alpha"), reg("b", requires=("alpah",))))
    assert "modules/b/module.toml: requires" in text and "did you mean 'alpha'" in text


def test_unknown_requirement_never_suggests_the_module_itself() -> None:
    text = error(mods(reg("alpha", requires=("alphb",)), reg("other")))
    assert "requires unknown module 'alphb'" in text and "did you mean" not in text


@pytest.mark.parametrize("key", ["conflicts", "optional_requires", "test_requires"])
def test_a_soft_reference_to_a_module_not_here_is_a_warning_never_an_error(key: str) -> None:
    # Deleting one module's folder never turns another off or breaks configure.
    modules = mods(dataclasses.replace(reg("a"), **{key: ("zz",)}), reg("b"))
    assert states(run(modules)) == {"a": True, "b": True}
    (warning,) = soft_references(modules)
    assert warning.file == "modules/a/module.toml" and "unknown module 'zz'" in warning.message
    assert "is ignored" in warning.message and "remove 'zz'" in warning.fix
    assert check_graph(modules) == []


def test_many_names_not_here_in_one_key_are_one_problem_naming_the_first_few() -> None:
    # A generated list of 300 000 names would otherwise print 300 000 warnings.
    many = tuple(f"gone{i}" for i in range(7))
    (warning,) = soft_references(mods(reg("a", conflicts=many), reg("b")))
    assert "conflicts names 7 modules that are not here: 'gone0'" in warning.message
    assert "'gone4' and 2 more" in warning.message and "'gone5'" not in warning.message
    assert len(soft_references(mods(reg("a", conflicts=many[:5]), reg("b")))) == 5  # a few: one each


def test_requires_naming_a_module_not_here_stays_an_error() -> None:
    assert "requires unknown module 'zz'" in error(mods(reg("a", requires=("zz",))))


def test_cycle_names_every_member() -> None:
    text = error(mods(reg("a", requires=("b",)), reg("b", requires=("c",)), reg("c", requires=("a",))))
    assert "requires cycle of 3 modules: a → b → c → a" in text


def test_unknown_option_is_fatal_with_suggestion() -> None:
    with pytest.raises(ModgateError) as info:
        build_requests(mods(reg("graph")), {"USE_MODULE_GRAPHH": "ON"}, None)
    text = info.value.format()
    assert "USE_MODULE_GRAPHH names no module" in text and "did you mean 'USE_MODULE_GRAPH'" in text


def kept(name: str, option: str) -> Registration:
    return Registration(name=name, summary=name, stage="S1", path=f"modules/{name}/module.toml", option=option)


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("USE_GRAPH_EXECUTR", "USE_GRAPH_EXECUTOR"),  # a letter left out
        ("USE_CDUA", "USE_CUDA"),  # two letters swapped
        ("use_cutlass", "USE_CUTLASS"),  # lower case
        ("USE_GRAPH_EXECUTIR", "USE_GRAPH_EXECUTOR"),  # a letter changed
        ("MODGATE_ALL_MODULE", "MODGATE_ALL_MODULES"),  # modgate's own variable
    ],
)
def test_a_misspelled_kept_option_is_fatal_naming_the_option_meant(typo: str, meant: str) -> None:
    modules = mods(
        kept("graph_executor", "USE_GRAPH_EXECUTOR"), kept("cuda", "USE_CUDA"), kept("cutlass", "USE_CUTLASS")
    )
    with pytest.raises(ModgateError) as info:
        build_requests(modules, {typo: "ON"}, None, origin="-D")
    text = info.value.format()
    near = "differs only in case from" if typo.upper() == meant else "is one letter or two from"
    assert f"-D: {typo}: {typo} names no option; it {near} {meant}" in text
    assert f"fix: set {meant} instead (cmake: -U{typo} -D{meant}=...)" in text


@pytest.mark.parametrize("other", ["USE_CUDNN", "USE_RPCX_SERVER", "CMAKE_BUILD_TYPE", "Python_EXECUTABLE", "USE_LLVM"])
def test_a_variable_near_no_option_is_left_alone(other: str) -> None:
    modules = mods(kept("cuda", "USE_CUDA"), kept("rpc", "USE_RPC"), kept("mlir", "USE_MLIR"))
    assert {r.source for r in build_requests(modules, {other: "ON"}, None).values()} == {"default"}


@pytest.mark.parametrize("typo", ["USE_MODUL_GRAPH", "USE_MODULEGRAPH", "use_module_graph", "USE-MODULE_GRAPH"])
def test_a_slip_in_the_prefix_names_the_modules_option(typo: str) -> None:
    with pytest.raises(ModgateError) as info:
        build_requests(mods(reg("graph"), reg("scan")), {typo: "ON"}, None)
    near = "is one letter or two from" if typo.isupper() else "differs only in case from"
    assert f"{typo} names no option; it {near} USE_MODULE_GRAPH, the option of module 'graph'" in (info.value.format())


def test_near_option_prefers_the_closest_and_never_an_exact_name() -> None:
    assert near_option("USE_RPC", ["USE_RPC", "USE_RPD"]) is None
    assert near_option("USE_RPX", ["USE_RPD", "USE_RPX_"]) == "USE_RPD"
    assert near_option("USE_RCP", ["USE_RPC"]) == "USE_RPC"


def test_unknown_empty_option_is_ignored() -> None:
    assert build_requests(mods(reg("a")), {"USE_MODULE_GONE": ""}, None)["a"].source == "default"


def test_invalid_value_is_fatal() -> None:
    with pytest.raises(ModgateError) as info:
        build_requests(mods(reg("a")), {"USE_MODULE_A": "MAYBE"}, "SOMETIMES")
    text = info.value.format()
    assert "USE_MODULE_A: value 'MAYBE' is not ON, AUTO, IF_NEEDED or OFF" in text
    assert "MODGATE_ALL_MODULES: value 'SOMETIMES'" in text


def test_order_is_deterministic_requirements_first() -> None:
    m = mods(reg("z"), reg("a", requires=("z",)), reg("m"))
    assert topological_order(m) == ["m", "z", "a"]
    assert run(m).order == ("m", "z", "a")


def test_long_chain_and_long_cycle_stay_readable() -> None:
    n = 200
    chain = mods(*[reg(f"m{i:03d}", requires=(f"m{i + 1:03d}",) if i + 1 < n else ()) for i in range(n)])
    r = run(chain, {"USE_MODULE_M199": "OFF"})
    assert r.enabled == ()
    assert r.state("m000").reason.startswith("requires m001 → m002")
    assert "(189 more)" in r.state("m000").reason
    cycle = mods(*[reg(f"m{i:03d}", requires=(f"m{(i + 1) % n:03d}",)) for i in range(n)])
    text = error(cycle)
    assert "requires cycle of 200 modules: m000 → m001" in text and "(191 more)" in text
    assert len(text.splitlines()[1]) < 200


# --- The four states: ON brings in what it requires, IF_NEEDED is built when needed ---------


def chain_modules() -> dict[str, Registration]:
    """app → io → core → zlib, plus an unrelated leaf; every library IF_NEEDED (VTK's DONT_WANT)."""
    return mods(
        reg("app", default="OFF", requires=("io",)),
        reg("io", default="IF_NEEDED", requires=("core",)),
        reg("core", default="IF_NEEDED", requires=("zlib",)),
        reg("zlib", default="IF_NEEDED"),
        reg("leaf", default="IF_NEEDED"),
    )


def test_on_brings_in_what_it_requires_with_the_reason() -> None:
    result = run(chain_modules(), {"USE_MODULE_APP": "ON"})
    assert states(result) == {"app": True, "io": True, "core": True, "zlib": True, "leaf": False}
    assert result.state("io").reason == "needed by app (USE_MODULE_APP=ON)"
    assert result.state("zlib").reason == "needed by core (app → io → core → zlib; USE_MODULE_APP=ON)"
    assert result.state("zlib").needed_by == ("app", "io", "core", "zlib")
    assert result.state("leaf").reason == "default IF_NEEDED: nothing being built requires it"


def test_the_core_and_one_module_with_what_it_needs_is_two_flags() -> None:
    modules = mods(
        reg("app", requires=("io",)), reg("io", requires=("core",)), reg("core"), reg("other"), reg("big", default="ON")
    )
    result = run(modules, {"USE_MODULE_APP": "ON"}, "IF_NEEDED")
    assert [name for name, on in states(result).items() if on] == ["app", "core", "io"]


def test_if_needed_is_off_when_nothing_needs_it() -> None:
    result = run(chain_modules())
    assert not any(states(result).values())


def test_on_never_pulls_in_an_off_module_and_says_how_to_let_it() -> None:
    text = error(chain_modules(), {"USE_MODULE_APP": "ON", "USE_MODULE_CORE": "OFF"})
    assert (
        "module 'app' is ON (USE_MODULE_APP=ON) but requires app → io → core, and 'core' is off: USE_MODULE_CORE=OFF"
        in text
    )
    assert "fix: set USE_MODULE_CORE=IF_NEEDED (built because 'app' needs it) or ON" in text


def test_auto_brings_in_what_it_requires_when_all_of_it_can_be_built() -> None:
    result = run(chain_modules(), {"USE_MODULE_APP": "AUTO"})
    assert states(result)["zlib"] and result.state("io").reason == "needed by app (USE_MODULE_APP=AUTO)"
    # A package missing deep down: AUTO is off with the chain, and what only it needed is off too.
    result = run(chain_modules(), {"USE_MODULE_APP": "AUTO"}, missing={"zlib": ["ZLIB"]})
    assert not any(states(result).values())
    assert result.state("app").reason.startswith("requires io → core → zlib, which is off: package ZLIB not found")
    assert result.state("zlib").reason == "package ZLIB not found by find_package"


def test_what_only_an_auto_module_now_off_needed_is_off_too() -> None:
    modules = mods(reg("app", requires=("io", "gl")), reg("io", default="IF_NEEDED"), reg("gl", default="OFF"))
    result = run(modules)
    assert states(result) == {"app": False, "gl": False, "io": False}
    assert result.state("io").reason == (
        "default IF_NEEDED: needed only by 'app', which is off: requires gl, which is off: default OFF"
    )


def test_what_an_on_module_brings_in_wins_a_conflict_with_an_auto_one() -> None:
    modules = mods(reg("app", requires=("gl",)), reg("gl", default="IF_NEEDED"), reg("soft", conflicts=("gl",)))
    result = run(modules, {"USE_MODULE_APP": "ON"})
    assert states(result) == {"app": True, "gl": True, "soft": False}
    assert result.state("soft").reason == "conflicts with 'gl', which is ON (needed by app (USE_MODULE_APP=ON))"


def test_vtks_words_are_values_and_default_is_unset() -> None:
    modules = chain_modules()
    want = run(modules, {"USE_MODULE_APP": "WANT", "USE_MODULE_LEAF": "dont_want"})
    assert states(want) == {"app": True, "io": True, "core": True, "zlib": True, "leaf": False}
    # DEFAULT: the next place in the precedence decides (here MODGATE_ALL_MODULES).
    assert states(run(modules, {"USE_MODULE_LEAF": "DEFAULT"}, "ON"))["leaf"]


def test_kept_names_may_be_mixed_case_as_the_project_spells_them() -> None:
    # VTK's names: CMake variables are case sensitive, so they are kept as they are.
    modules = mods(kept("rendering_core", "VTK_MODULE_ENABLE_VTK_RenderingCore"))
    requests = build_requests(modules, {"VTK_MODULE_ENABLE_VTK_RenderingCore": "NO"}, None)
    assert requests["rendering_core"] == Request("OFF", "VTK_MODULE_ENABLE_VTK_RenderingCore")
    for typo, near in (
        ("VTK_MODULE_ENABLE_VTK_RENDERINGCORE", "differs only in case from"),
        ("VTK_MODULE_ENABLE_VTK_RenderingCor", "is one letter or two from"),
    ):
        with pytest.raises(ModgateError) as info:
            build_requests(modules, {typo: "YES"}, None)
        assert f"{typo} names no option; it {near} VTK_MODULE_ENABLE_VTK_RenderingCore" in info.value.format()
