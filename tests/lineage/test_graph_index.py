"""The graph's parent and child indexes: built from the edges, in declaration order, never serialized."""

from __future__ import annotations

from modelaudit.lineage.graph import GraphNode, LineageGraph
from modelaudit.models import Edge, Evidence, NodeKind, Relation, RepoRef


def edge(child: str, parent: str, relation: Relation = Relation.FINETUNE) -> Edge:
    return Edge(child=child, parent=parent, relation=relation, evidence=[Evidence(source="t", value=parent)])


def make(edges: list[Edge]) -> LineageGraph:
    keys = dict.fromkeys(k for e in edges for k in (e.child, e.parent))
    nodes = {k: GraphNode(key=k, ref=RepoRef(repo_id=k), kind=NodeKind.MODEL, depth=0) for k in keys}
    return LineageGraph(root=edges[0].child, nodes=nodes, edges=edges)


def test_parents_and_children_follow_declaration_order() -> None:
    g = make([edge("m", "z"), edge("m", "a", Relation.MERGE), edge("a", "base"), edge("z", "base")])
    assert [e.parent for e in g.parents("m")] == ["z", "a"]
    assert [e.child for e in g.children("base")] == ["a", "z"]
    assert g.parents("base") == [] and g.children("m") == []
    assert g.ancestors("m") == ["z", "a", "base"]


def test_queries_return_copies() -> None:
    g = make([edge("m", "a")])
    g.parents("m").clear()
    g.children("a").append(edge("x", "a"))
    assert [e.parent for e in g.parents("m")] == ["a"] and len(g.children("a")) == 1


def test_with_edges_gets_its_own_index() -> None:
    g = make([edge("m", "a")])
    assert [e.parent for e in g.parents("m")] == ["a"]  # index built on g
    h = g.with_edges([edge("m", "b"), edge("b", "a")])
    assert [e.parent for e in h.parents("m")] == ["b"] and [e.parent for e in g.parents("m")] == ["a"]


def test_index_is_not_part_of_the_model() -> None:
    g = make([edge("m", "a")])
    fresh = make([edge("m", "a")])
    g.parents("m")  # builds the index on g only
    assert g == fresh
    assert g.model_dump() == fresh.model_dump()
    assert set(g.model_dump()) == {"root", "nodes", "edges", "findings", "truncated"}
    assert LineageGraph.model_validate_json(g.model_dump_json()).parents("m") == g.parents("m")
