"""The core's runtime surface, whatever modules this build has (the suite runs this
folder against every build configuration: all on, each module off, all off)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import modgate
from modgate import info

KEYS = {
    "state",
    "reason",
    "requested",
    "requested_by",
    "blocked_by",
    "option",
    "summary",
    "stage",
    "groups",
    "test_requires",
    "optional_requires",
    "optional_present",
    "provides",
    "priority",
    "probe",
    "license",
    "license_files",
    "maintainers",
    "requires",
    "conflicts",
    "python_requires",
    "native",
    "deprecated",
    "commands",
    "source",
    "twins",
}
# A build shipping each module in a wheel of its own names the wheel.
WHEEL_KEYS = {"wheel"}
# What info() adds to the manifest's entry: what this process sees.
VIEW_KEYS = {
    "origin",
    "shipped_in",
    "distribution",
    "version",
    "installed",
    "wheel_problem",
    "owners",
    "disabled_at_import",
    "disabled_by",
    "unavailable",
}


def test_manifest_describes_every_module() -> None:
    data = info()
    assert data["schema"] == 2 and data["package"] == data["host"] == "modgate"
    assert isinstance(data["version"], str) and data["version"]
    raw = json.loads(modgate.manifest_path().read_text())
    for name, module in data["modules"].items():
        if module["origin"] == "out-of-tree":
            continue  # an installed out-of-tree module: its own manifest
        own = KEYS | (WHEEL_KEYS if raw["module_wheels"] and module["state"] == "ON" else set())
        assert set(raw["modules"][name]) == own, name
        assert set(module) == own | VIEW_KEYS, name
        assert module["origin"] == "in-tree" and module["version"] == data["version"]
        assert module["shipped_in"] == ("module wheel" if "wheel" in own else "core")
        assert module["installed"] is (module["state"] == "OFF" or modgate.is_built(name)), name
        assert module["owners"] == module["maintainers"]
        if not module["disabled_at_import"]:  # else disabled_by says why
            usable = module["state"] == "OFF" or modgate.is_available(name)
            assert (module["unavailable"] is None) is usable, name
        assert module["state"] in ("ON", "OFF")
        assert module["option"] == f"USE_MODULE_{name.upper()}"
        assert module["reason"]
        if module["state"] == "OFF":
            assert module["native"] == []
    for group, entry in data["groups"].items():  # each group and the modules listing it agree
        assert entry["members"] == sorted(n for n, m in data["modules"].items() if group in m.get("groups", ()))
    assert set(data["groups"]) == {g for m in data["modules"].values() for g in m.get("groups", ())}
    assert data["order"] == [n for n in data["order"] if data["modules"][n]["state"] == "ON"]
    assert set(data["order"]) == {n for n, m in data["modules"].items() if m["state"] == "ON"}


def test_enabled_modules_satisfy_their_requires_and_conflicts() -> None:
    modules = info()["modules"]
    on = {n for n, m in modules.items() if m["state"] == "ON"}
    for name in on:
        assert set(modules[name]["requires"]) <= on
        assert not set(modules[name]["conflicts"]) & on


def test_info_returns_a_copy() -> None:
    first = info()
    first["modules"].clear()
    raw = json.loads(modgate.manifest_path().read_text())["modules"]
    again = info()["modules"]
    assert {name: {k: again[name][k] for k in raw[name]} for name in raw} == raw


def test_version_comes_from_the_manifest() -> None:
    assert modgate.__version__ == info()["version"]


def test_import_modgate_imports_no_module_and_no_native_code() -> None:
    code = "import sys, modgate; print(sorted(m for m in sys.modules if m.startswith('modgate')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = json.loads(out.replace("'", '"'))
    assert not [m for m in loaded if m.startswith("modgate.modules.") or m == "modgate._core"], loaded


def test_import_modgate_and_its_queries_import_nothing_a_bare_interpreter_lacks_but_json() -> None:
    # is_available of a module with Python requirements (its own or a required module's)
    # reads installed metadata: not asked here. Reading a module's entry parses JSON with
    # the standard library's parser (imported when first needed), so json and what it
    # imports are allowed; nothing else.
    # -S, then `import site` (which with -S imports what start-up does but runs no .pth
    # file): nothing an installed package's .pth imports hides what modgate imports. A
    # name no build knows would read plugins' entry points: not asked here.
    parent = os.path.dirname(os.path.dirname(modgate.__file__))
    start = f"import sys, site; sys.path.insert(0, {parent!r}); before = set(sys.modules)\n"
    code = (
        start + "import modgate, modgate._manifest\n"
        "mods = modgate._manifest.manifest('modgate')['modules']\n"
        "[modgate.is_built(n) for n in mods]\n"
        "[modgate.is_available(n) for n, e in mods.items() if not e['python_requires'] and not e['requires']]\n"
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True).stdout
    json_code = start + "import json\nprint(' '.join(sorted(set(sys.modules) - before)))"
    parser = subprocess.run([sys.executable, "-S", "-c", json_code], capture_output=True, text=True, check=True).stdout
    extra = [m for m in out.split() if not m.startswith("modgate") and m not in parser.split()]
    assert "json" in parser.split() and "json" in out.split()  # what this test allows is what it measures
    assert not extra, f"import modgate imported {extra}: keep typing and friends off the import path"


def test_import_and_is_built_load_neither_json_nor_records_nor_exceptions() -> None:
    # What the manifest's index and the lazy imports are for: `import modgate` + is_built()
    # of every module imports only the package (its index reader included); the manifest's entries,
    # the loader and the exceptions are imported when a module, its availability or info()
    # is first asked for.
    code = (
        "import sys, modgate\n"
        "names = list(modgate._index_of('modgate').built)\n"
        "[modgate.is_built(n) for n in names]\n"
        "print(len(names), ' '.join(sorted(m for m in sys.modules if 'json' in m or m.startswith('modgate'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    count, loaded = int(out[0]), set(out[1:])
    assert count == sum(m["origin"] == "in-tree" for m in info()["modules"].values())
    # (modgate.modules is the namespace attach() makes, not a file imported)
    assert loaded == {"modgate", "modgate.modules"}, loaded


def test_a_typo_in_modgate_disable_is_warned_about_once_and_turns_nothing_off() -> None:
    modules = sorted(modgate.info()["modules"])
    name = modules[0] if modules else "graph"
    code = (
        "import warnings, modgate\n"
        "with warnings.catch_warnings(record=True) as seen:\n"
        "    warnings.simplefilter('always')\n"
        "    states = [modgate.info() for _ in range(3)]\n"
        "print(len(seen)); print(seen[0].message if seen else '')\n"
    )
    env = dict(os.environ, MODGATE_DISABLE=f"{name}x")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    count, message = out.splitlines()[:2]
    assert count == "1" and f"names '{name}x'" in message and "turns nothing off" in message, out
    if modules:
        assert f"did you mean {name}?" in message


def test_modgate_list_into_a_closed_pipe_ends_quietly() -> None:
    # `modgate list | head -1`: the reader is gone before modgate writes.
    read, write = os.pipe()
    os.close(read)
    # Buffered, as a shell gives it: the failed write then comes at the flush.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    proc = subprocess.run(
        [sys.executable, "-m", "modgate", "list"], stdout=write, stderr=subprocess.PIPE, text=True, check=False, env=env
    )
    os.close(write)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def test_the_native_namespace_is_reached_from_import_modgate() -> None:
    code = "import modgate; print(modgate.native.lookup('nosuchmodule.f'), callable(modgate.native.functions))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["None", "True"]


def test_modgate_info_shows_one_module_as_info_does() -> None:
    modules = modgate.info()["modules"]
    for name, entry in modules.items():
        cmd = [sys.executable, "-m", "modgate", "info", name, "--package", "modgate"]
        data = json.loads(subprocess.run([*cmd, "--format", "json"], capture_output=True, text=True, check=True).stdout)
        assert data == entry
        text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        assert text.startswith(f"modgate.modules.{name}: {entry['summary']}")
        assert f"  state:        {entry['state']} ({entry['reason']})" in text
    unknown = subprocess.run(
        [sys.executable, "-m", "modgate", "info", "no_such_module", "--package", "modgate"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert unknown.returncode == 2 and "has no module 'no_such_module'" in unknown.stderr


def test_a_modules_command_runs_when_it_is_available_and_says_how_to_get_it_when_not() -> None:
    modules = modgate.info()["modules"]
    with_commands = {name: entry for name, entry in modules.items() if entry["commands"]}
    for name, entry in with_commands.items():
        for command in entry["commands"]:
            proc = subprocess.run(
                [sys.executable, "-m", "modgate", command, "--help"], capture_output=True, text=True, check=False
            )
            if modgate.is_available(name):
                assert proc.returncode == 0 and f"modgate {command}" in proc.stdout, proc.stderr
            else:
                assert proc.returncode == 2 and f"a command of module {name!r}" in proc.stderr
                assert (
                    entry["option"] in proc.stderr or "MODGATE_DISABLE" in proc.stderr or "pip install" in proc.stderr
                )
        if entry["state"] != "ON":
            continue  # off at build time: said above; MODGATE_DISABLE changes nothing
        off = subprocess.run(
            [sys.executable, "-m", "modgate", next(iter(entry["commands"]))],
            env=dict(os.environ, MODGATE_DISABLE=name),
            capture_output=True,
            text=True,
            check=False,
        )
        assert off.returncode == 2 and "MODGATE_DISABLE" in off.stderr
    listed = subprocess.run([sys.executable, "-m", "modgate", "--help"], capture_output=True, text=True, check=True)
    for name, entry in with_commands.items():
        assert all(f"{command} ({name})" in listed.stdout for command in entry["commands"])


def test_modgate_list_shows_every_module_with_state_stage_option_and_reason() -> None:
    proc = subprocess.run([sys.executable, "-m", "modgate", "list"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[1].split() == ["module", "state", "stage", "option", "reason"]
    modules = info()["modules"]
    assert f"{len(modules)} modules" in lines[0]
    for name, module in modules.items():
        row = next(line for line in lines[2:] if line.split()[0] == name)
        assert row.split()[3] == module["option"]
        # OFF here: a module wheel not installed, or anything else an import would refuse.
        usable = modgate.is_built(name) and module["unavailable"] is None and not module["disabled_at_import"]
        assert row.split()[1] == ("ON" if usable else "OFF"), row
        assert module["stage"] in row and module["reason"] in row


def test_modgate_list_json_and_format_json_print_info() -> None:
    for flag in (["--json"], ["--format", "json"]):
        command = [sys.executable, "-m", "modgate", "list", *flag]
        proc = subprocess.run(command, capture_output=True, text=True, check=True)
        assert json.loads(proc.stdout) == info(), flag


def test_modgate_disable_is_shown_by_info_and_list() -> None:
    modules = info()["modules"]
    built = sorted(name for name in modules if modgate.is_built(name))
    if not built:
        return  # the core-only build: nothing to disable
    env = dict(os.environ, MODGATE_DISABLE=built[0])
    code = f"import modgate; print(modgate.info()['modules'][{built[0]!r}]['disabled_at_import'])"
    assert (
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout.strip() == "True"
    )
    listing = subprocess.run([sys.executable, "-m", "modgate", "list"], env=env, capture_output=True, text=True).stdout
    row = next(line for line in listing.splitlines() if line.split()[0] == built[0])
    assert row.split()[1] == "OFF" and "MODGATE_DISABLE" in row


def test_attach_gives_an_object_that_unpacks_to_the_same_four_functions() -> None:
    # Hosts unpack it in __init__.py: a function added later is an attribute only.
    host = modgate.attach("modgate")
    assert isinstance(host, modgate.Attached) and host.package == "modgate" and "modgate" in repr(host)
    is_built, is_available, require, info = host
    assert [f.__name__ for f in host] == ["is_built", "is_available", "require", "info"]
    assert (is_built, is_available, require, info) == (host.is_built, host.is_available, host.require, host.info)
    assert is_built("no_such_module") is False and info()["modules"] == modgate.info()["modules"]
