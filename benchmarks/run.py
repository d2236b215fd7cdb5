"""modgate's benchmarks, one command: ``python benchmarks/run.py`` (``--only`` picks sections).

(a) Translation units recompiled after flipping each module in an existing build
    directory (target: the module's own only, zero core units).
(b) Configure time with 10, 100 and 1000 synthetic modules, pure-Python and native,
    split into the resolver's share (both configure steps, run as CMake runs them) and
    CMake's share, interleaved with a core-only configure in the same run (target at
    1000 pure-Python modules: at most 1.5x the core-only configure).
(c) ``benchmarks/import_time.py``: import cost of modgate and of a host package in a
    ``venv --without-pip`` and a ``python -m venv`` (targets: 1 ms over the baseline at 50
    modules, 3 ms at 1000).
(d) ``benchmarks/native_calls.py``: registry calls and lookups against direct pybind11
    calls (target: 1.5x on a short input).
(e) ``modgate check`` on hosts of 10, 100 and 1000 modules (target: 5 s at 1000).
(f) ``benchmarks/pairwise.py``: ``modgate matrix --strategy pairwise`` on a family of
    random graphs (five shapes of fan-in, depth and conflicts; 10 to 2000 modules; two
    seeds) beside the generator it replaced and covertable (targets on the fan-in 3, n/20
    shape: 35 configurations at 200 modules, 60 at 1000, 10 s; never more than covertable).
(g) ``modgate verify --strategy each-off`` on this tree against one clean build and test
    run (target: translation units across the matrix <= 1.5x one full build).
(h) ``pip install --no-build-isolation . -C cmake.define.<option>=OFF`` after a first
    install of a ``modgate init`` host with 6 and 12 native modules: in the build folder
    the template keeps (``build-dir``), against a fresh one (``-C build-dir=``), toggles
    interleaved, ccache off (target: the toggle well under the fresh build).
(i) ``modgate wheels`` (the core wheel and one wheel per module, from one build) against
    one ``pip wheel .`` of the same tree, each in a fresh build folder, interleaved, ccache
    off, on this tree and on ``modgate init`` hosts with 6 and 12 native modules (target:
    at most 1.3x); auditwheel's repair timed apart. The import side of module wheels is a
    column of (c).
(j) ``modgate twins`` on synthetic hosts of 10, 100 and 1000 modules with planted copies
    (a function copied into another module with its names changed), two seeds: time,
    copies found of those planted, pairs reported that were not planted (target: 10 s at
    1000).
(k) Requests on VTK's real graph (``tests/fixtures/vtk``): for modules drawn with two
    seeds (and the five deepest), the flags and configure rounds ``modgate plan`` needs for
    "this module on" and "the core, this module and what it needs", and a refused request's
    one fix line run once; ``modgate plan`` time beside VTK's own ``vtk_module_scan`` on
    the same files, same run (targets: 1 flag and 1 round; at most 2 flags; every fix line
    passes; plan 0.5 s).
(l) Large inputs (``--only size``): a 10 MB source, a 300,000-entry list.
(m) ``benchmarks/providers.py``: a capability of policy any with 3 and 7 native
    providers, two seeds of priorities: the first choice against loading the winner alone,
    and a lookup by the capability's name after it against one by the provider's (targets:
    choosing costs at most 1 ms with three providers; the lookups cost the same).

Prints Markdown tables to paste into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
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
    """Both configure steps, run as CMake runs them (no find_package results)."""
    common = ["--project-dir", str(ROOT), "--extra-dirs", str(modules), *OWN_OFF_ARGS]
    common += ["--cache", str(out / "registrations.pickle")]
    start = time.perf_counter()
    sh([sys.executable, "-S", str(CONFIGURE), "declare", *common, "--out", str(out / "declare.cmake")])
    sh(
        [
            *(sys.executable, "-S", str(CONFIGURE), "resolve", *common),
            *("--out", str(out / "modules.cmake"), "--manifest", str(out / "m.json")),
            *("--guard-dir", str(out / "guard"), "--generated-dir", str(out / "gen")),
        ]
    )
    return time.perf_counter() - start


def file_system_cost(work: Path) -> str:
    """What one folder and one small file cost here: configure of native modules writes
    several of each per module, so a slow disk shows in (b)."""
    scratch = work / "fs"
    scratch.mkdir()
    start = time.perf_counter()
    for i in range(500):
        (scratch / f"d{i}").mkdir()
    middle = time.perf_counter()
    for i in range(500):
        (scratch / f"d{i}" / "f").write_text("x")
    end = time.perf_counter()
    shutil.rmtree(scratch)
    return f"{(middle - start) / 500 * 1e6:.0f} µs per new folder, {(end - middle) / 500 * 1e6:.0f} µs per new file"


def plain_cmake(root: Path, count: int) -> Path:
    """A project of ``count`` shared libraries and nothing else (one source each, linked to
    one base library, one install rule each): what CMake alone costs for as many targets."""
    project = root / f"plain{count}"
    (project / "src").mkdir(parents=True)
    lines = ["cmake_minimum_required(VERSION 3.21)", "project(plain LANGUAGES CXX)"]
    lines.append("add_library(base SHARED src/base.cc)")
    (project / "src" / "base.cc").write_text("int base() { return 0; }\n")
    for i in range(count):
        (project / "src" / f"m{i}.cc").write_text(f"int m{i}() {{ return {i}; }}\n")
        lines.append(f"add_library(m{i} SHARED src/m{i}.cc)")
        lines.append(f"target_link_libraries(m{i} PRIVATE base)")
        lines.append(f"install(TARGETS m{i} LIBRARY DESTINATION lib/m{i} COMPONENT m{i})")
    (project / "CMakeLists.txt").write_text("\n".join(lines) + "\n")
    return project


def entries(folder: Path) -> tuple[int, int]:
    """Folders and files below ``folder``."""
    dirs = files = 0
    for _, subdirs, names in os.walk(folder):
        dirs += len(subdirs)
        files += len(names)
    return dirs, files


def bench_configure(work: Path, counts: list[int], repeats: int) -> str:
    """Fresh configures, interleaved (core-only, then each variant, ``repeats`` rounds), so
    a slow spell of the machine hits every column alike; medians. Beside each native count,
    a plain CMake project of as many shared libraries, and what each module adds to the
    build folder."""
    own_off = {f"USE_MODULE_{name.upper()}": "OFF" for name in own_modules()}
    variants = [(count, native, synthetic(work, count, native)) for count in counts for native in (False, True)]
    plains = {count: plain_cmake(work, count) for count in counts}
    base: list[float] = []
    base_entries = (0, 0)
    totals: dict[tuple[int, bool], list[float]] = {(c, n): [] for c, n, _ in variants}
    resolvers: dict[tuple[int, bool], list[float]] = {(c, n): [] for c, n, _ in variants}
    added: dict[tuple[int, bool], tuple[int, int]] = {}
    plain_times: dict[int, list[float]] = {count: [] for count in counts}
    for r in range(repeats):
        base.append(configure(work / f"base{r}", own_off))
        base_entries = entries(work / f"base{r}")
        for count, native, modules in variants:
            build = work / f"b{count}{native}-{r}"
            totals[count, native].append(configure(build, own_off | {"MODGATE_EXTRA_MODULE_DIRS": str(modules)}))
            dirs, files = entries(build)
            added[count, native] = (dirs - base_entries[0], files - base_entries[1])
            scratch = work / f"r{count}{native}-{r}"
            scratch.mkdir()
            resolvers[count, native].append(resolver_time(modules, scratch))
            shutil.rmtree(build, ignore_errors=True)
            shutil.rmtree(scratch, ignore_errors=True)
            if native:
                start = time.perf_counter()
                sh(["cmake", "-S", str(plains[count]), "-B", str(work / f"p{count}-{r}"), "-G", "Ninja"])
                plain_times[count].append(time.perf_counter() - start)
                shutil.rmtree(work / f"p{count}-{r}", ignore_errors=True)
        shutil.rmtree(work / f"base{r}", ignore_errors=True)
    baseline = statistics.median(base)
    rows = [
        f"File system of the work folder ({work}), same run: {file_system_cost(work)}.",
        "",
        f"Core-only configure (modgate's own modules off, no synthetic modules), same run: {baseline:.2f} s"
        f" (median of {repeats}, interleaved with the rows below). Each row: the same core plus N synthetic"
        " modules, all enabled; the folders and files each module adds to the build folder; and a plain"
        " CMake project of N shared libraries (one source, one link, one install rule each), configured in the"
        " same rounds.",
        "",
        "| modules | kind | configure (s) | resolver (s) | CMake (s) | resolver share | configure ÷ core-only"
        " | folders, files per module | plain CMake, N libraries (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for count, native, _ in variants:
        total, resolver = statistics.median(totals[count, native]), statistics.median(resolvers[count, native])
        dirs, files = added[count, native]
        plain = f"{statistics.median(plain_times[count]):.2f}" if native else ""
        rows.append(
            f"| {count} | {'native' if native else 'pure Python'} | {total:.2f} | {resolver:.2f}"
            f" | {total - resolver:.2f} | {resolver / total:.0%} | {total / baseline:.2f}×"
            f" | {dirs / count:.1f}, {files / count:.1f} | {plain} |"
        )
    return "\n".join(rows)


def check_tree(root: Path, count: int) -> Path:
    """A host project with ``count`` modules, each with a C++ source including its
    requirement's header and a Python file importing it (what ``modgate check`` reads)."""
    project = root / f"check{count}"
    (project / "src").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "bench"\nversion = "1.0"\n\n[tool.modgate]\npackage = "bench"\n'
    )
    (project / "src" / "core.cc").write_text("#include <modgate/registry.h>\nint core() { return 0; }\n")
    for i in range(count):
        name = f"m{i:04d}"
        dep = f"m{i - 1:04d}" if i % 10 else ""
        folder = project / "modules" / name
        (folder / "src").mkdir(parents=True)
        (folder / "python").mkdir()
        (folder / "include" / "bench" / name).mkdir(parents=True)
        requires = f'requires = ["{dep}"]\n' if dep else ""
        (folder / "module.toml").write_text(
            f'name = "{name}"\nsummary = "module {i}"\nstage = "S1"\nmaintainers = ["@bench"]\n{requires}[native]\n'
        )
        (folder / "include" / "bench" / name / "api.h").write_text(f"int {name}();\n")
        include = f"#include <bench/{dep}/api.h>\n" if dep else ""
        (folder / "src" / f"{name}.cc").write_text(
            f"{include}#include <bench/{name}/api.h>\nint {name}() {{ return {i}; }}\n"
        )
        imports = f"from bench.modules import {dep}\n" if dep else ""
        (folder / "python" / "__init__.py").write_text(f"import os\n{imports}VALUE = {i}\n")
    return project


