"""``modgate stale``: modules no maintainer of theirs has changed for a while, from git."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from datetime import UTC
from pathlib import Path
from typing import Any

from .._configure.registration import Registration
from ..exceptions import ModgateError
from ._common import project
from ._owners import owner_token

__all__ = ["main", "maintainer_matches", "populate_parser", "stale_report"]


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


def _git_history(root: Path, folders: list[str]) -> list[tuple[str, str, str, list[str]]] | None:
    """(ISO date, author name, author email, files) per commit touching ``folders``, newest
    first; ``None`` in a repository with no commit yet."""
    import subprocess

    cmd = ["git", "-C", str(root), "log", "--format=%x00%aI%x09%an%x09%ae", "--name-only", "--", *folders]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ModgateError("modgate stale reads the history with git, which is not installed") from None
    if proc.returncode != 0 and "does not have any commits yet" in proc.stderr:
        return None
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
    that is older than ``days`` before ``now`` or there is none (a module never committed is
    new, not stale)."""
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
                "stale": module in last and (age is None or age > days),
            }
        )
    return report


def main(args: argparse.Namespace) -> int:
    from datetime import datetime

    root, config, found = project(args.dir)
    now = datetime.now(UTC)
    if args.as_of:
        try:
            now = datetime.fromisoformat(args.as_of).replace(tzinfo=UTC)
        except ValueError:
            raise ModgateError(f"--as-of {args.as_of!r}: write a date as YYYY-MM-DD") from None
    commits = _git_history(root, [d for d in config.modules_dirs if (root / d).is_dir()])
    if commits is None:
        print("[]" if args.format == "json" else f"modgate stale: {root} has no commit yet, so no module can be stale")
        return 0
    report = stale_report(found.registrations, commits, now, args.days)
    if args.format == "json":
        print(json.dumps(report, indent=2))
    else:
        rows = [("module", "last change", "last by a maintainer", "days", "")]
        for r in report:
            change = f"{(r['last_change'] or '-')[:10]} {r['last_change_by'] or ''}".strip()
            owned = (
                f"{r['last_maintainer_change'][:10]} {r['last_maintainer_change_by'] or ''}".strip()
                if r["last_maintainer_change"]
                else ("never" if r["last_change"] else "not committed yet")
            )
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


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "stale",
        help="modules no maintainer of theirs has changed for a while (from git history)",
        description="Per module: the last commit touching its folder and the last by one of its maintainers; exit 1"
        " when any module has none within --days.",
    )
    parser.add_argument("dir", nargs="?", default=".", help="the host project's folder, a git checkout (default: here)")
    parser.add_argument("--days", type=int, default=365, help="flag modules past this many days (default 365)")
    parser.add_argument("--as-of", help="judge as of this date (YYYY-MM-DD) instead of today")
    parser.add_argument("--format", choices=("text", "json"), default="text")
