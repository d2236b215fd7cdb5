"""Writing CMake code that carries user text verbatim.

Everything from a registration file reaches CMake as a bracket argument
(``[==[...]==]``), which CMake never evaluates: quotes, semicolons, ``${}`` and
``]]`` in a summary are shown exactly as written.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["bracket", "set_items", "set_list", "set_var"]


def bracket(text: str) -> str:
    """``text`` as a CMake bracket argument that cannot be closed early."""
    equals = 0
    while f"]{'=' * equals}]" in text or text.endswith("]" + "=" * equals):
        equals += 1
    fence = "=" * equals
    # CMake drops one newline right after the opening bracket; keep a leading one.
    lead = "\n" if text.startswith("\n") else ""
    return f"[{fence}[{lead}{text}]{fence}]"


def set_var(name: str, value: str) -> str:
    return f"set({name} {bracket(value)})\n"


def set_list(name: str, values: Iterable[str]) -> str:
    items = [bracket(v) for v in values]
    if not items:
        return f'set({name} "")\n'
    return f"set({name}\n  " + "\n  ".join(items) + "\n)\n"


def set_items(name: str, values: Iterable[str]) -> str:
    """``name_COUNT`` and ``name_0``, ``name_1``...: for text that may hold ';', which
    a CMake list would split."""
    items = list(values)
    out = [f"set({name}_COUNT {len(items)})\n"]
    out.extend(set_var(f"{name}_{i}", text) for i, text in enumerate(items))
    return "".join(out)