def bench_check(work: Path, counts: list[int], repeats: int) -> str:
    """``modgate check`` on synthetic hosts, each a fresh process; medians."""
    rows = ["| modules | files read | modgate check (s) | per module (ms) |", "|---|---|---|---|"]
    for count in counts:
        project = check_tree(work, count)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "modgate", "check", str(project)], capture_output=True, text=True
            )
            times.append(time.perf_counter() - start)
            if proc.returncode != 0:
                sys.exit(
                    f"modgate check found problems in the synthetic host:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
                )
        median = statistics.median(times)
        rows.append(f"| {count} | {1 + 4 * count} | {median:.2f} | {median / count * 1e3:.1f} |")
    return "\n".join(rows)


def _compiled_units(build_dir: Path) -> int:
    """Object files ninja built in ``build_dir`` over its whole life (its .ninja_log)."""
    log = build_dir / ".ninja_log"
    lines = log.read_text().splitlines()[1:] if log.is_file() else []
    return sum(1 for line in lines if line.split("\t")[-2:-1] and line.split("\t")[3].endswith(".o"))


def bench_verify(work: Path) -> str:
    """``modgate verify --strategy each-off`` on this tree against one clean build and one
    test run of the same tests, in the same run."""
    clean = work / "verify-clean"
    start = time.perf_counter()
    configure(clean, {})
    sh(["cmake", "--build", str(clean), "-j2"])
    tests = [str(ROOT / "tests" / "core"), *(str(p) for p in sorted((ROOT / "modules").glob("*/tests")))]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODGATE_")}
    env["PYTHONPATH"] = str(clean / "python")
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    once = time.perf_counter() - start
    full = _compiled_units(clean)
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "modgate",
            "verify",
            str(ROOT),
            "--strategy",
            "each-off",
            "--build-dir",
            str(work / "v"),
        ],
        capture_output=True,
        text=True,
    )
    matrix = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"modgate verify failed:\n{proc.stdout[-3000:]}")
    units = _compiled_units(work / "v" / "tree")
    configs = len(own_modules())
    return "\n".join(
        [
            "| | configurations | wall time (s) | translation units compiled |",
            "|---|---|---|---|",
            f"| one clean build + one test run | 1 | {once:.1f} | {full} |",
            f"| `modgate verify --strategy each-off` | {configs} | {matrix:.1f} | {units} |",
            f"| ratio | | {matrix / once:.2f}× | {units / full:.2f}× |",
        ]
    )


