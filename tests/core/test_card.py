"""Metadata extraction: every fact a card, config or header states becomes evidence."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from modelaudit.bounded import parse_front_matter
from modelaudit.errors import InputError
from modelaudit.models import Relation, RepoKind, RepoRef
from modelaudit.sources.local import LocalSource
from modelaudit.sources.record import mergekit_model_refs
from modelaudit.sources.weights import read_gguf_general, read_safetensors_metadata
from modelaudit.targets import hub_id_from


def fetch(folder: Path, kind: RepoKind = RepoKind.MODEL):  # type: ignore[no-untyped-def]
    return LocalSource().fetch(RepoRef(repo_id=folder.name, kind=kind, local_path=str(folder)))


def test_front_matter_tolerates_bom_and_crlf() -> None:
    text = "\ufeff---\r\nlicense: mit\r\nbase_model: org/base\r\n---\r\n# Title\r\n"
    assert parse_front_matter(text, "README.md") == {"license": "mit", "base_model": "org/base"}


def test_no_front_matter_is_empty() -> None:
    assert parse_front_matter("# Just a title\n", "README.md") == {}


def test_malformed_yaml_names_file_and_line() -> None:
    with pytest.raises(InputError) as info:
        parse_front_matter("---\nlicense: [mit\nfoo: bar\n---\n", "org/x/README.md")
    assert "org/x/README.md" in str(info.value)
    assert "line" in str(info.value)


def test_front_matter_must_be_mapping() -> None:
    with pytest.raises(InputError, match="expected a YAML mapping"):
        parse_front_matter("---\n- a\n- b\n---\n", "README.md")


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    with pytest.raises(InputError, match="nodes"):
        parse_front_matter("---\n" + "\n".join(lines) + "\n---\n", "README.md")


def test_yaml_never_constructs_python_objects() -> None:
    with pytest.raises(InputError):
        parse_front_matter("---\nx: !!python/object/apply:os.system ['true']\n---\n", "README.md")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("org/name", ("org/name", RepoKind.MODEL)),
        ("https://huggingface.co/org/name", ("org/name", RepoKind.MODEL)),
        ("https://huggingface.co/datasets/org/d", ("org/d", RepoKind.DATASET)),
        ("/home/me/checkpoints/base", None),
        ("./base", None),
        ("C:\\models\\base", None),
    ],
)
def test_hub_id_from(value: str, expected: tuple[str, RepoKind] | None) -> None:
    assert hub_id_from(value) == expected


def test_full_card_and_files(tmp_path: Path) -> None:
    d = tmp_path / "m"
    d.mkdir()
    (d / "README.md").write_text(
        "---\nlicense: other\nlicense_name: llama3.1\nlicense_link: LICENSE\n"
        "base_model: [meta-llama/Llama-3.1-8B]\nbase_model_relation: adapter\n"
        "datasets: [org/data-a, org/data-b]\n---\n# card\n"
    )
    (d / "adapter_config.json").write_text(
        json.dumps({"base_model_name_or_path": "meta-llama/Llama-3.1-8B", "peft_type": "LORA"})
    )
    (d / "config.json").write_text(json.dumps({"_name_or_path": "/tmp/local/ckpt", "model_type": "llama"}))
    (d / "LICENSE").write_text("LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\n...")
    (d / "USE_POLICY.md").write_text("Llama 3.1 Acceptable Use Policy")
    save_file(
        {"w": np.zeros((2, 2), np.float32)},
        str(d / "adapter_model.safetensors"),
        metadata={"license": "llama3.1"},
    )
    rec = fetch(d)
    sources = {(e.source, e.value) for e in rec.license_evidence}
    assert ("card:license", "other") in sources
    assert ("card:license_name", "llama3.1") in sources
    assert ("card:license_link", "LICENSE") in sources
    assert ("safetensors:adapter_model.safetensors:license", "llama3.1") in sources
    assert [f.path for f in rec.license_files] == ["LICENSE", "USE_POLICY.md"]
    claims = {(c.target, c.relation, c.evidence.source, c.kind) for c in rec.parents}
    assert ("meta-llama/Llama-3.1-8B", Relation.ADAPTER, "card:base_model", RepoKind.MODEL) in claims
    assert (
        "meta-llama/Llama-3.1-8B",
        Relation.ADAPTER,
        "adapter_config.json:base_model_name_or_path",
        RepoKind.MODEL,
    ) in claims
    assert ("org/data-a", Relation.TRAINED_ON, "card:datasets", RepoKind.DATASET) in claims
    assert ("org/data-b", Relation.TRAINED_ON, "card:datasets", RepoKind.DATASET) in claims
    # a local _name_or_path is not a claim
    assert not any(c.evidence.source == "config.json:_name_or_path" for c in rec.parents)
    assert rec.adapter_config is not None and rec.adapter_config["peft_type"] == "LORA"
    assert {f.path for f in rec.files} >= {"README.md", "adapter_model.safetensors", "LICENSE"}


def test_weak_name_or_path_claim(tmp_path: Path) -> None:
    d = tmp_path / "m"
    d.mkdir()
    (d / "config.json").write_text(json.dumps({"_name_or_path": "mistralai/Mistral-7B-v0.1"}))
    rec = fetch(d)
    assert [(c.target, c.weak) for c in rec.parents] == [("mistralai/Mistral-7B-v0.1", True)]


def test_malformed_config_names_file(tmp_path: Path) -> None:
    d = tmp_path / "m"
    d.mkdir()
    (d / "config.json").write_text("{not json")
    with pytest.raises(InputError, match=r"config\.json"):
        fetch(d)


def test_dataset_card_source_datasets(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "README.md").write_text(
        "---\nlicense: cc-by-sa-4.0\nsource_datasets: [original, extended|wikipedia, laion/laion-2b]\n---\n"
    )
    rec = fetch(d, RepoKind.DATASET)
    assert sorted(c.target for c in rec.parents) == ["laion/laion-2b", "wikipedia"]
    assert all(c.relation is Relation.DERIVED for c in rec.parents)


def test_mergekit_refs() -> None:
    cfg = {
        "merge_method": "ties",
        "base_model": "org/base",
        "models": [{"model": "org/a+org/lora-a"}, {"model": "org/b@v2"}],
        "slices": [{"sources": [{"model": "org/c", "layer_range": [0, 4]}]}],
    }
    assert mergekit_model_refs(cfg) == ["org/base", "org/a", "org/b@v2", "org/c"]


def test_mergekit_file_gives_merge_claims(tmp_path: Path) -> None:
    d = tmp_path / "m"
    d.mkdir()
    (d / "mergekit_config.yml").write_text(
        "merge_method: slerp\nmodels:\n  - model: org/a\n  - model: org/b\n"
    )
    rec = fetch(d)
    assert sorted((c.target, c.relation) for c in rec.parents) == [
        ("org/a", Relation.MERGE),
        ("org/b", Relation.MERGE),
    ]


def test_tags_give_licenses_and_relations() -> None:
    from modelaudit.models import SourceKind
    from modelaudit.sources.record import extract_record

    rec = extract_record(
        RepoRef(repo_id="org/m"),
        SourceKind.HUB,
        files=[],
        read_small=lambda p: None,
        card_data={},
        tags=[
            "license:apache-2.0",
            "base_model:org/base",
            "base_model:quantized:org/base",
            "base_model:org/other",
        ],
    )
    assert [(e.source, e.value) for e in rec.license_evidence] == [("tag:license", "apache-2.0")]
    assert sorted((c.target, c.relation) for c in rec.parents) == [
        ("org/base", Relation.QUANTIZED),
        ("org/other", None),
    ]


def _gguf_bytes(kv: dict[str, object]) -> bytes:
    def s(x: str) -> bytes:
        b = x.encode()
        return struct.pack("<Q", len(b)) + b

    out = b"GGUF" + struct.pack("<IQQ", 3, 0, len(kv))
    for k, v in kv.items():
        out += s(k)
        if isinstance(v, str):
            out += struct.pack("<I", 8) + s(v)
        elif isinstance(v, int):
            out += struct.pack("<I", 4) + struct.pack("<I", v)
        elif isinstance(v, list):
            out += struct.pack("<I", 9) + struct.pack("<IQ", 8, len(v)) + b"".join(s(i) for i in v)
    return out


def test_gguf_general_keys(tmp_path: Path) -> None:
    data = _gguf_bytes(
        {
            "general.license": "llama3.1",
            "general.base_model.count": 1,
            "general.base_model.0.repo_url": "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct",
            "tokenizer.ggml.tokens": ["a", "b"],
            "general.datasets": ["https://huggingface.co/datasets/org/d"],
        }
    )
    meta = read_gguf_general(data, "m.gguf")
    assert meta["general.license"] == "llama3.1"
    assert meta["general.datasets"] == ["https://huggingface.co/datasets/org/d"]
    assert "tokenizer.ggml.tokens" not in meta
    d = tmp_path / "q"
    d.mkdir()
    (d / "model-Q4_K_M.gguf").write_bytes(data)
    rec = fetch(d)
    assert ("gguf:model-Q4_K_M.gguf:general.license", "llama3.1") in {
        (e.source, e.value) for e in rec.license_evidence
    }
    assert {(c.target, c.kind) for c in rec.parents} == {
        ("meta-llama/Llama-3.1-8B-Instruct", RepoKind.MODEL),
        ("org/d", RepoKind.DATASET),
    }


def test_truncated_gguf_keeps_what_was_read() -> None:
    data = _gguf_bytes({"general.license": "mit", "general.name": "x" * 100})
    assert read_gguf_general(data[:-50], "m.gguf") == {"general.license": "mit"}


def test_bad_gguf_magic() -> None:
    with pytest.raises(InputError, match="bad magic"):
        read_gguf_general(b"NOTGGUF" + b"\0" * 40, "x.gguf")


def reader(data: bytes) -> Callable[[int, int], bytes]:
    return lambda start, length: data[start : start + length]


def test_safetensors_header_caps() -> None:
    with pytest.raises(InputError, match="exceeds the 25000000-byte cap"):
        read_safetensors_metadata(reader(struct.pack("<Q", 2**60)), "x.safetensors")
    with pytest.raises(InputError, match="truncated"):
        read_safetensors_metadata(reader(struct.pack("<Q", 100) + b"{}"), "x.safetensors")
    with pytest.raises(InputError, match="shorter than the 8-byte header length"):
        read_safetensors_metadata(reader(b"\x01\x02"), "x.safetensors")
    with pytest.raises(InputError, match="__metadata__ is not a JSON object"):
        read_safetensors_metadata(reader(struct.pack("<Q", 22) + b'{"__metadata__": [1]} '), "x.safetensors")


def test_safetensors_metadata_is_read_even_when_the_tensor_table_is_wrong() -> None:
    # verification reports the bad tensor; the card stage still sees the license the file declares
    header = json.dumps({"__metadata__": {"license": "mit"}, "w": {"dtype": "NOPE", "shape": [1]}}).encode()
    data = struct.pack("<Q", len(header)) + header
    assert read_safetensors_metadata(reader(data), "x.safetensors") == {"license": "mit"}
    reads: list[tuple[int, int]] = []

    def counting(start: int, length: int) -> bytes:
        reads.append((start, length))
        return data[start : start + length]

    read_safetensors_metadata(counting, "x.safetensors")
    assert reads == [(0, 8), (8, len(header))]  # two range requests on the Hub, the second exactly the header


def test_broken_weights_header_is_a_problem_not_an_abort(tmp_path: Path) -> None:
    d = tmp_path / "m"
    d.mkdir()
    (d / "README.md").write_text("---\nlicense: mit\n---\n")
    (d / "model.safetensors").write_bytes(struct.pack("<Q", 2**60) + b"{}")
    rec = fetch(d)
    assert rec.problems and "model.safetensors" in rec.problems[0].source


def test_symlink_outside_folder_is_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    d = tmp_path / "m"
    d.mkdir()
    (d / "LICENSE").symlink_to(secret)
    rec = fetch(d)
    assert rec.license_files == []
    assert any("LICENSE" in p.value for p in rec.problems)


def test_impossible_date_is_an_input_error() -> None:
    with pytest.raises(InputError, match="malformed YAML value"):
        parse_front_matter("---\nreleased: 2024-02-30\n---\n", "README.md")
