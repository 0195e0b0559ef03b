"""`modelaudit scan` against the fake Hub and, offline, against the HF cache it populated: contract-valid JSON."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from huggingface_hub import snapshot_download
from safetensors.numpy import save

from cli_run import run_cli as run
from fakehub import FakeHub
from modelaudit.schema import report_schema

WEIGHTS = save({"w": np.arange(16, dtype=np.float32).reshape(4, 4)}, metadata={"format": "pt"})


def chat_repo() -> dict[str, bytes | str]:
    return {
        "README.md": "---\nlicense: apache-2.0\nbase_model: acme/base\nbase_model_relation: finetune\n"
        "datasets: [acme/instructions]\n---\n# chat\n",
        "config.json": '{"model_type": "llama", "architectures": ["LlamaForCausalLM"]}',
        "model.safetensors": WEIGHTS,
    }


@pytest.fixture
def hub(fakehub: FakeHub) -> FakeHub:
    fakehub.add_repo("acme/chat", chat_repo())
    fakehub.add_repo("acme/base", {"README.md": "---\nlicense: mit\n---\n", "model.safetensors": WEIGHTS})
    fakehub.add_repo("acme/instructions", {"README.md": "---\nlicense: cc-by-4.0\n---\n"}, kind="dataset")
    return fakehub


def test_hub_scan_json_is_contract_valid(hub: FakeHub) -> None:
    code, out, err = run("scan", "acme/chat", "-f", "json", "-q")
    assert code == 0, err
    data = json.loads(out)
    jsonschema.validate(data, report_schema())
    assert data["target"]["id"] == "acme/chat" and data["target"]["source"] == "hub"
    assert len(data["target"]["revision"]) == 40
    nodes = {n["id"]: n for n in data["nodes"]}
    assert set(nodes) == {"acme/chat", "acme/base", "datasets/acme/instructions"}
    assert nodes["acme/chat"]["license"]["id"] == "Apache-2.0"
    assert ("card:license", "apache-2.0") in {
        (e["source"], e["value"]) for e in nodes["acme/chat"]["license"]["evidence"]
    }
    assert nodes["acme/base"]["license"]["id"] == "MIT"
    assert nodes["datasets/acme/instructions"]["kind"] == "dataset"
    assert {(e["child"], e["parent"], e["relation"]) for e in data["edges"]} == {
        ("acme/chat", "acme/base", "finetune"),
        ("acme/chat", "datasets/acme/instructions", "trained_on"),
    }
    weights = next(f for f in nodes["acme/chat"]["files"] if f["path"] == "model.safetensors")
    assert weights["sha256_expected"] and weights["size"] == len(WEIGHTS)
    assert out.lstrip().startswith("{")  # only the report on stdout


def test_offline_scan_from_the_hf_cache(hub: FakeHub, tmp_path: Path) -> None:
    for repo, kind in (("acme/chat", "model"), ("acme/base", "model"), ("acme/instructions", "dataset")):
        snapshot_download(repo, repo_type=kind, endpoint=hub.url)
    hub.go_offline()
    hub.clear_log()
    code, out, err = run("scan", "acme/chat", "--offline", "--no-cache", "-f", "json", "-q")
    assert code == 0, err
    assert hub.requests == []  # nothing left the machine
    data = json.loads(out)
    jsonschema.validate(data, report_schema())
    assert data["target"]["source"] == "cache"
    nodes = {n["id"]: n for n in data["nodes"]}
    assert all(n["resolved"] for n in nodes.values())
    assert nodes["acme/chat"]["license"]["id"] == "Apache-2.0"
    weights = next(f for f in nodes["acme/chat"]["files"] if f["path"] == "model.safetensors")
    assert weights["status"] == "verified" and weights["sha256_actual"] == weights["sha256_expected"]


def test_unknown_repo_exits_2_naming_it(hub: FakeHub) -> None:
    code, out, err = run("scan", "acme/nope")
    assert code == 2 and out == ""
    assert "acme/nope" in err and "not found" in err
    assert "Traceback" not in err


def test_offline_without_cache_exits_2(hub: FakeHub) -> None:
    hub.go_offline()
    code, out, err = run("scan", "acme/chat", "--offline", "--no-cache")
    assert code == 2 and out == "" and "acme/chat" in err and "offline" in err


def test_gated_target_scans_from_readable_metadata(fakehub: FakeHub) -> None:
    fakehub.add_repo(
        "acme/gated",
        {"README.md": "---\nlicense: apache-2.0\n---\n", "model.safetensors": WEIGHTS},
        gated="manual",
    )
    code, out, err = run("scan", "acme/gated", "-f", "json", "-q")
    data = json.loads(out)
    jsonschema.validate(data, report_schema())
    assert data["nodes"][0]["gated"] is True
    assert "gated" in {f["name"] for f in data["findings"]}
    assert data["nodes"][0]["license"]["id"] == "Apache-2.0"
    assert code in (0, 1), err
