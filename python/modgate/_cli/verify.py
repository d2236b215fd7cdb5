"""``modgate verify``: build and test a host in each configuration ``modgate matrix`` gives.

One build folder is reused for every configuration of the tree (a ``removal`` gets a copy
of the tree without the deleted folders, and a build folder of its own); every module's
option is passed explicitly on each configure, so nothing a previous configuration set
leaks into the next. ccache is used when it is on ``PATH``. Against the build tree
(``<build>/python`` on ``PYTHONPATH``), every built native module is then imported and its
libraries loaded (the ``load`` phase), and the tests run: by default the core's
(``tests/core``, else ``tests``) and each enabled module's ``tests/``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .._configure.host import HostConfig
from .._configure.problems import ConfigurationError
from .._configure.registration import Registration
from .._configure.request import host_options
from .._names import PROBLEMS_FILE
from ._common import DIR_HELP
from ._matrix import Configuration, add_package_arguments, configurations

__all__ = ["Outcome", "main", "populate_parser", "run_configuration", "verify"]

_OUTPUT_TAIL = 4000
# The "load" phase: every built native module imported and its libraries loaded, as a user's
# first call would, against the build tree; a module that builds but does not load (an
# undefined symbol in its extension, a library not found) fails here, not for a user.
_LOAD_CHECK = """
import importlib, sys
package = sys.argv[1]
importlib.import_module(package)
from modgate import _loader
host = _loader.host(package)
names = host.native_modules()
failed = 0
for name in names:
    try:
        host.load_native(name)
    except ImportError as exc:
        failed += 1
        cause = f" ({exc.__cause__})" if exc.__cause__ is not None else ""
        print(f"{package}.modules.{name} is built but does not load: {exc}{cause}")
print(f"{len(names) - failed} of {len(names)} native modules load")
sys.exit(1 if failed else 0)
"""


@dataclass
class Outcome:
    config: Configuration
    failed_phase: str | None  # "configure", "build", "load", "tests" or None
    seconds: float
    output: str
    not_runnable: str | None = None  # why this machine cannot build it (a package missing): not a failure


def _missing_packages(build: Path) -> str | None:
    """Why a configure that failed did: when every problem the resolve step reported is a
    ``native.packages`` one (an ON module whose package this machine lacks), their messages;
    else ``None`` (a real failure)."""
    import json

    path = build / "modgate" / PROBLEMS_FILE  # <build>/modgate: modgate.cmake's work folder
    try:
        problems = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not problems or any(p.get("key") != "native.packages" for p in problems):
        return None
    return "; ".join(str(p["message"]) for p in problems)


_HUNG = "Timeout ("  # how pytest's faulthandler starts the dump of a test past its time limit
TIMED_OUT = -1  # _run's exit code for a phase stopped at its time limit


DEFAULT_TIMEOUT = 3600.0  # seconds per configuration
DEFAULT_TEST_TIMEOUT = 600.0  # seconds per test of the default test command


def _hung_test(output: str) -> str | None:
    """Where pytest's faulthandler found a test that ran past its time limit: the first
    frame of its dump (the innermost call of the hung thread), else ``None``."""
    hung = output.find(_HUNG)
    if hung < 0:
        return None
    header, *rest = output[hung:].splitlines()
    frames = (line.strip() for line in rest if line.strip().startswith("File "))
    return f"{header} {next(frames, '')}".strip()


def _seconds(text: str) -> float:
    """A positive number of seconds (an argparse type)."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def _run(
    cmd: Sequence[str] | str, *, cwd: Path, env: Mapping[str, str] | None = None, timeout: float | None = None
) -> tuple[int, str]:
    """A phase's exit code and the tail of its output; past ``timeout`` seconds the phase and
    every process it started are killed, and the code is :data:`TIMED_OUT`."""
    shell = isinstance(cmd, str)  # --test-command is a shell command line
    with subprocess.Popen(
        cmd,
        cwd=cwd,
        env=dict(env) if env else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        shell=shell,
        start_new_session=True,  # its own process group: a hung test's children go with it
    ) as proc:
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
            return TIMED_OUT, _tail(out or "")
    return proc.returncode, _tail(out or "")


