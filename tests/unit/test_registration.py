"""The registration parser: every key, every type, every mistake."""

from __future__ import annotations

import pytest

from modgate._configure.problems import ConfigurationError as ModgateError
from modgate._configure.registration import DEFAULT_SOURCES, Package, parse_registration

FULL = b"""
name = "alpha"
summary = "Alpha does things"
stage = "S1"
default = "OFF"
maintainers = ["Jane Doe <jane@example.org>", "octocat", "@org/team"]
requires = ["beta"]
conflicts = ["gamma"]

[native]
sources = ["src/*.cc"]
packages = [{ name = "ZLIB", version = "1.2", components = ["a"] }, { name = "Threads" }]

[python]
requires = ["graphviz>=0.20", "numpy; python_version >= '3.11'"]

[deprecated]
since = "1.2"
removal = "2.0"
reason = "superseded"
replacement = "beta"
"""


def parse(text: str | bytes, folder: str = "alpha"):
    data = text.encode() if isinstance(text, str) else text
    return parse_registration(data, path=f"modules/{folder}/module.toml", folder_name=folder)


def problems(text: str | bytes, folder: str = "alpha") -> list[str]:
    with pytest.raises(ModgateError) as info:
        parse(text, folder)
    return [p.format() for p in info.value.problems]


def test_every_key_parses() -> None:
    reg = parse(FULL)
    assert reg.name == "alpha" and reg.stage == "S1" and reg.default == "OFF"
    assert reg.maintainers == ("Jane Doe <jane@example.org>", "octocat", "@org/team")
    assert reg.requires == ("beta",) and reg.conflicts == ("gamma",)
    assert reg.native is not None and reg.native.sources == ("src/*.cc",)
    assert reg.native.packages == (Package("ZLIB", "1.2", ("a",)), Package("Threads"))
    assert reg.python_requires == ("graphviz>=0.20", "numpy; python_version >= '3.11'")
    assert reg.deprecated is not None and reg.deprecated.replacement == "beta"
    assert reg.option is None and reg.option_for() == "USE_MODULE_ALPHA"


def test_minimal_defaults() -> None:
    reg = parse('name = "alpha"\nsummary = "x"\nstage = "S0"\n[native]\n')
    assert reg.default == "AUTO" and reg.maintainers == () and reg.requires == ()
    assert reg.native is not None and reg.native.sources == DEFAULT_SOURCES
    assert reg.python_requires == () and reg.deprecated is None


BASE = 'name = "alpha"\nsummary = "x"\nstage = "S0"\n'


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        (BASE + 'requries = ["b"]\n', ["requries", "did you mean 'requires'"]),
        (BASE + "[native]\nsource = []\n", ["native.source", "did you mean 'sources'"]),
        (BASE + '[python]\nrequire = ["x"]\n', ["python.require", "'requires'"]),
        (BASE + '[deprecated]\nsince = "1"\nreason = "r"\nremove = "2"\n', ["deprecated.remove", "'removal'"]),
        ('summary = "x"\nstage = "S0"\n', ["missing required key 'name'", 'name = "alpha"']),
        ('name = "alpha"\nstage = "S0"\n', ["missing required key 'summary'"]),
        ('name = "alpha"\nsummary = "x"\n', ["missing required key 'stage'"]),
        (BASE.replace('"S0"', '"S3"'), ["stage 'S3'", '"S0", "S1" or "S2"']),
        (BASE.replace('"S0"', '"s1"'), ["did you mean 'S1'"]),
        (BASE + 'default = "on"\n', ["default 'on'", "uppercase"]),
        (BASE.replace('"alpha"', "3"), ["'name' must be a string, got an integer"]),
        (BASE + 'maintainers = "me"\n', ["'maintainers' must be an array"]),
        (BASE + "maintainers = [1]\n", ["maintainers[0] must be a string"]),
        (BASE + 'maintainers = ["a <b>"]\n', ["neither 'Name <email>' nor a GitHub handle"]),
        (BASE + 'maintainers = ["Jane_Doe"]\n', ["'Jane_Doe' is neither 'Name <email>' nor a GitHub handle"]),
        (BASE + 'maintainers = ["jane.doe"]\n', ["'jane.doe' is neither"]),
        (BASE + 'maintainers = ["-jane"]\n', ["'-jane' is neither"]),
        (BASE + 'maintainers = ["jane--doe"]\n', ["'jane--doe' is neither"]),
        (BASE + 'requires = ["Beta"]\n', ["not a module name"]),
        (BASE + 'requires = ["b", "b"]\n', ["lists 'b' twice"]),
        (BASE + 'requires = ["b"]\nconflicts = ["b"]\n', ["in both 'requires' and 'conflicts'"]),
        (BASE + "native = 1\n", ["'native' must be a table"]),
        (BASE + "[native]\nsources = []\n", ["'native.sources' is empty"]),
        (BASE + '[native]\npackages = ["ZLIB"]\n', ["native.packages[0] must be a table"]),
        (BASE + '[native]\npackages = [{ version = "1" }]\n', ["native.packages[0].name"]),
        (BASE + '[native]\npackages = [{ name = "Z LIB" }]\n', ["not a CMake package name"]),
        (BASE + '[native]\npackages = [{ name = "Z", version = "one" }]\n', ["not a CMake version"]),
        (BASE + '[native]\npackages = [{ name = "Z", tag = "x" }]\n', ["native.packages[0].tag"]),
        (
            BASE + '[native]\npackages = [{ name = "Z", targets = ["Z Z"] }]\n',
            ["native.packages[0].targets[0]: 'Z Z' is not a CMake target name", 'targets = ["OpenMP::OpenMP_CXX"]'],
        ),
        (BASE + '[native]\npackages = [{ name = "Z", targets = "Z::Z" }]\n', ["'native.packages[0].targets' must be"]),
        (BASE + '[native]\npackages = [{ name = "Z", targets = ["Z::Z", "Z::Z"] }]\n', ["lists 'Z::Z' twice"]),
        (BASE + "[python]\nrequires = [3]\n", ["python.requires[0] must be a string"]),
        (BASE + '[deprecated]\nreason = "r"\n', ["missing required key 'deprecated.since'"]),
        (BASE + '[deprecated]\nsince = "2.0"\nremoval = "1.0"\nreason = "r"\n', ["is not after since"]),
        (BASE.replace('"x"', '""'), ["'summary' is empty"]),
        (BASE.replace('"x"', '"' + "y" * 201 + '"'), ["at most 200"]),
    ],
)
def test_mistakes_name_file_key_and_fix(text: str, needles: list[str]) -> None:
    found = "\n".join(problems(text))
    assert "modules/alpha/module.toml" in found
    assert "fix:" in found
    for needle in needles:
        assert needle in found


