"""The terminal report: the HTML report's structure as plain, wrapped text (no colour, no control codes).

Card text is untrusted, so control characters (ANSI escapes included) are replaced before printing; the
CLI may add colour on a TTY, this module never does.
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache
from typing import ClassVar

from modelaudit.formats._view import ReportView, build_view
from modelaudit.models import ScanReport

WIDTH = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """No terminal control sequences from card text: control characters become '?'; newlines become spaces."""
    return _CONTROL.sub("?", text.replace("\n", " ").replace("\t", " "))


def _wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    lead = first if first is not None else indent
    cleaned = clean(text)
    # a line that fits is what textwrap makes of it (it keeps leading spaces on the first line, and the text
    # has no trailing ones to drop): most lines of a long lineage's report, so textwrap runs only on the rest
    if len(lead) + len(cleaned) <= WIDTH and cleaned.strip() and not cleaned[-1].isspace():
        return [lead + cleaned]
    return list(_wrapped(cleaned, indent, lead, first))


@lru_cache(maxsize=4096)
def _wrapped(cleaned: str, indent: str, lead: str, first: str | None) -> tuple[str, ...]:
    """textwrap's lines for a cleaned text, kept for its repeats (a long lineage repeats a license's
    obligations line once per node); _wrap hands out copies."""
    return tuple(
        textwrap.wrap(
            cleaned,
            width=WIDTH,
            initial_indent=lead,
            subsequent_indent=indent,
            break_long_words=True,
            break_on_hyphens=False,
        )
        or [first or indent]
    )


def _heading(title: str) -> list[str]:
    return ["", title.upper(), "─" * min(WIDTH, len(title))]


def render_text(v: ReportView) -> str:
    lines: list[str] = []
    counts = ", ".join(
        f"{v.counts[s]} {s}{'s' if v.counts[s] != 1 else ''}" for s in ("error", "warning", "note")
    )
    waived = f", {v.waived} waived" if v.waived else ""
    bar = "=" * WIDTH
    lines += [
        bar,
        clean(f"{v.verdict.upper()}  {v.target}"),
        clean(f"{counts}{waived} · policy {v.policy} (fails on {v.fail_on}) · revision {v.target_revision}"),
        bar,
    ]

    lines += _heading("Summary for legal review")
    for a in v.summary:
        lines.append(clean(f"{a.question} {a.answer}"))
        for d in a.details:
            lines += _wrap(d, "    ", "  - ")

    lines += _heading("Findings")
    if not v.findings:
        lines.append("No open findings.")
    for f in v.findings:
        known = " (in baseline)" if f.baseline else ""
        lines += _wrap(f"[{f.severity.upper()}]{known} {f.rule} {f.name} · {f.node}", "    ", "  ")
        lines += _wrap(f.message, "    ")
        for src, val in f.evidence:
            lines += _wrap(f"{src}: {val}", "      ", "    evidence ")
        lines += _wrap(f.how_to_fix, "        ", "    fix: ")
    if v.waived_findings:
        lines.append("")
        lines.append("Waived:")
        for f in v.waived_findings:
            lines += _wrap(f"[waived {f.severity}] {f.rule} {f.name} · {f.node}", "    ", "  ")
            lines += _wrap(f.message, "    ")
            if f.waiver:
                w = f.waiver
                lines += _wrap(
                    f"waiver: {w.reason} (approved by {w.approver}, expires {w.expires})", "      ", "    "
                )

    lines += _heading("Obligations" if v.obligation_counts else "Obligations checklist")
    if not v.obligations:
        lines.append("No obligations recorded.")
    marks = {"met": "[x] ", "unmet": "[!] ", "unknown": "[?] ", "not_applicable": "[-] "}
    for o in v.obligations:
        if not o.checks:
            lines += _wrap(f"{o.title} ({o.license}): {o.text}", "      ", "[ ] ")
            lines += _wrap("applies to: " + ", ".join(o.nodes), "      ", "      ")
    shown = [(o, c) for o, c in v.checklist if c.node == v.target]
    for o, c in shown:
        via = f" through {c.via}" if c.via else ""
        lines += _wrap(
            f"{o.title} ({o.license}), {c.node}{via}: {c.words}", "      ", marks.get(c.status, "[ ] ")
        )
        for e in c.evidence[:2]:
            lines += _wrap(e, "        ", "      ")
    if len(shown) < len(v.checklist):
        upstream_unmet = sum(1 for _, c in v.checklist if c.node != v.target and c.status == "unmet")
        lines += _wrap(
            f"{len(v.checklist) - len(shown)} more of upstream nodes ({upstream_unmet} not met by their own repos): "
            "see the JSON or HTML report",
            "  ",
            "",
        )
    for term_license, titles in v.terms:
        lines += _wrap(f"terms of use of {term_license}: {'; '.join(titles)}", "      ", "    ")
    for plan in v.plans:
        lines += _heading(f"What to change: {plan.node}")
        if plan.licenses:
            lines += _wrap("licenses it may carry: " + " | ".join(plan.licenses), "  ", "")
        for i, step in enumerate([*plan.steps, *(f"by hand: {m}" for m in plan.manual)], 1):
            lines += _wrap(step, "    ", f"{i:>2}. ")

    lines += _heading("Lineage")
    lines += [clean(t) for t in v.tree] or ["(no lineage)"]

    lines += _heading("Licenses")
    for lic in v.licenses:
        lines += _wrap(
            f"{lic.node} ({lic.kind}): {lic.license_id} · {lic.category} · OSI {lic.osi} · "
            f"commercial use: {lic.commercial}",
            "    ",
            "  ",
        )
        if lic.obligations:
            lines += _wrap("obligations: " + "; ".join(lic.obligations), "      ", "    ")
        if lic.url:
            lines += _wrap(f"text: {lic.url}", "    ", "    ")

    lines += _heading("File verification")
    if not v.files:
        lines.append("No files were checked.")
    else:
        lines.append(clean(", ".join(f"{n} {w}" for w, n in v.files_summary.items())))
        for fr in v.files:
            mark = "!!" if fr.bad else "  "
            lines += _wrap(f"{mark} {fr.status_words:<16} {fr.node}/{fr.path} ({fr.size})", "      ", "")
            if fr.bad or fr.status == "verified":
                lines.append(f"      expected {fr.expected}")
                lines.append(f"      actual   {fr.actual}")
            if fr.detail:
                lines += _wrap(fr.detail, "      ")

    lines += _heading("Smoke test")
    if not v.smoke:
        lines.append("No smoke test was run (use --smoke).")
    for s in v.smoke:
        lines.append(clean(f"{s.node}: {s.status}"))
        for label, value in s.facts:
            lines += _wrap(f"{label}: {value}", "      ", "    ")

    lines += _heading("Provenance")
    lines.append(clean(f"{v.tool} · report schema {v.schema_version} · generated {v.generated_at}"))
    lines.append(clean(f"policy {v.policy} · sources {', '.join(v.sources)}"))
    for p in v.provenance:
        lines += _wrap(f"{p.id} · {p.kind} · {p.revision} · {p.source} · {p.status}", "    ", "  ")
    lines.append(clean(f"signatures: {v.signature_summary}"))
    for sig in v.signatures:
        lines += _wrap(f"{sig.node} {sig.line}", "    ", "  ")
    return "\n".join(line.rstrip() for line in lines) + "\n"


class TextFormatter:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, report: ScanReport) -> str:
        return render_text(build_view(report))
