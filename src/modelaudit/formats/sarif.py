"""SARIF 2.1.0, the format code-scanning services (GitHub, Azure DevOps, GitLab) read.

One run per report. ``tool.driver.rules`` describes every rule the results reference, from the rule catalog (summary,
full description, how to fix, help URI, default level). Each finding is a result whose
location is the node's card file for local folders (a URI relative to the checkout root, so that code
scanning can annotate the pull request) and the node's Hub page otherwise. Waived findings carry a
``suppressions`` entry with the waiver's reason, approver and expiry; when a baseline was used every result
carries ``baselineState``. ``partialFingerprints`` hold the content key that baselines and ``modelaudit
diff`` use, so code scanning tracks a finding across runs the same way.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, ClassVar
from urllib.parse import quote

from modelaudit.catalog import CATALOG, RuleSpec
from modelaudit.models import Finding, Node, ScanReport, Severity, SignatureInfo, SourceKind

SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/modelaudit/modelaudit"
HUB_URL = "https://huggingface.co"
FINGERPRINT_NAME = "modelauditFindingKey/v1"
CARD_FILES = ("README.md", "adapter_config.json", "config.json")

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


# --------------------------------------------------------------------------------------------- locations


def hub_url(node_id: str) -> str:
    """The Hub page of a node id (``org/name``, ``datasets/org/name``, either with ``@revision``)."""
    repo, sep, rev = node_id.rpartition("@")
    if not sep or "/" in rev:
        repo, rev = node_id, ""
    url = f"{HUB_URL}/{repo}"
    return f"{url}/tree/{rev}" if rev else url


def _is_absolute(path: str) -> bool:
    return PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute()


def _file_uri(path: str) -> str:
    """A local path as a URI reference: relative paths percent-encoded, absolute ones as file: URIs."""
    if PureWindowsPath(path).is_absolute() and not PurePosixPath(path).is_absolute():
        return PureWindowsPath(path).as_uri()
    if PurePosixPath(path).is_absolute():
        return PurePosixPath(path).as_uri()
    return quote(path, safe="/")


def _card_file(node: Node) -> str:
    names = {f.path for f in node.files}
    return next((name for name in CARD_FILES if name in names), "README.md")


def local_card_path(node: Node) -> str:
    """Path of a local node's card file, relative to the working directory the scan ran in (POSIX)."""
    folder = node.id.replace("\\", "/").rstrip("/")
    card = _card_file(node)
    return card if folder in ("", ".") else f"{folder}/{card}"


def node_location(report: ScanReport, node_id: str) -> tuple[str, bool]:
    """``(uri, is_local_file)`` for a finding on ``node_id``.

    Local nodes point at their card file. A node that could not be resolved points at the card of the local
    folder that declared it (that is where the claim can be fixed), else at its Hub page when it looks like
    a Hub id, else at the target's location.
    """
    node = report.node(node_id)
    if node is not None and node.source is SourceKind.LOCAL:
        return local_card_path(node), True
    if node is None and node_id == report.target.id and report.target.source is SourceKind.LOCAL:
        return f"{node_id.rstrip('/')}/README.md", True
    if node is None or node.source is None:
        for edge in sorted(report.edges, key=lambda e: (e.child, e.relation.value)):
            if edge.parent == node_id:
                child = report.node(edge.child)
                if child is not None and child.source is SourceKind.LOCAL:
                    return local_card_path(child), True
        looks_local = node_id.startswith((".", "/", "~")) or _is_absolute(node_id) or "\\" in node_id
        if looks_local and node_id != report.target.id:
            return node_location(report, report.target.id)
    return hub_url(node_id), False


def finding_location(report: ScanReport, f: Finding) -> tuple[str, bool]:
    """Where a finding points: an obligation's file (LICENSE, NOTICE, README.md, ...) in its node's repo when it
    names one, else the node's location (:func:`node_location`)."""
    wanted = next((e.value for e in f.evidence if e.source == "obligation:file"), None)
    node = report.node(f.node)
    if wanted and node is not None and "/" not in wanted.strip("/") and ".." not in wanted:
        if node.source is SourceKind.LOCAL:
            folder = node.id.replace("\\", "/").rstrip("/")
            return (wanted if folder in ("", ".") else f"{folder}/{wanted}"), True
        if node.source in (SourceKind.HUB, SourceKind.CACHE):
            repo, sep, rev = node.id.rpartition("@")
            if not sep or "/" in rev:
                repo, rev = node.id, ""
            return f"{HUB_URL}/{repo}/blob/{rev or node.revision or 'main'}/{wanted}", False
    return node_location(report, f.node)


# --------------------------------------------------------------------------------------------- rules


def _rule_descriptor(spec: RuleSpec) -> dict[str, Any]:
    return {
        "id": spec.id,
        "name": spec.slug,
        "shortDescription": {"text": spec.summary},
        "fullDescription": {"text": spec.description},
        "help": {"text": spec.how_to_fix, "markdown": f"**How to fix:** {spec.how_to_fix}"},
        "helpUri": spec.help_uri,
        "defaultConfiguration": {"level": _LEVEL[spec.default_severity]},
        "properties": {"tags": ["modelaudit", spec.stage.value], "slug": spec.slug},
    }


