"""run_smoke decisions that happen before (or instead of) a child process: no torch needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from _smoke_helpers import LLAMA_CONFIG, fake_model, write_json

import modelaudit
from modelaudit.errors import DependencyMissingError, InputError, UsageError
from modelaudit.smoke import read_card_pipeline_tag, run_smoke
from modelaudit.smoke import runner as smoke_runner


@pytest.fixture
def no_child(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise AssertionError("a child process was started")

    monkeypatch.setattr(smoke_runner, "_run_child", boom)


def test_auto_map_is_refused_with_remote_code_required_and_never_run(tmp_path: Path, no_child: None) -> None:
    auto_map = {"AutoModelForCausalLM": "modeling_evil.EvilForCausalLM"}
    folder = fake_model(tmp_path / "m", dict(LLAMA_CONFIG, auto_map=auto_map))
    (folder / "modeling_evil.py").write_text("raise SystemExit('repository code ran')\n")
    result, findings = run_smoke(str(folder), node_id="acme/evil")
    assert result.status == "skipped"
    assert result.note and "auto_map" in result.note
    assert [(f.rule, f.name, f.node) for f in findings] == [("MA401", "remote-code-required", "acme/evil")]
    finding = findings[0]
    assert finding.how_to_fix
    assert finding.evidence[0].source == "config.json:auto_map"
    assert "modeling_evil.EvilForCausalLM" in finding.evidence[0].value


def test_tokenizer_auto_map_is_refused_too(tmp_path: Path, no_child: None) -> None:
    folder = fake_model(tmp_path / "m", LLAMA_CONFIG)
    write_json(folder / "tokenizer_config.json", {"auto_map": {"AutoTokenizer": ["tok.T", None]}})
    result, findings = run_smoke(str(folder))
    assert result.status == "skipped"
    assert [f.evidence[0].source for f in findings] == ["tokenizer_config.json:auto_map"]


def test_pickle_only_weights_are_skipped_without_a_finding(tmp_path: Path, no_child: None) -> None:
    folder = fake_model(tmp_path / "m", LLAMA_CONFIG, weights=("pytorch_model.bin",))
    result, findings = run_smoke(str(folder))
    assert result.status == "skipped" and findings == []
    assert result.note and "pytorch_model.bin" in result.note and "unpickling" in result.note


def test_unsupported_model_is_a_note_not_a_failure(tmp_path: Path, no_child: None) -> None:
    folder = fake_model(tmp_path / "m", {"architectures": ["LlavaForConditionalGeneration"]})
    result, findings = run_smoke(str(folder), card_pipeline_tag="image-text-to-text")
    assert result.status == "skipped" and findings == []
    assert result.note and "not supported yet" in result.note


def test_adapter_without_a_local_base_is_skipped(tmp_path: Path, no_child: None, hf_offline: Path) -> None:
    folder = fake_model(tmp_path / "a", None, weights=("adapter_model.safetensors",))
    write_json(
        folder / "adapter_config.json", {"base_model_name_or_path": "acme/absent", "task_type": "CAUSAL_LM"}
    )
    result, findings = run_smoke(str(folder))
    assert result.status == "skipped" and result.adapter and findings == []
    assert result.base == "acme/absent"
    assert result.note and "acme/absent" in result.note and "not available locally" in result.note


def test_adapter_base_with_remote_code_is_refused(tmp_path: Path, no_child: None) -> None:
    base = fake_model(tmp_path / "base", dict(LLAMA_CONFIG, auto_map={"AutoModel": "x.Y"}))
    folder = fake_model(tmp_path / "a", None, weights=("adapter_model.safetensors",))
    write_json(
        folder / "adapter_config.json", {"base_model_name_or_path": str(base), "task_type": "CAUSAL_LM"}
    )
    result, findings = run_smoke(str(folder))
    assert result.status == "skipped" and result.note and result.note.startswith("base model:")
    assert [f.name for f in findings] == ["remote-code-required"]
    assert findings[0].evidence[0].source == "base config.json:auto_map"


def test_bad_inputs_are_clear_errors(tmp_path: Path, no_child: None) -> None:
    with pytest.raises(InputError, match="not a folder"):
        run_smoke(str(tmp_path / "missing"))
    folder = fake_model(tmp_path / "m", None)
    (folder / "config.json").write_text("{not json")
    with pytest.raises(InputError, match=r"config\.json"):
        run_smoke(str(folder))
    with pytest.raises(UsageError, match="unknown device"):
        run_smoke(str(folder), device="tpu")
    with pytest.raises(UsageError, match="positive"):
        run_smoke(str(folder), timeout_s=0)


def test_missing_extra_is_a_dependency_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = fake_model(tmp_path / "m", LLAMA_CONFIG)
    real = smoke_runner.importlib.util.find_spec

    def fake_find_spec(name: str, *args: Any) -> Any:
        return None if name in ("torch", "transformers") else real(name, *args)

    monkeypatch.setattr(smoke_runner.importlib.util, "find_spec", fake_find_spec)
    with pytest.raises(DependencyMissingError) as info:
        run_smoke(str(folder))
    assert "torch, transformers are not installed" in info.value.message
    assert info.value.hint and "[smoke]" in info.value.hint


BLOCKER = textwrap.dedent(
    """
    import importlib.abc, sys

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in {"torch", "transformers", "peft", "tokenizers"}:
                raise ModuleNotFoundError(f"No module named {name!r}")
            return None

    sys.meta_path.insert(0, Block())
    from modelaudit.cli.main import main
    main(sys.argv[1:])
    """
)


def test_core_install_without_the_extra_gives_a_clear_message(tmp_path: Path) -> None:
    folder = fake_model(tmp_path / "m", LLAMA_CONFIG)
    proc = subprocess.run(
        [sys.executable, "-c", BLOCKER, "smoke", str(folder)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "error: smoke inference needs the [smoke] extra" in proc.stderr
    assert 'pip install "modelaudit-provenance[smoke]"' in proc.stderr
    assert proc.stdout == ""


def test_importing_smoke_and_its_help_never_import_torch() -> None:
    code = (
        "import sys\n"
        "import modelaudit.smoke, modelaudit.cli.smoke\n"
        "from modelaudit.cli.main import main\n"
        "try:\n"
        "    main(['smoke', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('torch', 'transformers', 'peft') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "--smoke-timeout" in proc.stdout and "--device" in proc.stdout
    assert proc.stdout.strip().endswith("[]")


def test_card_pipeline_tag(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: mit\npipeline_tag: fill-mask\n---\n# x\n")
    assert read_card_pipeline_tag(tmp_path) == "fill-mask"
    (tmp_path / "README.md").write_text("---\n: [broken\n---\n")
    assert read_card_pipeline_tag(tmp_path) is None
    assert read_card_pipeline_tag(tmp_path / "nowhere") is None


def test_cli_json_for_a_refused_model(tmp_path: Path, no_child: None) -> None:
    from click.testing import CliRunner

    from modelaudit.cli.main import cli

    folder = fake_model(tmp_path / "m", dict(LLAMA_CONFIG, auto_map={"AutoModel": "m.M"}))
    res = CliRunner().invoke(cli, ["smoke", str(folder), "-f", "json"], standalone_mode=False)
    assert res.exception is None, res.output
    assert res.return_value == 0  # a warning, not a failure
    payload = json.loads(res.stdout)
    assert payload["smoke"]["status"] == "skipped"
    assert [f["name"] for f in payload["findings"]] == ["remote-code-required"]


def test_child_environment_is_offline_and_tokenless(monkeypatch: pytest.MonkeyPatch) -> None:
    from modelaudit.smoke.runner import _child_env

    monkeypatch.setenv("HF_TOKEN", "hf_secret")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    env = _child_env(2)
    assert env["HF_HUB_OFFLINE"] == "1" and env["TRANSFORMERS_OFFLINE"] == "1"
    assert "HF_TOKEN" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    assert env["OMP_NUM_THREADS"] == "2"
    src_root = Path(modelaudit.__file__).resolve().parent.parent
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(src_root)


def test_default_memory_limit_is_below_physical_memory() -> None:
    limit = smoke_runner.default_memory_limit()
    if not hasattr(os, "sysconf"):
        pytest.skip("no sysconf")
    physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    assert limit is not None and 0 < limit < physical
