"""The report diff (``modelaudit diff BASE.json HEAD.json``) as text, JSON or a pull-request comment.

The diff itself is computed by :func:`modelaudit.policy.diff.diff_reports`; this module only renders it.
The Markdown escapes every value taken from the reports (card text, node ids, paths, messages) with the
shared escaper, so a report cannot inject links, HTML or @-mentions into the comment.
"""

from __future__ import annotations

import json
from typing import ClassVar

from modelaudit.formats._md import code, md
from modelaudit.models import Finding
from modelaudit.policy.diff import ReportDiff


def _finding_line(f: Finding) -> str:
    flags = " [waived]" if f.waived else ""
    return f"{f.severity.value:<7} {f.rule} {f.name} @ {f.node}: {f.message}{flags}"


def _short(sha: str | None) -> str:
    return sha[:12] if sha else "-"


def render_text(d: ReportDiff) -> str:
    lines = [
        f"base: {d.base.target} ({d.base.generated_at}, policy {d.base.policy}, {d.base.verdict})",
        f"head: {d.head.target} ({d.head.generated_at}, policy {d.head.policy}, {d.head.verdict})",
    ]
    sections: list[tuple[str, list[str]]] = [
        ("new findings", [_finding_line(f) for f in d.added_findings]),
        ("resolved findings", [_finding_line(f) for f in d.removed_findings]),
        (
            "changed findings",
            [
                f"{c.after.rule} {c.after.name} @ {c.after.node}: "
                f"{c.before.severity.value}{' (waived)' if c.before.waived else ''} → "
                f"{c.after.severity.value}{' (waived)' if c.after.waived else ''}"
                for c in d.changed_findings
            ],
        ),
        ("nodes added", d.nodes_added),
        ("nodes removed", d.nodes_removed),
        ("license changes", [f"{c.node}: {c.before or '-'} → {c.after or '-'}" for c in d.license_changes]),
        ("edges added", [f"{e.child} → {e.parent} ({e.relation})" for e in d.edges_added]),
        ("edges removed", [f"{e.child} → {e.parent} ({e.relation})" for e in d.edges_removed]),
        (
            "file changes",
            [
                f"{c.change:<8} {c.node}/{c.path}: {_short(c.before)} → {_short(c.after)}"
                for c in d.file_changes
            ],
        ),
    ]
    for title, rows in sections:
        if rows:
            lines += ["", f"{title} ({len(rows)}):", *(f"  {r}" for r in rows)]
    if d.empty:
        lines += ["", "no changes"]
    lines += [
        "",
        (
            f"FAIL: {len(d.failing)} new finding(s) at or above {d.head.fail_on.value}"
            if d.failed
            else f"PASS: nothing new at or above {d.head.fail_on.value}"
        ),
    ]
    return "\n".join(lines) + "\n"


def render_markdown(d: ReportDiff) -> str:
    status = "❌ new findings fail the policy" if d.failed else "✅ nothing new fails the policy"
    out = [
        f"### modelaudit diff: {md(d.head.target)}",
        "",
        f"{status} (fail on {d.head.fail_on.value}; base {d.base.verdict}, head {d.head.verdict})",
        "",
    ]

    def findings_table(title: str, findings: list[Finding]) -> None:
        if not findings:
            return
        out.extend(
            [
                f"**{title} ({len(findings)})**",
                "",
                "| severity | rule | node | message |",
                "|---|---|---|---|",
            ]
        )
        for f in findings:
            waived = " (waived)" if f.waived else ""
            out.append(
                f"| {f.severity.value}{waived} | {code(f.rule)} {md(f.name)} | {code(f.node)} | {md(f.message)} |"
            )
        out.append("")

    findings_table("New findings", d.added_findings)
    findings_table("Resolved findings", d.removed_findings)
    if d.changed_findings:
        out.extend(["**Changed findings**", ""])
        out.extend(
            f"- {code(c.after.rule)} {md(c.after.name)} on {code(c.after.node)}: {c.before.severity.value}"
            f"{' (waived)' if c.before.waived else ''} → {c.after.severity.value}"
            f"{' (waived)' if c.after.waived else ''}"
            for c in d.changed_findings
        )
        out.append("")
    if d.license_changes:
        out.extend(["**License changes**", "", "| node | before | after |", "|---|---|---|"])
        out.extend(
            f"| {code(c.node)} | {md(c.before or '–')} | {md(c.after or '–')} |" for c in d.license_changes
        )
        out.append("")
    if d.nodes_added or d.nodes_removed or d.edges_added or d.edges_removed:
        out.extend(["**Lineage changes**", ""])
        out.extend(f"- node added: {code(n)}" for n in d.nodes_added)
        out.extend(f"- node removed: {code(n)}" for n in d.nodes_removed)
        out.extend(f"- edge added: {code(e.child)} → {code(e.parent)} ({e.relation})" for e in d.edges_added)
        out.extend(
            f"- edge removed: {code(e.child)} → {code(e.parent)} ({e.relation})" for e in d.edges_removed
        )
        out.append("")
    if d.file_changes:
        out.extend(["**File changes**", "", "| change | file | before | after |", "|---|---|---|---|"])
        out.extend(
            f"| {c.change} | {code(f'{c.node}/{c.path}')} | {code(_short(c.before))} | {code(_short(c.after))} |"
            for c in d.file_changes
        )
        out.append("")
    if d.empty:
        out.extend(["No changes.", ""])
    return "\n".join(out)


def render_json(d: ReportDiff) -> str:
    data = d.model_dump(mode="json")
    data["failed"] = d.failed
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class DiffText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, d: ReportDiff) -> str:
        return render_text(d)


class DiffJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, d: ReportDiff) -> str:
        return render_json(d)


class DiffMarkdown:
    name: ClassVar[str] = "md"
    suffix: ClassVar[str] = ".md"

    def render(self, d: ReportDiff) -> str:
        return render_markdown(d)
