"""Finding module folders and their files (the I/O edge of the configure steps)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .._names import (
    EXTRA_MODULE_DIRS,
    MODULE_CMAKE_FILE,
    REGISTRATION_FILE,
    header_prefix,
    module_import_name,
)
from .files import BUILD_OUTPUT_DIRS, Tree, walk
from .host import HostConfig
from .problems import ConfigurationError, Problem
from .registration import DEFAULT_SOURCES, Registration, parse_registration
from .reserved import target_clashes

__all__ = ["Discovery", "ModuleSource", "discover", "discover_project", "display_path"]

_BINDING_PATTERNS = ("python/**/*.cc", "python/**/*.cpp")


@dataclass(frozen=True)
class ModuleSource:
    """A registration file and the files on disk it stands for."""

    registration: Registration
    directory: Path
    sources: tuple[Path, ...]  # native library sources (empty for a pure-Python module)
    binding_sources: tuple[Path, ...]  # pybind11 extension sources under python/
    python_dir: Path | None
    headers: tuple[str, ...]  # public headers, relative to include/ (all under <host>/<name>/)
    watch: tuple[Path, ...]  # what re-runs configure when it changes
    cmake_file: Path | None = None  # module.cmake: links and settings CMake cannot derive
    license_files: tuple[Path, ...] = ()  # what license-files matches

    @property
    def include_dir(self) -> Path | None:
        path = self.directory / "include"
        return path if path.is_dir() else None


@dataclass
class Discovery:
    """What :func:`discover` found. ``modules`` (the files) is empty unless ``with_files``."""

    registrations: dict[str, Registration] = field(default_factory=dict)
    modules: dict[str, ModuleSource] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    watch: list[Path] = field(default_factory=list)


def display_path(path: Path, base: Path | None) -> str:
    """``path`` relative to ``base`` when inside it (how users see it in the tree)."""
    if base is not None:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _segment_regex(segment: str) -> str:
    out, i = [], 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in segment[i + 2 :]:
            close = segment.index("]", i + 2)
            body = segment[i + 1 : close]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = close
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """``glob.glob(pattern, recursive=True)`` semantics for relative POSIX paths of files.

    ``**`` as a whole segment spans zero or more folders; ``*``, ``?`` and ``[...]`` stay
    within one segment. One compiled expression per pattern lets one walk of the module
    folder serve every pattern (globbing each pattern walks the folder again).
    """
    parts = [p for p in pattern.split("/") if p not in ("", ".")]
    regex = ""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            regex += ".*" if last else "(?:[^/]+/)*"
        else:
            regex += _segment_regex(part) + ("" if last else "/")
    return re.compile(regex + r"\Z")


def _expand(
    tree: Tree,
    directory: Path,
    patterns: Sequence[str],
    key: str,
    reg_path: str,
    base: Path | None,
    problems: list[Problem],
    *,
    required: bool,
    fix: str = "fix the pattern, add the source files, or remove the pattern",
) -> tuple[Path, ...]:
    files: list[Path] = []
    for pattern in patterns:
        regex = glob_regex(pattern)
        hits = [f for f in tree.files if regex.match(f)]
        if not hits and required:
            problems.append(
                Problem(
                    reg_path,
                    key,
                    f"pattern {pattern!r} matches no file in {display_path(directory, base)}",
                    fix,
                )
            )
        for hit in hits:
            path = directory / hit
            if path not in files:
                files.append(path)
    return tuple(files)


_SHOWN_LINKS = 5  # links leading outside listed per module; the rest are counted


def _refuse_links_outside(
    tree: Tree, directory: Path, reg_path: str, base: Path | None, problems: list[Problem]
) -> None:
    """A file of the module folder reached through a link that leads outside it is refused:
    it would be compiled, installed and shipped in a wheel from wherever the link points
    (another module's file, or the machine's)."""
    if tree.broken:
        shown = ", ".join(sorted(tree.broken)[:_SHOWN_LINKS])
        more = f" and {len(tree.broken) - _SHOWN_LINKS} more" if len(tree.broken) > _SHOWN_LINKS else ""
        problems.append(
            Problem(
                reg_path,
                None,
                f"{display_path(directory, base)} holds symbolic links that lead nowhere ({shown}{more}): their"
                " target is missing, or they loop back on themselves",
                "remove the links, or point them at files inside the module folder",
            )
        )
    if not tree.linked:
        return
    real_dir = directory.resolve()
    outside = sorted(f for f in tree.linked if not (directory / f).resolve().is_relative_to(real_dir))
    if not outside:
        return
    shown = ", ".join(f"{f} -> {(directory / f).resolve()}" for f in outside[:_SHOWN_LINKS])
    more = f" and {len(outside) - _SHOWN_LINKS} more" if len(outside) > _SHOWN_LINKS else ""
    problems.append(
        Problem(
            reg_path,
            None,
            f"{display_path(directory, base)} reaches files outside the module folder through symbolic links"
            f" ({shown}{more}): they would be built and shipped from there",
            "copy or move the files into the module folder instead of linking to them",
        )
    )


def _watch_dirs(directory: Path, tree: Tree) -> list[Path]:
    # Folders whose contents decide the targets: adding a source or header re-runs configure.
    tops = tuple(directory / sub for sub in ("src", "include", "python"))
    return [directory] + [f for f in tree.folders if any(f == t or f.is_relative_to(t) for t in tops)]


def _headers(
    tree: Tree, directory: Path, prefix: str, reg_path: str, base: Path | None, problems: list[Problem]
) -> tuple[str, ...]:
    found: list[str] = []
    for rel in tree.files:
        if not rel.startswith("include/"):
            continue
        rel = rel[len("include/") :]
        if not rel.startswith(prefix):
            path = directory / "include" / rel
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


# Parsed registrations by file, with the (mtime_ns, size) they were parsed at: one
# configure runs the resolver twice, and the second run reuses the first one's parse.
ParseCache = dict[str, tuple[int, int, Registration]]


def _read(directory: Path, base: Path | None, problems: list[Problem], cache: ParseCache | None) -> Registration | None:
    toml = directory / REGISTRATION_FILE
    reg_path = display_path(toml, base)
    try:
        stat = toml.stat()
        key = str(toml)
        hit = cache.get(key) if cache is not None else None
        if hit is not None and hit[:2] == (stat.st_mtime_ns, stat.st_size) and hit[2].path == reg_path:
            return hit[2]
        registration = parse_registration(toml.read_bytes(), path=reg_path, folder_name=directory.name)
        if cache is not None:
            cache[key] = (stat.st_mtime_ns, stat.st_size, registration)
        return registration
    except ConfigurationError as exc:
        problems.extend(exc.problems)
    except OSError as exc:
        problems.append(Problem(reg_path, None, f"cannot read the file: {exc.strerror}", "check its permissions"))
    return None


def _module_files(
    registration: Registration, directory: Path, base: Path | None, host: str, problems: list[Problem]
) -> ModuleSource:
    reg_path = registration.path
    tree = walk(directory)
    _refuse_links_outside(tree, directory, reg_path, base, problems)
    sources: tuple[Path, ...] = ()
    if registration.native is not None:
        explicit = registration.native.sources != DEFAULT_SOURCES
        sources = _expand(
            tree, directory, registration.native.sources, "native.sources", reg_path, base, problems, required=explicit
        )
    binding = _expand(tree, directory, _BINDING_PATTERNS, "python", reg_path, base, problems, required=False)
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
    licenses = _expand(
        tree,
        directory,
        registration.license_files,
        "license-files",
        reg_path,
        base,
        problems,
        required=True,
        fix="fix the pattern, add the license text, or remove the pattern",
    )
    headers = _headers(tree, directory, header_prefix(host, registration.name), reg_path, base, problems)
    python_dir = directory / "python"
    has_python = python_dir.is_dir()
    if has_python and "python/__init__.py" not in tree.files:
        problems.append(
            Problem(
                reg_path,
                None,
                f"{display_path(python_dir, base)} has no __init__.py",
                f"add python/__init__.py: it becomes {module_import_name(host, registration.name)}",
            )
        )
    return ModuleSource(
        registration=registration,
        directory=directory,
        sources=sources,
        binding_sources=binding,
        python_dir=python_dir if has_python else None,
        headers=headers,
        watch=(directory / REGISTRATION_FILE, *_watch_dirs(directory, tree)),
        cmake_file=directory / MODULE_CMAKE_FILE if MODULE_CMAKE_FILE in tree.files else None,
        license_files=licenses,
    )


def discover(
    roots: Sequence[Path],
    *,
    host: str,
    base: Path | None = None,
    extra_origin: str = "",
    with_files: bool = True,
    cache: ParseCache | None = None,
) -> Discovery:
    """Load every ``<root>/<name>/module.toml`` of the modules of host package ``host``.
    ``base`` shortens paths in messages.

    With ``with_files`` each module folder is also walked (once) for its sources,
    headers and Python part; without it only the registration files are read. ``cache``
    (filled in place) spares re-parsing a registration file that has not changed.

    Raises :class:`ConfigurationError` with every problem found in every file.
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
                    f"create it, or remove it from {extra_origin or EXTRA_MODULE_DIRS}",
                )
            )
            continue
        result.watch.append(root)
        try:
            children = sorted(root.iterdir())
        except OSError as exc:
            fix = "make the folder readable, or remove it from the module folders"
            problems.append(Problem(display_path(root, base), None, f"cannot list it: {exc.strerror}", fix))
            continue
        for child in children:
            if child.name.startswith(".") or child.name in BUILD_OUTPUT_DIRS or child.name == "__pycache__":
                continue
            if not child.is_dir():
                if child.is_symlink():  # a link to nothing, or to itself
                    problems.append(
                        Problem(
                            display_path(child, base),
                            None,
                            "it is a symbolic link that leads nowhere (its target is missing, or it loops)",
                            "remove the link, or point it at a module folder",
                        )
                    )
                continue
            toml = child / REGISTRATION_FILE
            if not toml.is_file() and (toml.exists() or toml.is_symlink()):
                problems.append(
                    Problem(
                        display_path(toml, base),
                        None,
                        "it is not a file (a folder, or a link that leads nowhere)",
                        f"make {display_path(toml, base)} the module's registration file",
                    )
                )
                continue
            if not toml.is_file():
                result.warnings.append(
                    f"{display_path(child, base)} has no {REGISTRATION_FILE}, so it is not a module and is not built;"
                    f" add {display_path(child / REGISTRATION_FILE, base)} or move the folder out of"
                    f" {display_path(root, base)}"
                )
                continue
            registration = _read(child, base, problems, cache)
            if registration is None:
                continue
            name = registration.name
            if name in origin:
                problems.append(
                    Problem(
                        registration.path,
                        "name",
                        f"module {name!r} is defined twice: in {display_path(origin[name], base)}"
                        f" and in {display_path(child, base)}",
                        f"rename one of the folders (and its name key), or drop one folder from {EXTRA_MODULE_DIRS}",
                    )
                )
                continue
            origin[name] = child
            result.registrations[name] = registration
            if with_files:
                module = _module_files(registration, child, base, host, problems)
                result.modules[name] = module
                result.watch.extend(module.watch)
    for name, other, target in target_clashes(host, list(result.registrations)):
        owner = "the core's" if other == "the core" else f"module {other!r}'s"
        problems.append(
            Problem(
                result.registrations[name].path,
                "name",
                f"module {name!r} would make the CMake target {target}, which is {owner} target",
                "choose another name for the module, and rename its folder to match",
            )
        )
    if problems:
        raise ConfigurationError(problems)
    return result


def discover_project(
    root: Path,
    config: HostConfig,
    *,
    extra: Sequence[Path] = (),
    with_files: bool = True,
    cache: ParseCache | None = None,
) -> Discovery:
    """:func:`discover` on host project ``root``: its ``[tool.modgate] modules-dirs`` that
    exist (one may be gone: every module removed, the core alone), then ``extra``."""
    roots = [(root / d).resolve() for d in config.modules_dirs if (root / d).is_dir()]
    return discover(
        [*roots, *extra],
        host=config.host_package,
        base=root,
        extra_origin=EXTRA_MODULE_DIRS,
        with_files=with_files,
        cache=cache,
    )
