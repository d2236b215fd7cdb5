"""Properties of the resolver over random module graphs and random user settings."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from modgate._configure.problems import ConfigurationError as ModgateError
from modgate._configure.registration import Registration
from modgate._configure.request import HostOptions, build_requests
from modgate._configure.resolver import decide, resolve
from modgate._names import ALL_MODULES

NAMES = [f"m{i}" for i in range(8)]
VALUES = st.sampled_from(["ON", "OFF", "AUTO", "IF_NEEDED"])


@st.composite
def scenarios(draw: st.DrawFn):
    count = draw(st.integers(1, len(NAMES)))
    names = NAMES[:count]
    modules = {}
    for index, name in enumerate(names):
        later = names[index + 1 :]  # requires point forward only: no cycles
        requires = draw(st.lists(st.sampled_from(later), unique=True, max_size=3)) if later else []
        others = [n for n in names if n != name and n not in requires]
        conflicts = draw(st.lists(st.sampled_from(others), unique=True, max_size=2)) if others else []
        modules[name] = Registration(
            name=name,
            summary="s",
            stage="S1",
            path=f"modules/{name}/module.toml",
            default=draw(VALUES),
            requires=tuple(requires),
            conflicts=tuple(conflicts),
        )
    values = draw(st.dictionaries(st.sampled_from([f"USE_MODULE_{n.upper()}" for n in names]), VALUES, max_size=count))
    all_modules = draw(st.one_of(st.none(), VALUES))
    missing = draw(st.dictionaries(st.sampled_from(names), st.just(["PKG"]), max_size=2))
    return modules, values, all_modules, missing


@settings(max_examples=400, deadline=None)
@given(scenarios(), st.randoms())
def test_result_satisfies_every_constraint_and_every_request(scenario, rnd: random.Random) -> None:
    modules, values, all_modules, missing = scenario
    requests = build_requests(modules, values, all_modules)
    try:
        result = resolve(modules, requests, missing)
    except ModgateError as exc:
        assert exc.problems  # a refusal always says why
        for problem in exc.problems:
            assert problem.file and problem.fix
        return
    enabled = set(result.enabled)
    for name, reg in modules.items():
        if name in enabled:
            assert set(reg.requires) <= enabled, name
            assert not set(reg.conflicts) & enabled, name
            assert name not in missing
        # ON (from any source) is never turned off; OFF is never turned on; IF_NEEDED is on
        # exactly when a module being built requires it.
        if requests[name].value == "ON":
            assert name in enabled
        if requests[name].value == "OFF":
            assert name not in enabled
        if requests[name].value == "IF_NEEDED" and name in enabled:
            assert any(name in modules[other].requires for other in enabled), name
            assert result.state(name).reason.startswith("needed by "), result.state(name)
        if f"USE_MODULE_{name.upper()}" in values:
            assert result.state(name).request.source == f"USE_MODULE_{name.upper()}"

    # Deterministic: the same answer again, and whatever order the input comes in.
    assert resolve(modules, requests, missing) == result
    shuffled = list(modules.items())
    rnd.shuffle(shuffled)
    assert resolve(dict(shuffled), requests, missing) == result

    # Stable: asking explicitly for what was decided gives the same decision.
    pinned = {f"USE_MODULE_{n.upper()}": ("ON" if n in enabled else "OFF") for n in modules}
    again = resolve(modules, build_requests(modules, pinned, None), missing)
    assert set(again.enabled) == enabled


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_all_off_is_always_possible(scenario) -> None:
    modules, _values, _all, missing = scenario
    result = resolve(modules, build_requests(modules, {}, "OFF"), missing)
    assert result.enabled == ()


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_a_refused_request_is_fixed_by_its_one_fix_line(scenario) -> None:
    # One round: the changes a refusal carries configure cleanly when applied, every time
    # the problems can be fixed with options at all.
    modules, values, all_modules, missing = scenario
    hosted = HostOptions(groups={}, provided={})
    try:
        decide(modules, values, all_modules, hosted, missing_packages=missing)
    except ModgateError as refused:
        assert refused.changes is not None, refused.format()  # every problem here has an option fix
        fixed = dict(refused.values)
        again_all = fixed.pop(ALL_MODULES, None)
        _requests, result = decide(modules, fixed, again_all, hosted, missing_packages=missing)
        for name, value in refused.changes.items():  # the fix did what it says
            assert fixed.get(name, again_all if name == ALL_MODULES else "") == value or not value
        assert "fix all at once:" in refused.format() and result.states
