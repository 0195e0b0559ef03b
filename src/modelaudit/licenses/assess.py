"""Per-node license assessment: every evidence source of a repo → one license, plus findings.

Sources, strongest first (the first that resolves gives the node's license):

1. the model card: ``license`` with ``license_name`` / ``license_link`` (``other`` resolves through them);
2. Hub ``license:`` tags;
3. LICENSE-like files (LICENSE, LICENSE.md, LICENSE-MODEL, NOTICE, USE_POLICY.md, ...) identified from
   their text; files whose name says they cover code (``LICENSE-CODE``) or an upstream's license shipped
   beside the model's own (``LICENSE-THIRD-PARTY-*``) are reported but never stand in for the weights'
   license and never cause a mismatch. A NOTICE or a use policy is evidence and obligation,
   never a conflicting license: it supports the license it belongs to, and a NOTICE settles the license
   only when nothing else does. A text that is not identified is kept as evidence, never a mismatch;
4. GGUF ``general.license`` (with ``.name`` / ``.link``) and safetensors ``__metadata__`` license keys.

Findings (stable rule ids): ``MA101 license-missing`` (no license anywhere), ``MA102 license-unknown``
(something is declared but nothing resolves to a known license), ``MA103 license-mismatch`` (two sources
resolve to licenses that disagree; the message names both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from modelaudit.cachefile import Cache
from modelaudit.catalog import RuleSpec, make_finding, spec
from modelaudit.licenses.db import LicenseDB, load_db
from modelaudit.licenses.identify import Identification, identify_text, phrase_in, tokens
from modelaudit.licenses.normalize import NormalizedLicense, normalize
from modelaudit.licenses.schema import DocumentKind, LicenseRecord, ShareAlike
from modelaudit.models import (
    CommercialUse,
    Evidence,
    Finding,
    LicenseCategory,
    LicenseFile,
    LicenseInfo,
    Obligation,
    RepoRecord,
    Severity,
)

RULE_MISSING = spec("license-missing")
RULE_UNKNOWN = spec("license-unknown")
RULE_MISMATCH = spec("license-mismatch")

_CATEGORY_RANK = {
    LicenseCategory.PERMISSIVE: 0,
    LicenseCategory.WEAK_COPYLEFT: 1,
    LicenseCategory.COPYLEFT: 2,
    LicenseCategory.RESTRICTIVE: 3,
    LicenseCategory.PROPRIETARY: 4,
    LicenseCategory.UNKNOWN: 5,
}
_COMMERCIAL_RANK = {
    CommercialUse.YES: 0,
    CommercialUse.CONDITIONAL: 1,
    CommercialUse.UNKNOWN: 2,
    CommercialUse.NO: 3,
}
_CODE_FILE = re.compile(r"(^|[_\-.])code([_\-.]|$)", re.IGNORECASE)

# family record id → pattern its members' ids match
_FAMILY_MEMBERS = {
    "bsd": re.compile(r"^(BSD-|0BSD$)"),
    "gpl": re.compile(r"^GPL-"),
    "lgpl": re.compile(r"^LGPL-"),
    "gfdl": re.compile(r"^GFDL-"),
    "cc": re.compile(r"^CC(0|-)"),
    "openrail": re.compile(r"rail", re.IGNORECASE),
}
# texts that are word-for-word the same license under two ids (the text alone cannot tell them apart)
_SAME_TEXT = [
    {"GPL-3.0-only", "GPL-3.0-or-later"},
    {"GPL-2.0-only", "GPL-2.0-or-later"},
    {"AGPL-3.0-only", "AGPL-3.0-or-later"},
    {"LGPL-3.0-only", "LGPL-3.0-or-later"},
    {"LGPL-2.1-only", "LGPL-2.1-or-later"},
    # CPython's LICENSE file (SPDX Python-2.0 / Python-2.0.1) is the PSF-2.0 agreement followed by the older
    # BeOpen, CNRI and CWI ones: packages that declare PSF-2.0 ship it
    {"PSF-2.0", "Python-2.0", "Python-2.0.1"},
]


@dataclass
class Claim:
    """One source's say about the license."""

    source: str  # e.g. card, tag:license, file:LICENSE, gguf:model.gguf
    evidence: list[Evidence]
    license_id: str | None
    ids: list[str] = field(default_factory=list)
    confidence: float = 0.0
    detail: str = ""
    rank: int = 0  # lower = stronger source
    code_only: bool = False  # a code license file: reported, never decisive
    use_policy: bool = False  # an acceptable-use policy text: supports a license, never declares one
    notice: bool = False  # a NOTICE file: decisive only when nothing else is, never a conflict

    def describe(self, db: LicenseDB) -> str:
        rec = db.get(self.license_id) if self.license_id else None
        label = f"{rec.display_name} ({self.license_id})" if rec else str(self.license_id)
        values = "; ".join(
            f"{e.source}={e.value!r}" for e in self.evidence if not e.source.startswith("file:")
        )
        what = f"the use policy of {label}" if self.use_policy else label
        return f"{self.source} ({values}) → {what}" if values else f"{self.source} → {what}"


