"""The module state table, as configure prints it and ``modgate list`` shows it."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["state_table"]


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
