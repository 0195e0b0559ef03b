"""The application document (``modelaudit scan-code``): text, JSON, Markdown, SARIF and a fleet inventory.

The value (:class:`~modelaudit.code_models.AppReport`) is computed by
:func:`modelaudit.appaudit.audit_application`; this module only renders it (no clock, no I/O), one
formatter per format, registered as ``modelaudit.formats.APP_FORMATS``. Findings on the
application carry their place in the code as evidence ``location`` (``file:line``); SARIF results point
there, relative to the checkout (``location_root`` joins the scanned folder to the working directory), so
code scanning annotates the referencing line in a pull request.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from typing import Any, ClassVar
from urllib.parse import quote

from modelaudit.code_models import AppReport, CodeReference
from modelaudit.formats._md import code, md
from modelaudit.models import Finding, Severity

FINGERPRINT_NAME = "modelauditFindingKey/v1"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
_MAX_MD = 60_000


def location(f: Finding) -> tuple[str, int] | None:
    """``(file, line)`` of a finding on the application, from its ``location`` evidence."""
    for e in f.evidence:
        if e.source == "location":
            file, _, line = e.value.rpartition(":")
            if file:
                return file, int(line) if line.isdigit() else 1
    return None


def _joined(report: AppReport, file: str) -> str:
    root = report.location_root.strip("/")
    return f"{root}/{file}" if root and root != "." else file


# --------------------------------------------------------------------------------------------- text


def _ref_text(r: CodeReference) -> str:
    what = r.target if r.target else f"unresolved ({r.unresolved}): {r.value}"
    how = f" [{r.how.value}]" if r.how else ""
    return f"{r.file}:{r.line}  {r.kind.value:<7} {what}{how}  via {r.site}"


def to_text(report: AppReport) -> str:
    counts = report.counts()
    lines = [
        f"modelaudit scan-code: {report.application}  {report.verdict.value.upper()}",
        f"policy {report.policy.name} (fails on {report.policy.fail_on.value})"
        + (f"; only references added or changed since {report.base} count" if report.base else ""),
        f"application license: {report.license.id or 'unknown'}"
        + (f" ({', '.join(report.license.sources)})" if report.license.sources else ""),
        f"findings: {counts['error']} error(s), {counts['warning']} warning(s), {counts['note']} note(s)",
        "",
        f"References ({len(report.references)}"
        + (f", plus {len(report.baseline_references)} unchanged since {report.base}" if report.base else "")
        + "):",
    ]
    lines += [f"  {_ref_text(r)}" for r in report.references] or ["  (none)"]
    if report.models:
        lines += ["", "Audited:"]
        for m in report.models:
            lic = f"{m.license or 'no license'}" + (f", {m.category}" if m.category else "")
            detail = m.error or (", ".join(m.failing) if m.failing else "")
            lines.append(f"  {m.verdict.upper():<5} {m.target}  ({lic}){'  ' + detail if detail else ''}")
    shown = [f for f in report.findings if not f.baseline]
    if shown:
        lines += ["", "Findings:"]
        for f in shown:
            mark = " (waived)" if f.waived else ""
            lines.append(f"  {f.severity.value.upper():<7} {f.rule} {f.name}{mark}: {f.message}")
    if report.problems:
        lines += ["", "Not read:"]
        lines += [f"  {p.file}{f':{p.line}' if p.line else ''}: {p.message}" for p in report.problems]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------- markdown


def to_markdown(report: AppReport) -> str:
    counts = report.counts()
    icon = "✅ **PASS**" if report.verdict.value == "pass" else "❌ **FAIL**"
    scope = f"references added or changed since {code(report.base)}" if report.base else "all references"
    out = [
        f"### modelaudit scan-code: {code(report.application)}",
        "",
        f"{icon} under policy {code(report.policy.name)} ({scope}): {counts['error']} error(s), "
        f"{counts['warning']} warning(s), {counts['note']} note(s)",
        "",
        f"Application license: **{md(report.license.id or 'unknown')}**",
        "",
    ]
    counting = [f for f in report.findings if not f.baseline and not f.waived]
    if counting:
        out += ["| severity | rule | where | finding |", "|---|---|---|---|"]
        for f in counting:
            loc = location(f)
            where = code(f"{loc[0]}:{loc[1]}") if loc else ""
            out.append(f"| {f.severity.value} | {f.rule} {f.name} | {where} | {md(f.message)} |")
        out.append("")
    if report.models:
        out += ["| repo | verdict | license | fails |", "|---|---|---|---|"]
        for m in report.models:
            out.append(
                f"| {code(m.target)} | {m.verdict} | {md(m.license or '–')} | "
                f"{md(m.error or ', '.join(m.failing) or '–')} |"
            )
        out.append("")
    out.append(
        f"<sub>{len(report.references)} reference(s) counted"
        + (f", {len(report.baseline_references)} unchanged" if report.base else "")
        + ". Generated by modelaudit; no application code was run.</sub>"
    )
    text = "\n".join(out) + "\n"
    if len(text) > _MAX_MD:
        text = text[: _MAX_MD - 200].rsplit("\n", 1)[0] + "\n\n…(cut to fit a comment; see the full report)\n"
    return text


# --------------------------------------------------------------------------------------------- SARIF


def finding_fingerprint(f: Finding) -> str:
    """A finding's identity without its line number, so code scanning follows it when code moves."""
    loc = location(f)
    message = re.sub(r"^[^\s:]+:\d+: ", "", f.message)
    key = "|".join([f.rule, f.node, loc[0] if loc else "", " ".join(message.lower().split())])
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def to_sarif(report: AppReport) -> dict[str, Any]:
    from modelaudit.catalog import CATALOG
    from modelaudit.formats.sarif import INFORMATION_URI, SARIF_SCHEMA_URI

    rules: dict[str, dict[str, Any]] = {}
    for f in report.findings:
        spec = CATALOG.get(f.rule)
        if f.rule in rules:
            continue
        rules[f.rule] = {
            "id": f.rule,
            "name": f.name,
            "shortDescription": {"text": spec.summary if spec else f.name},
            "fullDescription": {"text": spec.description if spec else f.name},
            "help": {"text": f.how_to_fix, "markdown": f"**How to fix:** {f.how_to_fix}"},
            "helpUri": spec.help_uri if spec else INFORMATION_URI,
            "defaultConfiguration": {"level": _LEVEL[spec.default_severity if spec else f.severity]},
            "properties": {"tags": ["modelaudit", "application"], "slug": f.name},
        }
    ordered = [rules[k] for k in sorted(rules)]
    index = {r["id"]: i for i, r in enumerate(ordered)}
    with_baseline = report.base is not None
    results = []
    for f in report.findings:
        loc = location(f) or ("", 1)
        message = f.message if f.message.endswith(".") else f"{f.message}."
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _LEVEL[f.severity],
            "message": {"text": f"{message} {f.how_to_fix}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": quote(_joined(report, loc[0]), safe="/"),
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": {"startLine": max(1, loc[1])},
                    },
                    "logicalLocations": [{"name": f.node, "fullyQualifiedName": f.node, "kind": "module"}],
                }
            ],
            "partialFingerprints": {FINGERPRINT_NAME: finding_fingerprint(f)},
            "properties": {
                "slug": f.name,
                "node": f.node,
                "evidence": [{"source": e.source, "value": e.value} for e in f.evidence],
            },
        }
        if f.waived:
            suppression: dict[str, Any] = {"kind": "external", "status": "accepted"}
            if f.waiver is not None:
                w = f.waiver
                suppression["justification"] = f"{w.reason} (approved by {w.approver}; expires {w.expires})"
            result["suppressions"] = [suppression]
        if with_baseline:
            result["baselineState"] = "unchanged" if f.baseline else "new"
        results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "informationUri": INFORMATION_URI,
                "rules": ordered,
            }
        },
        "automationDetails": {"id": f"modelaudit-code/{report.application}/"},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [
            {
                "executionSuccessful": True,
                "endTimeUtc": report.generated_at,
                "exitCode": 1 if report.verdict.value == "fail" else 0,
            }
        ],
        "properties": {
            "application": report.application,
            "policy": report.policy.name,
            "failOn": report.policy.fail_on.value,
            "verdict": report.verdict.value,
            "base": report.base,
            "references": len(report.references),
        },
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


