"""License compatibility along the lineage: real-world shapes, exact slugs, nodes and severities."""

from __future__ import annotations

import pytest
from _graphs import Lineage, slugs

from modelaudit.models import NodeKind, Relation, Severity, Verdict
from modelaudit.policy.model import Policy

LLAMA31 = "meta-llama/Llama-3.1-8B"
MISTRAL = "mistralai/Mistral-7B-v0.1"
GEMMA = "google/gemma-2-9b"
SD15 = "stable-diffusion-v1-5/stable-diffusion-v1-5"
NC_DATA = "datasets/acme/nc-chats"


def llama_lora(license_id: str, name: str = "acme/support-lora") -> Lineage:
    return (
        Lineage(name)
        .add(name, license_id, NodeKind.ADAPTER)
        .add(LLAMA31, "llama3.1")
        .link(name, LLAMA31, Relation.ADAPTER)
    )


def test_llama31_lora_declared_apache_is_an_error() -> None:
    lin = llama_lora("apache-2.0")
    found = lin.findings()
    assert slugs(found) == {
        ("use-restrictions-dropped", "acme/support-lora", "error"),
        ("naming-duty", "acme/support-lora", "warning"),
    }
    dropped = next(f for f in found if f.name == "use-restrictions-dropped")
    assert dropped.rule == "MA201"
    assert "acme/support-lora declares Apache-2.0" in dropped.message
    assert LLAMA31 in dropped.message and "Llama 3.1 Community License" in dropped.message
    assert {e.value for e in dropped.evidence} >= {
        "Apache-2.0",
        "llama3.1",
        f"acme/support-lora -> {LLAMA31}",
    }
    assert lin.verdict() is Verdict.FAIL


def test_llama31_lora_under_llama_terms_and_llama_name_passes() -> None:
    lin = llama_lora("llama3.1", name="acme/Llama-3.1-8B-support-lora")
    assert lin.findings() == []
    assert lin.verdict() is Verdict.PASS


def test_llama_lora_under_an_and_expression_carries_the_terms() -> None:
    lin = llama_lora("Apache-2.0 AND llama3.1", name="acme/Llama-support")
    lin.licenses["acme/Llama-support"] = lin.licenses["acme/Llama-support"].model_copy(
        update={"id": "Apache-2.0 AND llama3.1"}
    )
    assert slugs(lin.findings()) == set()


def test_mit_model_whose_base_is_llama31_is_an_error() -> None:
    lin = (
        Lineage("acme/Llama-3.1-mit-chat")
        .add("acme/Llama-3.1-mit-chat", "mit")
        .add(LLAMA31, "llama3.1")
        .link("acme/Llama-3.1-mit-chat", LLAMA31, Relation.FINETUNE)
    )
    assert slugs(lin.findings()) == {("use-restrictions-dropped", "acme/Llama-3.1-mit-chat", "error")}
    assert lin.verdict() is Verdict.FAIL


def test_grandchild_of_llama_reports_each_dropping_node_once() -> None:
    lin = (
        Lineage("acme/Llama-q")
        .add("acme/Llama-q", "mit")
        .add("acme/Llama-mid", "mit")
        .add(LLAMA31, "llama3.1")
        .link("acme/Llama-q", "acme/Llama-mid", Relation.QUANTIZED)
        .link("acme/Llama-mid", LLAMA31, Relation.FINETUNE)
    )
    found = lin.findings()
    assert slugs(found) == {
        ("use-restrictions-dropped", "acme/Llama-q", "error"),
        ("use-restrictions-dropped", "acme/Llama-mid", "error"),
    }
    far = next(f for f in found if f.node == "acme/Llama-q")
    assert f"via acme/Llama-q → acme/Llama-mid → {LLAMA31}" in far.message


def test_mit_finetune_of_apache_mistral_on_mit_data_passes() -> None:
    lin = (
        Lineage("acme/mistral-tune")
        .add("acme/mistral-tune", "mit")
        .add(MISTRAL, "apache-2.0")
        .add("datasets/acme/instructions", "mit", NodeKind.DATASET)
        .add("datasets/acme/dialogues", "mit", NodeKind.DATASET)
        .link("acme/mistral-tune", MISTRAL, Relation.FINETUNE)
        .link("acme/mistral-tune", "datasets/acme/instructions", Relation.TRAINED_ON)
        .link("acme/mistral-tune", "datasets/acme/dialogues", Relation.TRAINED_ON)
    )
    for policy in ("default", "permissive-only", "commercial", "research", "strict-ci"):
        assert lin.findings(policy) == [], policy
        assert lin.verdict(policy) is Verdict.PASS