# --------------------------------------------------------------------------------------------- gathering


def _group(evidence: list[Evidence]) -> dict[str, list[Evidence]]:
    """Group evidence items into sources: the card, Hub tags, each GGUF file, each safetensors key."""
    groups: dict[str, list[Evidence]] = {}
    for ev in evidence:
        src = ev.source
        if src.startswith("card:"):
            g = "card"
        elif src.startswith("tag:"):
            g = "tag:license"
        elif src.startswith("gguf:"):
            g = src.rsplit(":", 1)[0] if src.count(":") >= 2 else src
        else:
            g = src
        groups.setdefault(g, []).append(ev)
    return groups


def _values(items: list[Evidence], suffixes: tuple[str, ...]) -> list[str]:
    return [e.value.strip() for e in items if e.source.endswith(suffixes) and e.value.strip()]


def _declared_claim(group: str, items: list[Evidence], db: LicenseDB, rank: int) -> Claim:
    if group == "card":
        main = _values(items, ("card:license", "card:licenses"))
        names = _values(items, ("card:license_name",))
        links = _values(items, ("card:license_link",))
    elif group.startswith("gguf:"):
        main = _values(items, (":general.license",))
        names = _values(items, (":general.license.name",))
        links = _values(items, (":general.license.link",))
    else:
        main = [e.value.strip().removeprefix("license:") for e in items if e.value.strip()]
        names, links = [], []
    name = names[0] if names else None
    link = links[0] if links else None
    results: list[NormalizedLicense] = [
        normalize(v, license_name=name, license_link=link, db=db) for v in dict.fromkeys(main)
    ] or ([normalize("other", license_name=name, license_link=link, db=db)] if (name or link) else [])
    known = [r for r in results if r.id]
    if not results:
        return Claim(group, items, None, rank=rank, detail="empty value")
    if len(known) < len(results):
        bad = [r for r in results if not r.id]
        return Claim(group, items, None, rank=rank, detail="; ".join(r.note or "unknown" for r in bad))
    if len({r.id for r in known}) == 1:
        r = known[0]
        return Claim(
            group,
            items,
            r.id,
            list(r.ids),
            r.confidence,
            f"{r.method}" + (f" via {r.via}" if r.via else ""),
            rank,
        )
    # several values in one source: all of them apply
    expr = " AND ".join(sorted({f"({r.id})" if r.is_expression else str(r.id) for r in known}))
    ids = sorted({i for r in known for i in r.ids})
    return Claim(group, items, expr, ids, min(r.confidence for r in known), "several values; all apply", rank)


def _notice_match(text: str, db: LicenseDB) -> LicenseRecord | None:
    joined = " " + " ".join(tokens(text)) + " "
    hits = [
        rec
        for rec in db.all(include_spdx=False)
        if rec.obligations.notice_text and phrase_in(rec.obligations.notice_text, joined)
    ]
    return hits[0] if len(hits) == 1 else None


