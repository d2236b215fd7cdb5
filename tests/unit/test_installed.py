"""Native files judged against the RECORD of the wheel that installed them."""

from __future__ import annotations

import base64
import hashlib
import os
import sys
from pathlib import Path

import pytest

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


def _declared(group: str) -> list[tuple[str, str, str, str]]:
    from importlib.metadata import entry_points

    return sorted((e.name, e.value, e.dist.name, e.dist.version) for e in entry_points(group=group) if e.dist)


@pytest.mark.parametrize("group", ["console_scripts", "pytest11", "modgate.modules"])
def test_entry_points_are_read_as_importlib_metadata_reads_them(group: str) -> None:
    """The plugin scan reads entry_points.txt itself (importlib.metadata's import costs a
    first capability lookup ~13 ms): the same answer, on this environment's distributions."""
    from modgate._records import _entry_points

    assert sorted(_entry_points(group)) == _declared(group)


def test_entry_points_first_on_the_path_wins_and_odd_files_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modgate._records import _entry_points

    first, second = tmp_path / "first", tmp_path / "second"
    for root, version in ((first, "2.0"), (second, "1.0")):
        info = root / f"acme_plus-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: acme-plus\nVersion: {version}\n\nbody: x\n")
        (info / "entry_points.txt").write_text(
            f"# a comment\n[acme.modules]\nshout = acme_plus.v{version[0]}.shout\n\n[other]\nx = y\n"
        )
    egg = second / "old_thing.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Name: old-thing\nVersion: 0.1\n")
    (egg / "entry_points.txt").write_text("[acme.modules]\n ancient = old_thing.ancient \n")
    (second / "broken-1.0.dist-info").mkdir()  # no metadata at all
    monkeypatch.setattr(sys, "path", [str(first), str(second), str(tmp_path / "missing")])
    found = sorted(_entry_points("acme.modules"))
    assert found == _declared("acme.modules")
    assert found == [
        ("ancient", "old_thing.ancient", "old-thing", "0.1"),
        ("shout", "acme_plus.v2.shout", "acme-plus", "2.0"),
    ]
