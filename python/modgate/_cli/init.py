"""``modgate init DIR --package P``: a new host project that builds and passes its tests at once."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from ._scaffold import init_host

__all__ = ["main", "populate_parser"]


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("init", help="write a new host project that builds and passes its tests at once")
    parser.add_argument("directory", help="a new or empty folder")
    parser.add_argument("--package", required=True, help="the host's import name, e.g. acme")


def main(args: argparse.Namespace) -> int:
    written = init_host(Path(args.directory), args.package)
    print(f"modgate: wrote a host project for package {args.package!r} in {args.directory} ({len(written)} files)")
    # A path pip cannot take for a project name on an index ("acme" would install PyPI's).
    folder = shlex.quote(args.directory if Path(args.directory).is_absolute() else f"./{Path(args.directory)}")
    # Built where it is: the build requirements first (an isolated build would need modgate
    # on the index), then the project's tests.
    print(
        "next: python -m pip install scikit-build-core pybind11 pytest"
        f" && python -m pip install --no-build-isolation {folder} && (cd {folder} && pytest)"
    )
    source = _local_source()
    if source is not None:
        wheelhouse = shlex.quote(str(Path(args.directory).resolve().parent / "wheelhouse"))
        print(
            "this modgate is on no package index (installed from "
            f"{source}); for isolated builds (pip install {folder}, modgate wheels) give pip a wheel of it:"
            f" python -m pip wheel --no-deps -w {wheelhouse} {shlex.quote(source)}"
            f" && export PIP_FIND_LINKS={wheelhouse}"
        )
    return 0


def _local_source() -> str | None:
    """The folder this modgate was installed from, when pip installed it from one (its
    ``direct_url.json``): no index has that build, so an isolated build cannot fetch it."""
    import json
    from importlib.metadata import PackageNotFoundError, distribution
    from urllib.parse import unquote, urlparse

    try:
        text = distribution("modgate").read_text("direct_url.json")
    except PackageNotFoundError:
        return None
    if not text:
        return None
    try:
        url = urlparse(str(json.loads(text).get("url", "")))
    except (ValueError, AttributeError):
        return None
    return unquote(url.path) if url.scheme == "file" and Path(unquote(url.path)).is_dir() else None