def _file_claim(lf: LicenseFile, db: LicenseDB, cache: Cache | None = None) -> Claim:
    name = lf.path.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    role = stem.upper().replace("-", "_")
    # a code license (LICENSE-CODE) or an upstream's license shipped beside the model's own
    # (LICENSE-THIRD-PARTY-*, as modelaudit fix names them): reported, never the model's license
    code_only = bool(_CODE_FILE.search(stem)) or "THIRD_PARTY" in role
    notice = role == "NOTICE" or role.startswith("NOTICE_")
    policy_name = role.startswith(("USE_POLICY", "ACCEPTABLE_USE_POLICY"))
    ident: Identification = identify_text(lf.text, db=db, cache=cache)
    src = f"file:{lf.path}"
    if ident.id is None:
        rec = _notice_match(lf.text, db)
        if rec is not None:
            ev = Evidence(source=src, value=f"notice line of {rec.id}")
            return Claim(src, [ev], rec.id, [rec.id], 0.8, "notice line", 2, code_only, policy_name, notice)
        best = (
            f" (best candidate {ident.candidate}, score {ident.candidate_score:.2f})"
            if ident.candidate
            else ""
        )
        ev = Evidence(source=src, value=f"text not identified{best}")
        return Claim(src, [ev], None, rank=2, detail="; ".join(ident.evidence[:1]), code_only=code_only)
    use_policy = policy_name or ident.document is DocumentKind.USE_POLICY
    kind = "use policy" if use_policy else "text"
    ev = Evidence(source=src, value=f"{kind} identified as {ident.id} (confidence {ident.confidence:.2f})")
    return Claim(
        src,
        [ev],
        ident.id,
        ident.licenses or [ident.id],
        ident.confidence,
        ident.method,
        2,
        code_only,
        use_policy,
        notice,
    )


# --------------------------------------------------------------------------------------------- comparing


def _compatible(a: str, b: str, a_ids: list[str], b_ids: list[str]) -> bool:
    """Do two resolved licenses agree? (same id, one is part of the other's expression, family member...)"""
    if a == b:
        return True
    aset, bset = set(a_ids or [a]), set(b_ids or [b])
    if aset & bset:
        return True
    for x in aset:
        for y in bset:
            if any(x in s and y in s for s in _SAME_TEXT):
                return True
            for fam, member in ((x, y), (y, x)):
                pat = _FAMILY_MEMBERS.get(fam)
                if pat and pat.search(member):
                    return True
    return False


def _aggregate(
    ids: list[str], expression: str, db: LicenseDB
) -> tuple[LicenseCategory, bool | None, CommercialUse]:
    recs = [db.get(i) for i in ids]
    if not ids or any(r is None for r in recs):
        return LicenseCategory.UNKNOWN, None, CommercialUse.UNKNOWN
    known = [r for r in recs if r is not None]
    if len(known) == 1:
        r = known[0]
        return r.category, r.osi_approved, r.commercial_use
    choose = " OR " in expression and " AND " not in expression  # a pure choice: the licensee picks the best
    pick = min if choose else max
    cat = pick((r.category for r in known), key=lambda c: _CATEGORY_RANK[c])
    com = pick((r.commercial_use for r in known), key=lambda c: _COMMERCIAL_RANK[c])
    flags = [r.osi_approved for r in known]
    osi: bool | None = None if None in flags else (any(flags) if choose else all(flags))
    return cat, osi, com


