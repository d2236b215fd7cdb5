"""The host project's version, for a build outside pip and for ``modgate check``: what
scikit-build-core would have computed (``[project] version``, or setuptools-scm's)."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["project_version"]

SCM_KEYS = ("version_scheme", "local_scheme", "fallback_version", "tag_regex")


def project_version(project_dir: Path) -> tuple[str, str | None]:
    """The host's version for a build outside scikit-build-core: ``[project] version``, or
    what setuptools-scm computes when the version is dynamic and ``[tool.setuptools_scm]``
    is there; else ``0+unknown`` and a warning saying why."""
    import tomllib

    data = tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))
    project = data.get("project", {})
    if isinstance(project.get("version"), str):
        return project["version"], None
    scm = data.get("tool", {}).get("setuptools_scm")
    if "version" in project.get("dynamic", ()) and isinstance(scm, dict):
        try:
            if sys.flags.no_site:
                import site

                site.main()  # run with -S: setuptools-scm is in site-packages
            from setuptools_scm import get_version

            options = {key: scm[key] for key in SCM_KEYS if key in scm}
            return str(get_version(root=str(project_dir), **options)), None
        except ImportError:
            why = f"setuptools-scm is not installed for {sys.executable} (pip install setuptools-scm)"
        except Exception as exc:  # no git, no tag, a scheme it cannot apply: say so, build on
            why = f"setuptools-scm could not compute it: {type(exc).__name__}: {exc}"
    else:
        why = "pyproject.toml has neither [project] version nor a dynamic version with [tool.setuptools_scm]"
    return "0+unknown", f"the build's version is 0+unknown: {why}; pass modgate_add_modules(VERSION ...) to set it"
