"""The build manifest: what a build decided, written from the resolver's output.

:func:`build_manifest` is pure (configure time, standard library only); the import-time
side reads the installed file with :mod:`modgate._manifest`.

:func:`dumps` writes one JSON object laid out so that a process asking about a few modules
parses a few lines, not the whole file (:mod:`modgate._manifest` relies on it; a file
without this layout is still read, whole):

- line 1: every top-level key but ``index``, ``order`` and ``modules``, the object left open;
- line 2: ``"index"``, one string of four fields joined by ``;``: the module names (in the
  order of ``modules``, space-separated), their states (``1`` ON, ``0`` OFF, one character
  each), the byte offset of each module's line counted from the first byte of line 5, and
  ``name=distribution`` for each module shipped in a wheel of its own. Names and
  distributions need no JSON escapes, so reading it needs no JSON parser;
- line 3: ``"order"``; line 4: ``"modules": {``; then one line per module entry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .host import HostConfig
    from .registration import Registration
    from .request import Capability, RunTimeCapability
    from .resolver import Resolution


def capability_entries(
    provided: Mapping[str, Capability],
    values: Mapping[str, str],
    enabled: Sequence[str],
    run_time: Mapping[str, RunTimeCapability] | None = None,
) -> dict[str, dict[str, Any]]:
    """Each capability as the manifest's ``capabilities`` records it: policy, option, the
    value set ("" unset), the host's default, the providers, and the one built (or ``None``).
    A capability of policy ``any`` (``run_time``) has no option and no provider chosen here:
    its ``prefer`` list and each provider's ``priority`` and ``probe`` order the run-time choice."""
    on = set(enabled)
    entries = {
        name: {
            "policy": capability.policy,
            "option": capability.option,
            "value": values.get(capability.option, "").strip().lower(),
            "default": capability.default,
            "providers": list(capability.providers),
            "provider": next((p for p in capability.providers if p in on), None),
        }
        for name, capability in sorted(provided.items())
    }
    for name, chosen_later in sorted((run_time or {}).items()):
        entries[name] = {
            "policy": "any",
            "option": None,
            "value": "",
            "default": "",
            "providers": list(chosen_later.providers),
            "provider": None,
            "prefer": list(chosen_later.prefer),
        }
    return entries


__all__ = ["SCHEMA", "build_manifest", "capability_entries", "core_license", "dumps", "dumps_record"]

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
    groups: Mapping[str, str] | None = None,
    present: frozenset[str] = frozenset(),
    capabilities: Mapping[str, Any] | None = None,
    license_files: Mapping[str, Sequence[str]] | None = None,
    build: str | None = None,
) -> dict[str, Any]:
    """The manifest as a JSON-ready dict. ``artifacts`` lists each enabled module's
    native files relative to the package; ``sources`` each module's folder; ``config`` says
    which package the manifest is installed in (``package``) and whose modules these are
    (``host_package``: ``<host>.modules.<name>``); ``wheels``, in a build shipping modules as
    wheels, each enabled module's distribution (the loader then looks for its wheel);
    ``groups`` each group's option (the top-level ``groups`` records it, its members and
    the value set, empty when unset); ``present`` the modules enabled in the build (and a
    plugin's host's), of which each enabled module's ``optional_present`` lists those its
    ``optional-requires`` names: what it was built with; ``capabilities``
    :func:`capability_entries`; ``license_files`` each module's license texts, relative to
    its folder. The top-level ``license`` is one SPDX expression for what was built: the
    host's ``[project] license`` and each enabled module's (``None`` if one has none).
    ``build``, in a build shipping modules as wheels, is the identity each module wheel's
    record repeats (see ``step_resolve.build_identity``)."""
    license_files = license_files or {}
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
            "groups": list(reg.groups),
            "test_requires": list(reg.test_requires),
            "optional_requires": list(reg.optional_requires),
            "optional_present": [d for d in reg.optional_requires if d in present] if state.enabled else [],
            "provides": reg.provides,
            "priority": reg.priority,
            "probe": reg.probe,
            "license": reg.license,
            "license_files": list(license_files.get(state.name, ())),
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
        **({"build": build} if build is not None else {}),
        "module_wheels": wheels is not None,
        "options": dict(sorted(options.items())),
        "groups": {
            group: {
                "option": option,
                "value": options.get(option, ""),
                "members": sorted(n for n, reg in registrations.items() if group in reg.groups),
            }
            for group, option in sorted((groups or {}).items())
        },
        "capabilities": dict(capabilities or {}),
        "license": _built_license(config, registrations, resolution),
        "core_license": core_license(config),
        "order": list(resolution.order),
        "modules": modules,
    }


def core_license(config: HostConfig) -> str | None:
    """The host's ``[project] license`` in its canonical spelling, ``None`` without one; a
    :class:`ConfigurationError` when it is no SPDX expression. Judged here, at configure,
    not whenever ``pyproject.toml`` is read: the check imports ``packaging.licenses``."""
    if not config.license:
        return None
    from .problems import ConfigurationError, Problem
    from .versions import canonical_license

    found, problem = canonical_license(config.license)
    if problem is not None:
        fix = 'write an SPDX expression, such as license = "Apache-2.0" (PEP 639)'
        raise ConfigurationError([Problem(config.path, "[project] license", problem, fix)])
    return found


def _built_license(config: HostConfig, registrations: Mapping[str, Registration], resolution: Resolution) -> str | None:
    """The expression covering the core and every enabled module, or ``None`` when one of
    them declares no license (an expression that left it out would claim too much)."""
    from .versions import combined_license

    expressions = [core_license(config) or "", *(registrations[name].license or "" for name in resolution.order)]
    return combined_license(expressions) if all(expressions) else None


def dumps_record(record: Mapping[str, Any]) -> str:
    """A small generated JSON file (a module's record, a wheels build's record), indented."""
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def dumps(manifest: Mapping[str, Any]) -> str:
    """The manifest's text, in the layout the module docstring describes."""

    def text(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    head = ", ".join(f"{text(k)}: {text(v)}" for k, v in manifest.items() if k not in ("order", "modules"))
    entries = list(manifest["modules"].items())
    lines: list[str] = []
    offsets: list[str] = []
    wheels: list[str] = []
    offset = 0
    for i, (name, entry) in enumerate(entries):
        line = f"{text(name)}: {text(entry)}" + ("," if i < len(entries) - 1 else "") + "\n"
        offsets.append(str(offset))
        offset += len(line.encode())
        lines.append(line)
        if entry.get("wheel"):
            wheels.append(f"{name}={entry['wheel']}")
    names = [name for name, _ in entries]
    for word in (*names, *(w.partition("=")[2] for w in wheels)):
        if not word or not set(word) <= _PLAIN:  # validated long before; the index depends on it
            raise ValueError(f"manifest index: {word!r} is not a plain name")
    states = "".join("1" if entry["state"] == "ON" else "0" for _, entry in entries)
    index = ";".join([" ".join(names), states, " ".join(offsets), " ".join(wheels)])
    return "".join(
        [
            "{" + head + ",\n",
            f'"index": "{index}",\n',
            f'"order": {text(manifest["order"])},\n',
            '"modules": {\n',
            *lines,
            "}}\n",
        ]
    )