def _pip_host(work: Path, natives: int) -> tuple[Path, list[str]]:
    """A ``modgate init`` host with ``natives`` native modules (greeter's and more)."""
    host = work / f"pip-host-{natives}"
    sh([sys.executable, "-m", "modgate", "init", str(host), "--package", f"bench{natives}"])
    names = ["greeter"]
    for i in range(natives - 1):
        name = f"native_{i:02d}"
        proc = subprocess.run(
            [sys.executable, "-m", "modgate", "new", name, "--native", "--stage", "S1", "--maintainer", "octocat"],
            cwd=host,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            sys.exit(proc.stderr)
        names.append(name)
    return host, names


def _pip_install(host: Path, target: Path, env: dict[str, str], *config: str) -> float:
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps", "--upgrade"]
    start = time.perf_counter()
    proc = subprocess.run([*cmd, "--target", str(target), *config, str(host)], capture_output=True, env=env)
    if proc.returncode != 0:
        sys.exit(proc.stderr.decode()[-3000:])
    return time.perf_counter() - start


def bench_pip_toggle(work: Path, counts: list[int], seed: int = 7) -> str:
    rows = [
        "| native modules | first install (s) | toggle, kept build folder (s) | toggle, fresh folder (s) | ratio |",
        "|---|---|---|---|---|",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCACHE")} | {"CCACHE_DISABLE": "1"}
    rng = random.Random(seed)
    for natives in counts:
        host, names = _pip_host(work, natives)
        target, elsewhere = work / f"pip-site-{natives}", work / f"pip-fresh-{natives}"
        first = _pip_install(host, target, env)
        kept, fresh = [], []
        for _ in range(3):  # interleaved: each toggle in both folders, a module chosen at random
            option = f"cmake.define.USE_MODULE_{rng.choice(names).upper()}=OFF"
            kept.append(_pip_install(host, target, env, "-C", option))
            fresh.append(_pip_install(host, elsewhere, env, "-C", option, "-C", "build-dir="))
            _pip_install(host, target, env)  # back to all on, in the kept folder
        k, f = statistics.median(kept), statistics.median(fresh)
        rows.append(f"| {natives} | {first:.1f} | {k:.1f} | {f:.1f} | {k / f:.2f}× |")
    return "\n".join(rows)


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return time.perf_counter() - start


def bench_wheels(work: Path, counts: list[int], repeats: int = 2) -> str:
    rows = [
        "| host | native modules | pip wheel . (s) | modgate wheels (s) | ratio | wheels written"
        " | auditwheel repair (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCACHE", "MODGATE_"))} | {"CCACHE_DISABLE": "1"}
    hosts = [("this tree", ROOT, sum(1 for _ in ROOT.glob("modules/*/src")))]
    for natives in counts:
        host, _ = _pip_host(work, natives)
        hosts.append((f"`modgate init` + {natives - 1}", host, natives))
    for label, host, natives in hosts:
        one, split = [], []
        for round_ in range(repeats):  # interleaved, each in a fresh build folder
            tag = f"{natives}-{round_}"
            out = work / f"one-{tag}"
            pip = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out)]
            one.append(_timed([*pip, "-C", f"build-dir={work / f'one-build-{tag}'}", str(host)], env))
            modgate = [sys.executable, "-m", "modgate", "wheels", str(host), "--no-build-isolation", "--repair", "no"]
            dist = work / f"split-{tag}"
            split.append(_timed([*modgate, "--out", str(dist), "--build-dir", str(work / f"split-build-{tag}")], env))
        written = len(list(dist.glob("*.whl")))
        repair = "-"
        if shutil.which("auditwheel") or importlib.util.find_spec("auditwheel"):
            again = work / f"repaired-{natives}"
            cmd = [sys.executable, "-m", "modgate", "wheels", str(host), "--no-build-isolation", "--repair", "yes"]
            with_repair = _timed(
                [*cmd, "--out", str(again), "--build-dir", str(work / f"split-build-{natives}-0")], env
            )
            without = _timed(
                [*cmd[:-1], "no", "--out", str(again), "--build-dir", str(work / f"split-build-{natives}-0")], env
            )
            repair = f"{with_repair - without:.1f}"
        o, m = statistics.median(one), statistics.median(split)
        rows.append(f"| {label} | {natives} | {o:.1f} | {m:.1f} | {m / o:.2f}× | {written} | {repair} |")
    return "\n".join(rows)


