"""Findings about waivers themselves. They are raised by the waiver stage, not per node."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from modelaudit.lineage.graph import GraphNode
from modelaudit.models import Finding, Severity
from modelaudit.policy.rules.base import RuleContext


class WaiverExpired:
    id: ClassVar[str] = "MA901"
    name: ClassVar[str] = "waiver-expired"
    summary: ClassVar[str] = "A waiver has passed its expiry date, so the findings it covered count again."
    how_to_fix: ClassVar[str] = (
        "Fix the underlying finding, or have the approver review the decision and renew the waiver "
        "with a new expiry date; remove waivers that no longer match anything."
    )
    default_severity: ClassVar[Severity] = Severity.NOTE

    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        # Expiry is judged when waivers are applied (modelaudit.policy.waivers), after every rule has run.
        return iter(())
