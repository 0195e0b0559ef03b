"""Build lineage graphs in-process (RepoRecords, edges, assessed licenses) and run the policy rules on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from modelaudit.licenses.db import load_db
from modelaudit.lineage.graph import GraphNode, LineageGraph
from modelaudit.models import (
    CommercialUse,
    Edge,
    Evidence,
    Finding,
    LicenseCategory,
    LicenseInfo,
    NodeKind,
    Relation,
    RepoKind,
    RepoRecord,
    RepoRef,
    SourceKind,
    Verdict,
)
from modelaudit.policy.engine import apply_policy, evaluate, verdict
from modelaudit.policy.model import Policy, load_policy
from modelaudit.policy.rules import RuleContext


def info(license_id: str | None) -> LicenseInfo | None:
    """The LicenseInfo the license stage would assess for a declared id (facts from license_db)."""
    if license_id is None:
        return None
    rec = load_db().get(license_id)
    if rec is None:
        return LicenseInfo(
            id=license_id, category=LicenseCategory.UNKNOWN, commercial_use=CommercialUse.UNKNOWN
        )
    return LicenseInfo(
        id=rec.id,
        name=rec.display_name,
        category=rec.category,
        osi_approved=rec.osi_approved,
        commercial_use=rec.commercial_use,
        evidence=[Evidence(source="card:license", value=license_id)],
    )


@dataclass
class Lineage:
    """A small lineage: ``add`` nodes, ``link`` child → parent, then ``run`` a policy over it."""

    root: str
    nodes: dict[str, GraphNode] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    licenses: dict[str, LicenseInfo] = field(default_factory=dict)

    def add(
        self,
        key: str,
        license_id: str | None,
        kind: NodeKind = NodeKind.MODEL,
        *,
        config: dict[str, Any] | None = None,
        card: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        resolved: bool = True,
    ) -> Lineage:
        repo_id = key.removeprefix("datasets/")
        ref = RepoRef(repo_id=repo_id, kind=RepoKind.DATASET if kind is NodeKind.DATASET else RepoKind.MODEL)
        record = (
            RepoRecord(
                ref=ref,
                source=SourceKind.HUB,
                card_data={"license": license_id, **(card or {})} if license_id else dict(card or {}),
                config=config,
                adapter_config={"base_model_name_or_path": "x"} if kind is NodeKind.ADAPTER else None,
                tags=tags or [],
            )
            if resolved
            else None
        )
        depth = 0 if key == self.root else 1
        self.nodes[key] = GraphNode(
            key=key,
            ref=ref,
            kind=kind,
            depth=depth,
            record=record,
            unresolved_reason=None if resolved else "404",
        )
        lic = info(license_id)
        if lic is not None and resolved:
            self.licenses[key] = lic
        return self

    def link(self, child: str, parent: str, relation: Relation) -> Lineage:
        self.edges.append(
            Edge(
                child=child,
                parent=parent,
                relation=relation,
                evidence=[Evidence(source="test", value=parent)],
            )
        )
        return self

    def graph(self) -> LineageGraph:
        return LineageGraph(root=self.root, nodes=dict(self.nodes), edges=list(self.edges))

    def findings(self, policy: Policy | str = "default", *, obligations: bool = False) -> list[Finding]:
        """The rules' findings. These lineages are records without files, so the obligation checks (which read
        the files) are off unless asked for: tests/policy/test_obligations.py covers them."""
        pol = load_policy(policy) if isinstance(policy, str) else policy
        ctx = RuleContext(graph=self.graph(), policy=pol, licenses=self.licenses, check_obligations=obligations)
        return apply_policy(evaluate(ctx), pol)

    def verdict(self, policy: Policy | str = "default") -> Verdict:
        pol = load_policy(policy) if isinstance(policy, str) else policy
        return verdict(self.findings(pol), pol.fail_on)


def slugs(findings: list[Finding]) -> set[tuple[str, str, str]]:
    """(slug, node, severity) of every finding: what the tests assert exactly."""
    return {(f.name, f.node, f.severity.value) for f in findings}
