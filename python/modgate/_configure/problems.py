"""Problems a person can cause in a host's inputs, each naming the file, the key and the fix.

Standard library only: this module runs at configure time from the source tree.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..exceptions import ModgateError

__all__ = ["ConfigurationError", "Problem", "suggest"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input.

    ``file`` is the file (or option source such as ``-DUSE_MODULE_X``) the
    problem is in, ``key`` the key or option inside it, ``fix`` what to do.
    """

    file: str
    key: str | None
    message: str
    fix: str

    def format(self) -> str:
        where = self.file if self.key is None else f"{self.file}: {self.key}"
        return f"{where}: {self.message}\n    fix: {self.fix}"


class ConfigurationError(ModgateError):
    """A mistake in a registration file, a setting or an option; carries every problem
    found so all are fixed in one go."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self.format())

    def format(self) -> str:
        count = len(self.problems)
        head = "modgate: 1 problem" if count == 1 else f"modgate: {count} problems"
        return head + "\n" + "\n".join("  " + p.format() for p in self.problems)


def suggest(word: str, choices: Iterable[str], *, limit: int = 3) -> str:
    """`` (did you mean 'x'?)`` for the nearest choices, or an empty string."""
    pool = sorted(set(choices))
    near = difflib.get_close_matches(word, pool, n=limit, cutoff=0.6)
    if not near:
        near = difflib.get_close_matches(word.lower(), [c.lower() for c in pool], n=limit, cutoff=0.6)
        lookup = {c.lower(): c for c in pool}
        near = [lookup[n] for n in near]
    if not near:
        return ""
    return " (did you mean " + " or ".join(repr(n) for n in near) + "?)"
