"""The lineage graph as a self-contained inline SVG, laid out in layers (Sugiyama style).

Layout (a small Sugiyama-style pass, deterministic):

1. **Layers**: a node's layer is the longest chain of "derived from" edges between it and a node nothing
   derives from (the target): the topological generations of the graph's condensation (networkx), so
   the members of a cycle share a layer. Ancestors are drawn to the left, the target on the right, so the
   picture reads like the model's history: base → fine-tune → quantization.
2. **Order** inside a layer: a few barycenter sweeps (mean position of neighbours in the adjacent layer),
   ties broken by id, which keeps crossings low on real lineages.
3. **Columns**: a layer with more than ``MAX_PER_COLUMN`` nodes is split into several columns so 50-node
   lineages stay compact instead of becoming one very tall column.

Every string that reaches the SVG is escaped here (the result is ``Markup`` for jinja2); repo ids and
reasons come from cards and are untrusted.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from modelaudit.models import LicenseCategory, NodeKind, ScanReport

NODE_W = 250
NODE_H = 46
V_GAP = 14
COL_GAP = 96  # horizontal space between columns, room for edge labels
SUB_COL_GAP = 24  # between columns of one split layer
MARGIN = 16
LEGEND_H = 30
MAX_PER_COLUMN = 16
EDGE_CLEARANCE = 9  # least distance between an edge crossing a split layer and the boxes it passes
FONT = 12
SMALL_FONT = 11
CHAR_W = 6.9  # average glyph width at FONT px (sans-serif), used to fit labels without measuring
SMALL_CHAR_W = 6.2

# (fill, stroke) per license category; dark text on all fills
CATEGORY_COLOURS: dict[str, tuple[str, str]] = {
    LicenseCategory.PERMISSIVE.value: ("#dcfce7", "#15803d"),
    LicenseCategory.WEAK_COPYLEFT.value: ("#e0f2fe", "#0369a1"),
    LicenseCategory.COPYLEFT.value: ("#ede9fe", "#6d28d9"),
    LicenseCategory.RESTRICTIVE.value: ("#fef3c7", "#b45309"),
    LicenseCategory.PROPRIETARY.value: ("#fee2e2", "#b91c1c"),
    LicenseCategory.UNKNOWN.value: ("#f3f4f6", "#4b5563"),
}
UNRESOLVED_COLOURS = ("url(#ma-hatch)", "#6b7280")


@dataclass(frozen=True)
class Box:
    id: str
    x: float
    y: float
    layer: int
    column: int  # sub-column inside the layer (0 = leftmost)
    layer_left: float  # x where the layer's first sub-column starts
    layer_right: float  # x where the layer's last sub-column ends


@dataclass(frozen=True)
class Layout:
    boxes: dict[str, Box]
    width: float
    height: float


def _layers(node_ids: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layering from the children side: the topological generations of the condensation
    (networkx), so the members of a cycle share one layer."""
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(node_ids)
    g.add_edges_from(edges)
    condensed = nx.condensation(g)
    members = condensed.graph["mapping"]
    generation = {comp: i for i, comps in enumerate(nx.topological_generations(condensed)) for comp in comps}
    return {n: generation[members[n]] for n in node_ids}


def _order(
    layers: dict[int, list[str]], edges: list[tuple[str, str]], sweeps: int = 4
) -> dict[int, list[str]]:
    neighbours: dict[str, set[str]] = defaultdict(set)
    for child, parent in edges:
        neighbours[child].add(parent)
        neighbours[parent].add(child)
    order = {k: sorted(v) for k, v in layers.items()}
    keys = sorted(order)
    for sweep in range(sweeps):
        seq = keys[1:] if sweep % 2 == 0 else list(reversed(keys[:-1]))
        for k in seq:
            ref_layer = k - 1 if sweep % 2 == 0 else k + 1
            ref = order.get(ref_layer, [])
            pos = {n: i / max(1, len(ref) - 1) for i, n in enumerate(ref)}
            own = {n: i / max(1, len(order[k]) - 1) for i, n in enumerate(order[k])}

            def key(n: str, pos: dict[str, float] = pos, own: dict[str, float] = own) -> tuple[float, str]:
                near = [pos[m] for m in neighbours[n] if m in pos]
                return (sum(near) / len(near) if near else own[n], n)

            order[k] = sorted(order[k], key=key)
    return order


