"""The Ray engine on a real local Ray instance (no mocks): the same report bytes as the local engine.

Skipped only when Ray is not installed *and* ``CI`` is unset; in CI (``pip install -e ".[dev]"`` brings
Ray) a missing Ray is a failure. One Ray start for the module, kept small: 2 CPUs, no dashboard.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest
from _fleet_support import add_fleet, write_inventory

from fakehub import FakeHub
from modelaudit.errors import ModelAuditError
from modelaudit.fleet.inventory import load_inventory
from modelaudit.fleet.runner import FleetOptions, run_fleet
from modelaudit.fleet.store import open_store
from modelaudit.pipeline import ScanOptions

# before anything imports ray (it reads this once): a busy 2-core machine can need more than a minute
os.environ.setdefault("RAY_raylet_start_wait_time_s", "300")
os.environ.setdefault("RAY_agent_register_timeout_ms", "300000")

if importlib.util.find_spec("ray") is None:
    if os.environ.get("CI"):
        pytest.fail("ray is required in CI (it is in the [dev] extra)", pytrace=False)
    pytest.skip("ray not installed (pip install -e '.[ray]'); CI runs these tests", allow_module_level=True)


def local_model(folder: Path, name: str, base: str, size: int) -> Path:
    path = folder / name
    path.mkdir()
    (path / "README.md").write_text(
        f"---\nlicense: apache-2.0\nbase_model: {base}\n---\nA local fine-tune.\n", encoding="utf-8"
    )
    (path / "config.json").write_text(json.dumps({"model_type": "llama"}), encoding="utf-8")
    (path / "weights.bin").write_bytes(os.urandom(size))  # hashed in --verify full, scanned as pickle
    return path


@pytest.mark.slow
def test_ray_engine_gives_the_local_engines_bytes(
    fakehub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ray

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.chdir(tmp_path)
    ids = add_fleet(fakehub, 4)
    local_model(tmp_path, "local-a", "base/apache-base", 3 * 1024 * 1024)
    local_model(tmp_path, "local-b", "base/nc-base", 1024 * 1024)
    inv = load_inventory(write_inventory(tmp_path, [*ids, "local-a", "local-b", "team/missing"]))
    scan = ScanOptions(verify="full")

    with open_store(tmp_path / "local.db") as store:
        local = run_fleet(inv, FleetOptions(engine="local", workers=2, scan=scan), store)
    assert not ray.is_initialized()
    with open_store(tmp_path / "ray.db") as store:
        try:
            remote = run_fleet(inv, FleetOptions(engine="ray", workers=2, scan=scan), store)
        except ModelAuditError as exc:  # a local node can time out starting on a saturated machine: once more
            assert "could not start a local Ray instance" in exc.message
            remote = run_fleet(inv, FleetOptions(engine="ray", workers=2, scan=scan), store)
        assert store.models(remote.run_id)["team/ft-0"].verdict == "pass"
    assert not ray.is_initialized()  # a local instance started for the run is stopped after it

    assert [o.entry.spec for o in remote.outcomes] == [o.entry.spec for o in local.outcomes]
    for a, b in zip(local.outcomes, remote.outcomes, strict=True):
        assert (a.verdict, a.report, a.error) == (b.verdict, b.report, b.error), a.entry.spec
    verdicts = {o.entry.target.rsplit("/", 1)[-1]: o.verdict for o in remote.outcomes}
    assert verdicts["missing"] == "error" and verdicts["local-a"] == "pass"
    hashed = json.loads(next(o.report for o in remote.outcomes if o.entry.target.endswith("local-a")) or "{}")
    weights = [f for n in hashed["nodes"] for f in n["files"] if f["path"] == "weights.bin"]
    assert weights and weights[0]["sha256_actual"]  # the Ray worker really hashed the bytes


def test_an_address_nobody_answers_on_is_refused_quickly(tmp_path: Path) -> None:
    """Ray would retry such an address forever; the engine checks it first and exits 2 with the address."""
    import socket

    from cli_run import run_cli

    with socket.socket() as sock:  # a port that was free a moment ago and has no listener now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "README.md").write_text("---\nlicense: mit\n---\n", encoding="utf-8")
    (tmp_path / "fleet.txt").write_text("m\n", encoding="utf-8")
    code, stdout, stderr = run_cli(
        "fleet",
        "scan",
        str(tmp_path / "fleet.txt"),
        "--db",
        str(tmp_path / "f.db"),
        "-o",
        str(tmp_path / "o"),
        "--engine",
        "ray",
        "--ray-address",
        f"127.0.0.1:{port}",
        "-q",
    )
    assert code == 2 and stdout == ""
    assert f"could not join the Ray cluster at 127.0.0.1:{port}: nothing answers there" in stderr


def sharded_model(folder: Path, shards: int, shard_bytes: int) -> Path:
    """A local model whose weights are ``shards`` safetensors files with their index, as the Hub has them."""
    import numpy as np
    from safetensors.numpy import save_file

    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\nA sharded model.\n", encoding="utf-8")
    (folder / "config.json").write_text(json.dumps({"model_type": "llama"}), encoding="utf-8")
    rng = np.random.default_rng(3)
    weight_map = {}
    for i in range(shards):
        name = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
        tensor = f"layers.{i}.weight"
        save_file({tensor: rng.integers(0, 255, size=shard_bytes, dtype=np.uint8)}, str(folder / name))
        weight_map[tensor] = name
    index = {"metadata": {"total_size": shards * shard_bytes}, "weight_map": weight_map}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index), encoding="utf-8")
    return folder


@pytest.mark.slow
def test_a_sharded_models_files_are_hashed_by_separate_tasks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One model, 6 shards: each shard is hashed by a Ray task of its own (not all by the model's worker),
    the model's scan takes those digests, and the report is the local engine's, byte for byte."""
    import hashlib

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("MODELAUDIT_FINGERPRINT_INDEX", str(tmp_path / "index.json"))
    monkeypatch.chdir(tmp_path)
    folder = sharded_model(tmp_path / "sharded", 6, 512 * 1024)
    inv = load_inventory(write_inventory(tmp_path, ["sharded"]))
    options: dict[str, object] = {
        "workers": 2,
        "scan": ScanOptions(verify="full"),
        "split_hash_bytes": 256 * 1024,
    }

    with open_store(tmp_path / "local.db") as store:
        local = run_fleet(inv, FleetOptions(engine="local", **options), store)
    with open_store(tmp_path / "ray.db") as store:
        try:
            remote = run_fleet(inv, FleetOptions(engine="ray", **options), store)
        except ModelAuditError as exc:  # a local node can time out starting on a saturated machine: once more
            assert "could not start a local Ray instance" in exc.message
            remote = run_fleet(inv, FleetOptions(engine="ray", **options), store)

    (a,), (b,) = local.outcomes, remote.outcomes
    assert a.verdict == "pass" and (a.verdict, a.report, a.error) == (b.verdict, b.report, b.error)
    assert (local.hash_tasks, local.hashed_ahead) == (0, 0)
    assert remote.hash_tasks == 6  # six distinct Ray tasks hashed the six shards
    assert remote.hashed_ahead == 6  # and the model's scan took all six digests instead of hashing again
    files = {f["path"]: f for n in json.loads(b.report or "{}")["nodes"] for f in n["files"]}
    for shard in sorted(folder.glob("*.safetensors")):
        assert files[shard.name]["sha256_actual"] == hashlib.sha256(shard.read_bytes()).hexdigest()
        assert files[shard.name]["status"] == "no-reference"
