"""Rendering the lineage: the terminal tree, JSON, DOT and Mermaid, on a graph with every oddity.

The view is built as ``modelaudit lineage`` builds it (the pipeline runs the lineage rules and hands their
findings to the view) and rendered through the lineage formats registry.
"""

from __future__ import annotations

import itertools
import json

from memory_repos import MemorySource, card, model_ref
from modelaudit.formats import LINEAGE_FORMATS
from modelaudit.lineage.crawler import crawl
from modelaudit.lineage.graph import GraphNode, LineageGraph
from modelaudit.models import (
    CommercialUse,
    Edge,
    LicenseCategory,
    LicenseInfo,
    NodeKind,
    Relation,
    RepoRef,
)
from modelaudit.pipeline import lineage_view as build_view


def render(view, fmt: str) -> str:  # type: ignore[no-untyped-def]
    return LINEAGE_FORMATS.render_text(fmt, view)


def view():  # type: ignore[no-untyped-def]
    src = MemorySource()
    src.add_model("org/top", {"base_model": ["org/a", "org/b"], "datasets": ["org/data"]})
    src.add_model("org/a", {"base_model": "org/root"})
    src.add_model("org/b", {"base_model": ["org/root", 'org/"quoted"']})
    src.add_model("org/root", {"base_model": "org/top"})  # closes a cycle through the target
    src.add("datasets/org/data", {"README.md": card({"license": "cc-by-4.0"})})
    graph = crawl(model_ref("org/top"), src)
    licenses = {
        "org/top": LicenseInfo(
            id="apache-2.0", category=LicenseCategory.PERMISSIVE, commercial_use=CommercialUse.YES
        ),
        "datasets/org/data": LicenseInfo(id="CC-BY-4.0", category=LicenseCategory.PERMISSIVE),
    }
    return build_view(graph, licenses)


def test_text_tree() -> None:
    text = render(view(), "text")
    assert text.splitlines() == [
        "org/top  [model]  license: apache-2.0 (permissive)",
        "├── merge → org/a  [model]",
        "│   └── finetune → org/root  [model]",
        "│       └── finetune → org/top  (cycle)",
        "├── merge → org/b  [model]",
        '│   ├── merge → org/"quoted"  [model]  UNRESOLVED: \'org/"quoted"\' is neither a Hub id nor a folder '
        "next to the model",
        "│   └── merge → org/root  [model]  (see above)",
        "└── trained_on → datasets/org/data  [dataset]  license: CC-BY-4.0 (permissive)",
        "",
        "6 node(s), 7 edge(s), 1 unresolved, 2 cycle(s)",
        # every elementary cycle is reported, not only the first one a depth-first walk meets
        "error: lineage-cycle [MA002] org/a: lineage cycle: org/a → org/root → org/top → org/a",
        "error: lineage-cycle [MA002] org/b: lineage cycle: org/b → org/root → org/top → org/b",
        'warning: lineage-unresolved [MA001] org/"quoted": org/"quoted" (declared by org/b) could not be '
        "resolved: 'org/\"quoted\"' is neither a Hub id nor a folder next to the model",
    ]


def test_json_dot_mermaid() -> None:
    v = view()
    data = json.loads(render(v, "json"))
    assert data["root"] == "org/top"
    assert [n["id"] for n in data["nodes"]] == [
        "org/top",
        "datasets/org/data",
        "org/a",
        "org/b",
        'org/"quoted"',
        "org/root",
    ]
    assert data["cycles"] == [
        ["org/a", "org/root", "org/top", "org/a"],
        ["org/b", "org/root", "org/top", "org/b"],
    ]
    assert next(n for n in data["nodes"] if n["id"] == "org/top")["license"]["id"] == "apache-2.0"

    dot = render(v, "dot")
    assert dot.startswith("digraph lineage {\n  rankdir=BT;")
    assert '"org/b" -> "org/\\"quoted\\"" [label="merge"];' in dot
    assert '"org/\\"quoted\\"" [label="org/\\"quoted\\"\\nmodel · unresolved", style=dashed' in dot
    assert dot.rstrip().endswith("}")

    mermaid = render(v, "mermaid")
    lines = mermaid.splitlines()
    assert lines[0] == "graph BT"
    assert '  n0["org/top<br/>model · apache-2.0 (permissive)"]' in lines
    assert '  n1[("datasets/org/data<br/>dataset · CC-BY-4.0 (permissive)")]' in lines
    assert '  n4["org/#quot;quoted#quot;<br/>model · unresolved"]' in lines
    assert "  n0 -->|trained_on| n1" in lines
    assert lines[-1] == "  class n4 unresolved"


def test_a_thousand_level_chain_renders_in_every_format() -> None:
    """`modelaudit lineage` on a very deep lineage: no RecursionError, every level drawn."""
    keys = [f"org/m{i}" for i in range(1001)]
    nodes = {
        k: GraphNode(key=k, ref=RepoRef(repo_id=k), kind=NodeKind.MODEL, depth=i, unresolved_reason="404")
        for i, k in enumerate(keys)
    }
    edges = [Edge(child=c, parent=p, relation=Relation.FINETUNE) for c, p in itertools.pairwise(keys)]
    v = build_view(LineageGraph(root=keys[0], nodes=nodes, edges=edges))
    text = render(v, "text")
    assert text.count("finetune →") == 1000
    assert text.splitlines()[1000].startswith(" " * 4 * 999 + "└── finetune → org/m1000")
    for fmt in ("json", "dot", "mermaid"):
        assert "org/m1000" in render(v, fmt)
