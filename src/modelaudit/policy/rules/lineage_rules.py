"""Rules about the lineage graph itself: parents that could not be resolved, cycles, gated repos."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from modelaudit.lineage.graph import GraphNode
from modelaudit.models import Evidence, Finding, Severity
from modelaudit.policy.rules.base import RuleContext, make_finding


class LineageUnresolved:
    id: ClassVar[str] = "MA001"
    name: ClassVar[str] = "lineage-unresolved"
    summary: ClassVar[str] = "A declared parent model or dataset could not be resolved, so its license is unchecked."
    how_to_fix: ClassVar[str] = (
        "Make the parent readable (fix the id, set HF_TOKEN for gated or private repos, or populate the cache "
        "for offline scans), or waive the finding with a reason if the parent is known to be gone."
    )
    default_severity: ClassVar[Severity] = Severity.WARNING

    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        if node.resolved:
            return
        children = sorted(e.child for e in ctx.graph.children(node.key))
        evidence = [ev for e in ctx.graph.children(node.key) for ev in e.evidence]
        yield make_finding(
            self,
            node.key,
            f"{node.key} (declared by {', '.join(children) or 'the target'}) could not be resolved: "
            f"{node.unresolved_reason}",
            evidence,
        )


class LineageCycle:
    id: ClassVar[str] = "MA002"
    name: ClassVar[str] = "lineage-cycle"
    summary: ClassVar[str] = "Repos name each other as parents, so the lineage has no foundation."
    how_to_fix: ClassVar[str] = "Correct the base_model fields so that derivation points one way, towards the base model."
    default_severity: ClassVar[Severity] = Severity.ERROR

    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        for cycle in ctx.graph.cycles:
            if cycle and cycle[0] == node.key:
                yield make_finding(
                    self,
                    node.key,
                    "lineage cycle: " + " → ".join(cycle),
                    [Evidence(source="lineage", value=" -> ".join(cycle))],
                )


class GatedRepo:
    id: ClassVar[str] = "MA003"
    name: ClassVar[str] = "gated"
    summary: ClassVar[str] = "The repo is gated: its terms must be accepted on the Hub before use."
    how_to_fix: ClassVar[str] = (
        "Have an authorised person accept the model's terms on the Hub, record the acceptance, and "
        "audit with a token that has access so that weights can be verified."
    )
    default_severity: ClassVar[Severity] = Severity.NOTE

    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        if node.record is not None and node.record.gated:
            yield make_finding(
                self,
                node.key,
                f"{node.key} is gated on the Hub: access requires accepting its terms",
                [Evidence(source="hub:gated", value="true")],
            )


class MetadataProblem:
    id: ClassVar[str] = "MA004"
    name: ClassVar[str] = "metadata-unreadable"
    summary: ClassVar[str] = "Some of a repo's metadata could not be read, so facts may be missing."
    how_to_fix: ClassVar[str] = "Fix or remove the malformed file named in the evidence."
    default_severity: ClassVar[Severity] = Severity.WARNING

    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        if node.record is not None and node.record.problems:
            yield make_finding(
                self,
                node.key,
                f"{len(node.record.problems)} metadata problem(s) in {node.key}: "
                + "; ".join(f"{p.source}: {p.value}" for p in node.record.problems[:5]),
                list(node.record.problems),
            )
