"""Helpers for smoke tests that need no torch: fake folders, HF cache layout."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

COMMIT = "0123456789abcdef0123456789abcdef01234567"
LLAMA_CONFIG = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "dtype": "float32"}


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


def fake_model(
    folder: Path, config: dict[str, object] | None = None, weights: tuple[str, ...] = ("model.safetensors",)
) -> Path:
    """A folder that looks like a model to the planner (the weight files hold no real tensors)."""
    folder.mkdir(parents=True, exist_ok=True)
    if config is not None:
        write_json(folder / "config.json", config)
    for name in weights:
        (folder / name).write_bytes(b"\0" * 16)
    return folder


def put_in_hf_cache(cache: Path, repo_id: str, folder: Path) -> Path:
    """Lay ``folder`` out as the HF cache does (blobs + snapshot symlinks + refs/main); returns the snapshot."""
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    snap = repo / "snapshots" / COMMIT
    (repo / "blobs").mkdir(parents=True, exist_ok=True)
    snap.mkdir(parents=True, exist_ok=True)
    for f in sorted(folder.iterdir()):
        data = f.read_bytes()
        blob = repo / "blobs" / hashlib.sha256(data).hexdigest()
        blob.write_bytes(data)
        (snap / f.name).symlink_to(Path("..", "..", "blobs", blob.name))
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(COMMIT)
    return snap