def assess_record(
    record: RepoRecord, *, db: LicenseDB | None = None, cache: Cache | None = None
) -> tuple[LicenseInfo, list[Finding]]:
    """One node's license from every evidence source, and the findings the assessment raises. ``cache``
    keeps the SPDX matcher's results for license files (default: modelaudit's cache; ``Cache.off()``: none)."""
    db = db or load_db()
    node = record.ref.key
    claims: list[Claim] = []
    rank_of = {"card": 0, "tag:license": 1}
    for group, items in sorted(_group(record.license_evidence).items()):
        declaring = ("card:license", "card:licenses", "card:license_name", "card:license_link")
        if group == "card" and not _values(items, declaring):
            continue  # only license_details: informative, not a declaration
        claims.append(_declared_claim(group, items, db, rank_of.get(group, 3)))
    for lf in sorted(record.license_files, key=lambda f: f.path):
        claims.append(_file_claim(lf, db, cache))

    evidence = sorted(
        {(e.source, e.value): e for c in claims for e in c.evidence}.values(),
        key=lambda e: (e.source, e.value),
    )
    findings: list[Finding] = []
    decisive = [c for c in claims if c.license_id and not c.code_only and not c.use_policy]
    decisive.sort(key=lambda c: (c.notice, c.rank, -c.confidence, c.source))
    if not decisive:
        policy_only = [c for c in claims if c.license_id and c.use_policy]
        if not claims:
            findings.append(
                _finding(
                    RULE_MISSING,
                    Severity.ERROR,
                    node,
                    f"{node}: no license found: the card declares none, there is no LICENSE file and the weights' "
                    "metadata names none",
                    [],
                )
            )
            return LicenseInfo(id=None, evidence=[]), findings
        declared = [c for c in claims if not c.code_only]
        if not declared:
            code = ", ".join(c.describe(db) for c in claims if c.license_id)
            findings.append(
                _finding(
                    RULE_MISSING,
                    Severity.ERROR,
                    node,
                    f"{node}: no license for the model: only a code license file ({code})",
                    evidence,
                )
            )
            return LicenseInfo(id=None, evidence=evidence), findings
        what = "; ".join(
            f"{c.source}: {c.detail or 'not recognised'}"
            for c in claims
            if not c.license_id and not c.code_only
        )
        if policy_only:
            what += "; only a use policy was recognised: " + ", ".join(c.describe(db) for c in policy_only)
        findings.append(
            _finding(
                RULE_UNKNOWN,
                Severity.WARNING,
                node,
                f"{node}: the declared license could not be identified ({what})",
                evidence,
            )
        )
        return LicenseInfo(id=None, evidence=evidence, confidence=0.0), findings

    top = decisive[0]
    assert top.license_id is not None
    agreeing = [c for c in decisive if _compatible(top.license_id, c.license_id or "", top.ids, c.ids)]
    reported: set[tuple[str, str]] = set()
    for c in claims:
        if c is top or c.license_id is None or c.code_only or c.use_policy or c.notice:
            continue  # code licenses, use policies and NOTICEs are evidence, never a conflicting license
        if _compatible(top.license_id, c.license_id, top.ids, c.ids):
            continue
        pair = (top.license_id, c.license_id)
        if pair in reported:
            continue
        reported.add(pair)
        findings.append(
            _finding(
                RULE_MISMATCH,
                Severity.WARNING,
                node,
                f"{node}: license sources disagree: {top.describe(db)}, but {c.describe(db)}",
                [*top.evidence, *c.evidence],
            )
        )
    cat, osi, com = _aggregate(top.ids or [top.license_id], top.license_id, db)
    rec = db.get(top.license_id)
    confidence = max(c.confidence for c in agreeing)
    if findings:
        confidence = min(confidence, 0.5)
    info = LicenseInfo(
        id=top.license_id,
        name=rec.display_name if rec else top.license_id,
        category=cat,
        osi_approved=osi,
        commercial_use=com,
        confidence=round(confidence, 3),
        evidence=evidence,
    )
    return info, findings


def _finding(rule: RuleSpec, sev: Severity, node: str, msg: str, ev: list[Evidence]) -> Finding:
    return make_finding(rule, node, msg, ev, severity=sev)


# --------------------------------------------------------------------------------------------- obligations


