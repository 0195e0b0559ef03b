"""End to end on the fake Hub: real-world lineage shapes through the real scan, exact slugs, nodes, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import modelaudit
from cli_run import run_cli as cli
from fakehub import FakeHub
from modelaudit.licenses.db import load_db
from modelaudit.licenses.texts import shipped_text
from modelaudit.models import ScanReport, Verdict, VerifyMode
from modelaudit.remediate import license_text

LLAMA31 = "meta-llama/Llama-3.1-8B"
MISTRAL = "mistralai/Mistral-7B-v0.1"
GEMMA = "google/gemma-2-9b"
SD15 = "stable-diffusion-v1-5/stable-diffusion-v1-5"
BERT = "google-bert/bert-base-uncased"
VISION = "meta-llama/Llama-3.2-11B-Vision-Instruct"
DEEPSEEK = "deepseek-ai/deepseek-llm-7b-base"

# the policy engine's license and use rules (the license stage's MA1xx findings are not ours, and Hub scans
# in the default headers mode always carry a files-unverified note, asserted on its own below)
OURS = ("MA20", "MA21")


def card(front: dict[str, Any], body: str = "# model\n") -> str:
    return "---\n" + yaml.safe_dump(front, sort_keys=True) + "---\n" + body


def model(
    hub: FakeHub, repo_id: str, front: dict[str, Any], config: dict[str, Any] | None = None, **extra: str
) -> None:
    files: dict[str, str | bytes] = {"README.md": card(front)}
    if config is not None:
        files["config.json"] = json.dumps(config)
    files.update({name.replace("__", "."): data for name, data in extra.items()})
    hub.add_repo(repo_id, files)


def dataset(hub: FakeHub, repo_id: str, license_id: str) -> None:
    hub.add_repo(repo_id, {"README.md": card({"license": license_id})}, kind="dataset")


def ours(report: ScanReport) -> set[tuple[str, str, str]]:
    return {(f.name, f.node, f.severity.value) for f in report.findings if f.rule.startswith(OURS)}


@pytest.fixture
def hub(fakehub: FakeHub) -> FakeHub:
    """The upstream models every shape below builds on, as their cards declare them on the Hub."""
    model(fakehub, LLAMA31, {"license": "llama3.1", "library_name": "transformers"}, {"model_type": "llama"})
    model(fakehub, MISTRAL, {"license": "apache-2.0"}, {"model_type": "mistral"})
    model(fakehub, GEMMA, {"license": "gemma"}, {"model_type": "gemma2"})
    model(fakehub, SD15, {"license": "creativeml-openrail-m", "library_name": "diffusers"})
    model(fakehub, BERT, {"license": "apache-2.0"}, {"model_type": "bert"})
    model(
        fakehub,
        VISION,
        {"license": "llama3.2", "pipeline_tag": "image-text-to-text"},
        {"model_type": "mllama", "architectures": ["MllamaForConditionalGeneration"], "vision_config": {}},
    )
    model(
        fakehub,
        DEEPSEEK,
        {"license": "other", "license_name": "deepseek", "license_link": "LICENSE"},
        {"model_type": "llama"},
    )
    dataset(fakehub, "acme/instructions", "mit")
    dataset(fakehub, "acme/dialogues", "mit")
    dataset(fakehub, "acme/nc-chats", "cc-by-nc-4.0")
    return fakehub


def lora(hub: FakeHub, repo_id: str, license_id: str, base: str) -> None:
    model(
        hub,
        repo_id,
        {"license": license_id, "base_model": base, "library_name": "peft"},
        adapter_config__json=json.dumps({"base_model_name_or_path": base, "peft_type": "LORA", "r": 8}),
    )


def test_llama31_lora_declared_apache(hub: FakeHub) -> None:
    lora(hub, "acme/support-lora", "apache-2.0", LLAMA31)
    report = modelaudit.scan("acme/support-lora")
    assert ours(report) == {
        ("use-restrictions-dropped", "acme/support-lora", "error"),
        ("naming-duty", "acme/support-lora", "warning"),
    }
    assert report.verdict is Verdict.FAIL
    code, out, _ = cli("scan", "acme/support-lora", "-q", "-f", "json")
    assert code == 1 and json.loads(out)["verdict"] == "fail"


def test_mit_model_whose_base_is_llama31(hub: FakeHub) -> None:
    model(hub, "acme/Llama-3.1-8B-mit", {"license": "mit", "base_model": LLAMA31}, {"model_type": "llama"})
    report = modelaudit.scan("acme/Llama-3.1-8B-mit")
    assert ours(report) == {("use-restrictions-dropped", "acme/Llama-3.1-8B-mit", "error")}
    assert report.verdict is Verdict.FAIL
    # the use policy must be passed on: the MIT derivative does not (through its base); Meta's own release is
    # not bound by its own license
    flow = [o for o in report.obligations if o.kind == "flow-down-use-policy"]
    assert [(o.license, o.nodes) for o in flow] == [("llama3.1", ["acme/Llama-3.1-8B-mit", LLAMA31])]
    statuses = {(c.node, c.status.value, c.via) for c in flow[0].checks}
    assert statuses == {("acme/Llama-3.1-8B-mit", "unmet", LLAMA31), (LLAMA31, "not_applicable", None)}


def mistral_tune(hub: FakeHub) -> None:
    """A fine-tune that meets its obligations: MIT text with its copyright line; its base ships Apache-2.0's."""
    model(
        hub,
        "acme/mistral-tune",
        {"license": "mit", "base_model": MISTRAL, "datasets": ["acme/instructions", "acme/dialogues"]},
        {"model_type": "mistral"},
        LICENSE=license_text(load_db().get("MIT"), ["Copyright (c) 2024 Acme"]) or "",
        # Apache-2.0 asks every derivative to give recipients its text too (section 4(a))
        **{"LICENSE-THIRD-PARTY-Apache-2-0__txt": shipped_text(load_db().get("Apache-2.0")) or ""},
    )
    model(
        hub,
        MISTRAL,
        {"license": "apache-2.0"},
        {"model_type": "mistral"},
        LICENSE=shipped_text(load_db().get("Apache-2.0")) or "",
    )


