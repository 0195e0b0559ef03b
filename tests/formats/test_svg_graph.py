"""Our layered lineage layout: deterministic, no overlapping boxes, readable at 50 nodes, escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from sample_report import big_report, sample_report

from modelaudit.formats.svg_graph import NODE_H, NODE_W, layout, render_svg
from modelaudit.models import Edge, Node, NodeKind, Relation

SVG = "{http://www.w3.org/2000/svg}"


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < NODE_W and abs(a[1] - b[1]) < NODE_H


def test_ancestors_are_left_of_their_descendants() -> None:
    r = sample_report()
    lay = layout([n.id for n in r.nodes], [(e.child, e.parent) for e in r.edges])
    for e in r.edges:
        assert lay.boxes[e.parent].x + NODE_W < lay.boxes[e.child].x


def test_fifty_nodes_no_overlap_and_compact() -> None:
    r = big_report(50)
    lay = layout([n.id for n in r.nodes], [(e.child, e.parent) for e in r.edges])
    pos = [(b.x, b.y) for b in lay.boxes.values()]
    assert len(pos) == 50
    for i in range(len(pos)):
        for j in range(i + 1, len(pos)):
            assert not _overlap(pos[i], pos[j])
    # split layers keep the picture roughly landscape instead of one very tall column
    assert lay.height < 1600 and lay.width < 2400


def test_edges_crossing_a_split_layer_pass_between_boxes() -> None:
    r = big_report(50)
    lay = layout([n.id for n in r.nodes], [(e.child, e.parent) for e in r.edges])
    for e in r.edges:
        p = lay.boxes[e.parent]
        y = p.y + NODE_H / 2
        for other in lay.boxes.values():
            # boxes of the parent's own layer to its right are crossed by the straight segment
            if other.layer == p.layer and other.x > p.x:
                assert not (other.y < y < other.y + NODE_H), (e.parent, other.id)


def test_svg_is_well_formed_with_every_node_and_labelled_edge() -> None:
    r = big_report(50)
    svg = str(render_svg(r))
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    nodes = root.findall(f".//{SVG}g[@class]")
    assert sum(1 for g in nodes if "node" in (g.get("class") or "").split()) == 50
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle" and t.text]
    assert sum(1 for t in labels if t in {"merge", "finetune", "adapter", "trained on"}) == len(r.edges)
    sizes = {float(t.get("font-size") or 0) for t in root.iter(f"{SVG}text") if t.get("font-size")}
    assert min(sizes) >= 11


def test_layout_is_deterministic() -> None:
    a = str(render_svg(big_report(50)))
    b = str(render_svg(big_report(50)))
    assert a == b


def test_hostile_node_ids_are_escaped() -> None:
    r = sample_report()
    evil = "evil/<script>alert(1)</script>"
    r = r.model_copy(
        update={
            "nodes": [
                *r.nodes,
                Node(id=evil, kind=NodeKind.MODEL, resolved=False, unresolved_reason='"><img onerror=x>'),
            ],
            "edges": [*r.edges, Edge(child=r.target.id, parent=evil, relation=Relation.MERGE)],
        }
    )
    svg = str(render_svg(r))
    ET.fromstring(svg)  # still well-formed XML
    assert "<script" not in svg and "<img" not in svg
    assert "&lt;script&gt;" in svg


def test_cycles_and_edges_to_unknown_nodes_do_not_break_the_layout() -> None:
    r = sample_report()
    r = r.model_copy(
        update={
            "edges": [
                *r.edges,
                Edge(
                    child="meta-llama/Llama-2-7b-hf",
                    parent="acme/chat-assistant-7b",
                    relation=Relation.DERIVED,
                ),
                Edge(child="acme/chat-assistant-7b", parent="ghost/not-in-report", relation=Relation.MERGE),
            ]
        }
    )
    svg = str(render_svg(r))
    ET.fromstring(svg)
    assert "ghost/not-in-report" in svg
    assert len(re.findall(r'class="node ', svg)) == len(r.nodes) + 1
