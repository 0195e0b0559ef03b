"""Rules about what the audit could not prove about the target's files."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from modelaudit.lineage.graph import GraphNode
from modelaudit.models import Evidence, FileStatus, Finding, Severity, SourceKind
from modelaudit.policy.rules.base import RuleContext, make_finding

_UNPROVEN = (FileStatus.NOT_CHECKED, FileStatus.MISSING, FileStatus.ERROR)


class FilesUnverified:
    id: ClassVar[str] = "MA220"
    name: ClassVar[str] = "files-unverified"
    summary: ClassVar[str] = (
        "Some of the target's files were not proven to be the bytes the repo recorded (not hashed, missing, "
        "unreadable, or no recorded hash to compare with)."
    )
    how_to_fix: ClassVar[str] = (
        "Scan with --verify full and with the files present (download them, or scan the HF cache), or pin a "
        "revision whose files carry LFS hashes; waive the finding when the files come from a trusted folder."
    )
    default_severity: ClassVar[Severity] = Severity.NOTE

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
