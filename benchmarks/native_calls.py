"""Cost of reaching native code by name, one command: ``python benchmarks/native_calls.py``
(after ``pip install .`` with the scan module on).

Side by side in one process, best of several timeit rounds each:

- ``scan.includes`` called directly through its pybind11 extension
  (``modgate.modules.scan._native.includes``) and through the registry
  (``modgate.native.lookup("scan.includes")``), on a short and a longer input;
- ``modgate.native.lookup("scan.includes")`` of a name found before, next to a plain
  ``dict.get`` of one key;
- the runtime's own lookup (``modgate._core.lookup``, the C++ ``find_registered`` a core
  calls) of a registered key, of a missing function of a built module, and of a name no
  module provides: after the first miss, the module loader is not asked again.

Targets: registry call at most 1.5x the direct call on the short input; ``lookup()`` of a
known name close to a dictionary lookup. Prints Markdown to paste into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from collections.abc import Callable
from typing import Any

INPUTS = {
    "short (1 line)": '#include "a.h"\n',
    "long (200 lines)": "".join(f"#include <pkg/h{i}.h>\nint f{i}();\n" for i in range(100)),
}


def per_call_ns(function: Callable[[], Any], number: int, rounds: int) -> float:
    return min(timeit.repeat(function, number=number, repeat=rounds)) / number * 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    import modgate
    from modgate import native

    if not modgate.is_built("scan"):
        sys.exit("this benchmark needs the scan module: pip install . -C cmake.define.USE_MODULE_SCAN=ON")
    from modgate.modules.scan import _native

    function = native.lookup("scan.includes")
    assert function is not None
    rows = [
        "| input | direct pybind11 call (ns) | registry call (ns) | registry ÷ direct |",
        "|---|---|---|---|",
    ]
    for label, text in INPUTS.items():
        number = args.number if len(text) < 100 else args.number // 100
        direct = per_call_ns(lambda text=text: _native.includes(text), number, args.rounds)
        registry = per_call_ns(lambda text=text: function(text), number, args.rounds)
        rows.append(f"| {label} | {direct:.0f} | {registry:.0f} | {registry / direct:.2f}× |")
    table = {"scan.includes": function}
    found = per_call_ns(lambda: native.lookup("scan.includes"), args.number, args.rounds)
    plain = per_call_ns(lambda: table.get("scan.includes"), args.number, args.rounds)
    rows += [
        "",
        "| lookup of a known name | ns per call |",
        "|---|---|",
        f'| `modgate.native.lookup("scan.includes")` | {found:.0f} |',
        f"| `dict.get` of one key (same lambda overhead) | {plain:.0f} |",
        f"| ratio | {found / plain:.1f}× |",
    ]
    from modgate import _core

    keys = {
        "a registered key (`modgate:scan.includes`)": "modgate:scan.includes",
        "a missing function of a built module (`modgate:scan.nothing`)": "modgate:scan.nothing",
        "a name no module provides (`modgate:nomodule.f`)": "modgate:nomodule.f",
    }
    rows += ["", "| runtime lookup (C++ `find_registered` through `_core.lookup`) | ns per call |", "|---|---|"]
    for label, key in keys.items():
        _core.lookup(key)  # the first miss asks the module loader once
        rows.append(f"| {label} | {per_call_ns(lambda key=key: _core.lookup(key), args.number, args.rounds):.0f} |")
    print(f"Best of {args.rounds} rounds; Python {sys.version.split()[0]}.\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
