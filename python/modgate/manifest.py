"""The build manifest: what a build decided, written from the resolver's output.

:func:`build_manifest` is pure (configure time, standard library only);
:func:`load` reads the installed file at import time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._build import MANIFEST_NAME

if TYPE_CHECKING:
    from .registration import Registration
    from .resolver import Resolution

__all__ = ["MANIFEST_NAME", "SCHEMA", "build_manifest", "load"]

SCHEMA = 1


def build_manifest(
    *,
    version: str,
    abi_version: int,
    registrations: Mapping[str, Registration],
    resolution: Resolution,
    options: Mapping[str, str],
    artifacts: Mapping[str, Sequence[str]],
    sources: Mapping[str, str],
    package: str = "modgate",
) -> dict[str, Any]:
    """The manifest as a JSON-ready dict. ``artifacts`` lists each enabled module's
    native files relative to the package; ``sources`` each module's folder;
    ``package`` is the Python package the manifest is installed in (modules are
    ``<package>.modules.<name>``)."""
    from .registration import option_name

    modules: dict[str, Any] = {}
    for state in resolution.states:
        reg = registrations[state.name]
        deprecated = None
        if reg.deprecated is not None:
            deprecated = {
                "since": reg.deprecated.since,
                "removal": reg.deprecated.removal,
                "reason": reg.deprecated.reason,
                "replacement": reg.deprecated.replacement,
            }
        modules[state.name] = {
            "state": "ON" if state.enabled else "OFF",
            "reason": state.reason,
            "requested": state.request.value,
            "requested_by": state.request.source,
            "option": option_name(state.name),
            "summary": reg.summary,
            "stage": reg.stage,
            "maintainers": list(reg.maintainers),
            "requires": list(reg.requires),
            "conflicts": list(reg.conflicts),
            "python_requires": list(reg.python_requires),
            "native": list(artifacts.get(state.name, ())) if state.enabled else [],
            "deprecated": deprecated,
            "source": sources[state.name],
        }
    return {
        "schema": SCHEMA,
        "package": package,
        "version": version,
        "abi_version": abi_version,
        "options": dict(sorted(options.items())),
        "order": list(resolution.order),
        "modules": modules,
    }


def dumps(manifest: Mapping[str, Any]) -> str:
    return json.dumps(manifest, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data
