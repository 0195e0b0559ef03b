"""SPDX 3.0.1 JSON-LD with the AI and Dataset profiles, through spdx-python-model (the official bindings).

Models and adapters are ``ai_AIPackage``, datasets ``dataset_DatasetPackage``. Lineage uses SPDX 3's own
relationship types: ``descendantOf`` (fine-tune, merge, derived), ``hasVariant`` (a base and its quantization),
``dependsOn`` (an adapter and its base), ``trainedOn`` (a model and its data). Licenses are
``hasDeclaredLicense``/``hasConcludedLicense`` relationships to license expressions; findings are review
annotations. Element ids are IRIs under a namespace derived from the report's content.
"""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any, ClassVar

from modelaudit.formats._ids import hub_url, node_ref, purl, report_digest, spdx_expression
from modelaudit.formats._view import RELATION_WORDS, license_url, obligation_line, signature_row
from modelaudit.formats.spdx import report_time
from modelaudit.models import Node, NodeKind, ObligationStatus, Relation, ScanReport


def build_objects(report: ScanReport) -> Any:
    from spdx_python_model import v3_0_1 as spdx

    r = report.sorted()
    base = f"https://spdx.org/spdxdocs/modelaudit/{node_ref(r.target.id)}-{report_digest(r)}"

    def iri(kind: str, key: str) -> str:
        return f"{base}#{kind}-{node_ref(key)}"

    objects: list[Any] = []
    tool_id, agent_id = f"{base}#tool", f"{base}#agent"
    tool = spdx.Tool(spdxId=tool_id, name=f"{r.tool.name} {r.tool.version}")
    agent = spdx.SoftwareAgent(spdxId=agent_id, name=r.tool.name)
    creation = spdx.CreationInfo(
        specVersion="3.0.1",
        created=report_time(r).replace(tzinfo=UTC),
        createdBy=[agent_id],
        createdUsing=[tool_id],
        comment=f"policy {r.policy.name}, verdict {r.verdict.value}",
    )
    tool.creationInfo = creation
    agent.creationInfo = creation
    objects += [tool, agent]

    suppliers: dict[str, Any] = {}
    licenses: dict[str, Any] = {}
    packages: dict[str, Any] = {}
    nodes = {n.id: n for n in r.nodes}
    ids = sorted({*nodes, *(e.child for e in r.edges), *(e.parent for e in r.edges)})
    if r.target.id not in ids:
        ids.append(r.target.id)
    relationships: list[Any] = []

    def relate(frm: str, rtype: str, to: list[str], key: str, comment: str | None = None) -> None:
        rel = spdx.Relationship(
            spdxId=iri("rel", key),
            creationInfo=creation,
            from_=frm,
            relationshipType=getattr(spdx.RelationshipType, rtype),
            to=to,
        )
        if comment:
            rel.comment = comment
        relationships.append(rel)

    for nid in ids:
        node = nodes.get(nid) or Node(
            id=nid, kind=NodeKind.MODEL, resolved=False, unresolved_reason="not in report"
        )
        is_dataset = node.kind is NodeKind.DATASET
        pkg: Any = spdx.dataset_DatasetPackage() if is_dataset else spdx.ai_AIPackage()
        pkg.spdxId = iri("pkg", nid)
        pkg.creationInfo = creation
        pkg.name = nid
        pkg.software_primaryPurpose = (
            spdx.software_SoftwarePurpose.data if is_dataset else spdx.software_SoftwarePurpose.model
        )
        if is_dataset:
            pkg.dataset_datasetType = [spdx.dataset_DatasetType.noAssertion]
        if node.revision:
            pkg.software_packageVersion = node.revision
        url = hub_url(node)
        if url:
            pkg.software_downloadLocation = url
            pkg.software_homePage = url
        p = purl(node)
        if p:
            pkg.software_packageUrl = p
        org = nid.removeprefix("datasets/").split("/", 1)[0] if "/" in nid and node.resolved else None
        if org:
            if org not in suppliers:
                suppliers[org] = spdx.Organization(spdxId=iri("org", org), creationInfo=creation, name=org)
            pkg.suppliedBy = suppliers[org].spdxId
        summary = [f"{node.kind.value}; depth {node.depth}"]
        if not node.resolved:
            summary.append(f"unresolved: {node.unresolved_reason or 'unknown reason'}")
        if node.license is not None:
            summary.append(f"license category {node.license.category.value}")
            summary.append(f"commercial use {node.license.commercial_use.value}")
        pkg.summary = "; ".join(summary)
        comment = []
        if node.files:
            comment.append(
                "files: "
                + "; ".join(f"{f.path} {f.status.value} sha256={f.sha256_actual or '-'}" for f in node.files)
            )
        if node.signature is not None:  # the model signature: status, file, method, signer, files compared
            comment.append(signature_row(node.id, node.signature).line)
        if comment:
            pkg.comment = ". ".join(comment)
        packages[nid] = pkg
        if node.license is not None and node.license.id:
            expr, refs = spdx_expression(node.license.id)
            if expr not in licenses:
                lic = spdx.simplelicensing_LicenseExpression(
                    spdxId=iri("license", expr),
                    creationInfo=creation,
                    simplelicensing_licenseExpression=expr,
                )
                link = license_url(node)
                if refs and link:
                    for original in refs:
                        lic.simplelicensing_customIdToUri.append(
                            spdx.DictionaryEntry(key=spdx_expression(original)[0], value=link)
                        )
                licenses[expr] = lic
            target = licenses[expr].spdxId
            relate(pkg.spdxId, "hasDeclaredLicense", [target], f"declared:{nid}")
            relate(pkg.spdxId, "hasConcludedLicense", [target], f"concluded:{nid}")

    kinds: dict[Relation, tuple[str, bool]] = {  # relation → (SPDX type, from the parent's side?)
        Relation.FINETUNE: ("descendantOf", False),
        Relation.MERGE: ("descendantOf", False),
        Relation.DERIVED: ("descendantOf", False),
        Relation.QUANTIZED: ("hasVariant", True),
        Relation.ADAPTER: ("dependsOn", False),
        Relation.TRAINED_ON: ("trainedOn", False),
    }
    for e in r.edges:
        rtype, from_parent = kinds[e.relation]
        frm, to = (e.parent, e.child) if from_parent else (e.child, e.parent)
        evidence = "; ".join(f"{v.source} = {v.value}" for v in e.evidence) or "none recorded"
        relate(
            packages[frm].spdxId,
            rtype,
            [packages[to].spdxId],
            f"{e.relation.value}:{e.child}->{e.parent}",
            f"{e.child} {RELATION_WORDS[e.relation.value]} {e.parent} (evidence: {evidence})",
        )

    annotations = []
    for i, f in enumerate(r.findings):
        if f.node not in packages:
            continue
        waiver = (
            f" Waived: {f.waiver.reason} (approved by {f.waiver.approver}, expires {f.waiver.expires})."
            if f.waiver
            else (" Waived." if f.waived else "")
        )
        annotations.append(
            spdx.Annotation(
                spdxId=iri("finding", f"{i}:{f.rule}:{f.node}:{f.message}"),
                creationInfo=creation,
                annotationType=spdx.AnnotationType.review,
                subject=packages[f.node].spdxId,
                statement=f"{f.rule} {f.name} [{f.severity.value}]: {f.message}.{waiver}",
            )
        )

    for ob in r.obligations:
        for c in ob.checks:
            if c.node not in packages or c.status is ObligationStatus.NOT_APPLICABLE:
                continue
            annotations.append(
                spdx.Annotation(
                    spdxId=iri("obligation", f"{ob.license}:{ob.kind}:{c.node}:{c.via}"),
                    creationInfo=creation,
                    annotationType=spdx.AnnotationType.review,
                    subject=packages[c.node].spdxId,
                    statement=f"obligation {obligation_line(ob, c)}",
                )
            )

    elements = [
        *packages.values(),
        *suppliers.values(),
        *licenses.values(),
        *relationships,
        *annotations,
    ]
    document = spdx.SpdxDocument(
        spdxId=f"{base}#document",
        creationInfo=creation,
        name=f"modelaudit lineage of {r.target.id}",
        rootElement=[packages[r.target.id].spdxId],
        element=[el.spdxId for el in elements],
        profileConformance=[
            spdx.ProfileIdentifierType.core,
            spdx.ProfileIdentifierType.software,
            spdx.ProfileIdentifierType.simpleLicensing,
            spdx.ProfileIdentifierType.ai,
            spdx.ProfileIdentifierType.dataset,
        ],
    )
    return spdx.SHACLObjectSet([*objects, document, *elements], link=True)


class Spdx3JsonLdFormatter:
    name: ClassVar[str] = "spdx3"
    suffix: ClassVar[str] = ".spdx3.jsonld"

    def render(self, report: ScanReport) -> str:
        from spdx_python_model import v3_0_1 as spdx

        data = spdx.JSONLDSerializer().serialize_data(build_objects(report), force_at_graph=True)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
