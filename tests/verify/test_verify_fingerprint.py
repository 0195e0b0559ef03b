"""Weight fingerprints: base + noise confirmed, unrelated weights flagged, the index, remote range reads."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import numpy as np
import pytest
from _verify_helpers import ARCH_A, ARCH_B, perturbed, safetensors_bytes, weights, write_model

from modelaudit.errors import InputError
from modelaudit.models import FileEntry, Severity
from modelaudit.verify.fingerprint import (
    SAME_LINEAGE,
    UNRELATED,
    WeightFingerprint,
    check_adapter,
    check_declared_base,
    compare,
    fingerprint_local,
    fingerprint_remote,
)
from modelaudit.verify.index import FingerprintIndex, load_index, save_index


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_model(tmp_path_factory.mktemp("base"), weights(0))


def test_finetune_base_plus_noise_is_confirmed(base_dir: Path, tmp_path: Path) -> None:
    base = weights(0)
    tuned = write_model(tmp_path / "tuned", perturbed(base, 0.05, seed=7))
    sim = compare(fingerprint_local(tuned), fingerprint_local(base_dir))
    assert sim.verdict == "same-lineage"
    assert sim.median_correlation is not None and sim.median_correlation > 0.99
    assert sim.aligned == 8  # every 2-D tensor; the constant layernorm is sampled but carries no signal
    assert check_declared_base("org/tuned", "org/base", sim) is None


def test_unrelated_model_under_a_false_base_claim_is_flagged(base_dir: Path, tmp_path: Path) -> None:
    other = write_model(tmp_path / "other", weights(123))
    sim = compare(fingerprint_local(other), fingerprint_local(base_dir))
    assert sim.verdict == "unrelated"
    f = check_declared_base("org/other", "org/base", sim)
    assert f is not None
    assert (f.rule, f.name, f.severity) == ("MA304", "declared-base-unsupported", Severity.ERROR)
    assert "org/base" in f.message and f.how_to_fix


def test_different_architecture_is_incompatible(base_dir: Path, tmp_path: Path) -> None:
    other = write_model(tmp_path / "arch", weights(0, ARCH_B))
    sim = compare(fingerprint_local(other), fingerprint_local(base_dir))
    assert sim.verdict == "incompatible" and sim.aligned == 0
    f = check_declared_base("org/arch", "org/base", sim)
    assert f is not None and f.severity is Severity.WARNING


def test_dtype_conversion_keeps_the_lineage(base_dir: Path, tmp_path: Path) -> None:
    half = {k: v.astype(np.float16) for k, v in weights(0).items()}
    sim = compare(fingerprint_local(write_model(tmp_path / "half", half)), fingerprint_local(base_dir))
    assert sim.verdict == "same-lineage" and (sim.median_correlation or 0) > 0.999


def test_fingerprint_is_deterministic_and_summarised(base_dir: Path) -> None:
    a, b = fingerprint_local(base_dir), fingerprint_local(base_dir)
    assert a.summary() == b.summary()
    assert a.summary().tensors == len(ARCH_A)
    assert a.summary().digest.startswith("sha256:")
    assert WeightFingerprint.model_validate_json(a.model_dump_json()).summary() == a.summary()


def test_separation_table(base_dir: Path, tmp_path: Path) -> None:
    """The figures quoted in modelaudit.verify.fingerprint's docstring."""
    fb = fingerprint_local(base_dir)
    base = weights(0)
    medians = {}
    for noise in (0.01, 0.1, 0.5, 1.0):
        fp = fingerprint_local(write_model(tmp_path / f"n{noise}", perturbed(base, noise, seed=1)))
        medians[noise] = compare(fp, fb).median_correlation
    assert medians[0.01] > 0.999 and medians[0.1] > 0.99 and medians[0.5] > 0.85 and medians[1.0] > 0.65
    independent = []
    worst = 0.0
    for seed in range(1, 6):
        sim = compare(fingerprint_local(write_model(tmp_path / f"i{seed}", weights(seed))), fb)
        assert sim.verdict == "unrelated"
        independent.append(sim.median_correlation or 0.0)
        worst = max(worst, max(abs(s.correlation) for s in sim.lowest))
    assert max(abs(m) for m in independent) < UNRELATED / 2
    assert worst < SAME_LINEAGE / 2


def test_no_safetensors_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no \.safetensors"):
        fingerprint_local(tmp_path)