@pytest.mark.parametrize("policy", ["default", "permissive-only", "commercial", "research", "strict-ci"])
def test_mit_finetune_of_apache_mistral_on_mit_data_passes(hub: FakeHub, policy: str) -> None:
    mistral_tune(hub)
    report = modelaudit.scan("acme/mistral-tune", policy=policy, verify=VerifyMode.FULL)
    assert {n.id for n in report.nodes} == {
        "acme/mistral-tune",
        MISTRAL,
        "datasets/acme/instructions",
        "datasets/acme/dialogues",
    }
    assert report.findings == []
    assert report.verdict is Verdict.PASS


def test_mit_finetune_passes_with_exit_0(hub: FakeHub) -> None:
    mistral_tune(hub)
    code, _out, err = cli("scan", "acme/mistral-tune", "--policy", "strict-ci", "--verify", "full")
    assert code == 0, err


def test_strict_ci_fails_on_unverified_files(hub: FakeHub) -> None:
    mistral_tune(hub)
    report = modelaudit.scan("acme/mistral-tune", policy="strict-ci", verify=VerifyMode.HEADERS)
    assert [(f.name, f.node, f.severity.value) for f in report.findings] == [
        ("files-unverified", "acme/mistral-tune", "error")
    ]
    assert "README.md, config.json" in report.findings[0].message
    assert report.verdict is Verdict.FAIL
    lenient = modelaudit.scan("acme/mistral-tune", verify=VerifyMode.HEADERS)
    assert [(f.name, f.severity.value) for f in lenient.findings] == [("files-unverified", "note")]
    assert lenient.verdict is Verdict.PASS


def test_gemma_finetune_declared_apache(hub: FakeHub) -> None:
    model(hub, "acme/gemma-support", {"license": "apache-2.0", "base_model": GEMMA}, {"model_type": "gemma2"})
    report = modelaudit.scan("acme/gemma-support")
    assert ours(report) == {("use-restrictions-dropped", "acme/gemma-support", "error")}
    assert report.verdict is Verdict.FAIL


