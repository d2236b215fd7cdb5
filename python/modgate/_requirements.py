"""Whether a module's Python requirements (PEP 508) are installed.

Imported only when a module with requirements is loaded or checked, never by
``import modgate`` (it needs :mod:`importlib.metadata` and ``packaging``).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["unmet"]


def _unmet_one(text: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        from packaging.requirements import InvalidRequirement, Requirement
    except ImportError:  # packaging is a dependency; degrade to a presence check without it
        name = text.split(";")[0]
        for stop in "<>=!~[ (@":
            name = name.split(stop)[0]
        try:
            version(name.strip())
        except PackageNotFoundError:
            return f"{text} (not installed)"
        return None
    try:
        req = Requirement(text)
    except InvalidRequirement:  # the build validated it; a hand-edited manifest did not
        return f"{text} (not a valid requirement)"
    if req.marker is not None and not req.marker.evaluate({"extra": ""}):
        return None  # not needed on this platform or Python
    try:
        installed = version(req.name)
    except PackageNotFoundError:
        return f"{text} (not installed)"
    if req.specifier and not req.specifier.contains(installed, prereleases=True):
        return f"{text} (installed: {req.name} {installed})"
    return None


def unmet(requirements: Sequence[str]) -> list[str]:
    """The requirements not satisfied here, each with what is installed instead."""
    return [problem for problem in map(_unmet_one, requirements) if problem is not None]
