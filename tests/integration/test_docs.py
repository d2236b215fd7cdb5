"""The docs run as written. Every shell block of README.md, the guides and the README that
`modgate init` writes runs, line by line and in order, in a fresh venv, in the place its
comment names (``<!-- docs test: <scene> -->`` before the block): ``checkout`` (a copy of
this tree), ``host`` (a `modgate init` host ``acme`` with the guides' example modules) or
``example`` (the user guide's worked example). modgate itself comes from the wheels the
README's ``modgate wheels`` line makes, as a user with a modgate on no index gets it. A
line that cannot run here says so in its comment (``not run by the docs test``); nothing else
is left out. A line run before in the same place is not run twice; a placeholder
(``<modgate checkout>``) is replaced by what it stands for, and an unknown one fails."""

from __future__ import annotations

import os
import re
import shlex
import venv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import ROOT, new_module
from tests.integration.cmake_builds import check, copy_tree, run

pytestmark = pytest.mark.build

SKIP_TAG = "not run by the docs test"
SCENE = re.compile(r"<!-- docs test: (\w+) -->\n\Z")
SCENES = ("checkout", "host", "example")
TEMPLATE_README = ROOT / "python" / "modgate" / "_cli" / "resources" / "templates" / "host" / "README.md.in"
DOCS = (ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md")), TEMPLATE_README)
# The guides' example modules in the host: (name, `modgate new` arguments, option).
ADOPTER_MODULES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("cuda", (), ""),
    ("cutlass", ("--native", "--requires", "cuda"), "USE_CUTLASS"),
    ("cublas", ("--requires", "cuda"), "USE_CUBLAS"),
)


@dataclass(frozen=True)
class Line:
    where: str  # file:line
    command: str
    skipped: str  # why, from the tag; "" when it runs


@dataclass(frozen=True)
class Block:
    scene: str
    lines: tuple[Line, ...]


def shell_blocks(path: Path, text: str | None = None) -> list[Block]:
    """Every ```sh block of ``path`` with its scene ("" when the block names none)."""
    text = path.read_text(encoding="utf-8") if text is None else text
    name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    blocks = []
    for match in re.finditer(r"```sh\n(.*?)```", text, re.S):
        named = SCENE.search(text[max(0, match.start() - 80) : match.start()])
        scene = named.group(1) if named else ""
        first = text.count("\n", 0, match.start()) + 2
        lines = []
        for offset, raw in enumerate(match.group(1).splitlines()):
            if raw.strip():
                comment = raw.partition("  #")[2]
                skipped = comment.strip() if SKIP_TAG in comment else ""
                lines.append(Line(f"{name}:{first + offset}", raw.strip(), skipped))
        blocks.append(Block(scene, tuple(lines)))
    return blocks


def test_every_shell_block_of_the_docs_names_where_it_runs() -> None:
    """A new block cannot slip past the docs test: each names its scene, and a tag says why."""
    assert {path.name for path in DOCS} >= {"README.md", "user-guide.md", "adopter-guide.md", "README.md.in"}
    for path in DOCS:
        for block in shell_blocks(path):
            assert block.scene in SCENES, f"{block.lines[0].where}: no `<!-- docs test: <scene> -->` before it"
            for line in block.lines:
                assert SKIP_TAG not in line.command or line.skipped, f"{line.where}: the tag is not in a comment"


def test_the_readmes_test_command_is_what_ci_runs() -> None:
    """The README's second block is `.ci/run`'s last line, tag aside: one command, said twice."""
    (command,) = shell_blocks(ROOT / "README.md")[1].lines
    assert command.skipped
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert command.command.partition("  #")[0].strip() == ci


def test_the_extraction_reads_scenes_tags_and_lines() -> None:
    text = "a\n<!-- docs test: host -->\n```sh\nls   # x\n\necho 1  # an upload (not run by the docs test)\n```\n"
    text += "```sh\nls\n```\n"
    first, second = shell_blocks(ROOT / "x.md", text)
    skipped = "an upload (not run by the docs test)"
    assert first == Block("host", (Line("x.md:4", "ls   # x", ""), Line("x.md:6", first.lines[1].command, skipped)))
    assert second.scene == "" and second.lines[0].where == "x.md:9"


