"""License files are evidence for every model node, from the Hub, the HF cache and folders alike.

A card that says one license next to a LICENSE file that says another is a ``license-mismatch`` on that
node, with both sources as evidence, wherever the node sits in the lineage. NOTICE and use-policy files
are evidence, never a conflicting license; a text that is not identified is kept as evidence only.
The Hub request budget is at most two metadata requests per node plus one per license file.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hub_fixtures import CONFIG, WEIGHTS

from cli_run import run_cli
from fakehub import FakeHub
from modelaudit.lineage.crawler import crawl
from modelaudit.models import RepoRef
from modelaudit.sources import SourceSet
from modelaudit.sources.base import MAX_LICENSE_FILE_BYTES
from modelaudit.sources.hub import HubSource

APACHE_TEXT = (Path(__file__).resolve().parents[2] / "examples" / "APACHE-2.0.txt").read_text(
    encoding="utf-8"
)
LLAMA_NOTICE = (
    "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. "
    "All Rights Reserved."
)


def model(license_id: str, base: str | None = None, **extra: str | bytes) -> dict[str, str | bytes]:
    front = f"license: {license_id}\n" + (f"base_model: {base}\n" if base else "")
    return {
        "README.md": f"---\n{front}---\n# model\n",
        "config.json": CONFIG,
        "model.safetensors": WEIGHTS,
        **extra,
    }


def scan_json(*args: str) -> dict[str, Any]:
    code, out, err = run_cli("scan", *args, "-f", "json", "-q", "--verify", "none")
    assert code in (0, 1), err
    data: dict[str, Any] = json.loads(out)
    return data


def mismatches(report: dict[str, Any], node: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["name"] == "license-mismatch" and f["node"] == node]


def evidence_of(report: dict[str, Any], node: str) -> set[tuple[str, str]]:
    (n,) = [n for n in report["nodes"] if n["id"] == node]
    return {(e["source"], e["value"]) for e in n["license"]["evidence"]}


def test_card_next_to_a_different_license_file_is_a_mismatch_on_every_hub_node(fakehub: FakeHub) -> None:
    fakehub.add_repo("acme/chat", model("mit", base="acme/base", LICENSE=APACHE_TEXT))
    fakehub.add_repo("acme/base", model("mit", LICENSE=APACHE_TEXT))
    report = scan_json("acme/chat")
    for node in ("acme/chat", "acme/base"):
        (finding,) = mismatches(report, node)
        sources = {e["source"] for e in finding["evidence"]}
        assert {"card:license", "file:LICENSE"} <= sources, finding
        assert "MIT" in finding["message"] and "Apache-2.0" in finding["message"]


def test_agreeing_license_file_is_evidence_without_a_finding(fakehub: FakeHub) -> None:
    fakehub.add_repo("acme/chat", model("apache-2.0", LICENSE=APACHE_TEXT))
    report = scan_json("acme/chat")
    assert mismatches(report, "acme/chat") == []
    assert any(s == "file:LICENSE" and "Apache-2.0" in v for s, v in evidence_of(report, "acme/chat"))


def test_notice_and_unidentified_texts_are_evidence_not_conflicts(fakehub: FakeHub) -> None:
    fakehub.add_repo(
        "acme/chat",
        model("apache-2.0", NOTICE=LLAMA_NOTICE, **{"LICENSE-EXTRA.txt": "Be excellent to each other."}),
    )
    report = scan_json("acme/chat")
    assert mismatches(report, "acme/chat") == []
    (node,) = [n for n in report["nodes"] if n["id"] == "acme/chat"]
    assert node["license"]["id"] == "Apache-2.0"
    evidence = evidence_of(report, "acme/chat")
    assert any(s == "file:NOTICE" and "llama3.1" in v for s, v in evidence), evidence
    assert ("file:LICENSE-EXTRA.txt", "text not identified") in evidence


def test_local_folder_and_hf_cache_give_the_same_mismatch(fakehub: FakeHub, tmp_path: Path) -> None:
    folder = tmp_path / "chat"
    folder.mkdir()
    for name, data in model("mit", LICENSE=APACHE_TEXT).items():
        (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)
    local = scan_json(str(folder))
    assert len(mismatches(local, local["target"]["id"])) == 1

    fakehub.add_repo("acme/chat", model("mit", LICENSE=APACHE_TEXT))
    from huggingface_hub import snapshot_download

    snapshot_download("acme/chat", endpoint=fakehub.url)
    fakehub.go_offline()
    cached = scan_json("acme/chat", "--offline", "--no-cache")
    assert cached["target"]["source"] == "cache"
    assert len(mismatches(cached, "acme/chat")) == 1


def test_non_text_and_oversized_license_files_are_reported_not_downloaded(fakehub: FakeHub) -> None:
    big = "x" * (MAX_LICENSE_FILE_BYTES + 1)
    fakehub.add_repo(
        "acme/chat",
        model("apache-2.0", LICENSE=APACHE_TEXT, **{"LICENSE.pdf": b"%PDF-1.7\0", "COPYING": big}),
    )
    record = HubSource(endpoint=fakehub.url, retry_backoff=0.0).fetch(RepoRef(repo_id="acme/chat"))
    assert [f.path for f in record.license_files] == ["LICENSE"]
    fetched = {r.file for r in fakehub.requests if r.route == "resolve"}
    assert fetched == {"LICENSE"}
    problems = {(p.source, p.value) for p in record.problems}
    assert ("file:LICENSE.pdf", "license file not read: not a plain-text file (.pdf)") in problems
    assert any(s == "file:COPYING" and "cap for license texts" in v for s, v in problems)


def test_binary_content_under_a_license_name_is_not_read_as_text(tmp_path: Path) -> None:
    from modelaudit.sources.local import LocalSource

    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n")
    (tmp_path / "LICENSE").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    record = LocalSource().fetch(RepoRef(repo_id="m", local_path=str(tmp_path)))
    assert record.license_files == []
    assert ("file:LICENSE", "license file not read: not a text file") in {
        (p.source, p.value) for p in record.problems
    }


def test_request_budget_is_two_per_node_plus_one_per_license_file(fakehub: FakeHub, tmp_path: Path) -> None:
    fakehub.add_repo(
        "acme/chat",
        model("mit", base="acme/adapter", LICENSE=APACHE_TEXT, NOTICE=LLAMA_NOTICE),
        extra_info={"config": None},  # no config summary: config.json costs the second request
    )
    adapter = {
        "README.md": "---\nlicense: apache-2.0\nbase_model: acme/base\n---\n",
        "adapter_config.json": json.dumps({"base_model_name_or_path": "acme/base", "peft_type": "LORA"}),
        "adapter_model.safetensors": WEIGHTS,
        "LICENSE.md": APACHE_TEXT,
    }
    fakehub.add_repo("acme/adapter", adapter)
    fakehub.add_repo("acme/base", model("apache-2.0", USE_POLICY="Acceptable use: be kind."))
    fakehub.add_repo("acme/data", {"README.md": "---\nlicense: cc-by-4.0\n---\n"}, kind="dataset")
    license_files = {"acme/chat": 2, "acme/adapter": 1, "acme/base": 1, "datasets/acme/data": 0}

    def per_repo() -> tuple[Counter[str], Counter[str]]:
        metadata: Counter[str] = Counter()
        licenses: Counter[str] = Counter()
        for r in fakehub.requests:
            key = (
                r.repo_id if r.route != "info" or "/api/datasets/" not in r.path else f"datasets/{r.repo_id}"
            )
            is_license = (
                r.route == "resolve"
                and r.file is not None
                and r.file.split(".")[0].upper()
                in (
                    "LICENSE",
                    "NOTICE",
                    "USE_POLICY",
                )
            )
            (licenses if is_license else metadata)[str(key)] += 1
        return metadata, licenses

    pinned = RepoRef(repo_id="acme/chat", revision=fakehub.repo("acme/chat").sha)
    graph = crawl(pinned, SourceSet(endpoint=fakehub.url))
    assert len(graph.nodes) == 3 and all(n.resolved for n in graph.nodes.values())
    metadata, licenses = per_repo()
    assert all(count <= 2 for count in metadata.values()), metadata
    assert {k: v for k, v in licenses.items()} == {
        k: v for k, v in license_files.items() if v and k in metadata
    }
    shutil.rmtree(fakehub.cache_dir)
    fakehub.cache_dir.mkdir()
    fakehub.clear_log()
    crawl(pinned, SourceSet(endpoint=fakehub.url))  # the HF cache is empty again: same requests
    assert per_repo() == (metadata, licenses)


@pytest.mark.parametrize("kind", ["NOTICE", "USE_POLICY.md"])
def test_notice_or_use_policy_of_another_license_is_never_a_mismatch(fakehub: FakeHub, kind: str) -> None:
    text = LLAMA_NOTICE if kind == "NOTICE" else "Llama 3.1 Acceptable Use Policy\n\nMeta is committed to ..."
    fakehub.add_repo("acme/chat", model("apache-2.0", **{kind: text}))
    report = scan_json("acme/chat")
    assert mismatches(report, "acme/chat") == []
    assert any(s == f"file:{kind}" for s, _ in evidence_of(report, "acme/chat"))