# --------------------------------------------------------------------------------------------- inventory


def to_inventory(report: AppReport) -> str:
    """A fleet inventory (``modelaudit fleet scan``) of the repos the application loads; owner = the
    application, intended use = where it loads each one."""
    import yaml

    places: dict[str, list[str]] = defaultdict(list)
    for r in [*report.references, *report.baseline_references]:
        if r.target is not None:
            places[r.target].append(f"{r.file}:{r.line}")
    models: list[dict[str, str]] = []
    for target in sorted(places):
        repo, _, rev = target.partition("@")
        where = sorted(set(places[target]))
        entry = {"target": repo, "use": f"loaded by {report.application} at " + ", ".join(where[:5])}
        if len(where) > 5:
            entry["use"] += f" and {len(where) - 5} more"
        if rev:
            entry["revision"] = rev
        models.append(entry)
    doc: dict[str, Any] = {
        "defaults": {"owner": report.application, "policy": report.policy.name},
        "models": models,
    }
    header = (
        f"# fleet inventory of {report.application}: the Hub repos its code loads (modelaudit scan-code)\n"
        f"# unresolved references are not listed: {sum(1 for r in report.references if r.target is None)}\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


# --------------------------------------------------------------------------------------------- formatters


class AppText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, report: AppReport) -> str:
        return to_text(report)


class AppJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, report: AppReport) -> str:
        return json.dumps(report.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class AppMarkdown:
    name: ClassVar[str] = "md"
    suffix: ClassVar[str] = ".md"

    def render(self, report: AppReport) -> str:
        return to_markdown(report)


class AppSarif:
    name: ClassVar[str] = "sarif"
    suffix: ClassVar[str] = ".sarif"

    def render(self, report: AppReport) -> str:
        return json.dumps(to_sarif(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class AppInventory:
    name: ClassVar[str] = "inventory"
    suffix: ClassVar[str] = ".yaml"

    def render(self, report: AppReport) -> str:
        return to_inventory(report)
