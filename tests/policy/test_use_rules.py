"""Intended use against every license in the lineage: use-not-permitted and use-terms-unreviewed."""

from __future__ import annotations

from typing import Any

import pytest
from _graphs import Lineage, slugs
from pydantic import ValidationError

from modelaudit.models import NodeKind, Relation, Verdict
from modelaudit.policy.model import IntendedUse, Policy

VISION = "meta-llama/Llama-3.2-11B-Vision-Instruct"
MLLAMA = {"model_type": "mllama", "architectures": ["MllamaForConditionalGeneration"]}


def policy(**use: Any) -> Policy:
    return Policy(name="use", intended_use=IntendedUse(**use))


def single(key: str, license_id: str, kind: NodeKind = NodeKind.MODEL, **kw: Any) -> Lineage:
    return Lineage(key).add(key, license_id, kind, **kw)


def test_no_declared_use_means_no_use_findings() -> None:
    assert single("deepseek-ai/x", "deepseek").findings(policy()) == []


def test_deepseek_forbids_defence_and_names_license_clause_and_node() -> None:
    found = single("deepseek-ai/x", "deepseek").findings(policy(fields_of_use=["military"]))
    assert slugs(found) == {("use-not-permitted", "deepseek-ai/x", "error")}
    msg = found[0].message
    assert "deepseek-ai/x is under the DeepSeek License Agreement v1.0" in msg
    assert "use restrictions (Attachment A)" in msg and "forbids military uses" in msg


def test_qualified_restriction_is_a_warning_to_read_the_clause() -> None:
    found = single("meta-llama/Llama-3.1-8B", "llama3.1").findings(policy(fields_of_use=["medical"]))
    assert slugs(found) == {("use-not-permitted", "meta-llama/Llama-3.1-8B", "warning")}
    assert "restricts some forms of medical-advice" in found[0].message
    assert "llama3_1/use-policy" in found[0].message


def test_eu_multimodal_restriction_depends_on_modality() -> None:
    eu = policy(regions=["fr"])
    vision = single(VISION, "llama3.2", config=MLLAMA)
    assert slugs(vision.findings(eu)) == {("use-not-permitted", VISION, "error")}
    text = single("meta-llama/Llama-3.2-1B", "llama3.2", config={"model_type": "llama"})
    assert text.findings(eu) == []
    # the 3.1 use policy has no EU clause
    assert single("meta-llama/Llama-3.1-8B", "llama3.1", config=MLLAMA).findings(eu) == []


def test_adapter_inherits_modality_from_its_base_and_unknown_modality_warns() -> None:
    lin = (
        Lineage("acme/Llama-vision-lora")
        .add("acme/Llama-vision-lora", "llama3.2", NodeKind.ADAPTER)
        .add(VISION, "llama3.2", config=MLLAMA)
        .link("acme/Llama-vision-lora", VISION, Relation.ADAPTER)
    )
    assert slugs(lin.findings(policy(regions=["EU"]))) == {
        ("use-not-permitted", "acme/Llama-vision-lora", "error"),
        ("use-not-permitted", VISION, "error"),
    }
    unknown = single("acme/Llama-mystery", "llama3.2")
    found = unknown.findings(policy(regions=["EU"]))
    assert slugs(found) == {("use-not-permitted", "acme/Llama-mystery", "warning")}
    assert "nothing says whether" in found[0].message


def test_commercial_use_of_noncommercial_and_research_only_licenses() -> None:
    for license_id in ("cc-by-nc-4.0", "mrl", "qwen-research"):
        found = single("acme/m", license_id).findings(policy(commercial_product=True))
        assert slugs(found) == {("use-not-permitted", "acme/m", "error")}, license_id
    assert single("acme/m", "mrl").findings(policy(internal_research_only=True)) == []


def test_dataset_licenses_follow_the_dataset_setting() -> None:
    lin = single("datasets/acme/nc", "cc-by-nc-4.0", NodeKind.DATASET)
    assert slugs(lin.findings(policy(commercial_product=True))) == {
        ("use-not-permitted", "datasets/acme/nc", "warning")
    }
    ignore = Policy(name="t", datasets="ignore", intended_use=IntendedUse(commercial_product=True))  # type: ignore[arg-type]
    assert lin.findings(ignore) == []


