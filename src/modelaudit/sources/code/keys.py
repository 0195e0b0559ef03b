"""Configuration keys (and command-line flags) that name a model or dataset.

The names come from the conventions the field's tools share: the Hugging Face example scripts and
``HfArgumentParser`` (``model_name_or_path``, ``tokenizer_name``, ``config_name``, ``dataset_name``), TRL and
the alignment handbook (``dataset_mixer``), axolotl (``base_model``, ``base_model_config``, ``datasets[].path``),
LLaMA-Factory (``adapter_name_or_path``), OpenRLHF (``--pretrain``), mergekit (``model``, ``base_model``, ``source_model``), PEFT
(``base_model_name_or_path``), vLLM / TGI servers (``--model``, ``--model-id``, ``--tokenizer``) and the
environment variables deployments use (``MODEL_ID``, ``EMBEDDING_MODEL``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from modelaudit.models import RepoKind

# any value names a model (a bare word is a Hub id only when it is a canonical one)
STRONG = frozenset(
    {
        "model_name_or_path",
        "pretrained_model_name_or_path",
        "base_model",
        "base_model_name_or_path",
        "base_model_config",
        "tokenizer_name_or_path",
        "tokenizer_name",
        "config_name",
        "adapter_name_or_path",
    }
)
# a value names a model only when it looks like one (org/name, a Hub URL, a path, or comes through a variable)
# (``pretrain``: OpenRLHF's --pretrain / --ref_pretrain / --reward_pretrain / --critic_pretrain)
_WEAK_MODEL = re.compile(r"(?:^|_)(?:model|model_name|model_id|model_path|tokenizer|processor_id|pretrain)$")
_WEAK_EXACT = frozenset({"source_model", "lora_weights", "lora_path"})
_DATASET_WEAK = frozenset({"dataset", "datasets", "dataset_name", "dataset_names"})
_NOT_REFERENCES = re.compile(
    r"^(?:hub_|output_|push_|save_|served_|pushed_|upload_|export_)|_dir$|_type$|_class$"
)


@dataclass(frozen=True)
class KeyRule:
    kind: RepoKind
    weak: bool  # the value names a repo only when it looks like one
    bare: str  # how a bare word is read (see ``make_reference``)


def normalise(key: str) -> str:
    return key.strip().strip("-").lower().replace("-", "_")


def key_rule(key: str) -> KeyRule | None:
    """How a key's value is read, or None when the key does not name a model or dataset."""
    k = normalise(key)
    if not k or _NOT_REFERENCES.search(k):
        return None
    if k in STRONG:
        return KeyRule(RepoKind.MODEL, False, "model")
    if k in _DATASET_WEAK:
        return KeyRule(RepoKind.DATASET, True, "dataset")
    if k in _WEAK_EXACT or _WEAK_MODEL.search(k):
        return KeyRule(RepoKind.MODEL, True, "path" if k.endswith("_path") else "model")
    return None
