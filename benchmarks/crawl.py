"""Lineage crawl benchmark on the fake Hub (tests/fakehub) with injected latency, through the real client.

Prints (targets from issue 3):
  1. wall time of a crawl of a synthetic lineage of ~30 models and datasets (depth 4, fan-in up to 3)
     with the default worker pool, the same crawl with one worker, and their ratio (target >= 3x);
  2. requests per node on the metadata path (target <= 2), with the worst node, and the requests for
     license files (LICENSE*, NOTICE*, USE_POLICY*: one per file, target = the number of such files);
  3. requests made by a warm-cache rerun of the pinned target (target 0);
  4. a 500-node lineage: crawl time and peak Python memory (tracemalloc) of the crawl.

Each crawl starts from an empty HF cache and an empty metadata cache unless stated otherwise.

    .venv/bin/python benchmarks/crawl.py
    .venv/bin/python benchmarks/crawl.py --latency 0.1 --workers 16
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake Hub lives with the tests
sys.path.insert(0, str(ROOT / "src"))

from fakehub import FakeHub  # noqa: E402

CONFIG = json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]})


def card(front: dict[str, Any]) -> str:
    return "---\n" + json.dumps(front) + "\n---\nsynthetic\n"


def build_lineage(hub: FakeHub, levels: list[int], seed: int, *, prefix: str) -> tuple[str, int]:
    """Levels of repos (the target first); each repo names 1-3 parents on the next level.

    The last level holds datasets and base models; level 2 holds adapters and merges, so every kind of
    evidence the crawler reads is on the path. Returns the target id and the number of repos.
    """
    rng = random.Random(seed)
    names: list[list[str]] = []
    for depth, count in enumerate(levels):
        row = []
        for i in range(count):
            last = depth == len(levels) - 1
            row.append(f"datasets/{prefix}/data-{depth}-{i}" if last and i % 2 else f"{prefix}/m-{depth}-{i}")
        names.append(row)
    for depth, row in enumerate(names):
        below = names[depth + 1] if depth + 1 < len(names) else []
        picks: dict[str, list[str]] = {name: [] for name in row}
        for j, parent in enumerate(below):  # every parent is named by someone
            picks[row[j % len(row)]].append(parent)
        for name in row:
            want = rng.randint(1, 3) if below else 0
            while len(picks[name]) < min(want, len(below)):
                candidate = rng.choice(below)
                if candidate not in picks[name]:
                    picks[name].append(candidate)
            parents = picks[name][:3] if len(picks[name]) > 3 else picks[name]
            picks[name] = parents
            bases = [p for p in parents if not p.startswith("datasets/")]
            datasets = [p[len("datasets/") :] for p in parents if p.startswith("datasets/")]
            style = rng.choice(["adapter", "quantized", "plain"]) if len(bases) == 1 else "plain"
            front: dict[str, Any] = {"license": rng.choice(["apache-2.0", "mit", "llama3.1", "cc-by-4.0"])}
            if bases:
                front["base_model"] = bases if len(bases) > 1 else bases[0]
            if datasets:
                front["datasets"] = datasets
            if name.startswith("datasets/"):
                hub.add_repo(name[len("datasets/") :], {"README.md": card(front)}, kind="dataset")
                continue
            files: dict[str, str | bytes] = {"README.md": card(front)}
            if i % 2 == 0:  # license files are read for every model node: half the models ship one
                files["LICENSE"] = f"synthetic license text of {name}\n"
            if front["license"] == "llama3.1" and i % 3 == 0:
                files["USE_POLICY.md"] = "synthetic acceptable use policy\n"
            if style == "adapter":
                files["adapter_config.json"] = json.dumps(
                    {"base_model_name_or_path": bases[0], "peft_type": "LORA"}
                )
                files["adapter_model.safetensors"] = b"\0" * 64
            elif style == "quantized":
                front["base_model_relation"] = "quantized"
                files["README.md"] = card(front)
                files["model-Q4_K_M.gguf"] = b"GGUF" + b"\0" * 60
            else:
                files["config.json"] = CONFIG
                files["model.safetensors"] = b"\0" * 64
                if len(bases) > 1 and rng.random() < 0.5:
                    files["mergekit_config.yml"] = "models:\n" + "".join(f"  - model: {b}\n" for b in bases)
            hub.add_repo(name, files)
    # the leaf level may hold repos nobody named when a row above is short; they are simply not crawled
    return names[0][0], sum(levels)


def big_levels(total: int, max_levels: int = 10) -> list[int]:
    """Level sizes summing to ``total``: each level at most 3x the one before (fan-in up to 3 names them
    all), the remaining nodes spread evenly over the remaining levels (depth stays within --max-depth)."""
    levels = [1]
    while sum(levels) < total:
        left, slots = total - sum(levels), max_levels - len(levels)
        even = -(-left // slots) if slots > 0 else left
        levels.append(min(left, max(even, 1) if even <= levels[-1] * 3 else levels[-1] * 3))
    return levels


def run_crawl(hub: FakeHub, target: Any, *, workers: int, metadata_cache: Path | None, hf_cache: Path) -> Any:
    from modelaudit.cachefile import Cache
    from modelaudit.lineage.crawler import crawl
    from modelaudit.sources import SourceSet
    from modelaudit.sources.metadata_cache import MetadataCache

    os.environ["HF_HUB_CACHE"] = str(hf_cache)
    cache = MetadataCache(Cache(metadata_cache), endpoint=hub.url) if metadata_cache is not None else None
    sources = SourceSet(endpoint=hub.url, metadata_cache=cache, timeout=30)
    hub.clear_log()
    start = time.perf_counter()
    graph = crawl(target, sources, workers=workers)
    return graph, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the fake Hub waits per request")
    parser.add_argument(
        "--workers", type=int, default=None, help="pool size (default: the crawler's default)"
    )
    parser.add_argument("--big", type=int, default=500, help="nodes of the large graph (0 to skip)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="modelaudit-bench-crawl-"))
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE"):
        os.environ.pop(name, None)
    os.environ.update(
        HF_HOME=str(tmp / "hf-home"),
        HF_HUB_DISABLE_XET="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        NO_PROXY="127.0.0.1,localhost",
    )
    hub = FakeHub()
    os.environ["HF_ENDPOINT"] = hub.url

    from modelaudit.lineage.crawler import DEFAULT_WORKERS
    from modelaudit.models import RepoRef
    from modelaudit.sources.base import is_license_file

    workers = args.workers or DEFAULT_WORKERS
    target_id, _ = build_lineage(hub, [1, 3, 6, 9, 11], seed=7, prefix="bench")
    target = RepoRef(repo_id=target_id, revision=hub.repo(target_id).sha)  # pinned: cacheable forever
    # warm-up: imports and the HTTP client's first connection are not part of what is compared
    hub.add_repo("warm/up", {"README.md": card({"license": "mit"})})
    run_crawl(hub, RepoRef(repo_id="warm/up"), workers=1, metadata_cache=None, hf_cache=tmp / "hf0")
    hub.latency = args.latency

    graph, t_pool = run_crawl(hub, target, workers=workers, metadata_cache=tmp / "mc", hf_cache=tmp / "hf1")
    requests = [r for r in hub.requests]
    nodes = len(graph.nodes)
    license_requests = [r for r in requests if r.route == "resolve" and is_license_file(r.file or "")]
    metadata_requests = [r for r in requests if r not in license_requests]
    per_repo = Counter(r.repo_id for r in metadata_requests)
    worst_repo, worst = per_repo.most_common(1)[0]
    license_files = sum(
        1 for n in graph.nodes.values() if n.record for f in n.record.files if is_license_file(f.path)
    )
    depth = max(n.depth for n in graph.nodes.values())
    kinds = Counter(n.kind.value for n in graph.nodes.values())
    relations = Counter(e.relation.value for e in graph.edges)
    _, t_one = run_crawl(hub, target, workers=1, metadata_cache=None, hf_cache=tmp / "hf2")
    _, t_warm = run_crawl(hub, target, workers=workers, metadata_cache=tmp / "mc", hf_cache=tmp / "hf3")
    warm_requests = len(hub.requests)

    print(
        f"synthetic lineage: {nodes} nodes ({dict(sorted(kinds.items()))}), {len(graph.edges)} edges "
        f"({dict(sorted(relations.items()))}), depth {depth}; fake Hub latency {args.latency * 1000:.0f} ms/request"
    )
    print(f"crawl, {workers} workers:        {t_pool:6.2f} s")
    print(f"crawl, 1 worker:          {t_one:6.2f} s")
    print(f"speed-up:                 {t_one / t_pool:6.1f}x   (target >= 3x)")
    print(
        f"requests per node:        {len(metadata_requests) / nodes:6.2f}    (metadata, target <= 2; "
        f"{len(metadata_requests)} requests, worst node {worst_repo}: {worst})"
    )
    print(
        f"license-file requests:    {len(license_requests):6d}    (target = {license_files} license files "
        f"listed by the crawled repos, one request each); all requests per node: {len(requests) / nodes:.2f}"
    )
    print(f"warm-cache rerun:         {warm_requests:6d} requests in {t_warm:.3f} s   (target 0)")

    if args.big:
        levels = big_levels(args.big)
        big_hub = FakeHub()
        os.environ["HF_ENDPOINT"] = big_hub.url
        big_id, _ = build_lineage(big_hub, levels, seed=5, prefix="big")
        big_hub.latency = args.latency
        big_ref = RepoRef(repo_id=big_id)
        big_graph, t_big = run_crawl(
            big_hub, big_ref, workers=workers, metadata_cache=None, hf_cache=tmp / "hf4"
        )
        big_requests = len(big_hub.requests)
        big_hub.latency = 0.0
        tracemalloc.start()
        run_crawl(big_hub, big_ref, workers=workers, metadata_cache=None, hf_cache=tmp / "hf5")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"large lineage: {len(big_graph.nodes)} nodes, {len(big_graph.edges)} edges, "
            f"truncated={big_graph.truncated}"
        )
        print(
            f"  crawl time ({workers} workers, {args.latency * 1000:.0f} ms): {t_big:6.2f} s, "
            f"{big_requests} requests ({big_requests / len(big_graph.nodes):.2f}/node)"
        )
        print(
            f"  peak traced Python memory of the crawl (no latency, incl. the in-process fake Hub): "
            f"{peak / 2**20:.1f} MiB"
        )
        big_hub.close()
    hub.close()


if __name__ == "__main__":
    main()
