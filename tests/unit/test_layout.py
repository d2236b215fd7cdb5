"""The layout is the architecture: imports between ``python/modgate`` files form no cycle,
and each room imports only what it may (commands → runtime and configure, never back; the
configure steps → the few leaves the runtime shares with them)."""

from __future__ import annotations

import ast
import os
from pathlib import Path

from tests.helpers import ROOT

PYTHON = ROOT / "python"
# What the configure steps (run from the source tree, before anything is installed) may
# import of the rest of modgate: leaves that import nothing that runs at import time.
CONFIGURE_MAY_USE = {
    "modgate._names",
    "modgate._nearest",
    "modgate._closure",
    "modgate.exceptions",
    "modgate._table",
    "modgate._manifest",
}


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for file in sorted((PYTHON / "modgate").rglob("*.py")):
        if "resources" in file.relative_to(PYTHON).parts:
            continue
        parts = list(file.relative_to(PYTHON).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (file, is_package)
    return found


def _top_level(tree: ast.Module) -> list[ast.AST]:
    """The nodes that run when the module is imported: not inside a function or class body,
    nor under ``if TYPE_CHECKING:``."""
    found: list[ast.AST] = []
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        found.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return found


def import_graph(top_only: bool = False) -> dict[str, set[str]]:
    """Each ``python/modgate`` module -> the modgate modules it imports, at its top or
    inside a function (both run; an import inside a function is still a dependency), or
    with ``top_only`` what runs when it is imported (:func:`_top_level`)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, (file, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        deps: set[str] = set()
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in _top_level(tree) if top_only else ast.walk(tree):
            if isinstance(node, ast.Import):
                deps |= {alias.name for alias in node.names if alias.name.split(".")[0] == "modgate"}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    target = node.module or ""
                if target.split(".")[0] != "modgate":
                    continue
                folder = PYTHON.joinpath(*target.split("."))
                for alias in node.names:
                    submodule = f"{target}.{alias.name}"
                    # A submodule (a .py file, or an extension with its .pyi stub), else a name of the module.
                    is_submodule = submodule in modules or (folder / f"{alias.name}.pyi").is_file()
                    deps.add(submodule if is_submodule else target)
        graph[name] = {dep for dep in deps if dep in modules and dep != name}
    return graph


def room(module: str) -> str:
    if module.startswith(("modgate._cli", "modgate.cli")) or module == "modgate.__main__":
        return "commands"
    if module.startswith("modgate._configure"):
        return "configure"
    return "runtime"


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, deps = stack[-1]
            dep = next(deps, None)
            if dep is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            elif not state.get(dep):
                state[dep] = 1
                stack.append((dep, iter(sorted(graph[dep]))))
                path.append(dep)
    return None


def test_the_walker_sees_imports_at_the_top_and_inside_functions() -> None:
    graph, top = import_graph(), import_graph(top_only=True)
    assert "modgate._records" in top["modgate._loader"]  # at the top of _loader.py
    assert "modgate._loader" in graph["modgate.native"]  # inside native.lookup
    assert "modgate._loader" not in top["modgate.native"]
    assert "modgate._manifest" in graph["modgate"] and "modgate._manifest" not in top["modgate"]  # TYPE_CHECKING
    assert "modgate._cli._dispatch" in graph["modgate._cli"]


def test_import_host_runs_one_file_of_modgate() -> None:
    # modgate/__init__.py is all that `import <host>` + is_built() run: at its top it imports
    # no other file of modgate (finding a second one lists the package folder: 0.2 ms).
    assert import_graph(top_only=True)["modgate"] == set()


def test_no_import_cycle_among_modgate_files() -> None:
    # The root's functions hand over to the loader, which reads the root's index: those
    # imports run only once the root has run to its end (it imports nothing at its top),
    # so they close no cycle. Every other import counts, at the top or inside a function.
    graph = import_graph()
    graph["modgate"] = import_graph(top_only=True)["modgate"]
    assert _cycle(graph) is None


def test_the_roots_copy_of_the_names_import_reads_is_names() -> None:
    # modgate/__init__.py keeps its own copy (the configure steps read _names without it).
    import modgate
    from modgate import _names

    copy = (modgate._MANIFEST_NAME, modgate._MODULES_PACKAGE, modgate._MODULE_RECORD_NAME)
    assert copy == (_names.MANIFEST_NAME, _names.MODULES_PACKAGE, _names.MODULE_RECORD_NAME)
    assert modgate._record_path("base", "m_x") == os.path.join("base", *_names.module_record("m_x").split("/"))


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]


def test_the_runtime_and_configure_never_import_the_commands() -> None:
    wrong = {
        (module, dep)
        for module, deps in import_graph().items()
        for dep in deps
        if room(module) != "commands" and room(dep) == "commands"
    }
    assert not wrong


def test_the_configure_steps_import_only_configure_and_the_shared_leaves() -> None:
    wrong = {
        (module, dep)
        for module, deps in import_graph().items()
        if room(module) == "configure"
        for dep in deps
        if room(dep) != "configure" and dep not in CONFIGURE_MAY_USE
    }
    assert not wrong


def test_a_modules_own_command_uses_only_the_public_command_api() -> None:
    # The graph module's command is the model: modgate.cli and nothing private.
    for file in (ROOT / "modules").glob("*/python/**/*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            private = [n for n in names if n.split(".")[0] == "modgate" and n.split(".")[1:2] == ["_cli"]]
            assert not private, f"{file} imports {private}: use modgate.cli"


def test_a_command_file_imports_no_other_command_and_every_helper_is_private() -> None:
    # _cli/ holds one file per command (CORE_COMMANDS) and private helpers beside them:
    # what two commands share lives in a helper, so a command can change alone.
    from modgate._names import CORE_COMMANDS

    commands = {f"modgate._cli.{c.replace('-', '_')}" for c in CORE_COMMANDS}
    graph = import_graph()
    assert commands <= set(graph), commands - set(graph)
    for command in sorted(commands):
        assert not graph[command] & commands, f"{command} imports the command(s) {sorted(graph[command] & commands)}"
    cli = [m for m in graph if m.startswith("modgate._cli.")]
    helpers = [m for m in cli if m not in commands and not m.rpartition(".")[2].startswith("_")]
    assert not helpers, f"not a command, so private (an underscore): {helpers}"


def test_cmakes_default_option_prefixes_are_what_declare_says_by_default() -> None:
    # modgate.cmake marks values with them as the user's before the declare step; _names holds them.
    import re

    from modgate._names import CAPABILITY_OPTION_PREFIX, DEFAULT_OPTION_PREFIX, GROUP_OPTION_PREFIX

    text = (ROOT / "cmake" / "modgate.cmake").read_text(encoding="utf-8")
    (guess,) = re.findall(r'set\(_modgate_amods_prefixes "([^"$]+)"\)', text)
    assert guess.split(";") == [DEFAULT_OPTION_PREFIX, GROUP_OPTION_PREFIX, CAPABILITY_OPTION_PREFIX]