def scene_env(env_dir: Path, *find_links: Path) -> dict[str, str]:
    """The environment of a user whose venv ``env_dir`` is active, with pip also looking in
    ``find_links``. The machine's pip settings and the suite's build settings (Debug,
    ccache: the root ``conftest.py``) are kept; no modgate switch and no Python path."""
    drop = ("MODGATE_", "PYTHON", "VIRTUAL_ENV", "PIP_NO_INDEX")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}"
    links = " ".join([env.get("PIP_FIND_LINKS", ""), *map(str, find_links)]).strip()
    return env | {"VIRTUAL_ENV": str(env_dir)} | ({"PIP_FIND_LINKS": links} if links else {})


PLACEHOLDER = re.compile(r"<[a-z][a-z ]*>")


@dataclass
class Scene:
    root: Path
    env: dict[str, str]
    ran: set[str]
    placeholders: dict[str, str]

    def run(self, blocks: Iterable[Block], *, at: Path | None = None) -> str:
        """Runs the blocks' lines as one shell session from ``at`` (the root); a failure names
        the line. Returns the output."""
        script = ["set -eo pipefail", "exec 2>&1", f"cd {shlex.quote(str(at or self.root))}"]
        for block in blocks:
            for line in block.lines:
                said = f"{line.where}: {line.command}"
                if line.skipped or line.command in self.ran:
                    script.append(f"echo {shlex.quote('>>> (not run) ' + said)}")
                    continue
                command = line.command
                for placeholder, value in self.placeholders.items():
                    command = command.replace(placeholder, shlex.quote(value))
                assert not PLACEHOLDER.search(command.partition("  #")[0]), f"{said}: a placeholder stands for nothing"
                script += [f"echo {shlex.quote('>>> ' + said)}", command]
        proc = run(["bash", "-c", "\n".join(script)], env=self.env)
        shown = proc.stdout[-6000:]
        failed = [line for line in proc.stdout.splitlines() if line.startswith(">>> ")][-1:]
        assert proc.returncode == 0, f"{failed[0] if failed else 'the scene'} failed:\n{shown}"
        self.ran.update(line.command for block in blocks for line in block.lines if not line.skipped)
        return proc.stdout


def doc_blocks(path: Path, scene: str) -> list[Block]:
    return [block for block in shell_blocks(path) if block.scene == scene]


def fresh_venv(path: Path) -> Path:
    venv.create(path, with_pip=True)
    return path


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Scene:
    """A copy of this tree, a git repository of one commit (setuptools-scm's version)."""
    tmp = tmp_path_factory.mktemp("docs-checkout")
    root = copy_tree(tmp / "modgate")
    git = ["git", "-c", "user.name=docs", "-c", "user.email=docs@example.org"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "docs"]):
        check(run([*git, *args], cwd=root))
    # "From such a release": pip looks in the folder the README's `modgate wheels` line fills.
    return Scene(root, scene_env(fresh_venv(tmp / "venv"), root / "dist"), set(), {})


@pytest.fixture(scope="module")
def modgate_wheels(checkout: Scene) -> Path:
    """The README's release wheels of modgate (made by its own line when it ran first)."""
    dist = checkout.root / "dist"
    if not list(dist.glob("modgate-*.whl")):
        checkout.run([Block("checkout", (Line("README.md", "python -m pip install .", ""),))])
        checkout.run([Block("checkout", (Line("README.md", "modgate wheels . --out dist", ""),))])
    return dist


