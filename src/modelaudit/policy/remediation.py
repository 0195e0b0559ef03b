"""What a failing target must change to meet its licenses: a remediation plan computed from its lineage.

The plan says which licenses the target may be distributed under (what its upstream's flow-down,
share-alike, quantization and non-commercial terms leave), which files to add (the license texts, the NOTICE
lines collected from upstream, the use policy) and which card changes to make (license field,
``license_name`` / ``license_link``, the name prefix, the "Built with" line, credits). It is data in the report;
``modelaudit fix`` (``modelaudit/remediate.py``) turns it into file contents for a local folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from modelaudit.catalog import FILE_KINDS, LINEAGE_KINDS
from modelaudit.licenses.db import load_db
from modelaudit.licenses.schema import DocumentKind, LicenseRecord, ShareAlike
from modelaudit.licenses.texts import shipped_file
from modelaudit.lineage.graph import GraphNode
from modelaudit.models import (
    CardChange,
    CommercialUse,
    Finding,
    Obligation,
    ObligationCheck,
    ObligationStatus,
    Relation,
    RemediationFile,
    RemediationPlan,
)
from modelaudit.policy.obligations import (
    Binding,
    NodeFiles,
    bindings,
    checked,
    copyright_lines,
    identify,
    is_text_of,
)
from modelaudit.policy.rules.base import RuleContext
from modelaudit.policy.rules.license_rules import node_names
from modelaudit.policy.rules.terms import Terms
from modelaudit.policy.rules.upstream import namespace

# findings on the target that a plan answers (the license rules and the obligation rules)
PLANNED_RULES = frozenset(
    {
        "license-missing",
        "license-mismatch",
        "use-restrictions-dropped",
        "license-conflict",
        "noncommercial-upstream",
        "naming-duty",
        "obligation-unmet",
        "obligation-unverified",
    }
)
_RELICENSABLE = re.compile(r"rail|^deepseek$", re.IGNORECASE)
SECTION_START = "<!-- modelaudit fix: license and attribution -->"
SECTION_END = "<!-- /modelaudit fix -->"


def slug(license_id: str) -> str:
    """A license id as a file-name part: ``Apache-2.0`` → ``Apache-2-0``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", license_id).strip("-")


def third_party_name(license_id: str) -> str:
    """The file an upstream license's text is shipped as, beside the target's own LICENSE."""
    return f"LICENSE-THIRD-PARTY-{slug(license_id)}.txt"


def _target_checks(obligations: Iterable[Obligation], node: str) -> list[tuple[Obligation, ObligationCheck]]:
    return [(ob, c) for ob in obligations for c in ob.checks if c.node == node]


def required_licenses(ctx: RuleContext, key: str) -> tuple[list[LicenseRecord], list[str]]:
    """The licenses the node must carry because of its upstream, and the reasons no license can cure."""
    db = load_db()
    me = ctx.terms(key)
    need: dict[str, LicenseRecord] = {}
    blocked: list[str] = []
    for rec_id, ups in sorted(ctx.facts(key).records.items()):
        rec = db.get(rec_id)
        if rec is None:
            continue
        model = [u for u in ups if not u.via_data]
        ob = rec.obligations
        if not model:
            continue
        if ob.no_derivatives and not all(u.quantized for u in model):
            blocked.append(f"{model[0].key} is under {rec.id}, which forbids sharing adapted material")
            continue
        if ob.no_redistribution:
            blocked.append(f"{model[0].key} is under {rec.id}, which grants no right to redistribute")
            continue
        if ob.flow_down_use_restrictions:
            if _RELICENSABLE.search(rec.id) and any(
                r.obligations.flow_down_use_restrictions and _RELICENSABLE.search(r.id) for r in me.records
            ):
                continue  # a RAIL upstream is carried by any RAIL-family license
            need[rec.id] = rec
        elif (
            ob.share_alike in (ShareAlike.WORK, ShareAlike.NETWORK, ShareAlike.LICENSE_TERMS)
            or (
                ob.share_alike in (ShareAlike.FILE, ShareAlike.LIBRARY)
                and any(
                    u.direct and u.relations[0] not in (Relation.ADAPTER, Relation.TRAINED_ON) for u in model
                )
            )
            or rec.commercial_use is CommercialUse.NO
            or ob.research_only
        ):
            need[rec.id] = rec
    # a quantized copy keeps its source's license exactly
    for edge in ctx.graph.parents(key):
        if edge.relation is Relation.QUANTIZED:
            for rec in ctx.terms(edge.parent).records:
                need.setdefault(rec.id, rec)
    return [need[k] for k in sorted(need)], blocked


