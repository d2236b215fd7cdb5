"""CODEOWNERS lines from the maintainers of each module: the generated block, where GitHub
looks for the file, how a maintainer is named there (``modgate codeowners``, ``init``,
``new``, ``check``, ``stale`` and ``twins`` share them)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .._configure.registration import Registration

__all__ = [
    "BEGIN",
    "CODEOWNERS_PLACES",
    "END",
    "codeowners_block",
    "codeowners_file",
    "merged",
    "owner_token",
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
