"""Module wheels: this repository and a `modgate init` host, each built once into a core
wheel and one wheel per module, then installed into fresh venvs from those folders only
(``--no-index``): the core alone passes the core's tests, each extra adds exactly its
module and what it requires, a missing or mismatched module wheel is refused with the
pip command that fixes it, and a plugin builds on a module installed from its wheel."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
import venv
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from modgate._cli._wheelfile import metadata_field, metadata_fields, read_wheel
from modgate._names import MODULE_RECORD_NAME, MODULE_WHEELS_VARIABLE, extra_name, module_distribution
from tests.helpers import FIXTURES, ROOT
from tests.integration.cmake_builds import check, doctored, own_modules, run

pytestmark = pytest.mark.build

PACKAGE = "modgate"
REPAIRED = sys.platform.startswith("linux") and (
    importlib.util.find_spec("auditwheel") is not None or shutil.which("auditwheel") is not None
)


def closure(name: str, requires: dict[str, tuple[str, ...]]) -> set[str]:
    found, todo = set(), [name]
    while todo:
        here = todo.pop()
        if here not in found:
            found.add(here)
            todo.extend(requires[here])
    return found


def python_requirements(root: Path) -> list[str]:
    """Every module's python.requires, read from the registration files."""
    found = []
    for toml in sorted((root / "modules").glob("*/module.toml")):
        found += tomllib.loads(toml.read_text(encoding="utf-8")).get("python", {}).get("requires", [])
    return found


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MODGATE_", "PYTHON"))}
    return env | extra


