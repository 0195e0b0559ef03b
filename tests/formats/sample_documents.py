"""One sample value per document kind other than the scan report (golden files, registry completeness).

Each is built from the rich sample report (tests/formats/sample_report.py) the way its owner builds it where
that is practical (the report diff by ``diff_reports``, the lineage view by ``build_view`` on a crawled graph,
the dashboard by ``fleet.dashboard.build_view`` over stored rows), and carries card-like text that tries to
inject Markdown (``[x](http://evil)``, ``@user``) and HTML into the document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sample_report import FINETUNE, IMG, SCRIPT, SHA_BAD, SHA_GOOD, TARGET, sample_report

from modelaudit.code_models import AppLicense, AppReport, CodeProblem, CodeReference, HowFound, ModelAudit
from modelaudit.documents import (
    AttestationCheck,
    AuditError,
    Comparison,
    DashboardView,
    FieldChange,
    FileDelta,
    FleetDiff,
    FleetSummary,
    ModelChange,
    ModelSummary,
    ParentDelta,
    QueryResult,
    Side,
    SmokeReport,
    VerifyReport,
)
from modelaudit.lineage.view import LineageView
from modelaudit.models import (
    Edge,
    Evidence,
    FileResult,
    FileStatus,
    Finding,
    LicenseCategory,
    Node,
    NodeKind,
    PolicyInfo,
    Relation,
    RepoKind,
    ScanReport,
    Severity,
    SourceKind,
    ToolInfo,
    Verdict,
    VerifyMode,
)
from modelaudit.policy.diff import ReportDiff

LINK = "[x](http://evil)"
MENTION = "@user"
HOSTILE = f"{LINK} {MENTION} {SCRIPT}"  # what a card could say
HOSTILE_PATH = f"weights|{LINK}|.bin"  # a file name that tries to end a table cell
HOSTILE_NODE = "acme/evil[x](http://evil)"  # ids are not always Hub ids (local folders)


def _finding(rule: str, name: str, node: str, message: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(
        rule=rule, name=name, severity=severity, node=node, message=message, how_to_fix=f"fix {name}"
    )


def sample_diff() -> ReportDiff:
    """``diff_reports`` of the sample report against a head that changed license, files, lineage and findings."""
    from modelaudit.policy.diff import diff_reports

    base = sample_report()
    nodes: list[Node] = []
    for n in base.nodes:
        if n.id == TARGET and n.license is not None:
            lic = n.license.model_copy(
                update={"id": f"mit {HOSTILE}", "category": LicenseCategory.PERMISSIVE}
            )
            files = [f.model_copy(update={"sha256_actual": SHA_GOOD}) for f in n.files]
            n = n.model_copy(update={"license": lic, "files": files})
        nodes.append(n)
    nodes.append(
        Node(id=HOSTILE_NODE, kind=NodeKind.MODEL, revision="d" * 40, source=SourceKind.LOCAL, depth=1)
    )
    edges = [*base.edges, Edge(child=TARGET, parent=HOSTILE_NODE, relation=Relation.MERGE)]
    findings = [
        *base.findings[1:],
        _finding("MA201", "license-conflict", HOSTILE_NODE, f"declares {HOSTILE}"),
        base.findings[0].model_copy(update={"severity": Severity.NOTE}),
    ]
    head = base.model_copy(
        update={"nodes": nodes, "edges": edges, "findings": findings, "generated_at": "2026-02-01T00:00:00Z"}
    )
    return diff_reports(base, ScanReport.model_validate(head.model_dump()))


def sample_comparison() -> Comparison:
    report = sample_report()
    head = Side(revision="refs/pr/7", commit="e" * 40, verdict=Verdict.FAIL)
    base = Side(revision="main", commit="f" * 40, verdict=Verdict.PASS)
    failing = _finding("MA201", "license-conflict", f"{TARGET}@refs/pr/7", f"now declares {HOSTILE}")
    return Comparison(
        repo=f"{TARGET}@refs/pr/7",
        head=head,
        base=base,
        policy="commercial",
        fail_on=Severity.ERROR,
        verdict=Verdict.FAIL,
        license_before="apache-2.0",
        license_after=f"other {LINK}",
        license_fields=[
            FieldChange(field="license", before=["apache-2.0"], after=["other"]),
            FieldChange(field="license_name", before=[], after=[HOSTILE]),
        ],
        license_files=[FileDelta(path="LICENSE", change="changed", before=SHA_GOOD, after=SHA_BAD)],
        parents=[
            ParentDelta(target=FINETUNE, change="removed"),
            ParentDelta(target=HOSTILE_NODE, change="added"),
        ],
        weight_files=[FileDelta(path=HOSTILE_PATH, change="added", before=None, after=SHA_BAD)],
        other_files=[FileDelta(path=f"notes {MENTION}.md", change="removed", before="1" * 40, after=None)],
        new_findings=[
            failing,
            _finding("MA103", "license-mismatch", f"{TARGET}@refs/pr/7", HOSTILE, Severity.WARNING),
        ],
        resolved_findings=[report.findings[-1]],
    )


def sample_audit_error() -> AuditError:
    return AuditError(repo=TARGET, number=7, against="main", message=f"Hub answered 500: {HOSTILE}")


def sample_lineage_view() -> LineageView:
    """The sample report's lineage as the lineage view holds it, with a cycle and an odd unresolved parent."""
    from sample_report import BASE

    report = sample_report()
    nodes = [n.model_copy(update={"files": [], "smoke": None, "fingerprint": None}) for n in report.nodes]
    nodes.append(
        Node(
            id=HOSTILE_NODE, kind=NodeKind.MODEL, depth=1, resolved=False, unresolved_reason=f"404 {HOSTILE}"
        )
    )
    edges = [
        *report.edges,
        Edge(child=TARGET, parent=HOSTILE_NODE, relation=Relation.MERGE),
        Edge(child=BASE, parent=FINETUNE, relation=Relation.FINETUNE),  # closes a cycle
    ]
    findings = [f for f in report.findings if f.name in ("lineage-unresolved", "gated")]
    findings.append(_finding("MA002", "lineage-cycle", BASE, f"lineage cycle: {BASE} → {FINETUNE} → {BASE}"))
    return LineageView(
        root=TARGET,
        nodes=sorted(nodes, key=lambda n: (n.depth, n.id)),
        edges=sorted(edges, key=lambda e: (e.child, e.parent, e.relation.value)),
        cycles=[[FINETUNE, BASE, FINETUNE]],
        truncated="depth limit 4 reached at " + BASE,
        findings=sorted(findings, key=lambda f: (-f.severity.rank, f.rule, f.node, f.message)),
    )