def _tail(output: str) -> str:
    """The end of a phase's output; from pytest's "Timeout (" header on, when a test hung
    (the header and the hung thread's frames come before a long dump)."""
    hung = output.rfind(_HUNG)
    return output[hung : hung + _OUTPUT_TAIL] if hung >= 0 else output[-_OUTPUT_TAIL:]


def _source_for(config: Configuration, root: Path, settings: HostConfig, work: Path) -> Path:
    """The tree to build: ``root`` itself, or a copy without a removal's folders."""
    if not config.removed:
        return root
    copy = work / "sources" / config.name.replace(":", "-")
    shutil.rmtree(copy, ignore_errors=True)
    skip = {work.resolve()}
    module_roots = {(root / d).resolve() for d in settings.modules_dirs}

    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder).resolve()
        dropped = {n for n in names if n in (".git", "__pycache__", "build") or (here / n) in skip}
        if here in module_roots:
            dropped |= {n for n in names if n in config.removed}
        return dropped

    shutil.copytree(root, copy, ignore=ignore, symlinks=True)
    return copy


def _test_paths(
    source: Path, config: Configuration, settings: HostConfig, modules: Mapping[str, Registration]
) -> list[str]:
    core = source / "tests" / "core"
    paths = [str(core if core.is_dir() else source / "tests")]
    for name in sorted(config.on):
        folder = source / Path(modules[name].path).parent / "tests"
        if folder.is_dir():
            paths.append(str(folder))
    return paths