def test_gemma_finetune_declared_apache_is_an_error() -> None:
    lin = (
        Lineage("acme/gemma-tune")
        .add("acme/gemma-tune", "apache-2.0")
        .add(GEMMA, "gemma")
        .link("acme/gemma-tune", GEMMA, Relation.FINETUNE)
    )
    found = lin.findings()
    assert slugs(found) == {("use-restrictions-dropped", "acme/gemma-tune", "error")}
    assert "Gemma Terms of Use" in found[0].message
    assert "ai.google.dev/gemma/prohibited_use_policy" in found[0].message


def nc_data_finetune() -> Lineage:
    return (
        Lineage("acme/helpdesk")
        .add("acme/helpdesk", "apache-2.0")
        .add(MISTRAL, "apache-2.0")
        .add(NC_DATA, "cc-by-nc-4.0", NodeKind.DATASET)
        .link("acme/helpdesk", MISTRAL, Relation.FINETUNE)
        .link("acme/helpdesk", NC_DATA, Relation.TRAINED_ON)
    )


@pytest.mark.parametrize(
    ("policy", "expected", "verdict"),
    [
        ("default", {("noncommercial-upstream", "acme/helpdesk", "warning")}, Verdict.PASS),
        (
            "commercial",
            {("noncommercial-upstream", "acme/helpdesk", "error"), ("use-not-permitted", NC_DATA, "error")},
            Verdict.FAIL,
        ),
        ("research", {("noncommercial-upstream", "acme/helpdesk", "note")}, Verdict.PASS),
        ("strict-ci", {("noncommercial-upstream", "acme/helpdesk", "error")}, Verdict.FAIL),
        (
            "permissive-only",
            {("noncommercial-upstream", "acme/helpdesk", "error"), ("license-denied", NC_DATA, "error")},
            Verdict.FAIL,
        ),
    ],
)
def test_finetune_on_cc_by_nc_dataset_declared_apache(
    policy: str, expected: set[tuple[str, str, str]], verdict: Verdict
) -> None:
    lin = nc_data_finetune()
    found = lin.findings(policy)
    assert slugs(found) == expected
    nc = next(f for f in found if f.name == "noncommercial-upstream")
    assert NC_DATA in nc.message and "CC-BY-NC-4.0" in nc.message and "legally unsettled" in nc.message
    assert lin.verdict(policy) is verdict


@pytest.mark.parametrize(("setting", "expected"), [("error", "error"), ("note", "note"), ("ignore", None)])
def test_dataset_setting_decides_dataset_findings(setting: str, expected: str | None) -> None:
    policy = Policy(name="t", datasets=setting)  # type: ignore[arg-type]
    found = nc_data_finetune().findings(policy)
    assert slugs(found) == ({("noncommercial-upstream", "acme/helpdesk", expected)} if expected else set())


def test_merge_of_apache_and_cc_by_nc_parents() -> None:
    lin = (
        Lineage("acme/merged")
        .add("acme/merged", "apache-2.0")
        .add("acme/open-parent", "apache-2.0")
        .add("acme/nc-parent", "cc-by-nc-4.0")
        .link("acme/merged", "acme/open-parent", Relation.MERGE)
        .link("acme/merged", "acme/nc-parent", Relation.MERGE)
    )
    found = lin.findings()
    assert slugs(found) == {("noncommercial-upstream", "acme/merged", "error")}
    assert "its merge parent acme/nc-parent (merge)" in found[0].message
    assert lin.verdict() is Verdict.FAIL
    # the merge declared under the stricter parent's license is consistent
    lin.licenses["acme/merged"] = lin.licenses["acme/nc-parent"]
    assert lin.findings() == []


def test_merge_combines_every_parents_constraints() -> None:
    lin = (
        Lineage("acme/Llama-gpl-merge")
        .add("acme/Llama-gpl-merge", "llama3.1")
        .add("acme/gpl-parent", "gpl-3.0")
        .add(LLAMA31, "llama3.1")
        .link("acme/Llama-gpl-merge", "acme/gpl-parent", Relation.MERGE)
        .link("acme/Llama-gpl-merge", LLAMA31, Relation.MERGE)
    )
    found = lin.findings()
    assert slugs(found) == {("license-conflict", "acme/Llama-gpl-merge", "error")}
    messages = " | ".join(f.message for f in found)
    assert "share-alike GNU General Public License v3.0 only (GPL-3.0-only)" in messages
    # the merge-level finding names both parents' licenses
    assert "cannot all be met" in messages and "llama3.1 (from meta-llama/Llama-3.1-8B)" in messages


