"""SPDX 2.3 JSON through spdx-tools, validated by its own validator before it is written.

One package per lineage node (models, adapters and datasets), lineage as native relationships
(``DESCENDANT_OF`` for fine-tunes, merges and derivations, ``VARIANT_OF`` for quantizations, ``DEPENDS_ON`` for
adapters, ``GENERATED_FROM`` for training data), licenses that SPDX does not list as ``LicenseRef-*`` with
extracted licensing info, findings as review annotations. Ids and the document namespace are derived from
content, the creation time from the report, so the same report always gives the same document.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from modelaudit.formats._ids import hub_url, node_ref, purl, report_digest, spdx_expression
from modelaudit.formats._view import (
    COMMERCIAL_WORDS,
    RELATION_WORDS,
    license_url,
    obligation_line,
    signature_row,
)
from modelaudit.models import Node, NodeKind, ObligationStatus, Relation, ScanReport

if TYPE_CHECKING:
    from spdx_tools.spdx.model.document import Document

DOCUMENT_ID = "SPDXRef-DOCUMENT"


def report_time(report: ScanReport) -> datetime:
    """The report's own timestamp (never the clock); the epoch if it cannot be read."""
    try:
        parsed = datetime.fromisoformat(report.generated_at)
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).replace(microsecond=0, tzinfo=None)


def package_id(node_id: str) -> str:
    return f"SPDXRef-{node_ref(node_id)}"


def _package_comment(node: Node) -> str:
    lic = node.license
    parts = [f"modelaudit kind: {node.kind.value}"]
    if not node.resolved:
        parts.append(f"unresolved: {node.unresolved_reason or 'unknown reason'}")
    if lic is not None:
        parts.append(f"license category: {lic.category.value}")
        parts.append(f"commercial use: {COMMERCIAL_WORDS[lic.commercial_use.value].lower()}")
        if lic.evidence:
            parts.append("license evidence: " + "; ".join(f"{e.source} = {e.value}" for e in lic.evidence))
    if node.files:
        parts.append(
            "files: "
            + "; ".join(f"{f.path} {f.status.value} sha256={f.sha256_actual or '-'}" for f in node.files)
        )
    if node.smoke is not None:
        parts.append(f"smoke test: {node.smoke.status}")
    if node.signature is not None:  # the model signature: status, file, method, signer, how its files compare
        parts.append(signature_row(node.id, node.signature).line)
    return ". ".join(parts)


_RELATIONS: dict[Relation, str] = {
    Relation.FINETUNE: "DESCENDANT_OF",
    Relation.MERGE: "DESCENDANT_OF",
    Relation.DERIVED: "DESCENDANT_OF",
    Relation.QUANTIZED: "VARIANT_OF",
    Relation.ADAPTER: "DEPENDS_ON",
    Relation.TRAINED_ON: "GENERATED_FROM",
}


