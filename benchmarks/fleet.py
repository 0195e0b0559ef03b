"""Fleet audit benchmark (issue 14) on the fake Hub (tests/fakehub) through the real huggingface_hub client.

Prints:
  1. a generated fleet of 1,000 models over 20 shared bases at 50 ms latency per request, local engine:
     total Hub requests against the number of distinct repos (target <= 2 per repo plus license files,
     not per model) and the wall time;
  2. a no-change re-run: models rescanned (target 0) and requests per inventory entry (target <= 1);
     with --one-repo-owners every model has an owner of its own (no owner listing can group them);
  3. a hashing-heavy fleet (local folders, one large safetensors file each, --verify full) on the Ray
     engine with 2 workers against 1 worker (target >= 1.6x), after a warm-up run on each Ray instance;
     the local engine's 2-vs-1 ratio is printed as a reference measured in the same run;
  4. one model with --shards large shards, --verify full, on the Ray engine with 2 workers against 1
     (target >= 1.6x): each shard is hashed by a Ray task of its own, on the same Ray instances as 3.

    .venv/bin/python benchmarks/fleet.py
    .venv/bin/python benchmarks/fleet.py --models 200 --hash-models 4 --hash-mib 64   # quicker
    .venv/bin/python benchmarks/fleet.py --models 0 --hash-mib 384                    # hashing only
    .venv/bin/python benchmarks/fleet.py --one-repo-owners --hash-models 0 --shards 0  # one-repo owners
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake Hub lives with the tests
sys.path.insert(0, str(ROOT / "src"))

from fakehub import FakeHub  # noqa: E402

CONFIG = json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]})
BASE_LICENSES = ["apache-2.0", "mit", "llama3.1", "gemma", "cc-by-nc-4.0", "other"]
LICENSE_TEXT = "ACME MODEL LICENSE\n\nYou may use this model for research purposes only.\n"


def card(front: dict[str, Any]) -> str:
    return "---\n" + json.dumps(front) + "\n---\nsynthetic\n"


def build_fleet(hub: FakeHub, models: int, bases: int, one_repo_owners: bool = False) -> list[str]:
    base_ids = []
    for b in range(bases):
        lic = BASE_LICENSES[b % len(BASE_LICENSES)]
        files: dict[str, str | bytes] = {"README.md": card({"license": lic}), "config.json": CONFIG}
        if lic == "other":  # the card does not settle the license: the LICENSE file is read too
            files["LICENSE"] = LICENSE_TEXT
        repo = f"bases/base-{b:02d}"
        hub.add_repo(repo, files)
        base_ids.append(repo)
    ids = []
    for m in range(models):
        base = base_ids[m % bases]
        lic = "apache-2.0" if m % 3 else "mit"
        repo = f"user-{m:04d}/model" if one_repo_owners else f"team-{m % 10}/model-{m:04d}"
        hub.add_repo(repo, {"README.md": card({"license": lic, "base_model": base}), "config.json": CONFIG})
        ids.append(repo)
    return ids


def write_inventory(folder: Path, targets: list[str]) -> Path:
    path = folder / "fleet.txt"
    path.write_text("\n".join(targets) + "\n", encoding="utf-8")
    return path


def run(inventory: Path, db: Path, **options: Any) -> tuple[Any, float]:
    from modelaudit.fleet.inventory import load_inventory
    from modelaudit.fleet.runner import FleetOptions, run_fleet
    from modelaudit.fleet.store import open_store

    inv = load_inventory(inventory)
    with open_store(db) as store:
        start = time.perf_counter()
        result = run_fleet(inv, FleetOptions(**options), store)
        return result, time.perf_counter() - start


def hashing_fleet(folder: Path, count: int, mib: int, prefix: str) -> Path:
    import numpy as np
    from safetensors.numpy import save_file

    rng = np.random.default_rng(7)
    targets = []
    for i in range(count):
        path = folder / f"{prefix}-{i}"
        path.mkdir(parents=True)
        (path / "README.md").write_text(card({"license": "apache-2.0"}), encoding="utf-8")
        (path / "config.json").write_text(CONFIG, encoding="utf-8")
        weights = rng.integers(0, 255, size=mib * 1024 * 1024, dtype=np.uint8)
        save_file({"w": weights}, str(path / "model.safetensors"))
        targets.append(str(path))
    return write_inventory(folder, targets)


def sharded_model(folder: Path, shards: int, mib: int) -> Path:
    """One local model whose weights are ``shards`` safetensors files of ``mib`` MiB, with their index."""
    import numpy as np
    from safetensors.numpy import save_file

    rng = np.random.default_rng(11)
    path = folder / "sharded"
    path.mkdir(parents=True)
    (path / "README.md").write_text(card({"license": "apache-2.0"}), encoding="utf-8")
    (path / "config.json").write_text(CONFIG, encoding="utf-8")
    weight_map = {}
    for i in range(shards):
        name = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
        save_file({f"w{i}": rng.integers(0, 255, size=mib * 1024 * 1024, dtype=np.uint8)}, str(path / name))
        weight_map[f"w{i}"] = name
    index = {"metadata": {"total_size": shards * mib * 1024 * 1024}, "weight_map": weight_map}
    (path / "model.safetensors.index.json").write_text(json.dumps(index), encoding="utf-8")
    return write_inventory(folder, [str(path)])


def raw_hashing(inventory: Path, threads: int) -> float:
    """The machine's own reference: hashlib over the same weights with ``threads`` threads (GIL released)."""
    import hashlib
    from concurrent.futures import ThreadPoolExecutor

    files = [f for line in inventory.read_text().split() for f in sorted(Path(line).glob("*.safetensors"))]

    def one(path: Path) -> str:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, files))
    return time.perf_counter() - start