def sample_verify() -> VerifyReport:
    report = sample_report()
    target = report.node(TARGET)
    assert target is not None
    files = [
        *target.files,
        FileResult(path=HOSTILE_PATH, size=None, status=FileStatus.MISSING, detail=f"listed by {MENTION}"),
    ]
    findings = [f for f in report.findings if f.name == "hash-mismatch"]
    return VerifyReport(target=TARGET, mode=VerifyMode.FULL, files=files, findings=findings)


def sample_attestation() -> AttestationCheck:
    problems = [
        "1 file(s) changed (chat-assistant-7b.Q4_K_M.gguf)",
        f"1 file(s) not attested ({HOSTILE_PATH})",
    ]
    return AttestationCheck(
        code=1,
        reason="refused: " + "; ".join(problems),
        target=TARGET,
        verdict="pass",
        policy="commercial",
        timestamp="2026-11-28T12:00:00Z",
        files=2,
        problems=problems,
    )


def sample_fleet_summary() -> FleetSummary:
    return FleetSummary(
        run=3,
        engine="local",
        started_at="2026-02-01T00:00:00Z",
        totals={"models": 3, "pass": 1, "fail": 1, "error": 1, "rescanned": 2, "change_checks": 9},
        models=[
            ModelSummary(
                entry=TARGET,
                owner="team-chat",
                verdict="fail",
                rescanned=True,
                changed=[FINETUNE],
                findings={"error": 2, "warning": 1, "note": 0},
                failing_rules=["hash-mismatch", "license-conflict"],
            ),
            ModelSummary(
                entry="acme/ok",
                verdict="pass",
                rescanned=False,
                findings={"error": 0, "warning": 0, "note": 1},
            ),
            ModelSummary(
                entry="acme/gone",
                owner=None,
                verdict="error",
                rescanned=True,
                findings={"error": 0, "warning": 0, "note": 0},
                error=f"acme/gone: not found (404) {HOSTILE}",
            ),
        ],
    )


