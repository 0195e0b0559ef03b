"""The lineage view (``modelaudit lineage``): a tree on the terminal, JSON, Graphviz DOT, or a Mermaid diagram.

Pure functions over a :class:`~modelaudit.lineage.view.LineageView` (no I/O, no clock): the same view always
renders the same bytes. The view, findings included, is built before it gets here
(:func:`modelaudit.pipeline.lineage_view`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import ClassVar

from modelaudit.formats._tree import tree_lines
from modelaudit.lineage.view import LineageView
from modelaudit.models import Edge, Node, NodeKind, Relation

# a fixed order for a node's parents: bases before data
_RELATION_ORDER = {r: i for i, r in enumerate(Relation)}


# --------------------------------------------------------------------------------------------- text


def _license_label(node: Node) -> str:
    if not node.resolved:
        return ""
    info = node.license
    if info is None:
        return ""
    return f"license: {info.id or 'none declared'} ({info.category.value})"


def _node_label(node: Node | None, key: str) -> str:
    if node is None:
        return key
    parts = [key, f"[{node.kind.value}]"]
    if node.resolved:
        if node.gated:
            parts.append("gated")
        lic = _license_label(node)
        if lic:
            parts.append(lic)
    else:
        parts.append(f"UNRESOLVED: {node.unresolved_reason or 'unknown reason'}")
    return "  ".join(parts)


def render_text(view: LineageView) -> str:
    """An indented tree from the target up to its foundations; shared ancestors are expanded once."""
    by_id = {n.id: n for n in view.nodes}
    parents: dict[str, list[Edge]] = {}
    for e in view.edges:
        parents.setdefault(e.child, []).append(e)

    def children(key: str) -> list[tuple[str, str]]:
        edges = sorted(parents.get(key, ()), key=lambda e: (_RELATION_ORDER[e.relation], e.parent))
        return [(f"{e.relation.value} →", e.parent) for e in edges]

    lines, _drawn = tree_lines(view.root, children, lambda key: _node_label(by_id.get(key), key))
    unresolved = sum(1 for n in view.nodes if not n.resolved)
    lines.append("")
    lines.append(
        f"{len(view.nodes)} node(s), {len(view.edges)} edge(s), {unresolved} unresolved, "
        f"{len(view.cycles)} cycle(s)"
    )
    if view.truncated:
        lines.append(f"crawl truncated: {view.truncated}")
    for f in view.findings:
        lines.append(f"{f.severity.value}: {f.name} [{f.rule}] {f.node}: {f.message}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------- json


def render_json(view: LineageView) -> str:
    return json.dumps(view.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------- dot


def _dot_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _short_label(node: Node | None, key: str) -> list[str]:
    if node is None:
        return [key]
    second = node.kind.value
    if node.resolved:
        lic = node.license
        if lic is not None:
            second += f" · {lic.id or 'no license'} ({lic.category.value})"
        if node.gated:
            second += " · gated"
    else:
        second += " · unresolved"
    return [key, second]


def render_dot(view: LineageView) -> str:
    by_id = {n.id: n for n in view.nodes}
    out = ["digraph lineage {", "  rankdir=BT;", '  node [shape=box, fontname="Helvetica"];']
    for node in view.nodes:
        attrs = [f"label={_dot_str(chr(10).join(_short_label(node, node.id)))}"]
        if not node.resolved:
            attrs.append('style=dashed, color="#b00020"')
        elif node.kind is NodeKind.DATASET:
            attrs.append("shape=cylinder")
        if node.id == view.root:
            attrs.append("penwidth=2")
        out.append(f"  {_dot_str(node.id)} [{', '.join(attrs)}];")
    for e in view.edges:
        label = _dot_str(e.relation.value)
        out.append(f"  {_dot_str(e.child)} -> {_dot_str(e.parent)} [label={label}];")
    missing = sorted({k for e in view.edges for k in (e.child, e.parent)} - set(by_id))
    for key in missing:
        out.append(f"  {_dot_str(key)};")
    out.append("}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------- mermaid


def _mermaid_text(text: str) -> str:
    replacements = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "\n": "<br/>"}
    return "".join(replacements.get(c, c) for c in text)


def _ids(keys: Iterable[str]) -> dict[str, str]:
    return {key: f"n{i}" for i, key in enumerate(keys)}


def render_mermaid(view: LineageView) -> str:
    keys = [n.id for n in view.nodes]
    keys += sorted({k for e in view.edges for k in (e.child, e.parent)} - set(keys))
    ids = _ids(keys)
    by_id = {n.id: n for n in view.nodes}
    out = ["graph BT"]
    for key in keys:
        node = by_id.get(key)
        label = _mermaid_text("\n".join(_short_label(node, key)))
        if node is not None and node.kind is NodeKind.DATASET:
            out.append(f'  {ids[key]}[("{label}")]')
        else:
            out.append(f'  {ids[key]}["{label}"]')
    for e in view.edges:
        out.append(f"  {ids[e.child]} -->|{e.relation.value}| {ids[e.parent]}")
    unresolved = [ids[n.id] for n in view.nodes if not n.resolved]
    if unresolved:
        out.append("  classDef unresolved stroke:#b00020,stroke-dasharray:4 3")
        out.append(f"  class {','.join(unresolved)} unresolved")
    return "\n".join(out) + "\n"


class LineageText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, view: LineageView) -> str:
        return render_text(view)


class LineageJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, view: LineageView) -> str:
        return render_json(view)


class LineageDot:
    name: ClassVar[str] = "dot"
    suffix: ClassVar[str] = ".dot"

    def render(self, view: LineageView) -> str:
        return render_dot(view)


class LineageMermaid:
    name: ClassVar[str] = "mermaid"
    suffix: ClassVar[str] = ".mmd"

    def render(self, view: LineageView) -> str:
        return render_mermaid(view)
