"""``modelaudit scan FOLDER`` on folders holding real files of the shapes issue 20 found missed.

Each folder is built from files in tests/data/real (SOURCES.tsv says where each came from): a card saved with
CR or CR CR LF line ends, a mergekit config under a name mergekit's users write, an mlx-lm adapter config,
a dataset card with ``source_datasets``. The scan must read what the file says, never report "declares none".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli_run import run_cli as run

REAL = Path(__file__).resolve().parents[1] / "data" / "real"


def folder(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    """A folder holding the real files ``files`` maps (name in the folder → path under tests/data/real)."""
    d = tmp_path / name
    d.mkdir()
    for inside, rel in files.items():
        (d / inside).write_bytes((REAL / rel).read_bytes())
    return d


def scan(path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run("scan", str(path), "--offline", "-f", "json", "-q", *extra)
    assert code in (0, 1), err
    return code, json.loads(out)


def findings(report: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["name"] == name]


@pytest.mark.parametrize(
    ("card", "license_id"),
    [
        ("model_cards/crcrlf-fs-12091358116.md", "MIT"),  # CR CR LF
        ("model_cards/cr-fs-19137733597.md", "CC-BY-NC-ND-4.0"),  # CR only, a non-commercial license
    ],
)
def test_a_card_with_cr_line_ends_declares_its_license(tmp_path: Path, card: str, license_id: str) -> None:
    d = folder(tmp_path, "model", {"README.md": card})
    _code, report = scan(d)
    [root] = [n for n in report["nodes"] if n["id"] == report["target"]["id"]]
    assert root["license"]["id"] == license_id
    assert {e["source"] for e in root["license"]["evidence"]} >= {"card:license"}
    assert not findings(report, "license-missing")


def test_a_card_whose_front_matter_is_never_closed_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "model"
    d.mkdir()
    real = (REAL / "model_cards/cr-fs-19137733597.md").read_bytes()
    (d / "README.md").write_bytes(real[: real.rindex(b"---")])  # the real card without its closing line
    code, out, err = run("scan", str(d), "--offline")
    assert code == 2 and out == ""
    assert "README.md" in err and "never closed" in err


@pytest.mark.parametrize(
    ("config", "name", "parents"),
    [
        # a ties merge of six models, saved as mergekit_config.yaml (vitus9988/KRX_competition)
        ("mergekit/vitus9988__KRX_competition.mergekit_config.yaml", "mergekit_config.yaml", 6),
        # a mergekit-moe config saved as mergekit.yaml (Crystalcareai/BTX): the base and four experts
        ("mergekit/Crystalcareai__BTX.mergekit.yaml", "mergekit.yaml", 5),
        # merge.yml: a name users give any file, read because it is a merge config
        ("mergekit/Sakthivel3130__merge-models.merge.yml", "merge.yml", 2),
    ],
)
def test_a_merge_config_under_any_name_mergekit_users_write_names_every_parent(
    tmp_path: Path, config: str, name: str, parents: int
) -> None:
    d = folder(tmp_path, "merged", {name: config})
    code, report = scan(d)
    edges = [e for e in report["edges"] if e["child"] == report["target"]["id"]]
    assert len(edges) == parents and {e["relation"] for e in edges} == {"merge"}
    assert all(e["evidence"][0]["source"] == f"{name}:models" for e in edges)
    # offline, none of them can be read: the audit fails closed instead of passing a merge of nothing
    assert code == 1 and len(findings(report, "lineage-unresolved")) >= parents


def test_a_generic_yaml_file_that_is_not_a_merge_config_is_not_read_as_one(tmp_path: Path) -> None:
    d = folder(tmp_path, "model", {"README.md": "model_cards/fs-12091358116.md"})
    # most merge.yaml files the code index holds are proxy rule lists or CI workflows
    (d / "merge.yaml").write_text("rules:\n  - DOMAIN-SUFFIX,example.com,DIRECT\n", encoding="utf-8")
    _code, report = scan(d)
    models = {
        (e["parent"], e["relation"]) for e in report["edges"] if not e["parent"].startswith("datasets/")
    }
    assert models == {("nanonets/Nanonets-OCR-s", "finetune")}


@pytest.mark.parametrize(
    ("config", "base", "relation", "kind"),
    [
        (
            "adapter_configs/Chucknadauld__text2sql.json",
            "Qwen/Qwen2.5-Coder-0.5B-Instruct",
            "adapter",
            "adapter",
        ),
        (
            "adapter_configs/kilojoules__REDKWEEN.json",
            "mlx-community/Llama-3.2-1B-Instruct-4bit",
            "adapter",
            "adapter",
        ),
        # fine_tune_type: full: the same file, a whole model
        ("adapter_configs/Albx68__finetuning.json", "Qwen/Qwen2.5-Coder-0.5B-Instruct", "finetune", "model"),
    ],
)
def test_an_mlx_lm_adapter_config_names_its_base(
    tmp_path: Path, config: str, base: str, relation: str, kind: str
) -> None:
    d = folder(tmp_path, "tuned", {"adapter_config.json": config})
    _code, report = scan(d)
    root = report["target"]["id"]
    assert [(e["parent"], e["relation"]) for e in report["edges"] if e["child"] == root] == [(base, relation)]
    assert [n["kind"] for n in report["nodes"] if n["id"] == root] == [kind]
    assert report["edges"][0]["evidence"] == [{"source": "adapter_config.json:model", "value": base}]


def test_an_mlx_lm_config_naming_a_path_on_the_trainers_machine_is_a_note(tmp_path: Path) -> None:
    d = folder(
        tmp_path, "tuned", {"adapter_config.json": "adapter_configs/hwc-cell__mlx-LycheeAI-coder-1.7b.json"}
    )
    _code, report = scan(d)
    [note] = findings(report, "lineage-unresolved")
    assert note["severity"] == "note" and "/Users/hwc/LycheeAI/Qwen3-1.7B-4bit-mlx" in note["message"]


def test_a_dataset_folder_is_recognised_by_its_card_and_its_sources_are_followed(tmp_path: Path) -> None:
    d = folder(tmp_path, "anli", {"README.md": "dataset_cards/huggingface__datasets__anli.md"})
    _code, report = scan(d)
    root = report["target"]["id"]
    assert [n["kind"] for n in report["nodes"] if n["id"] == root] == ["dataset"]
    assert [(e["parent"], e["relation"]) for e in report["edges"]] == [("datasets/hotpot_qa", "derived")]
    [root_node] = [n for n in report["nodes"] if n["id"] == root]
    assert root_node["license"]["id"] == "CC-BY-NC-4.0"


def test_a_source_dataset_outside_the_hub_is_a_note_not_a_lookup(tmp_path: Path) -> None:
    d = folder(tmp_path, "aquamuse", {"README.md": "dataset_cards/huggingface__datasets__aquamuse.md"})
    _code, report = scan(d)
    assert {e["parent"] for e in report["edges"]} == {"datasets/natural_questions"}
    assert not [n for n in report["nodes"] if "Common-Crawl" in n["id"]]
    notes = [f for f in findings(report, "lineage-unresolved") if "outside the Hub" in f["message"]]
    assert len(notes) == 1 and "'Common-Crawl'" in notes[0]["message"] and notes[0]["severity"] == "note"


def test_a_folder_whose_card_is_a_model_card_stays_a_model(tmp_path: Path) -> None:
    d = folder(tmp_path, "model", {"README.md": "model_cards/fs-12091358116.md"})
    _code, report = scan(d)
    assert [n["kind"] for n in report["nodes"] if n["id"] == report["target"]["id"]] == ["model"]


def test_the_pre_commit_hook_finds_a_model_folder_by_a_card_with_cr_line_ends(tmp_path: Path) -> None:
    from modelaudit.cli.precommit import is_model_folder

    d = folder(tmp_path, "model", {"README.md": "model_cards/cr-fs-19137733597.md"})
    assert is_model_folder(d)  # its only marker is the card: license, datasets
