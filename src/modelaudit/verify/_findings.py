"""Findings of the verification stage (ids, slugs and fixes live in the rule catalog)."""

from __future__ import annotations

from modelaudit.catalog import make_finding, spec
from modelaudit.models import Evidence, Finding, Severity


def finding(
    slug: str, severity: Severity, node: str, message: str, evidence: list[Evidence] | None = None
) -> Finding:
    return make_finding(spec(slug), node, message, evidence, severity=severity)
