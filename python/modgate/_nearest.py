"""The one way modgate finds the names nearest a mistyped one: every "did you mean", the
judgement that an option is a misspelling of a known one, and "known modules, nearest
first" measure the same distance (optimal string alignment: insertions, deletions,
substitutions and swaps of neighbours, case-blind). A leaf: it imports nothing.
"""

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["distance", "nearest", "ranked", "slips"]


def distance(a: str, b: str, limit: int) -> int:
    """The case-blind optimal-string-alignment distance of ``a`` and ``b``, or ``limit + 1``
    once it is surely over ``limit``."""
    a, b = a.lower(), b.lower()
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def slips(name: str) -> int:
    """How many edits from ``name`` (a known word) still read as a slip of it: one for a
    word of up to four letters, two up to ten, three beyond (more would suggest unrelated
    words)."""
    return 1 if len(name) <= 4 else 2 if len(name) <= 10 else 3


def nearest(word: str, choices: "Iterable[str]", *, limit: int = 3) -> list[str]:
    """Up to ``limit`` of ``choices`` that ``word`` reads as a slip of (within
    :func:`slips` of each), nearest first, then by name."""
    found = sorted((d, c) for c in set(choices) if (d := distance(word, c, slips(c))) <= slips(c))
    return [c for _, c in found[:limit]]


def ranked(word: str, choices: "Iterable[str]") -> list[str]:
    """Every one of ``choices``, nearest ``word`` first, then by name."""
    bound = max((len(c) for c in choices), default=0) + len(word)
    return sorted(set(choices), key=lambda c: (distance(word, c, bound), c))
