"""Decide, from metadata alone, whether and how a model can be smoke-tested.

Pure functions over ``config.json``, the file list and the card's ``pipeline_tag``: the scan pipeline uses
them to decide without importing torch, and the child process uses the same plan to pick a loader.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from modelaudit.models import empty_list

Task = Literal["causal-lm", "seq2seq", "encoder", "classifier", "token-classifier"]
Refusal = Literal["remote-code-required", "pickle-only", "no-weights", "no-config", "unsupported"]

# Which transformers Auto class loads each task (the child imports it by name).
AUTO_CLASS: dict[str, str] = {
    "causal-lm": "AutoModelForCausalLM",
    "seq2seq": "AutoModelForSeq2SeqLM",
    "encoder": "AutoModel",
    "classifier": "AutoModelForSequenceClassification",
    "token-classifier": "AutoModelForTokenClassification",
}

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
SEQ2SEQ_TAGS = {"text2text-generation", "translation", "summarization"}
CAUSAL_TAGS = {"text-generation", "conversational"}
ENCODER_TAGS = {"feature-extraction", "sentence-similarity", "fill-mask"}
CLASSIFIER_TAGS = {"text-classification", "zero-shot-classification"}
TOKEN_TAGS = {"token-classification"}
# Modalities the smoke runner does not drive yet (it only feeds text).
NON_TEXT_TAG_PARTS = (
    "image",
    "audio",
    "speech",
    "video",
    "visual",
    "depth",
    "object",
    "mask-generation",
    "3d",
)

# adapter_config.json task_type → task of the adapted model
PEFT_TASKS: dict[str, Task] = {
    "CAUSAL_LM": "causal-lm",
    "SEQ_2_SEQ_LM": "seq2seq",
    "SEQ_CLS": "classifier",
    "TOKEN_CLS": "token-classifier",
    "FEATURE_EXTRACTION": "encoder",
}


class SmokePlan(BaseModel):
    """What a smoke run would do for one model folder, decided from metadata only."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    runnable: bool
    task: Task | None = None
    auto_class: str | None = None  # transformers Auto class for the (base) model
    architecture: str | None = None
    adapter: bool = False  # the folder is a PEFT adapter; the base is loaded first
    refusal: Refusal | None = None
    reason: str  # one line a person reads: what will run, or why nothing will
    weights: list[str] = Field(default_factory=empty_list)  # safetensors files that would be loaded
    remote_code_in: list[str] = Field(default_factory=empty_list)  # e.g. "config.json:auto_map"


def _basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _top_level(files: list[str]) -> list[str]:
    # from_pretrained reads weights from the folder root only; sub-folders (onnx/, original/) are not loaded.
    return sorted(f for f in files if "/" not in f.strip("/"))


def weight_files(files: list[str]) -> tuple[list[str], list[str]]:
    """(safetensors, pickle-based) weight files at the folder root."""
    top = _top_level(files)
    safe = [f for f in top if f.endswith(".safetensors")]
    pickled = [f for f in top if f.lower().endswith(PICKLE_SUFFIXES) and _basename(f) != "training_args.bin"]
    return safe, pickled


def remote_code_sources(
    config: dict[str, Any] | None,
    tokenizer_config: dict[str, Any] | None = None,
    adapter_config: dict[str, Any] | None = None,
) -> list[str]:
    """Where the metadata asks for repository code to be imported (``auto_map`` and friends)."""
    out: list[str] = []
    for name, cfg in (
        ("config.json", config),
        ("tokenizer_config.json", tokenizer_config),
        ("adapter_config.json", adapter_config),
    ):
        if not isinstance(cfg, dict):
            continue
        for key in ("auto_map", "custom_pipelines"):
            if cfg.get(key):
                out.append(f"{name}:{key}")
    return out


def _task_from_tag(tag: str | None) -> Task | None:
    if tag in CAUSAL_TAGS:
        return "causal-lm"
    if tag in SEQ2SEQ_TAGS:
        return "seq2seq"
    if tag in ENCODER_TAGS:
        return "encoder"
    if tag in CLASSIFIER_TAGS:
        return "classifier"
    if tag in TOKEN_TAGS:
        return "token-classifier"
    return None


def _non_text(tag: str | None) -> bool:
    return bool(tag) and any(part in str(tag) for part in NON_TEXT_TAG_PARTS)


