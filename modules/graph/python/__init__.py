"""graph: the module dependency graph as text, DOT, Mermaid or SVG; also the command
``modgate graph`` (``cli.py``).

The graph is drawn from a build manifest (``modgate.info()``): one node per module,
filled when enabled, a solid edge per ``requires``, a dashed one per ``conflicts``.
SVG needs the ``graphviz`` Python package and Graphviz's ``dot`` program:
``pip install "modgate[graph]"``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["GraphvizMissingError", "render", "to_dot", "to_mermaid", "to_svg", "to_text"]

FORMATS = ("text", "dot", "mermaid", "svg")


class GraphvizMissingError(ImportError):
    """SVG was asked for but the graphviz package or program is missing."""


def _modules(info: Mapping[str, Any] | None) -> Mapping[str, Mapping[str, Any]]:
    if info is None:
        import modgate

        info = modgate.info()
    modules: Mapping[str, Mapping[str, Any]] = info["modules"]
    return modules


def _conflict_pairs(modules: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str]]:
    pairs = {tuple(sorted((name, other))) for name, m in modules.items() for other in m.get("conflicts", ())}
    return sorted((a, b) for a, b in pairs)


def _dot_id(text: str) -> str:
    return json.dumps(text)  # a double-quoted string with \" and \\ escaped, as DOT expects


def to_dot(info: Mapping[str, Any] | None = None) -> str:
    """The graph in Graphviz DOT."""
    modules = _modules(info)
    lines = ["digraph modgate {", "  rankdir=LR;", '  node [shape=box, style="rounded,filled", fontname="sans-serif"];']
    for name in sorted(modules):
        m = modules[name]
        on = m.get("state") == "ON"
        label = f"{name}\\n{m.get('stage', '')} {'ON' if on else 'OFF'}"
        fill = "#c8e6c9" if on else "#eeeeee"
        lines.append(
            f'  {_dot_id(name)} [label="{label}", fillcolor="{fill}", tooltip={_dot_id(m.get("reason", ""))}];'
        )
    for name in sorted(modules):
        for dep in modules[name].get("requires", ()):
            lines.append(f"  {_dot_id(name)} -> {_dot_id(dep)};")
    for a, b in _conflict_pairs(modules):
        lines.append(f'  {_dot_id(a)} -> {_dot_id(b)} [style=dashed, color="#c62828", dir=none, label="conflicts"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(info: Mapping[str, Any] | None = None) -> str:
    """The graph as a Mermaid flowchart."""
    modules = _modules(info)
    ids = {name: f"m_{name}" for name in modules}
    lines = ["flowchart LR"]
    for name in sorted(modules):
        m = modules[name]
        state = "ON" if m.get("state") == "ON" else "OFF"
        lines.append(f'  {ids[name]}["{name}<br/>{m.get("stage", "")} {state}"]:::{state.lower()}')
    for name in sorted(modules):
        for dep in modules[name].get("requires", ()):
            if dep in ids:
                lines.append(f"  {ids[name]} --> {ids[dep]}")
    for a, b in _conflict_pairs(modules):
        if a in ids and b in ids:
            lines.append(f"  {ids[a]} -. conflicts .- {ids[b]}")
    lines.append("  classDef on fill:#c8e6c9,stroke:#2e7d32")
    lines.append("  classDef off fill:#eeeeee,stroke:#9e9e9e")
    return "\n".join(lines) + "\n"


def to_text(info: Mapping[str, Any] | None = None) -> str:
    """The graph as aligned text: a line per module with its state, stage, requirements and
    conflicts."""
    modules = _modules(info)
    width = max((len(name) for name in modules), default=0)
    lines = []
    for name in sorted(modules):
        m = modules[name]
        state = "ON" if m.get("state") == "ON" else "OFF"
        edges = []
        if m.get("requires"):
            edges.append("requires " + ", ".join(m["requires"]))
        if m.get("conflicts"):
            edges.append("conflicts with " + ", ".join(m["conflicts"]))
        lines.append(f"{name:<{width}}  {state:<3}  {m.get('stage', '')}  {'; '.join(edges)}".rstrip())
    return "\n".join(lines) + "\n"


def to_svg(info: Mapping[str, Any] | None = None) -> str:
    """The graph as SVG, drawn by Graphviz."""
    try:
        import graphviz  # type: ignore[import-untyped]
    except ImportError as exc:
        raise GraphvizMissingError('SVG output needs the graphviz package: pip install "modgate[graph]"') from exc
    try:
        svg: bytes = graphviz.Source(to_dot(info)).pipe(format="svg")
    except graphviz.ExecutableNotFound as exc:
        raise GraphvizMissingError(
            "SVG output needs Graphviz's dot program on PATH (Debian/Ubuntu: apt-get install graphviz)"
        ) from exc
    return svg.decode("utf-8")


def render(fmt: str, info: Mapping[str, Any] | None = None) -> str:
    """The graph in ``fmt`` (one of ``text``, ``dot``, ``mermaid``, ``svg``)."""
    if fmt == "text":
        return to_text(info)
    if fmt == "dot":
        return to_dot(info)
    if fmt == "mermaid":
        return to_mermaid(info)
    if fmt == "svg":
        return to_svg(info)
    raise ValueError(f"unknown graph format {fmt!r}: use one of {', '.join(FORMATS)}")
