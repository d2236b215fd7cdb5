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

__all__ = [
    "MissingPackaging",
    "canonical_license",
    "check_requirement",
    "check_version",
    "combined_license",
    "version_after",
]


class MissingPackaging(ModgateError):
    """``packaging`` cannot be imported by the Python that runs the resolver."""

    def __str__(self) -> str:
        return (
            "modgate: checking the requirement, version and license strings of module.toml files needs the"
            f" 'packaging' library (24.2 or later), which this Python lacks; install it: {sys.executable} -m pip"
            ' install "packaging>=24.2"'
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


def _licenses() -> ModuleType:
    _packaging()  # site-packages, as above
    try:
        from packaging import licenses
    except ImportError:  # packaging older than 24.2
        raise MissingPackaging from None
    return licenses


def canonical_license(text: str) -> tuple[str | None, str | None]:
    """``text`` as an SPDX license expression in its canonical spelling (PEP 639), or the
    reason it is none."""
    licenses = _licenses()
    if not text.strip():
        return None, "the license expression is empty"
    try:
        return str(licenses.canonicalize_license_expression(text)), None
    except licenses.InvalidLicenseExpression as exc:
        return None, f"{text!r} is not an SPDX license expression: {_first_line(exc)}"


def combined_license(expressions: list[str]) -> str:
    """One SPDX expression for code under all of ``expressions`` (each valid): each once,
    joined by ``AND``, a compound one in parentheses."""
    parts: list[str] = []
    for expression in expressions:
        part = expression if " " not in expression else f"({expression})"
        if part not in parts:
            parts.append(part)
    if not parts:
        return ""
    if len(parts) == 1:
        return expressions[0] if " " not in parts[0] else parts[0][1:-1]
    return str(_licenses().canonicalize_license_expression(" AND ".join(parts)))


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