def test_hosting_redistribution_and_finetune_release() -> None:
    assert slugs(
        single("stabilityai/sdxl-turbo", "sai-nc-community").findings(policy(hosted_service=True))
    ) == {("use-not-permitted", "stabilityai/sdxl-turbo", "error")}
    found = single("stabilityai/sdxl-turbo", "sai-nc-community").findings(policy(hosted_service=True))
    assert len(found) == 2  # non-commercial grant, and no hosted service
    assert slugs(
        single("microsoft/x", "microsoft-research-license").findings(policy(redistribute_weights=True))
    ) == {("use-not-permitted", "microsoft/x", "error")}
    nd = single("datasets/acme/nd", "cc-by-nd-4.0", NodeKind.DATASET).findings(policy(release_finetunes=True))
    assert slugs(nd) == {("use-not-permitted", "datasets/acme/nd", "warning")}


@pytest.mark.parametrize(
    ("license_id", "use", "hit"),
    [
        ("llama3.1", {"monthly_active_users": 800_000_000}, "700,000,000"),
        ("qwen", {"monthly_active_users": 150_000_000}, "100,000,000"),
        ("stabilityai-ai-community", {"annual_revenue_usd": 5_000_000}, "US$1,000,000"),
    ],
)
def test_caps_exceeded(license_id: str, use: dict[str, int], hit: str) -> None:
    found = single("acme/m", license_id).findings(policy(**use))
    assert slugs(found) == {("use-not-permitted", "acme/m", "error")}
    assert hit in found[0].message


@pytest.mark.parametrize(
    ("license_id", "use"),
    [
        ("llama3.1", {"monthly_active_users": 10_000_000}),
        ("stabilityai-ai-community", {"annual_revenue_usd": 500_000}),
    ],
)
def test_caps_not_exceeded(license_id: str, use: dict[str, int]) -> None:
    assert single("acme/m", license_id).findings(policy(**use)) == []


def test_unreviewed_use_policy_is_unverified_not_permitted() -> None:
    lin = single("tiiuae/Falcon3-7B-Base", "falcon-3-tii")
    found = lin.findings(policy(fields_of_use=["defence"]))
    assert slugs(found) == {("use-terms-unreviewed", "tiiuae/Falcon3-7B-Base", "warning")}
    assert "falconllm.tii.ae/acceptable-use-policy" in found[0].message
    assert lin.verdict(Policy(name="t", intended_use=IntendedUse(fields_of_use=["defence"]))) is Verdict.PASS  # type: ignore[list-item]
    strict = Policy(
        name="strict",
        fail_on="warning",  # type: ignore[arg-type]
        severity={"use-terms-unreviewed": "error"},  # type: ignore[dict-item]
        intended_use=IntendedUse(fields_of_use=["defence"]),  # type: ignore[list-item]
    )
    assert slugs(lin.findings(strict)) == {("use-terms-unreviewed", "tiiuae/Falcon3-7B-Base", "error")}


def test_every_license_in_the_lineage_is_matched() -> None:
    lin = (
        Lineage("acme/apache-tune")
        .add("acme/apache-tune", "apache-2.0")
        .add("deepseek-ai/base", "deepseek")
        .link("acme/apache-tune", "deepseek-ai/base", Relation.FINETUNE)
    )
    found = lin.findings(policy(fields_of_use=["defence"]))
    assert slugs(found) == {
        ("use-restrictions-dropped", "acme/apache-tune", "error"),
        ("use-not-permitted", "deepseek-ai/base", "error"),
    }


def test_intended_use_validation() -> None:
    with pytest.raises(ValidationError, match="internal_research_only contradicts"):
        IntendedUse(internal_research_only=True, commercial_product=True)
    with pytest.raises(ValidationError, match="not a region code"):
        IntendedUse(regions=["Europe"])
    with pytest.raises(ValidationError):
        IntendedUse(fields_of_use=["astrology"])  # type: ignore[list-item]
    use = IntendedUse(fields_of_use=["Defense", "healthcare"], regions=["de"])  # type: ignore[list-item]
    assert [f.value for f in use.fields_of_use] == ["defence", "medical"]
    assert use.in_eu and not IntendedUse(regions=["US", "CH"]).in_eu