def run_configuration(
    config: Configuration,
    *,
    root: Path,
    settings: HostConfig,
    modules: Mapping[str, Registration],
    work: Path,
    test_command: str | None,
    extra_defines: Sequence[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
    test_timeout: float = DEFAULT_TEST_TIMEOUT,
) -> Outcome:
    """Configure, build, load and test ``config``; ``extra_defines`` (``NAME=VALUE``) go to
    every configure. The configuration stops after ``timeout`` seconds in all, and one test
    of the default test command after ``test_timeout`` (pytest's faulthandler then prints
    where every thread was): either is a failure of the phase it stopped."""
    start = time.perf_counter()
    source = _source_for(config, root, settings, work)
    build = work / ("tree" if not config.removed else config.name.replace(":", "-"))
    # Every option explicit, every time: nothing a previous configuration set carries over.
    defines = [
        f"-D{modules[n].option_for(settings.option_prefix)}={'ON' if n in config.on else 'OFF'}"
        for n in sorted(modules)
        if n not in config.removed
    ]
    defines.append("-DMODGATE_ALL_MODULES=")
    # Unset, so that a value the build folder kept cannot contradict the modules' own.
    kept = {n: r for n, r in modules.items() if n not in config.removed}
    try:
        hosted = host_options(kept, settings)
    except ConfigurationError:  # a setting naming only deleted modules: configure reports it
        hosted = host_options(kept, dataclasses.replace(settings, groups=(), capabilities=()))
    defines += [
        f"-D{option}=" for option in sorted({*hosted.groups.values(), *(c.option for c in hosted.provided.values())})
    ]
    defines += [f"-D{extra}" for extra in extra_defines]
    if shutil.which("ccache"):
        defines.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
    generator = [] if (build / "CMakeCache.txt").exists() or not shutil.which("ninja") else ["-G", "Ninja"]
    phases: list[tuple[str, Sequence[str] | str, Mapping[str, str] | None]] = [
        ("configure", ["cmake", "-S", str(source), "-B", str(build), *generator, *defines], None),
        ("build", ["cmake", "--build", str(build), "-j", str(os.cpu_count() or 2)], None),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODGATE_")}
    env["PYTHONPATH"] = str(build / "python")
    if not settings.is_plugin:  # a plugin's modules load through its host's entry points, not from a build tree
        phases.append(("load", [sys.executable, "-c", _LOAD_CHECK, settings.package], env))
    if test_command:
        phases.append(("tests", test_command, env))
    else:
        tests = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            f"faulthandler_timeout={test_timeout:g}",
            "-o",
            "faulthandler_exit_on_timeout=true",
            *_test_paths(source, config, settings, modules),
        ]
        phases.append(("tests", tests, env))
    output = ""
    for phase, cmd, phase_env in phases:
        left = timeout - (time.perf_counter() - start)
        code, output = _run(cmd, cwd=source, env=phase_env, timeout=max(left, 0.001))
        if code == TIMED_OUT:
            output += f"\nmodgate verify: stopped after {timeout:g} s for this configuration (--timeout)"
            return Outcome(config, f"{phase} (timed out)", time.perf_counter() - start, output)
        if code != 0:
            why = _missing_packages(build) if phase == "configure" else None
            if why is not None:
                return Outcome(config, None, time.perf_counter() - start, output, not_runnable=why)
            return Outcome(config, phase, time.perf_counter() - start, output)
    return Outcome(config, None, time.perf_counter() - start, output)


def _junit(outcomes: Sequence[Outcome], path: Path) -> None:
    from xml.etree import ElementTree as ET

    failures = sum(1 for o in outcomes if o.failed_phase)
    suite = ET.Element(
        "testsuite",
        name="modgate verify",
        tests=str(len(outcomes)),
        failures=str(failures),
        skipped=str(sum(1 for o in outcomes if o.not_runnable)),
        time=f"{sum(o.seconds for o in outcomes):.1f}",
    )
    for outcome in outcomes:
        case = ET.SubElement(suite, "testcase", classname="modgate.verify", name=outcome.config.name)
        case.set("time", f"{outcome.seconds:.1f}")
        if outcome.failed_phase:
            failure = ET.SubElement(case, "failure", message=f"{outcome.failed_phase} failed")
            failure.text = outcome.output
        elif outcome.not_runnable:
            ET.SubElement(case, "skipped", message=f"not runnable here: {outcome.not_runnable}")
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def verify(
    configs: Sequence[Configuration],
    *,
    root: Path,
    settings: HostConfig,
    modules: Mapping[str, Registration],
    work: Path,
    test_command: str | None,
    keep_going: bool,
    junit: Path | None,
    reproduce: Sequence[str],
    extra_defines: Sequence[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
    test_timeout: float = DEFAULT_TEST_TIMEOUT,
) -> int:
    """Build and test each configuration; 1 when any failed (one this machine cannot build,
    for a missing package, is reported apart and is no failure). ``reproduce`` is the
    command line that reruns one configuration when ``--only <name>`` is added."""
    outcomes: list[Outcome] = []
    for index, config in enumerate(configs, 1):
        print(f"[{index}/{len(configs)}] {config.name} ...", end=" ", flush=True)
        outcome = run_configuration(
            config,
            root=root,
            settings=settings,
            modules=modules,
            work=work,
            test_command=test_command,
            extra_defines=extra_defines,
            timeout=timeout,
            test_timeout=test_timeout,
        )
        outcomes.append(outcome)
        if outcome.not_runnable:
            print(f"not runnable here ({outcome.seconds:.1f} s): {outcome.not_runnable}", flush=True)
            continue
        if outcome.failed_phase is None:
            print(f"ok ({outcome.seconds:.1f} s)", flush=True)
            continue
        print(f"FAILED at {outcome.failed_phase} ({outcome.seconds:.1f} s)", flush=True)
        print("\n".join("    " + line for line in outcome.output.rstrip().splitlines()[-40:]))
        hung = _hung_test(outcome.output)
        if hung is not None:
            print(f"a test ran past --test-timeout and was stopped: {hung}", flush=True)
        print(f"reproduce: {shlex.join([*reproduce, '--only', config.name])}", flush=True)
        if not keep_going:
            break
    if junit is not None:
        _junit(outcomes, junit)
    width = max((len(o.config.name) for o in outcomes), default=0)
    print()
    print("configuration".ljust(width + 2) + "result")
    for outcome in outcomes:
        result = "ok" if outcome.failed_phase is None else f"FAILED at {outcome.failed_phase}"
        result = "not runnable here" if outcome.not_runnable else result
        print(f"{outcome.config.name:<{width}}  {result} ({outcome.seconds:.1f} s)")
    stopped = len(configs) - len(outcomes)
    failed = sum(1 for o in outcomes if o.failed_phase)
    unrunnable = [o.config.name for o in outcomes if o.not_runnable]
    passed = len(outcomes) - failed - len(unrunnable)
    print(f"modgate verify: {passed} passed, {failed} failed" + (f", {len(unrunnable)} skipped" if unrunnable else ""))
    if unrunnable:
        print(
            f"skipped: {', '.join(unrunnable)}: not runnable here, a package is missing on this machine"
            " (--packages-here leaves such configurations out)"
        )
    if stopped:
        print(f"{stopped} not run (stopped at the first failure; --keep-going runs all)")
    return 1 if failed else 0


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "verify",
        help="configure, build and test a host in each configuration of the strategies asked",
        description="One build folder reused, every option passed explicitly; a failing configuration prints the"
        " command that reruns it; exit 1 on any failure.",
    )
    parser.add_argument("dir", nargs="?", default=".", help=DIR_HELP)
    parser.add_argument("--strategy", default="each-off", help="as for modgate matrix (default: each-off)")
    parser.add_argument("--seed", type=int, default=0, help="for random:N")
    parser.add_argument("--shard", help="K/N: only the K-th of N disjoint parts")
    parser.add_argument("--only", action="append", metavar="NAME", help="only this configuration (repeatable)")
    parser.add_argument("--test-command", help="a shell command run instead of the default tests")
    parser.add_argument("--keep-going", action="store_true", help="run every configuration, not stop at a failure")
    parser.add_argument("--junit", help="write a JUnit XML report here")
    parser.add_argument("--build-dir", help="the build folder (default: <dir>/build/modgate-verify)")
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        help=f"seconds one configuration may take, from configure to its tests (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--test-timeout",
        type=_seconds,
        default=DEFAULT_TEST_TIMEOUT,
        help=f"seconds one test of the default test command may take (default {DEFAULT_TEST_TIMEOUT:g})",
    )
    add_package_arguments(parser)


