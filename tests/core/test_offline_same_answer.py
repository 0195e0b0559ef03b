"""Offline means the same answer: an online scan, then an offline scan of the same pinned revision.

Everything the online scan learned (card data, the API's config summary, tags, file records, license
files) is in modelaudit's metadata cache, and an offline scan (``--offline`` or ``HF_HUB_OFFLINE=1``)
reads it before the HF cache, so the two JSON reports are equal apart from ``target.source``.
The chain is shaped like HuggingFaceH4/zephyr-7b-beta: a fine-tune of a base model, trained on two
datasets, whose card data comes from the Hub API (the README itself is never downloaded).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from safetensors.numpy import save

from cli_run import run_cli
from fakehub import FakeHub

APACHE = (Path(__file__).resolve().parents[2] / "examples" / "APACHE-2.0.txt").read_text(encoding="utf-8")
CONFIG = json.dumps({"model_type": "mistral", "architectures": ["MistralForCausalLM"]})


def weights(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    return save({"w": rng.standard_normal((8, 8)).astype(np.float32)}, metadata={"format": "pt"})


@pytest.fixture
def zephyr_like(fakehub: FakeHub) -> str:
    fakehub.add_repo(
        "HuggingFaceH4/zephyr-7b-beta",
        {
            "README.md": "---\nlicense: mit\nbase_model: mistralai/Mistral-7B-v0.1\ndatasets:\n"
            "- HuggingFaceH4/ultrachat_200k\n- HuggingFaceH4/ultrafeedback_binarized\n"
            "language: [en]\npipeline_tag: text-generation\n---\n# Zephyr\n",
            "config.json": CONFIG,
            "model.safetensors": weights(1),
        },
    )
    fakehub.add_repo(
        "mistralai/Mistral-7B-v0.1",
        {
            "README.md": "---\nlicense: apache-2.0\npipeline_tag: text-generation\n---\n# Mistral\n",
            "config.json": CONFIG,
            "model.safetensors": weights(2),
            "LICENSE": APACHE,
        },
    )
    for name in ("ultrachat_200k", "ultrafeedback_binarized"):
        fakehub.add_repo(f"HuggingFaceH4/{name}", {"README.md": "---\nlicense: mit\n---\n"}, kind="dataset")
    return f"HuggingFaceH4/zephyr-7b-beta@{fakehub.repo('HuggingFaceH4/zephyr-7b-beta').sha}"


def scan(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    code, out, err = run_cli("scan", *args, "-f", "json", "-q", env=env)
    assert code in (0, 1), err
    data: dict[str, Any] = json.loads(out)
    return code, data


def without_source_and_time(report: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(report))
    copy.pop("generated_at")
    copy["target"].pop("source")
    return copy


@pytest.mark.parametrize("how", ["--offline", "HF_HUB_OFFLINE=1"])
def test_offline_scan_gives_the_online_report(fakehub: FakeHub, zephyr_like: str, how: str) -> None:
    code_online, online = scan(zephyr_like, "--verify", "none")
    assert len(online["nodes"]) == 4 and all(n["resolved"] for n in online["nodes"])
    assert not [f for f in online["findings"] if f["name"] == "license-missing"]

    if how != "--offline":
        fakehub.go_offline()
    fakehub.clear_log()
    args = [zephyr_like, "--verify", "none"] + (["--offline"] if how == "--offline" else [])
    code_offline, offline = scan(*args)
    assert fakehub.requests == []  # nothing left the machine

    assert offline["target"]["source"] == "cache" and online["target"]["source"] == "hub"
    assert without_source_and_time(offline) == without_source_and_time(online)
    assert code_offline == code_online


def test_offline_scan_after_full_verification_verifies_the_same_files(
    fakehub: FakeHub, zephyr_like: str
) -> None:
    """``--verify full`` downloads the target's files into the HF cache: offline, they verify the same."""
    _, online = scan(zephyr_like, "--verify", "full", "--no-fingerprint")
    (target,) = [n for n in online["nodes"] if n["id"] == online["target"]["id"]]
    assert {f["status"] for f in target["files"]} == {"verified"}
    fakehub.clear_log()
    _, offline = scan(zephyr_like, "--verify", "full", "--no-fingerprint", "--offline")
    assert fakehub.requests == []
    assert without_source_and_time(offline) == without_source_and_time(online)


def test_offline_scan_of_a_branch_uses_what_the_online_scan_of_it_learned(
    fakehub: FakeHub, zephyr_like: str
) -> None:
    branch = zephyr_like.split("@")[0]
    _, online = scan(branch, "--verify", "none")
    fakehub.clear_log()
    _, offline = scan(branch, "--verify", "none", "--offline")
    assert fakehub.requests == []
    assert without_source_and_time(offline) == without_source_and_time(online)


def test_the_metadata_cache_holds_everything_the_online_scan_learned(
    fakehub: FakeHub, zephyr_like: str
) -> None:
    from modelaudit.models import RepoRef
    from modelaudit.sources.metadata_cache import MetadataCache

    scan(zephyr_like, "--verify", "none")
    cache = MetadataCache(endpoint=fakehub.url)
    base = cache.get(RepoRef(repo_id="mistralai/Mistral-7B-v0.1"), allow_stale=True)
    assert base is not None
    assert base.card_data["license"] == "apache-2.0"  # card data from the API: README was never downloaded
    assert base.config is not None and base.config["model_type"] == "mistral"  # the API's config summary
    assert "license:apache-2.0" in base.tags
    weights = next(f for f in base.files if f.path == "model.safetensors")
    assert weights.lfs_sha256 is not None and weights.size is not None  # file records with their hashes
    assert [(f.path, f.text) for f in base.license_files] == [("LICENSE", APACHE)]