_STATEMENTS = (
    "{a} {op}= {b} {op2} {k};",
    "if ({a} {cmp} {k}) {{ {b} {op}= {a}; }}",
    "for (int {i} = 0; {i} {cmp} {k}; ++{i}) {{ {a} {op}= {i} {op2} {b}; }}",
    "{b} = {a} {cmp} {b} ? {a} {op} {k} : {b} {op2} {k};",
    "while ({a} {cmp} {k}) {{ {a} {op}= 2; {b} += 1; }}",
    "{out}.push_back({a} {op} {b});",
    "if ({out}.size() {cmp} {k}) {{ {out}.pop_back(); }} else {{ {a} = {b} {op} {k}; }}",
    "{b} = {call}({a}, {b}) {op} {k};",
    "switch ({a} % {k}) {{ case 0: {b} {op}= 1; break; default: {a} {op2}= 2; }}",
    "{out}.insert({out}.begin(), {b} {op2} {a});",
    "do {{ {b} {op}= {k}; }} while ({b} {cmp} {a});",
    "if (!{out}.empty()) {{ {a} = {out}.back() {op} {b}; }}",
)
_OPS = ("+", "*", "/", "%", "^", "|", "&", "<<", ">>")
_CMPS = ("<", ">", "<=", ">=", "==", "!=")