def sample_fleet_diff() -> FleetDiff:
    return FleetDiff(
        old=2,
        new=3,
        changes=[
            ModelChange(
                entry=TARGET,
                before="pass",
                after="fail",
                worse=True,
                causes=["upstream license changed: acme/chat-assistant-7b: apache-2.0 → llama2", HOSTILE],
            ),
            ModelChange(
                entry="acme/new", before=None, after="pass", worse=False, causes=["added to the inventory"]
            ),
        ],
    )


def sample_query() -> QueryResult:
    return QueryResult(
        names=["entry", "verdict", "errors", "owner"],
        rows=[(TARGET, "fail", 2, None), ("acme/ok", "pass", 0, f"team {MENTION}")],
    )


def sample_dashboard() -> DashboardView:
    """``fleet.dashboard.build_view`` over three stored rows: the sample report, a passing copy, an error."""
    from modelaudit.fleet.dashboard import build_view
    from modelaudit.fleet.store import ModelRow

    report = sample_report()
    ok = report.model_copy(update={"findings": [], "verdict": Verdict.PASS})
    ok = ok.model_copy(update={"target": report.target.model_copy(update={"id": FINETUNE})})
    rows = [
        ModelRow(
            entry=TARGET,
            owner=f"team {SCRIPT}",
            intended_use="support chat",
            verdict="fail",
            rescanned=True,
            settings="s",
            report=report.model_dump_json(),
        ),
        ModelRow(entry=FINETUNE, verdict="pass", rescanned=False, settings="s", report=ok.model_dump_json()),
        ModelRow(entry="acme/gone", verdict="error", rescanned=True, settings="s", error=f"404 {IMG}"),
    ]
    hrefs = {TARGET: "models/acme__chat-assistant-7b-q4.html"}
    return build_view(rows, run_id=3, started_at="2026-02-01T00:00:00Z", inventory="models.yaml", hrefs=hrefs)


def sample_smoke() -> SmokeReport:
    report = sample_report()
    node = report.node(TARGET)
    assert node is not None and node.smoke is not None
    finding = _finding("MA401", "smoke-failed", TARGET, f"output was not finite {HOSTILE}", Severity.WARNING)
    return SmokeReport(
        node=TARGET, folder="/models/chat-assistant-7b-q4", result=node.smoke, findings=[finding]
    )


def _weights(shift: int) -> bytes:
    """A small safetensors file whose values are exact arithmetic (no RNG, no libm): the same on every machine."""
    import numpy as np
    from safetensors.numpy import save

    def tensor(k: int) -> np.ndarray:  # type: ignore[type-arg]
        i = np.arange(64 * 64, dtype=np.int64)
        return (((i * (7919 + k) + shift * (i % 5)) % 1000) / 1000.0 - 0.5).astype(np.float32).reshape(64, 64)

    return save({f"model.layers.{k}.weight": tensor(k) for k in range(4)})


def _fingerprint(shift: int):  # type: ignore[no-untyped-def]
    from modelaudit.models import FileEntry
    from modelaudit.verify.fingerprint import fingerprint_remote

    blob = _weights(shift)
    return fingerprint_remote(
        lambda _path, start, length: blob[start : start + length],
        [FileEntry(path="model.safetensors", size=len(blob))],
        workers=1,
    )


def sample_fingerprint():  # type: ignore[no-untyped-def]
    """``compare`` of two fingerprints taken through byte-range reads, as ``fingerprint A B`` does."""
    from modelaudit.verify.fingerprint import FingerprintComparison, compare

    a, b = _fingerprint(0), _fingerprint(1)
    return FingerprintComparison(a_id=FINETUNE, a=a, b_id=HOSTILE_NODE, b=b, similarity=compare(a, b))


def sample_fingerprint_index():  # type: ignore[no-untyped-def]
    from modelaudit.verify.index import FingerprintIndex

    index = FingerprintIndex()
    index.add(FINETUNE, _fingerprint(0), revision="b" * 40)
    index.add("other/model", _fingerprint(7))
    return index


