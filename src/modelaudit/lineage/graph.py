"""The lineage graph: repos as nodes, derivation claims as edges (child → parent).

A ``LineageGraph`` is built once (by the crawler, or by tests) and not changed afterwards: it is a frozen
model whose parent and child indexes are made at construction, so every query is a dictionary look-up.
Graph algorithms come from libraries, not from hand-written walks:

* acyclicity and the topological order of an acyclic lineage (nearly every real one) from the standard
  library's ``graphlib``, which costs no import;
* for a lineage with cycles, networkx (imported only then): every elementary cycle
  (``simple_cycles``, bounded by ``MAX_CYCLES``) and the condensation, whose strongly connected
  components are ordered topologically (``topological_generations``).
"""

from __future__ import annotations

from collections import deque
from functools import cached_property
from graphlib import CycleError, TopologicalSorter
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from modelaudit.models import (
    Edge,
    FileResult,
    Finding,
    FingerprintSummary,
    LicenseInfo,
    Node,
    NodeKind,
    Relation,
    RepoKind,
    RepoRecord,
    RepoRef,
    SmokeResult,
    empty_list,
)
from modelaudit.sources.record import adapter_relation

if TYPE_CHECKING:
    import networkx as nx

MAX_CYCLES = 100  # elementary cycles reported at most (a dense tangle has exponentially many)


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

    def to_node(
        self,
        license: LicenseInfo | None = None,
        files: list[FileResult] | None = None,
        smoke: SmokeResult | None = None,
        fingerprint: FingerprintSummary | None = None,
    ) -> Node:
        """The node as the report (and ``modelaudit lineage -f json``) shows it."""
        record = self.record
        return Node(
            id=self.key,
            kind=self.kind,
            revision=(record.revision if record else None) or self.ref.revision,
            resolved=self.resolved,
            unresolved_reason=self.unresolved_reason,
            source=record.source if record else None,
            gated=bool(record and record.gated),
            depth=self.depth,
            license=license,
            files=files or [],
            smoke=smoke,
            fingerprint=fingerprint,
        )


class LineageGraph(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    root: str
    nodes: dict[str, GraphNode] = Field(default_factory=dict)
    edges: list[Edge] = Field(default_factory=empty_list)
    findings: list[Finding] = Field(default_factory=empty_list)  # facts the crawl itself established
    truncated: str | None = None  # why the crawl stopped early (depth or node cap), if it did

    # The parent and child indexes are cached properties, not pydantic private attributes: pydantic serves
    # private attributes through ``__getattr__`` (~3 µs a look-up), and the rules ask for parents ~10 times
    # per node. Built on first use from ``edges``, which never change (the model is frozen).

    @cached_property
    def _parents(self) -> dict[str, list[Edge]]:
        index: dict[str, list[Edge]] = {}
        for edge in self.edges:
            index.setdefault(edge.child, []).append(edge)
        return index

    @cached_property
    def _children(self) -> dict[str, list[Edge]]:
        index: dict[str, list[Edge]] = {}
        for edge in self.edges:
            index.setdefault(edge.parent, []).append(edge)
        return index

    def with_edges(self, edges: list[Edge]) -> LineageGraph:
        """The same graph with other edges (e.g. with fingerprint evidence added)."""
        return LineageGraph(
            root=self.root, nodes=self.nodes, edges=edges, findings=self.findings, truncated=self.truncated
        )

    # ----------------------------------------------------------------------------------------- queries

    def parents(self, key: str) -> list[Edge]:
        """``key``'s edges to its parents, in the order they were declared."""
        return list(self._parents.get(key, ()))

    def children(self, key: str) -> list[Edge]:
        return list(self._children.get(key, ()))

    def ancestors(self, key: str) -> list[str]:
        """Every node reachable upward from ``key`` (excluding it), breadth-first, cycle-safe."""
        seen = {key}
        out: list[str] = []
        queue = deque([key])
        while queue:
            for e in self._parents.get(queue.popleft(), ()):
                if e.parent not in seen:
                    seen.add(e.parent)
                    out.append(e.parent)
                    queue.append(e.parent)
        return out

    def _keys(self) -> list[str]:
        """Every node key, edge endpoints included, in a stable order."""
        keys = dict.fromkeys(self.nodes)
        for e in self.edges:
            keys.setdefault(e.child)
            keys.setdefault(e.parent)
        return list(keys)

    @cached_property
    def acyclic(self) -> bool:
        sorter = TopologicalSorter({k: [e.parent for e in self._parents.get(k, ())] for k in self._keys()})
        try:
            sorter.prepare()
        except CycleError:
            return False
        return True

    def digraph(self) -> nx.DiGraph[str]:
        """The graph as a networkx ``DiGraph`` (child → parent), for the algorithms it offers."""
        import networkx as nx

        g: nx.DiGraph[str] = nx.DiGraph()
        g.add_nodes_from(self._keys())
        g.add_edges_from((e.child, e.parent) for e in self.edges)
        return g

    @cached_property
    def cycles(self) -> list[list[str]]:
        """Every elementary cycle (at most ``MAX_CYCLES``), each a path of keys back to its start.

        Each starts at its smallest key; the list is sorted, so it does not depend on edge order.
        """
        if self.acyclic:
            return []
        import networkx as nx

        found: set[tuple[str, ...]] = set()
        for loop in nx.simple_cycles(self.digraph()):
            pivot = loop.index(min(loop))
            found.add(tuple(loop[pivot:] + loop[:pivot]))
            if len(found) >= MAX_CYCLES:
                break
        return [[*loop, loop[0]] for loop in sorted(found)]

    @cached_property
    def components(self) -> list[tuple[str, ...]]:
        """The strongly connected components (one key each when acyclic), ancestors before descendants.

        The order is a topological order of the condensation: every parent's component comes before its
        child's, so one pass in this order sees every node's ancestors first.
        """
        if self.acyclic:
            sorter = TopologicalSorter(
                {k: [e.parent for e in self._parents.get(k, ())] for k in self._keys()}
            )
            return [(k,) for k in sorter.static_order()]
        import networkx as nx

        condensed = nx.condensation(self.digraph())
        members = condensed.graph["mapping"]
        by_component: dict[int, list[str]] = {}
        for key in self._keys():
            by_component.setdefault(members[key], []).append(key)
        out: list[tuple[str, ...]] = []
        for generation in reversed(list(nx.topological_generations(condensed))):
            for comp in sorted(generation, key=lambda c: min(by_component[c])):
                out.append(tuple(sorted(by_component[comp])))
        return out


def node_kind(record: RepoRecord | None, ref: RepoRef) -> NodeKind:
    if ref.kind is RepoKind.DATASET or (record is not None and record.ref.kind is RepoKind.DATASET):
        return NodeKind.DATASET  # the second: a folder whose card is a dataset card
    # an mlx-lm full fine-tune saves adapter_config.json too, but holds a whole model
    if (
        record is not None
        and record.adapter_config is not None
        and adapter_relation(record.adapter_config) is Relation.ADAPTER
    ):
        return NodeKind.ADAPTER
    return NodeKind.MODEL
