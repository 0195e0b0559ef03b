"""Rules over the obligations checked against each node's files (``policy/obligations.py``).

``obligation-unmet``: one finding per unmet obligation of the target of a file-checked kind, located at the
file it concerns. Severity by role: for a publisher it is an error (its own breach); for an adopter a warning
that names the risk inherited from the target's publisher. Upstream nodes' obligations are in the report with
their statuses, not findings: the duties that flow down from them are checked on the target itself, and their
own repos are their publishers' to fix.
``obligation-unverified``: the target's obligations that could not be checked (unknown is never met): a
warning for a publisher, a note for an adopter.

Kinds judged from the licenses along the lineage (use restrictions, share-alike, naming, non-commercial terms)
keep their own rules (MA201 to MA204); their statuses are in the report's obligations all the same.
"""

from __future__ import annotations

from collections.abc import Iterator

from modelaudit.catalog import FILE_KINDS, OBLIGATION_FIXES, UNVERIFIED_KINDS
from modelaudit.lineage.graph import GraphNode
from modelaudit.models import Evidence, Finding, Obligation, ObligationCheck, ObligationStatus, Role, Severity
from modelaudit.policy.rules.base import CatalogRule, RuleContext, make_finding


def _checks(
    node: GraphNode, ctx: RuleContext, status: ObligationStatus, kinds: frozenset[str] = FILE_KINDS
) -> Iterator[tuple[Obligation, ObligationCheck]]:
    # the target's checks only (the rules raise findings on the target): a scan of the entries, not an index of
    # every node's checks (a long lineage has one per node per duty)
    key = node.key
    for ob in ctx.obligations or ():
        if ob.kind in kinds:
            for c in ob.checks:
                if c.node == key and c.status is status:
                    yield ob, c


def _sentence(text: str) -> str:
    """``text`` with its first letter upper-cased and the rest kept: file names (LICENSE, USE_POLICY.md) and the
    required wording ("Built with Llama") must reach the reader as written (``str.capitalize`` lowers them)."""
    return text[:1].upper() + text[1:]


class ObligationUnmet(CatalogRule, rule_id="MA240"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        if node.key != ctx.graph.root:
            return
        publisher = ctx.policy.role is Role.PUBLISHER
        for ob, c in _checks(node, ctx, ObligationStatus.UNMET):
            severity = Severity.ERROR if publisher else Severity.WARNING
            via = f" (a duty that {c.via}'s license passes down)" if c.via else ""
            what = "; ".join(e.value for e in c.evidence[:1])
            message = f"{node.key} does not meet the {ob.license} obligation “{ob.text}”{via}: {what}."
            if not publisher:
                message += (
                    " Redistributing it as it is inherits the breach from its publisher; ask them to fix it, or "
                    "fix your copy before you ship it."
                )
            located = [Evidence(source="obligation:file", value=c.file)] if c.file else []
            yield make_finding(
                self,
                node.key,
                message,
                [*located, Evidence(source="obligation", value=f"{ob.license} {ob.kind}"), *c.evidence],
                severity=severity,
                how_to_fix=_sentence(OBLIGATION_FIXES.get(ob.kind, self.how_to_fix))
                + " (`modelaudit fix DIR` writes it for a local folder).",
            )


class ObligationUnverified(CatalogRule, rule_id="MA241"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        if node.key != ctx.graph.root:
            return
        publisher = ctx.policy.role is Role.PUBLISHER
        for ob, c in _checks(node, ctx, ObligationStatus.UNKNOWN, FILE_KINDS | UNVERIFIED_KINDS):
            what = "; ".join(e.value for e in c.evidence[:1])
            located = [Evidence(source="obligation:file", value=c.file)] if c.file else []
            yield make_finding(
                self,
                node.key,
                f"{node.key}: the {ob.license} obligation “{ob.text}” could not be checked: {what}.",
                [*located, Evidence(source="obligation", value=f"{ob.license} {ob.kind}"), *c.evidence],
                severity=Severity.WARNING if publisher else Severity.NOTE,
            )


__all__ = ["ObligationUnmet", "ObligationUnverified"]