def _records():  # type: ignore[no-untyped-def]
    from modelaudit.licenses.schema import LicenseRecord

    community = LicenseRecord.model_validate(
        {
            "id": "acme-community",
            "name": f"ACME Community License {LINK}",
            "hub_id": "other",
            "license_names": ["acme-community"],
            "urls": ["https://example.com/acme/LICENSE"],
            "category": "restrictive",
            "osi_approved": False,
            "fsf_libre": False,
            "commercial_use": "conditional",
            "commercial_condition": "under 700 million monthly active users",
            "obligations": {
                "include_agreement": True,
                "attribution": True,
                "naming_prefix": "ACME",
                "built_with": "Built with ACME",
                "flow_down_use_restrictions": True,
                "use_policy_url": "https://example.com/acme/use-policy",
                "user_cap": 700_000_000,
            },
            "restricted_uses": None,
            "restricted_uses_note": "the use policy was not reviewed",
            "sources": {"category": "https://example.com/acme/LICENSE", "obligations.user_cap": "section 2"},
            "notes": f"Card text can name it {MENTION}.",
        }
    )
    family = LicenseRecord.model_validate(
        {
            "id": "BSD-Family",
            "family": True,
            "category": "permissive",
            "commercial_use": "yes",
            "origin": "spdx",
        }
    )
    return [community, family]


def sample_license_list():  # type: ignore[no-untyped-def]
    return _records()


def sample_license():  # type: ignore[no-untyped-def]
    return _records()[0]


def sample_license_identify():  # type: ignore[no-untyped-def]
    from modelaudit.licenses.identify import Candidate, FileIdentification, Identification
    from modelaudit.licenses.schema import DocumentKind

    result = Identification(
        id="acme-community",
        name="ACME Community License",
        document=DocumentKind.USE_POLICY,
        confidence=0.91,
        method="fingerprint",
        licenses=["acme-community"],
        evidence=["title line 'ACME Community License'", f"phrase {LINK!r}"],
        alternatives=[
            Candidate(
                id="llama2",
                document=DocumentKind.LICENSE,
                reference="llama2.txt",
                containment=0.4,
                coverage=0.3,
            )
        ],
    )
    return FileIdentification(file="models/chat/LICENSE", result=result)


def _policy():  # type: ignore[no-untyped-def]
    from modelaudit.policy.model import Policy

    return Policy(
        name="acme-commercial",
        description=f"Commercial use inside ACME. Datasets are judged leniently {LINK}.",
        fail_on=Severity.WARNING,
        severity={"MA205": Severity.NOTE, "hash-mismatch": Severity.WARNING},
        disabled_rules=["MA104"],
    )


def sample_policy_list():  # type: ignore[no-untyped-def]
    from modelaudit.policy.model import Policy

    return [_policy(), Policy(name="default", description="Report everything; fail on errors")]


def sample_policy():  # type: ignore[no-untyped-def]
    from modelaudit.policy.effective import EffectivePolicy, RuleSetting

    rules = [
        RuleSetting(
            id="MA101", name="lineage-unresolved", severity="warning", default="warning", summary="x"
        ),
        RuleSetting(id="MA104", name="gated", severity="off", default="note", summary="y"),
        RuleSetting(id="MA205", name="noncommercial-upstream", severity="note", default="error", summary="z"),
    ]
    return EffectivePolicy(policy=_policy(), rules=rules, stage_overrides={"hash-mismatch": "warning"})


def sample_cache_info():  # type: ignore[no-untyped-def]
    from modelaudit.documents import CacheInfo, CacheNamespace

    return CacheInfo(
        location="/home/ci/.cache/modelaudit",
        version="v2-0.1.0",
        max_bytes=512 * 1024 * 1024,
        namespaces=[
            CacheNamespace(name="metadata", about="Hub metadata", entries=1204, bytes=48_211_733),
            CacheNamespace(name="spdx", about="SPDX license-text matches", entries=37, bytes=4_120),
            CacheNamespace(
                name="fingerprint", about="fingerprint plans and comparisons", entries=9, bytes=91_300
            ),
            CacheNamespace(name="stale", about="other versions", entries=0, bytes=0),
        ],
    )