def test_finetune_on_cc_by_nc_dataset_declared_apache(hub: FakeHub) -> None:
    model(
        hub,
        "acme/helpdesk",
        {"license": "apache-2.0", "base_model": MISTRAL, "datasets": ["acme/nc-chats"]},
        {"model_type": "mistral"},
    )
    report = modelaudit.scan("acme/helpdesk")
    assert ours(report) == {("noncommercial-upstream", "acme/helpdesk", "warning")}
    assert report.verdict is Verdict.PASS  # data licensing is unsettled: a warning by default
    commercial = modelaudit.scan("acme/helpdesk", policy="commercial")
    assert ours(commercial) == {
        ("noncommercial-upstream", "acme/helpdesk", "error"),
        ("use-not-permitted", "datasets/acme/nc-chats", "error"),
    }
    assert commercial.verdict is Verdict.FAIL


def test_merge_of_apache_and_cc_by_nc_parents(hub: FakeHub) -> None:
    model(hub, "acme/nc-chat", {"license": "cc-by-nc-4.0"}, {"model_type": "mistral"})
    mergekit = f"merge_method: slerp\nbase_model: {MISTRAL}\nmodels:\n  - model: {MISTRAL}\n  - model: acme/nc-chat\n"
    model(
        hub,
        "acme/merged",
        {"license": "apache-2.0", "base_model": [MISTRAL, "acme/nc-chat"], "tags": ["merge", "mergekit"]},
        {"model_type": "mistral"},
        mergekit_config__yml=mergekit,
    )
    report = modelaudit.scan("acme/merged")
    assert {(e.child, e.parent, e.relation.value) for e in report.edges} == {
        ("acme/merged", MISTRAL, "merge"),
        ("acme/merged", "acme/nc-chat", "merge"),
    }
    assert ours(report) == {("noncommercial-upstream", "acme/merged", "error")}
    finding = next(f for f in report.findings if f.name == "noncommercial-upstream")
    assert "acme/nc-chat" in finding.message and "CC-BY-NC-4.0" in finding.message
    assert report.verdict is Verdict.FAIL


def test_stable_diffusion_lora_declared_mit(hub: FakeHub) -> None:
    lora(hub, "acme/watercolor-lora", "mit", SD15)
    report = modelaudit.scan("acme/watercolor-lora")
    assert ours(report) == {("use-restrictions-dropped", "acme/watercolor-lora", "error")}
    assert report.verdict is Verdict.FAIL


def test_bert_to_distilbert_both_apache(hub: FakeHub) -> None:
    model(
        hub,
        "distilbert/distilbert-base-uncased",
        {"license": "apache-2.0", "base_model": BERT},
        {"model_type": "distilbert"},
    )
    for policy in ("default", "permissive-only", "commercial", "research"):
        report = modelaudit.scan("distilbert/distilbert-base-uncased", policy=policy)
        assert ours(report) == set()
        assert report.verdict is Verdict.PASS, policy


def policy_file(tmp_path: Path, name: str, intended_use: dict[str, Any]) -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"name": name, "intended_use": intended_use}), encoding="utf-8")
    return str(path)


def test_llama32_multimodal_under_an_eu_deployment_policy(hub: FakeHub, tmp_path: Path) -> None:
    model(
        hub,
        "acme/Llama-3.2-11B-Vision-support",
        {"license": "llama3.2", "base_model": VISION, "pipeline_tag": "image-text-to-text"},
        {"model_type": "mllama", "architectures": ["MllamaForConditionalGeneration"]},
    )
    eu = policy_file(tmp_path, "eu-product", {"commercial_product": True, "regions": ["EU"]})
    report = modelaudit.scan("acme/Llama-3.2-11B-Vision-support", policy=eu)
    assert ours(report) == {
        ("use-not-permitted", "acme/Llama-3.2-11B-Vision-support", "error"),
        ("use-not-permitted", VISION, "error"),
    }
    finding = next(f for f in report.findings if f.node == VISION)
    assert "Llama 3.2 Community License" in finding.message and "llama3_2/use-policy" in finding.message
    assert "multimodal" in finding.message and "EU" in finding.message
    assert report.verdict is Verdict.FAIL
    # the same model deployed in the US only is fine
    us = policy_file(tmp_path, "us-product", {"commercial_product": True, "regions": ["US"]})
    assert ours(modelaudit.scan("acme/Llama-3.2-11B-Vision-support", policy=us)) == set()


