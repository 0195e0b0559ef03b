"""Rules about licenses along the lineage: is each node's declared license compatible with its upstream?

Every rule judges one node against its ancestors (models, adapters, merge parents, training data). A merge
is judged against every parent, so it carries the union of their constraints. Findings caused by training
data take the policy's ``datasets`` severity (data licensing of models is legally unsettled). A node whose
own license is unknown or missing is left to the license stage's findings; a rule never guesses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from modelaudit.licenses.db import LicenseDB
from modelaudit.licenses.schema import LicenseRecord, ShareAlike
from modelaudit.lineage.graph import GraphNode
from modelaudit.models import CommercialUse, Evidence, Finding, LicenseCategory, NodeKind, Relation, Severity
from modelaudit.policy.model import LicenseSelector, Policy
from modelaudit.policy.rules.base import CatalogRule, Rule, RuleContext, make_finding
from modelaudit.policy.rules.terms import Terms, display_name, forbids_commerce, license_evidence
from modelaudit.policy.rules.upstream import Upstream, direct_routes, namespace

# licenses that allow a derivative under other terms provided the use restrictions travel with it
_RELICENSABLE_WITH_RESTRICTIONS = re.compile(r"rail|^deepseek$", re.IGNORECASE)
_VERSION_SUFFIX = re.compile(r"-\d+(\.\d+)*(-only|-or-later)?$", re.IGNORECASE)
_DATA_NOTE = (
    " Whether a license on training data binds the trained model is legally unsettled; the policy's "
    "`datasets` setting decides how this counts."
)


_name = display_name
_namespace = namespace


def _stem(license_id: str) -> str:
    return _VERSION_SUFFIX.sub("", license_id).lower()


def carries_use_restrictions(me: Terms, rec: LicenseRecord) -> bool:
    """Whether ``me`` passes ``rec``'s flow-down use restrictions on (same agreement, or RAIL-style relicensing)."""
    if me.has(rec.id):
        return True
    if _RELICENSABLE_WITH_RESTRICTIONS.search(rec.id):
        return any(
            r.obligations.flow_down_use_restrictions and _RELICENSABLE_WITH_RESTRICTIONS.search(r.id)
            for r in me.records
        )
    return False


def keeps_share_alike(me: Terms, rec: LicenseRecord) -> bool:
    """Whether ``me`` keeps ``rec``'s share-alike license (the same license or another version of it)."""
    if me.has(rec.id):
        return True
    if rec.obligations.share_alike is ShareAlike.LICENSE_TERMS:
        return False
    return any(_stem(r.id) == _stem(rec.id) for r in me.records)


def _evidence(me: Terms, theirs: Terms, up: Upstream) -> list[Evidence]:
    return [license_evidence(me), license_evidence(theirs), up.evidence()]


def _first(
    ctx: RuleContext, ups: tuple[Upstream, ...], default: Severity, counts: Callable[[Upstream], bool] = bool
) -> tuple[Upstream, Severity] | None:
    """The nearest path a rule counts, with the severity of its finding: paths through training data take the
    policy's ``datasets`` severity, and are passed over when the policy ignores them."""
    for up in ups:
        if not counts(up):
            continue
        severity = data_severity(ctx.policy, default, up.via_data)
        if severity is not None:
            return up, severity
    return None


def _records_up(node: GraphNode, ctx: RuleContext) -> Iterator[tuple[LicenseRecord, tuple[Upstream, ...]]]:
    """Every license record found up the lineage of ``node``, with the nearest paths to it."""
    db = ctx.db
    for rec_id, ups in sorted(ctx.facts(node.key).records.items()):
        rec = db.get(rec_id)
        if rec is not None:
            yield rec, ups


def _against_upstream(
    rule: Rule, node: GraphNode, message: str, me: Terms, theirs: Terms, up: Upstream, severity: Severity
) -> Finding:
    """A finding on ``node`` caused by ``up``: the training-data note when data is on the path, and as evidence
    both licenses and the path."""
    return make_finding(
        rule,
        node.key,
        message + (_DATA_NOTE if up.via_data else ""),
        _evidence(me, theirs, up),
        severity=severity,
    )



