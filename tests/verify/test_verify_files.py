"""verify_files: hashes, structure checks and pickle scanning through an ``open_file`` callable."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest
from _verify_helpers import (
    MemoryRepo,
    git_entry,
    legacy_torch_file,
    lfs_entry,
    malicious_pickle,
    raw_safetensors,
    safetensors_bytes,
    torch_like_data_pkl,
    torch_zip,
    weights,
)

from modelaudit.models import FileEntry, FileStatus, Severity, VerifyMode
from modelaudit.verify import verify_files


def _run(files: dict[str, bytes], entries: list[FileEntry], mode: VerifyMode, **kw: object):
    repo = MemoryRepo(files, seekable=bool(kw.pop("seekable", True)))
    return verify_files(entries, repo.open_file, mode, node="org/model", **kw)  # type: ignore[arg-type]


def _by_name(findings, name):
    return [f for f in findings if f.name == name]


def test_full_mode_verifies_lfs_and_git_files() -> None:
    st = safetensors_bytes(weights(0))
    cfg = b'{"model_type": "tiny"}'
    results, findings = _run(
        {"model.safetensors": st, "config.json": cfg},
        [lfs_entry("model.safetensors", st), git_entry("config.json", cfg)],
        VerifyMode.FULL,
    )
    assert [r.status for r in results] == [FileStatus.VERIFIED, FileStatus.VERIFIED]
    assert results[1].sha256_actual == lfs_entry("x", st).lfs_sha256 or results[1].sha256_expected
    assert results[1].sha256_actual is not None and len(results[1].sha256_actual) == 64
    assert findings == []


def test_corrupted_file_of_the_right_size_is_caught() -> None:
    st = bytearray(safetensors_bytes(weights(0)))
    entry = lfs_entry("model.safetensors", bytes(st))
    st[-100] ^= 0xFF  # one flipped bit pattern inside tensor data: structure is still valid
    results, findings = _run({"model.safetensors": bytes(st)}, [entry], VerifyMode.FULL, workers=1)
    (res,) = results
    assert res.status is FileStatus.MISMATCH
    assert res.size == entry.size
    assert res.sha256_expected == entry.lfs_sha256 and res.sha256_actual != entry.lfs_sha256
    (f,) = findings
    assert (f.rule, f.name, f.severity) == ("MA301", "hash-mismatch", Severity.ERROR)
    assert "model.safetensors" in f.message and f.how_to_fix and f.node == "org/model"


def test_git_blob_mismatch_on_a_small_file() -> None:
    entry = git_entry("config.json", b'{"a": 1}')
    results, findings = _run({"config.json": b'{"a": 2}'}, [entry], VerifyMode.FULL)
    assert results[0].status is FileStatus.MISMATCH and "git blob sha1" in (results[0].detail or "")
    assert _by_name(findings, "hash-mismatch")


def test_headers_mode_reads_only_headers_and_reports_not_checked() -> None:
    st = safetensors_bytes(weights(0))
    results, findings = _run(
        {"model.safetensors": st}, [lfs_entry("model.safetensors", st)], VerifyMode.HEADERS
    )
    assert results[0].status is FileStatus.NOT_CHECKED and results[0].sha256_actual is None
    assert findings == []


def test_no_reference_and_none_mode() -> None:
    results, _ = _run({"a.txt": b"x"}, [FileEntry(path="a.txt", size=1)], VerifyMode.FULL)
    assert results[0].status is FileStatus.NO_REFERENCE and results[0].sha256_actual
    results, findings = _run({}, [FileEntry(path="a.txt", size=1)], VerifyMode.NONE)
    assert results[0].status is FileStatus.NOT_CHECKED and findings == []


def test_truncated_safetensors_is_corrupt_in_headers_mode() -> None:
    st = safetensors_bytes(weights(0))
    cut = st[: len(st) - 1000]
    results, findings = _run(
        {"model.safetensors": cut}, [FileEntry(path="model.safetensors")], VerifyMode.HEADERS
    )
    assert results[0].status is FileStatus.CORRUPT
    (f,) = _by_name(findings, "file-corrupt")
    assert f.rule == "MA302" and "truncated" in f.message and "model.safetensors" in f.message
    assert any(e.source == "tensor:model.safetensors" for e in f.evidence)


def test_truncated_against_recorded_size_is_also_a_mismatch() -> None:
    st = safetensors_bytes(weights(0))
    entry = lfs_entry("model.safetensors", st)
    results, findings = _run({"model.safetensors": st[:-10]}, [entry], VerifyMode.HEADERS)
    assert results[0].status is FileStatus.MISMATCH
    assert _by_name(findings, "file-corrupt") and _by_name(findings, "hash-mismatch")


def test_header_claiming_2_pow_60_bytes() -> None:
    header = {"huge": {"dtype": "U8", "shape": [2**60], "data_offsets": [0, 2**60]}}
    data = raw_safetensors(header, b"\0" * 64)
    results, findings = _run({"w.safetensors": data}, [FileEntry(path="w.safetensors")], VerifyMode.HEADERS)
    assert results[0].status is FileStatus.CORRUPT
    (f,) = findings
    assert "huge" in f.message and "truncated" in f.message


def test_header_length_of_2_pow_60_is_refused_before_reading() -> None:
    data = struct.pack("<Q", 2**60) + b"{}"
    results, findings = _run({"w.safetensors": data}, [FileEntry(path="w.safetensors")], VerifyMode.FULL)
    assert results[0].status is FileStatus.CORRUPT and "cap" in findings[0].message


def test_overlapping_offsets() -> None:
    header = {
        "a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
        "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]},
    }
    results, findings = _run(
        {"w.safetensors": raw_safetensors(header, b"\0" * 24)},
        [FileEntry(path="w.safetensors")],
        VerifyMode.HEADERS,
    )
    assert results[0].status is FileStatus.CORRUPT
    assert "overlap" in findings[0].message and "'b'" in findings[0].message


def test_sharded_index_consistency() -> None:
    s1 = safetensors_bytes({"a": np.zeros(4, np.float32)})
    s2 = safetensors_bytes({"b": np.zeros(4, np.float32)})
    index = {
        "weight_map": {
            "a": "model-00001-of-00003.safetensors",
            "b": "model-00001-of-00003.safetensors",  # b lives in shard 2
            "c": "model-00003-of-00003.safetensors",  # shard missing
        }
    }
    files = {
        "model-00001-of-00003.safetensors": s1,
        "model-00002-of-00003.safetensors": s2,
        "model.safetensors.index.json": json.dumps(index).encode(),
    }
    _, findings = _run(files, [FileEntry(path=p) for p in files], VerifyMode.HEADERS)
    messages = sorted(f.message for f in _by_name(findings, "file-corrupt"))
    assert len(messages) == 2
    assert "'b' is not in shard" in messages[0] or "'b' is not in shard" in messages[1]
    assert any("model-00003-of-00003.safetensors" in m and "missing" in m for m in messages)


def test_consistent_index_passes() -> None:
    s1 = safetensors_bytes({"a": np.zeros(4, np.float32)})
    index = {"weight_map": {"a": "model-00001-of-00001.safetensors"}}
    files = {
        "sub/model-00001-of-00001.safetensors": s1,
        "sub/model.safetensors.index.json": json.dumps(index).encode(),
    }
    _, findings = _run(files, [FileEntry(path=p) for p in files], VerifyMode.HEADERS)
    assert findings == []


def test_forward_only_streams_work_in_headers_mode() -> None:
    st = safetensors_bytes(weights(1))
    entry = lfs_entry("model.safetensors", st)
    results, findings = _run({"model.safetensors": st}, [entry], VerifyMode.HEADERS, seekable=False)
    assert findings == [] and results[0].status is FileStatus.NOT_CHECKED
    results, findings = _run({"model.safetensors": st[:-8]}, [entry], VerifyMode.FULL, seekable=False)
    assert results[0].status is FileStatus.MISMATCH and _by_name(findings, "hash-mismatch")


def test_missing_file_is_reported_not_passed() -> None:
    results, findings = _run({}, [FileEntry(path="model.safetensors", size=10)], VerifyMode.FULL)
    assert results[0].status is FileStatus.MISSING
    assert findings[0].severity is Severity.WARNING


def test_parallel_results_are_in_path_order_and_progress_counts_bytes() -> None:
    files = {f"f{i}.bin.txt": os.urandom(1000 + i) for i in range(6)}
    seen: list[int] = []
    results, _ = _run(
        files,
        [git_entry(p, d) for p, d in files.items()][::-1],
        VerifyMode.FULL,
        workers=3,
        progress=seen.append,
    )
    assert [r.path for r in results] == sorted(files)
    assert all(r.status is FileStatus.VERIFIED for r in results)
    assert sum(seen) == sum(len(d) for d in files.values())


# ----------------------------------------------------------------------------------- pickles


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_malicious_pickle_is_flagged_and_never_executed(tmp_path: Path, protocol: int) -> None:
    target = tmp_path / "pwned.txt"
    data = malicious_pickle(target, protocol)
    for name, blob in (("pytorch_model.bin", data), ("model.pt", torch_zip(data))):
        for mode in (VerifyMode.HEADERS, VerifyMode.FULL):
            _results, findings = _run({name: blob}, [FileEntry(path=name)], mode)
            (f,) = _by_name(findings, "unsafe-serialization")
            assert (f.rule, f.severity) == ("MA303", Severity.ERROR)
            # builtins.open is io.open: pickle records the defining module
            assert "io.open" in f.message
            assert any(e.value == "io.open" for e in f.evidence)
    assert not target.exists()


def test_benign_torch_zip_gets_a_note() -> None:
    blob = torch_zip(torch_like_data_pkl())
    _, findings = _run({"pytorch_model.bin": blob}, [FileEntry(path="pytorch_model.bin")], VerifyMode.HEADERS)
    (f,) = findings
    assert (f.name, f.rule, f.severity) == ("unsafe-serialization", "MA303", Severity.NOTE)
    assert "safetensors would be safer" in f.message
    values = {e.value for e in f.evidence}
    assert {"torch._utils._rebuild_tensor_v2", "torch.FloatStorage", "collections.OrderedDict"} <= values


def test_legacy_torch_file_with_trailing_storage_bytes() -> None:
    blob = legacy_torch_file(torch_like_data_pkl())
    _, findings = _run({"model.pth": blob}, [FileEntry(path="model.pth")], VerifyMode.HEADERS)
    (f,) = findings
    assert f.severity is Severity.NOTE, f.message


def test_real_torch_checkpoint_if_torch_is_installed(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    path = tmp_path / "ckpt.pt"
    torch.save({"w": torch.zeros(3, 3), "b": torch.ones(3, dtype=torch.bfloat16)}, path)
    _, findings = _run({"ckpt.pt": path.read_bytes()}, [FileEntry(path="ckpt.pt")], VerifyMode.HEADERS)
    assert [f.severity for f in findings] == [Severity.NOTE]


def test_unknown_globals_and_truncated_pickles_warn() -> None:
    import pickle

    class Custom:  # pickled by reference to this test module: an unrecognised global
        pass

    Custom.__qualname__ = "Custom"
    globals()["Custom"] = Custom
    data = pickle.dumps(Custom, protocol=2)
    _, findings = _run({"x.pkl": data}, [FileEntry(path="x.pkl")], VerifyMode.HEADERS)
    assert findings[0].severity is Severity.WARNING and "does not recognise" in findings[0].message
    _, findings = _run({"y.pkl": data[:-3]}, [FileEntry(path="y.pkl")], VerifyMode.HEADERS)
    assert findings[0].severity is Severity.WARNING and "could not be scanned" in findings[0].message


def test_non_pickle_bin_is_left_alone() -> None:
    _, findings = _run(
        {"tokenizer.model": b"\x0a\x0bsentencepiece"}, [FileEntry(path="tokenizer.model")], VerifyMode.HEADERS
    )
    assert findings == []


def test_pickle_with_huge_binbytes_claim_is_bounded() -> None:
    data = b"\x80\x04\x8e" + struct.pack("<Q", 2**60) + b"xx"  # BINBYTES8 claiming 2^60 bytes
    _, findings = _run({"a.pkl": data}, [FileEntry(path="a.pkl")], VerifyMode.HEADERS)
    assert findings[0].severity is Severity.WARNING and "past the end" in findings[0].message


def test_headers_mode_with_read_range_never_opens_weight_files(tmp_path: Path) -> None:
    st = safetensors_bytes({**weights(0), "big": np.zeros((1024, 1024), np.float32)})  # 4 MiB
    evil = torch_zip(malicious_pickle(tmp_path / "pwned", 2))
    files = {"model.safetensors": st, "pytorch_model.bin": evil, "config.json": b"{}"}
    repo = MemoryRepo(files)
    ranges: list[tuple[str, int, int]] = []

    def read_range(path: str, start: int, length: int) -> bytes:
        ranges.append((path, start, length))
        return files[path][start : start + length]

    entries = [
        lfs_entry("model.safetensors", st),
        lfs_entry("pytorch_model.bin", evil),
        git_entry("config.json", b"{}"),
    ]
    _results, findings = verify_files(entries, repo.open_file, VerifyMode.HEADERS, read_range=read_range)
    assert repo.opened == []
    assert {p for p, _, _ in ranges} == {"model.safetensors", "pytorch_model.bin"}
    assert sum(n for p, _, n in ranges if p == "model.safetensors") < len(st) / 10
    assert [f.name for f in findings] == ["unsafe-serialization"] and findings[0].severity is Severity.ERROR
    assert not (tmp_path / "pwned").exists()


def test_protocol_0_global_first_pickle_is_scanned(tmp_path: Path) -> None:
    data = b"cos\nsystem\n(S'touch " + str(tmp_path / "x").encode() + b"'\ntR."
    _, findings = _run({"evil.pkl": data}, [FileEntry(path="evil.pkl")], VerifyMode.HEADERS)
    assert findings[0].severity is Severity.ERROR and "os.system" in findings[0].message
    assert not (tmp_path / "x").exists()
