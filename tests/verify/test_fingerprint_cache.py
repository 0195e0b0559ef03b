"""Fingerprints without numpy on a rescan: sample positions and comparisons come from modelaudit's cache
(namespace fingerprint), and the pure-Python decoding gives the very bits numpy's ``astype(float32)`` gives."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from _verify_helpers import perturbed, weights, write_model

from modelaudit.cachefile import Cache
from modelaudit.verify import fingerprint as fpmod
from modelaudit.verify import fp_cache
from modelaudit.verify.fingerprint import compare, fingerprint_local


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _entries(cache: Path) -> list[tuple[Path, object]]:
    """Every fingerprint entry: its file and JSON value."""
    return [(p, json.loads(p.read_bytes())) for p in sorted(cache.rglob("fingerprint/*/*.json"))]


def _plans(cache: Path) -> Path:
    """The plan entry: the one whose value maps tensor keys to run starts (a comparison has a verdict)."""
    [path] = [p for p, doc in _entries(cache) if isinstance(doc, dict) and "verdict" not in doc]
    return path


def _numpy_f32(raw: bytes, dtype: str) -> bytes:
    if dtype == "BF16":
        return (
            (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32).astype("<f4").tobytes()
        )
    src = {"F16": "<f2", "F32": "<f4", "F64": "<f8"}[dtype]
    with np.errstate(all="ignore"):
        return np.frombuffer(raw, dtype=src).astype(np.float32).astype("<f4").tobytes()


def test_every_half_and_bfloat16_value_decodes_to_numpys_bits() -> None:
    every = np.arange(65536, dtype="<u2").tobytes()  # all 16-bit patterns: zeros, subnormals, inf, NaNs
    assert fpmod._decode(every, "F16") == _numpy_f32(every, "F16")
    assert fpmod._decode(every, "BF16") == _numpy_f32(every, "BF16")


def test_float32_and_float64_decode_to_numpys_bits() -> None:
    rng = np.random.default_rng(5)
    f32 = rng.integers(0, 2**32, size=4096, dtype=np.uint64).astype("<u4").tobytes()
    assert fpmod._decode(f32, "F32") == _numpy_f32(f32, "F32")
    specials = [0.0, -0.0, 1e-45, 1e-320, 3.4028235677973366e38, 3.5e38, -1e300, float("inf"), float("nan")]
    f64 = struct.pack(f"<{len(specials)}d", *specials) + struct.pack("<Q", 0x7FF0000000000001)
    f64 += rng.normal(0, 10, size=4096).astype("<f8").tobytes()
    f64 += rng.integers(0, 2**63, size=4096, dtype=np.uint64).astype("<u8").tobytes()
    assert fpmod._decode(f64, "F64") == _numpy_f32(f64, "F64")


def test_a_rescan_reads_positions_and_comparisons_from_the_cache(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = weights(0)
    half = {k: v.astype(np.float16) for k, v in perturbed(base, 0.05, seed=3).items()}
    a, b = write_model(tmp_path / "a", base), write_model(tmp_path / "b", half)
    first_a, first_b = fingerprint_local(a), fingerprint_local(b)
    sim = compare(first_a, first_b)
    assert sim.verdict == "same-lineage"
    plans = _plans(cache)
    assert len(json.loads(plans.read_bytes())) == sum(1 for t in first_a.tensors if t.samples)

    def no_numpy(*_args: object) -> object:
        raise AssertionError("numpy was needed")

    monkeypatch.setattr(fpmod, "_draw", no_numpy)
    monkeypatch.setattr(fpmod, "_compare", no_numpy)
    assert fingerprint_local(a) == first_a and fingerprint_local(b) == first_b
    assert compare(first_a, first_b) == sim
    with pytest.raises(AssertionError, match="numpy was needed"):
        fingerprint_local(a, cache=Cache.off())  # --no-cache


def test_cached_fingerprints_equal_uncached_ones(cache: Path, tmp_path: Path) -> None:
    folder = write_model(tmp_path / "m", {k: v.astype(np.float16) for k, v in weights(4).items()})
    warm = fingerprint_local(folder)  # positions drawn now, decoded without numpy
    again = fingerprint_local(folder)  # positions from the cache
    for t in warm.tensors:
        if t.samples:
            stamp = fp_cache.stamp(fpmod.ALGORITHM, fpmod.RUNS, fpmod.RUN_LEN)
            assert fp_cache.PlanCache(Cache(cache), stamp).get(
                fp_cache.PlanCache.key(t.name, t.shape)
            ) == fpmod._draw(
                fpmod.TensorSpan(name=t.name, dtype=t.dtype, shape=tuple(t.shape), begin=0, end=0)
            )
    assert again == warm


def test_damaged_or_foreign_cache_entries_are_computed_again(cache: Path, tmp_path: Path) -> None:
    folder = write_model(tmp_path / "m", weights(1))
    other = write_model(tmp_path / "o", weights(2))
    fp, fo = fingerprint_local(folder), fingerprint_local(other)
    sim = compare(fp, fo)
    plans = _plans(cache)
    poisoned = {k: [10**12, 0, 0, 0] for k in json.loads(plans.read_bytes())}  # out of range: ignored
    for entry, _doc in _entries(cache):
        entry.write_text("{damaged", encoding="utf-8")
    plans.write_text(json.dumps(poisoned), encoding="utf-8")
    assert fingerprint_local(folder) == fp and compare(fp, fo) == sim
    plans.write_text("[not a mapping]", encoding="utf-8")
    assert fingerprint_local(folder) == fp


def test_a_warm_scan_does_not_import_numpy(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "tiny-chat"
    env = {**os.environ, "MODELAUDIT_CACHE_DIR": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}
    probe = (
        "import sys, runpy; sys.argv = ['modelaudit', 'scan', sys.argv[1], '--offline']\n"
        "import atexit; atexit.register(lambda: sys.stderr.write('NUMPY=%s\\n' % ('numpy' in sys.modules)))\n"
        "runpy.run_module('modelaudit', run_name='__main__')\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", probe, str(example)], env=env, capture_output=True, text=True)
        for _ in range(2)
    ]
    assert runs[0].returncode == runs[1].returncode == 0, runs[0].stderr
    reports = [[ln for ln in r.stdout.splitlines() if " · generated " not in ln] for r in runs]
    assert reports[0] == reports[1]  # the same report, cold and warm (but for its time stamp)
    assert "NUMPY=True" in runs[0].stderr and "NUMPY=False" in runs[1].stderr
