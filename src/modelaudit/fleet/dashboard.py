"""The fleet dashboard's content: one row per model, the rows in each sort order, the shared ancestors.

Computed here from the stored results; rendered as one self-contained HTML page by
:mod:`modelaudit.formats.dashboard`.
"""

from __future__ import annotations

from collections import Counter

from modelaudit.documents import Ancestor, DashboardView, Row
from modelaudit.fleet.store import ModelRow
from modelaudit.models import ScanReport

COMMERCIAL_RANK = {"no": 3, "unknown": 2, "conditional": 1, "yes": 0}
VERDICT_RANK = {"error": 0, "fail": 1, "pass": 2}
CATEGORY_ORDER = ["proprietary", "restrictive", "copyleft", "weak-copyleft", "permissive", "unknown"]
SORTS = [("verdict", "verdict"), ("model", "model"), ("owner", "owner"), ("errors", "findings")]
FILTERS = [  # (key, label): "all" first; formats/dashboard.py hides rows by key
    ("all", "all"),
    ("fail", "failing"),
    ("error", "not audited"),
    ("pass", "passing"),
    ("noncommercial", "non-commercial in lineage"),
]


def row_for(model: ModelRow, href: str | None) -> Row:
    report = model.parsed()
    if report is None:
        return Row(
            entry=model.entry,
            owner=model.owner or "",
            use=model.intended_use or "",
            verdict=model.verdict,
            license="",
            commercial="unknown",
            rescanned=model.rescanned,
            error=model.error,
            href=None,
        )
    counts = report.counts()
    root = report.node(report.target.id)
    cats = {n.license.category.value for n in report.nodes if n.license is not None}
    commercial = max(
        (n.license.commercial_use.value for n in report.nodes if n.license is not None),
        key=lambda c: COMMERCIAL_RANK.get(c, 2),
        default="unknown",
    )
    return Row(
        entry=model.entry,
        owner=model.owner or "",
        use=model.intended_use or "",
        verdict=model.verdict,
        license=(root.license.id or "none") if root is not None and root.license is not None else "none",
        categories=[c for c in CATEGORY_ORDER if c in cats],
        commercial=commercial,
        errors=counts["error"],
        warnings=counts["warning"],
        notes=counts["note"],
        nodes=len(report.nodes),
        rescanned=model.rescanned,
        href=href,
    )


def shared_ancestors(reports: list[ScanReport], limit: int = 15) -> list[Ancestor]:
    uses: Counter[str] = Counter()
    info: dict[str, tuple[str, str]] = {}
    for report in reports:
        for node in report.nodes:
            if node.id == report.target.id:
                continue
            uses[node.id] += 1
            lic = node.license
            info[node.id] = (
                (lic.id or "none") if lic else "unresolved",
                lic.category.value if lic else "unknown",
            )
    top = sorted(uses.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [Ancestor(node=k, models=n, license=info[k][0], category=info[k][1]) for k, n in top]


def build_view(
    models: list[ModelRow], *, run_id: int, started_at: str, inventory: str, hrefs: dict[str, str]
) -> DashboardView:
    rows = [row_for(m, hrefs.get(m.entry)) for m in models]
    orders = {
        "verdict": sorted(
            rows, key=lambda r: (VERDICT_RANK.get(r.verdict, 0), -r.errors, -r.warnings, r.entry)
        ),
        "model": sorted(rows, key=lambda r: r.entry),
        "owner": sorted(rows, key=lambda r: (r.owner == "", r.owner, r.entry)),
        "errors": sorted(rows, key=lambda r: (-r.errors, -r.warnings, -r.notes, r.entry)),
    }
    reports = [r for m in models if (r := m.parsed()) is not None]
    totals = {
        "models": len(rows),
        "pass": sum(r.verdict == "pass" for r in rows),
        "fail": sum(r.verdict == "fail" for r in rows),
        "error": sum(r.verdict == "error" for r in rows),
        "rescanned": sum(r.rescanned for r in rows),
        "noncommercial": sum(r.commercial == "no" for r in rows),
        "findings_error": sum(r.errors for r in rows),
        "findings_warning": sum(r.warnings for r in rows),
    }
    return DashboardView(
        title="Model fleet audit",
        run_id=run_id,
        started_at=started_at,
        inventory=inventory,
        totals=totals,
        sorted_rows=[(key, label, orders[key]) for key, label in SORTS],
        ancestors=shared_ancestors(reports),
        filters=FILTERS,
    )
