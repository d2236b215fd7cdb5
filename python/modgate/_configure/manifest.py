"""The build manifest: what a build decided, written from the resolver's output.

:func:`build_manifest` is pure (configure time, standard library only); the import-time
side reads the installed file with :mod:`modgate._manifest`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .host import HostConfig
    from .registration import Registration
    from .resolver import Resolution

__all__ = ["SCHEMA", "build_manifest", "dumps"]

SCHEMA = 2


def build_manifest(
    *,
    version: str,
    abi_version: int,
    registrations: Mapping[str, Registration],
    resolution: Resolution,
    options: Mapping[str, str],
    artifacts: Mapping[str, Sequence[str]],
    sources: Mapping[str, str],
    config: HostConfig,
    wheels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The manifest as a JSON-ready dict. ``artifacts`` lists each enabled module's
    native files relative to the package; ``sources`` each module's folder; ``config`` says
    which package the manifest is installed in (``package``) and whose modules these are
    (``host_package``: ``<host>.modules.<name>``); ``wheels``, in a build shipping modules as
    wheels, each enabled module's distribution (the loader then looks for its wheel)."""
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
            "blocked_by": list(state.blocked_by),
            "option": reg.option_for(config.option_prefix),
            "summary": reg.summary,
            "stage": reg.stage,
            "maintainers": list(reg.maintainers),
            "requires": list(reg.requires),
            "conflicts": list(reg.conflicts),
            "python_requires": list(reg.python_requires),
            "native": list(artifacts.get(state.name, ())) if state.enabled else [],
            "deprecated": deprecated,
            "commands": dict(reg.commands),
            "source": sources[state.name],
            "twins": [{"file": t.file, "other": t.other, "reason": t.reason} for t in reg.twins],
        }
        if wheels is not None and state.enabled:
            modules[state.name]["wheel"] = wheels[state.name]
    return {
        "schema": SCHEMA,
        "package": config.package,
        "distribution": config.distribution_name,
        "host": config.host_package,
        "option_prefix": config.option_prefix,
        "version": version,
        "abi_version": abi_version,
        "module_wheels": wheels is not None,
        "options": dict(sorted(options.items())),
        "order": list(resolution.order),
        "modules": modules,
    }


def dumps(manifest: Mapping[str, Any]) -> str:
    return json.dumps(manifest, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