class Venv:
    """A fresh ``python -m venv`` that installs only from the given folders."""

    def __init__(self, path: Path, finds: Sequence[Path], *, system_site: bool = False) -> None:
        venv.create(path, with_pip=True, system_site_packages=system_site)
        self.python = path / "bin" / "python"
        self.finds = [arg for folder in finds for arg in ("--find-links", str(folder))]

    def pip(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        proc = run([str(self.python), "-m", "pip", *args], env=clean_env())
        return check(proc) if ok else proc

    def install(self, *requirements: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return self.pip("install", "-q", "--no-index", *self.finds, *requirements, ok=ok)

    def installed(self) -> set[str]:
        listed = json.loads(self.pip("list", "--format", "json").stdout)
        return {item["name"].lower().replace("_", "-") for item in listed} - {"pip", "setuptools"}

    def run(self, code: str, *, cwd: Path | None = None, ok: bool = True) -> subprocess.CompletedProcess[str]:
        proc = run([str(self.python), "-c", textwrap.dedent(code)], env=clean_env(), cwd=cwd or self.python.parent)
        return check(proc) if ok else proc

    def json(self, code: str) -> object:
        return json.loads(self.run(code).stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the fresh venvs need besides the wheels under test: packaging, the test
    dependencies and the modules' Python requirements, downloaded from the package index once."""
    where = tmp_path_factory.mktemp("wheelhouse")
    # The test dependencies: the first block of tests/requirements.txt.
    block = (ROOT / "tests" / "requirements.txt").read_text(encoding="utf-8").split("\n\n")[0]
    tests = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    wanted = ["packaging>=24.2", *tests, *python_requirements(ROOT)]
    check(run([sys.executable, "-m", "pip", "download", "-q", "-d", str(where), *wanted]))
    return where


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's wheels, made the way a cibuildwheel job makes them: the host's own
    backend builds the core with MODGATE_MODULE_WHEELS set, then `modgate wheels
    --from-wheel` splits the staged modules off (auditwheel repairing each when installed)."""
    tmp = tmp_path_factory.mktemp("own-wheels")
    stage, core, out = tmp / "stage", tmp / "core", tmp / "dist"
    env = clean_env(**{MODULE_WHEELS_VARIABLE: str(stage)})
    pip_wheel = [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation"]
    check(run([*pip_wheel, "-w", str(core), "-C", f"build-dir={tmp / 'build'}"], env=env))
    (wheel,) = core.glob("*.whl")
    done = check(
        run([sys.executable, "-m", "modgate", "wheels", "--from-wheel", str(wheel), "--out", str(out)], env=env)
    )
    # Repaired when auditwheel is here; else it says so, since indexes refuse linux_* tags.
    said = "repaired it with auditwheel" if REPAIRED else "not repaired: auditwheel is not installed"
    assert said in done.stdout + done.stderr, done.stdout + done.stderr
    return out


def wheels_of(folder: Path) -> dict[str, Path]:
    """Distribution name -> wheel file."""
    return {metadata_field(read_wheel(p).metadata(), "Name") or "": p for p in folder.glob("*.whl")}


def test_one_wheel_per_module_pinned_exactly(dist: Path) -> None:
    modules = own_modules()
    wheels = wheels_of(dist)
    assert set(wheels) == {PACKAGE} | {module_distribution(PACKAGE, name) for name in modules}
    core = read_wheel(wheels[PACKAGE])
    version = core.version
    assert not [n for n in core.files if n.startswith(f"{PACKAGE}/modules/")]  # modules ship on their own
    manifest = json.loads(core.files[f"{PACKAGE}/_manifest.json"][0])
    assert manifest["module_wheels"] is True
    meta = core.metadata()
    for name, requires in modules.items():
        dist_name = module_distribution(PACKAGE, name)
        assert manifest["modules"][name]["wheel"] == dist_name
        assert f'Requires-Dist: {dist_name}=={version}; extra == "{extra_name(name)}"' in meta
        assert f'Requires-Dist: {dist_name}=={version}; extra == "all"' in meta
        wheel = read_wheel(wheels[dist_name])
        # The same Python and ABI as the core; the platform tag is auditwheel's (the core's for pure Python).
        assert wheel.version == version and wheel.tag.split("-")[:2] == core.tag.split("-")[:2]
        if REPAIRED:  # auditwheel ran on every wheel with native code
            assert "manylinux" in wheel.tag and "manylinux" in core.tag, wheel.tag
        requirements = metadata_fields(wheel.metadata(), "Requires-Dist")
        assert f"{PACKAGE}=={version}" in requirements
        for dep in requires:
            assert f"{module_distribution(PACKAGE, dep)}=={version}" in requirements
        # The module's own license where it declares one (PEP 639), else the core's.
        own = tomllib.loads((ROOT / "modules" / name / "module.toml").read_text(encoding="utf-8"))
        expected = own.get("license") or metadata_field(meta, "License-Expression")
        assert metadata_field(wheel.metadata(), "License-Expression") == expected
        assert not own.get("license-files"), "this repository's modules carry the core's license texts"
        # The core's licence files (PEP 639), carried and named.
        licences = sorted(n.split("/licenses/", 1)[1] for n in core.files if f"{core.dist_info}/licenses/" in n)
        assert licences and metadata_fields(wheel.metadata(), "License-File") == licences
        for licence in licences:
            assert (
                wheel.files[f"{wheel.dist_info}/licenses/{licence}"]
                == core.files[f"{core.dist_info}/licenses/{licence}"]
            )
        points = wheel.files[f"{wheel.dist_info}/entry_points.txt"][0].decode()
        assert points == f"[{PACKAGE}.modules]\n{name} = {PACKAGE}.modules.{name}\n"
        record = json.loads(wheel.files[f"{PACKAGE}/modules/{name}/{MODULE_RECORD_NAME}"][0])
        assert record["version"] == version and record["abi_version"] == manifest["abi_version"]
        assert record["build"] == manifest["build"]  # one identity for the wheels of one build
        # Only its own files: no copy of the runtime or of another module's library.
        others = [n for n in wheel.files if not n.startswith((f"{PACKAGE}/", wheel.dist_info))]
        assert not others and not [n for n in wheel.files if "modgate_runtime" in n]
        assert not [n for n in wheel.files if re.search(rf"/modules/(?!{re.escape(name)}/)", n)]


def test_the_core_alone_then_each_extra_adds_exactly_its_modules(dist: Path, wheelhouse: Path, tmp_path: Path) -> None:
    modules = own_modules()
    env = Venv(tmp_path / "venv", [dist, wheelhouse])
    env.install(PACKAGE, "pytest")
    base = env.installed()
    assert not [d for d in base if d.startswith(f"{PACKAGE}-")]
    proc = run(
        [str(env.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tests" / "core")],
        env=clean_env(),
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert " passed" in proc.stdout and " failed" not in proc.stdout
    listing = check(run([str(env.python), "-m", PACKAGE, "list"], env=clean_env(), cwd=tmp_path)).stdout
    for name in modules:
        assert re.search(
            rf"^{name}\s+OFF\s.*its wheel {module_distribution(PACKAGE, name)} is not installed", listing, re.M
        )

    installed: set[str] = set()
    for name in sorted(modules, key=lambda n: len(closure(n, modules))):
        env.install(f"{PACKAGE}[{extra_name(name)}]")
        installed |= closure(name, modules)
        extras = {d for d in env.installed() - base if not d.startswith(f"{PACKAGE}-")}
        assert env.installed() - base - extras == {module_distribution(PACKAGE, m) for m in installed}
        data = env.json(
            f"""
            import json, modgate
            from modgate import _loader
            host = _loader.host("modgate")
            module = modgate.require({name!r})
            host.load({name!r})
            info = modgate.info()["modules"][{name!r}]
            own = [f for f in modgate.native.functions() if f.startswith("modgate:{name}.")]
            library = [a for a in info["native"] if not a.rsplit("/", 1)[-1].startswith("_native")]
            print(json.dumps([module.__name__, bool(library), own, info["shipped_in"], modgate.is_built({name!r})]))
            """
        )
        assert isinstance(data, list)
        module, library, functions, shipped, built = data
        assert module == f"{PACKAGE}.modules.{name}" and shipped == "module wheel" and built is True
        if library:
            assert functions, f"module {name} has a native library but registered no function"


def _maps_hold(library: str) -> str:
    return f"any({library!r} in line for line in open('/proc/self/maps'))"


def test_all_then_a_missing_and_a_mismatched_module_wheel(dist: Path, wheelhouse: Path, tmp_path: Path) -> None:
    modules = own_modules()
    env = Venv(tmp_path / "venv", [dist, wheelhouse])
    env.install(f"{PACKAGE}[all]", "pytest", "hypothesis")
    assert {module_distribution(PACKAGE, m) for m in modules} <= env.installed()
    # Every module's own tests and the core's, against the wheels.
    proc = run(
        [str(env.python), "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "tests/core", "modules"],
        env=clean_env(),
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert not re.search(r"SKIPPED.*modules/\w+/module\.toml", proc.stdout), proc.stdout[-4000:]  # every module ran
    # One runtime, one registry: the core and every native module's extension share them.
    natives = sorted(n for n in modules if any(ROOT.glob(f"modules/{n}/python/*.cc")))
    shared = env.json(
        f"""
        import json, modgate, modgate._core as core
        for name in {natives!r}:
            modgate.require(name)
        copies = {{line.split()[-1] for line in open("/proc/self/maps") if "libmodgate_runtime" in line}}
        print(json.dumps([sorted(copies), sorted({{f.split(":")[1].split(".")[0] for f in core.functions()}})]))
        """
    )
    assert isinstance(shared, list)
    copies, registered = shared
    assert len(copies) == 1 and "/site-packages/modgate/" in copies[0], copies
    assert set(natives) <= set(registered)

    # A module others require: its wheel uninstalled, it and its dependents say what to install.
    required = sorted({dep for deps in modules.values() for dep in deps}) or sorted(modules)
    gone = required[0]
    dependents = sorted(n for n in modules if gone in closure(n, modules) and n != gone)
    env.pip("uninstall", "-y", module_distribution(PACKAGE, gone))
    said = env.json(
        f"""
        import json, modgate
        out = {{}}
        for name in {[gone, *dependents]!r}:
            try:
                modgate.require(name)
                out[name] = "imported"
            except modgate.ModuleUnavailableError as exc:
                out[name] = str(exc)
        out["built"] = modgate.is_built({gone!r})
        print(json.dumps(out))
        """
    )
    assert isinstance(said, dict)
    assert said["built"] is False
    assert f'pip install "{PACKAGE}[{extra_name(gone)}]"' in said[gone] and "not installed" in said[gone]
    for name in dependents:
        assert f"requires module {gone!r}" in said[name] and f"[{extra_name(gone)}]" in said[name]
    # modgate list tells what an import would: the dependents off, and the one line that fixes it.
    listing = env.run("import sys\nfrom modgate.cli import main\nsys.exit(main(['list']))").stdout
    rows = {line.split()[0]: line for line in listing.splitlines()[2:] if line.split()}
    for name in dependents:
        assert rows[name].split()[1] == "OFF" and "an import here fails" in rows[name], listing
    pin = f'"{module_distribution(PACKAGE, gone)}=={read_wheel(wheels_of(dist)[PACKAGE]).version}"'
    if dependents:  # a wheel no installed module needs is an extra not asked for: nothing to fix
        assert f"fix the module wheels at once: pip install --force-reinstall --no-deps {pin}" in listing, listing

    # A module wheel of another core version, and one of another runtime ABI: refused, nothing loaded.
    version = read_wheel(wheels_of(dist)[PACKAGE]).version
    native = natives[0]
    wheel = wheels_of(dist)[module_distribution(PACKAGE, native)]
    for changed, theirs, core in (
        (doctored(wheel, tmp_path / "other", version="999.0"), "999.0", f"the installed {PACKAGE} is {version}"),
        (doctored(wheel, tmp_path / "abi", abi=999), version, f"the installed {PACKAGE} is {version}"),
        (doctored(wheel, tmp_path / "build", build="0ther"), version, "of build 0ther, but the installed"),
    ):
        env.pip("install", "-q", "--no-deps", "--force-reinstall", str(changed))
        proc = env.run(
            f"""
            import modgate
            try:
                modgate.require({native!r})
            except modgate.ModuleAbiError as exc:
                print("refused:", exc)
            print("lookup:", modgate.native.lookup({native + ".none"!r}))
            print("loaded:", {_maps_hold(f"libmodgate_{native}")})
            """
        )
        out = proc.stdout
        assert f"refused: module {native!r} comes from {module_distribution(PACKAGE, native)} {theirs}" in out, out
        assert core in out
        assert f'"{PACKAGE}[{native}]=={version}"' in out
        assert "lookup: None" in out and "loaded: False" in out
    env.install("--force-reinstall", f"{PACKAGE}[{native}]=={version}")
    env.run(f"import modgate; modgate.require({native!r})")


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("wheels-host") / "acme"
    check(run([sys.executable, "-m", "modgate", "init", str(project), "--package", "acme"]))
    return project


@pytest.fixture(scope="module")
def acme_dist(acme: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("acme-dist")
    build = tmp_path_factory.mktemp("acme-build")
    proc = check(
        run(
            [
                sys.executable,
                "-m",
                "modgate",
                "wheels",
                str(acme),
                "--out",
                str(out),
                "--no-build-isolation",
                "--build-dir",
                str(build),
            ],
            env=clean_env(),
        )
    )
    return out, proc.stdout


def acme_modules(acme: Path) -> dict[str, tuple[str, ...]]:
    return own_modules(acme)


def test_modgate_wheels_on_an_init_host(
    acme: Path, acme_dist: tuple[Path, str], dist: Path, wheelhouse: Path, tmp_path: Path
) -> None:
    out, said = acme_dist
    modules = acme_modules(acme)
    assert said.startswith("modgate wheels: building acme once")
    for name in modules:
        assert re.search(rf"^acme-{name}\s+\S+\s+\d+ KiB\s+{name}$", said, re.M), said
    assert re.search(r"^acme\s+0\.1\.0\s+\d+ KiB\s+\(core\)$", said, re.M), said
    env = Venv(tmp_path / "venv", [out, dist, wheelhouse])
    env.install("acme", "pytest")
    assert {"acme", PACKAGE} <= env.installed() and not [d for d in env.installed() if d.startswith("acme-")]
    proc = run([str(env.python), "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"], env=clean_env(), cwd=acme)
    assert proc.returncode == 0, proc.stdout[-4000:]
    for name in modules:
        assert f'pip install "acme[{name}]"' in proc.stdout, proc.stdout  # its tests skipped, saying why
    native = next(n for n in sorted(modules) if (acme / "modules" / n / "src").is_dir())
    env.install(f"acme[{native}]")
    assert env.installed() - {"acme", PACKAGE} >= {f"acme-{native}"}
    assert not {f"acme-{n}" for n in modules if n != native} & env.installed()
    hello = env.json(
        f"""
        import json, acme, modgate.native as native
        acme.require({native!r})
        print(json.dumps(native.lookup("acme:{native}.hello")("you")))
        """
    )
    assert hello == f"hello you from {native}"
    # Every module: acme's tests all run, none skipped.
    env.install("acme[all]")
    proc = run([str(env.python), "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"], env=clean_env(), cwd=acme)
    assert proc.returncode == 0 and "SKIPPED" not in proc.stdout, proc.stdout[-4000:]


def test_bad_requests_are_refused_before_anything_builds(acme: Path, tmp_path: Path) -> None:
    wheels = [sys.executable, "-m", "modgate", "wheels", "--out", str(tmp_path / "dist")]
    proc = run([*wheels, str(acme), "--only", "greeterr"], env=clean_env())
    assert proc.returncode == 2 and "--only: 'greeterr' is no module of acme (did you mean 'greeter'?)" in proc.stderr
    proc = run([*wheels, str(FIXTURES / "plugin")], env=clean_env())
    assert proc.returncode == 2 and "is a plugin of acme: it ships as one distribution" in proc.stderr
    proc = run([*wheels, "--from-wheel", str(tmp_path / "x.whl")], env=clean_env())
    assert proc.returncode == 2 and f"{MODULE_WHEELS_VARIABLE} is not set" in proc.stderr
    proc = run([*wheels, str(acme), "-D", "NOVALUE"], env=clean_env())
    assert proc.returncode == 2 and "write NAME=VALUE" in proc.stderr
    assert not (tmp_path / "dist").exists()


def test_a_plugin_builds_on_a_module_installed_from_its_wheel(
    acme_dist: tuple[Path, str], dist: Path, wheelhouse: Path, tmp_path: Path
) -> None:
    out, _ = acme_dist
    # The build tools from this interpreter (system site-packages); acme, its greeter and
    # modgate from the wheels, which come first on the venv's path.
    env = Venv(tmp_path / "venv", [out, dist, wheelhouse], system_site=True)
    env.install("--force-reinstall", "--no-deps", *map(str, wheels_of(dist).values()))
    acme = wheels_of(out)
    env.install("--no-deps", str(acme["acme"]))
    plugin = shutil.copytree(FIXTURES / "plugin", tmp_path / "plugin", ignore=shutil.ignore_patterns("build"))
    # Without the greeter wheel its module cannot build, and configure says which wheel to add.
    refused = env.pip("install", "-q", "--no-build-isolation", "--no-deps", str(plugin), ok=False)
    said = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "Traceback" not in said
    assert "acme's module 'greeter' ships in its own wheel, acme-greeter, which is not installed" in said, said
    assert 'pip install "acme[greeter]"' in said
    shutil.rmtree(plugin / "build", ignore_errors=True)
    env.install("--no-deps", str(acme["acme-greeter"]))
    env.pip("install", "-q", "--no-build-isolation", "--no-deps", str(plugin))
    shouted = env.json(
        """
        import json, acme
        from acme.modules import shout
        print(json.dumps([shout.shout("you"), acme.info()["modules"]["greeter"]["shipped_in"]]))
        """
    )
    assert shouted == ["HELLO YOU FROM GREETER!", "module wheel"]


def test_a_module_that_does_not_compile_is_named(acme: Path, tmp_path: Path) -> None:
    project = shutil.copytree(acme, tmp_path / "acme", ignore=shutil.ignore_patterns("build"))
    check(
        run(
            [sys.executable, "-m", "modgate", "new", "broken", "--native"]
            + [arg for who in ("a", "b", "c") for arg in ("--maintainer", who)],
            cwd=project,
        )
    )
    source = next((project / "modules" / "broken" / "src").glob("*.cc"))
    source.write_text(source.read_text() + "\nthis is not C++;\n")
    proc = run(
        [
            sys.executable,
            "-m",
            "modgate",
            "wheels",
            str(project),
            "--out",
            str(tmp_path / "dist"),
            "--no-build-isolation",
            "--build-dir",
            str(tmp_path / "build"),
        ],
        env=clean_env(),
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "modgate wheels: module 'broken' failed to build (modules/broken/module.toml)" in proc.stderr, proc.stderr
    assert "modgate wheels -D USE_MODULE_BROKEN=OFF" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").glob("*.whl"))


def test_a_module_sdist_refuses_with_one_line(acme: Path, acme_dist: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = acme_dist
    only = tmp_path / "sdists"
    only.mkdir()
    sdists = list(out.glob("*.tar.gz"))
    assert sorted(p.name.split("-")[0] for p in sdists) == sorted(f"acme_{n}" for n in acme_modules(acme))
    for sdist in sdists:
        shutil.copy(sdist, only)
    env = Venv(tmp_path / "venv", [only])
    proc = env.install(sdists[0].name.split("-")[0].replace("_", "-"), ok=False)
    said = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "is shipped as wheels only" in said and "pip install --no-binary acme" in said, said


def _workflows(root: Path) -> Iterable[Path]:
    return sorted((root / ".github" / "workflows").glob("*.yml"))


def test_the_generated_workflows_are_valid(acme: Path) -> None:
    files = [*_workflows(acme), ROOT / "docs" / "examples" / "github-matrix.yml"]
    text = files[0].read_text()
    assert "pypa/cibuildwheel@" in text and f"{MODULE_WHEELS_VARIABLE}=" in text and "--from-wheel {wheel}" in text
    proc = run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, files)]
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_wheel_records_each_of_its_files_with_its_hash(dist: Path) -> None:
    import base64
    import csv
    import hashlib

    for wheel in dist.glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            assert archive.testzip() is None
            names = [n for n in archive.namelist() if not n.endswith("/")]
            (record,) = [n for n in names if n.endswith(".dist-info/RECORD")]
            rows = {row[0]: row[1] for row in csv.reader(archive.read(record).decode().splitlines())}
            assert set(rows) == set(names), wheel.name
            for name in names:
                if name != record:
                    digest = base64.urlsafe_b64encode(hashlib.sha256(archive.read(name)).digest()).rstrip(b"=")
                    assert rows[name] == "sha256=" + digest.decode(), (wheel.name, name)


def test_an_isolated_build_of_an_init_host_takes_modgate_from_a_wheelhouse(
    acme: Path, dist: Path, wheelhouse: Path, tmp_path: Path
) -> None:
    """A modgate on no index, as `modgate init` prints the recipe: a wheel of it in a folder
    pip is pointed at (PIP_FIND_LINKS) meets the pin init wrote, and the build is isolated
    (here with no index at all: nothing but those folders)."""
    pin = re.search(r'"(modgate>=[^",]+,<\d+)"', (acme / "pyproject.toml").read_text(encoding="utf-8"))
    assert pin, "modgate init pins modgate"
    out = tmp_path / "out"
    env = clean_env(PIP_FIND_LINKS=f"{dist} {wheelhouse}", PIP_NO_INDEX="1")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(acme)]
    proc = run([*command, "-C", f"build-dir={tmp_path / 'build'}"], env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (wheel,) = out.glob("acme-*.whl")
    from packaging.requirements import Requirement

    (dependency,) = metadata_fields(read_wheel(wheel).metadata(), "Requires-Dist")
    assert Requirement(dependency).specifier == Requirement(pin.group(1)).specifier, dependency