def test_stable_diffusion_lora_declared_mit_is_an_error() -> None:
    lin = (
        Lineage("acme/sd-style-lora")
        .add("acme/sd-style-lora", "mit", NodeKind.ADAPTER)
        .add(SD15, "creativeml-openrail-m")
        .link("acme/sd-style-lora", SD15, Relation.ADAPTER)
    )
    found = lin.findings()
    assert slugs(found) == {("use-restrictions-dropped", "acme/sd-style-lora", "error")}
    assert "CreativeML Open RAIL-M" in found[0].message
    # RAIL licenses may be replaced by another license that keeps the use restrictions
    lin.licenses["acme/sd-style-lora"] = lin.licenses[SD15].model_copy(update={"id": "openrail++"})
    assert lin.findings() == []


def test_bert_to_distilbert_both_apache_passes() -> None:
    lin = (
        Lineage("distilbert/distilbert-base-uncased")
        .add("distilbert/distilbert-base-uncased", "apache-2.0")
        .add("google-bert/bert-base-uncased", "apache-2.0")
        .link("distilbert/distilbert-base-uncased", "google-bert/bert-base-uncased", Relation.DERIVED)
    )
    for policy in ("default", "permissive-only", "commercial", "strict-ci"):
        assert lin.findings(policy) == []
    # require_osi: Apache-2.0 is OSI-approved
    assert lin.findings(Policy(name="osi", require_osi=True)) == []


def test_quantized_copy_must_keep_its_source_license() -> None:
    lin = (
        Lineage("acme/mistral-gguf")
        .add("acme/mistral-gguf", "mit")
        .add(MISTRAL, "apache-2.0")
        .link("acme/mistral-gguf", MISTRAL, Relation.QUANTIZED)
    )
    found = lin.findings()
    assert slugs(found) == {("license-conflict", "acme/mistral-gguf", "error")}
    assert "quantized copy" in found[0].message and "Apache-2.0" in found[0].message
    lin.licenses["acme/mistral-gguf"] = lin.licenses[MISTRAL]
    assert lin.findings() == []


def test_quantized_llama_declared_mit_is_reported_once_as_dropped_terms() -> None:
    lin = (
        Lineage("acme/Llama-gguf")
        .add("acme/Llama-gguf", "mit")
        .add(LLAMA31, "llama3.1")
        .link("acme/Llama-gguf", LLAMA31, Relation.QUANTIZED)
    )
    assert slugs(lin.findings()) == {("use-restrictions-dropped", "acme/Llama-gguf", "error")}


def test_share_alike_upstream_with_non_share_alike_derivative() -> None:
    lin = (
        Lineage("acme/tune")
        .add("acme/tune", "mit")
        .add("acme/sa-base", "cc-by-sa-4.0")
        .add("datasets/acme/wiki", "cc-by-sa-4.0", NodeKind.DATASET)
        .link("acme/tune", "acme/sa-base", Relation.FINETUNE)
        .link("acme/tune", "datasets/acme/wiki", Relation.TRAINED_ON)
    )
    found = lin.findings()
    # the model parent is an error; the share-alike data only a concern (dataset setting: warning), reported
    # once per license and node: the nearest (model) path wins
    assert slugs(found) == {("license-conflict", "acme/tune", "error")}
    assert "acme/sa-base" in found[0].message
    lin.licenses["acme/tune"] = lin.licenses["acme/sa-base"]
    assert lin.findings() == []


def test_share_alike_data_alone_is_a_dataset_concern() -> None:
    lin = (
        Lineage("acme/tune")
        .add("acme/tune", "mit")
        .add("datasets/acme/wiki", "cc-by-sa-4.0", NodeKind.DATASET)
        .link("acme/tune", "datasets/acme/wiki", Relation.TRAINED_ON)
    )
    assert slugs(lin.findings()) == {("license-conflict", "acme/tune", "warning")}
    # ODbL share-alike covers derivative databases, not models trained on them
    lin.licenses["datasets/acme/wiki"] = lin.licenses["acme/tune"].model_copy(update={"id": "ODbL-1.0"})
    assert lin.findings() == []


def test_no_derivatives_upstream_with_any_derivative() -> None:
    lin = (
        Lineage("acme/nd-tune")
        .add("acme/nd-tune", "cc-by-nd-4.0")
        .add("acme/nd-base", "cc-by-nd-4.0")
        .link("acme/nd-tune", "acme/nd-base", Relation.FINETUNE)
    )
    found = lin.findings()
    assert slugs(found) == {("license-conflict", "acme/nd-tune", "error")}
    assert "forbids sharing adapted material" in found[0].message
    # a quantized copy under the same license is a format change, not an adaptation
    q = (
        Lineage("acme/nd-q")
        .add("acme/nd-q", "cc-by-nd-4.0")
        .add("acme/nd-base", "cc-by-nd-4.0")
        .link("acme/nd-q", "acme/nd-base", Relation.QUANTIZED)
    )
    assert q.findings() == []


