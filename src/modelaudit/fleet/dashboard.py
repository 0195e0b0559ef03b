"""The fleet dashboard: one self-contained HTML page for a whole fleet run.

Same rules as the model report (formats/html.py): inline stylesheet allowed by its hash, a
Content-Security-Policy that forbids scripts, images, fonts and requests, every value escaped. The table
sorts and filters without JavaScript: the page carries one copy of the rows per sort order, and radio
buttons (inputs need no script) show one copy and hide filtered rows through CSS selectors. Without CSS
every table is simply shown.
"""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field

from modelaudit.fleet.store import ModelRow
from modelaudit.formats.html import content_security_policy
from modelaudit.models import ScanReport

TEMPLATES = Path(__file__).parent / "templates"
COMMERCIAL_RANK = {"no": 3, "unknown": 2, "conditional": 1, "yes": 0}
VERDICT_RANK = {"error": 0, "fail": 1, "pass": 2}
CATEGORY_ORDER = ["proprietary", "restrictive", "copyleft", "weak-copyleft", "permissive", "unknown"]
SORTS = [("verdict", "verdict"), ("model", "model"), ("owner", "owner"), ("errors", "findings")]
FILTERS = [
    ("all", "all"),
    ("fail", "failing"),
    ("error", "not audited"),
    ("pass", "passing"),
    ("noncommercial", "non-commercial in lineage"),
]


class Row(BaseModel):
    entry: str
    owner: str
    use: str
    verdict: str
    license: str  # the model's own license id
    categories: list[str] = Field(default_factory=list)  # license categories along the lineage
    commercial: str  # the most restrictive commercial-use answer along the lineage
    errors: int = 0
    warnings: int = 0
    notes: int = 0
    nodes: int = 0
    rescanned: bool = True
    error: str | None = None
    href: str | None = None  # the model's HTML report, relative to the dashboard


class Ancestor(BaseModel):
    node: str
    models: int
    license: str
    category: str


class DashboardView(BaseModel):
    title: str
    run_id: int
    started_at: str
    inventory: str
    totals: dict[str, int]
    sorted_rows: list[tuple[str, str, list[Row]]]  # (key, label, rows in that order)
    ancestors: list[Ancestor]
    filters: list[tuple[str, str]]


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


@functools.cache
def _template() -> object:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("dashboard.html.j2")


def stylesheet() -> str:
    css = (TEMPLATES / "dashboard.css").read_text(encoding="utf-8")
    rules: list[str] = []
    for key, _label in SORTS:  # show the table of the chosen order, mark its button
        rules.append(f"#sort-{key}:checked~.tables .by-{key}{{display:table}}")
        rules.append(f"#sort-{key}:checked~.bar label[for=sort-{key}]{{background:var(--ink);color:#fff}}")
    for key, _label in FILTERS[1:]:
        hide = "tr.row:not(.c-no)" if key == "noncommercial" else f"tr.row:not(.v-{key})"
        rules.append(f"#show-{key}:checked~.tables {hide}{{display:none}}")
    for key, _label in FILTERS:
        rules.append(f"#show-{key}:checked~.bar label[for=show-{key}]{{background:var(--ink);color:#fff}}")
    return css + "\n".join(rules) + "\n"


def render_dashboard(view: DashboardView) -> str:
    css = stylesheet()
    template = _template()
    return template.render(v=view, css=css, csp=content_security_policy(css))  # type: ignore[attr-defined, no-any-return]
