"""The module state table, as configure prints it and ``modgate list`` shows it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["aligned", "capability_table", "group_table", "module_listing", "module_row", "state_table"]


def aligned(rows: Sequence[Sequence[str]], *, indent: str = "") -> str:
    """``rows`` as text columns, each as wide as its widest cell (the last one unpadded)."""
    if not rows:
        return ""
    last = len(rows[0]) - 1
    widths = [max(len(row[i]) for row in rows) for i in range(last)]
    return "\n".join(
        (indent + "  ".join([*(f"{row[i]:<{widths[i]}}" for i in range(last)), row[last]])).rstrip() for row in rows
    )


def state_table(
    rows: Iterable[tuple[str, str, str, bool, str]], *, indent: str = "", options: Sequence[str] | None = None
) -> str:
    """Aligned ``module  state  stage  reason`` lines for (name, state, stage, deprecated,
    reason) rows; with ``options`` (one per row), an ``option`` column before the reason."""
    body = [
        (name, state, stage + (" deprecated" if deprecated else ""), reason)
        for name, state, stage, deprecated, reason in rows
    ]
    head: tuple[str, ...] = ("module", "state", "stage", "reason")
    cells: list[tuple[str, ...]] = [head, *body]
    if options is not None:
        cells = [("module", "state", "stage", "option", "reason")]
        cells += [(*row[:3], option, row[3]) for row, option in zip(body, options, strict=True)]
    last = len(cells[0]) - 1
    widths = [max(len(row[i]) for row in cells) for i in range(last)]
    return "\n".join(
        (indent + "  ".join([*(f"{row[i]:<{widths[i]}}" for i in range(last)), row[last]])).rstrip() for row in cells
    )


def group_table(groups: Mapping[str, tuple[str, str, Sequence[str]]], *, indent: str = "") -> str:
    """Aligned ``group  option  members`` lines for group -> (option, the value set or "",
    members); empty when there are no groups."""
    if not groups:
        return ""
    rows = [("group", "option", "members")]
    for group, (option, value, members) in sorted(groups.items()):
        rows.append((group, f"{option}={value}" if value.strip() else f"{option} (unset)", ", ".join(members)))
    return aligned(rows, indent=indent)


def capability_table(capabilities: Mapping[str, Mapping[str, Any]], *, indent: str = "") -> str:
    """Aligned ``capability  option  provider  providers`` lines for the manifest's
    ``capabilities`` entries; empty when there are none."""
    if not capabilities:
        return ""
    rows = [("capability", "option", "built", "providers")]
    lines = []
    for name, entry in sorted(capabilities.items()):
        if entry["policy"] == "any":  # every provider built; one chosen at run time
            chosen = entry.get("chosen")
            shown = (
                f"{chosen} (chosen here)"
                if chosen
                else ("none usable here" if "chosen" in entry else "chosen at run time")
            )
            rows.append((f"{name} (any)", "-", shown, ", ".join(entry["providers"])))
            for candidate in entry.get("candidates", ()):
                rank = f"priority {candidate['priority']}"
                rank += "" if candidate["score"] is None else f", probe {candidate['score']}"
                lines.append(f"{indent}  {name}: {candidate['name']} ({rank}): {candidate['reason']}")
            continue
        value = entry.get("value") or ""
        option = f"{entry['option']}={value}" if value else f"{entry['option']} (unset)"
        rows.append(
            (f"{name} ({entry['policy']})", option, entry.get("provider") or "none", ", ".join(entry["providers"]))
        )
    return "\n".join([aligned(rows, indent=indent), *lines])


def module_row(name: str, module: Mapping[str, Any]) -> tuple[str, str, str, bool, str]:
    """The table row of one ``modgate.info()["modules"]`` entry, as this process sees it."""
    state, reason = module["state"], module["reason"]
    if module.get("origin") == "out-of-tree":
        reason = f"out-of-tree ({module['distribution']} {module['version']}): {reason}"
    elif module.get("shipped_in") == "module wheel" and state == "ON":
        if not module.get("installed", True):
            state, reason = "OFF", f"its wheel {module['distribution']} is not installed ({reason})"
        elif module.get("wheel_problem"):
            state, reason = "OFF", f"its wheel {module['distribution']} is refused: {module['wheel_problem']}"
        else:
            reason = f"wheel {module['distribution']}: {reason}"
    if state == "ON" and module.get("disabled_at_import"):
        cause = module.get("disabled_by") or name
        why = "MODGATE_DISABLE" if cause == name else f"MODGATE_DISABLE turning off {cause}, which it requires"
        state, reason = "OFF", f"built, but disabled at import time by {why} ({reason})"
    elif state == "ON" and module.get("unavailable"):
        state, reason = "OFF", f"built, but an import here fails: {module['unavailable']}"
    return (name, state, module["stage"], bool(module.get("deprecated")), reason)


def module_listing(data: Mapping[str, Any], *, indent: str = "", limit: int | None = None) -> list[str]:
    """``modgate list``: a head line, then the table of every module in a host's ``info()``,
    with the option that toggles each. With ``limit``, more modules than that show only the
    rows of those that are not ON, and a line saying how to see them all (the pytest header
    of a large host)."""
    modules = data["modules"]
    names = sorted(modules)
    rows = [module_row(name, modules[name]) for name in names]
    options = [str(modules[name].get("option", "-")) for name in names]
    enabled = sum(1 for row in rows if row[1] == "ON")
    head = f"{data.get('package', 'modgate')} {data['version']}: {len(modules)} modules, {enabled} enabled"
    groups = group_table(
        {g: (e["option"], e.get("value", ""), e["members"]) for g, e in (data.get("groups") or {}).items()},
        indent=indent,
    )
    chosen = capability_table(data.get("capabilities") or {}, indent=indent)
    if limit is None or len(rows) <= limit:
        table = state_table(rows, indent=indent, options=options)
        return [head, *table.splitlines(), *groups.splitlines(), *chosen.splitlines()]
    shown = [i for i, row in enumerate(rows) if row[1] != "ON"]
    note = f"{indent}({enabled} modules ON not shown; pytest -v or modgate list shows every module)"
    table = state_table([rows[i] for i in shown], indent=indent, options=[options[i] for i in shown])
    return [head, *(table.splitlines() if shown else []), note]
