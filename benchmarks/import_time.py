"""Import cost of a host package in a clean environment, one command:
``python benchmarks/import_time.py`` (after ``pip install .``).

For each module count (default 3, 50, 100, 1000) it makes a fresh virtual environment
(``python -m venv --without-pip``: nothing in it runs at start-up) and installs into it
only what is measured:

- modgate (a copy of the installed package) whose build manifest lists N modules,
- ``acme``, a host package (``attach(__name__)`` in its ``__init__.py``) whose manifest
  lists N modules,
- ``acmewheels``, the same host as a release of ``modgate wheels`` installs it: its
  manifest says each module ships in a wheel of its own, and each built module's folder
  holds the ``_module.json`` that wheel installs,
- one distribution declaring N modules as entry points in group ``modgate.modules`` (how a
  design that finds modules through entry points would see them).

Four commands run in fresh processes of that environment, interleaved, many times each;
medians are compared within the same run:

- ``python -c pass`` (the baseline: bare interpreter start in that clean venv),
- ``import modgate`` + ``modgate.is_built(name)`` for every module,
- ``import acme`` + ``acme.is_built(name)`` for every module,
- the same for ``acmewheels`` (target: at most 0.2 ms over ``acme`` at 50 modules),
- ``importlib.metadata.entry_points(group="modgate.modules")``.

It also prints what the baseline interpreter imports at start-up and what ``import
modgate`` imports beyond it (``-X importtime``), so a polluted baseline shows.
Targets (clean venv): at most 3 ms over the baseline at 50 modules, 10 ms at 1000.
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
import sysconfig
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "bare": "pass",
    "modgate": "import modgate\nfor i in range({n}): modgate.is_built('m%04d' % i)",
    "acme": "import acme\nfor i in range({n}): acme.is_built('m%04d' % i)",
    "acmewheels": "import acmewheels\nfor i in range({n}): acmewheels.is_built('m%04d' % i)",
    "entry_points": "from importlib.metadata import entry_points\nentry_points(group='modgate.modules')",
}

ACME_INIT = (
    '"""A host package."""\nfrom modgate import attach\n\nis_built, is_available, require, info = attach(__name__)\n'
)


def installed_package() -> Path:
    proc = subprocess.run(
        [sys.executable, "-c", "import modgate, os; print(os.path.dirname(modgate.__file__))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    return Path(proc.stdout.strip())


def synthetic_manifest(manifest: dict[str, object], package: str, count: int) -> dict[str, object]:
    template = next(iter(manifest["modules"].values()))  # type: ignore[attr-defined]
    modules = {}
    for i in range(count):
        name = f"m{i:04d}"
        modules[name] = dict(template, state="ON" if i % 2 else "OFF", option=f"USE_MODULE_{name.upper()}")
    return dict(manifest, package=package, distribution=package, host=package, order=sorted(modules), modules=modules)


def make_venv(root: Path, package: Path, count: int) -> Path:
    """A clean venv holding modgate, acme and the entry-point distribution; its python."""
    venv = root / f"venv{count}"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    shutil.copytree(package, site / "modgate", ignore=shutil.ignore_patterns("__pycache__", "share", "include"))
    manifest = json.loads((package / "_manifest.json").read_text(encoding="utf-8"))
    (site / "modgate" / "_manifest.json").write_text(json.dumps(synthetic_manifest(manifest, "modgate", count)))
    (site / "acme").mkdir()
    (site / "acme" / "__init__.py").write_text(ACME_INIT, encoding="utf-8")
    (site / "acme" / "_manifest.json").write_text(json.dumps(synthetic_manifest(manifest, "acme", count)))
    # The release layout: the core's manifest names each built module's wheel, which installed its record.
    (site / "acmewheels").mkdir()
    (site / "acmewheels" / "__init__.py").write_text(ACME_INIT, encoding="utf-8")
    split = synthetic_manifest(manifest, "acmewheels", count)
    split["module_wheels"] = True
    for name, entry in split["modules"].items():  # type: ignore[attr-defined]
        if entry["state"] == "ON":
            entry["wheel"] = f"acmewheels-{name}"
            folder = site / "acmewheels" / "modules" / name
            folder.mkdir(parents=True)
            record = {"schema": 1, "module": name, "version": split["version"], "abi_version": split["abi_version"]}
            (folder / "_module.json").write_text(json.dumps(record))
    (site / "acmewheels" / "_manifest.json").write_text(json.dumps(split))
    info = site / "synthetic_modules-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: synthetic-modules\nVersion: 1.0\n")
    lines = "".join(f"m{i:04d} = synthetic.modules.m{i:04d}\n" for i in range(count))
    (info / "entry_points.txt").write_text("[modgate.modules]\n" + lines)
    # Compiled once, as an installed package is, so no run pays for bytecode compilation.
    subprocess.run([str(python), "-m", "compileall", "-q", str(site)], check=True)
    return python


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("MODGATE_", "PYTHON"))}


def timed(python: Path, code: str, env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(python), "-c", code], env=env, cwd=cwd, check=True)
    return time.perf_counter() - start


def measure(python: Path, count: int, repeats: int, cwd: Path) -> dict[str, float]:
    env = clean_env()
    codes = {label: code.format(n=count) for label, code in COMMANDS.items()}
    for label in ("modgate", "acme", "acmewheels"):
        where = subprocess.run(
            [str(python), "-c", f"import {label}; print({label}.__file__)"],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
        )
        if not where.stdout.startswith(str(python.parent.parent)):
            sys.exit(f"the benchmark would not import the venv's {label}: {where.stdout}{where.stderr}")
    samples: dict[str, list[float]] = {label: [] for label in codes}
    for code in codes.values():  # warm the file-system cache
        timed(python, code, env, cwd)
    for _ in range(repeats):
        for label, code in codes.items():  # interleaved: drift hits every command alike
            samples[label].append(timed(python, code, env, cwd))
    return {label: statistics.median(values) for label, values in samples.items()}


def imported(python: Path, code: str, cwd: Path) -> list[str]:
    proc = subprocess.run(
        [str(python), "-X", "importtime", "-c", code],
        env=clean_env(),
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line.split("|")[-1] for line in proc.stderr.splitlines() if line.startswith("import time:")]
    return [name.strip() for name in lines[1:]]  # the first line is the header


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[3, 50, 100, 1000])
    parser.add_argument("--repeats", type=int, default=41)
    args = parser.parse_args()
    package = installed_package()
    rows = [
        "| modules | baseline (ms) | import modgate + is_built × N (ms) | over baseline (ms)"
        " | import acme + acme.is_built × N (ms) | over baseline (ms)"
        " | the same, modules in wheels of their own (ms) | minus one wheel (ms)"
        " | entry_points() (ms) | over baseline (ms) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp) / "cwd"  # an empty folder: nothing importable from the working directory
        cwd.mkdir()
        pythons = {count: make_venv(Path(tmp), package, count) for count in args.counts}
        for count, python in pythons.items():
            m = {label: value * 1e3 for label, value in measure(python, count, args.repeats, cwd).items()}
            rows.append(
                f"| {count} | {m['bare']:.1f} | {m['modgate']:.1f} | {m['modgate'] - m['bare']:.1f}"
                f" | {m['acme']:.1f} | {m['acme'] - m['bare']:.1f}"
                f" | {m['acmewheels']:.1f} | {m['acmewheels'] - m['acme']:+.2f}"
                f" | {m['entry_points']:.1f} | {m['entry_points'] - m['bare']:.1f} |"
            )
            print(rows[-1], file=sys.stderr)
        python = pythons[args.counts[0]]
        baseline = imported(python, "pass", cwd)
        extra = [
            name for name in imported(python, "import modgate; modgate.is_built('m0000')", cwd) if name not in baseline
        ]
    print(
        f"Medians of {args.repeats} fresh processes per cell, interleaved; Python {sys.version.split()[0]}"
        f" ({sysconfig.get_platform()}); each count in its own clean venv (`venv --without-pip`).\n"
    )
    print("\n".join(rows))
    print(f"\nBaseline (`python -c pass` in the clean venv) imports at start-up: {', '.join(baseline)}.\n")
    print(f"`import modgate` + `is_built()` imports beyond the baseline: {', '.join(extra) or 'nothing'}.")


if __name__ == "__main__":
    main()