def test_all_problems_of_a_file_are_reported_together() -> None:
    found = problems('name = "alpha"\nsummary = 1\nstage = "S9"\nbogus = 1\n')
    assert len(found) == 3


def test_line_numbers_point_at_the_key() -> None:
    found = problems('name = "alpha"\nsummary = "x"\n\nstage = "S7"\n')
    assert found[0].startswith("modules/alpha/module.toml:4: stage")


def test_summary_with_cmake_syntax_is_kept_verbatim() -> None:
    text = 'name = "alpha"\nsummary = \'say "hi"; ${HOME} ]] [[ $<1:x> \\\\\'\nstage = "S0"\n'
    assert parse(text).summary == 'say "hi"; ${HOME} ]] [[ $<1:x> \\\\'


def test_commands_table() -> None:
    base = 'name = "alpha"\nsummary = "s"\nstage = "S1"\n'
    reg = parse(base + '[commands]\nalpha-draw = "cli:main"\nalpha = "run"\n')
    assert reg.commands == (("alpha", "run"), ("alpha-draw", "cli:main"))
    said = problems(base + '[commands]\nlist = "run"\nBad_Name = "run"\nok = "not a target!"\n')
    assert any(
        "modules/alpha/module.toml" in p
        and "commands.list" in p
        and "one of modgate's own commands" in p
        and "fix: choose another name" in p
        for p in said
    )
    assert any(
        "commands.Bad_Name" in p and "not a command name" in p and "fix: use lower case letters" in p for p in said
    )
    assert any(
        "commands.ok" in p and "not a function of the module's package" in p and 'fix: write "function"' in p
        for p in said
    )


def test_two_modules_may_not_add_the_same_command() -> None:
    from modgate._configure.graph import check_graph

    base = 'summary = "s"\nstage = "S1"\n[commands]\ndraw = "run"\n'
    modules = {n: parse(f'name = "{n}"\n' + base, folder=n) for n in ("alpha", "beta")}
    (problem,) = check_graph(modules)
    assert problem.key == "commands.draw" and "already a command of module 'alpha'" in problem.message


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("class", "a keyword of Python and C++"),
        ("async", "a keyword of Python"),
        ("namespace", "a keyword of C++"),
        ("a_", "is not a valid module name"),  # its extra would be 'a-', which pip refuses
        ("a__b", "is not a valid module name"),  # its wheel would be the one of 'a_b'
    ],
)
def test_a_name_a_keyword_or_a_normalised_clash_is_refused(name: str, needle: str) -> None:
    [text] = problems(f'name = "{name}"\nsummary = "s"\nstage = "S1"\n', folder=name)
    assert f"modules/{name}/module.toml:1: name:" in text and needle in text and "rename" in text


@pytest.mark.parametrize(
    ("names", "clash"),
    [
        (["runtime"], "module 'runtime' would make the CMake target modgate_runtime, which is the core's target"),
        (["x", "x_python"], "module 'x_python' would make the CMake target modgate_x_python, which is module 'x'"),
    ],
)
def test_a_module_whose_target_another_has_is_refused_naming_both(tmp_path, names: list[str], clash: str) -> None:
    from modgate._configure.discovery import discover

    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "module.toml").write_text(f'name = "{name}"\nsummary = "s"\nstage = "S1"\n[native]\n')
    with pytest.raises(ModgateError) as info:
        discover([tmp_path], host="modgate", base=tmp_path)
    assert clash in info.value.format() and "choose another name" in info.value.format()


@pytest.mark.parametrize("key", ["summary", "deprecated.reason", "maintainers"])
def test_a_control_character_in_a_string_is_refused(key: str) -> None:
    # A NUL in deprecated.reason once reached the generated CMake file and broke configure.
    text = 'name = "alpha"\nsummary = "s"\nstage = "S1"\n'
    if key == "summary":
        text = text.replace('"s"', '"a\\u0000b"')
    elif key == "maintainers":
        text += 'maintainers = ["ann\\u0007"]\n'
    else:
        text += '[deprecated]\nsince = "1.0"\nremoval = "2.0"\nreason = "old\\u0000"\n'
    errors = "\n".join(problems(text))
    assert "control character" in errors and key.split(".")[-1] in errors, errors
