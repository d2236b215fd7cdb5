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
CONFIGURE = ROOT / "python" / "modgate" / "_configure.py"


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


def synthetic(root: Path, count: int) -> Path:
    modules = root / f"syn{count}"
    for i in range(count):
        name = f"syn{i:04d}"
        folder = modules / name
        (folder / "src").mkdir(parents=True)
        (folder / "include" / "modgate" / name).mkdir(parents=True)
        requires = f'requires = ["syn{i - 1:04d}"]\n' if i % 10 else ""
        (folder / "module.toml").write_text(
            f'name = "{name}"\nsummary = "synthetic module {i}"\nstage = "S1"\n{requires}[native]\n'
        )
        (folder / "src" / f"{name}.cc").write_text(f"int {name}_value() {{ return {i}; }}\n")
        (folder / "include" / "modgate" / name / "api.h").write_text(f"int {name}_value();\n")
    return modules


def resolver_time(modules: Path, out: Path) -> float:
    common = ["--source-dir", str(ROOT), "--modules-dir", str(ROOT / "modules"), "--extra-dirs", str(modules)]
    start = time.perf_counter()
    sh([sys.executable, "-S", "-E", str(CONFIGURE), "plan", *common, "--out", str(out / "plan.cmake")])
    sh(
        [
            sys.executable,
            "-S",
            "-E",
            str(CONFIGURE),
            "resolve",
            *common,
            "--out",
            str(out / "modules.cmake"),
            "--manifest",
            str(out / "m.json"),
            "--guard-dir",
            str(out / "guard"),
            "--generated-dir",
            str(out / "gen"),
        ]
    )
    return time.perf_counter() - start


def bench_configure(work: Path, counts: list[int], repeats: int) -> str:
    baseline = statistics.median(configure(work / f"base{r}", {"MODGATE_ALL_MODULES": "OFF"}) for r in range(repeats))
    rows = [
        f"Core-only configure (no synthetic modules), same run: {baseline:.2f} s (median of {repeats}).",
        "",
        "| modules | configure (s) | resolver (s) | CMake (s) | resolver share | configure ÷ core-only |",
        "|---|---|---|---|---|---|",
    ]
    for count in counts:
        modules = synthetic(work, count)
        totals, resolvers = [], []
        for r in range(repeats):
            totals.append(configure(work / f"b{count}-{r}", {"MODGATE_EXTRA_MODULE_DIRS": str(modules)}))
            scratch = work / f"r{count}-{r}"
            scratch.mkdir()
            resolvers.append(resolver_time(modules, scratch))
        total, resolver = statistics.median(totals), statistics.median(resolvers)
        rows.append(
            f"| {count} | {total:.2f} | {resolver:.2f} | {total - resolver:.2f} | {resolver / total:.0%}"
            f" | {total / baseline:.1f}× |"
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
