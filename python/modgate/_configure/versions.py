"""Requirement (PEP 508) and version (PEP 440) strings from registration files, judged by
``packaging``: the library pip itself uses, so a string passes here exactly when pip
accepts it.

The resolver runs as ``python -S`` (no site-packages, for a fast start); ``packaging`` is
looked for in site-packages only when a registration has such a string. Without it the
configure stops with :class:`MissingPackaging`, whose message says what to install.
"""

from __future__ import annotations

import sys
from types import ModuleType

from ..exceptions import ModgateError

__all__ = ["MissingPackaging", "check_requirement", "check_version", "version_after"]


class MissingPackaging(ModgateError):
    """``packaging`` cannot be imported by the Python that runs the resolver."""

    def __str__(self) -> str:
        return (
            "modgate: checking the requirement and version strings of module.toml files needs the 'packaging'"
            f" library, which this Python lacks; install it: {sys.executable} -m pip install packaging"
        )


def _packaging() -> tuple[ModuleType, ModuleType]:
    try:
        from packaging import requirements, version
    except ImportError:
        if not sys.flags.no_site:
            raise MissingPackaging from None
        import site

        # Run with -S: site-packages now that they are needed, and the sitecustomize of a pip
        # build environment (on PYTHONPATH), which adds the environment's packages.
        site.main()
        try:
            from packaging import requirements, version
        except ImportError:
            raise MissingPackaging from None
    return requirements, version


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def check_requirement(text: str) -> str | None:
    """``None`` when pip accepts ``text`` as a requirement, else what is wrong."""
    if not text.strip():
        return "the requirement is empty"
    requirements, _ = _packaging()
    try:
        requirements.Requirement(text)
    except requirements.InvalidRequirement as exc:
        return f"{text!r} is not a PEP 508 requirement: {_first_line(exc)}"
    return None


def check_version(text: str) -> str | None:
    """``None`` when ``text`` is a PEP 440 version, else what is wrong."""
    _, version = _packaging()
    try:
        version.Version(text)
    except version.InvalidVersion:
        return f"{text!r} is not a PEP 440 version (examples: '1.4', '2.0.1', '3.0rc1')"
    if text != text.strip():
        return f"{text!r} has spaces around the version"
    return None


def version_after(later: str, earlier: str) -> bool:
    """Whether version ``later`` comes after ``earlier`` (both valid)."""
    _, version = _packaging()
    return bool(version.Version(later) > version.Version(earlier))
