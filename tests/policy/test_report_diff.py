"""``diff_reports``: added / removed / changed findings, licenses, edges and file hashes, and the failure rule."""

from __future__ import annotations

import json

from modelaudit.formats.diff import render_json, render_markdown, render_text
from modelaudit.models import (
    Edge,
    FileResult,
    FileStatus,
    Finding,
    LicenseCategory,
    LicenseInfo,
    Node,
    NodeKind,
    PolicyInfo,
    Relation,
    ScanReport,
    Severity,
    SourceKind,
    TargetInfo,
    ToolInfo,
    Verdict,
    Waiver,
)
from modelaudit.policy.diff import diff_reports

SHA_A = "a" * 64
SHA_B = "b" * 64


def finding(
    node: str, slug: str = "license-conflict", severity: Severity = Severity.ERROR, **kw: object
) -> Finding:
    data: dict[str, object] = {
        "rule": {"license-conflict": "MA201", "lineage-unresolved": "MA001", "gated": "MA003"}[slug],
        "name": slug,
        "severity": severity,
        "node": node,
        "message": f"{slug} on {node}",
        "how_to_fix": "fix",
    }
    data.update(kw)
    return Finding.model_validate(data)


def node(node_id: str, license_id: str | None, category: LicenseCategory, sha: str | None = None) -> Node:
    files = (
        [FileResult(path="model.safetensors", sha256_actual=sha, status=FileStatus.NO_REFERENCE)]
        if sha
        else []
    )
    return Node(
        id=node_id,
        kind=NodeKind.MODEL,
        source=SourceKind.LOCAL,
        license=LicenseInfo(id=license_id, category=category),
        files=files,
    )


def report(
    findings: list[Finding], nodes: list[Node], edges: list[Edge], fail_on: Severity = Severity.ERROR
) -> ScanReport:
    return ScanReport(
        tool=ToolInfo(version="0.1.0"),
        generated_at="2026-01-01T00:00:00Z",
        target=TargetInfo(id="models/chat", source=SourceKind.LOCAL),
        policy=PolicyInfo(name="default", fail_on=fail_on),
        verdict=Verdict.PASS,
        nodes=nodes,
        edges=edges,
        findings=findings,
    )


BASE = report(
    [
        finding("models/chat", "gated", Severity.NOTE),
        finding("old/dep", "lineage-unresolved", Severity.WARNING),
    ],
    [
        node("models/chat", "Apache-2.0", LicenseCategory.PERMISSIVE, SHA_A),
        node("models/base", "Apache-2.0", LicenseCategory.PERMISSIVE),
        node("old/dep", None, LicenseCategory.UNKNOWN),
    ],
    [
        Edge(child="models/chat", parent="models/base", relation=Relation.FINETUNE),
        Edge(child="models/chat", parent="old/dep", relation=Relation.DERIVED),
    ],
)


def head(findings: list[Finding], fail_on: Severity = Severity.ERROR) -> ScanReport:
    return report(
        findings,
        [
            node("models/chat", "MIT", LicenseCategory.PERMISSIVE, SHA_B),
            node("models/base", "llama3.1", LicenseCategory.RESTRICTIVE),
            node("datasets/new", "CC-BY-NC-4.0", LicenseCategory.RESTRICTIVE),
        ],
        [
            Edge(child="models/chat", parent="models/base", relation=Relation.FINETUNE),
            Edge(child="models/chat", parent="datasets/new", relation=Relation.TRAINED_ON),
        ],
        fail_on,
    )


def test_everything_that_changed_is_listed() -> None:
    d = diff_reports(BASE, head([finding("models/chat", "gated", Severity.NOTE), finding("models/chat")]))
    assert [(f.name, f.node) for f in d.added_findings] == [("license-conflict", "models/chat")]
    assert [(f.name, f.node) for f in d.removed_findings] == [("lineage-unresolved", "old/dep")]
    assert d.nodes_added == ["datasets/new"] and d.nodes_removed == ["old/dep"]
    assert [(c.node, c.before, c.after) for c in d.license_changes] == [
        ("models/base", "Apache-2.0", "llama3.1"),
        ("models/chat", "Apache-2.0", "MIT"),
    ]
    assert [(e.child, e.parent, e.relation) for e in d.edges_added] == [
        ("models/chat", "datasets/new", "trained_on")
    ]
    assert [(e.child, e.parent, e.relation) for e in d.edges_removed] == [
        ("models/chat", "old/dep", "derived")
    ]
    assert [(c.path, c.before, c.after, c.change) for c in d.file_changes] == [
        ("model.safetensors", SHA_A, SHA_B, "changed")
    ]
    assert d.failed and [f.name for f in d.failing] == ["license-conflict"]


def test_nothing_new_at_fail_on_passes() -> None:
    d = diff_reports(
        BASE, head([finding("models/chat", "gated", Severity.NOTE), finding("x", "gated", Severity.WARNING)])
    )
    assert [f.node for f in d.added_findings] == ["x"]
    assert not d.failed
    # ... unless HEAD's policy fails on warnings
    strict = diff_reports(BASE, head([finding("x", "gated", Severity.WARNING)], fail_on=Severity.WARNING))
    assert strict.failed


def test_new_waived_findings_do_not_fail() -> None:
    w = Waiver(rule="MA201", node="*", reason="ok", expires="2030-01-01", approver="a")
    d = diff_reports(BASE, head([finding("models/chat", waived=True, waiver=w)]))
    assert len(d.added_findings) == 1 and not d.failed


def test_escalated_or_unwaived_findings_are_new_failures() -> None:
    w = Waiver(rule="MA201", node="*", reason="ok", expires="2030-01-01", approver="a")
    base = report([finding("m", severity=Severity.WARNING), finding("n", waived=True, waiver=w)], [], [])
    d = diff_reports(base, report([finding("m"), finding("n")], [], []))
    assert d.added_findings == [] and d.removed_findings == []
    assert [(c.before.severity, c.after.severity) for c in d.changed_findings if c.after.node == "m"] == [
        (Severity.WARNING, Severity.ERROR)
    ]
    assert sorted(f.node for f in d.failing) == ["m", "n"]


def test_identical_reports_have_no_changes() -> None:
    d = diff_reports(BASE, BASE)
    assert d.empty and not d.failed
    assert "no changes" in render_text(d)
    assert "PASS" in render_text(d)


def test_renderers() -> None:
    d = diff_reports(BASE, head([finding("models/chat", message="a | b <script>")]))
    text = render_text(d)
    assert "new findings (1):" in text and "FAIL: 1 new finding(s) at or above error" in text
    assert "models/chat: Apache-2.0 → MIT" in text
    md = render_markdown(d)
    assert (
        "❌" in md and "| error | `MA201` license-conflict | `models/chat` | a \\| b &lt;script&gt; |" in md
    )
    assert "<script>" not in md
    data = json.loads(render_json(d))
    assert data["failed"] is True
    assert data["added_findings"][0]["rule"] == "MA201"
    assert data["file_changes"][0]["change"] == "changed"
