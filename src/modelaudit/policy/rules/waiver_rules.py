"""Findings about waivers themselves. They are raised by the waiver stage, not per node."""

from __future__ import annotations

from collections.abc import Iterator

from modelaudit.lineage.graph import GraphNode
from modelaudit.models import Finding
from modelaudit.policy.rules.base import CatalogRule, RuleContext


class WaiverExpired(CatalogRule, rule_id="MA901"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        # Expiry is judged when waivers are applied (modelaudit.policy.waivers), after every rule has run.
        return iter(())
