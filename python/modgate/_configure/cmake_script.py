"""Writing CMake code that carries user text verbatim.

Everything from a registration file reaches CMake as a bracket argument
(``[==[...]==]``), which CMake never evaluates: quotes, semicolons, ``${}`` and
``]]`` in a summary are shown exactly as written.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["bracket", "call", "function", "set_items", "set_list", "set_var"]


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


def call(command: str, *args: str, flags: Iterable[str] = (), **keywords: Iterable[str] | str | None) -> str:
    """``command(<args> <flags> KEY <values>...)``, every value bracketed; a keyword whose
    value is ``None`` or empty is left out (``cmake_parse_arguments`` then leaves it
    undefined); ``flags`` are bare option words."""
    parts = [bracket(a) for a in args]
    parts.extend(flags)
    for key, value in keywords.items():
        values = [] if value is None else [value] if isinstance(value, str) else list(value)
        if values:
            parts.append(key)
            parts.extend(bracket(v) for v in values)
    return f"{command}(" + " ".join(parts) + ")\n"


def function(name: str, body: Iterable[str], *, macro: bool = False) -> str:
    """A CMake function (or macro: runs in its caller's scope) made of the ``body`` lines."""
    kind = "macro" if macro else "function"
    return f"{kind}({name})\n" + "".join("  " + line for line in body) + f"end{kind}()\n"
