"""Import cost of a host package in a clean environment, one command:
``python benchmarks/import_time.py`` (after ``pip install .``).

For each module count (default 3, 50, 100, 1000) it makes two fresh virtual environments,
``python -m venv --without-pip`` (nothing in it runs at start-up) and ``python -m venv``
(the one users have: pip, and on Python 3.11 setuptools with the ``.pth`` file it installs),
and installs into each only what is measured:

- modgate (a copy of the installed package) whose build manifest lists N modules,
- ``acme``, a host package (``attach(__name__)`` in its ``__init__.py``) whose manifest
  lists N modules,
- ``acmewheels``, the same host as a release of ``modgate wheels`` installs it: its
  manifest says each module ships in a wheel of its own, and each built module's folder
  holds the ``_module.json`` that wheel installs,
- one distribution declaring N modules as entry points in group ``modgate.modules`` (how a
  design that finds modules through entry points would see them).

These commands run in fresh processes of that environment, interleaved, many times each;
medians are compared within the same run:

- ``python -c pass`` (the baseline: bare interpreter start in that clean venv),
- ``import modgate`` + ``modgate.is_built(name)`` for every module,
- ``import acme`` + ``acme.is_built(name)`` for every module,
- the same for ``acmewheels`` (target: at most 0.2 ms over ``acme`` at 50 modules),
- ``importlib.metadata.entry_points(group="modgate.modules")``,
- ``import importprobe``, a package of 20 empty modules: beyond an empty package, what one
  import costs in that venv (the last column), the unit every file on the path of ``import
  modgate`` pays,
- ``import emptypkg``, an empty package: what the first import of any installed package
  costs, the floor under every host's.

"Over the baseline" is the median, over the rounds, of each round's difference from that
round's baseline in the same venv: a slow spell of the machine moves both.

It also prints what the baseline interpreter imports at start-up and what ``import
modgate`` imports beyond it (``-X importtime``), so a polluted baseline shows.

``--against DIR`` measures another modgate beside this one, in the same rounds: ``DIR`` is
an installed ``modgate`` package folder (``pip install --no-deps --target <t> <checkout of
an earlier commit>``, then ``<t>/modgate``). Every venv is made once per package, and a
last table gives the in-process ratios, this modgate over that one: what a change of the
import path gains, free of the machine's slow and fast spells, which move every cell of
a run alike.

Targets: at most 1 ms over the baseline at 50 modules in a ``python -m venv``, 3 ms at 1000.
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
    "probe": "import importprobe",
    "empty": "import emptypkg",
}
PROBE_MODULES = 20  # importprobe: a package of this many empty modules, what any import costs here

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


VENV_KINDS = {"without-pip": ["--without-pip"], "python -m venv": []}


def make_venv(root: Path, package: Path, count: int, kind: str, label: str = "") -> Path:
    """A fresh venv of ``kind`` holding modgate, acme and the entry-point distribution; its python."""
    venv = root / f"venv{count}-{'bare' if VENV_KINDS[kind] else 'pip'}{label}"
    subprocess.run([sys.executable, "-m", "venv", *VENV_KINDS[kind], str(venv)], check=True)
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
    from modgate._configure.manifest import dumps  # the layout a build writes

    manifest = json.loads((package / "_manifest.json").read_text(encoding="utf-8"))
    manifest.pop("index", None)
    (site / "modgate" / "_manifest.json").write_text(dumps(synthetic_manifest(manifest, "modgate", count)))
    (site / "acme").mkdir()
    (site / "acme" / "__init__.py").write_text(ACME_INIT, encoding="utf-8")
    (site / "acme" / "_manifest.json").write_text(dumps(synthetic_manifest(manifest, "acme", count)))
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
    (site / "acmewheels" / "_manifest.json").write_text(dumps(split))
    (site / "importprobe").mkdir()
    (site / "importprobe" / "__init__.py").write_text(
        "".join(f"from . import m{i}\n" for i in range(PROBE_MODULES)), encoding="utf-8"
    )
    for i in range(PROBE_MODULES):
        (site / "importprobe" / f"m{i}.py").write_text("", encoding="utf-8")
    (site / "emptypkg").mkdir()
    (site / "emptypkg" / "__init__.py").write_text("", encoding="utf-8")
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


# Each command also times itself from inside (``time`` is imported at start-up anyway): the
# cost without the interpreter's own start and exit, whose spread hides tenths of a ms.
INSIDE = "import time as _t\n_s = _t.perf_counter()\n{code}\nprint(_t.perf_counter() - _s)"


def timed(python: Path, code: str, env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall time of a fresh process running ``code``, and the time ``code`` took inside it."""
    start = time.perf_counter()
    proc = subprocess.run(
        [str(python), "-c", INSIDE.format(code=code)], env=env, cwd=cwd, check=True, capture_output=True, text=True
    )
    return time.perf_counter() - start, float(proc.stdout.split()[-1])


Key = tuple[int, str, str]  # modules, venv kind, which modgate ("this" or "against")