def build_document(report: ScanReport) -> Document:
    from license_expression import get_spdx_licensing
    from spdx_tools.spdx.model.actor import Actor, ActorType
    from spdx_tools.spdx.model.annotation import Annotation, AnnotationType
    from spdx_tools.spdx.model.document import CreationInfo, Document
    from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo
    from spdx_tools.spdx.model.package import (
        ExternalPackageRef,
        ExternalPackageRefCategory,
        Package,
        PackagePurpose,
    )
    from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

    r = report.sorted()
    created = report_time(r)
    licensing = get_spdx_licensing()
    tool = Actor(ActorType.TOOL, f"{r.tool.name}-{r.tool.version}")
    slug = node_ref(r.target.id)
    creation = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id=DOCUMENT_ID,
        name=f"modelaudit lineage of {r.target.id}",
        document_namespace=f"https://spdx.org/spdxdocs/modelaudit/{slug}-{report_digest(r)}",
        creators=[tool],
        created=created,
        creator_comment=f"policy {r.policy.name}, verdict {r.verdict.value}",
        data_license="CC0-1.0",
    )
    extracted: dict[str, ExtractedLicensingInfo] = {}
    packages = []
    annotations = []
    ids = {n.id for n in r.nodes} | {e.parent for e in r.edges} | {e.child for e in r.edges}
    nodes = {n.id: n for n in r.nodes}
    for nid in sorted(ids, key=lambda i: (nodes[i].depth if i in nodes else 99, i)):
        node = nodes.get(nid) or Node(
            id=nid, kind=NodeKind.MODEL, resolved=False, unresolved_reason="not in report"
        )
        declared: Any = SpdxNoAssertion()
        if node.license is not None and node.license.id:
            expr, refs = spdx_expression(node.license.id)
            declared = licensing.parse(expr)
            for original in refs:
                ref = spdx_expression(original)[0]
                if ref not in extracted:
                    url = license_url(node)
                    extracted[ref] = ExtractedLicensingInfo(
                        license_id=ref,
                        extracted_text=(
                            f"License {original!r} ({node.license.name or 'name not recorded'}); "
                            "not on the SPDX License List. Full text: " + (url or "see the model card")
                        ),
                        license_name=node.license.name or original,
                        cross_references=[url] if url else [],
                        comment="identified by modelaudit",
                    )
        org = nid.removeprefix("datasets/").split("/", 1)[0] if "/" in nid else None
        refs_out = []
        p = purl(node)
        if p:
            refs_out.append(ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", p))
        packages.append(
            Package(
                spdx_id=package_id(nid),
                name=nid,
                download_location=hub_url(node) or SpdxNoAssertion(),
                version=node.revision,
                supplier=Actor(ActorType.ORGANIZATION, org) if org and node.resolved else SpdxNoAssertion(),
                files_analyzed=False,
                license_declared=declared,
                license_concluded=declared,
                copyright_text=SpdxNoAssertion(),
                comment=_package_comment(node),
                external_references=refs_out,
                primary_package_purpose=PackagePurpose.OTHER,
                summary=f"{node.kind.value} in the lineage of {r.target.id}",
            )
        )
    for f in r.findings:
        if f.node not in ids:
            continue
        state = " (waived)" if f.waived else ""
        waiver = (
            f" Waiver: {f.waiver.reason} (approved by {f.waiver.approver}, expires {f.waiver.expires})."
            if f.waiver
            else ""
        )
        annotations.append(
            Annotation(
                spdx_id=package_id(f.node),
                annotation_type=AnnotationType.REVIEW,
                annotator=tool,
                annotation_date=created,
                annotation_comment=f"{f.rule} {f.name} [{f.severity.value}]{state}: {f.message}.{waiver}",
            )
        )

    for ob in r.obligations:
        for c in ob.checks:
            if c.node in ids and c.status is not ObligationStatus.NOT_APPLICABLE:
                annotations.append(
                    Annotation(
                        spdx_id=package_id(c.node),
                        annotation_type=AnnotationType.REVIEW,
                        annotator=tool,
                        annotation_date=created,
                        annotation_comment=f"obligation {obligation_line(ob, c)}",
                    )
                )
    relationships = [Relationship(DOCUMENT_ID, RelationshipType.DESCRIBES, package_id(r.target.id))]
    for e in r.edges:
        evidence = "; ".join(f"{v.source} = {v.value}" for v in e.evidence) or "none recorded"
        relationships.append(
            Relationship(
                package_id(e.child),
                RelationshipType[_RELATIONS[e.relation]],
                package_id(e.parent),
                comment=f"{e.child} {RELATION_WORDS[e.relation.value]} {e.parent} (evidence: {evidence})",
            )
        )
    if r.target.id not in ids:  # a report without a target node still describes something
        packages.insert(
            0,
            Package(
                spdx_id=package_id(r.target.id),
                name=r.target.id,
                download_location=SpdxNoAssertion(),
                files_analyzed=False,
            ),
        )
    return Document(
        creation_info=creation,
        packages=packages,
        relationships=relationships,
        annotations=annotations,
        extracted_licensing_info=[extracted[k] for k in sorted(extracted)],
    )


class SpdxJsonFormatter:
    name: ClassVar[str] = "spdx"
    suffix: ClassVar[str] = ".spdx.json"

    def render(self, report: ScanReport) -> str:
        from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter
        from spdx_tools.spdx.writer.write_utils import convert, validate_and_deduplicate

        document = validate_and_deduplicate(build_document(report), True, True)  # raises if invalid
        converter = DocumentConverter()  # type: ignore[no-untyped-call]
        return json.dumps(convert(document, converter), indent=2, ensure_ascii=False) + "\n"
