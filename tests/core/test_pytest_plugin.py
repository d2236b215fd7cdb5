"""The pytest plugin, run by pytest in a subprocess on small test trees (against this build)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import modgate

pytest_plugins = ["pytester"]

BUILT = sorted(name for name in modgate.info()["modules"] if modgate.is_built(name))
OFF = sorted(name for name, module in modgate.info()["modules"].items() if module["state"] != "ON")
# Built into this release, shipped in a wheel of its own that is not installed here.
NOT_INSTALLED = sorted(name for name, module in modgate.info()["modules"].items() if not module["installed"])
needs_built = pytest.mark.skipif(not BUILT, reason="no module is built in this configuration")


@pytest.fixture(autouse=True)
def only_this_plugin(
    request: pytest.FixtureRequest, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each pytest these tests start loads modgate's plugin alone: loading every installed
    plugin costs a second a run, and these tests run in every configuration the suite
    builds. The test marked ``entry_point`` loads plugins as users do, through the
    ``pytest11`` entry point."""
    if request.node.get_closest_marker("entry_point") is None:
        monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
        pytester.plugins.append("modgate.pytest_plugin")
    if request.node.get_closest_marker("no_host") is None:
        pytester.makeini("[pytest]\nmodgate_host = modgate\n")  # a host's run: these trees have no pyproject


def module_folder(pytester: pytest.Pytester, name: str) -> None:
    """A module folder whose tests fail if they are ever collected or run."""
    folder = pytester.path / "modules" / name
    (folder / "tests").mkdir(parents=True)
    (folder / "module.toml").write_text(f'name = "{name}"\nsummary = "x"\nstage = "S1"\n')
    (folder / "tests" / f"test_{name}_inside.py").write_text(
        f"import modgate.modules.{name}\n\ndef test_inside():\n    assert True\n"
    )


@needs_built
def test_marker_skips_naming_the_option_and_runs_when_available(pytester: pytest.Pytester) -> None:
    name = BUILT[0]
    pytester.makepyfile(
        test_marked=textwrap.dedent(
            f"""
            import pytest

            @pytest.mark.requires_module({name!r})
            def test_available():
                import modgate
                assert modgate.require({name!r})

            @pytest.mark.requires_module("no_such_module")
            def test_unknown():
                raise AssertionError("must not run")
            """
        )
    )
    result = pytester.runpytest_subprocess("-ra", "--strict-markers")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*USE_MODULE_NO_SUCH_MODULE: module 'no_such_module' is not in this build*"])

    result = pytester.runpytest_subprocess("-ra", "--strict-markers", f"--modgate-disable={name}")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines([f"*USE_MODULE_{name.upper()}: module '{name}' is built but disabled*MODGATE_DISABLE*"])


def test_marker_without_names_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("import pytest\n\n@pytest.mark.requires_module()\ndef test_x():\n    pass\n")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*requires_module takes module names, e.g.*; got ()"])
    assert "def pytest_runtest_setup" not in result.stdout.str()  # the message, not the plugin's code


@needs_built
def test_a_disabled_module_folder_is_skipped_visibly_not_collected(pytester: pytest.Pytester) -> None:
    name = BUILT[0]
    module_folder(pytester, name)
    result = pytester.runpytest_subprocess("-ra", f"--modgate-disable={name}")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        [f"SKIPPED [[]1[]] modules/{name}/module.toml: USE_MODULE_{name.upper()}: module '{name}'*MODGATE_DISABLE*"]
    )
    result = pytester.runpytest_subprocess("-ra")
    # Its test, and for a native module the plugin's check that its library loads.
    native = bool(modgate.info()["modules"][name]["native"])
    result.assert_outcomes(passed=2 if native else 1)


NATIVE = [name for name in BUILT if modgate.info()["modules"][name]["native"]]