def sample_application() -> AppReport:
    """What ``appaudit.audit_application`` returns for an application that loads the sample report's model
    from a hostile file name, vendors a fine-tune, and leaves a reference unresolved (pull-request mode)."""
    app_file = f"svc/{HOSTILE_PATH}.py"
    refs = [
        CodeReference(
            file=app_file,
            line=12,
            site="AutoModelForCausalLM.from_pretrained",
            repo_id=TARGET,
            how=HowFound.CONSTANT,
            value="MODEL_ID",
        ),
        CodeReference(
            file="train.yaml",
            line=3,
            kind=RepoKind.DATASET,
            site="config:dataset_name",
            repo_id="acme/chats",
            revision="e" * 40,
            how=HowFound.CONFIG,
            value="acme/chats",
        ),
        CodeReference(
            file="serve.sh",
            line=7,
            site="--model",
            unresolved="environment variable",
            value=f"$MODEL {HOSTILE}",
        ),
    ]
    unchanged = [
        CodeReference(file="old.py", line=2, site="pipeline", repo_id="acme/ok", how=HowFound.LITERAL)
    ]

    def at(file: str, line: int, rule: str, name: str, node: str, message: str, sev: Severity) -> Finding:
        return _finding(rule, name, node, message, sev).model_copy(
            update={"evidence": [Evidence(source="location", value=f"{file}:{line}")]}
        )

    findings = [
        at(app_file, 12, "MA501", "app-model-fails", TARGET, f"{TARGET} fails: {HOSTILE}", Severity.ERROR),
        at(
            "models/llama-ft/model.safetensors",
            1,
            "MA504",
            "app-weights-redistributed",
            "models/llama-ft",
            "weights committed under MIT while their lineage is llama3",
            Severity.ERROR,
        ),
        at(
            app_file,
            12,
            "MA505",
            "app-reference-unpinned",
            TARGET,
            f"{TARGET} is not pinned",
            Severity.WARNING,
        ),
        at(
            "serve.sh",
            7,
            "MA506",
            "app-reference-unresolved",
            "serve.sh",
            "$MODEL: environment variable",
            Severity.NOTE,
        ),
        at(
            "old.py",
            2,
            "MA505",
            "app-reference-unpinned",
            "acme/ok",
            "acme/ok is not pinned",
            Severity.WARNING,
        ).model_copy(update={"baseline": True}),
    ]
    return AppReport(
        tool=ToolInfo(version="0.1.0"),
        generated_at="2026-02-01T00:00:00Z",
        root="/work/app",
        location_root="services/app",
        application=f"support-bot {MENTION}",
        base="origin/main",
        policy=PolicyInfo(name="commercial"),
        license=AppLicense(id="mit", category="permissive", sources=["LICENSE"]),
        verdict=Verdict.FAIL,
        references=refs,
        baseline_references=unchanged,
        models=[
            ModelAudit(
                target=TARGET,
                verdict="fail",
                license=f"llama3 {HOSTILE}",
                category="restricted",
                failing=["use-not-permitted"],
            ),
            ModelAudit(target="datasets/acme/chats@" + "e" * 40, verdict="pass", license="cc-by-4.0"),
            ModelAudit(target="models/llama-ft", verdict="error", error=f"unreadable: {IMG}"),
        ],
        findings=findings,
        problems=[CodeProblem(file="broken.ipynb", line=None, message="not valid JSON")],
    )


# kind (a key of modelaudit.formats.REGISTRIES, the report excepted) → its sample
SAMPLES: dict[str, Callable[[], Any]] = {
    "diff": sample_diff,
    "comparison": sample_comparison,
    "audit-error": sample_audit_error,
    "lineage": sample_lineage_view,
    "verify": sample_verify,
    "attestation": sample_attestation,
    "fleet": sample_fleet_summary,
    "fleet-diff": sample_fleet_diff,
    "fleet-query": sample_query,
    "dashboard": sample_dashboard,
    "smoke": sample_smoke,
    "fingerprint": sample_fingerprint,
    "fingerprint-index": sample_fingerprint_index,
    "license-list": sample_license_list,
    "license": sample_license,
    "license-identify": sample_license_identify,
    "policy-list": sample_policy_list,
    "policy": sample_policy,
    "cache": sample_cache_info,
    "application": sample_application,
}
