"""``modgate plan``, ``modgate info`` and ``modgate codeowners``: a host's modules seen from
its tree (no build) or from its installed manifest."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import UTC
from pathlib import Path
from typing import Any

from ._configure.discovery import Discovery, discover_project
from ._configure.host import HostConfig, read_host
from ._configure.problems import ConfigurationError
from ._configure.registration import Registration
from ._configure.resolver import ModuleState, build_requests, resolve
from .exceptions import ModgateError
from .table import state_table

__all__ = ["add_commands", "codeowners_block", "owner_token", "plan", "project"]

BEGIN = "# BEGIN modgate: from each module.toml's maintainers (`modgate codeowners --write`); do not edit"
END = "# END modgate"
# Where GitHub looks for CODEOWNERS, in its order.
CODEOWNERS_PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


def project(directory: str) -> tuple[Path, HostConfig, Discovery]:
    """The host project in ``directory``: its folder, settings and modules (registrations only)."""
    root = Path(directory).resolve()
    try:
        config = read_host(root, shown_as=str(root / "pyproject.toml"))
        found = discover_project(root, config, scan_files=False)
    except ConfigurationError as exc:
        raise ModgateError(exc.format()) from None
    return root, config, found


# --- plan ------------------------------------------------------------------------------


def plan(
    modules: Mapping[str, Registration], values: Mapping[str, str], all_modules: str, prefix: str
) -> list[ModuleState]:
    """What a configure with ``values`` would decide, every external package assumed found."""
    requests = build_requests(modules, values, all_modules, prefix=prefix, origin="-D")
    return list(resolve(modules, requests, prefix=prefix).states)


def _plan(args: argparse.Namespace) -> int:
    _root, config, found = project(args.dir)
    values: dict[str, str] = {}
    for item in args.define:
        name, eq, value = item.partition("=")
        if not eq or not name:
            raise ModgateError(f"-D {item!r}: write NAME=VALUE, e.g. -D {config.option_prefix}GRAPH=OFF")
        values[name.strip()] = value.strip()
    all_modules = values.pop("MODGATE_ALL_MODULES", "")
    try:
        states = plan(found.registrations, values, all_modules, config.option_prefix)
    except ConfigurationError as exc:
        raise ModgateError(exc.format()) from None
    modules = found.registrations
    if args.format == "json":
        data = {
            state.name: {
                "state": "ON" if state.enabled else "OFF",
                "reason": state.reason,
                "option": modules[state.name].option_for(config.option_prefix),
                "stage": modules[state.name].stage,
                "blocked_by": list(state.blocked_by),
            }
            for state in states
        }
        print(json.dumps(data, indent=2, sort_keys=True))
        return 0
    rows = [
        (s.name, "ON" if s.enabled else "OFF", modules[s.name].stage, modules[s.name].deprecated is not None, s.reason)
        for s in states
    ]
    enabled = sum(1 for s in states if s.enabled)
    print(f"{config.package} (plan, no build): {len(states)} modules, {enabled} enabled")
    print(state_table(rows))
    if any(reg.native and reg.native.packages for reg in modules.values()):
        print("(native.packages are assumed found: a plan runs no find_package)")
    return 0


# --- info ------------------------------------------------------------------------------


def _info(args: argparse.Namespace) -> int:
    from .cli import _host_info, default_host

    package = args.package or default_host()
    data = _host_info(package)
    modules: dict[str, Any] = data["modules"]  # type: ignore[assignment]
    if args.name not in modules:
        from . import _loader

        raise _loader.host(package)._unknown(args.name)
    module = modules[args.name]
    if args.format == "json":
        print(json.dumps(module, indent=2, sort_keys=True))
        return 0
    state = module["state"]
    if state == "ON" and module.get("disabled_at_import"):
        state = f"OFF (disabled at import time by MODGATE_DISABLE: {module.get('disabled_by')})"
    gone = module.get("deprecated")
    lines = [
        f"{package}.modules.{args.name}: {module['summary']}",
        f"  state:        {state} ({module['reason']})",
        f"  option:       {module.get('option', '?')}",
        f"  stage:        {module['stage']}",
        f"  maintainers:  {', '.join(module.get('maintainers', [])) or '(none)'}",
        f"  requires:     {', '.join(module.get('requires', [])) or '-'}",
        f"  conflicts:    {', '.join(module.get('conflicts', [])) or '-'}",
        f"  python:       {', '.join(module.get('python_requires', [])) or '-'}",
        f"  native:       {', '.join(module.get('native', [])) or '-'}",
        f"  origin:       {module['origin']} ({module['distribution']} {module['version']},"
        f" {module.get('source', '?')})",
    ]
    if gone:
        removal = f", removal {gone['removal']}" if gone.get("removal") else ""
        instead = f", use {gone['replacement']}" if gone.get("replacement") else ""
        lines.append(f"  deprecated:   since {gone['since']}{removal}: {gone['reason']}{instead}")
    print("\n".join(lines))
    return 0


# --- codeowners ------------------------------------------------------------------------


def owner_token(maintainer: str) -> str:
    """A maintainer entry as CODEOWNERS names it: ``@handle``, ``@org/team`` or an email."""
    text = maintainer.strip()
    if text.endswith(">") and "<" in text:
        return text[text.rindex("<") + 1 : -1].strip()
    return text if text.startswith("@") else f"@{text}"


def codeowners_block(modules: Mapping[str, Registration]) -> str:
    """The generated CODEOWNERS lines: one per module folder (its registration's folder,
    relative to the project), its maintainers as owners."""
    lines = [BEGIN]
    for name in sorted(modules):
        reg = modules[name]
        relative = Path(reg.path).parent.as_posix()
        owners = " ".join(dict.fromkeys(owner_token(m) for m in reg.maintainers))
        lines.append(f"/{relative}/ {owners}".rstrip() if owners else f"# /{relative}/ has no maintainers")
    lines.append(END)
    return "\n".join(lines) + "\n"


def _merged(current: str, block: str) -> str:
    """``current`` with its generated block replaced by ``block`` (appended if it has none);
    every hand-written line stays."""
    if BEGIN in current and END in current:
        head, _, rest = current.partition(BEGIN)
        _, _, tail = rest.partition(END)
        return head + block.rstrip("\n") + tail
    if current and not current.endswith("\n"):
        current += "\n"
    return current + ("\n" if current else "") + block


def _codeowners(args: argparse.Namespace) -> int:
    root, _config, found = project(args.dir)
    block = codeowners_block(found.registrations)
    if not args.write and not args.check:
        sys.stdout.write(block)
        return 0
    existing = next((root / p for p in CODEOWNERS_PLACES if (root / p).is_file()), None)
    target = existing or root / CODEOWNERS_PLACES[0]
    current = target.read_text(encoding="utf-8") if existing else ""
    wanted = _merged(current, block)
    shown = target.relative_to(root).as_posix()
    if args.check:
        if current == wanted:
            print(f"modgate codeowners: {shown} matches the module.toml files")
            return 0
        import difflib

        diff = difflib.unified_diff(current.splitlines(), wanted.splitlines(), shown, f"{shown} (wanted)", lineterm="")
        print("\n".join(diff))
        print(f"modgate codeowners: {shown} has drifted from the module.toml files: run modgate codeowners --write")
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(wanted, encoding="utf-8")
    print(f"modgate codeowners: wrote {shown}")
    return 0


# --- stale -------------------------------------------------------------------------------


def maintainer_matches(maintainer: str, name: str, email: str) -> bool:
    """Whether a commit by ``name <email>`` is by ``maintainer`` (an email, ``Name <email>``
    or a handle: the author name, the email's local part, or GitHub's noreply address)."""
    token = owner_token(maintainer)
    email = email.strip().lower()
    if "@" in token and not token.startswith("@"):
        return token.lower() == email
    handle = token.lstrip("@").split("/")[-1].lower()
    local = email.partition("@")[0]
    return handle in (name.strip().lower(), local, local.partition("+")[2])


def _git_history(root: Path, folders: list[str]) -> list[tuple[str, str, str, list[str]]]:
    """(ISO date, author name, author email, files) per commit touching ``folders``, newest first."""
    import subprocess

    cmd = ["git", "-C", str(root), "log", "--format=%x00%aI%x09%an%x09%ae", "--name-only", "--", *folders]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ModgateError("modgate stale reads the history with git, which is not installed") from None
    if proc.returncode != 0:
        raise ModgateError(
            f"modgate stale reads the history with git, and git cannot read {root}: {proc.stderr.strip()}"
            " (a source checkout with its .git is needed)"
        )
    commits = []
    for chunk in proc.stdout.split("\0")[1:]:
        head, _, files = chunk.partition("\n")
        date, name, email = [*head.split("\t"), "", "", ""][:3]
        commits.append((date, name, email, [f for f in files.splitlines() if f.strip()]))
    return commits


def stale_report(
    modules: Mapping[str, Registration], commits: list[tuple[str, str, str, list[str]]], now: Any, days: int
) -> list[dict[str, Any]]:
    """Per module: its last change, its last change by one of its maintainers, and whether
    that is older than ``days`` before ``now`` (or there is none)."""
    from datetime import datetime

    folders = {name: Path(reg.path).parent.as_posix() + "/" for name, reg in modules.items()}
    last: dict[str, tuple[str, str]] = {}
    by_owner: dict[str, tuple[str, str]] = {}
    for date, name, email, files in commits:
        for module, folder in folders.items():
            if not any(f.startswith(folder) for f in files):
                continue
            last.setdefault(module, (date, name))
            if module not in by_owner and any(maintainer_matches(m, name, email) for m in modules[module].maintainers):
                by_owner[module] = (date, name)
    report = []
    for module in sorted(modules):
        owned = by_owner.get(module)
        age = (now - datetime.fromisoformat(owned[0])).days if owned else None
        report.append(
            {
                "module": module,
                "last_change": last[module][0] if module in last else None,
                "last_change_by": last[module][1] if module in last else None,
                "last_maintainer_change": owned[0] if owned else None,
                "last_maintainer_change_by": owned[1] if owned else None,
                "days_since_maintainer_change": age,
                "stale": age is None or age > days,
            }
        )
    return report


def _stale(args: argparse.Namespace) -> int:
    from datetime import datetime

    root, config, found = project(args.dir)
    now = datetime.now(UTC)
    if args.as_of:
        try:
            now = datetime.fromisoformat(args.as_of).replace(tzinfo=UTC)
        except ValueError:
            raise ModgateError(f"--as-of {args.as_of!r}: write a date as YYYY-MM-DD") from None
    commits = _git_history(root, [d for d in config.modules_dirs if (root / d).is_dir()])
    report = stale_report(found.registrations, commits, now, args.days)
    if args.format == "json":
        print(json.dumps(report, indent=2))
    else:
        rows = [("module", "last change", "last by a maintainer", "days", "")]
        for r in report:
            change = f"{(r['last_change'] or '-')[:10]} {r['last_change_by'] or ''}".strip()
            owned = f"{(r['last_maintainer_change'] or 'never')[:10]} {r['last_maintainer_change_by'] or ''}".strip()
            age = "-" if r["days_since_maintainer_change"] is None else str(r["days_since_maintainer_change"])
            rows.append((r["module"], change, owned, age, "STALE" if r["stale"] else ""))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            print("  ".join(f"{row[i]:<{widths[i]}}" for i in range(4)) + ("  " + row[4] if row[4] else ""))
        flagged = [r["module"] for r in report if r["stale"]]
        print(
            f"modgate stale: {len(flagged)} of {len(report)} modules without a maintainer's change in {args.days} days"
            + (f": {', '.join(flagged)}" if flagged else "")
        )
    return 1 if any(r["stale"] for r in report) else 0


# --- the subcommands ---------------------------------------------------------------------


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    planning = sub.add_parser(
        "plan",
        help="what a configure with these values would decide, without CMake",
        description="Each module's state and reason for the given option values (external packages assumed found).",
    )
    planning.add_argument("dir", nargs="?", default=".", help="the host project's folder (default: here)")
    planning.add_argument(
        "-D", dest="define", action="append", default=[], metavar="NAME=VALUE", help="an option, as for cmake"
    )
    planning.add_argument("--format", choices=("text", "json"), default="text")
    planning.set_defaults(run=_plan)

    info = sub.add_parser("info", help="one module of an installed host: state, reason, owners, requirements")
    info.add_argument("name", help="the module's name")
    info.add_argument("--package", help="the host package (default: [tool.modgate] of the project here, else modgate)")
    info.add_argument("--format", choices=("text", "json"), default="text")
    info.set_defaults(run=_info)

    owners = sub.add_parser(
        "codeowners",
        help="CODEOWNERS lines for every module folder, from its maintainers",
        description="Prints the lines; --write puts them in the project's CODEOWNERS (a marked block, hand-written"
        " lines stay); --check exits 1 when the file has drifted.",
    )
    owners.add_argument("dir", nargs="?", default=".", help="the host project's folder (default: here)")
    mode = owners.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the block into CODEOWNERS")
    mode.add_argument("--check", action="store_true", help="exit 1 when CODEOWNERS differs from the block")
    owners.set_defaults(run=_codeowners)

    stale = sub.add_parser(
        "stale",
        help="modules no maintainer of theirs has changed for a while (from git history)",
        description="Per module: the last commit touching its folder and the last by one of its maintainers; exit 1"
        " when any module has none within --days.",
    )
    stale.add_argument("dir", nargs="?", default=".", help="the host project's folder, a git checkout (default: here)")
    stale.add_argument("--days", type=int, default=365, help="flag modules past this many days (default 365)")
    stale.add_argument("--as-of", help="judge as of this date (YYYY-MM-DD) instead of today")
    stale.add_argument("--format", choices=("text", "json"), default="text")
    stale.set_defaults(run=_stale)