@pytest.mark.skipif(not NATIVE, reason="no native module is built in this configuration")
def test_a_built_native_modules_folder_gets_a_load_check(pytester: pytest.Pytester) -> None:
    name = NATIVE[0]
    module_folder(pytester, name)
    result = pytester.runpytest_subprocess("-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([f"modules/{name}::native library loads PASSED*"])
    # Not collected, not checked: a run that does not reach the module's folder adds nothing.
    pytester.makepyfile(test_other="def test_other():\n    pass\n")
    result = pytester.runpytest_subprocess("test_other.py")
    result.assert_outcomes(passed=1)


@pytest.mark.skipif(not OFF, reason="every module is built in this configuration")
def test_a_module_off_at_build_time_is_skipped_naming_the_option(pytester: pytest.Pytester) -> None:
    name = OFF[0]
    module_folder(pytester, name)
    result = pytester.runpytest_subprocess("-ra")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines([f"SKIPPED*modules/{name}/module.toml: USE_MODULE_{name.upper()}: *was not built*"])


@pytest.mark.skipif(not NOT_INSTALLED, reason="every module wheel of this build is installed, or it has none")
def test_a_module_whose_wheel_is_not_installed_is_skipped_naming_the_extra(pytester: pytest.Pytester) -> None:
    name = NOT_INSTALLED[0]
    module_folder(pytester, name)
    result = pytester.runpytest_subprocess("-ra")
    result.assert_outcomes(skipped=1)
    extra = name.replace("_", "-")
    result.stdout.fnmatch_lines(
        [f'SKIPPED*modules/{name}/module.toml: *not installed*pip install "modgate[[]{extra}[]]"']
    )


def test_a_folder_of_an_unknown_module_is_skipped(pytester: pytest.Pytester) -> None:
    module_folder(pytester, "not_in_this_build")
    result = pytester.runpytest_subprocess("-ra")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*USE_MODULE_NOT_IN_THIS_BUILD: module 'not_in_this_build' is not in this build*"])


@pytest.mark.entry_point
def test_header_lists_every_module_state(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess()
    modules = modgate.info()["modules"]
    result.stdout.fnmatch_lines([f"modgate {modgate.__version__}: {len(modules)} modules, *"])
    for name in modules:
        result.stdout.fnmatch_lines([f"  {name} * {'ON' if modgate.is_built(name) else 'OFF'} *"])


def test_unknown_name_to_disable_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess("--modgate-disable=not_a_module")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--modgate-disable: unknown module 'not_a_module'; known modules:*"])


# Every built module: one whose own tests imported it at collection (the outer session
# shares this process) must be refused all the same.
@pytest.mark.entry_point  # pytest runs in this process, whose plugins are loaded already
@pytest.mark.parametrize("name", BUILT or ["(none built)"])
def test_disable_holds_for_the_whole_run_and_is_undone_after(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    if not BUILT:
        pytest.skip("no module is built in this configuration")
    monkeypatch.setenv("MODGATE_DISABLE", "other_host.kept")
    pytester.makeconftest(
        f"import os\nSEEN = os.environ['MODGATE_DISABLE']\nassert SEEN == 'other_host.kept,{name}', SEEN\n"
    )
    pytester.makepyfile(
        textwrap.dedent(
            f"""
            import pytest, modgate

            def test_off():
                with pytest.raises(modgate.ModuleDisabledError):
                    modgate.require({name!r})
            """
        )
    )
    result = pytester.runpytest_inprocess(f"--modgate-disable={name}", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    import os

    assert os.environ["MODGATE_DISABLE"] == "other_host.kept"


@pytest.mark.no_host
@pytest.mark.entry_point  # loaded as in any project of an environment where modgate is installed
def test_the_plugin_is_silent_in_a_project_that_is_no_host(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[project]\nname = "other"\n')
    folder = pytester.path / "modules" / "not_a_host_module"  # not a host's: collected as any folder
    (folder / "tests").mkdir(parents=True)
    (folder / "module.toml").write_text('name = "not_a_host_module"\nsummary = "x"\nstage = "S1"\n')
    (folder / "tests" / "test_inside.py").write_text("def test_inside():\n    pass\n")
    pytester.makeconftest(
        "import sys\n"
        "def pytest_unconfigure(config):\n"
        "    loaded = sorted(m for m in sys.modules if m in ('modgate._loader', 'modgate._records')"
        " or m.startswith('modgate.modules.'))\n"
        "    print('LOADED', loaded)\n"
    )
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider")
    assert not [line for line in result.outlines if line.startswith("modgate")], result.outlines  # no header
    result.stdout.fnmatch_lines(["LOADED []"])  # no entry point read, no module imported
    result.assert_outcomes(passed=2)
    named = pytester.runpytest_subprocess("--modgate-host=modgate", "-p", "no:cacheprovider", "test_x.py")
    named.stdout.fnmatch_lines([f"modgate {modgate.__version__}: *"])
    marked = pytester.makepyfile(marked='import pytest\n@pytest.mark.requires_module("x")\ndef test_m():\n    pass\n')
    refused = pytester.runpytest_subprocess("-p", "no:cacheprovider", str(marked))
    refused.stdout.fnmatch_lines(["*requires_module: the modgate plugin has no host here*--modgate-host*"])


def test_the_host_option_says_what_it_does_and_stands_in_the_user_guide(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--help")
    help_text = " ".join(result.stdout.str().split())
    assert "--modgate-host=PACKAGE the host whose modules this run tests" in help_text, help_text[-2000:]
    guide = (Path(__file__).parents[2] / "docs" / "user-guide.md").read_text(encoding="utf-8")
    assert "--modgate-host" in guide and "modgate_host" in guide