def main(args: argparse.Namespace) -> int:
    root, settings, modules, configs, dropped = configurations(args)
    for text in dropped:
        print(f"dropped: {text}")
    reproduce = ["modgate", "verify", str(root), "--strategy", args.strategy, "--seed", str(args.seed)]
    if args.build_dir:
        reproduce += ["--build-dir", args.build_dir]
    if args.test_command:
        reproduce += ["--test-command", args.test_command]
    if args.packages_here:
        reproduce += ["--packages-here"]
    for define in args.define:
        reproduce += ["-D", define]
    if args.timeout != DEFAULT_TIMEOUT:
        reproduce += ["--timeout", f"{args.timeout:g}"]
    if args.test_timeout != DEFAULT_TEST_TIMEOUT:
        reproduce += ["--test-timeout", f"{args.test_timeout:g}"]
    work = Path(args.build_dir).resolve() if args.build_dir else root / "build" / "modgate-verify"
    return verify(
        configs,
        root=root,
        settings=settings,
        modules=modules,
        work=work,
        test_command=args.test_command,
        keep_going=args.keep_going,
        junit=Path(args.junit) if args.junit else None,
        reproduce=reproduce,
        extra_defines=args.define,
        timeout=args.timeout,
        test_timeout=args.test_timeout,
    )
