"""SPDX 2.3, SPDX 3.0.1 and CycloneDX 1.6: valid per their own validators, lineage in native relationships."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
from sample_report import BASE, DATASET, FINETUNE, TARGET, UNRESOLVED, big_report, sample_report

from modelaudit.formats import get_formatter
from modelaudit.formats._ids import spdx_expression
from modelaudit.formats.spdx import build_document, package_id

# ------------------------------------------------------------------------------------------------ SPDX 2.3


def test_spdx_document_passes_the_spdx_tools_validator() -> None:
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    for report in (sample_report(), big_report(50)):
        assert validate_full_spdx_document(build_document(report)) == []


def test_spdx_json_parses_back_and_keeps_lineage(tmp_path: Any) -> None:
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    path = tmp_path / "sample.spdx.json"
    path.write_text(str(get_formatter("spdx").render(sample_report())))
    doc = parse_file(str(path))
    assert validate_full_spdx_document(doc) == []
    rels = {
        (r.spdx_element_id, r.relationship_type.name, r.related_spdx_element_id) for r in doc.relationships
    }
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", package_id(TARGET)) in rels
    assert (package_id(TARGET), "VARIANT_OF", package_id(FINETUNE)) in rels
    assert (package_id(FINETUNE), "DESCENDANT_OF", package_id(BASE)) in rels
    assert (package_id(FINETUNE), "GENERATED_FROM", package_id(DATASET)) in rels
    by_name = {p.name: p for p in doc.packages}
    assert str(by_name[BASE].license_declared) == "LicenseRef-llama2"
    assert str(by_name[TARGET].license_declared) == "Apache-2.0"
    assert [e.license_id for e in doc.extracted_licensing_info] == ["LicenseRef-llama2"]
    assert (
        by_name[BASE].external_references[0].locator.startswith("pkg:huggingface/meta-llama/Llama-2-7b-hf@")
    )
    assert any("waived" in a.annotation_comment for a in doc.annotations)


def test_license_expressions_map_to_spdx() -> None:
    assert spdx_expression("apache-2.0") == ("Apache-2.0", [])
    assert spdx_expression("mit OR llama3.1") == ("MIT OR LicenseRef-llama3.1", ["llama3.1"])
    assert spdx_expression("gpl-2.0-only WITH classpath-exception-2.0") == (
        "GPL-2.0-only WITH Classpath-exception-2.0",
        [],
    )
    assert spdx_expression("(MIT AND other)")[0] == "(MIT AND LicenseRef-other)"


# ------------------------------------------------------------------------------------------------ SPDX 3


@pytest.fixture(scope="module")
def spdx3() -> dict[str, Any]:
    return dict(json.loads(str(get_formatter("spdx3").render(sample_report()))))


def test_spdx3_round_trips_through_the_official_bindings(spdx3: dict[str, Any]) -> None:
    import io

    from spdx_python_model import v3_0_1 as spdx

    objset = spdx.SHACLObjectSet()
    spdx.JSONLDDeserializer().read(io.BytesIO(json.dumps(spdx3).encode()), objset)
    ai = list(objset.foreach_type(spdx.ai_AIPackage))
    data = list(objset.foreach_type(spdx.dataset_DatasetPackage))
    assert {p.name for p in ai} == {TARGET, FINETUNE, BASE}
    assert {p.name for p in data} == {DATASET, UNRESOLVED}


def test_spdx3_structure_is_closed_and_uses_ai_relationships(spdx3: dict[str, Any]) -> None:
    assert spdx3["@context"] == "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    graph = spdx3["@graph"]
    ids = {o.get("spdxId") or o.get("@id") for o in graph}
    by_id = {o.get("spdxId"): o for o in graph if "spdxId" in o}
    doc = next(o for o in graph if o["type"] == "SpdxDocument")
    assert set(doc["profileConformance"]) >= {"core", "software", "ai", "dataset", "simpleLicensing"}
    assert all(e in ids for e in doc["element"]) and all(e in ids for e in doc["rootElement"])
    for o in graph:
        if o["type"] != "CreationInfo":
            assert o["creationInfo"] in ids
    rels = [o for o in graph if o["type"] == "Relationship"]
    for rel in rels:
        assert rel["from"] in ids and all(t in ids for t in rel["to"])
    named = {(by_id[r["from"]]["name"], r["relationshipType"], by_id[r["to"][0]].get("name")) for r in rels}
    assert (FINETUNE, "descendantOf", BASE) in named
    assert (FINETUNE, "trainedOn", DATASET) in named
    assert (FINETUNE, "hasVariant", TARGET) in named
    licenses = {
        by_id[r["from"]]["name"]: by_id[r["to"][0]]["simplelicensing_licenseExpression"]
        for r in rels
        if r["relationshipType"] == "hasDeclaredLicense"
    }
    assert licenses[BASE] == "LicenseRef-llama2" and licenses[DATASET] == "CC-BY-NC-4.0"
    for o in graph:
        if o["type"] == "ai_AIPackage":
            assert o["software_primaryPurpose"] == "model"
        if o["type"] == "dataset_DatasetPackage":
            assert o["software_primaryPurpose"] == "data" and o["dataset_datasetType"]


# ------------------------------------------------------------------------------------------------ CycloneDX


@functools.cache
def _validator() -> Any:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    return JsonStrictValidator(SchemaVersion.V1_6)


@pytest.mark.parametrize("builder", [sample_report, big_report])
def test_cyclonedx_passes_the_strict_1_6_schema(builder: Any) -> None:
    out = str(get_formatter("cyclonedx").render(builder()))
    assert _validator().validate_str(out) is None


def test_cyclonedx_validator_really_checks_model_card() -> None:
    bom = json.loads(str(get_formatter("cyclonedx").render(sample_report())))
    bom["metadata"]["component"]["modelCard"]["notAField"] = 1
    assert _validator().validate_str(json.dumps(bom)) is not None


def test_cyclonedx_lineage_is_native() -> None:
    bom = json.loads(str(get_formatter("cyclonedx").render(sample_report())))
    assert bom["specVersion"] == "1.6"
    target = bom["metadata"]["component"]
    assert target["name"] == TARGET and target["type"] == "machine-learning-model"
    comps = {c["name"]: c for c in bom["components"]}
    refs = {c["bom-ref"] for c in bom["components"]} | {target["bom-ref"]}
    assert [a["name"] for a in target["pedigree"]["ancestors"]] == [FINETUNE]
    ft = comps[FINETUNE]
    assert [a["name"] for a in ft["pedigree"]["ancestors"]] == [BASE]
    datasets = ft["modelCard"]["modelParameters"]["datasets"]
    assert {d["ref"] for d in datasets} == {comps[DATASET]["bom-ref"], comps[UNRESOLVED]["bom-ref"]}
    assert all(d["ref"] in refs for d in datasets)
    assert comps[DATASET]["type"] == "data" and comps[DATASET]["data"][0]["type"] == "dataset"
    deps = {d["ref"]: set(d.get("dependsOn", [])) for d in bom["dependencies"]}
    assert deps[ft["bom-ref"]] == {
        comps[BASE]["bom-ref"],
        comps[DATASET]["bom-ref"],
        comps[UNRESOLVED]["bom-ref"],
    }
    files = {f["name"]: f for f in target["components"]}
    gguf = files["chat-assistant-7b.Q4_K_M.gguf"]
    assert {p["name"]: p["value"] for p in gguf["properties"]}["modelaudit:verification"] == "mismatch"


def test_bom_ids_are_derived_from_content() -> None:
    a = json.loads(str(get_formatter("cyclonedx").render(sample_report())))
    changed = sample_report().model_copy(update={"generated_at": "2026-12-01T00:00:00Z"})
    b = json.loads(str(get_formatter("cyclonedx").render(changed)))
    assert a["serialNumber"] != b["serialNumber"]
    assert a["metadata"]["component"]["bom-ref"] == b["metadata"]["component"]["bom-ref"]
    s1 = json.loads(str(get_formatter("spdx").render(sample_report())))
    s2 = json.loads(str(get_formatter("spdx").render(changed)))
    assert s1["documentNamespace"] != s2["documentNamespace"]
    assert s1["creationInfo"]["created"] == "2026-11-28T12:00:00Z"
