"""Repo contents shared by the Hub and cache source tests."""

from __future__ import annotations

import json
import struct


def safetensors_blob(metadata: dict[str, str] | None = None, n: int = 4) -> bytes:
    header: dict[str, object] = {"w": {"dtype": "F32", "shape": [n], "data_offsets": [0, 4 * n]}}
    if metadata:
        header["__metadata__"] = metadata
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + bytes(range(4 * n))


CARD = """---
license: apache-2.0
base_model: org/base
datasets:
- org/data
---
# Fine-tuned model
"""
CONFIG = '{"model_type": "llama", "architectures": ["LlamaForCausalLM"]}'
WEIGHTS = safetensors_blob({"format": "pt"}, n=64)


def plain_model() -> dict[str, bytes | str]:
    return {
        "README.md": CARD,
        "config.json": CONFIG,
        "model.safetensors": WEIGHTS,
        "LICENSE": "Apache License 2.0",
    }