def test_llama32_text_model_in_the_eu_is_not_restricted(hub: FakeHub, tmp_path: Path) -> None:
    model(
        hub,
        "meta-llama/Llama-3.2-1B",
        {"license": "llama3.2", "pipeline_tag": "text-generation"},
        {"model_type": "llama"},
    )
    eu = policy_file(tmp_path, "eu", {"regions": ["DE"]})
    assert ours(modelaudit.scan("meta-llama/Llama-3.2-1B", policy=eu)) == set()


def test_deepseek_model_under_a_defence_policy(hub: FakeHub, tmp_path: Path) -> None:
    defence = policy_file(tmp_path, "defence", {"fields_of_use": ["defence"]})
    report = modelaudit.scan(DEEPSEEK, policy=defence)
    assert ours(report) == {("use-not-permitted", DEEPSEEK, "error")}
    finding = next(f for f in report.findings if f.name == "use-not-permitted")
    assert "DeepSeek License Agreement" in finding.message and "'defence'" in finding.message
    assert "military" in finding.message
    assert report.verdict is Verdict.FAIL
    code, _out, _err = cli("scan", DEEPSEEK, "-q", "--policy", defence, "-f", "json")
    assert code == 1


def test_notice_format_lists_required_notices_and_causing_nodes(hub: FakeHub) -> None:
    model(
        hub,
        "acme/Llama-3.1-8B-support",
        {"license": "llama3.1", "base_model": LLAMA31},
        {"model_type": "llama"},
    )
    code, out, err = cli("scan", "acme/Llama-3.1-8B-support", "-q", "-f", "notice")
    assert code == 0, err
    assert out.startswith("NOTICE\n")
    assert (
        "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. "
        "All Rights Reserved." in out
    )
    assert "Built with Llama" in out
    assert f"because of: acme/Llama-3.1-8B-support, {LLAMA31}" in out
    assert "[flow-down-use-policy]" in out


def test_local_folders_in_a_pull_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hf_offline: Path
) -> None:
    """A model PR: folders next to each other, the adapter naming its base folder by name."""
    models = tmp_path / "models"
    (models / "llama-base").mkdir(parents=True)
    (models / "llama-base" / "README.md").write_text(card({"license": "llama3.1"}))
    (models / "llama-base" / "config.json").write_text(json.dumps({"model_type": "llama"}))
    (models / "support-lora").mkdir()
    (models / "support-lora" / "README.md").write_text(
        card({"license": "apache-2.0", "base_model": "llama-base"})
    )
    (models / "support-lora" / "adapter_config.json").write_text(
        json.dumps({"base_model_name_or_path": "llama-base", "peft_type": "LORA"})
    )
    monkeypatch.chdir(tmp_path)
    code, out, _err = cli("scan", "models/support-lora", "--offline", "-q", "-f", "json")
    assert code == 1
    data = json.loads(out)
    got = {(f["name"], f["node"], f["severity"]) for f in data["findings"] if f["rule"].startswith(OURS)}
    assert got == {
        ("use-restrictions-dropped", "models/support-lora", "error"),
        ("naming-duty", "models/support-lora", "warning"),
    }
    # relicensed under the base's terms and renamed, it still owes the Llama duties: the strict gate (a
    # publisher's) fails until `modelaudit fix --write` ships the agreement, the Notice line, the use policy and
    # the "Built with Llama" line; then it passes
    (models / "Llama-3.1-support-lora").mkdir()
    (models / "Llama-3.1-support-lora" / "README.md").write_text(
        card({"license": "llama3.1", "base_model": "llama-base"})
    )
    strict = (
        "scan",
        "models/Llama-3.1-support-lora",
        "--offline",
        "-q",
        "-f",
        "json",
        "--policy",
        "strict-ci",
    )
    code, out, _err = cli(*strict)
    assert code == 1
    unmet = {
        f["evidence"][1]["value"] for f in json.loads(out)["findings"] if f["name"] == "obligation-unmet"
    }
    assert unmet == {
        "llama3.1 include-agreement",
        "llama3.1 notice-file",
        "llama3.1 use-policy",
        "llama3.1 built-with",
    }
    code, _out, err = cli(
        "fix", "models/Llama-3.1-support-lora", "--write", "--offline", "--policy", "strict-ci"
    )
    assert code == 0, err
    code, out, err = cli(*strict)
    assert code == 0, (err, [f["message"] for f in json.loads(out)["findings"]])
