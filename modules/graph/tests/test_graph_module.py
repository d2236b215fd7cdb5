"""The graph module: DOT, Mermaid and SVG from a build manifest."""

from __future__ import annotations

import shutil
import xml.dom.minidom

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

    with pytest.raises(ValueError, match="use one of dot, mermaid, svg"):
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
