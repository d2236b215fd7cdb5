"""Reading and writing wheel files (PEP 427) for ``modgate wheels``: the standard library only.

A wheel is a zip archive with a ``<name>-<version>.dist-info`` folder whose ``RECORD``
lists every file with its SHA-256; :func:`write_wheel` computes it, :func:`read_wheel`
reads one back, :func:`replace_extras` rewrites a ``METADATA``'s extras.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .._configure.files import walk

__all__ = ["Wheel", "metadata_field", "metadata_fields", "read_wheel", "replace_extras", "tree_files", "write_wheel"]

# A fixed date for every member (the zip format starts at 1980): the same files give the same wheel.
_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Wheel:
    """A wheel's name parts and its files (archive name -> bytes, mode)."""

    path: Path
    distribution: str  # as in the file name (``acme_x``)
    version: str
    tag: str  # ``cp311-cp311-linux_x86_64``
    files: dict[str, tuple[bytes, int]]

    @property
    def dist_info(self) -> str:
        return f"{self.distribution}-{self.version}.dist-info"

    def metadata(self) -> str:
        return self.files[f"{self.dist_info}/METADATA"][0].decode("utf-8")


def read_wheel(path: Path) -> Wheel:
    """The wheel at ``path``; a ``ValueError`` when its file name is not a wheel's."""
    parts = path.name.removesuffix(".whl").split("-")
    if not path.name.endswith(".whl") or len(parts) not in (5, 6):
        raise ValueError(f"{path.name} is not a wheel file name (<name>-<version>-<python>-<abi>-<platform>.whl)")
    files: dict[str, tuple[bytes, int]] = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.is_dir():
                files[info.filename] = (archive.read(info), (info.external_attr >> 16) & 0o777 or 0o644)
    return Wheel(path, parts[0], parts[1], "-".join(parts[-3:]), files)


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def write_wheel(path: Path, dist_info: str, files: Mapping[str, tuple[bytes, int]]) -> Path:
    """Write ``files`` (archive name -> bytes, mode; without ``RECORD``) as the wheel
    ``path``, with the ``RECORD`` of ``dist_info`` computed here; returns ``path``."""
    record_name = f"{dist_info}/RECORD"
    rows = [f"{name},{_digest(data)},{len(data)}" for name, (data, _) in files.items() if name != record_name]
    rows.append(f"{record_name},,")
    record = ("\n".join(rows) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    # dist-info last, as installers expect; RECORD the very last.
    ordered = sorted((n for n in files if n != record_name), key=lambda n: (n.startswith(dist_info + "/"), n))
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in [*ordered, record_name]:
            data, mode = (record, 0o644) if name == record_name else files[name]
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    os.replace(partial, path)
    return path


def tree_files(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below ``root`` (what :func:`modgate._configure.files.walk` finds) as wheel
    members, archive names relative to ``root``."""
    files: dict[str, tuple[bytes, int]] = {}
    for name in walk(root).files:
        full = root / name
        files[name] = (full.read_bytes(), 0o755 if os.access(full, os.X_OK) else 0o644)
    return files


def _split(text: str) -> tuple[list[str], str]:
    """A METADATA's header fields (each with its continuation lines) and its body."""
    head, sep, body = text.partition("\n\n")
    fields: list[str] = []
    for line in head.splitlines():
        if line[:1] in (" ", "\t") and fields:
            fields[-1] += "\n" + line
        elif line:
            fields.append(line)
    return fields, (sep + body if sep else "\n")


def metadata_fields(text: str, name: str) -> list[str]:
    """Every value of header field ``name`` in a METADATA text."""
    key = name.lower() + ":"
    return [field.split(":", 1)[1].strip() for field in _split(text)[0] if field.lower().startswith(key)]


def metadata_field(text: str, name: str) -> str | None:
    values = metadata_fields(text, name)
    return values[0] if values else None


def replace_extras(text: str, extras: Mapping[str, Sequence[str]]) -> str:
    """``text`` (a METADATA) with its extras replaced by ``extras`` (extra -> requirements):
    every ``Provides-Extra`` and every ``Requires-Dist`` with an ``extra ==`` marker goes."""
    fields, body = _split(text)
    kept = []
    for field in fields:
        key = field.split(":", 1)[0].strip().lower()
        if key == "provides-extra" or (key == "requires-dist" and "extra ==" in field.replace("extra==", "extra ==")):
            continue
        kept.append(field)
    for extra, requirements in extras.items():
        kept.append(f"Provides-Extra: {extra}")
        kept.extend(f'Requires-Dist: {requirement}; extra == "{extra}"' for requirement in requirements)
    header = "\n".join(kept) + "\n"
    return header + "\n" + body.lstrip("\n") if body.strip() else header + "\n"
