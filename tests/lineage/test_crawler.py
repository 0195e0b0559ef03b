"""The crawler on in-memory repos: exact nodes, edges and relations; guards; determinism under jitter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from memory_repos import MemorySource, card, edges_of, model_ref, nodes_of
from modelaudit.lineage.crawler import crawl
from modelaudit.lineage.graph import LineageGraph
from modelaudit.models import Edge, Relation, RepoRef
from modelaudit.policy.engine import evaluate
from modelaudit.policy.model import Policy
from modelaudit.policy.rules import RuleContext
from modelaudit.sources import SourceSet


def findings(graph: LineageGraph, slug: str) -> list[tuple[str, str]]:
    ctx = RuleContext(graph=graph, policy=Policy(name="t"))
    return [(f.node, f.message) for f in [*graph.findings, *evaluate(ctx)] if f.name == slug]


def chain_source(jitter: float = 0.0, seed: int = 0) -> MemorySource:
    src = MemorySource(jitter=jitter, seed=seed)
    src.add_model("meta/base", {"license": "llama3.1", "datasets": ["org/web"]})
    src.add_model(
        "meta/instruct",
        {"license": "llama3.1", "base_model": "meta/base", "datasets": ["org/chat", "org/web"]},
    )
    src.add_model(
        "acme/adapter",
        {"license": "llama3.1", "base_model": "meta/instruct"},
        {
            "adapter_config.json": json.dumps(
                {"base_model_name_or_path": "meta/instruct", "peft_type": "LORA"}
            )
        },
    )
    src.add_model(
        "acme/adapter-gguf",
        {"license": "llama3.1", "base_model": "acme/adapter", "base_model_relation": "quantized"},
    )
    src.add("datasets/org/web", {"README.md": card({"license": "odc-by"})})
    src.add(
        "datasets/org/chat", {"README.md": card({"license": "cc-by-4.0", "source_datasets": ["org/web"]})}
    )
    return src


def test_chain_exact_graph() -> None:
    src = chain_source()
    graph = crawl(model_ref("acme/adapter-gguf"), src)
    assert nodes_of(graph) == {
        "acme/adapter-gguf": ("model", 0, True),
        "acme/adapter": ("adapter", 1, True),
        "meta/instruct": ("model", 2, True),
        "meta/base": ("model", 3, True),
        "datasets/org/chat": ("dataset", 3, True),
        "datasets/org/web": ("dataset", 3, True),
    }
    assert edges_of(graph) == {
        ("acme/adapter-gguf", "acme/adapter", "quantized"),
        ("acme/adapter", "meta/instruct", "adapter"),
        ("meta/instruct", "meta/base", "finetune"),
        ("meta/instruct", "datasets/org/chat", "trained_on"),
        ("meta/instruct", "datasets/org/web", "trained_on"),
        ("meta/base", "datasets/org/web", "trained_on"),
        ("datasets/org/chat", "datasets/org/web", "derived"),
    }
    adapter_edge = next(e for e in graph.edges if e.child == "acme/adapter")
    assert [ev.source for ev in adapter_edge.evidence] == [
        "card:base_model",
        "adapter_config.json:base_model_name_or_path",
    ]
    assert graph.cycles == [] and graph.truncated is None
    assert all(n == 1 for n in src.calls.values()), src.calls  # each repo fetched exactly once


def test_output_does_not_depend_on_completion_order() -> None:
    dumps = set()
    for seed in range(4):
        src = chain_source(jitter=0.01, seed=seed)
        graph = crawl(model_ref("acme/adapter-gguf"), src, workers=6)
        dumps.add(graph.model_dump_json())
    one_worker = crawl(model_ref("acme/adapter-gguf"), chain_source(), workers=1).model_dump_json()
    assert dumps == {one_worker}


def test_relation_order_card_then_tags_then_files() -> None:
    src = MemorySource()
    # card says finetune explicitly; the adapter_config names the same base: the card wins
    src.add_model(
        "a/explicit",
        {"base_model": "b/base", "base_model_relation": "finetune"},
        {"adapter_config.json": json.dumps({"base_model_name_or_path": "b/base"})},
    )
    # no explicit relation: the Hub's tag decides
    src.add_model("a/tagged", {"base_model": "b/base"}, tags=["base_model:quantized:b/base"])
    # nothing declared: file evidence (a quantization_config) decides
    src.add_model(
        "a/quant", {"base_model": "b/base"}, {"config.json": json.dumps({"quantization_config": {"bits": 4}})}
    )
    # two bases, nothing else: merge
    src.add_model("a/merge", {"base_model": ["b/base", "b/other"]})
    # one base, nothing else: finetune
    src.add_model("a/plain", {"base_model": "b/base"})
    src.add_model("b/base", {"license": "mit"})
    src.add_model("b/other", {"license": "mit"})
    got = {}
    for key in ("a/explicit", "a/tagged", "a/quant", "a/merge", "a/plain"):
        got[key] = sorted((e.parent, e.relation.value) for e in crawl(model_ref(key), src).edges)
    assert got == {
        "a/explicit": [("b/base", "finetune")],
        "a/tagged": [("b/base", "quantized")],
        "a/quant": [("b/base", "quantized")],
        "a/merge": [("b/base", "merge"), ("b/other", "merge")],
        "a/plain": [("b/base", "finetune")],
    }


def test_conflicting_bases_keep_both_edges_and_raise_mismatch() -> None:
    src = MemorySource()
    src.add_model(
        "acme/lora",
        {"base_model": "meta/llama"},
        {"adapter_config.json": json.dumps({"base_model_name_or_path": "mistral/mistral"})},
    )
    src.add_model("meta/llama", {"license": "llama3.1"})
    src.add_model("mistral/mistral", {"license": "apache-2.0"})
    graph = crawl(model_ref("acme/lora"), src)
    assert edges_of(graph) == {
        ("acme/lora", "meta/llama", "adapter"),
        ("acme/lora", "mistral/mistral", "adapter"),
    }
    got = findings(graph, "lineage-mismatch")
    assert got == [
        (
            "acme/lora",
            "the card of acme/lora names meta/llama as base but its adapter_config.json names "
            "mistral/mistral; both are kept in the lineage",
        )
    ]


def test_agreeing_evidence_is_no_mismatch() -> None:
    src = chain_source()
    graph = crawl(model_ref("acme/adapter-gguf"), src)
    assert findings(graph, "lineage-mismatch") == []


def test_cycle_is_detected_without_hanging() -> None:
    src = MemorySource()
    src.add_model("x/a", {"base_model": "x/b"})
    src.add_model("x/b", {"base_model": "x/c"})
    src.add_model("x/c", {"base_model": "x/a"})
    graph = crawl(model_ref("x/a"), src)
    assert set(graph.nodes) == {"x/a", "x/b", "x/c"}
    assert edges_of(graph) == {
        ("x/a", "x/b", "finetune"),
        ("x/b", "x/c", "finetune"),
        ("x/c", "x/a", "finetune"),
    }
    assert graph.cycles == [["x/a", "x/b", "x/c", "x/a"]]
    assert [n for n, _ in findings(graph, "lineage-cycle")] == ["x/a"]


def test_self_reference_is_a_cycle() -> None:
    src = MemorySource()
    src.add_model("x/self", {"base_model": "x/self"})
    graph = crawl(model_ref("x/self"), src)
    assert graph.cycles == [["x/self", "x/self"]]
    assert list(graph.nodes) == ["x/self"]


def test_missing_gated_and_broken_parents_become_unresolved_nodes() -> None:
    src = MemorySource()
    src.add_model(
        "t/top", {"base_model": ["t/missing", "t/gated", "t/broken"], "datasets": ["not a valid id!"]}
    )
    src.add_model("t/broken", {})
    src.gated.add("t/gated")
    src.broken.add("t/broken")
    graph = crawl(model_ref("t/top"), src)
    reasons = {k: n.unresolved_reason for k, n in graph.nodes.items() if not n.resolved}
    assert reasons == {
        "t/missing": "t/missing: not found",
        "t/gated": "t/gated: gated or private, access denied (log in: no token was sent)",
        "t/broken": "t/broken: unexpected error: RuntimeError: boom",
        "datasets/not a valid id!": "'not a valid id!' is neither a Hub id nor a folder next to the model",
    }
    assert sorted(n for n, _ in findings(graph, "lineage-unresolved")) == sorted(reasons)


def test_max_depth_marks_the_frontier_unresolved() -> None:
    src = MemorySource()
    for i in range(5):
        src.add_model(f"c/m{i}", {"base_model": f"c/m{i + 1}"})
    graph = crawl(model_ref("c/m0"), src, max_depth=2)
    assert nodes_of(graph) == {
        "c/m0": ("model", 0, True),
        "c/m1": ("model", 1, True),
        "c/m2": ("model", 2, True),
        "c/m3": ("model", 3, False),
    }
    assert graph.nodes["c/m3"].unresolved_reason == "not followed: beyond --max-depth 2"
    assert graph.truncated == "max depth 2 reached"
    assert "c/m3" not in src.calls and "c/m4" not in src.calls  # nothing fetched past the limit


def test_node_cap_stops_the_crawl_deterministically() -> None:
    src = MemorySource(jitter=0.005)
    src.add_model("f/root", {"base_model": [f"f/p{i}" for i in range(6)]})
    for i in range(6):
        src.add_model(f"f/p{i}", {"base_model": f"f/g{i}"})
        src.add_model(f"f/g{i}", {})
    graph = crawl(model_ref("f/root"), src, max_nodes=5)
    assert list(graph.nodes) == ["f/root", "f/p0", "f/p1", "f/p2", "f/p3"]
    assert graph.truncated == "node cap of 5 reached"
    [(node, message)] = findings(graph, "lineage-unresolved")
    assert node == "f/root" and "6 parent(s) not followed" in message


def test_cycles_are_canonical() -> None:
    graph = LineageGraph(
        root="b",
        edges=[
            Edge(child="b", parent="c", relation=Relation.FINETUNE),
            Edge(child="c", parent="a", relation=Relation.FINETUNE),
            Edge(child="a", parent="b", relation=Relation.FINETUNE),
            Edge(child="c", parent="d", relation=Relation.FINETUNE),
        ],
    )
    assert graph.cycles == [["a", "b", "c", "a"]]
    assert not graph.acyclic


def test_every_elementary_cycle_is_reported() -> None:
    """Two cycles through one node: a depth-first walk sees one back edge per cycle only by luck."""
    pairs = [("a", "b"), ("b", "a"), ("b", "c"), ("c", "a"), ("c", "d")]
    graph = LineageGraph(
        root="a", edges=[Edge(child=c, parent=p, relation=Relation.FINETUNE) for c, p in pairs]
    )
    assert graph.cycles == [["a", "b", "a"], ["a", "b", "c", "a"]]
    # the condensation orders the cycle's component after its ancestor d
    assert graph.components == [("d",), ("a", "b", "c")]


def test_acyclic_components_are_single_nodes_parents_first() -> None:
    pairs = [("t", "m"), ("m", "base"), ("t", "data"), ("m", "data")]
    graph = LineageGraph(
        root="t", edges=[Edge(child=c, parent=p, relation=Relation.FINETUNE) for c, p in pairs]
    )
    assert graph.acyclic and graph.cycles == []
    order = [k for (k,) in graph.components]
    for c, p in pairs:
        assert order.index(p) < order.index(c)


def test_graph_is_immutable() -> None:
    graph = LineageGraph(root="a")
    with pytest.raises(ValidationError):
        graph.edges = []  # type: ignore[misc]


def test_local_adapter_resolves_its_base_folder(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    (base / "README.md").write_text(card({"license": "apache-2.0"}))
    (base / "config.json").write_text(json.dumps({"model_type": "llama"}))
    adapter = tmp_path / "work" / "adapter"
    adapter.mkdir(parents=True)
    (adapter / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": str(base)}))
    (adapter / "README.md").write_text(card({"license": "apache-2.0", "base_model": "../../base"}))
    ref = RepoRef(repo_id="adapter", local_path=str(adapter))
    graph = crawl(ref, SourceSet(offline=True))
    parents = {(e.parent, e.relation.value) for e in graph.edges}
    base_key = RepoRef(repo_id="base", local_path=str(base)).display()
    assert parents == {(base_key, "adapter")}
    node = graph.nodes[base_key]
    assert node.resolved and node.record is not None and node.record.local_dir == str(base)
    edge = graph.edges[0]
    assert sorted(ev.source for ev in edge.evidence) == [
        "adapter_config.json:base_model_name_or_path",
        "card:base_model",
    ]


@pytest.mark.parametrize("workers", [1, 3])
def test_a_failing_fetch_of_the_target_propagates(workers: int) -> None:
    from modelaudit.errors import RepoNotFoundError

    with pytest.raises(RepoNotFoundError):
        crawl(model_ref("nobody/here"), MemorySource(), workers=workers)