def test_adapter_shapes_against_the_base(base_dir: Path, tmp_path: Path) -> None:
    prefix = "base_model.model.model.layers.0.self_attn.q_proj"
    good = {
        f"{prefix}.lora_A.weight": np.zeros((4, 64), np.float32),
        f"{prefix}.lora_B.weight": np.zeros((64, 4), np.float32),
    }
    bad = {
        f"{prefix}.lora_A.weight": np.zeros((4, 96), np.float32),
        f"{prefix}.lora_B.weight": np.zeros((64, 4), np.float32),
    }
    base_fp = fingerprint_local(base_dir)
    ok = fingerprint_local(write_model(tmp_path / "good", good, "adapter_model.safetensors"))
    assert check_adapter("org/lora", "org/base", ok, base_fp) is None
    wrong = fingerprint_local(write_model(tmp_path / "bad", bad, "adapter_model.safetensors"))
    f = check_adapter("org/lora", "org/base", wrong, base_fp)
    assert f is not None and f.rule == "MA304" and "lora_A" in f.message


# ------------------------------------------------------------------------------------ index


def test_index_catches_an_undeclared_base(base_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "idx" / "fingerprints.json"
    index = load_index(path)
    assert index.models == []
    index.add("org/base", fingerprint_local(base_dir))
    index.add("org/unrelated", fingerprint_local(write_model(tmp_path / "u", weights(99))))
    save_index(index, path)
    reloaded = load_index(path)
    assert [m.id for m in reloaded.models] == ["org/base", "org/unrelated"]
    assert reloaded.add("org/base", fingerprint_local(base_dir)) is True  # replaces, no duplicate
    assert len(reloaded.models) == 2

    scratch = fingerprint_local(write_model(tmp_path / "scratch", perturbed(weights(0), 0.02, seed=3)))
    (f,) = reloaded.undeclared_bases("org/from-scratch", scratch, declared=set())
    assert (f.rule, f.name) == ("MA305", "undeclared-base")
    assert "org/base" in f.message and f.node == "org/from-scratch"
    assert reloaded.undeclared_bases("org/from-scratch", scratch, declared={"org/base"}) == []
    assert [m.id for m, _ in reloaded.matches(scratch)] == ["org/base"]


def test_malformed_index_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "fp.json"
    path.write_text('{"version": 9}')
    with pytest.raises(InputError, match="fingerprint index"):
        load_index(path)


def test_index_default_path_honours_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelaudit.verify.index import default_index_path

    monkeypatch.setenv("MODELAUDIT_FINGERPRINT_INDEX", str(tmp_path / "x.json"))
    assert default_index_path() == tmp_path / "x.json"
    assert isinstance(FingerprintIndex().models, list)


# ------------------------------------------------------------------------------------ remote


def test_remote_fingerprint_reads_only_ranges(fakehub, base_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    big = {
        f"model.layers.{i}.mlp.weight": np.random.default_rng(i)
        .standard_normal((512, 256))
        .astype(np.float32)
        for i in range(6)
    }
    shard1 = safetensors_bytes(dict(list(big.items())[:3]))
    shard2 = safetensors_bytes(dict(list(big.items())[3:]))
    files = {
        "model-00001-of-00002.safetensors": shard1,
        "model-00002-of-00002.safetensors": shard2,
        "config.json": b"{}",
    }
    fakehub.add_repo("org/remote", files)
    fakehub.clear_log()

    def read_range(path: str, start: int, length: int) -> bytes:
        req = urllib.request.Request(
            f"{fakehub.url}/org/remote/resolve/main/{path}",
            headers={"Range": f"bytes={start}-{start + length - 1}"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.read()

    entries = [FileEntry(path=p, size=len(d)) for p, d in files.items()]
    remote = fingerprint_remote(read_range, entries, workers=4)

    local_dir = tmp_path / "local"
    local_dir.mkdir()
    for p, d in files.items():
        (local_dir / p).write_bytes(d)
    assert remote.summary() == fingerprint_local(local_dir).summary()

    total = len(shard1) + len(shard2)
    assert remote.bytes_read < total * 0.05
    gets = [r for r in fakehub.requests if r.method == "GET"]
    assert gets, "no request reached the fake hub"
    assert all(r.range is not None and r.range.startswith("bytes=") for r in gets)
    assert not any(r.file == "config.json" for r in gets)
    assert all(
        r.status in (206, 302) for r in gets
    )  # partial content (or the redirect to it), never a whole file
    assert any(r.status == 206 for r in gets)