def measure(pythons: dict[Key, Path], repeats: int, cwd: Path) -> dict[Key, dict[str, float]]:
    """Medians per venv and command; every round runs every command in every venv, so a slow
    spell of the machine hits every cell alike."""
    env = clean_env()
    codes = {key: {label: code.format(n=key[0]) for label, code in COMMANDS.items()} for key in pythons}
    for python in pythons.values():
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
    labels = [*COMMANDS, *(f"{label} inside" for label in COMMANDS)]
    samples: dict[Key, dict[str, list[float]]] = {key: {label: [] for label in labels} for key in pythons}
    for key, python in pythons.items():  # warm the file-system cache
        for code in codes[key].values():
            timed(python, code, env, cwd)
    for _ in range(repeats):
        for key, python in pythons.items():
            for label, code in codes[key].items():
                wall, inside = timed(python, code, env, cwd)
                samples[key][label].append(wall)
                samples[key][f"{label} inside"].append(inside)
    results = {key: {label: statistics.median(v) for label, v in cells.items()} for key, cells in samples.items()}
    for key, cells in samples.items():  # each round's difference from its own baseline (or from acme)
        for label in COMMANDS:
            base = "acme" if label == "acmewheels" else "bare"
            rounds = zip(cells[label], cells[base], strict=True)
            results[key][f"{label} over"] = statistics.median(a - b for a, b in rounds)
    return results


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
    parser.add_argument(
        "--against", type=Path, metavar="DIR", help="another installed modgate package folder, measured beside this one"
    )
    args = parser.parse_args()
    packages = {"this": installed_package()}
    if args.against is not None:
        if not (args.against / "__init__.py").is_file() or not (args.against / "_manifest.json").is_file():
            sys.exit(
                f"--against {args.against}: not an installed modgate package folder (it has no __init__.py"
                " and _manifest.json): pip install --no-deps --target <folder> <checkout>, then <folder>/modgate"
            )
        packages["against"] = args.against.resolve()
    rows = [
        "| modules | venv | modgate | baseline (ms) | import modgate + is_built × N, over the baseline (ms)"
        " | import acme + acme.is_built × N, over the baseline (ms) | the same, inside the process (ms)"
        " | an empty package, over the baseline (ms) | acme's modules in wheels of their own, over acme (ms)"
        " | entry_points(), over the baseline (ms) | one module imported (µs) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    ratios = [
        "| modules | venv | import modgate + is_built × N, this ÷ against (inside) | import acme + is_built × N,"
        " this ÷ against (inside) | the same, over the baseline, this ÷ against |",
        "|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp) / "cwd"  # an empty folder: nothing importable from the working directory
        cwd.mkdir()
        pythons = {
            (count, kind, which): make_venv(Path(tmp), package, count, kind, "" if which == "this" else "-against")
            for count in args.counts
            for kind in VENV_KINDS
            for which, package in packages.items()
        }
        results = measure(pythons, args.repeats, cwd)
        for (count, kind, which), cells in results.items():
            m = {label: value * 1e3 for label, value in cells.items()}
            rows.append(
                f"| {count} | {kind} | {which} | {m['bare']:.1f} | {m['modgate over']:.2f} | {m['acme over']:.2f}"
                f" | {m['acme inside']:.2f} | {m['empty over']:.2f} | {m['acmewheels over']:+.2f}"
                f" | {m['entry_points over']:.1f} | {(m['probe over'] - m['empty over']) * 1e3 / PROBE_MODULES:.0f} |"
            )
            print(rows[-1], file=sys.stderr)
            if which == "against":
                this = results[count, kind, "this"]
                ratios.append(
                    f"| {count} | {kind} | {this['modgate inside'] / cells['modgate inside']:.2f}"
                    f" | {this['acme inside'] / cells['acme inside']:.2f}"
                    f" | {this['acme over'] / cells['acme over']:.2f} |"
                )
        found: dict[str, tuple[list[str], list[str]]] = {}
        for kind in VENV_KINDS:
            python = pythons[args.counts[0], kind, "this"]
            baseline = imported(python, "pass", cwd)
            code = "import modgate; modgate.is_built('m0000')"
            found[kind] = baseline, [name for name in imported(python, code, cwd) if name not in baseline]
    print(
        f"Medians of {args.repeats} fresh processes per cell, interleaved; Python {sys.version.split()[0]}"
        f" ({sysconfig.get_platform()}); each count, kind and modgate in a venv of its own.\n"
    )
    print("\n".join(rows))
    if len(ratios) > 2:
        print(f"\nThis modgate against {packages['against']}, same rounds:\n")
        print("\n".join(ratios))
    for kind, (baseline, extra) in found.items():
        print(f"\nBaseline (`python -c pass`, `{kind}`) imports at start-up: {', '.join(baseline)}.")
        print(f"`import modgate` + `is_built()` imports beyond it: {', '.join(extra) or 'nothing'}.")


if __name__ == "__main__":
    main()