def _license_options(me: Terms, required: list[LicenseRecord]) -> tuple[list[str], bool]:
    """The expressions the node may carry (first = the plan's choice) and whether its license must change."""
    if not required:
        return ([me.label] if me.known else []), False
    if me.known and all(me.has(r.id) for r in required):
        return [me.label], False
    expr = " AND ".join(r.id for r in required)
    options = [expr, f"{expr} AND <your own terms>"]
    return options, True


def card_license_fields(parts: list[LicenseRecord], expression: str) -> dict[str, str]:
    """The card front matter that declares ``expression``: a Hub id when there is one, else ``other`` with
    ``license_name`` (the expression or the license's name) and ``license_link`` to the shipped LICENSE."""
    if len(parts) == 1 and parts[0].hub_id:
        return {"license": parts[0].hub_id}
    if len(parts) == 1:
        rec = parts[0]
        name = rec.license_names[0] if rec.license_names else rec.id
        return {"license": "other", "license_name": name, "license_link": "LICENSE"}
    return {"license": "other", "license_name": expression, "license_link": "LICENSE"}


def plan_remediation(ctx: RuleContext, findings: list[Finding]) -> list[RemediationPlan]:
    """The plan for the target when it fails a license or obligation rule, or leaves an obligation unmet."""
    key = ctx.graph.root
    node = ctx.graph.nodes.get(key)
    if node is None or node.record is None:
        return []
    checks = _target_checks(checked(ctx), key)
    failing = [c for _, c in checks if c.status in (ObligationStatus.UNMET, ObligationStatus.UNKNOWN)]
    ruled = [f for f in findings if f.node == key and f.name in PLANNED_RULES and not f.waived]
    if not failing and not ruled:
        return []
    return [_plan(ctx, key, checks, ruled)]


