"""Finding module folders and their files (the I/O edge of the configure step).

Standard library only (it runs at configure time).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ModgateError, Problem
from .registration import DEFAULT_SOURCES, Registration, parse_registration

__all__ = ["Discovery", "ModuleSource", "discover", "display_path"]

REGISTRATION = "module.toml"
_BINDING_PATTERNS = ("python/**/*.cc", "python/**/*.cpp")
_SKIP_DIRS = {"__pycache__", "build", "dist"}


@dataclass(frozen=True)
class ModuleSource:
    """A registration file and the files on disk it stands for."""

    registration: Registration
    directory: Path
    sources: tuple[Path, ...]  # native library sources (empty for a pure-Python module)
    binding_sources: tuple[Path, ...]  # pybind11 extension sources under python/
    python_dir: Path | None
    headers: tuple[str, ...]  # public headers, relative to include/ (all under modgate/<name>/)
    watch: tuple[Path, ...]  # what re-runs configure when it changes

    @property
    def include_dir(self) -> Path | None:
        path = self.directory / "include"
        return path if path.is_dir() else None


@dataclass
class Discovery:
    modules: dict[str, ModuleSource] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    watch: list[Path] = field(default_factory=list)

    @property
    def registrations(self) -> dict[str, Registration]:
        return {name: m.registration for name, m in self.modules.items()}


def display_path(path: Path, base: Path | None) -> str:
    """``path`` relative to ``base`` when inside it (how users see it in the tree)."""
    if base is not None:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _expand(
    directory: Path,
    real_dir: Path,
    patterns: Sequence[str],
    key: str,
    reg_path: str,
    base: Path | None,
    problems: list[Problem],
    *,
    required: bool,
) -> tuple[Path, ...]:
    files: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern, root_dir=directory, recursive=True))
        hits = [m for m in matches if (directory / m).is_file()]
        if not hits and required:
            problems.append(
                Problem(
                    reg_path,
                    key,
                    f"pattern {pattern!r} matches no file in {display_path(directory, base)}",
                    "fix the pattern, add the source files, or remove the pattern",
                )
            )
        for hit in hits:
            real = (directory / hit).resolve()
            if not real.is_relative_to(real_dir):
                problems.append(
                    Problem(
                        reg_path,
                        key,
                        f"{hit!r} (matched by {pattern!r}) resolves to {real}, outside the module folder",
                        "move the file into the module folder instead of linking to it",
                    )
                )
                continue
            path = directory / hit
            if path not in files:
                files.append(path)
    return tuple(files)


def _watch_dirs(directory: Path) -> list[Path]:
    watched = [directory]
    for sub in ("src", "include", "python"):
        top = directory / sub
        if not top.is_dir():
            continue
        for current, dirs, _files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
            watched.append(Path(current))
    return watched


def _headers(directory: Path, name: str, reg_path: str, base: Path | None, problems: list[Problem]) -> tuple[str, ...]:
    include = directory / "include"
    if not include.is_dir():
        return ()
    found: list[str] = []
    prefix = f"modgate/{name}/"
    for path in sorted(p for p in include.rglob("*") if p.is_file()):
        rel = path.relative_to(include).as_posix()
        if not rel.startswith(prefix):
            problems.append(
                Problem(
                    reg_path,
                    None,
                    f"public header {display_path(path, base)} is outside include/{prefix}",
                    f"move it to include/{prefix}{path.name}: a module's headers live in its own namespace",
                )
            )
            continue
        found.append(rel)
    return tuple(found)


def _load(directory: Path, base: Path | None, problems: list[Problem]) -> ModuleSource | None:
    toml = directory / REGISTRATION
    reg_path = display_path(toml, base)
    try:
        registration = parse_registration(toml.read_bytes(), path=reg_path, folder_name=directory.name)
    except ModgateError as exc:
        problems.extend(exc.problems)
        return None
    except OSError as exc:
        problems.append(Problem(reg_path, None, f"cannot read the file: {exc.strerror}", "check its permissions"))
        return None
    real_dir = directory.resolve()
    sources: tuple[Path, ...] = ()
    if registration.native is not None:
        explicit = registration.native.sources != DEFAULT_SOURCES
        sources = _expand(
            directory,
            real_dir,
            registration.native.sources,
            "native.sources",
            reg_path,
            base,
            problems,
            required=explicit,
        )
    binding = _expand(directory, real_dir, _BINDING_PATTERNS, "python", reg_path, base, problems, required=False)
    sources = tuple(s for s in sources if s not in binding)
    if binding and registration.native is None:
        problems.append(
            Problem(
                reg_path,
                "native",
                f"python/ holds C++ extension sources ({display_path(binding[0], base)})"
                " but there is no [native] table",
                "add a [native] table with the module's C++ sources",
            )
        )
    if registration.native is not None and not sources and not binding:
        problems.append(
            Problem(
                reg_path,
                "native",
                f"the module has a [native] table but no C++ sources under {display_path(directory / 'src', base)}"
                " or python/",
                "add C++ sources under src/, set native.sources, or remove [native] for a pure-Python module",
            )
        )
    headers = _headers(directory, registration.name, reg_path, base, problems)
    python_dir = directory / "python"
    has_python = python_dir.is_dir()
    if has_python and not (python_dir / "__init__.py").is_file():
        problems.append(
            Problem(
                reg_path,
                None,
                f"{display_path(python_dir, base)} has no __init__.py",
                "add python/__init__.py: it becomes modgate.modules.<name>",
            )
        )
    return ModuleSource(
        registration=registration,
        directory=directory,
        sources=sources,
        binding_sources=binding,
        python_dir=python_dir if has_python else None,
        headers=headers,
        watch=(toml, *_watch_dirs(directory)),
    )


def discover(roots: Sequence[Path], *, base: Path | None = None, extra_origin: str = "") -> Discovery:
    """Load every ``<root>/<name>/module.toml``. ``base`` shortens paths in messages.

    Raises :class:`ModgateError` with every problem found in every file.
    """
    result = Discovery()
    problems: list[Problem] = []
    origin: dict[str, Path] = {}
    for root in roots:
        if not root.is_dir():
            problems.append(
                Problem(
                    extra_origin or display_path(root, base),
                    None,
                    f"module folder {display_path(root, base)} does not exist",
                    "create it, or remove it from MODGATE_EXTRA_MODULE_DIRS",
                )
            )
            continue
        result.watch.append(root)
        for child in sorted(root.iterdir()):
            if not child.is_dir() or child.name.startswith(".") or child.name in _SKIP_DIRS:
                continue
            if not (child / REGISTRATION).is_file():
                result.warnings.append(
                    f"{display_path(child, base)} has no {REGISTRATION}, so it is not a module and is not built;"
                    f" add {display_path(child / REGISTRATION, base)} or move the folder out of"
                    f" {display_path(root, base)}"
                )
                continue
            module = _load(child, base, problems)
            if module is None:
                continue
            name = module.registration.name
            if name in origin:
                problems.append(
                    Problem(
                        module.registration.path,
                        "name",
                        f"module {name!r} is defined twice: in {display_path(origin[name], base)}"
                        f" and in {display_path(child, base)}",
                        "rename one of the folders (and its name key), or drop one folder from"
                        " MODGATE_EXTRA_MODULE_DIRS",
                    )
                )
                continue
            origin[name] = child
            result.modules[name] = module
            result.watch.extend(module.watch)
    if problems:
        raise ModgateError(problems)
    return result