def test_stability_nc_terms_must_stay_with_derivatives() -> None:
    lin = (
        Lineage("acme/turbo-lora")
        .add("acme/turbo-lora", "sai-nc-community", NodeKind.ADAPTER)
        .add("stabilityai/sdxl-turbo", "sai-nc-community")
        .link("acme/turbo-lora", "stabilityai/sdxl-turbo", Relation.ADAPTER)
    )
    assert lin.findings() == []
    lin.licenses["acme/turbo-lora"] = lin.licenses["stabilityai/sdxl-turbo"].model_copy(
        update={"id": "cc-by-nc-4.0"}
    )
    assert slugs(lin.findings()) == {("use-restrictions-dropped", "acme/turbo-lora", "error")}


def test_unknown_derivative_license_is_left_to_the_license_stage() -> None:
    lin = llama_lora("some-custom-license", name="acme/Llama-x")
    assert slugs(lin.findings()) == set()


def test_naming_duty_checks_repo_and_card_names() -> None:
    lin = llama_lora("llama3.1", name="acme/support-bot")
    found = lin.findings()
    assert slugs(found) == {("naming-duty", "acme/support-bot", "warning")}
    assert 'beginning with "Llama"' in found[0].message
    named = llama_lora("llama3.1", name="acme/support-bot")
    named.nodes["acme/support-bot"].record.card_data["model_name"] = "Llama-3.1-Support-Bot"  # type: ignore[union-attr]
    assert named.findings() == []


def test_llama3_prefix_is_llama_3() -> None:
    lin = (
        Lineage("acme/Llama-tuned")
        .add("acme/Llama-tuned", "llama3")
        .add("meta-llama/Meta-Llama-3-8B", "llama3")
        .link("acme/Llama-tuned", "meta-llama/Meta-Llama-3-8B", Relation.FINETUNE)
    )
    found = lin.findings()
    assert slugs(found) == {("naming-duty", "acme/Llama-tuned", "warning")}
    assert '"Llama 3"' in found[0].message


def test_policy_allow_deny_and_require_osi() -> None:
    lin = llama_lora("llama3.1", name="acme/Llama-lora")
    denied = lin.findings(Policy(name="no-llama", deny={"ids": ["LLAMA3.1"]}))  # type: ignore[arg-type]
    assert slugs(denied) == {
        ("license-denied", "acme/Llama-lora", "error"),
        ("license-denied", LLAMA31, "error"),
    }
    assert "denies (id LLAMA3.1)" in denied[0].message
    only = lin.findings("permissive-only")
    assert slugs(only) == {
        ("license-denied", "acme/Llama-lora", "error"),
        ("license-denied", LLAMA31, "error"),
    }
    assert "not among the licenses policy 'permissive-only' allows: permissive" in only[0].message
    osi = lin.findings(Policy(name="osi", require_osi=True))
    assert slugs(osi) == {
        ("license-denied", "acme/Llama-lora", "error"),
        ("license-denied", LLAMA31, "error"),
    }
    assert "not OSI-approved" in osi[0].message


def test_severity_overrides_and_disabled_rules_apply() -> None:
    lin = llama_lora("apache-2.0")
    policy = Policy(
        name="t",
        severity={"use-restrictions-dropped": Severity.WARNING},
        disabled_rules=["MA204"],
    )
    assert slugs(lin.findings(policy)) == {("use-restrictions-dropped", "acme/support-lora", "warning")}
    assert lin.verdict(policy) is Verdict.PASS


def test_naming_duty_exempts_the_licensors_own_releases() -> None:
    lin = (
        Lineage("meta-llama/Meta-Llama-3.1-8B-Instruct")
        .add("meta-llama/Meta-Llama-3.1-8B-Instruct", "llama3.1")
        .add(LLAMA31, "llama3.1")
        .link("meta-llama/Meta-Llama-3.1-8B-Instruct", LLAMA31, Relation.FINETUNE)
    )
    assert lin.findings() == []
    # the same name published by someone else breaks the duty
    other = (
        Lineage("acme/Meta-Llama-3.1-8B-Instruct")
        .add("acme/Meta-Llama-3.1-8B-Instruct", "llama3.1")
        .add(LLAMA31, "llama3.1")
        .link("acme/Meta-Llama-3.1-8B-Instruct", LLAMA31, Relation.FINETUNE)
    )
    assert slugs(other.findings()) == {("naming-duty", "acme/Meta-Llama-3.1-8B-Instruct", "warning")}
