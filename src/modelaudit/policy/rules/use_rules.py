"""Rules about the organisation's intended use: does every license in the lineage permit it?

The policy's ``intended_use`` says how models will be used (commercial product, hosted service, research only,
redistribution, published fine-tunes, fields of use, regions, users and revenue). Each node's own license is
matched against it; a use its terms or its acceptable-use policy forbid, or a cap it would exceed, is a
``use-not-permitted`` finding that names the license, the clause and the node.
"""

from __future__ import annotations

from collections.abc import Iterator

from modelaudit.licenses.schema import LicenseRecord, RestrictedUse
from modelaudit.lineage.graph import GraphNode
from modelaudit.models import CommercialUse, Finding, NodeKind, Severity
from modelaudit.policy.model import FieldOfUse, IntendedUse
from modelaudit.policy.rules.base import CatalogRule, RuleContext, make_finding
from modelaudit.policy.rules.terms import Terms, license_evidence

R = RestrictedUse

# which use-policy tags restrict each declared field of use
FIELD_TAGS: dict[FieldOfUse, tuple[RestrictedUse, ...]] = {
    FieldOfUse.DEFENCE: (R.MILITARY, R.WEAPONS),
    FieldOfUse.WEAPONS: (R.WEAPONS,),
    FieldOfUse.MEDICAL: (R.MEDICAL_ADVICE,),
    FieldOfUse.LEGAL: (R.LEGAL_ADVICE,),
    FieldOfUse.FINANCIAL: (R.FINANCIAL_ADVICE,),
    FieldOfUse.LAW_ENFORCEMENT: (R.LAW_ENFORCEMENT,),
    FieldOfUse.SURVEILLANCE: (R.SURVEILLANCE,),
    FieldOfUse.CRITICAL_INFRASTRUCTURE: (R.CRITICAL_INFRASTRUCTURE,),
    FieldOfUse.AUTOMATED_DECISIONS: (R.AUTOMATED_DECISIONS,),
    FieldOfUse.EMPLOYMENT: (R.DISCRIMINATION, R.AUTOMATED_DECISIONS),
    FieldOfUse.CREDIT: (R.DISCRIMINATION, R.AUTOMATED_DECISIONS),
    FieldOfUse.ADULT_CONTENT: (R.SEXUAL_CONTENT,),
}

# tags whose policies restrict only a harmful or unlicensed form of the use (e.g. "unlicensed practice of
# medicine"): the field is not forbidden outright, so the finding is a warning to read the clause
QUALIFIED_TAGS = frozenset(
    {
        R.MEDICAL_ADVICE,
        R.LEGAL_ADVICE,
        R.FINANCIAL_ADVICE,
        R.DISCRIMINATION,
        R.AUTOMATED_DECISIONS,
        R.SURVEILLANCE,
    }
)

def _clause(rec: LicenseRecord) -> str:
    """Where a license's use restrictions are written."""
    if rec.obligations.use_policy_url:
        return f"its acceptable-use policy ({rec.obligations.use_policy_url})"
    note = (rec.restricted_uses_note or "").lower()
    if "attachment a" in note:
        return "its use restrictions (Attachment A)"
    return "its use restrictions"


def multimodal(node: GraphNode, ctx: RuleContext) -> bool | None:
    """Whether a node is a multimodal (vision) model: True / False, or None when nothing says.

    A node whose own metadata is silent is as multimodal as the model it is an adapter, a quantization or a
    fine-tune of (``upstream.upstream_facts``)."""
    return ctx.facts(node.key).multimodal


