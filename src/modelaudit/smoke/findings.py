"""The findings a smoke run can produce (ids, slugs and words live in the rule catalog)."""

from __future__ import annotations

from modelaudit.catalog import make_finding, spec
from modelaudit.models import Evidence, Finding

REMOTE_CODE = spec("remote-code-required")
SMOKE_FAILED = spec("smoke-failed")


def remote_code_finding(node: str, evidence: list[Evidence]) -> Finding:
    """``evidence``: one item per place asking for code, e.g. ``config.json:auto_map`` and its value."""
    where = ", ".join(e.source for e in evidence) or "auto_map"
    return make_finding(
        REMOTE_CODE, node, f"loading needs repository code ({where}); smoke run refused", evidence
    )


def smoke_failed_finding(node: str, phase: str | None, error: str | None) -> Finding:
    where = phase or "load"
    return make_finding(
        SMOKE_FAILED,
        node,
        f"smoke run failed during {where}: {error or 'unknown error'}",
        [
            Evidence(source="smoke:phase", value=where),
            Evidence(source="smoke:error", value=error or "unknown error"),
        ],
    )
