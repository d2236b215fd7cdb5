"""``import modgate`` plus ``modgate.is_built()`` over every module, one command:
``python benchmarks/import_time.py`` (after ``pip install .``).

For 3, 50, 100 and 1000 modules it builds a site folder holding a copy of the installed
modgate whose build manifest lists that many modules, plus one distribution declaring
the same modules as entry points in group ``modgate.modules`` (how a design that finds
modules through entry points would see them). Three commands run in fresh processes,
interleaved, each many times; the medians are compared in the same run:

- ``python -c pass`` (bare interpreter start),
- ``import modgate`` + ``modgate.is_built(name)`` for every module,
- ``importlib.metadata.entry_points(group="modgate.modules")``.

Targets: at most 3 ms over bare Python at 50 modules, 10 ms at 1000; and
``python -X importtime -c "import modgate"`` shows no ``importlib.metadata``.
Prints Markdown to paste into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "bare": "pass",
    "modgate": "import modgate\nfor i in range({n}): modgate.is_built('m%04d' % i)",
    "entry_points": "from importlib.metadata import entry_points\nentry_points(group='modgate.modules')",
}


def installed_package() -> Path:
    proc = subprocess.run(
        [sys.executable, "-c", "import modgate, os; print(os.path.dirname(modgate.__file__))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    return Path(proc.stdout.strip())


def make_site(root: Path, package: Path, count: int) -> Path:
    site = root / f"site{count}"
    shutil.copytree(package, site / "modgate", ignore=shutil.ignore_patterns("__pycache__", "share", "include"))
    manifest = json.loads((package / "_manifest.json").read_text(encoding="utf-8"))
    template = next(iter(manifest["modules"].values()))
    modules = {}
    for i in range(count):
        name = f"m{i:04d}"
        modules[name] = dict(template, state="ON" if i % 2 else "OFF", option=f"USE_MODULE_{name.upper()}")
    manifest["modules"] = modules
    (site / "modgate" / "_manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    info = site / "synthetic_modules-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: synthetic-modules\nVersion: 1.0\n")
    lines = "".join(f"m{i:04d} = synthetic.modules.m{i:04d}\n" for i in range(count))
    (info / "entry_points.txt").write_text("[modgate.modules]\n" + lines)
    # Compile once, as an installed package is, so no run pays for bytecode compilation.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(site)], check=True)
    return site


def timed(code: str, env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, check=True)
    return time.perf_counter() - start


def measure(site: Path, count: int, repeats: int) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODGATE_")}
    env["PYTHONPATH"] = str(site)
    codes = {label: code.format(n=count) for label, code in COMMANDS.items()}
    check = subprocess.run(
        [sys.executable, "-c", "import modgate; print(modgate.__file__)"],
        env=env,
        cwd=site,
        capture_output=True,
        text=True,
    )
    if not check.stdout.startswith(str(site)):
        sys.exit(f"the benchmark would not import the synthetic copy: {check.stdout}{check.stderr}")
    samples: dict[str, list[float]] = {label: [] for label in codes}
    for code in codes.values():  # warm the file-system cache
        timed(code, env, site)
    for _ in range(repeats):
        for label, code in codes.items():  # interleaved: drift hits every command alike
            samples[label].append(timed(code, env, site))
    return {label: statistics.median(values) for label, values in samples.items()}


def _imported(code: str, env: dict[str, str], cwd: Path) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], env=env, cwd=cwd, capture_output=True, text=True, check=True
    )
    lines = [line.split("|")[-1] for line in proc.stderr.splitlines() if line.startswith("import time:")]
    return [name.strip() for name in lines[1:]]  # the first line is the header


def importtime(site: Path) -> tuple[bool, list[str]]:
    """Whether ``import modgate`` imports importlib.metadata, and what it imports that
    ``python -c pass`` does not."""
    env = dict(os.environ, PYTHONPATH=str(site))
    baseline = set(_imported("pass", env, site))
    extra = [name for name in _imported("import modgate", env, site) if name not in baseline]
    return "importlib.metadata" in extra, extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[3, 50, 100, 1000])
    parser.add_argument("--repeats", type=int, default=41)
    args = parser.parse_args()
    package = installed_package()
    rows = [
        "| modules | bare Python (ms) | import modgate + is_built × N (ms) | over bare (ms) | entry_points() (ms) "
        "| over bare (ms) | modgate ÷ bare | entry_points ÷ bare |",
        "|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        sites = {count: make_site(Path(tmp), package, count) for count in args.counts}
        for count, site in sites.items():
            m = measure(site, count, args.repeats)
            bare, mg, ep = m["bare"] * 1e3, m["modgate"] * 1e3, m["entry_points"] * 1e3
            rows.append(
                f"| {count} | {bare:.1f} | {mg:.1f} | {mg - bare:.1f} | {ep:.1f} | {ep - bare:.1f}"
                f" | {mg / bare:.2f}× | {ep / bare:.2f}× |"
            )
            print(rows[-1], file=sys.stderr)
        metadata, imported = importtime(sites[args.counts[0]])
    print(f"Medians of {args.repeats} fresh processes per cell, interleaved; Python {sys.version.split()[0]}.\n")
    print("\n".join(rows))
    print(
        f'\n`python -X importtime -c "import modgate"`: importlib.metadata imported: {"yes" if metadata else "no"};'
        f" modules imported beyond the interpreter's start: {', '.join(imported)}"
    )


if __name__ == "__main__":
    main()