def describe_obligations(rec: LicenseRecord) -> list[tuple[str, str]]:
    """(kind, plain-words text) for every duty and restriction of a license."""
    ob = rec.obligations
    out: list[tuple[str, str]] = []
    if rec.commercial_use is CommercialUse.NO:
        out.append(("non-commercial", "Commercial use is not allowed."))
    elif rec.commercial_use is CommercialUse.CONDITIONAL:
        out.append(("commercial-condition", f"Commercial use is conditional: {rec.commercial_condition}."))
    if ob.research_only:
        out.append(("research-only", "Use is limited to research / evaluation (non-production) purposes."))
    if ob.include_agreement:
        out.append(("include-agreement", "Give every recipient a copy of the license agreement."))
    if ob.notice_text:
        out.append(("notice-file", f'Keep a "Notice" file with: "{ob.notice_text}"'))
    if ob.attribution:
        out.append(("attribution", "Keep the copyright and attribution notices; credit the licensor."))
    if ob.mark_modifications:
        out.append(("mark-modifications", "Mark modified files / material as changed."))
    if ob.source_disclosure:
        out.append(("source-disclosure", "Offer the corresponding source code to recipients."))
    if ob.naming_prefix:
        out.append(
            ("naming-prefix", f'Names of distributed derivative models must begin with "{ob.naming_prefix}".')
        )
    if ob.built_with:
        out.append(("built-with", f'Display "{ob.built_with}" prominently (website, UI, documentation).'))
    if ob.share_alike is not ShareAlike.NONE:
        scope = {
            ShareAlike.FILE: "modified covered files",
            ShareAlike.LIBRARY: "the library and its modifications",
            ShareAlike.WORK: "the whole derivative work",
            ShareAlike.NETWORK: "the whole derivative work, also when offered over a network",
            ShareAlike.DATABASE: "publicly used derivative databases",
            ShareAlike.LICENSE_TERMS: "derivatives (they stay under this same agreement)",
        }[ob.share_alike]
        out.append(("share-alike", f"Share-alike: {scope} must be under the same license."))
    if ob.flow_down_use_restrictions:
        where = f" ({ob.use_policy_url})" if ob.use_policy_url else ""
        out.append(
            (
                "flow-down-use-policy",
                f"The use restrictions{where} apply to you and must be passed on to everyone you distribute "
                "the model or derivatives to.",
            )
        )
    if ob.output_use_restrictions or ob.output_use_note:
        out.append(("output-use", f"Outputs: {ob.output_use_note or ', '.join(ob.output_use_restrictions)}."))
    if ob.derivatives_include_outputs:
        out.append(
            (
                "distillation",
                "Models trained on its outputs (distillation, synthetic data) count as derivatives.",
            )
        )
    if ob.user_cap:
        out.append(("user-cap", f"Above {ob.user_cap:,} monthly active users a separate license is needed."))
    if ob.revenue_cap_usd:
        out.append(
            ("revenue-cap", f"Above US${ob.revenue_cap_usd:,} annual revenue a separate license is needed.")
        )
    if ob.no_derivatives:
        out.append(("no-derivatives", "Adapted or modified material may not be shared."))
    if ob.no_redistribution:
        out.append(("no-redistribution", "Redistribution is not allowed."))
    if ob.hosting_restricted:
        out.append(("hosting-restricted", "Offering it as a hosted service / API needs separate permission."))
    if rec.restricted_uses:
        out.append(
            ("restricted-uses", "Restricted uses: " + ", ".join(u.value for u in rec.restricted_uses) + ".")
        )
    if ob.note:
        out.append(("note", ob.note[0].upper() + ob.note[1:] + ("" if ob.note.endswith(".") else ".")))
    return out


def obligation_terms(license_id: str | None, *, db: LicenseDB | None = None) -> list[tuple[str, str, str]]:
    """(license id, kind, text) of every obligation of a license id or SPDX expression (every part's)."""
    if not license_id:
        return []
    db = db or load_db()
    rec = db.get(license_id)
    if rec is not None:
        parts = [rec]
    else:
        ids = normalize(license_id, db=db).ids
        parts = [r for r in (db.get(i) for i in ids) if r is not None]
    return [(r.id, kind, text) for r in parts for kind, text in describe_obligations(r)]


def obligations_for(
    license_id: str | None, *, nodes: list[str] | None = None, db: LicenseDB | None = None
) -> list[Obligation]:
    """The obligations of a license id or SPDX expression (every part's), for the policy engine to aggregate."""
    return [
        Obligation(license=lic, kind=kind, text=text, nodes=list(nodes or []))
        for lic, kind, text in obligation_terms(license_id, db=db)
    ]


__all__ = [
    "RULE_MISMATCH",
    "RULE_MISSING",
    "RULE_UNKNOWN",
    "assess_record",
    "describe_obligations",
    "obligation_terms",
    "obligations_for",
]