def _plan(
    ctx: RuleContext, key: str, checks: list[tuple[Obligation, ObligationCheck]], ruled: list[Finding]
) -> RemediationPlan:
    db = load_db()
    node = ctx.graph.nodes[key]
    me = ctx.terms(key)
    files = NodeFiles.of(node)
    required, blocked = required_licenses(ctx, key)
    options, change = _license_options(me, required)
    plan = RemediationPlan(node=key, licenses=options)
    plan.manual += [f"Do not publish this model as it is: {why}." for why in blocked]

    # the licenses the node will carry, and every binding it will have
    if change:
        parts = required
        plan.license_note = (
            f"The lineage requires {options[0]}: {', '.join(r.id for r in required)} must travel with every "
            f"derivative. Publish under it alone, or combine it with your own terms using AND."
        )
    elif me.known:
        parts = list(me.records)
        plan.license_note = f"{me.label} is compatible with the lineage; keep it."
    else:
        parts = []
        plan.license_note = "No license is declared and the lineage imposes none: choose one and declare it."
        plan.manual.append("Choose a license for the model and declare it in the card (`license:`).")
    own_ids = {r.id for r in parts}
    if change and parts:
        expression = " AND ".join(r.id for r in parts)
        for field, value in card_license_fields(parts, expression).items():
            plan.card.append(
                CardChange(
                    field=field,
                    value=value,
                    reason=f"declare {expression}, which the lineage requires",
                    addresses=[f"{r.id}:flow-down-use-policy" for r in parts],
                )
            )
    elif any(f.name == "license-missing" for f in ruled) and parts:
        expression = " AND ".join(r.id for r in parts)
        for field, value in card_license_fields(parts, expression).items():
            plan.card.append(CardChange(field=field, value=value, reason="declare the license in the card"))

    # which licenses' texts the folder must hold after the change: the own license(s) as LICENSE, every
    # upstream license that asks for its text as LICENSE-THIRD-PARTY-<id>.txt
    bound = {b.rec.id: b for b in bindings(key, ctx, me)}
    needed: list[LicenseRecord] = [r for r in parts if r.obligations.include_agreement]
    needed += [
        b.rec
        for rid, b in sorted(bound.items())
        if rid not in own_ids and b.upstream and b.rec.obligations.include_agreement
    ]
    have: dict[str, str] = {}  # license id → the file already holding its text
    for lf in files.licenses:
        ident = identify(lf.text, ctx.cache)
        for rec in needed:
            if is_text_of(ident, rec, lf.text):
                have.setdefault(rec.id, lf.path)
    keep_ids = {r.id for r in needed} | own_ids | {rid for rid, b in bound.items() if b.upstream}
    planned: set[str] = set()
    for rec in needed:
        if _licensor(node, rec) or rec.id in have:
            continue
        if rec.id in own_ids:
            name = "LICENSE" if "LICENSE" not in planned else f"LICENSE-{slug(rec.id)}"
        else:
            name = third_party_name(rec.id)
        planned.add(name)
        holders: list[str] = []
        if rec.obligations.copyright_notice:  # MIT, BSD: the text carries the copyright lines
            b = bound.get(rec.id)
            for up in (b.upstream if b else [])[:1]:
                holders += _upstream_lines(ctx, up.key, "copyright-notice") or []
            holders += [line for _, line in files.copyrights()]
            if not holders:
                plan.manual.append(
                    f"Put your copyright line ('Copyright (c) <year> <holder>') at the top of {name}: "
                    f"{rec.id} copies keep a copyright notice."
                )
        plan.files.append(
            RemediationFile(
                path=name,
                action="replace" if name in {lf.path for lf in files.licenses} else "create",
                content=f"license-text:{rec.id}",
                lines=list(dict.fromkeys(holders)),
                reason=f"recipients must get a copy of {rec.display_name}",
                addresses=[f"{rec.id}:include-agreement"]
                + ([f"{rec.id}:copyright-notice"] if rec.obligations.copyright_notice and holders else []),
            )
        )
    # license files that hold the text of a license the model is no longer under contradict the card
    for lf in files.licenses:
        if lf.path in planned:
            continue
        ident = identify(lf.text, ctx.cache)
        if ident.id is not None and not (set(ident.licenses or [ident.id]) & keep_ids):
            plan.files.append(
                RemediationFile(
                    path=lf.path,
                    action="remove",
                    content="",
                    reason=f"it holds {ident.id}, which the model is not distributed under (kept in the backup)",
                    addresses=[f"{ident.id}:license-mismatch"],
                )
            )

    # notice lines, use policies, card statements: from every obligation of the target that is not met
    notice_lines: list[str] = []
    notice_why: list[str] = []
    for ob, c in checks:
        if c.status not in (ObligationStatus.UNMET, ObligationStatus.UNKNOWN):
            continue
        found = db.get(ob.license)
        if found is None:
            continue
        rec = found
        label = f"{rec.id}:{ob.kind}"
        if ob.kind == "notice-file" and rec.obligations.notice_text:
            notice_lines.append(rec.obligations.notice_text)
            notice_why.append(label)
        elif ob.kind in ("upstream-notice", "copyright-notice") and (c.via or _nearest(bound, rec.id)):
            via = c.via or _nearest(bound, rec.id)
            assert via is not None
            lines = _upstream_lines(ctx, via, ob.kind)
            if lines is None:
                plan.manual.append(
                    f"Read {via}'s {ob.kind.replace('-', ' ')} lines (its files could not be read) "
                    "and carry them into NOTICE."
                )
            notice_lines += lines or []
            notice_why.append(label)
        elif ob.kind == "copyright-notice":
            pass  # with the license text above (its copyright lines), or a manual step
        elif (
            ob.kind == "use-policy"
            and rec.obligations.use_policy_url
            and shipped_file(rec, DocumentKind.USE_POLICY) is None
        ):  # no copy to ship: link it from the card
            plan.card.append(
                CardChange(
                    field="use-policy-link",
                    value=rec.obligations.use_policy_url,
                    reason=f"{rec.display_name} incorporates its use policy",
                    addresses=[label],
                )
            )
        elif ob.kind == "use-policy" and rec.obligations.use_policy_url:
            plan.files.append(
                RemediationFile(
                    path="USE_POLICY.md"
                    if not any(f.path == "USE_POLICY.md" for f in plan.files)
                    else f"USE_POLICY-{slug(rec.id)}.md",
                    action="create",
                    content=f"use-policy:{rec.id}",
                    reason=f"{rec.display_name} incorporates its use policy ({rec.obligations.use_policy_url})",
                    addresses=[label],
                )
            )
        elif ob.kind == "built-with" and rec.obligations.built_with:
            phrase = re.sub(r"^\[name\]", node_names(node)[0], rec.obligations.built_with)
            plan.card.append(
                CardChange(
                    field="built-with", value=phrase, reason=f"{rec.id} requires it", addresses=[label]
                )
            )
        elif ob.kind == "credit":
            b = bound.get(rec.id)
            for up in (*(b.upstream if b else []), *(b.data if b else [])):
                if up.direct:
                    plan.card.append(
                        CardChange(
                            field="credit",
                            value=f"{ctx.graph.nodes[up.key].ref.key} ({rec.id})",
                            reason=f"{rec.id} requires credit and a license notice",
                            addresses=[label],
                        )
                    )
        elif ob.kind == "mark-modifications" and c.via:
            first = _first_hop(ctx, key, c.via)
            plan.card.append(
                CardChange(
                    field="base_model",
                    value=first,
                    reason="say which model it was changed from",
                    addresses=[label],
                )
            )
        elif ob.kind == "license-reference":
            plan.card.append(
                CardChange(
                    field="license-reference",
                    value=rec.id,
                    reason=f"{rec.id} must be named or linked",
                    addresses=[label],
                )
            )
        elif ob.kind == "naming-prefix" and rec.obligations.naming_prefix:
            prefix = rec.obligations.naming_prefix
            name = node_names(node)[0]
            value = f"{prefix} {name}" if " " in prefix else f"{prefix}-{name}"
            plan.card.append(
                CardChange(
                    field="model_name",
                    value=value,
                    reason=f'{rec.id} requires the name to begin with "{prefix}" (or rename the repo)',
                    addresses=[label],
                )
            )
        elif ob.kind == "source-disclosure":
            plan.manual.append(f"Offer the corresponding source of the model to recipients ({rec.id}).")
        elif (
            ob.kind in ("non-commercial", "research-only", "share-alike", "flow-down-use-policy")
            and not change
        ):
            plan.manual.append(f"{rec.id}: {ob.text}")
        elif ob.kind in ("no-derivatives", "no-redistribution"):
            pass  # in ``blocked`` above
        elif c.status is ObligationStatus.UNKNOWN and ob.kind in FILE_KINDS:
            plan.manual.append(
                f"{rec.id} {ob.kind}: could not be checked ({'; '.join(e.value for e in c.evidence[:1])}); "
                "make the file readable and scan again."
            )
    if notice_lines:
        existing_notice = files.notices[0] if files.notices else None
        plan.files.append(
            RemediationFile(
                path=existing_notice.path if existing_notice else "NOTICE",
                action="append" if existing_notice else "create",
                content="notice",
                lines=list(dict.fromkeys(notice_lines)),
                reason="the Notice lines the licenses require, and the attribution lines collected from upstream",
                addresses=list(dict.fromkeys(notice_why)),
            )
        )
    # dedupe card changes (several obligations may ask for the same one)
    seen: dict[tuple[str, str], CardChange] = {}
    for change_ in plan.card:
        slot = (change_.field, change_.value)
        if slot in seen:
            seen[slot].addresses.extend(a for a in change_.addresses if a not in seen[slot].addresses)
        else:
            seen[slot] = change_
    plan.card = list(seen.values())
    plan.manual = list(dict.fromkeys(plan.manual))
    return plan


