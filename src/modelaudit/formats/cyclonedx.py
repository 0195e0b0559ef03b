"""CycloneDX 1.6 ML-BOM through cyclonedx-python-lib.

The target is ``metadata.component``; every other lineage node is a component (``machine-learning-model`` or
``data``). Lineage is native: each model's parents appear in ``pedigree.ancestors``, its training data in
``modelCard.modelParameters.datasets`` (by bom-ref), and ``dependencies`` lists every node's direct parents.
The library does not implement ``modelCard`` or ``data`` yet, so those two are added to the JSON after the
library writes it (the tests validate the result against the 1.6 schema). bom-refs, the serial number and
the timestamp are derived from the report, so output is deterministic.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import UTC
from typing import TYPE_CHECKING, Any, ClassVar

from modelaudit.formats._ids import hub_url, node_ref, purl, report_digest, spdx_expression
from modelaudit.formats._view import license_url, obligation_line
from modelaudit.formats.spdx import report_time
from modelaudit.models import (
    Node,
    NodeKind,
    ObligationStatus,
    Relation,
    ScanReport,
)

if TYPE_CHECKING:
    from cyclonedx.model.component import Component


def bom_ref(node_id: str) -> str:
    return f"node:{node_ref(node_id)}"


def _licenses(node: Node) -> list[Any]:
    from cyclonedx.model import XsUri
    from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression

    lic = node.license
    if lic is None or not lic.id:
        return []
    expr, refs = spdx_expression(lic.id)
    url = license_url(node)
    if " " not in expr and not refs:  # one SPDX-listed id
        return [DisjunctiveLicense(id=expr)]
    if " " not in expr:  # one license SPDX does not list: by name, with a link to its text
        return [DisjunctiveLicense(name=lic.name or lic.id, url=XsUri(url) if url else None)]
    return [LicenseExpression(expr)]


def _component(node: Node, ref: str, *, with_files: bool = True) -> Component:
    from cyclonedx.model import (
        ExternalReference,
        ExternalReferenceType,
        HashAlgorithm,
        HashType,
        Property,
        XsUri,
    )
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.contact import OrganizationalEntity
    from packageurl import PackageURL

    props = [Property(name="modelaudit:kind", value=node.kind.value)]
    props.append(Property(name="modelaudit:depth", value=str(node.depth)))
    if not node.resolved:
        props.append(Property(name="modelaudit:unresolved", value=node.unresolved_reason or "unresolved"))
    if node.license is not None:
        props.append(Property(name="modelaudit:license-category", value=node.license.category.value))
        props.append(Property(name="modelaudit:commercial-use", value=node.license.commercial_use.value))
        if node.license.id:
            props.append(Property(name="modelaudit:license-id", value=node.license.id))
    if node.gated:
        props.append(Property(name="modelaudit:gated", value="true"))
    if node.smoke is not None:
        props.append(Property(name="modelaudit:smoke", value=node.smoke.status))
    sig = node.signature
    if sig is not None:
        props.append(Property(name="modelaudit:signature", value=sig.status.value))
        props.append(Property(name="modelaudit:signature-file", value=sig.path))
        if sig.method:
            props.append(Property(name="modelaudit:signature-method", value=sig.method))
        if sig.signer:
            props.append(Property(name="modelaudit:signature-signer", value=sig.signer))
        if sig.issuer:
            props.append(Property(name="modelaudit:signature-issuer", value=sig.issuer))
    signed = {f.path: f.status.value for f in sig.files} if sig is not None else {}
    refs = []
    url = hub_url(node)
    if url:
        refs.append(ExternalReference(type=ExternalReferenceType.DISTRIBUTION, url=XsUri(url)))
        if node.kind is not NodeKind.DATASET:
            refs.append(
                ExternalReference(
                    type=ExternalReferenceType.MODEL_CARD, url=XsUri(url.rstrip("/") + "/blob/main/README.md")
                )
            )
    p = purl(node)
    org = node.id.removeprefix("datasets/").split("/", 1)[0] if "/" in node.id and node.resolved else None
    files = []
    if with_files:
        for f in node.files:
            fprops = [Property(name="modelaudit:verification", value=f.status.value)]
            if f.sha256_expected:
                fprops.append(Property(name="modelaudit:sha256-expected", value=f.sha256_expected))
            if f.size is not None:
                fprops.append(Property(name="modelaudit:size", value=str(f.size)))
            if f.path in signed:  # matches | differs | missing | unsigned | unchecked
                fprops.append(Property(name="modelaudit:signature", value=signed[f.path]))
            files.append(
                Component(
                    type=ComponentType.FILE,
                    name=f.path,
                    bom_ref=f"{ref}:file:{node_ref(f.path)}",
                    hashes=[HashType(alg=HashAlgorithm.SHA_256, content=f.sha256_actual)]
                    if f.sha256_actual
                    else [],
                    properties=fprops,
                )
            )
    return Component(
        type=ComponentType.DATA if node.kind is NodeKind.DATASET else ComponentType.MACHINE_LEARNING_MODEL,
        name=node.id,
        bom_ref=ref,
        version=node.revision,
        group=org,
        supplier=OrganizationalEntity(name=org) if org else None,
        licenses=_licenses(node),
        purl=PackageURL.from_string(p) if p else None,
        external_references=refs,
        properties=props,
        components=files,
    )


def build_bom_json(report: ScanReport) -> dict[str, Any]:
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component, ComponentType, Pedigree
    from cyclonedx.model.tool import ToolRepository
    from cyclonedx.output.json import JsonV1Dot6

    r = report.sorted()
    nodes = {n.id: n for n in r.nodes}
    ids = sorted({*nodes, *(e.child for e in r.edges), *(e.parent for e in r.edges), r.target.id})

    def node_of(nid: str) -> Node:
        return nodes.get(nid) or Node(
            id=nid, kind=NodeKind.MODEL, resolved=False, unresolved_reason="not in the report"
        )

    parents: dict[str, list[tuple[Relation, str]]] = defaultdict(list)
    for e in r.edges:
        parents[e.child].append((e.relation, e.parent))

    components: dict[str, Component] = {}
    for nid in ids:
        node = node_of(nid)
        comp = _component(node, bom_ref(nid))
        ancestors = [
            _component(node_of(p), f"{bom_ref(nid)}:ancestor:{node_ref(p)}", with_files=False)
            for rel, p in sorted(parents[nid], key=lambda x: x[1])
            if rel is not Relation.TRAINED_ON
        ]
        if ancestors:
            notes = "; ".join(
                f"{rel.value} of {p}"
                for rel, p in sorted(parents[nid], key=lambda x: x[1])
                if rel is not Relation.TRAINED_ON
            )
            comp.pedigree = Pedigree(ancestors=ancestors, notes=notes)
        for f in r.findings:
            if f.node == nid:
                state = "waived " if f.waived else ""
                comp.properties.add(
                    Property(
                        name="modelaudit:finding",
                        value=f"{state}{f.severity.value} {f.rule} {f.name}: {f.message}",
                    )
                )
        for ob in r.obligations:
            for c in ob.checks:
                if c.node == nid and c.status is not ObligationStatus.NOT_APPLICABLE:
                    comp.properties.add(Property(name="modelaudit:obligation", value=obligation_line(ob, c)))
        components[nid] = comp

    tool = Component(
        type=ComponentType.APPLICATION,
        name=r.tool.name,
        version=r.tool.version,
        bom_ref=f"tool:{r.tool.name}",
    )
    metadata = BomMetaData(
        tools=ToolRepository(components=[tool]),
        component=components[r.target.id],
        timestamp=report_time(r).replace(tzinfo=UTC),
        properties=[
            Property(name="modelaudit:policy", value=r.policy.name),
            Property(name="modelaudit:verdict", value=r.verdict.value),
            Property(name="modelaudit:schema-version", value=r.schema_version),
        ],
    )
    serial = uuid.uuid5(uuid.NAMESPACE_URL, f"modelaudit:{r.target.id}:{report_digest(r)}")
    bom = Bom(
        serial_number=serial,
        metadata=metadata,
        components=[c for nid, c in components.items() if nid != r.target.id],
    )
    for nid in ids:
        deps = [components[p] for _, p in sorted(parents[nid], key=lambda x: x[1])]
        bom.register_dependency(components[nid], deps)
    data: dict[str, Any] = json.loads(JsonV1Dot6(bom).output_as_string())

    # the parts the library does not model yet: modelCard on models, data on datasets
    def patch(comp: dict[str, Any]) -> None:
        nid = comp.get("name", "")
        node = nodes.get(nid)
        ref = comp.get("bom-ref", "")
        if node is None or ":ancestor:" in ref or ":file:" in ref:
            return
        if comp.get("type") == "machine-learning-model":
            datasets = [
                {"ref": bom_ref(p)}
                for rel, p in sorted(parents[nid], key=lambda x: x[1])
                if rel is Relation.TRAINED_ON
            ]
            card: dict[str, Any] = {"bom-ref": f"{ref}:model-card"}
            params: dict[str, Any] = {}
            if datasets:
                params["datasets"] = datasets
            if node.smoke is not None and node.smoke.task:
                params["task"] = node.smoke.task
            if params:
                card["modelParameters"] = params
            if node.license is not None and node.license.commercial_use.value != "yes":
                card["considerations"] = {
                    "useCases": [
                        f"commercial use under {node.license.id or 'an unknown license'}: "
                        f"{node.license.commercial_use.value}"
                    ],
                }
            comp["modelCard"] = card
        elif comp.get("type") == "data":
            comp["data"] = [
                {
                    "bom-ref": f"{ref}:data",
                    "type": "dataset",
                    "name": nid,
                    "governance": {
                        "owners": [{"organization": {"name": nid.removeprefix("datasets/").split("/", 1)[0]}}]
                    }
                    if "/" in nid and node.resolved
                    else {},
                }
            ]
            if not comp["data"][0]["governance"]:
                del comp["data"][0]["governance"]

    patch(data["metadata"]["component"])
    for comp in data.get("components", []):
        patch(comp)
    return data


class CycloneDxFormatter:
    name: ClassVar[str] = "cyclonedx"
    suffix: ClassVar[str] = ".cdx.json"

    def render(self, report: ScanReport) -> str:
        return json.dumps(build_bom_json(report), indent=2, ensure_ascii=False) + "\n"