def ray_times(inventories: list[Path], warmup: Path, db: Path, workers: int) -> list[float]:
    """Seconds of a Ray run over each inventory, all on one Ray instance of ``workers`` CPUs after a warm-up
    run (worker processes started, modules imported)."""
    from modelaudit.fleet.ray_engine import import_ray
    from modelaudit.pipeline import ScanOptions

    ray = import_ray()  # with the engine's start-up settings for a busy machine

    ray.init(
        address="local",  # our own instance, not one another process left running
        num_cpus=workers,
        object_store_memory=128 * 1024 * 1024,
        include_dashboard=False,
        log_to_driver=False,
    )
    try:
        scan = ScanOptions(verify="full", no_cache=True)
        run(warmup, db.with_suffix(".warm.db"), engine="ray", workers=workers, incremental=False, scan=scan)
        seconds = []
        for i, inventory in enumerate(inventories):
            result, took = run(
                inventory,
                db.with_suffix(f".{i}.db"),
                engine="ray",
                workers=workers,
                incremental=False,
                scan=scan,
            )
            assert all(o.verdict == "pass" for o in result.outcomes), [o.error for o in result.outcomes]
            # every large file hashed once, by a task of its own, and its digest taken by the model's scan
            assert result.hash_tasks == result.hashed_ahead > 0, (result.hash_tasks, result.hashed_ahead)
            seconds.append(took)
        return seconds
    finally:
        ray.shutdown()


