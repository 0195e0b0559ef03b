"""What a node's ancestors bring: every path up the lineage that a license rule counts, computed for all
nodes in one pass over the graph (``upstream_facts``), with the nodes' own multimodality."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from modelaudit.lineage.graph import GraphNode, LineageGraph
from modelaudit.models import Evidence, NodeKind, Relation
from modelaudit.policy.rules.terms import Terms, forbids_commerce

_DESCRIBE = {
    Relation.FINETUNE: "base model",
    Relation.ADAPTER: "base model",
    Relation.MERGE: "merge parent",
    Relation.QUANTIZED: "source model",
    Relation.TRAINED_ON: "training dataset",
    Relation.DERIVED: "source",
}


class Upstream(NamedTuple):
    """An ancestor as seen from a node: one path to it and what lies on that path.

    ``order`` sorts the paths of a node the way a breadth-first walk over parents sorted by key would
    meet them: shorter first, then by the position of each hop among its node's sorted parents.
    """

    path: tuple[str, ...]  # node ... ancestor
    relations: tuple[Relation, ...]  # one per hop, nearest the node first
    seq: tuple[int, ...]  # position of each hop among the parents of the node it leaves
    via_data: bool  # a dataset is on the path (training data, or data derived from data)
    quantized: bool  # every hop is a quantization (a format change, not an adaptation)

    @property
    def key(self) -> str:
        return self.path[-1]

    @property
    def direct(self) -> bool:
        return len(self.relations) == 1

    @property
    def order(self) -> tuple[int, tuple[int, ...]]:
        return (len(self.seq), self.seq)

    def behind(self, node: str, relation: Relation, index: int, data_hop: bool) -> Upstream:
        """This path seen from ``node``, a child of its first node."""
        return Upstream(
            path=(node, *self.path),
            relations=(relation, *self.relations),
            seq=(index, *self.seq),
            via_data=data_hop or self.via_data,
            quantized=relation is Relation.QUANTIZED and self.quantized,
        )

    def describe(self) -> str:
        """``its base X (adapter)`` / ``its ancestor X (via A → B)`` / ``its training data X``."""
        first = self.relations[0]
        if self.direct:
            return f"its {_DESCRIBE[first]} {self.key} ({first.value})"
        kind = "upstream dataset" if self.via_data else "ancestor"
        return f"its {kind} {self.key} (via {' → '.join(self.path)})"

    def evidence(self) -> Evidence:
        return Evidence(source="lineage", value=" -> ".join(self.path))


@dataclass(frozen=True)
class NodeFacts:
    """What a node's ancestors bring, computed for every node in one pass over the graph.

    ``records``: per license record id found up the lineage, the nearest paths to an ancestor under it,
    nearest first; for each kind of path (through data or not, all quantizations or not) the nearest
    paths to ancestors of two different organisations are kept, which is all a rule needs to find the
    first path that it counts. ``noncommercial``: each non-commercial ancestor not hidden behind another
    one, with its nearest path (and its nearest path not through data, when that differs).
    """

    records: dict[str, tuple[Upstream, ...]] = field(default_factory=dict)
    noncommercial: dict[str, tuple[Upstream, ...]] = field(default_factory=dict)
    multimodal: bool | None = None


NO_FACTS = NodeFacts()  # a node without facts (or a parent not computed yet, inside a cycle); never changed


def _trim_records(routes: list[Upstream], org: Callable[[str], str | None]) -> tuple[Upstream, ...]:
    kept: list[Upstream] = []
    orgs: dict[tuple[bool, bool], list[str | None]] = {}
    for up in sorted(routes, key=lambda u: u.order):
        seen = orgs.setdefault((up.via_data, up.quantized), [])
        o = org(up.key)
        if o in seen:
            continue
        if len(seen) < 2:
            seen.append(o)
            kept.append(up)
    return tuple(kept)


def _trim_frontier(routes: list[Upstream]) -> tuple[Upstream, ...]:
    best = sorted(routes, key=lambda u: u.order)[:1]
    direct = next((u for u in sorted(routes, key=lambda u: u.order) if not u.via_data), None)
    if direct is not None and best and direct is not best[0]:
        best.append(direct)
    return tuple(best)


def _own_multimodal(node: GraphNode) -> bool | None:
    """Whether a node's own metadata says it is a multimodal (vision) model; None when nothing says."""
    record = node.record
    if record is None:
        return None
    config = record.config or {}
    model_type = str(config.get("model_type", "")).lower()
    declared = config.get("architectures")
    archs = " ".join(a for a in declared if isinstance(a, str)) if isinstance(declared, list) else ""
    task = record.card_data.get("pipeline_tag")
    tags = {t.lower() for t in record.tags}
    if (
        model_type in _MULTIMODAL_TYPES
        or "vision_config" in config
        or "Vision" in archs
        or "Mllama" in archs
        or (isinstance(task, str) and task in _MULTIMODAL_TASKS)
        or tags & (_MULTIMODAL_TASKS | {"multimodal", "vision"})
    ):
        return True
    if config or isinstance(task, str):
        return False
    return None


