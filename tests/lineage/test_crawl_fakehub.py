"""Lineage crawls against the fake Hub through the real huggingface_hub client: exact nodes, edges, relations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fakehub import FakeHub
from memory_repos import card, edges_of, nodes_of
from modelaudit.cachefile import Cache
from modelaudit.lineage.crawler import crawl
from modelaudit.lineage.graph import LineageGraph
from modelaudit.models import RepoKind, RepoRef, SourceKind
from modelaudit.policy.engine import evaluate
from modelaudit.policy.model import Policy
from modelaudit.policy.rules import RuleContext
from modelaudit.sources import SourceSet
from modelaudit.sources.metadata_cache import MetadataCache

CONFIG = json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]})
WEIGHTS = bytes(range(256)) * 8


def model_files(front: dict[str, object], **extra: str | bytes) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "README.md": card(front),
        "config.json": CONFIG,
        "model.safetensors": WEIGHTS,
    }
    files.update({name.replace("__", "."): data for name, data in extra.items()})
    return files


def slugs(graph: LineageGraph) -> list[tuple[str, str]]:
    ctx = RuleContext(graph=graph, policy=Policy(name="t"))
    return sorted((f.name, f.node) for f in [*graph.findings, *evaluate(ctx)])


def sources(hub: FakeHub, cache_root: Path | None = None, *, offline: bool = False) -> SourceSet:
    cache = MetadataCache(Cache(cache_root), endpoint=hub.url) if cache_root is not None else None
    return SourceSet(offline=offline, endpoint=hub.url, metadata_cache=cache)


def add_llama_chain(hub: FakeHub) -> None:
    hub.add_repo("meta-llama/Llama-3.1-8B", model_files({"license": "llama3.1"}), gated="manual")
    hub.add_repo(
        "meta-llama/Llama-3.1-8B-Instruct",
        model_files({"license": "llama3.1", "base_model": "meta-llama/Llama-3.1-8B"}),
    )
    hub.add_repo(
        "acme/llama-lora",
        {
            "README.md": card({"license": "llama3.1", "base_model": "meta-llama/Llama-3.1-8B-Instruct"}),
            "adapter_config.json": json.dumps(
                {"base_model_name_or_path": "meta-llama/Llama-3.1-8B-Instruct", "peft_type": "LORA", "r": 8}
            ),
            "adapter_model.safetensors": WEIGHTS,
        },
    )
    hub.add_repo(
        "acme/llama-lora-GGUF",
        {
            "README.md": card(
                {"license": "llama3.1", "base_model": "acme/llama-lora", "base_model_relation": "quantized"}
            ),
            "model-Q4_K_M.gguf": b"GGUF" + bytes(64),
        },
    )


CHAIN_NODES = {
    "acme/llama-lora-GGUF": ("model", 0, True),
    "acme/llama-lora": ("adapter", 1, True),
    "meta-llama/Llama-3.1-8B-Instruct": ("model", 2, True),
    "meta-llama/Llama-3.1-8B": ("model", 3, True),
}
CHAIN_EDGES = {
    ("acme/llama-lora-GGUF", "acme/llama-lora", "quantized"),
    ("acme/llama-lora", "meta-llama/Llama-3.1-8B-Instruct", "adapter"),
    ("meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B", "finetune"),
}


def test_llama_style_chain(fakehub: FakeHub) -> None:
    add_llama_chain(fakehub)
    graph = crawl(RepoRef(repo_id="acme/llama-lora-GGUF"), sources(fakehub))
    assert nodes_of(graph) == CHAIN_NODES
    assert edges_of(graph) == CHAIN_EDGES
    lora = next(e for e in graph.edges if e.child == "acme/llama-lora")
    assert {ev.source for ev in lora.evidence} == {
        "card:base_model",
        "tag:base_model:adapter",
        "adapter_config.json:base_model_name_or_path",
    }
    # the gated foundation still resolves (API metadata is public) and is flagged
    base = graph.nodes["meta-llama/Llama-3.1-8B"]
    assert base.record is not None and base.record.gated
    assert ("gated", "meta-llama/Llama-3.1-8B") in slugs(graph)
    assert all(name != "lineage-mismatch" for name, _ in slugs(graph))
    # metadata path: at most two requests per node
    per_repo = {key: fakehub.count(repo=key) for key in CHAIN_NODES}
    assert all(n <= 2 for n in per_repo.values()), per_repo


def test_merge_of_two_bases(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/base-a", model_files({"license": "apache-2.0"}))
    fakehub.add_repo("org/base-b", model_files({"license": "mit"}))
    mergekit = (
        "merge_method: slerp\nbase_model: org/base-a\nmodels:\n  - model: org/base-a\n  - model: org/base-b\n"
    )
    fakehub.add_repo(
        "acme/merged",
        model_files(
            {"license": "apache-2.0", "base_model": ["org/base-a", "org/base-b"]},
            mergekit_config__yml=mergekit,
        ),
    )
    graph = crawl(RepoRef(repo_id="acme/merged"), sources(fakehub))
    assert nodes_of(graph) == {
        "acme/merged": ("model", 0, True),
        "org/base-a": ("model", 1, True),
        "org/base-b": ("model", 1, True),
    }
    assert edges_of(graph) == {("acme/merged", "org/base-a", "merge"), ("acme/merged", "org/base-b", "merge")}
    assert "lineage-mismatch" not in {name for name, _ in slugs(graph)}


def test_datasets_with_their_licenses(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/web", {"README.md": card({"license": "odc-by"})}, kind="dataset")
    fakehub.add_repo(
        "org/chat",
        {"README.md": card({"license": "cc-by-nc-4.0", "source_datasets": ["org/web"]})},
        kind="dataset",
    )
    fakehub.add_repo("org/tuned", model_files({"license": "apache-2.0", "datasets": ["org/chat", "org/web"]}))
    graph = crawl(RepoRef(repo_id="org/tuned"), sources(fakehub))
    assert nodes_of(graph) == {
        "org/tuned": ("model", 0, True),
        "datasets/org/chat": ("dataset", 1, True),
        "datasets/org/web": ("dataset", 1, True),
    }
    assert edges_of(graph) == {
        ("org/tuned", "datasets/org/chat", "trained_on"),
        ("org/tuned", "datasets/org/web", "trained_on"),
        ("datasets/org/chat", "datasets/org/web", "derived"),
    }
    declared = {
        key: [ev.value for ev in node.record.license_evidence if ev.source == "card:license"]
        for key, node in graph.nodes.items()
        if node.record is not None
    }
    assert declared == {
        "org/tuned": ["apache-2.0"],
        "datasets/org/chat": ["cc-by-nc-4.0"],
        "datasets/org/web": ["odc-by"],
    }
    assert graph.nodes["datasets/org/web"].ref.kind is RepoKind.DATASET
    assert fakehub.count("info", repo="org/web") == 1  # fetched once though named twice


def test_cycle_on_the_hub(fakehub: FakeHub) -> None:
    fakehub.add_repo("x/a", model_files({"base_model": "x/b"}))
    fakehub.add_repo("x/b", model_files({"base_model": "x/a"}))
    graph = crawl(RepoRef(repo_id="x/a"), sources(fakehub))
    assert nodes_of(graph) == {"x/a": ("model", 0, True), "x/b": ("model", 1, True)}
    assert edges_of(graph) == {("x/a", "x/b", "finetune"), ("x/b", "x/a", "finetune")}
    assert graph.cycles == [["x/a", "x/b", "x/a"]]
    assert ("lineage-cycle", "x/a") in slugs(graph)


def test_missing_and_gated_private_parents(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/secret", model_files({"license": "other"}), private=True)
    fakehub.add_repo("org/child", model_files({"base_model": ["org/ghost", "org/secret"]}))
    graph = crawl(RepoRef(repo_id="org/child"), sources(fakehub))
    assert nodes_of(graph) == {
        "org/child": ("model", 0, True),
        "org/ghost": ("model", 1, False),
        "org/secret": ("model", 1, False),
    }
    assert edges_of(graph) == {("org/child", "org/ghost", "merge"), ("org/child", "org/secret", "merge")}
    assert graph.nodes["org/ghost"].unresolved_reason == "org/ghost: not found"
    assert graph.nodes["org/secret"].unresolved_reason == "org/secret: not found"
    assert [s for s in slugs(graph) if s[0] == "lineage-unresolved"] == [
        ("lineage-unresolved", "org/ghost"),
        ("lineage-unresolved", "org/secret"),
    ]


def test_gated_parent(fakehub: FakeHub) -> None:
    fakehub.add_repo("corp/gated", model_files({"license": "llama3.1"}), gated="auto")
    fakehub.add_repo("org/tune", model_files({"license": "llama3.1", "base_model": "corp/gated"}))
    graph = crawl(RepoRef(repo_id="org/tune"), sources(fakehub))
    assert nodes_of(graph) == {"org/tune": ("model", 0, True), "corp/gated": ("model", 1, True)}
    assert edges_of(graph) == {("org/tune", "corp/gated", "finetune")}
    gated = graph.nodes["corp/gated"].record
    assert gated is not None and gated.gated
    assert [ev.value for ev in gated.license_evidence if ev.source == "card:license"] == ["llama3.1"]
    assert ("gated", "corp/gated") in slugs(graph)


def test_conflicting_evidence(fakehub: FakeHub) -> None:
    fakehub.add_repo("meta/llama", model_files({"license": "llama3.1"}))
    fakehub.add_repo("mistral/mistral", model_files({"license": "apache-2.0"}))
    fakehub.add_repo(
        "acme/lora",
        {
            "README.md": card({"license": "apache-2.0", "base_model": "mistral/mistral"}),
            "adapter_config.json": json.dumps({"base_model_name_or_path": "meta/llama", "peft_type": "LORA"}),
        },
    )
    graph = crawl(RepoRef(repo_id="acme/lora"), sources(fakehub))
    assert nodes_of(graph) == {
        "acme/lora": ("adapter", 0, True),
        "meta/llama": ("model", 1, True),
        "mistral/mistral": ("model", 1, True),
    }
    assert edges_of(graph) == {
        ("acme/lora", "meta/llama", "adapter"),
        ("acme/lora", "mistral/mistral", "adapter"),
    }
    assert ("lineage-mismatch", "acme/lora") in slugs(graph)


def test_offline_scan_from_the_hf_cache(fakehub: FakeHub) -> None:
    from huggingface_hub import snapshot_download

    add_llama_chain(fakehub)
    fakehub.repo("meta-llama/Llama-3.1-8B").approved_tokens.add("hf_approvedtoken123")
    for repo in CHAIN_NODES:  # what a user who downloaded the models has on disk
        snapshot_download(
            repo,
            endpoint=fakehub.url,
            cache_dir=str(fakehub.cache_dir),
            allow_patterns=["*.md", "*.json"],
            token="hf_approvedtoken123",
        )
    fakehub.go_offline()
    fakehub.clear_log()
    graph = crawl(RepoRef(repo_id="acme/llama-lora-GGUF"), sources(fakehub, offline=True))
    assert nodes_of(graph) == CHAIN_NODES
    assert edges_of(graph) == CHAIN_EDGES
    assert {n.record.source for n in graph.nodes.values() if n.record} == {SourceKind.CACHE}
    assert fakehub.requests == []


def test_warm_cache_rerun_makes_no_requests(fakehub: FakeHub, tmp_path: Path) -> None:
    add_llama_chain(fakehub)
    target = RepoRef(repo_id="acme/llama-lora-GGUF", revision=fakehub.repo("acme/llama-lora-GGUF").sha)
    first = crawl(target, sources(fakehub, tmp_path / "mc"))
    assert fakehub.requests
    fakehub.clear_log()
    second = crawl(target, sources(fakehub, tmp_path / "mc"))
    assert fakehub.requests == []
    assert second.model_dump_json() == first.model_dump_json()
    # --no-cache asks again
    crawl(target, sources(fakehub))
    assert fakehub.count("info") == len(CHAIN_NODES)


@pytest.mark.parametrize("fmt", ["text", "json", "dot", "mermaid"])
def test_lineage_command(fakehub: FakeHub, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    from modelaudit.cli.main import main

    add_llama_chain(fakehub)
    with pytest.raises(SystemExit) as done:
        main(["lineage", "acme/llama-lora-GGUF", "-f", fmt, "--no-cache"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    if fmt == "json":
        data = json.loads(out)
        assert {(e["child"], e["parent"], e["relation"]) for e in data["edges"]} == CHAIN_EDGES
        assert [n["id"] for n in data["nodes"]] == list(CHAIN_NODES)
    elif fmt == "text":
        lines = out.splitlines()
        assert lines[0].startswith("acme/llama-lora-GGUF  [model]")
        assert lines[1].startswith("└── quantized → acme/llama-lora  [adapter]")
        assert lines[2].startswith("    └── adapter → meta-llama/Llama-3.1-8B-Instruct  [model]")
        assert lines[3].startswith("        └── finetune → meta-llama/Llama-3.1-8B  [model]  gated")
        assert "4 node(s), 3 edge(s), 0 unresolved, 0 cycle(s)" in out
    elif fmt == "dot":
        assert '"acme/llama-lora" -> "meta-llama/Llama-3.1-8B-Instruct" [label="adapter"];' in out
    else:
        assert out.startswith("graph BT\n") and "-->|quantized|" in out