def task_for(config: dict[str, Any] | None, pipeline_tag: str | None) -> tuple[Task | None, str | None]:
    """(task, architecture) chosen from ``architectures`` first, the card's pipeline tag second."""
    archs = config.get("architectures") if isinstance(config, dict) else None
    arch = next((a for a in archs if isinstance(a, str)), None) if isinstance(archs, list) else None
    tag_task = _task_from_tag(pipeline_tag)
    if _non_text(pipeline_tag):
        return None, arch
    if arch is None:
        return tag_task, None
    encdec = bool(isinstance(config, dict) and config.get("is_encoder_decoder"))
    if arch.endswith(("ForCausalLM", "LMHeadModel")):
        return "causal-lm", arch
    if arch.endswith(("ForConditionalGeneration", "ForSeq2SeqLM")):
        # T5/BART-style text models; VLMs and speech models share the suffix but need other inputs.
        if tag_task == "seq2seq" or (encdec and tag_task in (None, "seq2seq")):
            return "seq2seq", arch
        if tag_task == "causal-lm" and not encdec:
            return "causal-lm", arch
        return None, arch
    if arch.endswith("ForSequenceClassification"):
        return "classifier", arch
    if arch.endswith("ForTokenClassification"):
        return "token-classifier", arch
    if arch.endswith(("ForMaskedLM", "Model", "ForPreTraining")) and not arch.endswith("PreTrainedModel"):
        # encoders, and bare decoders without an LM head: a forward pass is what their weights support
        return "encoder", arch
    return tag_task, arch


def plan_smoke(
    config: dict[str, Any] | None,
    files: list[str],
    pipeline_tag: str | None,
    *,
    tokenizer_config: dict[str, Any] | None = None,
    adapter_config: dict[str, Any] | None = None,
    base_config: dict[str, Any] | None = None,
) -> SmokePlan:
    """Decide what a smoke run does for a folder with these files and metadata.

    For an adapter (``adapter_config`` given or ``adapter_config.json`` listed) ``base_config`` is the base
    model's config when known; the task comes from the adapter's ``task_type`` or from the base.
    """
    remote = remote_code_sources(config, tokenizer_config, adapter_config)
    remote += [f"base {r}" for r in remote_code_sources(base_config)]
    if remote:
        return SmokePlan(
            runnable=False,
            refusal="remote-code-required",
            reason=f"needs the repository's own Python code ({', '.join(remote)}); modelaudit never runs it",
            remote_code_in=remote,
        )

    names = {_basename(f) for f in _top_level(files)}
    is_adapter = adapter_config is not None or "adapter_config.json" in names
    safe, pickled = weight_files(files)

    if is_adapter:
        adapter_safe = [f for f in safe if _basename(f).startswith("adapter_model")]
        if not adapter_safe:
            if pickled:
                return SmokePlan(
                    runnable=False,
                    adapter=True,
                    refusal="pickle-only",
                    reason=f"adapter weights only in pickle-based files ({', '.join(pickled)}); "
                    "they are never loaded because unpickling can run code",
                )
            return SmokePlan(
                runnable=False, adapter=True, refusal="no-weights", reason="no adapter_model.safetensors"
            )
        peft_task = PEFT_TASKS.get(str((adapter_config or {}).get("task_type") or ""))
        base_task, base_arch = task_for(base_config, pipeline_tag)
        task = peft_task or base_task
        if task is None:
            return SmokePlan(
                runnable=False,
                adapter=True,
                refusal="unsupported",
                reason="adapter task not supported yet (no task_type and no recognisable base architecture)",
                architecture=base_arch,
                weights=adapter_safe,
            )
        return SmokePlan(
            runnable=True,
            adapter=True,
            task=task,
            auto_class=AUTO_CLASS[task],
            architecture=base_arch,
            reason=f"load the base as {AUTO_CLASS[task]}, apply the adapter with PEFT, run {task}",
            weights=adapter_safe,
        )

    if config is None:
        return SmokePlan(
            runnable=False, refusal="no-config", reason="no config.json: transformers cannot load it"
        )
    if not safe:
        if pickled:
            return SmokePlan(
                runnable=False,
                refusal="pickle-only",
                reason=f"weights only in pickle-based files ({', '.join(pickled)}); "
                "they are never loaded because unpickling can run code",
            )
        return SmokePlan(
            runnable=False, refusal="no-weights", reason="no safetensors weights at the folder root"
        )
    task, arch = task_for(config, pipeline_tag)
    if task is None:
        what = arch or "this model"
        tag = f" (pipeline_tag {pipeline_tag})" if pipeline_tag else ""
        return SmokePlan(
            runnable=False,
            refusal="unsupported",
            architecture=arch,
            reason=f"not supported yet: smoke runs text models only, {what}{tag} is not one it drives",
            weights=safe,
        )
    return SmokePlan(
        runnable=True,
        task=task,
        auto_class=AUTO_CLASS[task],
        architecture=arch,
        reason=f"load as {AUTO_CLASS[task]} and run {task}",
        weights=safe,
    )