_MULTIMODAL_TYPES = frozenset(
    {"mllama", "llama4", "llava", "llava_next", "idefics2", "idefics3", "paligemma", "gemma3"}
)
_MULTIMODAL_TASKS = frozenset(
    {"image-text-to-text", "visual-question-answering", "image-to-text", "any-to-any", "video-text-to-text"}
)
# an adapter, a quantized copy or a fine-tune is as multimodal as the model it comes from
_SAME_MODALITY = (Relation.ADAPTER, Relation.QUANTIZED, Relation.FINETUNE)


def namespace(node: GraphNode) -> str | None:
    """The Hub organisation of a node (``org/name`` → ``org``); None for local folders and bare names."""
    if node.ref.local_path:
        return None
    parts = node.ref.repo_id.split("/")
    return parts[0] if len(parts) == 2 else None


def upstream_facts(graph: LineageGraph, terms_of: Callable[[str], Terms]) -> dict[str, NodeFacts]:
    """Every node's ``NodeFacts``, in one pass over the graph's components, ancestors first.

    A node's facts are its parents' facts, each path extended by one hop: linear in the size of the graph
    for the lineages met in practice (the paths kept per node are bounded). The members of a cycle are
    relaxed together until nothing changes. ``terms_of`` gives a node's license terms.
    """
    nodes = graph.nodes
    reasons = {k: r for k in nodes if (r := forbids_commerce(terms_of(k)))}
    orgs = {k: namespace(n) for k, n in nodes.items()}
    facts: dict[str, NodeFacts] = {}

    def org(key: str) -> str | None:
        return orgs.get(key)

    def compute(key: str) -> NodeFacts:
        records: dict[str, list[Upstream]] = {}
        frontier: dict[str, list[Upstream]] = {}
        multimodal = _own_multimodal(nodes[key])
        edges = sorted(
            (e for e in graph.parents(key) if e.parent in nodes), key=lambda e: (e.parent, e.relation.value)
        )
        for index, edge in enumerate(edges):
            parent = nodes[edge.parent]
            data_hop = edge.relation is Relation.TRAINED_ON or parent.kind is NodeKind.DATASET
            hop = Upstream(
                path=(key, edge.parent),
                relations=(edge.relation,),
                seq=(index,),
                via_data=data_hop,
                quantized=edge.relation is Relation.QUANTIZED,
            )
            theirs = facts.get(edge.parent) or NO_FACTS
            if edge.parent != key:
                for rec in terms_of(edge.parent).records:
                    records.setdefault(rec.id, []).append(hop)
            for rec_id, ups in theirs.records.items():
                for up in ups:
                    if up.key != key:
                        records.setdefault(rec_id, []).append(up.behind(key, edge.relation, index, data_hop))
            if edge.parent in reasons:
                if edge.parent != key:
                    frontier.setdefault(edge.parent, []).append(hop)
            else:
                for anc, ups in theirs.noncommercial.items():
                    for up in ups:
                        if anc != key:
                            frontier.setdefault(anc, []).append(up.behind(key, edge.relation, index, data_hop))
        if multimodal is None:
            for edge in graph.parents(key):  # declaration order: the first base that says decides
                parent_facts = facts.get(edge.parent)
                if (
                    edge.relation in _SAME_MODALITY
                    and parent_facts is not None
                    and parent_facts.multimodal is not None
                ):
                    multimodal = parent_facts.multimodal
                    break
        return NodeFacts(
            records={k: _trim_records(v, org) for k, v in records.items()},
            noncommercial={k: _trim_frontier(v) for k, v in frontier.items()},
            multimodal=multimodal,
        )

    for component in graph.components:
        members = [k for k in component if k in nodes]
        if len(component) == 1 and not any(e.parent == component[0] for e in graph.parents(component[0])):
            for key in members:
                facts[key] = compute(key)
            continue
        for _ in range(len(members) + 1):  # a cycle: relax until stable
            changed = False
            for key in members:
                new = compute(key)
                if facts.get(key) != new:
                    facts[key] = new
                    changed = True
            if not changed:
                break
    return facts


def direct_routes(key: str, graph: LineageGraph) -> list[Upstream]:
    """The one-hop paths from ``key`` to each of its parents, parents sorted by key."""
    nodes = graph.nodes
    edges = sorted(
        (e for e in graph.parents(key) if e.parent in nodes and e.parent != key),
        key=lambda e: (e.parent, e.relation.value),
    )
    return [
        Upstream(
            path=(key, e.parent),
            relations=(e.relation,),
            seq=(i,),
            via_data=e.relation is Relation.TRAINED_ON or nodes[e.parent].kind is NodeKind.DATASET,
            quantized=e.relation is Relation.QUANTIZED,
        )
        for i, e in enumerate(edges)
    ]
