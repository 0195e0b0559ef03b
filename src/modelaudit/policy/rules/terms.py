"""The license terms binding one node: its assessed license id looked up in license_db.

A node's assessed license id may be a single id or an SPDX expression (parsed by license-expression). ``AND``
binds every part, so the terms are all of them; ``OR`` lets the licensee choose, so the terms are the least
burdensome alternative whose facts we know. Anything not in license_db leaves the terms incomplete, and the
rules stay silent on it (the license stage already reports unknown and missing licenses).
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from modelaudit.licenses.db import load_db
from modelaudit.licenses.schema import LicenseRecord, ShareAlike
from modelaudit.models import CommercialUse, Evidence, LicenseCategory, LicenseInfo

_OPERATOR = re.compile(r"\s(AND|OR|WITH)\s|[()]", re.IGNORECASE)


# --------------------------------------------------------------------------------------------- expressions


@cache
def expression_alternatives(license_id: str) -> tuple[tuple[str, ...], ...] | None:
    """``"MIT OR (Apache-2.0 AND CC-BY-4.0)"`` → ``(("MIT",), ("Apache-2.0", "CC-BY-4.0"))``; None when malformed.

    Parsed by license-expression and put in disjunctive normal form (each alternative: licenses that all
    apply). An exception (``WITH``) only adds permissions, so it is dropped; ``GPL-2.0+`` counts as
    ``GPL-2.0``. Parsed once per distinct expression.
    """
    text = license_id.strip()
    if not _OPERATOR.search(f" {text} "):
        return ((text,),)
    from license_expression import ExpressionError, Licensing

    licensing = Licensing()
    try:
        parsed = licensing.parse(text)
    except ExpressionError:
        return None
    if parsed is None:
        return None
    dnf = licensing.dnf(parsed)
    alternatives = dnf.args if isinstance(dnf, licensing.OR) else (dnf,)
    out: list[tuple[str, ...]] = []
    for alt in alternatives:
        symbols = alt.args if isinstance(alt, licensing.AND) else (alt,)
        keys = [str(getattr(sym, "license_symbol", sym).key).removesuffix("+") for sym in symbols]
        out.append(tuple(keys))
    return tuple(out)


def burden(rec: LicenseRecord) -> int:
    """How much a license asks of a licensee (to pick the alternative a licensee would choose under OR)."""
    o = rec.obligations
    score = {
        CommercialUse.YES: 0,
        CommercialUse.CONDITIONAL: 2,
        CommercialUse.UNKNOWN: 3,
        CommercialUse.NO: 5,
    }[rec.commercial_use]
    score += 3 * o.flow_down_use_restrictions + 3 * (o.share_alike is not ShareAlike.NONE)
    score += 5 * (o.no_derivatives + o.research_only + o.no_redistribution) + o.hosting_restricted
    return score


class Terms(NamedTuple):
    """The license terms binding one node."""

    key: str
    info: LicenseInfo | None
    records: tuple[LicenseRecord, ...] = ()
    unknown_parts: tuple[str, ...] = ()  # expression parts license_db does not know

    @property
    def known(self) -> bool:
        return bool(self.records) and not self.unknown_parts

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(r.id for r in self.records)

    @property
    def label(self) -> str:
        """How messages name the license: the assessed id (an expression stays as written)."""
        if self.info is not None and self.info.id:
            return self.info.id
        return " AND ".join(sorted(self.ids)) or "no license"

    @property
    def commercial_use(self) -> CommercialUse:
        """Whether the node's own license allows commercial use (the strictest part of an AND decides)."""
        if self.records and not self.unknown_parts:
            values = {r.commercial_use for r in self.records}
            if any(r.obligations.research_only for r in self.records) or CommercialUse.NO in values:
                return CommercialUse.NO
            if CommercialUse.UNKNOWN in values:
                return CommercialUse.UNKNOWN
            return CommercialUse.CONDITIONAL if CommercialUse.CONDITIONAL in values else CommercialUse.YES
        return self.info.commercial_use if self.info is not None else CommercialUse.UNKNOWN

    @property
    def category(self) -> LicenseCategory:
        return self.info.category if self.info is not None else LicenseCategory.UNKNOWN

    def has(self, license_id: str) -> bool:
        return license_id in self.ids


def record_for(license_id: str) -> LicenseRecord | None:
    return load_db().get(license_id)


def terms_for(key: str, info: LicenseInfo | None) -> Terms:
    """The license terms binding node ``key``, whose assessed license is ``info``."""
    if info is None or not info.id:
        return Terms(key=key, info=info)
    db = load_db()
    exact = db.get(info.id)
    if exact is not None:
        return Terms(key=key, info=info, records=(exact,))
    alternatives = expression_alternatives(info.id)
    if alternatives is None:  # malformed: the license stage reports it; the rules cannot judge it
        return Terms(key=key, info=info, unknown_parts=(info.id,))
    choices: list[tuple[int, int, tuple[LicenseRecord, ...], tuple[str, ...]]] = []
    for alt in alternatives:
        recs = tuple(r for r in (db.get(p) for p in alt) if r is not None)
        unknown = tuple(p for p in alt if db.get(p) is None)
        # prefer fully known alternatives, then the lightest burden
        choices.append((len(unknown), sum(burden(r) for r in recs), recs, unknown))
    choices.sort(key=lambda c: (c[0], c[1], [r.id for r in c[2]]))
    _, _, recs, unknown = choices[0]
    uniq = tuple({r.id: r for r in recs}.values())
    return Terms(key=key, info=info, records=uniq, unknown_parts=unknown)


def forbids_commerce(terms: Terms) -> str | None:
    """Why a node's license rules out commercial use, or None when it does not."""
    for rec in terms.records:
        if rec.obligations.research_only:
            return f"the {display_name(rec)} permits research use only"
        if rec.commercial_use is CommercialUse.NO:
            note = rec.commercial_condition or ""
            return f"the {display_name(rec)} forbids commercial use" + (f" ({note})" if note else "")
    if not terms.records and terms.commercial_use is CommercialUse.NO:
        return f"{terms.label} forbids commercial use"
    return None


def display_name(rec: LicenseRecord) -> str:
    return rec.display_name if rec.display_name == rec.id else f"{rec.display_name} ({rec.id})"


def license_evidence(terms: Terms) -> Evidence:
    return Evidence(source=f"license:{terms.key}", value=terms.label)