class UseNotPermitted(CatalogRule, rule_id="MA210"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        use = ctx.policy.intended_use
        me = ctx.terms(node.key)
        if not me.records:
            yield from self._by_category(node, ctx, me, use)
            return
        severity = ctx.policy.datasets.severity() if node.kind is NodeKind.DATASET else self.default_severity
        if severity is None:
            return
        ev = [license_evidence(me)]
        for rec in me.records:
            for message, qualified in self._problems(node, ctx, rec, use):
                sev = Severity.WARNING if qualified and severity is Severity.ERROR else severity
                yield make_finding(self, node.key, message, ev, severity=sev)

    def _by_category(
        self, node: GraphNode, ctx: RuleContext, me: Terms, use: IntendedUse
    ) -> Iterator[Finding]:
        """A license we hold no record for but whose commercial status was assessed."""
        if use.commercial and me.commercial_use is CommercialUse.NO:
            severity = (
                ctx.policy.datasets.severity() if node.kind is NodeKind.DATASET else self.default_severity
            )
            if severity is not None:
                yield make_finding(
                    self,
                    node.key,
                    f"the policy declares commercial use, but {node.key} is under {me.label}, which forbids "
                    "commercial use.",
                    [license_evidence(me)],
                    severity=severity,
                )

    def _problems(
        self, node: GraphNode, ctx: RuleContext, rec: LicenseRecord, use: IntendedUse
    ) -> Iterator[tuple[str, bool]]:
        o = rec.obligations
        lic = f"the {rec.display_name}" if rec.display_name != rec.id else rec.id
        at = f"{node.key} is under {lic}"
        if use.commercial and (rec.commercial_use is CommercialUse.NO or o.research_only):
            how = "a commercial product" if use.commercial_product else "a hosted service"
            clause = "its research-only grant" if o.research_only else "its non-commercial grant"
            yield (
                f"the policy declares use in {how}, but {at}, which forbids commercial use ({clause}).",
                False,
            )
        if use.hosted_service and o.hosting_restricted:
            yield (
                f"the policy declares a hosted service or API, but {at}, which does not permit offering the "
                "model as a service to third parties without separate permission.",
                False,
            )
        if use.redistribute_weights and o.no_redistribution:
            yield (
                f"the policy declares redistribution of weights, but {at}, which grants no redistribution right.",
                False,
            )
        if use.release_finetunes and o.no_derivatives:
            yield (
                f"the policy declares publishing fine-tunes, but {at}, which forbids sharing adapted material.",
                False,
            )
        if (
            use.monthly_active_users is not None
            and o.user_cap is not None
            and use.monthly_active_users > o.user_cap
        ):
            yield (
                f"the policy expects {use.monthly_active_users:,} monthly active users, but {at}, whose grant stops "
                f"above {o.user_cap:,} (additional commercial terms: a separate license from the licensor is "
                "needed).",
                False,
            )
        if (
            use.annual_revenue_usd is not None
            and o.revenue_cap_usd is not None
            and use.annual_revenue_usd > o.revenue_cap_usd
        ):
            yield (
                f"the policy declares US${use.annual_revenue_usd:,} annual revenue, but {at}, whose grant ends "
                f"above US${o.revenue_cap_usd:,} (an enterprise license is needed).",
                False,
            )
        restricted = set(rec.restricted_uses or [])
        for field in use.fields_of_use:
            hit = [t for t in FIELD_TAGS.get(field, ()) if t in restricted]
            if not hit:
                continue
            qualified = all(t in QUALIFIED_TAGS for t in hit)
            degree = "restricts some forms of" if qualified else "forbids"
            yield (
                f"the policy declares the field of use {field.value!r}, but {at}, and {_clause(rec)} {degree} "
                f"{', '.join(t.value for t in hit)} uses; these restrictions bind every derivative too.",
                qualified,
            )
        if use.in_eu and R.EU_MULTIMODAL in restricted:
            mm = multimodal(node, ctx)
            if mm is True:
                yield (
                    f"the policy declares deployment in the EU, but {at}, and {_clause(rec)} withholds the license "
                    f"grant for multimodal models from individuals and companies domiciled in the EU; {node.key} is "
                    "multimodal.",
                    False,
                )
            elif mm is None:
                yield (
                    f"the policy declares deployment in the EU, but {at}, and {_clause(rec)} withholds the license "
                    f"grant for multimodal models from individuals and companies domiciled in the EU; nothing says "
                    f"whether {node.key} is multimodal, so check it.",
                    True,
                )


class UseTermsUnreviewed(CatalogRule, rule_id="MA211"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        use = ctx.policy.intended_use
        asked = [f.value for f in use.fields_of_use] + (["deployment in the EU"] if use.in_eu else [])
        if not asked:
            return
        me = ctx.terms(node.key)
        for rec in me.records:
            if rec.restricted_uses is not None:
                continue
            where = rec.obligations.use_policy_url or "the license text"
            yield make_finding(
                self,
                node.key,
                f"{node.key} is under the {rec.display_name}, whose use policy ({where}) has not been reviewed "
                f"by modelaudit, so it cannot confirm that {', '.join(asked)} is permitted.",
                [license_evidence(me)],
            )


__all__ = ["FIELD_TAGS", "QUALIFIED_TAGS", "UseNotPermitted", "UseTermsUnreviewed", "multimodal"]
