"""The lineage as a reader sees it: a tree on the terminal, JSON, Graphviz DOT, or a Mermaid diagram.

Pure functions over a ``LineageView`` (no I/O, no clock): the same graph always renders the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from pydantic import BaseModel, ConfigDict, Field

from modelaudit.lineage.graph import LineageGraph
from modelaudit.models import Edge, Finding, LicenseInfo, Node, NodeKind, Relation

FORMATS = ("text", "json", "dot", "mermaid")

# a fixed order for a node's parents: bases before data
_RELATION_ORDER = {r: i for i, r in enumerate(Relation)}
_LINEAGE_RULES = ("lineage-unresolved", "lineage-cycle", "lineage-mismatch", "gated")


class LineageView(BaseModel):
    """What ``modelaudit lineage -f json`` prints: the nodes and edges of the report contract, plus cycles."""

    model_config = ConfigDict(extra="forbid")

    root: str
    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    cycles: list[list[str]] = Field(default_factory=list)
    truncated: str | None = None
    findings: list[Finding] = Field(default_factory=list)  # lineage findings only (unresolved, cycle, ...)

    def node(self, key: str) -> Node | None:
        return next((n for n in self.nodes if n.id == key), None)


def build_view(graph: LineageGraph, licenses: dict[str, LicenseInfo] | None = None) -> LineageView:
    """The graph with licenses attached and the lineage rules' findings, in a canonical order."""
    from modelaudit.policy.engine import evaluate
    from modelaudit.policy.model import Policy
    from modelaudit.policy.rules import RuleContext

    lic = licenses or {}
    nodes = [g.to_node(lic.get(key)) for key, g in graph.nodes.items()]
    ctx = RuleContext(graph=graph, policy=Policy(name="lineage"), licenses=lic)
    findings = [f for f in [*graph.findings, *evaluate(ctx)] if f.name in _LINEAGE_RULES]
    return LineageView(
        root=graph.root,
        nodes=sorted(nodes, key=lambda n: (n.depth, n.id)),
        edges=sorted(
            (
                e.model_copy(update={"evidence": sorted(e.evidence, key=lambda v: (v.source, v.value))})
                for e in graph.edges
            ),
            key=lambda e: (e.child, e.parent, e.relation.value),
        ),
        cycles=graph.cycles,
        truncated=graph.truncated,
        findings=sorted(findings, key=lambda f: (-f.severity.rank, f.rule, f.node, f.message)),
    )


def render(view: LineageView, fmt: str) -> str:
    if fmt == "json":
        return render_json(view)
    if fmt == "dot":
        return render_dot(view)
    if fmt == "mermaid":
        return render_mermaid(view)
    return render_text(view)


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


def tree_lines(
    root: str,
    children: Callable[[str], list[tuple[str, str]]],
    label: Callable[[str], str],
    *,
    branches: tuple[str, str] = ("├── ", "└── "),
    indents: tuple[str, str] = ("│   ", "    "),
    max_depth: int | None = None,
    too_deep: str = "",
) -> tuple[list[str], set[str]]:
    """An indented tree from ``root``, and the keys drawn in it (both text trees, terminal and reports).

    ``children(key)`` gives ``(edge text, child key)`` pairs in drawing order. A key already drawn with its
    own subtree is referenced ("see above"), a key on the current path is marked "(cycle)". Below
    ``max_depth`` levels the ``too_deep`` line replaces the subtree. Iterative: a lineage of any depth
    renders without touching the recursion limit.
    """
    lines = [label(root)]
    drawn = {root}
    path = [root]
    on_path = {root}
    frames: list[tuple[Iterator[tuple[int, tuple[str, str]]], int, str]] = []

    def push(key: str, prefix: str) -> None:
        kids = children(key)
        frames.append((enumerate(kids), len(kids), prefix))

    push(root, "")
    while frames:
        entries, count, prefix = frames[-1]
        item = next(entries, None)
        if item is None:
            frames.pop()
            on_path.discard(path.pop())
            continue
        i, (text, key) = item
        last = int(i == count - 1)
        branch = branches[last]
        if key in on_path:
            lines.append(f"{prefix}{branch}{text} {key}  (cycle)")
            continue
        if key in drawn and children(key):
            lines.append(f"{prefix}{branch}{text} {label(key)}  (see above)")
            continue
        drawn.add(key)
        lines.append(f"{prefix}{branch}{text} {label(key)}")
        inner = prefix + indents[last]
        if max_depth is not None and len(path) + 1 > max_depth and children(key):
            lines.append(f"{inner}{branches[1]}{too_deep}")
            continue
        path.append(key)
        on_path.add(key)
        push(key, inner)
    return lines, drawn


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