def _nearest(bound: dict[str, Binding], rec_id: str) -> str | None:
    """The nearest upstream model under ``rec_id`` (for a duty the node's own license shares with it)."""
    b = bound.get(rec_id)
    return b.upstream[0].key if b is not None and b.upstream else None


def _licensor(node: GraphNode, rec: LicenseRecord) -> bool:
    org = namespace(node)
    return org is not None and org.lower() in {o.lower() for o in rec.licensor_orgs}


def _first_hop(ctx: RuleContext, key: str, via: str) -> str:
    """The parent of ``key`` on the way to ``via`` (the model it was changed from)."""
    for rec_ups in ctx.facts(key).records.values():
        for up in rec_ups:
            if up.key == via and len(up.path) > 1:
                return ctx.graph.nodes[up.path[1]].ref.repo_id
    return ctx.graph.nodes[via].ref.repo_id if via in ctx.graph.nodes else via


def _upstream_lines(ctx: RuleContext, via: str, kind: str) -> list[str] | None:
    """The lines of ``via``'s NOTICE files (upstream-notice) or its copyright notices (copyright-notice);
    None when its files could not be read."""
    node = ctx.graph.nodes.get(via)
    if node is None:
        return None
    theirs = NodeFiles.of(node)
    if theirs.all_unread:
        return None
    if kind == "upstream-notice":
        return [line.strip() for nf in theirs.notices for line in nf.text.splitlines() if line.strip()]
    out: list[str] = []
    for lf in (*theirs.licenses, *theirs.notices):
        out += copyright_lines(lf.text)
    return out


__all__ = [
    "LINEAGE_KINDS",
    "PLANNED_RULES",
    "SECTION_END",
    "SECTION_START",
    "card_license_fields",
    "plan_remediation",
    "required_licenses",
    "slug",
    "third_party_name",
]
