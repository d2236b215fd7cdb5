"""Providers chosen at run time (``policy = "any"``), one command:
``python benchmarks/providers.py`` (with modgate, scikit-build-core and pybind11 installed).

For each shape (how many native providers, their priorities drawn from a seed), a
`modgate init` host with one capability ``blas`` of that many providers is built once;
then, in fresh processes, side by side:

- the first ``acme.provider("blas")`` (the choice: the order, each provider tried loaded,
  the winner's libraries, the registry's alias) against importing and loading that same
  provider with no choice (``require`` and ``load``): the difference is what choosing costs.
  Twice: the winner first in the host's ``prefer`` list (no plugin can outrank it, so no
  entry points are read), and that winner excluded by ``MODGATE_PREFER`` (the next by
  priority wins, after every installed distribution's entry points are read);
- after the first, ``modgate._core.lookup("acme:blas.gemm")`` (the C++ ``find_registered``
  a core calls, by the capability's name) against the provider's own name.

Each in a fresh ``python -m venv`` holding only modgate (the baseline rule), and in the
environment running the script (its distributions are what the scan reads).

Targets: the first choice of three providers within 1 ms of loading the winner alone; a
lookup by the capability's name after the first costs what a lookup by the provider's own
name costs. Prints Markdown to paste into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

MAINTAINERS = "Ada <ada@example.org>,Ben <ben@example.org>,Cy <cy@example.org>"

MEASURE = """
import json, sys, time, timeit
import modgate._core, acme
from modgate import _core, _loader
winner, mode = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if mode == "choice":
    acme.provider("blas")
else:
    _loader.host("acme").load_native(winner)
took = time.perf_counter() - start
out = {"ms": took * 1e3}
if mode == "choice":
    for name, key in (("capability", "acme:blas.gemm"), ("own", f"acme:{winner}.gemm")):
        assert _core.lookup(key) is not None, key
        out[name] = min(timeit.repeat(lambda key=key: _core.lookup(key), number=100_000, repeat=5)) / 100_000 * 1e9
print(json.dumps(out))
"""


def run(cmd: list[str], **kwargs: object) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return str(proc.stdout)


def host(root: Path, count: int, seed: int) -> tuple[Path, str, str]:
    """A `modgate init` host with ``count`` native providers of ``blas`` (priorities from
    ``seed``; the highest also first in ``prefer``), installed into a folder; returns it,
    the provider a choice picks and the one it picks with that one excluded."""
    project = root / "acme"
    run([sys.executable, "-m", "modgate", "init", str(project), "--package", "acme"])
    ranks = random.Random(seed).sample(range(-50, 50), count)
    best, runner_up = (f"p{ranks.index(r)}" for r in sorted(ranks, reverse=True)[:2])
    with (project / "pyproject.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'\n[tool.modgate.capabilities]\nblas = {{ policy = "any", prefer = ["{best}"] }}\n')
    for i, rank in enumerate(ranks):
        name = f"p{i}"
        run([sys.executable, "-m", "modgate", "new", name, "--native", "--maintainers", MAINTAINERS], cwd=project)
        toml = project / "modules" / name / "module.toml"
        head, sep, tail = toml.read_text(encoding="utf-8").partition("\n[")
        toml.write_text(f'{head}\nprovides = "blas"\npriority = {rank}{sep}{tail}', encoding="utf-8")
        with (project / "modules" / name / "src" / f"{name}.cc").open("a", encoding="utf-8") as source:
            source.write(f'\nstatic std::string gemm() {{ return "{name}"; }}\n')
            source.write(f'MODGATE_REGISTER_FUNCTION("{name}.gemm", gemm, "Which provider answered.");\n')
    site = root / "site"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps", "--target", str(site)]
    run([*pip, str(project)])
    return site, best, runner_up


def fresh_venv(root: Path) -> str:
    """A ``python -m venv`` holding only modgate (a copy of the installed package, as
    ``import_time.py`` makes it): the interpreter of the "fresh venv" rows."""
    venv = root / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    python = str(venv / "bin" / "python")
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip()
    package = Path(run([sys.executable, "-c", "import modgate, os; print(os.path.dirname(modgate.__file__))"]).strip())
    shutil.copytree(
        package, Path(purelib) / "modgate", ignore=shutil.ignore_patterns("__pycache__", "share", "include")
    )
    run([python, "-m", "compileall", "-q", purelib])
    return python


def measure(python: str, site: Path, winner: str, mode: str, prefer: str = "") -> dict[str, float]:
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "MODGATE_PREFER": prefer}
    return dict(json.loads(run([python, "-c", MEASURE, winner, mode], env=env, cwd=site)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", type=int, nargs="+", default=[3, 7], help="providers per host")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2], help="seeds of the priorities")
    parser.add_argument("--rounds", type=int, default=9, help="fresh processes per measurement")
    parser.add_argument(
        "--no-fresh-venv",
        dest="fresh_venv",
        action="store_false",
        help="measure in this environment only, not also in a fresh venv holding only modgate",
    )
    args = parser.parse_args()
    environments = {"this environment": sys.executable}
    keep = tempfile.TemporaryDirectory(prefix="modgate-providers-venv-")
    if args.fresh_venv:
        environments = {"fresh venv": fresh_venv(Path(keep.name)), **environments}
    rows = [
        "| providers, seed | environment | winner | first choice (ms) | the winner loaded alone (ms)"
        " | choosing costs (ms) | lookup by capability (ns) | by provider (ns) | ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for count in args.shapes:
        for seed in args.seeds:
            with tempfile.TemporaryDirectory(prefix="modgate-providers-") as tmp:
                site, best, runner_up = host(Path(tmp), count, seed)
                cases = {"first in prefer": (best, ""), "by priority, after the scan": (runner_up, f"blas:-{best}")}
                results = {}
                for where, python in environments.items():
                    for label, (winner, prefer) in cases.items():
                        choice, alone = [], []
                        for _ in range(args.rounds):  # alternated, so that drift hits both alike
                            choice.append(measure(python, site, winner, "choice", prefer))
                            alone.append(measure(python, site, winner, "alone", prefer))
                        results[f"{where} | {label}"] = (choice, alone)
            for label, (choice, alone) in results.items():
                first = statistics.median(c["ms"] for c in choice)
                base = statistics.median(a["ms"] for a in alone)
                by_cap = min(c["capability"] for c in choice)
                by_own = min(c["own"] for c in choice)
                rows.append(
                    f"| {count}, {seed} | {label} | {first:.2f} | {base:.2f} | {first - base:.2f} | {by_cap:.0f}"
                    f" | {by_own:.0f} | {by_cap / by_own:.2f}× |"
                )
    keep.cleanup()
    print("\n".join(rows))


if __name__ == "__main__":
    main()
