"""Breadth-first crawl of a model's lineage: every declared parent, up to the foundation model and its data.

Unresolvable parents (not found, gated, offline, malformed) become unresolved nodes carrying the reason;
the crawl never aborts because of a parent. Only the target itself must resolve.
"""

from __future__ import annotations

from pathlib import Path

from modelaudit.errors import ModelAuditError
from modelaudit.lineage.graph import GraphNode, LineageGraph, node_kind
from modelaudit.lineage.relations import infer_relation
from modelaudit.models import Edge, NodeKind, ParentClaim, RepoKind, RepoRecord, RepoRef
from modelaudit.sources import SourceSet
from modelaudit.sources._card import hub_id_from

DEFAULT_MAX_DEPTH = 10
DEFAULT_MAX_NODES = 500


def parent_ref(claim: ParentClaim, child: RepoRecord) -> RepoRef | None:
    """The ref a claim points at, or None when it names nothing we can look up."""
    target = claim.target.strip()
    found = hub_id_from(target)
    if found is not None:
        repo_id, kind = found
        if claim.kind is RepoKind.DATASET:
            kind = RepoKind.DATASET
        revision: str | None = None
        if "@" in repo_id:
            repo_id, revision = repo_id.split("@", 1)
        if child.ref.local_path and not claim.weak:
            # a local checkout may name its base by a folder path that also looks like an id ("base")
            candidate = (Path(child.ref.local_path).parent / repo_id).resolve()
            if "/" not in repo_id and candidate.is_dir():
                return RepoRef(repo_id=candidate.name, kind=kind, local_path=str(candidate))
        return RepoRef(repo_id=repo_id, kind=kind, revision=revision)
    if child.ref.local_path:
        candidate = (Path(child.ref.local_path) / target).resolve()
        if candidate.is_dir():
            return RepoRef(repo_id=candidate.name, kind=claim.kind, local_path=str(candidate))
    return None


def crawl(
    target: RepoRef,
    sources: SourceSet,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_nodes: int = DEFAULT_MAX_NODES,
    root_record: RepoRecord | None = None,
) -> LineageGraph:
    """Resolve ``target`` (errors propagate) and then its ancestors breadth-first (errors become nodes)."""
    record = root_record or sources.fetch(target)
    root_key = target.display()
    graph = LineageGraph(root=root_key)
    graph.nodes[root_key] = GraphNode(key=root_key, ref=target, kind=node_kind(record, target), depth=0, record=record)
    frontier = [root_key]
    depth = 0
    while frontier:
        next_frontier: list[str] = []
        for key in frontier:
            node = graph.nodes[key]
            if node.record is None:
                continue
            for claim in node.record.parents:
                ref = parent_ref(claim, node.record)
                parent_key = ref.display() if ref else claim.target
                relation = infer_relation(claim, node.record)
                existing = next(
                    (e for e in graph.edges if e.child == key and e.parent == parent_key and e.relation == relation), None
                )
                if existing is not None:
                    existing.evidence.append(claim.evidence)
                    continue
                if parent_key == key:
                    graph.cycles.append([key, key])
                    continue
                graph.edges.append(Edge(child=key, parent=parent_key, relation=relation, evidence=[claim.evidence]))
                if parent_key in graph.nodes:
                    if parent_key in _ancestors_path(graph, parent_key, key):
                        graph.cycles.append([key, parent_key, key])
                    continue
                if len(graph.nodes) >= max_nodes:
                    graph.truncated = f"node cap of {max_nodes} reached"
                    graph.edges.pop()
                    continue
                kind_hint = NodeKind.DATASET if claim.kind is RepoKind.DATASET else NodeKind.MODEL
                if ref is None:
                    graph.nodes[parent_key] = GraphNode(
                        key=parent_key,
                        ref=RepoRef(repo_id=claim.target[:200] or "?", kind=claim.kind),
                        kind=kind_hint,
                        depth=depth + 1,
                        unresolved_reason=f"{claim.target!r} is neither a Hub id nor a folder next to the model",
                    )
                    continue
                if depth + 1 > max_depth:
                    graph.nodes[parent_key] = GraphNode(
                        key=parent_key, ref=ref, kind=kind_hint, depth=depth + 1,
                        unresolved_reason=f"beyond --max-depth {max_depth}",
                    )
                    graph.truncated = f"max depth {max_depth} reached"
                    continue
                try:
                    parent_record = sources.fetch(ref)
                except ModelAuditError as exc:
                    graph.nodes[parent_key] = GraphNode(
                        key=parent_key, ref=ref, kind=kind_hint, depth=depth + 1, unresolved_reason=exc.message
                    )
                    continue
                graph.nodes[parent_key] = GraphNode(
                    key=parent_key, ref=ref, kind=node_kind(parent_record, ref), depth=depth + 1, record=parent_record
                )
                next_frontier.append(parent_key)
        frontier = next_frontier
        depth += 1
    return graph


def _ancestors_path(graph: LineageGraph, start: str, goal: str) -> list[str]:
    """Nodes reachable upward from ``start``; contains ``goal`` when adding an edge to ``start`` closes a cycle."""
    return [start, *graph.ancestors(start)] if goal in graph.ancestors(start) or start == goal else []
