"""What changed between two JSON reports (``modelaudit diff BASE.json HEAD.json``). Pure functions.

Rendered by :mod:`modelaudit.formats.diff` (``DIFF_FORMATS``).

Findings are matched by their content key (:func:`modelaudit.policy.baseline.finding_key`), nodes by id,
edges by (child, parent, relation) and files by (node, path). The diff *fails* when something new in HEAD
reaches HEAD's ``fail_on``: a finding that is not in BASE, or one that was in BASE but below the threshold
or waived there, and in HEAD is unwaived at or above it.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel, ConfigDict, Field

from modelaudit.models import Edge, Finding, ScanReport, Severity, empty_list
from modelaudit.policy.baseline import finding_key


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReportRef(_M):
    target: str
    generated_at: str
    policy: str
    fail_on: Severity
    verdict: str


class FindingChange(_M):
    """A finding present in both reports whose severity or waiver state changed."""

    before: Finding
    after: Finding


class LicenseChange(_M):
    node: str
    before: str | None  # license id; None = none declared
    after: str | None
    before_category: str | None = None
    after_category: str | None = None


class EdgeRef(_M):
    child: str
    parent: str
    relation: str


class FileChange(_M):
    node: str
    path: str
    before: str | None  # sha256 (actual when computed, else the recorded one); None = file absent
    after: str | None
    change: str  # added | removed | changed


class ReportDiff(_M):
    base: ReportRef
    head: ReportRef
    added_findings: list[Finding] = Field(default_factory=empty_list)
    removed_findings: list[Finding] = Field(default_factory=empty_list)
    changed_findings: list[FindingChange] = Field(default_factory=empty_list)
    nodes_added: list[str] = Field(default_factory=empty_list)
    nodes_removed: list[str] = Field(default_factory=empty_list)
    license_changes: list[LicenseChange] = Field(default_factory=empty_list)
    edges_added: list[EdgeRef] = Field(default_factory=empty_list)
    edges_removed: list[EdgeRef] = Field(default_factory=empty_list)
    file_changes: list[FileChange] = Field(default_factory=empty_list)
    failing: list[Finding] = Field(default_factory=empty_list)  # new in HEAD and at or above HEAD's fail_on

    @property
    def failed(self) -> bool:
        return bool(self.failing)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.added_findings,
                self.removed_findings,
                self.changed_findings,
                self.nodes_added,
                self.nodes_removed,
                self.license_changes,
                self.edges_added,
                self.edges_removed,
                self.file_changes,
            )
        )


def _ref(report: ScanReport) -> ReportRef:
    return ReportRef(
        target=report.target.id,
        generated_at=report.generated_at,
        policy=report.policy.name,
        fail_on=report.policy.fail_on,
        verdict=report.verdict.value,
    )


def _counts(fail_on: Severity, f: Finding) -> bool:
    return not f.waived and f.severity.rank >= fail_on.rank


def _sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, f.rule, f.node, f.message))


def _edge_key(e: Edge) -> tuple[str, str, str]:
    return (e.child, e.parent, e.relation.value)


def _file_hashes(report: ScanReport) -> dict[tuple[str, str], str | None]:
    return {(n.id, fr.path): fr.sha256_actual or fr.sha256_expected for n in report.nodes for fr in n.files}


def diff_reports(base: ScanReport, head: ScanReport) -> ReportDiff:
    fail_on = head.policy.fail_on
    out = ReportDiff(base=_ref(base), head=_ref(head))

    base_by_key: dict[str, list[Finding]] = defaultdict(list)
    for f in base.sorted().findings:
        base_by_key[finding_key(f)].append(f)
    head_by_key: dict[str, list[Finding]] = defaultdict(list)
    for f in head.sorted().findings:
        head_by_key[finding_key(f)].append(f)

    for key in sorted(set(base_by_key) | set(head_by_key)):
        old, new = base_by_key.get(key, []), head_by_key.get(key, [])
        for before, after in zip(old, new, strict=False):
            if (before.severity, before.waived) != (after.severity, after.waived):
                out.changed_findings.append(FindingChange(before=before, after=after))
                if _counts(fail_on, after) and not _counts(fail_on, before):
                    out.failing.append(after)
        out.added_findings.extend(new[len(old) :])
        out.removed_findings.extend(old[len(new) :])
    out.failing.extend(f for f in out.added_findings if _counts(fail_on, f))
    out.added_findings = _sort_findings(out.added_findings)
    out.removed_findings = _sort_findings(out.removed_findings)
    out.failing = _sort_findings(out.failing)
    out.changed_findings.sort(key=lambda c: (-c.after.severity.rank, c.after.rule, c.after.node))

    base_nodes = {n.id: n for n in base.nodes}
    head_nodes = {n.id: n for n in head.nodes}
    out.nodes_added = sorted(set(head_nodes) - set(base_nodes))
    out.nodes_removed = sorted(set(base_nodes) - set(head_nodes))
    for node_id in sorted(set(base_nodes) & set(head_nodes)):
        b_lic, h_lic = base_nodes[node_id].license, head_nodes[node_id].license
        b_id, h_id = (b_lic.id if b_lic else None), (h_lic.id if h_lic else None)
        b_cat = b_lic.category.value if b_lic else None
        h_cat = h_lic.category.value if h_lic else None
        if (b_id, b_cat) != (h_id, h_cat):
            out.license_changes.append(
                LicenseChange(
                    node=node_id, before=b_id, after=h_id, before_category=b_cat, after_category=h_cat
                )
            )

    base_edges = {_edge_key(e) for e in base.edges}
    head_edges = {_edge_key(e) for e in head.edges}
    out.edges_added = [EdgeRef(child=c, parent=p, relation=r) for c, p, r in sorted(head_edges - base_edges)]
    out.edges_removed = [
        EdgeRef(child=c, parent=p, relation=r) for c, p, r in sorted(base_edges - head_edges)
    ]

    base_files, head_files = _file_hashes(base), _file_hashes(head)
    for node_id, path in sorted(set(base_files) | set(head_files)):
        old_sha = base_files.get((node_id, path))
        new_sha = head_files.get((node_id, path))
        if (node_id, path) not in base_files:
            change = "added"
        elif (node_id, path) not in head_files:
            change = "removed"
        elif old_sha != new_sha and old_sha is not None and new_sha is not None:
            change = "changed"
        else:
            continue
        out.file_changes.append(
            FileChange(node=node_id, path=path, before=old_sha, after=new_sha, change=change)
        )
    return out
