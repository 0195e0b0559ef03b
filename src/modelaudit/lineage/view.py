"""The lineage as the ``modelaudit lineage`` command shows it: the graph's nodes and edges with licenses
attached, its cycles, and the lineage findings, in a canonical order.

A value, built from values: the licenses and the findings are computed by the floors that own them
(license assessment, the policy engine; :func:`modelaudit.pipeline.lineage_view` runs them) and passed in.
Rendered by :mod:`modelaudit.formats.lineage` (text, json, dot, mermaid).
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from modelaudit.lineage.graph import LineageGraph
from modelaudit.models import Edge, Finding, LicenseInfo, Node, empty_list

# the findings the lineage view shows (by slug); other findings belong to the scan report
LINEAGE_RULES = ("lineage-unresolved", "lineage-cycle", "lineage-mismatch", "gated")


class LineageView(BaseModel):
    """What ``modelaudit lineage -f json`` prints: the nodes and edges of the report contract, plus cycles."""

    model_config = ConfigDict(extra="forbid")

    root: str
    nodes: list[Node] = Field(default_factory=empty_list)
    edges: list[Edge] = Field(default_factory=empty_list)
    cycles: list[list[str]] = Field(default_factory=empty_list)
    truncated: str | None = None
    findings: list[Finding] = Field(default_factory=empty_list)  # lineage findings only (unresolved, cycle, ...)

    def node(self, key: str) -> Node | None:
        return next((n for n in self.nodes if n.id == key), None)


def build_view(
    graph: LineageGraph,
    licenses: dict[str, LicenseInfo] | None = None,
    findings: Iterable[Finding] = (),
) -> LineageView:
    """The graph with ``licenses`` attached and, of the crawl's and the given ``findings``, the lineage ones."""
    lic = licenses or {}
    nodes = [g.to_node(lic.get(key)) for key, g in graph.nodes.items()]
    shown = [f for f in [*graph.findings, *findings] if f.name in LINEAGE_RULES]
    return LineageView(
        root=graph.root,
        nodes=sorted(nodes, key=lambda n: (n.depth, n.id)),
        edges=sorted(
            (
                e.model_copy(update={"evidence": sorted(e.evidence, key=lambda v: (v.source, v.value))})
                for e in graph.edges
            ),
            key=lambda e: (e.child, e.parent, e.relation.value),
        ),
        cycles=graph.cycles,
        truncated=graph.truncated,
        findings=sorted(shown, key=lambda f: (-f.severity.rank, f.rule, f.node, f.message)),
    )
