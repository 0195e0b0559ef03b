"""`scan --smoke` on a Hub target: download and verify first, then load only the verified bytes."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

import modelaudit
from modelaudit.models import FileStatus, VerifyMode


@pytest.mark.smoke
def test_hub_target_is_downloaded_verified_and_run(fakehub, tiny_models: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    llama = tiny_models["llama"]
    files = {p.relative_to(llama).as_posix(): p.read_bytes() for p in llama.rglob("*") if p.is_file()}
    files["README.md"] = "---\nlicense: apache-2.0\npipeline_tag: text-generation\n---\n# tiny\n"
    fakehub.add_repo("acme/tiny-llama", files)
    report = modelaudit.scan("acme/tiny-llama", smoke=True, device="cpu", endpoint=fakehub.url)
    target = report.nodes[0]
    weights = next(f for f in target.files if f.path == "model.safetensors")
    assert weights.status is FileStatus.VERIFIED  # --smoke implies --verify full on a Hub target
    assert target.smoke is not None and target.smoke.status == "passed", target.smoke
    assert target.smoke.outputs_finite is True and target.smoke.sample


def test_files_that_fail_verification_are_never_loaded(tmp_path: Path) -> None:
    d = tmp_path / "broken"
    d.mkdir()
    (d / "README.md").write_text("---\nlicense: mit\n---\n")
    (d / "config.json").write_text('{"architectures": ["LlamaForCausalLM"], "model_type": "llama"}')
    (d / "model.safetensors").write_bytes(struct.pack("<Q", 2**60) + b"{}")
    report = modelaudit.scan(str(d), smoke=True, device="cpu", verify=VerifyMode.FULL, offline=True)
    smoke = report.nodes[0].smoke
    assert smoke is not None and smoke.status == "skipped"
    assert smoke.note is not None and "model.safetensors" in smoke.note
    assert "file-corrupt" in {f.name for f in report.findings}
