"""Regenerate the bundled example models (deterministic): ``python examples/make_examples.py``.

tiny-base           a small Llama-style base model, Apache-2.0, trained on tiny-corpus
tiny-chat           a fine-tune of tiny-base (base weights + small noise), trained on tiny-instructions
tiny-corpus, tiny-instructions   the datasets they name, with their own cards and licenses
tiny-llama-base     a base model under the Llama 3.1 Community License
relicensed-chat     a fine-tune of tiny-llama-base declared Apache-2.0: the audit fails (exit 1)
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

HERE = Path(__file__).resolve().parent
CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 16,
    "intermediate_size": 32,
    "num_attention_heads": 2,
    "num_key_value_heads": 2,
    "num_hidden_layers": 2,
    "vocab_size": 64,
    "max_position_embeddings": 64,
    "rms_norm_eps": 1e-6,
    "torch_dtype": "float32",
    "bos_token_id": 1,
    "eos_token_id": 2,
}


def base_weights(rng: np.random.Generator) -> dict[str, np.ndarray]:
    h, i, v = CONFIG["hidden_size"], CONFIG["intermediate_size"], CONFIG["vocab_size"]
    w: dict[str, np.ndarray] = {"model.embed_tokens.weight": rng.normal(0, 0.02, (v, h))}
    for layer in range(CONFIG["num_hidden_layers"]):
        p = f"model.layers.{layer}"
        for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
            w[f"{p}.self_attn.{name}.weight"] = rng.normal(0, 0.02, (h, h))
        w[f"{p}.mlp.gate_proj.weight"] = rng.normal(0, 0.02, (i, h))
        w[f"{p}.mlp.up_proj.weight"] = rng.normal(0, 0.02, (i, h))
        w[f"{p}.mlp.down_proj.weight"] = rng.normal(0, 0.02, (h, i))
        w[f"{p}.input_layernorm.weight"] = np.ones(h)
        w[f"{p}.post_attention_layernorm.weight"] = np.ones(h)
    w["model.norm.weight"] = np.ones(h)
    w["lm_head.weight"] = rng.normal(0, 0.02, (v, h))
    return {k: a.astype(np.float32) for k, a in w.items()}


def write(folder: str, files: dict[str, str]) -> Path:
    path = HERE / folder
    path.mkdir(exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


def main() -> None:
    apache = (HERE / "APACHE-2.0.txt").read_text(encoding="utf-8")
    write(
        "tiny-corpus",
        {
            "README.md": "---\nlicense: cc-by-4.0\npretty_name: Tiny Corpus\nlanguage: [en]\n"
            "task_categories: [text-generation]\n---\n\n# Tiny Corpus\n\nA handful of public-domain "
            "sentences used to pre-train tiny-base. Attribution: the modelaudit examples.\n",
        },
    )
    write(
        "tiny-instructions",
        {
            "README.md": "---\nlicense: mit\npretty_name: Tiny Instructions\nsource_datasets: [tiny-corpus]\n"
            "task_categories: [text-generation]\n---\n\n# Tiny Instructions\n\nInstruction/response "
            "pairs written for the example, derived from tiny-corpus.\n",
        },
    )
    rng = np.random.default_rng(20261129)
    base = base_weights(rng)
    base_dir = write(
        "tiny-base",
        {
            "README.md": "---\nlicense: apache-2.0\nlibrary_name: transformers\npipeline_tag: text-generation\n"
            "datasets: [tiny-corpus]\ntags: [llama, example]\n---\n\n# tiny-base\n\nA 20k-parameter "
            "Llama-style base model bundled with modelaudit as an example.\n",
            "config.json": json.dumps(CONFIG, indent=2, sort_keys=True) + "\n",
            "LICENSE": apache,
        },
    )
    save_file(base, str(base_dir / "model.safetensors"), metadata={"format": "pt"})
    tuned = {k: (a + rng.normal(0, 0.001, a.shape)).astype(np.float32) for k, a in base.items()}
    chat_dir = write(
        "tiny-chat",
        {
            "README.md": "---\nlicense: apache-2.0\nlibrary_name: transformers\npipeline_tag: text-generation\n"
            "base_model: tiny-base\nbase_model_relation: finetune\ndatasets: [tiny-instructions]\n"
            "tags: [llama, example, chat]\n---\n\n# tiny-chat\n\nAn instruction-tuned version of "
            "[tiny-base](../tiny-base), bundled with modelaudit as an example.\n",
            "config.json": json.dumps(CONFIG, indent=2, sort_keys=True) + "\n",
            "LICENSE": apache,
        },
    )
    save_file(tuned, str(chat_dir / "model.safetensors"), metadata={"format": "pt"})

    # A failing pair: a fine-tune of a Llama-3.1-licensed base that re-licenses itself as Apache-2.0,
    # dropping the Llama terms that must flow down (and the "Llama" name prefix).
    llama_base = base_weights(np.random.default_rng(31))
    llama_dir = write(
        "tiny-llama-base",
        {
            "README.md": "---\nlicense: llama3.1\nlibrary_name: transformers\npipeline_tag: text-generation\n"
            "tags: [llama, example]\n---\n\n# tiny-llama-base\n\nAn example base model under the Llama 3.1 "
            "Community License (declared in the card; the agreement itself is not bundled).\n",
            "config.json": json.dumps(CONFIG, indent=2, sort_keys=True) + "\n",
        },
    )
    save_file(llama_base, str(llama_dir / "model.safetensors"), metadata={"format": "pt"})
    relicensed = {k: (a + rng.normal(0, 0.001, a.shape)).astype(np.float32) for k, a in llama_base.items()}
    bad_dir = write(
        "relicensed-chat",
        {
            "README.md": "---\nlicense: apache-2.0\nlibrary_name: transformers\npipeline_tag: text-generation\n"
            "base_model: tiny-llama-base\nbase_model_relation: finetune\ntags: [llama, example]\n---\n\n"
            "# relicensed-chat\n\nAn example of what modelaudit catches: a fine-tune of tiny-llama-base "
            "declared Apache-2.0.\n",
            "config.json": json.dumps(CONFIG, indent=2, sort_keys=True) + "\n",
        },
    )
    save_file(relicensed, str(bad_dir / "model.safetensors"), metadata={"format": "pt"})


if __name__ == "__main__":
    main()
