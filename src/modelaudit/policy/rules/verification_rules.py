"""Rules about what the audit could not prove about the target's files."""

from __future__ import annotations

from collections.abc import Iterator

from modelaudit.lineage.graph import GraphNode
from modelaudit.models import Evidence, FileStatus, Finding, SourceKind
from modelaudit.policy.rules.base import CatalogRule, RuleContext, make_finding

_UNPROVEN = (FileStatus.NOT_CHECKED, FileStatus.MISSING, FileStatus.ERROR)


class FilesUnverified(CatalogRule, rule_id="MA220"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        results = ctx.files.get(node.key)
        if not results or node.record is None:
            return
        local = node.record.source is SourceKind.LOCAL  # a folder records no hashes of its own
        unproven = sorted(
            r.path
            for r in results
            if r.status in _UNPROVEN or (r.status is FileStatus.NO_REFERENCE and not local)
        )
        if not unproven:
            return
        shown = ", ".join(unproven[:5]) + (f" and {len(unproven) - 5} more" if len(unproven) > 5 else "")
        yield make_finding(
            self,
            node.key,
            f"{len(unproven)} of {len(results)} file(s) of {node.key} are unverified: {shown}.",
            [
                Evidence(source=f"file:{p}", value=next(r.status.value for r in results if r.path == p))
                for p in unproven[:20]
            ],
        )
