"""The lineage graph: repos as nodes, derivation claims as edges (child → parent)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from modelaudit.models import Edge, Finding, NodeKind, RepoKind, RepoRecord, RepoRef


class GraphNode(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    ref: RepoRef
    kind: NodeKind
    depth: int
    record: RepoRecord | None = None
    unresolved_reason: str | None = None

    @property
    def resolved(self) -> bool:
        return self.record is not None


class LineageGraph(BaseModel):
    model_config = ConfigDict(extra="forbid")

    root: str
    nodes: dict[str, GraphNode] = Field(default_factory=dict)
    edges: list[Edge] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)  # facts the crawl itself established
    cycles: list[list[str]] = Field(default_factory=list)  # each a path of keys that returns to its start
    truncated: str | None = None  # why the crawl stopped early (depth or node cap), if it did

    def parents(self, key: str) -> list[Edge]:
        return [e for e in self.edges if e.child == key]

    def children(self, key: str) -> list[Edge]:
        return [e for e in self.edges if e.parent == key]

    def ancestors(self, key: str) -> list[str]:
        """Every node reachable upward from ``key`` (excluding it), breadth-first, cycle-safe."""
        seen: list[str] = []
        frontier = [key]
        while frontier:
            nxt: list[str] = []
            for k in frontier:
                for e in self.parents(k):
                    if e.parent != key and e.parent not in seen:
                        seen.append(e.parent)
                        nxt.append(e.parent)
            frontier = nxt
        return seen



def node_kind(record: RepoRecord | None, ref: RepoRef) -> NodeKind:
    if ref.kind is RepoKind.DATASET:
        return NodeKind.DATASET
    if record is not None and record.adapter_config is not None:
        return NodeKind.ADAPTER
    return NodeKind.MODEL
