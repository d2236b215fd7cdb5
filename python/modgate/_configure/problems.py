"""Problems a person can cause in a host's inputs, each naming the file, the key and the fix.

Standard library only: this module runs at configure time from the source tree.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .._nearest import nearest
from ..exceptions import ModgateError

__all__ = ["ConfigurationError", "Problem", "cmake_flags", "suggest"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input.

    ``file`` is the file (or option source such as ``-DUSE_MODULE_X``) the
    problem is in, ``line`` and ``column`` where in it when known, ``key`` the key or
    option inside it, ``fix`` what to do.
    """

    file: str
    key: str | None
    message: str
    fix: str
    # What the fix does to the options, when options can do it: (name, value) pairs, an
    # empty value unsetting the name. The resolver joins these into one command line.
    action: tuple[tuple[str, str], ...] = ()
    line: int | None = None
    column: int | None = None

    def format(self) -> str:
        return f"{self.where()}\n    fix: {self.fix}"

    def place(self) -> str:
        """``file``, ``file:line`` or ``file:line:column``, as editors and compilers write it."""
        at = [str(n) for n in (self.line, self.column) if n is not None] if self.line is not None else []
        return ":".join([self.file, *at])

    def where(self) -> str:
        """``file: key: message``: the problem without its fix."""
        where = self.place() if self.key is None else f"{self.place()}: {self.key}"
        return f"{where}: {self.message}"


def cmake_flags(changes: Mapping[str, str]) -> str:
    """``-DNAME=VALUE`` for each change, ``-UNAME`` for one that unsets, quoted for a shell."""
    return " ".join(shlex.quote(f"-D{name}={value}" if value else f"-U{name}") for name, value in changes.items())


class ConfigurationError(ModgateError):
    """A mistake in a registration file, a setting or an option; carries every problem
    found so all are fixed in one go. ``changes``: the option changes that fix every
    problem at once (an empty value unsets), when options can; ``values``: every value
    the user set with those changes made (for a command that takes them all again)."""

    def __init__(
        self,
        problems: Sequence[Problem],
        *,
        changes: Mapping[str, str] | None = None,
        values: Mapping[str, str] | None = None,
    ) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.changes: dict[str, str] | None = dict(changes) if changes is not None else None
        self.values: dict[str, str] = dict(values or {})
        super().__init__(self.format())

    def format(self, command: Callable[[ConfigurationError], str] | None = None) -> str:
        """Every problem, then the one command that fixes them all (``command`` spells it
        for where the user is; default: the CMake flags to add)."""
        count = len(self.problems)
        head = "modgate: 1 problem" if count == 1 else f"modgate: {count} problems"
        # Problems with the same fix are listed together, the fix once (first seen first).
        by_fix: dict[str, list[Problem]] = {}
        for problem in self.problems:
            by_fix.setdefault(problem.fix, []).append(problem)
        blocks = ["\n".join(f"  {p.where()}" for p in same) + f"\n    fix: {fix}" for fix, same in by_fix.items()]
        text = head + "\n" + "\n".join(blocks)
        if self.changes:
            line = command(self) if command is not None else f"cmake {cmake_flags(self.changes)} <build folder>"
            text += f"\n  fix all at once: {line}"
        return text


def suggest(word: str, choices: Iterable[str], *, limit: int = 3) -> str:
    """`` (did you mean 'x'?)`` for the nearest choices (:func:`modgate._nearest.nearest`),
    or an empty string."""
    near = nearest(word, choices, limit=limit)
    if not near:
        return ""
    return " (did you mean " + " or ".join(repr(n) for n in near) + "?)"