@pytest.fixture(scope="module")
def users(modgate_wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with modgate from those wheels, and what `modgate init`'s next line installs."""
    env_dir = fresh_venv(tmp_path_factory.mktemp("docs-venv") / "venv")
    env = scene_env(env_dir, modgate_wheels)
    check(run(["python", "-m", "pip", "install", "-q", "modgate", "scikit-build-core", "pybind11", "pytest"], env=env))
    return env_dir


@pytest.fixture(scope="module")
def host(users: Path, modgate_wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> Scene:
    """`modgate init acme`, then the guides' modules added with `modgate new`."""
    env = scene_env(users, modgate_wheels)
    where = tmp_path_factory.mktemp("docs-host")
    check(run(["modgate", "init", "acme", "--package", "acme"], env=env, cwd=where))
    for name, args, option in ADOPTER_MODULES:
        top_level = f'option = "{option}"\n' if option else ""
        new_module(where / "acme", name, *args, top_level=top_level, modgate=["modgate"], env=env)
    return Scene(where / "acme", env, set(), {"<modgate checkout>": str(modgate_wheels.parent)})


@pytest.fixture(scope="module")
def example(users: Path, modgate_wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> Scene:
    """The user guide's worked example: app requires io, which requires core (both
    IF_NEEDED), gui is AUTO; cublas is in group cuda_libs."""
    env = scene_env(users, modgate_wheels)
    where = tmp_path_factory.mktemp("docs-example")
    check(run(["modgate", "init", "example", "--package", "example"], env=env, cwd=where))
    project = where / "example"
    for name, args in (("core", ()), ("io", ("--requires", "core")), ("app", ("--requires", "io")), ("gui", ())):
        new_module(project, name, *args, modgate=["modgate"], env=env)
    new_module(project, "cublas", top_level='groups = ["cuda_libs"]\n', modgate=["modgate"], env=env)
    for name, line in (("core", 'default = "IF_NEEDED"'), ("io", 'default = "IF_NEEDED"')):
        toml = project / "modules" / name / "module.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace('default = "AUTO"', line), encoding="utf-8")
    return Scene(project, env, set(), {})


def test_the_readme_runs_as_written(checkout: Scene) -> None:
    out = checkout.run(doc_blocks(ROOT / "README.md", "checkout"))
    assert list((checkout.root / "dist").glob("modgate-*.whl")), out[-3000:]


def test_the_user_guide_runs_as_written(checkout: Scene, example: Scene) -> None:
    guide = ROOT / "docs" / "user-guide.md"
    assert doc_blocks(guide, "example") and doc_blocks(guide, "checkout")
    example.run(doc_blocks(guide, "example"))
    checkout.run(doc_blocks(guide, "checkout"))


def test_the_generated_readme_runs_as_written(host: Scene) -> None:
    """The README in the host `modgate init` wrote, not the template: what its users read."""
    out = host.run(shell_blocks(host.root / "README.md"))
    assert "acme" in out


def test_the_module_author_guide_runs_as_written(host: Scene) -> None:
    host.run(doc_blocks(ROOT / "docs" / "module-author-guide.md", "host"))


def test_the_adopter_guide_runs_as_written(host: Scene) -> None:
    host.run(doc_blocks(ROOT / "docs" / "adopter-guide.md", "host"))


def test_a_newcomers_first_hour_from_a_wheelhouse_to_a_released_module(modgate_wheels: Path, tmp_path: Path) -> None:
    """The first hour as a newcomer lives it, in a fresh venv with modgate from a local
    wheelhouse: `modgate init`, its printed next line verbatim, a module using a real package
    (zlib), an editable install where an edit of its Python and of its C++ shows at the next
    import, `modgate check` clean, `modgate wheels` with build isolation, `pip install` and
    `uv pip install` of ``acme[crc]`` from the wheels, then a required module's wheel
    uninstalled: `modgate list` says so."""
    # The wheelhouse: modgate's wheel and what it depends on, as `pip download` gathers them.
    wheelhouse, newcomer = tmp_path / "wheelhouse", fresh_venv(tmp_path / "venv")
    gather = ["python", "-m", "pip", "download", "-q", "-d", str(wheelhouse), "modgate"]
    check(run(gather, env=scene_env(newcomer, modgate_wheels), cwd=tmp_path))
    env = scene_env(newcomer, wheelhouse)
    check(run(["python", "-m", "pip", "install", "-q", "modgate"], env=env, cwd=tmp_path))
    said = check(run(["modgate", "init", "acme", "--package", "acme"], env=env, cwd=tmp_path)).stdout
    (next_line,) = [line.removeprefix("next: ") for line in said.splitlines() if line.startswith("next: ")]
    check(run(["bash", "-c", next_line], env=env, cwd=tmp_path))
    project = tmp_path / "acme"
    new_module(project, "crc", "--native", "--requires", "greeter", modgate=["modgate"], env=env)
    toml = project / "modules" / "crc" / "module.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + 'packages = [{ name = "ZLIB" }]\n', encoding="utf-8")
    source = project / "modules" / "crc" / "src" / "crc.cc"
    text = source.read_text(encoding="utf-8").replace(
        "#include <modgate/module.h>", "#include <modgate/module.h>\n#include <zlib.h>"
    )
    source.write_text(text.replace('" from crc"', '" from crc, zlib " + std::string(zlibVersion())'), encoding="utf-8")
    # The module author guide's loop, its command as the guide writes it.
    (editable,) = [
        line.command
        for block in doc_blocks(ROOT / "docs" / "module-author-guide.md", "host")
        for line in block.lines
        if " -e " in line.command
    ]
    check(run(["bash", "-c", editable], env=env, cwd=project))
    show = ["python", "-c", "import acme.modules.crc as c; print(c.hello('x'), getattr(c, 'EDITED', ''))"]
    zlib = check(run(show, env=env, cwd=tmp_path)).stdout.strip()
    assert re.fullmatch(r"hello x from crc, zlib 1\.[\d.]+", zlib), zlib
    init = project / "modules" / "crc" / "python" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8") + '\nEDITED = "python edited"\n', encoding="utf-8")
    source.write_text(
        source.read_text(encoding="utf-8").replace('" from crc, ', '" from crc (edited), '), encoding="utf-8"
    )
    edited = check(run(show, env=env, cwd=tmp_path)).stdout.strip().splitlines()[-1]
    assert edited == zlib.replace("from crc,", "from crc (edited),") + " python edited", edited
    check(run(["modgate", "check"], env=env, cwd=project))
    # Released: the wheels of an isolated build, installed by pip and by uv from them alone.
    check(run(["modgate", "wheels", ".", "--out", "dist"], env=env, cwd=project))
    links = ["--no-index", "--find-links", str(project / "dist"), "--find-links", str(wheelhouse)]
    by_pip = scene_env(fresh_venv(tmp_path / "by-pip"))
    check(run(["python", "-m", "pip", "install", "-q", *links, "acme[crc]"], env=by_pip))
    call = ["python", "-c", "import acme.modules.crc as c; print(c.hello('y'))"]
    assert check(run(call, env=by_pip, cwd=tmp_path)).stdout.startswith("hello y from crc (edited), zlib 1.")
    check(run(["python", "-m", "pip", "install", "-q", "uv"], env=env))
    by_uv = fresh_venv(tmp_path / "by-uv")
    uv = ["uv", "pip", "install", "-q", "--python", str(by_uv / "bin" / "python"), *links, "acme[crc]"]
    check(run(uv, env=env))
    assert check(run(call, env=scene_env(by_uv), cwd=tmp_path)).stdout.startswith("hello y from crc (edited)")
    check(run(["python", "-m", "pip", "uninstall", "-y", "-q", "acme-greeter"], env=by_pip))
    listed = check(run(["modgate", "list", "--package", "acme"], env=by_pip, cwd=tmp_path)).stdout
    assert re.search(r"greeter .*not installed", listed) and re.search(r"crc .*greeter", listed), listed
    # One line fixes it, naming what crc needs and not text, an extra nobody asked for.
    (fix,) = [line for line in listed.splitlines() if line.startswith("fix the module wheels at once: ")]
    assert fix.endswith('pip install --force-reinstall --no-deps "acme-greeter==0.1.0"'), fix
