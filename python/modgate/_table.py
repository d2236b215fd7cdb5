"""The module state table, as configure prints it and ``modgate list`` shows it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["module_listing", "module_row", "state_table"]


def state_table(rows: Iterable[tuple[str, str, str, bool, str]], *, indent: str = "") -> str:
    """Aligned ``module  state  stage  reason`` lines for (name, state, stage, deprecated, reason) rows."""
    cells = [("module", "state", "stage", "reason")]
    cells += [
        (name, state, stage + (" deprecated" if deprecated else ""), reason)
        for name, state, stage, deprecated, reason in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(3)]
    return "\n".join(
        (indent + "  ".join([*(f"{row[i]:<{widths[i]}}" for i in range(3)), row[3]])).rstrip() for row in cells
    )


def module_row(name: str, module: Mapping[str, Any]) -> tuple[str, str, str, bool, str]:
    """The table row of one ``modgate.info()["modules"]`` entry, as this process sees it."""
    state, reason = module["state"], module["reason"]
    if module.get("origin") == "out-of-tree":
        reason = f"out-of-tree ({module['distribution']} {module['version']}): {reason}"
    if state == "ON" and module.get("disabled_at_import"):
        cause = module.get("disabled_by") or name
        why = "MODGATE_DISABLE" if cause == name else f"MODGATE_DISABLE turning off {cause}, which it requires"
        state, reason = "OFF", f"built, but disabled at import time by {why} ({reason})"
    return (name, state, module["stage"], bool(module.get("deprecated")), reason)


def module_listing(data: Mapping[str, Any], *, indent: str = "", limit: int | None = None) -> list[str]:
    """``modgate list``: a head line, then the table of every module in a host's ``info()``.
    With ``limit``, more modules than that show only the rows of those that are not ON,
    and a line saying how to see them all (the pytest header of a large host)."""
    modules = data["modules"]
    rows = [module_row(name, module) for name, module in sorted(modules.items())]
    enabled = sum(1 for row in rows if row[1] == "ON")
    head = f"{data.get('package', 'modgate')} {data['version']}: {len(modules)} modules, {enabled} enabled"
    if limit is None or len(rows) <= limit:
        return [head, *state_table(rows, indent=indent).splitlines()]
    off = [row for row in rows if row[1] != "ON"]
    note = f"{indent}({enabled} modules ON not shown; pytest -v or modgate list shows every module)"
    return [head, *(state_table(off, indent=indent).splitlines() if off else []), note]
