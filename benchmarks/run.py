"""modgate's build benchmarks, one command: ``python benchmarks/run.py``.

(a) Translation units recompiled after flipping each module in an existing build
    directory (target: the module's own only, zero core units).
(b) Configure time with 10, 100 and 1000 synthetic native modules, split into the
    resolver's share (both resolver stages, run as CMake runs them) and CMake's share,
    side by side with a core-only configure in the same run (targets at 1000 modules:
    resolver <= 1 s, configure <= 10 s).

Prints Markdown tables to paste into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGURE = ROOT / "python" / "modgate" / "_configure"


def sh(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def configure(build: Path, defines: dict[str, str]) -> float:
    generator = [] if (build / "CMakeCache.txt").exists() else ["-G", "Ninja"]
    start = time.perf_counter()
    sh(["cmake", "-S", str(ROOT), "-B", str(build), *generator, *[f"-D{k}={v}" for k, v in defines.items()]])
    return time.perf_counter() - start


def compiled(build: Path) -> list[str]:
    out = sh(["cmake", "--build", str(build), "-j2"]).stdout
    return re.findall(r"Building CXX object (?:\S*/)?CMakeFiles/([^/]+)\.dir/", out)


def own_modules() -> list[str]:
    return sorted(p.parent.name for p in (ROOT / "modules").glob("*/module.toml"))


OWN_OFF_ARGS = [arg for name in own_modules() for arg in ("--value", f"USE_MODULE_{name.upper()}=OFF")]


def bench_toggles(work: Path) -> str:
    build = work / "toggle"
    configure(build, {})
    full = compiled(build)
    rows = [
        "| flip | TUs compiled | of which core | of which this module | full build TUs | ratio to full build |",
        "|---|---|---|---|---|---|",
    ]
    for name in own_modules():
        option = f"USE_MODULE_{name.upper()}"
        for value, label in (("OFF", "ON → OFF"), ("", "OFF → ON")):
            configure(build, {option: value})
            units = compiled(build)
            core = [u for u in units if u in ("modgate_runtime", "_core")]
            own = [u for u in units if u in (f"modgate_{name}", f"modgate_{name}_python")]
            rows.append(
                f"| {name} {label} | {len(units)} | {len(core)} | {len(own)} | {len(full)}"
                f" | {len(units) / len(full):.2f} |"
            )
    return "\n".join(rows)


def synthetic(root: Path, count: int, native: bool) -> Path:
    """``count`` module folders; every tenth starts a chain of requires. A native module has
    a source file and a public header; a pure-Python one an ``__init__.py``."""
    modules = root / f"syn{count}{'n' if native else 'p'}"
    for i in range(count):
        name = f"syn{i:04d}"
        folder = modules / name
        requires = f'requires = ["syn{i - 1:04d}"]\n' if i % 10 else ""
        head = f'name = "{name}"\nsummary = "synthetic module {i}"\nstage = "S1"\nmaintainers = ["@bench"]\n'
        if native:
            (folder / "src").mkdir(parents=True)
            (folder / "include" / "modgate" / name).mkdir(parents=True)
            (folder / "module.toml").write_text(f"{head}{requires}[native]\n")
            (folder / "src" / f"{name}.cc").write_text(f"int {name}_value() {{ return {i}; }}\n")
            (folder / "include" / "modgate" / name / "api.h").write_text(f"int {name}_value();\n")
        else:
            (folder / "python").mkdir(parents=True)
            (folder / "module.toml").write_text(f"{head}{requires}")
            (folder / "python" / "__init__.py").write_text(f"VALUE = {i}\n")
    return modules


def resolver_time(modules: Path, out: Path) -> float:
    """Both resolver stages, run as CMake runs them (no find_package results)."""
    common = ["--project-dir", str(ROOT), "--extra-dirs", str(modules), *OWN_OFF_ARGS]
    common += ["--cache", str(out / "registrations.pickle")]
    start = time.perf_counter()
    sh([sys.executable, "-S", "-E", str(CONFIGURE), "plan", *common, "--out", str(out / "plan.cmake")])
    sh(
        [
            *(sys.executable, "-S", "-E", str(CONFIGURE), "resolve", *common),
            *("--out", str(out / "modules.cmake"), "--manifest", str(out / "m.json")),
            *("--guard-dir", str(out / "guard"), "--generated-dir", str(out / "gen")),
        ]
    )
    return time.perf_counter() - start


def bench_configure(work: Path, counts: list[int], repeats: int) -> str:
    """Fresh configures, interleaved (core-only, then each variant, ``repeats`` rounds), so
    a slow spell of the machine hits every column alike; medians."""
    own_off = {f"USE_MODULE_{name.upper()}": "OFF" for name in own_modules()}
    variants = [(count, native, synthetic(work, count, native)) for count in counts for native in (False, True)]
    base: list[float] = []
    totals: dict[tuple[int, bool], list[float]] = {(c, n): [] for c, n, _ in variants}
    resolvers: dict[tuple[int, bool], list[float]] = {(c, n): [] for c, n, _ in variants}
    for r in range(repeats):
        base.append(configure(work / f"base{r}", own_off))
        for count, native, modules in variants:
            build = work / f"b{count}{native}-{r}"
            totals[count, native].append(configure(build, own_off | {"MODGATE_EXTRA_MODULE_DIRS": str(modules)}))
            scratch = work / f"r{count}{native}-{r}"
            scratch.mkdir()
            resolvers[count, native].append(resolver_time(modules, scratch))
            shutil.rmtree(build, ignore_errors=True)
            shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(work / f"base{r}", ignore_errors=True)
    baseline = statistics.median(base)
    rows = [
        f"Core-only configure (modgate's own modules off, no synthetic modules), same run: {baseline:.2f} s"
        f" (median of {repeats}, interleaved with the rows below). Each row: the same core plus N synthetic"
        " modules, all enabled.",
        "",
        "| modules | kind | configure (s) | resolver (s) | CMake (s) | resolver share | configure ÷ core-only |",
        "|---|---|---|---|---|---|---|",
    ]
    for count, native, _ in variants:
        total, resolver = statistics.median(totals[count, native]), statistics.median(resolvers[count, native])
        rows.append(
            f"| {count} | {'native' if native else 'pure Python'} | {total:.2f} | {resolver:.2f}"
            f" | {total - resolver:.2f} | {resolver / total:.0%} | {total / baseline:.2f}× |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-toggles", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="modgate-bench-"))
    try:
        if not args.skip_toggles:
            print("## (a) Recompiled translation units after flipping one module\n")
            print(bench_toggles(work), "\n", flush=True)
        print("## (b) Configure time with synthetic modules\n")
        print(bench_configure(work, args.counts, args.repeats))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