def layout(node_ids: list[str], edges: list[tuple[str, str]]) -> Layout:
    """Positions for every node (top-left corners), ancestors left, the target right."""
    ids = sorted(set(node_ids))
    known = set(ids)
    edges = sorted({(c, p) for c, p in edges if c in known and p in known and c != p})
    layer_of = _layers(ids, edges)
    by_layer: dict[int, list[str]] = defaultdict(list)
    for n in ids:
        by_layer[layer_of[n]].append(n)
    order = _order(dict(by_layer), edges)
    max_layer = max(order) if order else 0

    # Layers left to right, oldest ancestors first. A layer with more than MAX_PER_COLUMN nodes is dealt
    # round-robin into c staggered sub-columns: node i sits at y = i * pitch / c, so order is kept, and the
    # pitch is chosen so that an edge leaving (or entering) a box centre runs straight through the gaps of
    # the layer's other sub-columns without touching a box.
    placed: list[tuple[int, list[str], int, float]] = []  # (layer, members, sub-columns, pitch)
    for lyr in range(max_layer, -1, -1):
        members = order.get(lyr, [])
        if members:
            c = math.ceil(len(members) / MAX_PER_COLUMN)
            pitch = max(NODE_H + V_GAP, c * (NODE_H / 2 + EDGE_CLEARANCE))
            placed.append((lyr, members, c, pitch))

    def extent(members: list[str], c: int, pitch: float) -> float:
        return (len(members) - 1) * pitch / c + NODE_H

    inner_h = max((extent(m, c, p) for _, m, c, p in placed), default=float(NODE_H))
    boxes: dict[str, Box] = {}
    x = float(MARGIN)
    for lyr, members, c, pitch in placed:
        left = x
        right = left + c * NODE_W + (c - 1) * SUB_COL_GAP
        y0 = MARGIN + LEGEND_H + (inner_h - extent(members, c, pitch)) / 2
        for i, n in enumerate(members):
            k = i % c
            boxes[n] = Box(
                id=n,
                x=left + k * (NODE_W + SUB_COL_GAP),
                y=y0 + i * pitch / c,
                layer=lyr,
                column=k,
                layer_left=left,
                layer_right=right,
            )
        x = right + COL_GAP
    width = max(x - COL_GAP + MARGIN, 2 * MARGIN + 600.0)  # room for the legend
    height = MARGIN + LEGEND_H + inner_h + MARGIN
    return Layout(boxes=boxes, width=width, height=height)


