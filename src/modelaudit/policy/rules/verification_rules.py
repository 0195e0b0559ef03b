"""Rules about what the audit could not prove about the target's files."""

from __future__ import annotations

from collections.abc import Iterator

from modelaudit.lineage.graph import GraphNode
from modelaudit.models import Evidence, FileStatus, Finding, SignatureStatus, SourceKind
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


class SignatureMissing(CatalogRule, rule_id="MA221"):
    """``require_signature`` in the policy: the matching nodes must ship a model signature that verifies."""

    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        if not ctx.policy.requires_signature(node.key):
            return
        signature = ctx.signatures.get(node.key)
        if node.record is None:
            reason = f"{node.key} could not be read, so whether it is signed is unknown"
            value = "unresolved"
        elif signature is None:
            reason = f"{node.key} ships no model signature (model.sig), but the policy requires one"
            value = "unsigned"
        elif signature.status is SignatureStatus.VERIFIED:
            return
        elif signature.status is SignatureStatus.INVALID:
            return  # signature-invalid reports what is wrong with it
        else:
            reason = (
                f"{node.key} ships {signature.path}, but it was not verified"
                + (f": {signature.detail}" if signature.detail else "")
            )
            value = signature.status.value
        yield make_finding(
            self,
            node.key,
            reason,
            [Evidence(source="policy:require_signature", value=", ".join(ctx.policy.require_signature)),
             Evidence(source="signature", value=value)],
        )