def _unlisted_descriptor(f: Finding) -> dict[str, Any]:
    """A finding whose id the catalog lacks (a report written by another modelaudit version)."""
    return {
        "id": f.rule,
        "name": f.name,
        "shortDescription": {"text": f"{f.name.replace('-', ' ').capitalize()}."},
        "help": {"text": f.how_to_fix, "markdown": f"**How to fix:** {f.how_to_fix}"},
        "defaultConfiguration": {"level": _LEVEL[f.severity]},
        "properties": {"tags": ["modelaudit"], "slug": f.name},
    }


def _rules(report: ScanReport) -> list[dict[str, Any]]:
    """A descriptor, from the rule catalog, for every rule the results reference, sorted by id.

    Listing only referenced rules keeps the file small and stable when rules are added.
    """
    out: dict[str, dict[str, Any]] = {}
    for f in sorted(report.findings, key=lambda f: (f.rule, -f.severity.rank, f.message)):
        if f.rule in out:
            continue
        spec = CATALOG.get(f.rule)
        out[f.rule] = _rule_descriptor(spec) if spec is not None else _unlisted_descriptor(f)
    return [out[k] for k in sorted(out)]


# --------------------------------------------------------------------------------------------- results


def _result(report: ScanReport, f: Finding, rule_index: int, with_baseline: bool) -> dict[str, Any]:
    from modelaudit.policy.baseline import finding_key

    uri, is_local = finding_location(report, f)
    artifact: dict[str, Any] = {"uri": _file_uri(uri) if is_local else uri}
    if is_local and not _is_absolute(uri):
        artifact["uriBaseId"] = "%SRCROOT%"
    message = f.message if f.message.endswith(".") else f"{f.message}."
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": _LEVEL[f.severity],
        "message": {"text": f"{message} {f.how_to_fix}".strip()},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": artifact},
                "logicalLocations": [{"name": f.node, "fullyQualifiedName": f.node, "kind": "module"}],
            }
        ],
        "partialFingerprints": {FINGERPRINT_NAME: finding_key(f)},
        "properties": {
            "slug": f.name,
            "node": f.node,
            "evidence": [{"source": e.source, "value": e.value} for e in f.evidence],
        },
    }
    if is_local:
        # GitHub code scanning wants a region; the card's first line is where its front matter starts.
        result["locations"][0]["physicalLocation"]["region"] = {"startLine": 1}
    if f.waived:
        suppression: dict[str, Any] = {"kind": "external", "status": "accepted"}
        if f.waiver is not None:
            w = f.waiver
            suppression["justification"] = f"{w.reason} (approved by {w.approver}; expires {w.expires})"
            suppression["properties"] = {
                "rule": w.rule,
                "node": w.node,
                "approver": w.approver,
                "expires": w.expires,
            }
        result["suppressions"] = [suppression]
    if with_baseline:
        result["baselineState"] = "unchanged" if f.baseline else "new"
    return result


def _signature(sig: SignatureInfo) -> dict[str, Any]:
    files: dict[str, list[str]] = {}
    for f in sig.files:
        files.setdefault(f.status.value, []).append(f.path)
    out: dict[str, Any] = {"status": sig.status.value, "path": sig.path, "files": files}
    for key, value in (
        ("method", sig.method),
        ("signer", sig.signer),
        ("issuer", sig.issuer),
        ("serialization", sig.serialization),
        ("detail", sig.detail),
    ):
        if value is not None:
            out[key] = value
    return out


class SarifFormatter:
    name: ClassVar[str] = "sarif"
    suffix: ClassVar[str] = ".sarif"

    def to_dict(self, report: ScanReport) -> dict[str, Any]:
        from modelaudit.policy.baseline import finding_key

        report = report.sorted()
        rules = _rules(report)
        index = {r["id"]: i for i, r in enumerate(rules)}
        with_baseline = any(f.baseline for f in report.findings)
        findings = sorted(
            report.findings, key=lambda f: (f.rule, f.node, -f.severity.rank, f.message, finding_key(f))
        )
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "semanticVersion": report.tool.version,
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "automationDetails": {"id": f"modelaudit/{report.target.id}/"},
            "columnKind": "unicodeCodePoints",
            "results": [_result(report, f, index[f.rule], with_baseline) for f in findings],
            "invocations": [
                {
                    "executionSuccessful": True,
                    "endTimeUtc": report.generated_at,
                    "exitCode": 1 if report.verdict.value == "fail" else 0,
                }
            ],
            "properties": {
                "target": report.target.id,
                "targetSource": report.target.source.value,
                "policy": report.policy.name,
                "failOn": report.policy.fail_on.value,
                "verdict": report.verdict.value,
            },
        }
        signatures = {n.id: _signature(n.signature) for n in report.nodes if n.signature is not None}
        if signatures:  # model signatures per node (absent when no node ships one)
            run["properties"]["signatures"] = signatures
        return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}

    def render(self, report: ScanReport) -> str:
        return json.dumps(self.to_dict(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
