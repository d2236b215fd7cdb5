"""The tree keeps the habits its pre-commit configuration states: CMake and C++ layout,
spelling, the same tool versions in pre-commit and in the test requirements, a licence
file for the licence pyproject names, and a changelog with an unreleased section."""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from tests.helpers import ROOT

PINNED = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", re.MULTILINE)


# Files kept exactly as their project wrote them (VTK's module system and module files,
# which a test runs as VTK runs them): no layout or spelling of ours applies.
VERBATIM = ("tests/fixtures/vtk/reference/vtk/",)


def tracked(*suffixes: str) -> list[str]:
    """The repository's own files with these endings (git's list where there is one)."""
    proc = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True, check=False)
    if proc.returncode == 0 and proc.stdout.strip():
        names = proc.stdout.splitlines()
    else:  # an exported tree without .git
        skip = {".git", "build", "dist", "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache", ".mypy_cache"}
        names = [
            p.relative_to(ROOT).as_posix()
            for p in ROOT.rglob("*")
            if p.is_file() and not skip & set(p.relative_to(ROOT).parts)
        ]
    return sorted(n for n in names if n.endswith(suffixes) and (ROOT / n).is_file() and not n.startswith(VERBATIM))


def tool(name: str) -> str:
    """A tool tests/requirements.txt installs, from this Python's scripts folder; the test
    skips, saying how to install it, where it is not (the test command installs it)."""
    path = Path(sysconfig.get_path("scripts")) / name
    if not path.is_file():
        pytest.skip(f"{name} is not installed: python -m pip install -r tests/requirements.txt")
    return str(path)


def run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)


def test_cmake_files_keep_their_layout() -> None:
    files = tracked(".cmake", "CMakeLists.txt", "CMakeLists.txt.in")
    assert "cmake/modgate.cmake" in files
    proc = run([tool("gersemi"), "--check", *files])
    assert proc.returncode == 0, f"gersemi -i <file> fixes this:\n{proc.stdout}{proc.stderr}"


def test_cxx_files_keep_their_layout() -> None:
    files = tracked(".c", ".cc", ".cpp", ".h", ".hpp")
    assert files
    proc = run([tool("clang-format"), "--dry-run", "-Werror", *files])
    assert proc.returncode == 0, f"clang-format -i fixes this:\n{proc.stderr[-3000:]}"


def test_spelling() -> None:
    pytest.importorskip("codespell_lib", reason="codespell: python -m pip install -r tests/requirements.txt")
    proc = run([sys.executable, "-m", "codespell_lib", *tracked("")])
    assert proc.returncode == 0, proc.stdout


def test_pre_commit_pins_the_versions_the_tests_install() -> None:
    requirements = dict(PINNED.findall((ROOT / "tests" / "requirements.txt").read_text(encoding="utf-8")))
    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    hooked = dict(re.findall(r'"([A-Za-z0-9_.-]+)==([^"]+)"', config))
    assert hooked, "no pinned hook dependency found"
    assert {name: requirements.get(name) for name in hooked} == hooked


def test_the_mypy_hook_installs_every_package_the_checked_code_imports() -> None:
    # mypy --strict fails on an import it cannot resolve: the hook's environment needs them all.
    import ast
    from importlib.metadata import packages_distributions

    ignored = ("lizard_ext", "lizard_core")  # no type information: mypy's config ignores them
    imported = set()
    for path in (ROOT / "python" / "modgate").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third = sorted(n for n in imported if n not in sys.stdlib_module_names and n != "modgate" and n not in ignored)
    owners = packages_distributions()
    wanted = {re.sub(r"[-_.]+", "-", owners[name][0]).lower() for name in third if name in owners}
    assert wanted, third
    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    hook = config[config.index("id: mypy") :].split("- id:", 1)[0]
    listed = {re.sub(r"[-_.]+", "-", m).lower() for m in re.findall(r'"([A-Za-z0-9_.-]+)[\[=<>]', hook)}
    assert wanted <= listed, f"add to the mypy hook's additional_dependencies: {sorted(wanted - listed)}"


def test_the_licence_file_is_the_licence_pyproject_names() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"]
    assert declared == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text


def test_the_changelog_has_an_unreleased_section() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(r"^## Unreleased$", changelog, re.MULTILINE)


LONGEST_SENTENCE = 60  # words: a reader holds about that much at once


def test_the_docs_have_no_sentence_a_reader_loses_the_thread_of() -> None:
    long = []
    for path in [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
        for paragraph in re.split(r"\n\s*\n", text):
            if paragraph.lstrip().startswith(("|", "#", "<!--")):
                continue  # tables and headings
            for item in re.split(r"\n\s*(?:[-*]|\d+\.)\s+", "\n" + paragraph):  # each list item apart
                for sentence in re.split(r"(?<=[.!?:;])\s+(?=[A-Z`(*])", " ".join(item.split())):
                    if len(sentence.split()) > LONGEST_SENTENCE:
                        long.append(f"{path.name}: {len(sentence.split())} words: {sentence[:80]}...")
    assert not long, "split these sentences:\n" + "\n".join(long)
