"""The Rule protocol and the context every rule reads. Rules are pure: they yield findings, never raise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, Field

from modelaudit.lineage.graph import GraphNode, LineageGraph
from modelaudit.models import Evidence, FileResult, Finding, LicenseInfo, Severity, SmokeResult
from modelaudit.policy.model import Policy


class RuleContext(BaseModel):
    """Everything the stages before the policy established, keyed by node id."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    graph: LineageGraph
    policy: Policy
    licenses: dict[str, LicenseInfo] = Field(default_factory=dict)
    files: dict[str, list[FileResult]] = Field(default_factory=dict)
    smoke: dict[str, SmokeResult] = Field(default_factory=dict)


class Rule(Protocol):
    id: ClassVar[str]  # stable, e.g. "MA001"
    name: ClassVar[str]  # stable slug from DESIGN's contract, e.g. "lineage-unresolved"
    summary: ClassVar[str]
    how_to_fix: ClassVar[str]
    default_severity: ClassVar[Severity]

    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]: ...


def make_finding(
    rule: type[Rule] | Rule,
    node: str,
    message: str,
    evidence: list[Evidence] | None = None,
    *,
    severity: Severity | None = None,
    how_to_fix: str | None = None,
) -> Finding:
    return Finding(
        rule=rule.id,
        name=rule.name,
        severity=severity or rule.default_severity,
        node=node,
        message=message,
        how_to_fix=how_to_fix or rule.how_to_fix,
        evidence=evidence or [],
    )
