"""Real smoke runs on tiny generated models, in a child process (needs the [smoke] extra)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from _smoke_helpers import put_in_hf_cache

from modelaudit.errors import UsageError
from modelaudit.models import SmokeResult
from modelaudit.smoke import run_smoke
from modelaudit.smoke import runner as smoke_runner

pytestmark = pytest.mark.smoke

# The same tests run on a GPU machine with MODELAUDIT_TEST_DEVICE=cuda.
DEVICE = os.environ.get("MODELAUDIT_TEST_DEVICE", "cpu")


def auto_device() -> str:
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    return "mps" if mps is not None and mps.is_available() else "cpu"


def assert_measured(result: SmokeResult, device: str = DEVICE) -> None:
    assert result.status == "passed", result
    assert result.device == device and result.device_name
    assert result.load_seconds is not None and result.load_seconds > 0
    assert result.run_seconds is not None and result.run_seconds > 0
    assert result.tokens_per_second is not None and result.tokens_per_second > 0
    assert result.peak_rss_bytes is not None and result.peak_rss_bytes > 50 * 2**20
    if device == "cuda":
        assert result.peak_gpu_bytes is not None and result.peak_gpu_bytes > 0
    else:
        assert result.peak_gpu_bytes is None
    assert result.outputs_finite is True
    assert result.deterministic is True
    assert result.missing_weights == 0
    assert result.phase is None and result.error is None


def test_llama_via_cli_json(tiny_models: dict[str, Path]) -> None:
    from click.testing import CliRunner

    from modelaudit.cli.main import cli

    res = CliRunner().invoke(
        cli, ["smoke", str(tiny_models["llama"]), "-f", "json", "--device", DEVICE], standalone_mode=False
    )
    assert res.exception is None, res.output
    assert res.return_value == 0
    payload = json.loads(res.stdout)
    assert payload["findings"] == []
    result = SmokeResult.model_validate(payload["smoke"])
    assert_measured(result)
    assert (result.task, result.architecture, result.dtype) == ("causal-lm", "LlamaForCausalLM", "float32")
    assert result.first_token_seconds is not None and result.first_token_seconds > 0
    assert result.output_tokens == 8
    assert result.sample is not None and len(result.sample) > 0
    assert result.note and "chat template" in result.note
    # the chat template wraps the prompt: more input tokens than the bare prompt
    assert result.input_tokens is not None and result.input_tokens > 10
    assert result.parameters is not None and 30_000 < result.parameters < 50_000


def test_gpt2_fp16_runs_in_fp32_on_cpu(tiny_models: dict[str, Path]) -> None:
    result, findings = run_smoke(str(tiny_models["gpt2"]), device="auto")
    assert findings == []
    assert_measured(result, auto_device())
    assert result.architecture == "GPT2LMHeadModel"
    if result.device == "cpu":
        assert result.dtype == "float32"
        assert result.note and "float16 weights run in float32" in result.note
    else:
        assert result.dtype == "float16"
    assert result.output_tokens == 8


def test_bert_encoder_forward_and_pooled_embedding(tiny_models: dict[str, Path]) -> None:
    result, findings = run_smoke(str(tiny_models["bert"]), device=DEVICE)
    assert findings == []
    assert_measured(result)
    assert result.task == "encoder"
    assert result.first_token_seconds is None and result.output_tokens is None
    assert result.sample and result.sample.startswith("embedding dim 32, L2 norm ")


def test_classifier_logits(tiny_models: dict[str, Path]) -> None:
    result, _ = run_smoke(str(tiny_models["bert-cls"]), device=DEVICE)
    assert_measured(result)
    assert result.task == "classifier"
    assert result.sample and result.sample.split(" ")[0] in ("NEGATIVE", "POSITIVE")


def test_seq2seq_generation(tiny_models: dict[str, Path]) -> None:
    result, _ = run_smoke(str(tiny_models["t5"]), device=DEVICE)
    assert_measured(result)
    assert (result.task, result.architecture) == ("seq2seq", "T5ForConditionalGeneration")
    assert result.output_tokens == 8


def test_lora_adapter_on_its_base_found_in_the_hf_cache(
    tiny_models: dict[str, Path], hf_offline: Path, tmp_path: Path
) -> None:
    # adapter_config.json names "acme/tiny-llama": the base is found in the (offline) HF cache
    put_in_hf_cache(hf_offline, "acme/tiny-llama", tiny_models["llama"])
    adapter = put_in_hf_cache(hf_offline, "acme/tiny-lora", tiny_models["lora"])
    result, findings = run_smoke(str(adapter), device=DEVICE)
    assert findings == []
    assert_measured(result)
    assert result.adapter is True and result.base == "acme/tiny-llama"
    assert result.task == "causal-lm" and result.architecture == "LlamaForCausalLM"
    assert result.output_tokens == 8
    # LoRA parameters come on top of the base's 37,792
    assert result.parameters is not None and result.parameters > 37_792


def test_nan_weights_fail_with_smoke_failed(tiny_models: dict[str, Path]) -> None:
    result, findings = run_smoke(str(tiny_models["nan"]), node_id="acme/nan", device=DEVICE)
    assert result.status == "failed"
    assert result.outputs_finite is False
    assert result.phase == "run"
    assert result.error and "NaN" in result.error
    assert [(f.rule, f.name, f.severity.value, f.node) for f in findings] == [
        ("MA402", "smoke-failed", "error", "acme/nan")
    ]
    assert "during run" in findings[0].message and findings[0].how_to_fix


def test_hang_is_killed_by_the_timeout(tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELAUDIT_SMOKE_TEST_HANG", "load")  # the child sleeps forever on entering "load"
    result, findings = run_smoke(str(tiny_models["llama"]), timeout_s=1.5)
    assert result.status == "failed"
    assert result.phase == "load"
    assert result.error and "timed out after 1.5 s" in result.error
    assert [f.name for f in findings] == ["smoke-failed"]


def test_memory_watchdog_kills_the_child(tiny_models: dict[str, Path]) -> None:
    if smoke_runner._rss_bytes(os.getpid()) is None:
        pytest.skip("no way to read a process's resident memory here (no /proc, no psutil)")
    result, findings = run_smoke(str(tiny_models["llama"]), memory_limit_bytes=60 * 2**20)
    assert result.status == "failed"
    assert result.error and "over the 60 MiB limit" in result.error
    assert result.peak_rss_bytes is not None and result.peak_rss_bytes > 60 * 2**20
    assert [f.name for f in findings] == ["smoke-failed"]


def test_absent_cuda_is_a_usage_error(tiny_models: dict[str, Path]) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(UsageError, match="no CUDA device"):
        run_smoke(str(tiny_models["llama"]), device="cuda")
