"""Repos for the Hub pull-request tests: a Llama 3.1 fine-tune whose PR re-licenses it as MIT."""

from __future__ import annotations

import numpy as np
from safetensors.numpy import save

from fakehub import FakeHub

BASE_ID = "meta-llama/Llama-3.1-8B"
REPO_ID = "acme/Llama-3.1-acme-chat"
WEIGHTS = save({"w": np.arange(16, dtype=np.float32).reshape(4, 4)}, metadata={"format": "pt"})
WEIGHTS_V2 = save({"w": np.arange(16, 32, dtype=np.float32).reshape(4, 4)}, metadata={"format": "pt"})
CONFIG = '{"model_type": "llama", "architectures": ["LlamaForCausalLM"]}'


def card(license_id: str, *, datasets: str = "") -> str:
    extra = f"datasets: [{datasets}]\n" if datasets else ""
    return (
        f"---\nlicense: {license_id}\nbase_model: {BASE_ID}\nbase_model_relation: finetune\n{extra}---\n"
        "# Llama-3.1-acme-chat\n\nBuilt with Llama.\n"
    )


def main_files() -> dict[str, bytes | str]:
    return {"README.md": card("llama3.1"), "config.json": CONFIG, "model.safetensors": WEIGHTS}


def relicensed_files() -> dict[str, bytes | str]:
    """The PR head: the card now says MIT, an MIT LICENSE file appears, and the weights changed."""
    return {
        "README.md": card("mit"),
        "LICENSE": "MIT License\n\nCopyright (c) 2026 acme\n\nPermission is hereby granted, free of charge, ...\n",
        "config.json": CONFIG,
        "model.safetensors": WEIGHTS_V2,
    }


def add_llama_family(hub: FakeHub) -> None:
    hub.add_repo(
        BASE_ID,
        {
            "README.md": "---\nlicense: llama3.1\n---\n# Llama 3.1\n",
            "config.json": CONFIG,
            "model.safetensors": WEIGHTS,
        },
    )
    hub.add_repo(REPO_ID, main_files())
