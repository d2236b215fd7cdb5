"""One measure for every "did you mean": configure's suggestions, the misspelled-option
judgement, the loader's nearest known modules and its MODGATE_DISABLE warning."""

from __future__ import annotations

import re

from modgate._configure.problems import suggest
from modgate._configure.request import near_option
from modgate._nearest import distance, nearest, ranked
from tests.helpers import ROOT

NAMES = ["graph", "grapher", "scan", "xref", "at-most-one", "exactly-one"]


def test_one_typo_gets_one_answer_everywhere() -> None:
    assert nearest("grpah", NAMES) == ["graph"]
    assert suggest("grpah", NAMES) == " (did you mean 'graph'?)"
    assert ranked("grpah", NAMES)[0] == "graph"
    assert near_option("USE_MODULE_GRPAH", ["USE_MODULE_GRAPH", "USE_MODULE_SCAN"]) == "USE_MODULE_GRAPH"
    assert nearest("at-most-2", NAMES) == ["at-most-one"]


def test_the_distance_counts_a_swap_once_and_ignores_case() -> None:
    assert distance("ab", "BA", 2) == 1
    assert distance("Scan", "scna", 2) == 1
    assert distance("a", "abcdef", 2) == 3  # over the limit: limit + 1
    assert nearest("zzzz", NAMES) == [] and nearest("SCAN", NAMES) == ["scan"]


def test_no_other_suggestion_algorithm_is_in_the_code() -> None:
    others = re.compile(r"get_close_matches|SequenceMatcher|def _edits")
    found = [p for p in (ROOT / "python" / "modgate").rglob("*.py") if others.search(p.read_text(encoding="utf-8"))]
    assert not found, f"use modgate._nearest: {found}"
