"""``modgate codeowners``: CODEOWNERS lines for every module folder, from its maintainers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

from .._configure.registration import Registration
from .common import DIR_HELP, project

__all__ = [
    "BEGIN",
    "CODEOWNERS_PLACES",
    "END",
    "codeowners_block",
    "codeowners_file",
    "main",
    "merged",
    "owner_token",
    "populate_parser",
]

BEGIN = "# BEGIN modgate: from each module.toml's maintainers (`modgate codeowners --write`); do not edit"
END = "# END modgate"
# Where GitHub looks for CODEOWNERS, in its order.
CODEOWNERS_PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


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


def codeowners_file(root: Path) -> tuple[Path, str | None]:
    """Where host ``root`` keeps CODEOWNERS (the first of :data:`CODEOWNERS_PLACES` that
    exists, else the first place) and its text, ``None`` when there is no such file."""
    existing = next((root / p for p in CODEOWNERS_PLACES if (root / p).is_file()), None)
    if existing is None:
        return root / CODEOWNERS_PLACES[0], None
    return existing, existing.read_text(encoding="utf-8")


def merged(current: str, block: str) -> str:
    """``current`` with its generated block replaced by ``block`` (appended if it has none);
    every hand-written line stays."""
    if BEGIN in current and END in current:
        head, _, rest = current.partition(BEGIN)
        _, _, tail = rest.partition(END)
        return head + block.rstrip("\n") + tail
    if current and not current.endswith("\n"):
        current += "\n"
    return current + ("\n" if current else "") + block


def main(args: argparse.Namespace) -> int:
    root, _config, found = project(args.dir)
    block = codeowners_block(found.registrations)
    if not args.write and not args.check:
        sys.stdout.write(block)
        return 0
    target, text = codeowners_file(root)
    current = text or ""
    wanted = merged(current, block)
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


def populate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "codeowners",
        help="CODEOWNERS lines for every module folder, from its maintainers",
        description="Prints the lines; --write puts them in the project's CODEOWNERS (a marked block, hand-written"
        " lines stay); --check exits 1 when the file has drifted.",
    )
    parser.add_argument("dir", nargs="?", default=".", help=DIR_HELP)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the block into CODEOWNERS")
    mode.add_argument("--check", action="store_true", help="exit 1 when CODEOWNERS differs from the block")
