"""``modelaudit verify`` and ``modelaudit fingerprint`` end to end through the real entry point."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from _verify_helpers import malicious_pickle, perturbed, torch_zip, weights, write_model

from modelaudit.cli.main import main


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_verify_clean_folder_with_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_model(tmp_path / "m", weights(0))
    digest = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
    manifest = tmp_path / "SHA256SUMS"
    manifest.write_text(f"{digest}  model.safetensors\n")
    code, out, err = _run(["verify", str(folder), "--manifest", str(manifest), "-f", "json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["mode"] == "full"
    status = {f["path"]: f["status"] for f in doc["files"]}
    assert status == {"config.json": "no-reference", "model.safetensors": "verified"}


def test_verify_flags_mismatch_and_dangerous_pickle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_model(tmp_path / "m", weights(0))
    (folder / "pytorch_model.bin").write_bytes(torch_zip(malicious_pickle(tmp_path / "pwned", 4)))
    manifest = tmp_path / "SHA256SUMS"
    manifest.write_text(f"{'0' * 64}  model.safetensors\n")
    code, out, _ = _run(["verify", str(folder), "--manifest", str(manifest)], capsys)
    assert code == 1
    assert "MA301 hash-mismatch" in out and "MA303 unsafe-serialization" in out
    assert not (tmp_path / "pwned").exists()


def test_verify_missing_target_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["verify", str(tmp_path / "nope")], capsys)
    assert code == 2 and "no such folder" in err


def test_fingerprint_compare_and_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = write_model(tmp_path / "base", weights(0))
    tuned = write_model(tmp_path / "tuned", perturbed(weights(0), 0.05, seed=2))
    other = write_model(tmp_path / "other", weights(5))
    code, out, _ = _run(["fingerprint", str(tuned), str(base), "-f", "json"], capsys)
    assert code == 0 and json.loads(out)["similarity"]["verdict"] == "same-lineage"
    code, out, _ = _run(["fingerprint", str(other), str(base)], capsys)
    assert code == 0 and out.splitlines()[2].startswith("unrelated")

    index = tmp_path / "index.json"
    code, _, err = _run(
        ["fingerprint", "index", "add", str(base), "--index", str(index), "--id", "org/base"], capsys
    )
    assert code == 0 and "added org/base" in err
    code, out, _ = _run(["fingerprint", "index", "list", "--index", str(index)], capsys)
    assert out.startswith("org/base\t")
    monkeypatch.setenv("MODELAUDIT_FINGERPRINT_INDEX", str(index))
    code, _, err = _run(["fingerprint", "index", "add", str(base), "--id", "org/base"], capsys)
    assert "replaced org/base" in err


def test_help_lists_both_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--help"], capsys)
    assert code == 0 and "fingerprint" in out and "verify" in out
