"""plan_smoke, device and dtype choice: pure decisions from metadata (no torch)."""

from __future__ import annotations

import pytest

from modelaudit.errors import UsageError
from modelaudit.smoke import choose_device, choose_dtype, plan_smoke
from modelaudit.smoke.plan import task_for

LLAMA = {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}
ST = ["config.json", "model.safetensors", "tokenizer.json"]


@pytest.mark.parametrize(
    ("config", "tag", "task"),
    [
        (LLAMA, None, "causal-lm"),
        ({"architectures": ["GPT2LMHeadModel"]}, None, "causal-lm"),
        ({"architectures": ["T5ForConditionalGeneration"], "is_encoder_decoder": True}, None, "seq2seq"),
        ({"architectures": ["BartForConditionalGeneration"]}, "summarization", "seq2seq"),
        ({"architectures": ["BertModel"]}, None, "encoder"),
        ({"architectures": ["BertForMaskedLM"]}, "fill-mask", "encoder"),
        ({"architectures": ["RobertaForSequenceClassification"]}, None, "classifier"),
        ({"architectures": ["BertForTokenClassification"]}, None, "token-classifier"),
        ({"model_type": "llama"}, "text-generation", "causal-lm"),
        ({"model_type": "bert"}, "sentence-similarity", "encoder"),
    ],
)
def test_task_from_architectures_then_pipeline_tag(
    config: dict[str, object], tag: str | None, task: str
) -> None:
    plan = plan_smoke(config, ST, tag)
    assert plan.runnable and plan.task == task and plan.refusal is None
    assert plan.weights == ["model.safetensors"]
    assert plan.auto_class and plan.auto_class.startswith("AutoModel")


@pytest.mark.parametrize(
    ("config", "tag"),
    [
        ({"architectures": ["LlavaForConditionalGeneration"]}, "image-text-to-text"),
        (
            {"architectures": ["WhisperForConditionalGeneration"], "is_encoder_decoder": True},
            "automatic-speech-recognition",
        ),
        ({"architectures": ["ViTForImageClassification"]}, "image-classification"),
        ({"architectures": ["Qwen2VLForConditionalGeneration"]}, None),
        ({"model_type": "mystery"}, None),
    ],
)
def test_other_models_are_not_supported_yet_not_failed(config: dict[str, object], tag: str | None) -> None:
    plan = plan_smoke(config, ST, tag)
    assert not plan.runnable
    assert plan.refusal == "unsupported"
    assert "not supported yet" in plan.reason


@pytest.mark.parametrize("where", ["config", "tokenizer", "adapter"])
def test_auto_map_anywhere_refuses_with_remote_code(where: str) -> None:
    auto_map = {"AutoModelForCausalLM": "modeling_x.XForCausalLM"}
    config = dict(LLAMA, auto_map=auto_map) if where == "config" else LLAMA
    tok = {"auto_map": {"AutoTokenizer": ["tok.XTokenizer", None]}} if where == "tokenizer" else None
    adapter = (
        {"peft_type": "LORA", "task_type": "CAUSAL_LM", "auto_map": {"x": "y"}}
        if where == "adapter"
        else None
    )
    files = [*ST, "modeling_x.py"] + (["adapter_config.json", "adapter_model.safetensors"] if adapter else [])
    plan = plan_smoke(config, files, None, tokenizer_config=tok, adapter_config=adapter)
    assert not plan.runnable
    assert plan.refusal == "remote-code-required"
    assert len(plan.remote_code_in) == 1 and plan.remote_code_in[0].endswith(":auto_map")


def test_pickle_only_weights_are_not_loaded() -> None:
    plan = plan_smoke(LLAMA, ["config.json", "pytorch_model.bin", "training_args.bin"], None)
    assert not plan.runnable and plan.refusal == "pickle-only"
    assert "pytorch_model.bin" in plan.reason and "training_args.bin" not in plan.reason
    # safetensors next to the pickle: runnable, and only the safetensors file is planned
    mixed = plan_smoke(LLAMA, ["config.json", "pytorch_model.bin", "model.safetensors"], None)
    assert mixed.runnable and mixed.weights == ["model.safetensors"]


def test_no_weights_and_no_config() -> None:
    assert plan_smoke(LLAMA, ["config.json", "model.gguf"], None).refusal == "no-weights"
    # weights in a sub-folder are not what from_pretrained loads
    assert plan_smoke(LLAMA, ["config.json", "onnx/model.safetensors"], None).refusal == "no-weights"
    assert plan_smoke(None, ["model.safetensors"], None).refusal == "no-config"


def test_adapter_plan_takes_task_from_task_type_or_base() -> None:
    files = ["adapter_config.json", "adapter_model.safetensors"]
    plan = plan_smoke(None, files, None, adapter_config={"peft_type": "LORA", "task_type": "CAUSAL_LM"})
    assert plan.runnable and plan.adapter and plan.task == "causal-lm"
    assert plan.weights == ["adapter_model.safetensors"]
    from_base = plan_smoke(None, files, None, adapter_config={"peft_type": "LORA"}, base_config=LLAMA)
    assert from_base.task == "causal-lm" and from_base.architecture == "LlamaForCausalLM"
    pickled = plan_smoke(None, ["adapter_config.json", "adapter_model.bin"], None, adapter_config={})
    assert pickled.refusal == "pickle-only" and pickled.adapter
    remote_base = plan_smoke(
        None,
        files,
        None,
        adapter_config={"task_type": "CAUSAL_LM"},
        base_config=dict(LLAMA, auto_map={"a": "b"}),
    )
    assert remote_base.refusal == "remote-code-required"
    assert remote_base.remote_code_in == ["base config.json:auto_map"]


def test_task_for_reports_architecture() -> None:
    assert task_for(LLAMA, None) == ("causal-lm", "LlamaForCausalLM")
    assert task_for(None, None) == (None, None)


def test_device_choice() -> None:
    assert choose_device("auto", cuda=True, mps=True) == "cuda"
    assert choose_device("auto", cuda=False, mps=True) == "mps"
    assert choose_device("auto", cuda=False, mps=False) == "cpu"
    assert choose_device("CPU", cuda=True, mps=False) == "cpu"
    with pytest.raises(UsageError, match="cuda"):
        choose_device("cuda", cuda=False, mps=True)
    with pytest.raises(UsageError, match="mps"):
        choose_device("mps", cuda=True, mps=False)
    with pytest.raises(UsageError, match="unknown device"):
        choose_device("tpu", cuda=True, mps=True)


def test_dtype_choice() -> None:
    assert choose_dtype("bfloat16", "cuda") == ("bfloat16", None)
    assert choose_dtype("torch.float16", "cuda") == ("float16", None)
    assert choose_dtype("bfloat16", "cpu") == ("bfloat16", None)
    dtype, note = choose_dtype("float16", "cpu")
    assert dtype == "float32" and note and "CPU" in note
    dtype, note = choose_dtype("bfloat16", "mps", half_supported=False)
    assert dtype == "float32" and note and "mps" in note
    assert choose_dtype(None, "cpu") == ("float32", None)
    dtype, note = choose_dtype("int8", "cpu")
    assert dtype == "float32" and note and "int8" in note
