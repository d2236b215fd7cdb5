"""Native files judged against the RECORD of the wheel that installed them."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from modgate import _installed


def install(site: Path, files: dict[str, bytes], distribution: str = "acme-core") -> None:
    """``files`` written under ``site`` as an installer would, RECORD last."""
    lines = []
    for name, data in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        lines.append(f"{name},sha256={digest},{len(data)}")
    info = site / f"{distribution.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "RECORD").write_text("\n".join([*lines, f"{info.name}/RECORD,,"]) + "\n", encoding="utf-8")
    past = os.stat(info / "RECORD").st_mtime_ns - 10**9
    for name in files:
        os.utime(site / name, ns=(past, past))


def test_a_file_as_installed_passes_and_one_cut_short_or_changed_does_not(tmp_path: Path) -> None:
    library = "acme/modules/m/libm.so"
    install(tmp_path, {library: b"\x7fELF" + b"x" * 100, "acme/other.so": b"y"})
    path = str(tmp_path / library)
    assert _installed.damage(path, "Acme.Core") is None  # the name as any spelling of it
    (tmp_path / library).write_bytes(b"\x7fELF")
    assert "is 4 bytes" in (_installed.damage(path, "acme-core") or "")
    (tmp_path / library).write_bytes(b"\x7fELF" + b"z" * 100)  # same size, newer than RECORD: hashed
    assert "content changed after the install" in (_installed.damage(path, "acme-core") or "")


def test_a_file_no_record_lists_is_not_judged(tmp_path: Path) -> None:
    install(tmp_path, {"acme/a.so": b"a"})
    (tmp_path / "acme" / "b.so").write_bytes(b"b")
    assert _installed.damage(str(tmp_path / "acme" / "b.so"), "acme-core") is None  # not installed by it
    assert _installed.damage(str(tmp_path / "acme" / "a.so"), "another") is None  # no RECORD of that name
    assert _installed.damage(str(tmp_path / "nowhere" / "c.so"), "acme-core") is None
