"""The module table of ``modgate list`` and of the pytest header."""

from __future__ import annotations

from typing import Any

from modgate._table import module_listing


def info(count: int, off: set[int]) -> dict[str, Any]:
    modules = {
        f"m{i:02d}": {
            "state": "OFF" if i in off else "ON",
            "reason": "USE_MODULE_M=OFF" if i in off else "default AUTO",
            "stage": "S1",
            "deprecated": None,
            "origin": "in-tree",
        }
        for i in range(count)
    }
    return {"package": "acme", "version": "1.0", "modules": modules}


def test_a_full_listing_has_a_row_per_module() -> None:
    lines = module_listing(info(60, {3}))
    assert lines[0] == "acme 1.0: 60 modules, 59 enabled" and len(lines) == 62


def test_a_limited_listing_of_many_modules_shows_the_off_ones_and_says_how_to_see_all() -> None:
    lines = module_listing(info(60, {3, 7}), indent="  ", limit=10)
    assert lines[0] == "acme 1.0: 60 modules, 58 enabled"
    assert [line.split()[0] for line in lines[1:4]] == ["module", "m03", "m07"]
    assert lines[-1] == "  (58 modules ON not shown; pytest -v or modgate list shows every module)"
    assert len(lines) == 5


def test_a_limited_listing_of_few_modules_is_the_full_one() -> None:
    assert module_listing(info(4, set()), limit=10) == module_listing(info(4, set()))


def test_the_listing_names_each_modules_option() -> None:
    data = info(3, {1})
    data["modules"]["m01"]["option"] = "USE_CUTLASS"  # a kept name
    lines = module_listing(data)
    assert lines[1].split() == ["module", "state", "stage", "option", "reason"]
    assert lines[3].split()[:4] == ["m01", "OFF", "S1", "USE_CUTLASS"]
    assert lines[2].split()[3] == "-"  # an entry without one (an old manifest) shows a dash