def hub_fleet(args: argparse.Namespace, tmp: Path) -> None:
    hub = FakeHub()
    os.environ["HF_ENDPOINT"] = hub.url
    ids = build_fleet(hub, args.models, args.bases, args.one_repo_owners)
    inventory = write_inventory(tmp, ids)
    # warm-up: imports and the first connection are not part of what is measured
    hub.add_repo("warm/up", {"README.md": card({"license": "mit"})})
    (tmp / "w").mkdir()
    run(write_inventory(tmp / "w", ["warm/up"]), tmp / "w.db")
    hub.clear_log()
    hub.latency = args.latency

    first, t_first = run(inventory, tmp / "fleet.db", workers=args.workers)
    requests = hub.requests
    repos = len(ids) + args.bases
    license_files = sum(1 for r in requests if r.route == "resolve" and (r.file or "").startswith("LICENSE"))
    per_repo = Counter(r.repo_id for r in requests)
    worst_repo, worst = per_repo.most_common(1)[0]
    verdicts = Counter(o.verdict for o in first.outcomes)
    print(
        f"fleet: {len(ids)} models over {args.bases} shared bases ({repos} distinct repos"
        f"{', each model under an owner of its own' if args.one_repo_owners else ''}); fake Hub latency "
        f"{args.latency * 1000:.0f} ms/request; local engine, {args.workers} workers"
    )
    print(f"  verdicts: {dict(sorted(verdicts.items()))}")
    print(
        f"  Hub requests:           {len(requests):6d}   = {len(requests) / repos:.3f} per distinct repo "
        f"({license_files} of them LICENSE files; worst repo {worst_repo}: {worst}); "
        f"target <= 2 per repo + license files"
    )
    print(f"  requests per model:     {len(requests) / len(ids):6.3f}")
    print(f"  wall time:              {t_first:6.2f} s   ({t_first / len(ids) * 1000:.1f} ms per model)")

    hub.clear_log()
    again, t_again = run(inventory, tmp / "fleet.db", workers=args.workers)
    rescans = sum(o.rescanned for o in again.outcomes)
    print(
        f"no-change re-run:         {rescans} model rescans (target 0), {len(hub.requests)} requests = "
        f"{len(hub.requests) / len(ids):.3f} per inventory entry (target <= 1), {t_again:.2f} s"
    )
    hub.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--models", type=int, default=1000, help="models of the Hub fleet (0: skip that part)"
    )
    parser.add_argument("--bases", type=int, default=20)
    parser.add_argument(
        "--one-repo-owners",
        action="store_true",
        help="every model under an owner of its own (user-NNNN/model)",
    )
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the fake Hub waits per request")
    parser.add_argument("--workers", type=int, default=4, help="local engine pool size")
    parser.add_argument(
        "--hash-models", type=int, default=8, help="models of the hashing-heavy fleet (0: skip)"
    )
    parser.add_argument("--hash-mib", type=int, default=192, help="MiB of weights per hashing-heavy model")
    parser.add_argument(
        "--shards", type=int, default=8, help="shards (of --hash-mib MiB) of the one sharded model (0: skip)"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="modelaudit-bench-fleet-"))
    try:
        measure(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # the hashing fleet alone is gigabytes


def measure(args: argparse.Namespace, tmp: Path) -> None:
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE"):
        os.environ.pop(name, None)
    os.environ.update(
        HF_HOME=str(tmp / "hf-home"),
        HF_HUB_CACHE=str(tmp / "hf-cache"),
        HF_HUB_DISABLE_XET="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        MODELAUDIT_CACHE_DIR=str(tmp / "modelaudit-cache"),
        MODELAUDIT_FINGERPRINT_INDEX=str(tmp / "fingerprint-index.json"),
        NO_PROXY="127.0.0.1,localhost",
    )
    if args.models:
        hub_fleet(args, tmp)
    if args.hash_models or args.shards:
        heavy = (
            hashing_fleet(tmp / "heavy", args.hash_models, args.hash_mib, "heavy")
            if args.hash_models
            else None
        )
        sharded = sharded_model(tmp / "sharded", args.shards, args.hash_mib) if args.shards else None
        warm = hashing_fleet(tmp / "warm", 6, 16, "warm")  # enough tasks to start every worker process
        total = args.hash_models * args.hash_mib
        from modelaudit.pipeline import ScanOptions

        scan = ScanOptions(verify="full", no_cache=True)
        inventories = [i for i in (heavy, sharded) if i is not None]
        by_workers = {w: ray_times(inventories, warm, tmp / f"r{w}.db", w) for w in (1, 2)}
        raw = {w: raw_hashing(inventories[0], w) for w in (1, 2)}
        print(
            f"hashing on the Ray engine, --verify full; machine: {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.1f} (other work on the machine takes cores from both runs)"
        )
        if heavy is not None:
            one, two = by_workers[1][0], by_workers[2][0]
            local_times = {}
            for w in (1, 2):
                run(warm, tmp / f"lw{w}.db", workers=w, incremental=False, scan=scan)
                local_times[w] = run(heavy, tmp / f"l{w}.db", workers=w, incremental=False, scan=scan)[1]
            print(
                f"  {args.hash_models} local models x {args.hash_mib} MiB safetensors ({total} MiB):\n"
                f"    ray engine, 1 worker:   {one:6.2f} s ({total / one:.0f} MiB/s)\n"
                f"    ray engine, 2 workers:  {two:6.2f} s ({total / two:.0f} MiB/s)\n"
                f"    speed-up:               {one / two:6.2f}x   (target >= 1.6x)\n"
                f"    reference, local engine 1 vs 2 workers: {local_times[1]:.2f} s vs {local_times[2]:.2f} s "
                f"= {local_times[1] / local_times[2]:.2f}x"
            )
        if sharded is not None:
            one, two = by_workers[1][-1], by_workers[2][-1]
            size = args.shards * args.hash_mib
            print(
                f"  one model with {args.shards} shards x {args.hash_mib} MiB ({size} MiB), each shard a task:\n"
                f"    ray engine, 1 worker:   {one:6.2f} s ({size / one:.0f} MiB/s)\n"
                f"    ray engine, 2 workers:  {two:6.2f} s ({size / two:.0f} MiB/s)\n"
                f"    speed-up:               {one / two:6.2f}x   (target >= 1.6x)"
            )
        print(
            f"  reference, plain hashlib 1 vs 2 threads on the first set's files: {raw[1]:.2f} s vs "
            f"{raw[2]:.2f} s = {raw[1] / raw[2]:.2f}x (what two cores of this machine give right now)"
        )


if __name__ == "__main__":
    main()
