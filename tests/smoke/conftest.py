"""Smoke-test fixtures: tiny real models built once per session (only when a test asks for them)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    # two shared cores: one torch thread per smoke child keeps the suite polite
    monkeypatch.setenv("MODELAUDIT_SMOKE_THREADS", "1")
    monkeypatch.delenv("MODELAUDIT_SMOKE_TEST_HANG", raising=False)


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """name → folder: llama (chat template), gpt2 (fp16), bert, bert-cls, t5, lora, nan, auto_map."""
    import importlib.util
    import os

    missing = [m for m in ("torch", "transformers", "peft") if importlib.util.find_spec(m) is None]
    if missing:
        if os.environ.get("CI"):  # CI installs the [smoke] extra: a skip there would hide a broken setup
            pytest.fail(f"[smoke] extra missing in CI: {', '.join(missing)}")
        pytest.skip(f"needs the [smoke] extra ({', '.join(missing)})")
    import _tiny

    root = tmp_path_factory.mktemp("tiny-models")
    out = {
        "llama": _tiny.tiny_llama(root / "llama"),
        "gpt2": _tiny.tiny_gpt2(root / "gpt2"),
        "bert": _tiny.tiny_bert(root / "bert"),
        "bert-cls": _tiny.tiny_bert_classifier(root / "bert-cls"),
        "t5": _tiny.tiny_t5(root / "t5"),
    }
    out["lora"] = _tiny.lora_adapter(out["llama"], root / "lora", base_name="acme/tiny-llama")
    nan = root / "nan"
    shutil.copytree(out["llama"], nan)
    _tiny.poison_with_nan(nan)
    out["nan"] = nan
    yield out
