"""Broken inputs, run through the resolver exactly as CMake runs it at configure time.

Each case checks the exit status (2), that the message names the file and the key and
says how to fix it, and that no Python traceback reaches the user.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import basic, run_configure, write_module


@dataclass
class Case:
    setup: Callable[[Path], list[str]]  # writes modules under the given folder, returns extra args
    file: str  # what the message must name as the file
    key: str  # ... as the key or option
    needle: str  # ... and a phrase of the explanation
    step: str = "declare"  # file-system problems surface in "resolve", which walks the module folders


def one(name: str, toml: str, files: dict[str, str] | None = None) -> Callable[[Path], list[str]]:
    def setup(root: Path) -> list[str]:
        write_module(root, name, toml, files)
        return []

    return setup


def raw(name: str, data: bytes) -> Callable[[Path], list[str]]:
    def setup(root: Path) -> list[str]:
        (root / name).mkdir()
        (root / name / "module.toml").write_bytes(data)
        return []

    return setup


def several(*tomls: tuple[str, str], args: tuple[str, ...] = ()) -> Callable[[Path], list[str]]:
    def setup(root: Path) -> list[str]:
        for name, toml in tomls:
            write_module(root, name, toml)
        return list(args)

    return setup


def escaping_symlink(root: Path) -> list[str]:
    folder = write_module(root, "alpha", basic("alpha", '[native]\nsources = ["src/*.cc"]\n'))
    outside = root.parent / "outside.cc"
    outside.write_text("int x;\n")
    (folder / "src").mkdir()
    os.symlink(outside, folder / "src" / "evil.cc")
    return []


def python_symlink(root: Path) -> list[str]:
    folder = write_module(root, "alpha", basic("alpha"), {"python/__init__.py": ""})
    secret = root.parent / "secret"
    secret.mkdir()
    (secret / "key.pem").write_text("not for a wheel\n")
    os.symlink(secret, folder / "python" / "data")
    return []


def looping_link(root: Path) -> list[str]:
    folder = write_module(root, "alpha", basic("alpha"), {"python/__init__.py": ""})
    os.symlink("loop", folder / "python" / "loop")
    return []


def looping_module_folder(root: Path) -> list[str]:
    write_module(root, "alpha", basic("alpha"))
    os.symlink("beta", root / "beta")
    return []


def registration_folder(root: Path) -> list[str]:
    (root / "alpha" / "module.toml").mkdir(parents=True)
    return []


def duplicate_through_extra_dirs(root: Path) -> list[str]:
    write_module(root, "alpha", basic("alpha"))
    extra = root.parent / "extra"
    write_module(extra, "alpha", basic("alpha"))
    return ["--extra-dirs", str(extra)]


def missing_package(root: Path) -> list[str]:
    write_module(
        root, "alpha", basic("alpha", '[native]\npackages = [{ name = "NoSuchPkg" }]\n'), {"src/a.cc": "int a;\n"}
    )
    return ["--value", "USE_MODULE_ALPHA=ON", "--found", "alpha:0=0"]


def chain_with_missing_link(root: Path) -> list[str]:
    for i in range(200):
        requires = f'requires = ["m{i + 1:03d}"]\n' if i < 199 else ""
        write_module(root, f"m{i:03d}", basic(f"m{i:03d}", requires))
    return ["--value", "USE_MODULE_M199=OFF", "--value", "USE_MODULE_M000=ON"]


def long_cycle(root: Path) -> list[str]:
    for i in range(200):
        write_module(root, f"m{i:03d}", basic(f"m{i:03d}", f'requires = ["m{(i + 1) % 200:03d}"]\n'))
    return []


ALPHA = "modules/alpha/module.toml"
CASES = {
    "toml-syntax": Case(
        one("alpha", 'name = "alpha"\nsummary = "x\nstage = "S0"\n'), ALPHA + ":2", "TOML", "fix the TOML"
    ),
    "empty-file": Case(raw("alpha", b""), ALPHA, "", "is empty"),
    "blank-file": Case(raw("alpha", b"\n \n"), ALPHA, "", "is empty"),
    "invalid-utf8": Case(raw("alpha", b'name = "alpha"\nsummary = "caf\xe9"\n'), ALPHA + ":2", "", "not valid UTF-8"),
    "wrong-type": Case(
        one("alpha", 'name = "alpha"\nsummary = ["x"]\nstage = "S0"\n'), ALPHA, "summary", "must be a string"
    ),
    "wrong-list-type": Case(one("alpha", basic("alpha", 'requires = "beta"\n')), ALPHA, "requires", "must be an array"),
    "unknown-key": Case(
        one("alpha", basic("alpha", 'mantainers = ["x"]\n')), ALPHA, "mantainers", "did you mean 'maintainers'"
    ),
    "invalid-name": Case(
        one("Alpha", 'name = "Alpha"\nsummary = "x"\nstage = "S0"\n'),
        "modules/Alpha/module.toml",
        "name",
        "not a valid module name",
    ),
    "name-not-folder": Case(one("alpha", basic("beta")), ALPHA, "name", "does not equal the folder name"),
    "invalid-stage": Case(
        one("alpha", 'name = "alpha"\nsummary = "x"\nstage = "beta"\n'), ALPHA, "stage", "not one of S0, S1, S2"
    ),
    "invalid-default": Case(
        one("alpha", basic("alpha", 'default = "MAYBE"\n')), ALPHA, "default", "not one of ON, AUTO, IF_NEEDED, OFF"
    ),
    "self-require": Case(one("alpha", basic("alpha", 'requires = ["alpha"]\n')), ALPHA, "requires", "requires itself"),
    "self-conflict": Case(
        one("alpha", basic("alpha", 'conflicts = ["alpha"]\n')), ALPHA, "conflicts", "conflicts with itself"
    ),
    "cycle": Case(
        several(("alpha", basic("alpha", 'requires = ["beta"]\n')), ("beta", basic("beta", 'requires = ["alpha"]\n'))),
        ALPHA,
        "requires",
        "cycle of 2 modules: alpha → beta → alpha",
        step="resolve",
    ),
    "unknown-requirement": Case(
        one("alpha", basic("alpha", 'requires = ["betta"]\n')),
        ALPHA,
        "requires",
        "unknown module 'betta'",
        step="resolve",
    ),
    "on-both-sides-of-conflict": Case(
        several(
            ("alpha", basic("alpha", 'conflicts = ["beta"]\n')),
            ("beta", basic("beta")),
            args=("--value", "USE_MODULE_ALPHA=ON", "--value", "USE_MODULE_BETA=on"),
        ),
        ALPHA,
        "conflicts",
        "both are ON",
        step="resolve",
    ),
    "on-requires-off": Case(
        several(
            ("alpha", basic("alpha", 'requires = ["beta"]\n')),
            ("beta", basic("beta")),
            args=("--value", "USE_MODULE_ALPHA=ON", "--value", "USE_MODULE_BETA=OFF"),
        ),
        ALPHA,
        "requires",
        "alpha → beta",
        step="resolve",
    ),
    "on-missing-package": Case(
        missing_package, ALPHA, "native.packages", "NoSuchPkg not found by find_package", step="resolve"
    ),
    "sources-dotdot": Case(
        one("alpha", basic("alpha", '[native]\nsources = ["../beta/src/*.cc"]\n')),
        ALPHA,
        "native.sources",
        "contains '..'",
    ),
    "sources-absolute": Case(
        one("alpha", basic("alpha", '[native]\nsources = ["/etc/*.cc"]\n')), ALPHA, "native.sources", "absolute path"
    ),
    "sources-symlink-outside": Case(
        escaping_symlink, ALPHA, "src/evil.cc", "outside the module folder", step="resolve"
    ),
    "link-loop-in-a-module": Case(looping_link, ALPHA, "python/loop", "lead nowhere", step="resolve"),
    "link-loop-as-a-module-folder": Case(looping_module_folder, "modules/beta", "symbolic link", "leads nowhere"),
    "registration-is-a-folder": Case(registration_folder, ALPHA, "module.toml", "not a file"),
    "toml-nested-too-deep": Case(
        raw("alpha", b'name = "alpha"\nx = ' + b"[" * 1000 + b"]" * 1000 + b"\n"), ALPHA, "alpha", "nests too deep"
    ),
    "python-symlink-outside": Case(
        python_symlink, ALPHA, "python/data/key.pem", "built and shipped from there", step="resolve"
    ),
    "sources-match-nothing": Case(
        one("alpha", basic("alpha", '[native]\nsources = ["src/*.cxx"]\n')),
        ALPHA,
        "native.sources",
        "matches no file",
        step="resolve",
    ),
    "native-without-sources": Case(
        one("alpha", basic("alpha", "[native]\n")), ALPHA, "native", "no C++ sources", step="resolve"
    ),
    "bad-pep508": Case(
        one("alpha", basic("alpha", '[python]\nrequires = ["graphviz>=>0.20"]\n')),
        ALPHA,
        "python.requires",
        "not a PEP 508 requirement",
    ),
    "local-version-in-a-range": Case(  # pip refuses it, so the build does too
        one("alpha", basic("alpha", '[python]\nrequires = ["pkg>1.0+local"]\n')),
        ALPHA,
        "python.requires",
        "Local version label can only be used with `==` or `!=`",
    ),
    "bad-deprecated-version": Case(
        one("alpha", basic("alpha", '[deprecated]\nsince = "soon"\nreason = "old"\n')),
        ALPHA,
        "deprecated.since",
        "not a PEP 440 version",
    ),
    "bad-package-version": Case(
        one("alpha", basic("alpha", '[native]\npackages = [{ name = "ZLIB", version = ">=1.2" }]\n')),
        ALPHA,
        "native.packages",
        "not a CMake version",
    ),
    "value-maybe": Case(
        several(("alpha", basic("alpha")), args=("--value", "USE_MODULE_ALPHA=MAYBE")),
        "CMake cache",
        "USE_MODULE_ALPHA",
        "not ON, AUTO, IF_NEEDED or OFF",
    ),
    "unknown-option": Case(
        several(("alpha", basic("alpha")), args=("--value", "USE_MODULE_NOPE=ON")),
        "CMake cache",
        "USE_MODULE_NOPE",
        "names no module",
    ),
    "all-modules-invalid": Case(
        several(("alpha", basic("alpha")), args=("--all-modules", "most")),
        "CMake cache",
        "MODGATE_ALL_MODULES",
        "not ON, AUTO, IF_NEEDED or OFF",
    ),
    "duplicate-through-extra-dirs": Case(
        duplicate_through_extra_dirs, "extra/alpha/module.toml", "name", "defined twice"
    ),
    "missing-extra-dir": Case(
        several(args=("--extra-dirs", "/nonexistent/modules")), "MODGATE_EXTRA_MODULE_DIRS", "", "does not exist"
    ),
    "reserved-name": Case(one("all", basic("all")), "modules/all/module.toml", "name", "is reserved"),
    "python-without-init": Case(
        one("alpha", basic("alpha"), {"python/util.py": "x = 1\n"}), ALPHA, "", "has no __init__.py", step="resolve"
    ),
    "header-outside-namespace": Case(
        one("alpha", basic("alpha"), {"include/alpha.h": "#pragma once\n"}),
        ALPHA,
        "",
        "outside include/modgate/alpha/",
        step="resolve",
    ),
    "bad-group-name": Case(
        one("alpha", basic("alpha", 'groups = ["CUDA"]\n')), ALPHA, "groups", "'CUDA' is not a group name"
    ),
    "groups-not-a-list": Case(one("alpha", basic("alpha", 'groups = "cuda"\n')), ALPHA, "groups", "must be an array"),
    "unknown-group-option": Case(
        several(("alpha", basic("alpha", 'groups = ["cuda"]\n')), args=("--value", "MODGATE_GROUP_CUDE=OFF")),
        "CMake cache",
        "MODGATE_GROUP_CUDE",
        "names no group (did you mean MODGATE_GROUP_CUDA?)",
    ),
    "groups-set-differently": Case(
        several(
            ("alpha", basic("alpha", 'groups = ["cuda", "rpc"]\n')),
            args=("--value", "MODGATE_GROUP_CUDA=ON", "--value", "MODGATE_GROUP_RPC=OFF"),
        ),
        "CMake cache",
        "MODGATE_GROUP_CUDA, MODGATE_GROUP_RPC",
        "set to different values",
    ),
    "on-requires-member-of-off-group": Case(
        several(
            ("alpha", basic("alpha", 'requires = ["beta"]\n')),
            ("beta", basic("beta", 'groups = ["cuda"]\n')),
            args=("--value", "USE_MODULE_ALPHA=ON", "--value", "MODGATE_GROUP_CUDA=OFF"),
        ),
        ALPHA,
        "requires",
        "'beta' is off: MODGATE_GROUP_CUDA=OFF (group 'cuda')",
        step="resolve",
    ),
    "tests-requires-itself": Case(
        one("alpha", basic("alpha", '[tests]\nrequires = ["alpha"]\n')), ALPHA, "tests.requires", "the module itself"
    ),
    "tests-requires-a-requirement": Case(
        several(
            ("alpha", basic("alpha", 'requires = ["beta"]\n[tests]\nrequires = ["beta"]\n')), ("beta", basic("beta"))
        ),
        ALPHA,
        "tests.requires",
        "is in 'requires' already",
    ),
    "tests-unknown-key": Case(
        one("alpha", basic("alpha", '[tests]\nrequire = ["beta"]\n')),
        ALPHA,
        "tests.require",
        "did you mean 'requires'",
    ),
    "optional-requires-itself": Case(
        one("alpha", basic("alpha", 'optional-requires = ["alpha"]\n')), ALPHA, "optional-requires", "names itself"
    ),
    "optional-and-required": Case(
        several(
            ("alpha", basic("alpha", 'requires = ["beta"]\noptional-requires = ["beta"]\n')), ("beta", basic("beta"))
        ),
        ALPHA,
        "optional-requires",
        "is in 'requires' too",
    ),
    "optional-and-conflicting": Case(
        several(
            ("alpha", basic("alpha", 'conflicts = ["beta"]\noptional-requires = ["beta"]\n')), ("beta", basic("beta"))
        ),
        ALPHA,
        "optional-requires",
        "can never be present",
    ),
    "cycle-through-optional": Case(
        several(
            ("alpha", basic("alpha", 'optional-requires = ["beta"]\n')),
            ("beta", basic("beta", 'requires = ["alpha"]\n')),
        ),
        ALPHA,
        "optional-requires",
        "requires and optional-requires cycle of 2 modules: alpha → beta → alpha",
        step="resolve",
    ),
    "license-files-match-nothing": Case(
        one("alpha", basic("alpha", 'license-files = ["LICENSE"]\n')),
        ALPHA,
        "license-files",
        "pattern 'LICENSE' matches no file",
        step="resolve",
    ),
    "license-not-spdx": Case(
        one("alpha", basic("alpha", 'license = "GPLv3"\n')), ALPHA, "license", "is not an SPDX license expression"
    ),
    "long-requires-chain": Case(
        chain_with_missing_link, "modules/m000/module.toml", "requires", "m000 → m001", step="resolve"
    ),
    "long-cycle": Case(long_cycle, "modules/m000/module.toml", "requires", "cycle of 200 modules", step="resolve"),
}


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_bad_input_is_reported_clearly(case_id: str, tmp_path: Path) -> None:
    case = CASES[case_id]
    root = tmp_path / "modules"
    root.mkdir()
    args = case.setup(root)
    result = run_configure(case.step, ["--modules-dir", str(root), *args], tmp_path)
    message = result.stderr
    assert result.returncode == 2, message
    assert "Traceback" not in message
    assert case.file in message
    assert f"{case.key}" in message
    assert case.needle in message
    assert "fix:" in message
    # Readable even for 200 modules: no line longer than a screen's worth.
    assert max(len(line) for line in message.splitlines()) < 400


def test_there_are_at_least_25_distinct_cases() -> None:
    assert len(CASES) >= 25


def test_folder_without_registration_is_warned_not_skipped_silently(tmp_path: Path) -> None:
    root = tmp_path / "modules"
    write_module(root, "alpha", basic("alpha"))
    (root / "stray").mkdir()
    (root / "stray" / "notes.txt").write_text("x")
    result = run_configure("declare", ["--modules-dir", str(root)], tmp_path)
    assert result.returncode == 0, result.stderr
    declared = (tmp_path / "declare.cmake").read_text()
    assert "modules/stray has no module.toml" in declared and "add modules/stray/module.toml" in declared


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("conflicts", 'conflicts = ["zeta"]\n'),
        ("optional-requires", 'optional-requires = ["cublas"]\n'),
        ("tests.requires", '[tests]\nrequires = ["bet"]\n'),
    ],
)
def test_a_module_not_here_named_outside_requires_is_warned_and_configure_goes_on(
    key: str, text: str, tmp_path: Path
) -> None:
    # Deleting one module's folder never breaks another's configure (the S0 promise).
    root = tmp_path / "modules"
    write_module(root, "alpha", basic("alpha", text))
    for step in ("declare", "resolve"):
        result = run_configure(step, ["--modules-dir", str(root)], tmp_path)
        assert result.returncode == 0, result.stderr
    declared = (tmp_path / "declare.cmake").read_text()
    assert f"modules/alpha/module.toml: {key}: {key} unknown module" in declared and "is ignored" in declared


def test_a_source_that_cannot_be_read_is_named_not_a_traceback(tmp_path: Path) -> None:
    # As root every file is readable: a file gone between the walk and the read stands in.
    from modgate._cli import check
    from modgate.exceptions import ModgateError

    gone = tmp_path / "gone.cc"
    with pytest.raises(ModgateError, match=r"gone\.cc: cannot read it \(No such file or directory\); make it readable"):
        check._read(gone)
    pytest.importorskip("lizard")
    from modgate._cli import _clones

    with pytest.raises(ModgateError, match=r"gone\.cc: cannot read it"):
        _clones.hash_files([str(gone)])
