"""The one-pass upstream facts agree with a brute-force walk over every path of small random lineages."""

from __future__ import annotations

import random

import pytest

from modelaudit.lineage.graph import GraphNode, LineageGraph
from modelaudit.models import Edge, LicenseInfo, NodeKind, Relation, RepoKind, RepoRecord, RepoRef, SourceKind
from modelaudit.policy.model import Policy
from modelaudit.policy.rules import RuleContext
from modelaudit.policy.rules.terms import forbids_commerce

LICENSES = ["MIT", "llama3.1", "cc-by-nc-4.0", "gpl-3.0", "apache-2.0"]
RELATIONS = list(Relation)


def _random_lineage(rng: random.Random) -> RuleContext:
    n = rng.randint(2, 8)
    keys = [f"{rng.choice('ab')}/n{i}" for i in range(n)]  # two organisations
    nodes: dict[str, GraphNode] = {}
    licenses: dict[str, LicenseInfo] = {}
    for i, key in enumerate(keys):
        kind = NodeKind.DATASET if i and rng.random() < 0.2 else NodeKind.MODEL
        ref = RepoRef(repo_id=key, kind=RepoKind.DATASET if kind is NodeKind.DATASET else RepoKind.MODEL)
        nodes[key] = GraphNode(
            key=key, ref=ref, kind=kind, depth=i, record=RepoRecord(ref=ref, source=SourceKind.HUB)
        )
        licenses[key] = LicenseInfo(id=rng.choice(LICENSES))
    edges = [
        Edge(child=keys[i], parent=keys[j], relation=rng.choice(RELATIONS))
        for i in range(n)
        for j in range(i + 1, n)  # parents have higher indexes: acyclic
        if rng.random() < 0.45
    ]
    graph = LineageGraph(root=keys[0], nodes=nodes, edges=edges)
    return RuleContext(graph=graph, policy=Policy(name="t"), licenses=licenses)


def _paths(ctx: RuleContext, start: str) -> list[tuple[tuple[int, tuple[int, ...]], list[str], bool, bool]]:
    """Every path up from ``start``: (order, keys, through data, all quantized)."""
    graph = ctx.graph
    out = []
    stack: list[tuple[str, list[str], tuple[int, ...], bool, bool]] = [(start, [start], (), False, True)]
    while stack:
        key, path, seq, data, quant = stack.pop()
        parents = sorted(graph.parents(key), key=lambda e: (e.parent, e.relation.value))
        for i, e in enumerate(parents):
            hop_data = e.relation is Relation.TRAINED_ON or graph.nodes[e.parent].kind is NodeKind.DATASET
            item = ([*path, e.parent], (*seq, i), data or hop_data, quant and e.relation is Relation.QUANTIZED)
            out.append(((len(item[1]), item[1]), item[0], item[2], item[3]))
            stack.append((e.parent, *item))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_nearest_paths_per_record_and_kind_match_brute_force(seed: int) -> None:
    ctx = _random_lineage(random.Random(seed))
    for key in ctx.graph.nodes:
        facts = ctx.facts(key)
        expected: dict[tuple[str, bool, bool], tuple[tuple[int, tuple[int, ...]], list[str]]] = {}
        for order, path, data, quant in _paths(ctx, key):
            for rec in ctx.terms(path[-1]).records:
                slot = (rec.id, data, quant)
                if slot not in expected or order < expected[slot][0]:
                    expected[slot] = (order, path)
        got = {
            (rec_id, up.via_data, up.quantized): (up.order, list(up.path))
            for rec_id, ups in facts.records.items()
            for up in reversed(ups)  # the nearest of each kind wins
        }
        assert got == expected, key


@pytest.mark.parametrize("seed", range(40))
def test_noncommercial_frontier_matches_brute_force(seed: int) -> None:
    ctx = _random_lineage(random.Random(seed))
    blocked = {k for k in ctx.graph.nodes if forbids_commerce(ctx.terms(k))}
    for key in ctx.graph.nodes:
        expected: dict[str, tuple[int, tuple[int, ...]]] = {}
        for order, path, _data, _quant in _paths(ctx, key):
            counted = path[-1] in blocked and not blocked.intersection(path[1:-1])
            if counted and (path[-1] not in expected or order < expected[path[-1]]):
                expected[path[-1]] = order
        got = {anc: ups[0].order for anc, ups in ctx.facts(key).noncommercial.items()}
        assert got == expected, key


@pytest.mark.parametrize("architectures", [True, 3, "LlamaForCausalLM", {"a": 1}, None])
def test_a_config_whose_architectures_is_not_a_list_is_read_as_naming_none(architectures: object) -> None:
    """config.json is the repo's text: ``"architectures": true`` (found by the robustness fuzzer once every node's
    upstream facts are computed for its obligations) names no vision architecture; it never crashes the rules."""
    ref = RepoRef(repo_id="a/m", kind=RepoKind.MODEL)
    record = RepoRecord(ref=ref, source=SourceKind.HUB, config={"architectures": architectures})
    node = GraphNode(key="a/m", ref=ref, kind=NodeKind.MODEL, depth=0, record=record)
    ctx = RuleContext(
        graph=LineageGraph(root="a/m", nodes={"a/m": node}, edges=[]),
        policy=Policy(name="t"),
        licenses={"a/m": LicenseInfo(id="llama3.1")},
    )
    assert ctx.facts("a/m").multimodal is False  # a config that names nothing multimodal