def _fit(text: str, width: float, char_w: float) -> str:
    max_chars = max(4, int(width // char_w))
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _bezier_point(p0: float, p1: float, p2: float, p3: float, t: float) -> float:
    u = 1 - t
    return u * u * u * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * p3


def render_svg(report: ScanReport, *, error_counts: dict[str, int] | None = None) -> Markup:
    """The report's lineage as an ``<svg>`` element (escaped, safe to embed)."""
    nodes = {n.id: n for n in report.nodes}
    edges = [(e.child, e.parent, e.relation.value) for e in report.edges]
    # an edge to a node the report does not list still gets drawn, as an unresolved box
    ids = sorted(set(nodes) | {c for c, _, _ in edges} | {p for _, p, _ in edges})
    lay = layout(ids, [(c, p) for c, p, _ in edges])
    errors = error_counts or {}

    out: list[str] = []
    w, h = _num(lay.width), _num(lay.height)
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" viewBox="0 0 {w} {h}" '
        f'width="{w}" height="{h}" role="img" aria-labelledby="ma-graph-title" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif">'
    )
    out.append(
        f'<title id="ma-graph-title">Lineage of {escape(report.target.id)}: '
        f"{len(ids)} nodes, {len(edges)} relations</title>"
    )
    out.append(
        "<defs>"
        '<marker id="ma-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#4b5563"/></marker>'
        '<pattern id="ma-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#e5e7eb" stroke-width="4"/></pattern>'
        "</defs>"
    )
    # legend
    lx = float(MARGIN)
    out.append('<g class="legend" font-size="11" fill="#111827">')
    for cat in [c.value for c in LicenseCategory]:
        fill, stroke = CATEGORY_COLOURS[cat]
        out.append(
            f'<rect x="{_num(lx)}" y="{MARGIN}" width="14" height="14" rx="3" fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{_num(lx + 19)}" y="{MARGIN + 11}">{escape(cat)}</text>'
        )
        lx += 19 + len(cat) * SMALL_CHAR_W + 14
    out.append(
        f'<rect x="{_num(lx)}" y="{MARGIN}" width="14" height="14" rx="3" fill="{UNRESOLVED_COLOURS[0]}" '
        f'stroke="{UNRESOLVED_COLOURS[1]}" stroke-dasharray="3 2"/>'
        f'<text x="{_num(lx + 19)}" y="{MARGIN + 11}">unresolved</text>'
    )
    out.append("</g>")

    # edges first, so boxes sit on top of their ends
    out.append('<g class="edges" fill="none" stroke="#6b7280" stroke-width="1.4">')
    labels: list[str] = []
    out_degree: dict[str, int] = defaultdict(int)
    in_degree: dict[str, int] = defaultdict(int)
    for child, parent, _ in edges:
        out_degree[parent] += 1
        in_degree[child] += 1
    for child, parent, relation in sorted(edges):
        pb, cb = lay.boxes[parent], lay.boxes[child]
        y1, y2 = pb.y + NODE_H / 2, cb.y + NODE_H / 2
        forward = cb.layer_left > pb.layer_right
        if forward:
            # straight out of the parent's layer, a curve across the gap, straight into the child's box
            x1, x2 = pb.layer_right, cb.layer_left
            dx = max(40.0, (x2 - x1) / 2)
            c1x, c2x = x1 + dx, x2 - dx
            path = (
                f"M{_num(pb.x + NODE_W)},{_num(y1)} H{_num(x1)} "
                f"C{_num(c1x)},{_num(y1)} {_num(c2x)},{_num(y2)} {_num(x2)},{_num(y2)} H{_num(cb.x)}"
            )
        else:  # same layer or backwards (cycles): loop out to the right and back in
            x1, x2 = pb.x + NODE_W, cb.x + NODE_W
            dx = COL_GAP * 0.6
            c1x, c2x = x1 + dx, x2 + dx
            path = (
                f"M{_num(x1)},{_num(y1)} C{_num(c1x)},{_num(y1)} {_num(c2x)},{_num(y2)} {_num(x2)},{_num(y2)}"
            )
        title = f"{child} — {relation} of — {parent}"
        out.append(f'<path d="{path}" marker-end="url(#ma-arrow)"><title>{escape(title)}</title></path>')
        label = relation.replace("_", " ")
        tw = len(label) * SMALL_CHAR_W + 8
        # Put the label where the edge is alone: beside a parent with one outgoing edge, else beside a
        # child with one incoming edge, else in the gap after the parent's layer (t by bisection on x).
        if forward and out_degree[parent] == 1:
            lxp, lyp = pb.x + NODE_W + 4 + tw / 2, y1
        elif forward and in_degree[child] == 1:
            lxp, lyp = cb.x - 8 - tw / 2, y2
        else:
            target_x = min(x1 + COL_GAP / 2, (x1 + x2) / 2) if forward else x1 + dx * 0.75
            lo, hi = 0.0, 1.0
            for _ in range(24):
                mid = (lo + hi) / 2
                if _bezier_point(x1, c1x, c2x, x2, mid) < target_x:
                    lo = mid
                else:
                    hi = mid
            t = (lo + hi) / 2
            lxp = _bezier_point(x1, c1x, c2x, x2, t)
            lyp = _bezier_point(y1, y1, y2, y2, t)
        labels.append(
            f'<g class="edge-label"><rect x="{_num(lxp - tw / 2)}" y="{_num(lyp - 8)}" width="{_num(tw)}" '
            f'height="15" rx="3" fill="#ffffff" fill-opacity="0.92"/>'
            f'<text x="{_num(lxp)}" y="{_num(lyp + 3.5)}" text-anchor="middle" font-size="{SMALL_FONT}" '
            f'fill="#374151">{escape(label)}</text></g>'
        )
    out.append("</g>")
    out.append('<g class="labels">' + "".join(labels) + "</g>")

    out.append('<g class="nodes">')
    for nid in ids:
        box = lay.boxes[nid]
        node = nodes.get(nid)
        resolved = node is not None and node.resolved
        cat = node.license.category.value if node and node.license else LicenseCategory.UNKNOWN.value
        fill, stroke = CATEGORY_COLOURS[cat] if resolved else UNRESOLVED_COLOURS
        kind = node.kind.value if node else "unknown"
        rx = 18 if node and node.kind is NodeKind.DATASET else 6
        is_target = nid == report.target.id
        classes = ["node", f"kind-{kind}", "resolved" if resolved else "unresolved"]
        if is_target:
            classes.append("target")
        if node is None or not resolved:
            line2 = f"{kind} · unresolved"
            reason = (node.unresolved_reason if node else None) or "not in the report"
            tip = f"{nid}\nunresolved: {reason}"
        else:
            lic = node.license.id if node.license and node.license.id else "no license"
            line2 = f"{kind} · {lic} · {cat}"
            tip = f"{nid}\n{kind}, license {lic} ({cat}), revision {node.revision or 'unpinned'}"
        dash = ' stroke-dasharray="5 3"' if not resolved else ""
        width = 2.6 if is_target else 1.4
        out.append(f'<g class="{" ".join(classes)}"><title>{escape(tip)}</title>')
        out.append(
            f'<rect x="{_num(box.x)}" y="{_num(box.y)}" width="{NODE_W}" height="{NODE_H}" rx="{rx}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>'
        )
        pad = 10 if rx < 10 else 13
        out.append(
            f'<text x="{_num(box.x + pad)}" y="{_num(box.y + 19)}" font-size="{FONT}" font-weight="600" '
            f'fill="#111827">{escape(_fit(nid.removeprefix("datasets/"), NODE_W - 2 * pad, CHAR_W))}</text>'
        )
        out.append(
            f'<text x="{_num(box.x + pad)}" y="{_num(box.y + 36)}" font-size="{SMALL_FONT}" '
            f'fill="#374151">{escape(_fit(line2, NODE_W - 2 * pad, SMALL_CHAR_W))}</text>'
        )
        n_err = errors.get(nid, 0)
        if n_err:
            cx, cy = box.x + NODE_W - 2, box.y + 2
            out.append(
                f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="9" fill="#b91c1c"/>'
                f'<text x="{_num(cx)}" y="{_num(cy + 4)}" text-anchor="middle" font-size="11" '
                f'font-weight="700" fill="#ffffff">{n_err}</text>'
            )
        out.append("</g>")
    out.append("</g></svg>")
    return Markup("".join(out))
