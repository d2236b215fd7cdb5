"""Which files of a host project are whose: the core's folders and the C/C++ and Python
files in a folder, as ``modgate check`` and ``modgate twins`` both read them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .._configure.files import walk
from .._configure.host import HostConfig
from .._names import MODULES_PACKAGE
from ..exceptions import ModgateError

__all__ = ["CXX_SUFFIXES", "core_folders", "source_files", "unreadable"]

CXX_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".hxx", ".ipp", ".inl")


def source_files(folder: Path, skip: Iterable[Path] = ()) -> list[Path]:
    """Every C/C++ and Python file under ``folder``, except under the ``skip`` folders."""
    return [folder / f for f in walk(folder, skip=skip).files if f.endswith((*CXX_SUFFIXES, ".py"))]


def unreadable(path: Path | str, error: OSError) -> ModgateError:
    """The error for a source ``check`` or ``twins`` cannot read: the file and the fix."""
    return ModgateError(f"{path}: cannot read it ({error.strerror}); make it readable, or remove it")


def core_folders(config: HostConfig, root: Path) -> tuple[list[Path], list[Path]]:
    """The core's folders (``[tool.modgate.policy] core-paths``, default ``src``, ``include``
    and ``python/<package>``), and the folders inside them that are not the core's."""
    if config.policy.core_paths:
        return [root / p for p in config.policy.core_paths], [root / d for d in config.modules_dirs]
    package = root / "python" / Path(*config.package.split("."))
    return [root / "src", root / "include", package], [
        package / MODULES_PACKAGE,
        *(root / d for d in config.modules_dirs),
    ]
