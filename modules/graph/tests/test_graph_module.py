"""The graph module: DOT, Mermaid and SVG from a build manifest."""

from __future__ import annotations

import shutil
import xml.dom.minidom
from pathlib import Path

import pytest

INFO = {
    "modules": {
        "a": {"state": "ON", "stage": "S1", "reason": 'default "AUTO"', "requires": ["b"], "conflicts": ["c"]},
        "b": {"state": "ON", "stage": "S0", "reason": "x", "requires": [], "conflicts": []},
        "c": {"state": "OFF", "stage": "S2", "reason": "conflicts with 'a'", "requires": [], "conflicts": ["a"]},
    }
}


def test_dot() -> None:
    from modgate.modules import graph

    dot = graph.to_dot(INFO)
    assert dot.startswith("digraph modgate {")
    assert '"a" -> "b";' in dot
    assert dot.count("style=dashed") == 1  # one edge per conflicting pair, not per side
    assert 'tooltip="default \\"AUTO\\""' in dot


def test_mermaid() -> None:
    from modgate.modules import graph

    text = graph.to_mermaid(INFO)
    assert text.splitlines()[0] == "flowchart LR"
    assert "  m_a --> m_b" in text and "  m_a -. conflicts .- m_c" in text
    assert 'm_c["c<br/>S2 OFF"]:::off' in text


def test_default_input_is_this_build() -> None:
    from modgate.modules import graph

    import modgate

    dot = graph.render("dot")
    for name in modgate.info()["modules"]:
        assert f'"{name}" [label=' in dot


def test_unknown_format() -> None:
    from modgate.modules import graph

    with pytest.raises(ValueError, match="use one of text, dot, mermaid, svg"):
        graph.render("png", INFO)


def test_svg_through_graphviz() -> None:
    from modgate.modules import graph

    if shutil.which("dot") is None:
        with pytest.raises(graph.GraphvizMissingError, match="apt-get install graphviz"):
            graph.to_svg(INFO)
        return
    svg = graph.to_svg(INFO)
    document = xml.dom.minidom.parseString(svg)
    assert document.documentElement.tagName == "svg"
    titles = [t.firstChild.data for t in document.getElementsByTagName("title")]
    assert {"a", "b", "c", "a->b"} <= set(titles)


def test_text() -> None:
    from modgate.modules import graph

    assert graph.to_text(INFO).splitlines() == [
        "a  ON   S1  requires b; conflicts with c",
        "b  ON   S0",
        "c  OFF  S2  conflicts with a",
    ]


def test_the_modgate_graph_command_draws_the_installed_host_and_a_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import modgate
    from modgate.cli import main

    assert main(["graph", "--package", "modgate", "--format", "dot"]) == 0
    dot = capsys.readouterr().out
    assert all(f'"{name}" [label=' in dot for name in modgate.info()["modules"])
    root = tmp_path
    (root / "modules" / "one").mkdir(parents=True)
    (root / "modules" / "two").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.modgate]\npackage = "acme"\n')
    (root / "modules" / "one" / "module.toml").write_text(
        'name = "one"\nsummary = "1"\nstage = "S1"\ndefault = "OFF"\n'
    )
    (root / "modules" / "two" / "module.toml").write_text(
        'name = "two"\nsummary = "2"\nstage = "S1"\nrequires = ["one"]\n'
    )
    assert main(["graph", str(root)]) == 0
    assert capsys.readouterr().out.splitlines() == ["one  OFF  S1", "two  OFF  S1  requires one"]
    (root / "modules" / "two" / "module.toml").write_text(
        'name = "two"\nsummary = "2"\nstage = "S1"\nrequires = ["on"]\n'
    )
    assert main(["graph", str(root)]) == 2
    assert "requires unknown module 'on'" in capsys.readouterr().err


def test_the_command_draws_text_without_graphviz_and_says_what_svg_needs(tmp_path: Path) -> None:
    import importlib.util
    import subprocess
    import sys

    # A Python that sees modgate and packaging but no graphviz: no site-packages, links only.
    site = tmp_path / "site"
    site.mkdir()
    for name in ("modgate", "packaging"):
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.submodule_search_locations
        (site / name).symlink_to(next(iter(spec.submodule_search_locations)))
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}

    def graph(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-S", "-m", "modgate", "graph", "--package", "modgate", *args]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, check=False)

    text = graph("--format", "text")
    assert text.returncode == 0, text.stderr
    assert "graph" in [line.split()[0] for line in text.stdout.splitlines()]
    svg = graph("--format", "svg")
    assert svg.returncode == 2 and 'pip install "modgate[graph]"' in svg.stderr
