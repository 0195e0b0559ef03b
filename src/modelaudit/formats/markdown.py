"""Markdown for pull-request comments: the HTML report's structure, sized for GitHub.

GitHub rejects comments over 65,536 characters, so sections are added in order of importance (verdict,
summary, findings, obligations, licenses, lineage, waivers, files, smoke, provenance) and whatever does not fit
is cut at a row boundary and named in a closing note. Card text is untrusted: it is escaped (formats/_md.py)
so it can neither inject HTML or links, break a table, nor @-mention people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from modelaudit.formats._md import code, md
from modelaudit.formats._view import ReportView, build_view
from modelaudit.models import ScanReport

GITHUB_COMMENT_LIMIT = 65_536


@dataclass
class Section:
    """Lines that must stay together (head, tail) around rows that may be cut (body)."""

    name: str
    head: list[str]
    body: list[str] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)

    def text(self, rows: int | None = None) -> str:
        body = self.body if rows is None else self.body[:rows]
        return "\n".join([*self.head, *body, *self.tail]) + "\n\n"


_ICON = {"pass": "✅", "fail": "❌"}


def _sections(v: ReportView) -> list[Section]:
    out: list[Section] = []
    counts = ", ".join(
        f"{v.counts[s]} {s}{'s' if v.counts[s] != 1 else ''}" for s in ("error", "warning", "note")
    )
    waived = f", {v.waived} waived" if v.waived else ""
    out.append(
        Section(
            "verdict",
            [
                f"## {_ICON.get(v.verdict, '')} modelaudit: {v.verdict.upper()} — {code(v.target)}",
                "",
                f"**{counts}{waived}** · policy {code(v.policy)} (fails on {v.fail_on}) · "
                f"revision {code(v.target_revision)}",
            ],
        )
    )
    summary = Section("summary", ["### Summary for legal review", ""])
    for a in v.summary:
        summary.body.append(f"- **{md(a.question)}** {md(a.answer)}")
        summary.body.extend(f"  - {md(d)}" for d in a.details)
    out.append(summary)

    findings = Section("findings", ["### Findings", ""])
    if v.findings:
        findings.head += ["| Severity | Finding | Node | Message | How to fix |", "|---|---|---|---|---|"]
        for f in v.findings:
            known = " (in baseline)" if f.baseline else ""
            findings.body.append(
                f"| **{f.severity}**{known} | {code(f.rule)} {md(f.name)} | {code(f.node)} | {md(f.message)} "
                f"| {md(f.how_to_fix)} |"
            )
    else:
        findings.head.append("No open findings.")
    out.append(findings)

    obligations = Section("obligations", ["### Obligations checklist", ""])
    if v.obligations and v.obligation_counts:
        obligations.head[0] = "### Obligations"
        obligations.head.append(
            " · ".join(f"{n} {_STATUS_MD[s]}" for s, n in sorted(v.obligation_counts.items())) + "\n"
        )
        obligations.head += ["| Status | Obligation | License | Node | Evidence |", "|---|---|---|---|---|"]
        shown = [(o, c) for o, c in v.checklist if c.node == v.target]
        if len(shown) < len(v.checklist):
            upstream_unmet = sum(1 for _, c in v.checklist if c.node != v.target and c.status == "unmet")
            obligations.tail.append(
                f"\n{len(v.checklist) - len(shown)} more checks of upstream nodes ({upstream_unmet} not met by "
                "their own repos): see the HTML report."
            )
        for o, c in shown:
            where = code(c.node) + (f" (through {code(c.via)})" if c.via else "")
            ev = "<br>".join(md(e) for e in c.evidence) or "—"
            obligations.body.append(
                f"| {_STATUS_MD[c.status]} | {md(o.title)} | {code(o.license)} | {where} | {ev} |"
            )
    elif v.obligations:
        for o in v.obligations:
            obligations.body.append(
                f"- [ ] **{md(o.title)}** ({code(o.license)}): {md(o.text)} — applies to "
                + ", ".join(code(n) for n in o.nodes)
            )
    else:
        obligations.head.append("No obligations recorded.")
    out.append(obligations)
    if v.terms:
        terms = Section("terms", ["### Terms of use", ""])
        for term_license, titles in v.terms:
            terms.body.append(f"- {code(term_license)}: {md('; '.join(titles))}")
        out.append(terms)
    for plan in v.plans:
        section = Section("remediation", [f"### What to change: {code(plan.node)}", ""])
        if plan.licenses:
            section.head.append(
                "Licenses it may carry: " + " or ".join(code(x) for x in plan.licenses) + "\n"
            )
        section.body += [f"{i}. {md(step)}" for i, step in enumerate(plan.steps, 1)]
        section.body += [
            f"{len(plan.steps) + i}. By hand: {md(step)}" for i, step in enumerate(plan.manual, 1)
        ]
        out.append(section)

    licenses = Section(
        "licenses",
        [
            "### Licenses",
            "",
            "| Model or dataset | License | Category | OSI | Commercial use | Key obligations |",
            "|---|---|---|---|---|---|",
        ],
    )
    for lic in v.licenses:
        name = f"[{md(lic.license_id)}]({lic.url})" if lic.url else md(lic.license_id)
        licenses.body.append(
            f"| {code(lic.node)} ({lic.kind}) | {name} | {lic.category} | {lic.osi} | {lic.commercial} "
            f"| {md('; '.join(lic.obligations)) or '—'} |"
        )
    out.append(licenses)

    fence = "````"
    lineage = Section("lineage", ["### Lineage", "", f"{fence}text"], tail=[fence])
    lineage.body = [line.replace("`", "'") for line in v.tree]
    out.append(lineage)

    if v.waived_findings:
        waivers = Section(
            "waivers",
            [
                "### Waived findings",
                "",
                "| Finding | Node | Waiver reason | Approved by | Expires |",
                "|---|---|---|---|---|",
            ],
        )
        for f in v.waived_findings:
            w = f.waiver
            waivers.body.append(
                f"| {f.severity} {code(f.rule)} {md(f.name)} | {code(f.node)} | {md(w.reason) if w else '—'} "
                f"| {md(w.approver) if w else '—'} | {md(w.expires) if w else '—'} |"
            )
        out.append(waivers)

    if v.files:
        problems = sum(1 for f in v.files if f.bad)
        summary_words = ", ".join(f"{n} {w}" for w, n in v.files_summary.items())
        files = Section(
            "files",
            [
                "### File verification",
                "",
                f"{summary_words}.",
                "",
                f"<details{' open' if problems else ''}><summary>{len(v.files)} files</summary>",
                "",
                "| File | Node | Size | Status | Expected SHA-256 | Actual SHA-256 |",
                "|---|---|---|---|---|---|",
            ],
            tail=["", "</details>"],
        )
        for fr in v.files:
            status = f"**{fr.status_words}**" if fr.bad else fr.status_words
            files.body.append(
                f"| {code(fr.path)} | {code(fr.node)} | {fr.size} | {status} | {code(fr.expected)} "
                f"| {code(fr.actual)} |"
            )
        out.append(files)

    if v.smoke:
        smoke = Section("smoke", ["### Smoke test", ""])
        for s in v.smoke:
            facts = "; ".join(f"{label}: {md(value)}" for label, value in s.facts)
            smoke.body.append(f"- {code(s.node)}: **{s.status}** — {facts}")
        out.append(smoke)

    prov = Section(
        "provenance",
        [
            "<details><summary>Provenance</summary>",
            "",
            f"{md(v.tool)} · report schema {v.schema_version} · generated {md(v.generated_at)} · "
            f"policy {code(v.policy)} · sources {', '.join(v.sources)}",
            "",
            "| Node | Kind | Revision | Source | Status |",
            "|---|---|---|---|---|",
        ],
        tail=["", "</details>"],
    )
    for p in v.provenance:
        prov.body.append(f"| {code(p.id)} | {p.kind} | {code(p.revision)} | {p.source} | {md(p.status)} |")
    prov.body += ["", f"Signatures: {md(v.signature_summary)}"]
    prov.body += [f"- {code(sig.node)} {md(sig.line)}" for sig in v.signatures]
    out.append(prov)
    return out


_STATUS_MD = {
    "met": "✅ met",
    "unmet": "❌ **not met**",
    "unknown": "❔ could not be checked",
    "not_applicable": "n/a",
    "": "not checked",
}


def render_markdown(report: ScanReport, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    sections = _sections(build_view(report))
    reserve = 600  # room for the truncation note
    parts: list[str] = []
    used = 0
    cut: list[str] = []
    for i, sec in enumerate(sections):
        full = sec.text()
        if not cut and used + len(full) <= limit - reserve:
            parts.append(full)
            used += len(full)
            continue
        if not cut:
            rows = len(sec.body)
            while rows > 0 and used + len(sec.text(rows)) > limit - reserve:
                rows -= 1
            if rows > 0 or not sec.body:
                text = sec.text(rows)
                if used + len(text) <= limit - reserve:
                    parts.append(text)
                    used += len(text)
                    if rows < len(sec.body):
                        cut.append(f"{sec.name} ({len(sec.body) - rows} of {len(sec.body)} rows)")
                    cut.extend(s.name for s in sections[i + 1 :])
                    break
        cut.extend(s.name for s in sections[i:])
        break
    if cut:
        parts.append(
            "> [!NOTE]\n> Truncated to stay under GitHub's 65,536-character comment limit. Left out: "
            + ", ".join(cut)
            + ". Render the full report with `modelaudit report REPORT.json -f html`.\n"
        )
    return "".join(parts).rstrip("\n") + "\n"


class MarkdownFormatter:
    name: ClassVar[str] = "md"
    suffix: ClassVar[str] = ".md"

    def render(self, report: ScanReport) -> str:
        return render_markdown(report)