def data_severity(policy: Policy, default: Severity, via_data: bool) -> Severity | None:
    """The severity of a finding: the policy's dataset setting when training data causes it."""
    if not via_data:
        return default
    return policy.datasets.severity()


def node_names(node: GraphNode) -> list[str]:
    """The names a node is published under: its repo or folder name, and the card's model_name."""
    names: list[str] = []
    ref = node.ref
    base = (ref.local_path or ref.repo_id).rstrip("/\\")
    names.append(re.split(r"[/\\]", base)[-1])
    if node.record is not None:
        for key in ("model_name", "pretty_name"):
            value = node.record.card_data.get(key)
            if isinstance(value, str) and value.strip():
                names.append(value.strip())
        index = node.record.card_data.get("model-index")
        if isinstance(index, list) and index and isinstance(index[0], dict):
            value = index[0].get("name")
            if isinstance(value, str) and value.strip():
                names.append(value.strip())
    return list(dict.fromkeys(names))

class UseRestrictionsDropped(CatalogRule, rule_id="MA201"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        me = ctx.terms(node.key)
        if not me.known:
            return
        for rec, ups in _records_up(node, ctx):
            if not rec.obligations.flow_down_use_restrictions or carries_use_restrictions(me, rec):
                continue
            found = _first(ctx, ups, self.default_severity)
            if found is None:
                continue
            up, severity = found
            policy_url = rec.obligations.use_policy_url
            where = f" (use policy: {policy_url})" if policy_url else ""
            yield _against_upstream(
                self,
                node,
                f"{node.key} declares {me.label}, but {up.describe()} is under the {_name(rec)}, whose use "
                f"restrictions{where} must be passed on to every derivative; {me.label} does not carry them.",
                me,
                ctx.terms(up.key),
                up,
                severity,
            )


class LicenseConflict(CatalogRule, rule_id="MA202"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        me = ctx.terms(node.key)
        if not me.known:
            return
        direct = direct_routes(node.key, ctx.graph)
        for rec, ups in _records_up(node, ctx):
            yield from self._share_alike(node, ctx, me, rec, ups, direct)
            yield from self._no_derivatives(node, ctx, me, rec, ups)
        for up in direct:
            if up.relations[0] is Relation.QUANTIZED:
                yield from self._quantized(node, me, ctx.terms(up.key), up)
        yield from self._merge(node, ctx)

    def _share_alike(
        self,
        node: GraphNode,
        ctx: RuleContext,
        me: Terms,
        rec: LicenseRecord,
        ups: tuple[Upstream, ...],
        direct: list[Upstream],
    ) -> Iterator[Finding]:
        kind = rec.obligations.share_alike
        if (
            kind is ShareAlike.NONE or rec.obligations.flow_down_use_restrictions
        ):  # flow-down: MA201 reports it
            return
        if kind is ShareAlike.DATABASE and node.kind is not NodeKind.DATASET:
            return  # a model is a produced work of a database, not a derivative database (notice duty only)
        weak = kind in (ShareAlike.FILE, ShareAlike.LIBRARY)
        if weak:
            # file-level copyleft covers modified files only (an adapter ships new files)
            candidates = [
                u
                for u in direct
                if not u.via_data
                and u.relations[0] not in (Relation.ADAPTER, Relation.TRAINED_ON)
                and ctx.terms(u.key).has(rec.id)
            ]
            up = candidates[0] if candidates else None
        else:
            up = ups[0] if ups else None
        if up is None or keeps_share_alike(me, rec):
            return
        severity = data_severity(ctx.policy, Severity.WARNING if weak else self.default_severity, up.via_data)
        if severity is None:
            return
        scope = {
            ShareAlike.FILE: "modified files must stay under it",
            ShareAlike.LIBRARY: "the modified library must stay under it",
            ShareAlike.WORK: "adapted material must be shared under the same license",
            ShareAlike.NETWORK: "the whole work, also when offered over a network, must stay under it",
            ShareAlike.DATABASE: "derivative databases must be shared under the same license",
            ShareAlike.LICENSE_TERMS: "derivatives must stay under this same agreement",
        }[kind]
        yield _against_upstream(
            self,
            node,
            f"{node.key} declares {me.label}, but {up.describe()} is under the share-alike {_name(rec)}: "
            f"{scope}, and {me.label} is not.",
            me,
            ctx.terms(up.key),
            up,
            severity,
        )

    def _no_derivatives(
        self, node: GraphNode, ctx: RuleContext, me: Terms, rec: LicenseRecord, ups: tuple[Upstream, ...]
    ) -> Iterator[Finding]:
        o = rec.obligations
        if o.no_derivatives:
            # a format change is a technical modification, not an adaptation
            found = _first(ctx, ups, self.default_severity, lambda u: not u.quantized)
            what = f"forbids sharing adapted material, so {node.key} may not be published as its derivative"
        elif o.no_redistribution:
            found = _first(ctx, ups, self.default_severity, lambda u: not u.via_data)
            what = f"grants no right to redistribute, so {node.key} may not be published as its derivative"
        else:
            return
        if found is None:
            return
        up, severity = found
        yield _against_upstream(
            self,
            node,
            f"{node.key} ({me.label}) derives from {up.describe().removeprefix('its ')}, which is under the "
            f"{_name(rec)}; that license {what}.",
            me,
            ctx.terms(up.key),
            up,
            severity,
        )

    def _quantized(self, node: GraphNode, me: Terms, theirs: Terms, up: Upstream) -> Iterator[Finding]:
        if not theirs.known or me.ids == theirs.ids:
            return
        if any(
            r.obligations.flow_down_use_restrictions and not carries_use_restrictions(me, r)
            for r in theirs.records
        ):
            return  # MA201 already reports the dropped terms
        yield make_finding(
            self,
            node.key,
            f"{node.key} is a quantized copy of {up.key} but declares {me.label}; a quantized copy is the same "
            f"model in another format and must keep its source's license, {theirs.label}.",
            _evidence(me, theirs, up),
        )

    def _merge(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        """Merge parents whose terms each demand the whole work stays under them cannot be combined."""
        merge_parents = sorted(
            e.parent for e in ctx.graph.parents(node.key) if e.relation is Relation.MERGE
        )
        if len(merge_parents) < 2:
            return
        exclusive: dict[str, list[str]] = {}  # license → parents requiring the whole merge under it alone
        binding: dict[str, list[str]] = {}  # license → parents whose terms must travel with the merge
        for parent in merge_parents:
            for rec in ctx.terms(parent).records:
                sa = rec.obligations.share_alike
                if sa in (ShareAlike.WORK, ShareAlike.NETWORK, ShareAlike.LICENSE_TERMS):
                    exclusive.setdefault(_stem(rec.id), []).append(parent)
                elif rec.obligations.flow_down_use_restrictions:
                    binding.setdefault(rec.id, []).append(parent)
        if not exclusive or len(exclusive) + len(binding) < 2:
            return
        parts = [
            f"{lic} (from {', '.join(sorted(set(ps)))})"
            for lic, ps in sorted({**exclusive, **binding}.items())
        ]
        yield make_finding(
            self,
            node.key,
            f"{node.key} merges parents whose licenses cannot all be met: {'; '.join(parts)}. A share-alike "
            "license requires the whole merge under it alone, which leaves no room for the other parents' terms.",
            [Evidence(source="lineage:merge", value=", ".join(merge_parents))],
        )


class NoncommercialUpstream(CatalogRule, rule_id="MA203"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        me = ctx.terms(node.key)
        if me.commercial_use not in (CommercialUse.YES, CommercialUse.CONDITIONAL) or forbids_commerce(me):
            return
        # each non-commercial ancestor not hidden behind another one (what lies behind it is not repeated)
        for ancestor, ups in sorted(ctx.facts(node.key).noncommercial.items()):
            found = _first(ctx, ups, self.default_severity)
            if found is None:
                continue
            up, severity = found
            theirs = ctx.terms(ancestor)
            yield _against_upstream(
                self,
                node,
                f"{node.key} declares {me.label}, which permits commercial use, but {up.describe()} is under "
                f"{theirs.label}: {forbids_commerce(theirs)}.",
                me,
                theirs,
                up,
                severity,
            )


class NamingDuty(CatalogRule, rule_id="MA204"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        if node.kind is NodeKind.DATASET or node.record is None:
            return
        names = node_names(node)
        me = ctx.terms(node.key)
        org = _namespace(node)
        nearest: dict[str, tuple[Upstream, Severity, LicenseRecord]] = {}  # naming prefix → nearest path
        for rec, ups in _records_up(node, ctx):
            prefix = rec.obligations.naming_prefix
            if not prefix or any(n.lower().startswith(prefix.lower()) for n in names):
                continue

            def counts(up: Upstream, rec: LicenseRecord = rec) -> bool:
                # the licensor's own releases (e.g. an Instruct model from its base) are exempt
                return not (org and me.has(rec.id) and org == _namespace(ctx.graph.nodes[up.key]))

            found = _first(ctx, ups, self.default_severity, counts)
            if found is not None and (prefix not in nearest or found[0].order < nearest[prefix][0].order):
                nearest[prefix] = (*found, rec)
        for prefix, (up, severity, rec) in sorted(nearest.items()):
            yield make_finding(
                self,
                node.key,
                f"{node.key} derives from {up.describe().removeprefix('its ')} under the {_name(rec)}, which "
                f'requires any distributed model built with it to have a name beginning with "{prefix}"; '
                f"its name {' / '.join(repr(n) for n in names)} does not.",
                [Evidence(source="name", value=n) for n in names]
                + [license_evidence(ctx.terms(up.key)), up.evidence()],
                severity=severity,
            )


def _matches(
    rec_ids: set[str], category: LicenseCategory, selector: LicenseSelector, db: LicenseDB
) -> str | None:
    """What in ``selector`` a license matches (``id X`` / ``category Y``), or None."""
    for wanted in selector.ids:
        rec = db.get(wanted)
        canonical = rec.id if rec else wanted
        if canonical in rec_ids or wanted in rec_ids:
            return f"id {wanted}"
    if category in selector.categories:
        return f"category {category.value}"
    return None


class LicenseDenied(CatalogRule, rule_id="MA205"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        me = ctx.terms(node.key)
        if me.info is None or not me.info.id:
            return  # missing: the license stage reports it
        severity = ctx.policy.datasets.severity() if node.kind is NodeKind.DATASET else self.default_severity
        if severity is None:
            return
        parts: list[tuple[str, set[str], LicenseCategory, bool | None]] = [
            (r.id, {r.id, *r.all_ids()}, r.category, r.osi_approved) for r in me.records
        ]
        if not parts:
            if me.category is LicenseCategory.UNKNOWN:
                return  # unknown: the license stage reports it
            parts = [(me.label, {me.label}, me.category, me.info.osi_approved)]
        policy = ctx.policy
        ev: list[Evidence] | None = None  # the license's evidence, made when a finding needs it
        for part_id, ids, category, osi in parts:
            denied = _matches(ids, category, policy.deny, ctx.db)
            if denied:
                ev = ev or [license_evidence(me)]
                yield make_finding(
                    self,
                    node.key,
                    f"{node.key} is under {part_id}, which policy {policy.name!r} denies ({denied}).",
                    ev,
                    severity=severity,
                )
                continue
            if (
                not policy.allow.empty()
                and category is not LicenseCategory.UNKNOWN
                and not _matches(ids, category, policy.allow, ctx.db)
            ):
                allowed = [*(c.value for c in policy.allow.categories), *policy.allow.ids]
                ev = ev or [license_evidence(me)]
                yield make_finding(
                    self,
                    node.key,
                    f"{node.key} is under {part_id} ({category.value}), which is not among the licenses policy "
                    f"{policy.name!r} allows: {', '.join(allowed)}.",
                    ev,
                    severity=severity,
                )
                continue
            if policy.require_osi and node.kind is not NodeKind.DATASET and osi is not True:
                ev = ev or [license_evidence(me)]
                yield make_finding(
                    self,
                    node.key,
                    f"{node.key} is under {part_id}, which is not OSI-approved, and policy {policy.name!r} "
                    "requires OSI-approved licenses for models.",
                    ev,
                    severity=severity,
                )


__all__ = [
    "LicenseConflict",
    "LicenseDenied",
    "NamingDuty",
    "NoncommercialUpstream",
    "UseRestrictionsDropped",
    "carries_use_restrictions",
    "keeps_share_alike",
]