def _function(rng: random.Random, name: str, names: dict[str, str], length: int) -> str:
    body = []
    for _ in range(length):
        template = rng.choice(_STATEMENTS)
        fill = {"op": rng.choice(_OPS), "op2": rng.choice(_OPS), "cmp": rng.choice(_CMPS), "k": rng.randint(2, 99)}
        body.append("  " + template.format(**names, **fill))
    head = f"std::vector<int> {name}(int {names['a']}, int {names['b']}) {{\n  std::vector<int> {names['out']};"
    return head + "\n" + "\n".join(body) + f"\n  return {names['out']};\n}}\n"


def _names(rng: random.Random) -> dict[str, str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    keys = ("a", "b", "i", "out", "call")
    return {key: "".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for key in keys}


def twins_tree(root: Path, count: int, seed: int) -> set[tuple[str, str]]:
    """A host of ``count`` modules, each with two unrelated generated functions; one module
    in ten also holds a copy of another module's first function, its names changed.
    Returns the planted pairs (file, file)."""
    rng = random.Random(seed)
    (root / "modules").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "twinhost"\n[tool.modgate]\npackage = "twinhost"\n')
    firsts: list[tuple[str, object, int]] = []
    copies: dict[str, list[str]] = {}
    planted: set[tuple[str, ...]] = set()
    for index in range(count):
        name = f"m{index:04d}"
        folder = root / "modules" / name
        (folder / "src").mkdir(parents=True)
        (folder / "module.toml").write_text(
            f'name = "{name}"\nsummary = "m"\nstage = "S1"\nmaintainers = ["owner{index}"]\n[native]\n'
        )
        state = rng.getstate()
        first_names, length = _names(rng), rng.randint(8, 16)
        text = "#include <vector>\n\n" + _function(rng, f"f{index}", first_names, length)
        text += "\n" + _function(rng, f"g{index}", _names(rng), rng.randint(4, 12))
        if firsts and rng.random() < 0.1:
            # A copy of an earlier module's first function: same statements, other names.
            source, source_state, source_length = firsts[rng.randrange(len(firsts))]
            assert isinstance(source_state, tuple)
            copy_rng = random.Random()
            copy_rng.setstate(source_state)
            _names(copy_rng), copy_rng.randint(8, 16)  # the source's own draws, to repeat its statements
            text += "\n" + _function(copy_rng, f"copied{index}", _names(rng), source_length)
            copies.setdefault(source, []).append(name)
        (folder / "src" / f"{name}.cc").write_text(text)
        firsts.append((name, state, length))
    # Every two holders of one function are twins: the source and each copy, and two copies.
    for source, names in copies.items():
        files = [f"modules/{n}/src/{n}.cc" for n in [source, *names]]
        planted.update(tuple(sorted((a, b))) for i, a in enumerate(files) for b in files[i + 1 :])
    return planted  # type: ignore[return-value]


def bench_twins(work: Path, counts: list[int], seeds: tuple[int, ...] = (1, 2)) -> str:
    import json

    rows = [
        "| modules | seed | files | twin pairs planted | found | pairs not planted | modgate twins (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for count in counts:
        for seed in seeds:
            root = work / f"twins-{count}-{seed}"
            planted = twins_tree(root, count, seed)
            start = time.perf_counter()
            out = sh([sys.executable, "-m", "modgate", "twins", str(root), "--format", "json"]).stdout
            seconds = time.perf_counter() - start
            found = {tuple(sorted((t["a"]["path"], t["b"]["path"]))) for t in json.loads(out)}
            rows.append(
                f"| {count} | {seed} | {count} | {len(planted)} | {len(found & planted)} | {len(found - planted)}"
                f" | {seconds:.2f} |"
            )
    return "\n".join(rows)


def _plan(host: Path, values: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    flags = [arg for name, value in values.items() for arg in ("-D", f"{name}={value}")]
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "modgate", "plan", str(host), *flags], capture_output=True, text=True)
    return time.perf_counter() - start, proc


def bench_requests(work: Path, seeds: tuple[int, ...] = (1, 2), per_seed: int = 5) -> str:
    """Requests on VTK's graph as VTK's users make them; each ``modgate plan`` a fresh process."""
    import shlex
    import tomllib

    host = ROOT / "tests" / "fixtures" / "vtk"
    data = {p.parent.name: tomllib.loads(p.read_text()) for p in host.glob("modules/*/module.toml")}

    def closure(name: str) -> set[str]:
        seen, stack = set(), [name]
        while stack:
            if (n := stack.pop()) not in seen:
                seen.add(n)
                stack += data[n].get("requires", [])
        return seen

    def option(name: str) -> str:
        return data[name].get("option", f"VTK_MODULE_ENABLE_VTK_{name.upper()}")

    deepest = sorted(data, key=lambda n: (-len(closure(n)), n))[:per_seed]
    picked = list(deepest)
    for seed in seeds:
        picked += random.Random(seed).sample(sorted(set(data) - set(picked)), per_seed)
    times, rows, failures = [], [], 0
    for name in picked:
        one, proc = _plan(host, {option(name): "ON"})
        times.append(one)
        two, alone = _plan(host, {"MODGATE_ALL_MODULES": "IF_NEEDED", option(name): "ON"})
        built = {line.split()[0] for line in alone.stdout.splitlines()[2:] if line.split()[1:2] == ["ON"]}
        # A refused request: the module on, and one of its requirements set off by mistake.
        needed = sorted(closure(name) - {name, "commoncore", "commondatamodel", "loguru"})
        refused_rounds = "-"
        if needed:
            _t, refused = _plan(host, {option(name): "ON", option(needed[-1]): "OFF"})
            line = next((t for t in refused.stderr.splitlines() if "fix all at once:" in t), "")
            again = (
                subprocess.run(
                    [sys.executable, "-m", *shlex.split(line.split("fix all at once: ", 1)[1])],
                    capture_output=True,
                    text=True,
                )
                if line
                else None
            )
            refused_rounds = "1" if again is not None and again.returncode == 0 else "failed"
            failures += refused_rounds != "1"
        rows.append(
            f"| {name} | {len(closure(name))} | {1 if proc.returncode == 0 else 'refused'} |"
            f" {2 if built == closure(name) else 'differs'} | {refused_rounds} | {one:.2f} | {two:.2f} |"
        )
    scan_times = []
    for r in range(3):
        start = time.perf_counter()
        sh(["cmake", "-S", str(host / "reference"), "-B", str(work / f"vtkscan{r}")])
        scan_times.append(time.perf_counter() - start)
    plan, scan = statistics.median(times), statistics.median(scan_times)
    head = [
        f"VTK's graph: {len(data)} modules. Modules: the five with the most requirements, then {per_seed} drawn"
        f' with each of the seeds {", ".join(map(str, seeds))}. Flags: what `modgate plan` needs for "this'
        ' module on" (and whether it configured), and for "the core, this module and what it needs" (whether'
        " exactly that was built). Fix rounds: the module on and one of its requirements set OFF, then the"
        f" printed fix line run once. Fix lines that failed: {failures}.",
        "",
        f"`modgate plan` (a fresh process, median of {len(times)}): {plan:.2f} s; VTK's own `vtk_module_scan` on"
        f" the same files (a fresh CMake configure, median of 3): {scan:.2f} s; ratio {plan / scan:.2f}×.",
        "",
        "| module | modules it needs | flags: it on | flags: core + it | fix rounds | plan, 1 flag (s)"
        " | plan, 2 flags (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    return "\n".join(head + rows)


def _measured(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak resident MB of ``cmd``, a fresh process (GNU time's report)."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True, cwd=cwd)
    seconds = time.perf_counter() - start
    return seconds, int(proc.stderr.strip().splitlines()[-1]) / 1024


def bench_size(work: Path, seeds: tuple[int, ...] = (1, 2)) -> str:
    """``check`` and ``twins`` with one large generated source, ``plan`` with one long list,
    each beside the same host without it, in the same run (``modgate init``'s host)."""
    rows = []
    for seed in seeds:
        rng = random.Random(seed)
        host = work / f"size{seed}"
        sh([sys.executable, "-m", "modgate", "init", str(host), "--package", "acme"])
        module = sorted(p.parent for p in (host / "modules").glob("*/module.toml"))[0]
        toml = module / "module.toml"
        plain = toml.read_text(encoding="utf-8")
        for megabytes in (2, 10):
            big = module / "src" / "generated.cc"
            big.parent.mkdir(exist_ok=True)
            lines, size, i = [], 0, 0
            while size < megabytes * 1_000_000:  # functions of varied shape, as a generator writes them
                line = f"int g{i}_{rng.randrange(10**6)}(int x) {{ return x * {rng.randrange(997)} + {i % 7}; }}\n"
                lines.append(line)
                size += len(line)
                i += 1
            for command in ("check", "twins"):
                big.unlink(missing_ok=True)
                base = _measured([sys.executable, "-m", "modgate", command, "."], host)
                big.write_text("".join(lines), encoding="utf-8")
                large = _measured([sys.executable, "-m", "modgate", command, "."], host)
                rows.append((seed, f"`{command}`, one {megabytes} MB source", base, large))
            big.unlink()
        for count in (30_000, 300_000):
            names = ", ".join(f'"m{rng.randrange(10**9)}_{i}"' for i in range(count))
            toml.write_text(plain, encoding="utf-8")
            base = _measured([sys.executable, "-m", "modgate", "plan", "."], host)
            toml.write_text(plain.replace("stage = ", f"conflicts = [{names}]\nstage = ", 1), encoding="utf-8")
            large = _measured([sys.executable, "-m", "modgate", "plan", "."], host)
            rows.append((seed, f"`plan`, a {count:,}-entry list", base, large))
        toml.write_text(plain, encoding="utf-8")
    head = [
        "A `modgate init` host, per seed; each command a fresh process, without the large input and with it,"
        " one after the other. Targets: `check` and `twins` with a 10 MB source under 5 s and 500 MB; `plan`"
        " with a 300,000-entry list under 2 s.",
        "",
        "| seed | input | without (s, MB) | with (s, MB) | time ratio |",
        "|---|---|---|---|---|",
    ]
    body = [
        f"| {seed} | {what} | {b[0]:.2f}, {b[1]:.0f} | {w[0]:.2f}, {w[1]:.0f} | {w[0] / b[0]:.2f}× |"
        for seed, what, b, w in rows
    ]
    return "\n".join(head + body)


SECTIONS = {
    "toggles": "(a) Recompiled translation units after flipping one module",
    "configure": "(b) Configure time with synthetic modules",
    "import": "(c) Import cost in a clean venv",
    "calls": "(d) Native calls by name",
    "check": "(e) modgate check on synthetic hosts",
    "matrix": "(f) modgate matrix: pairwise size and time",
    "verify": "(g) modgate verify each-off on this tree",
    "pip": "(h) pip install toggles in a kept build folder",
    "wheels": "(i) modgate wheels against one pip wheel",
    "twins": "(j) modgate twins on synthetic hosts with planted copies",
    "requests": "(k) Requests on VTK's graph: flags, rounds, plan time",
    "size": "(l) Large inputs: a 10 MB source, a 300,000-entry list",
    "providers": "(m) Providers chosen at run time: the first choice, and lookups after it",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=sorted(SECTIONS), help="run these sections (default: all)")
    parser.add_argument("--counts", type=int, nargs="+", default=[10, 100, 1000], help="(b), (e): module counts")
    parser.add_argument("--repeats", type=int, default=3, help="(b), (e): runs per cell")
    parser.add_argument("--work-dir", type=Path, help="where to build (default: a temporary folder)")
    args = parser.parse_args()
    chosen = args.only or list(SECTIONS)
    work = Path(tempfile.mkdtemp(prefix="modgate-bench-", dir=args.work_dir))
    here = Path(__file__).resolve().parent
    try:
        for section in SECTIONS:
            if section not in chosen:
                continue
            print(f"## {SECTIONS[section]}\n", flush=True)
            if section == "toggles":
                print(bench_toggles(work))
            elif section == "configure":
                print(bench_configure(work, args.counts, args.repeats))
            elif section == "check":
                print(bench_check(work, args.counts, args.repeats))
            elif section == "verify":
                print(bench_verify(work))
            elif section == "pip":
                print(bench_pip_toggle(work, [6, 12]))
            elif section == "wheels":
                print(bench_wheels(work, [6, 12]))
            elif section == "twins":
                print(bench_twins(work, [10, 100, 1000]))
            elif section == "requests":
                print(bench_requests(work))
            elif section == "size":
                print(bench_size(work))
            else:  # each its own script, run in a fresh interpreter
                scripts = {"import": "import_time.py", "matrix": "pairwise.py", "providers": "providers.py"}
                script = here / scripts.get(section, "native_calls.py")
                subprocess.run([sys.executable, str(script)], check=True, cwd=work)
            print(flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
