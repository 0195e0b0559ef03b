"""Files hashed ahead of verification on a thread pool (verify/hashpool.py): a digest is used only for the
very file it came from, and results are the same with or without the pool.

``scan`` and ``verify`` of a folder start a pool on its large files once their options are parsed; the Ray
engine fills one with digests its own tasks computed. ``verify_files`` takes a digest only when the open
file's real path, device, inode, size and mtime match, and otherwise hashes the file itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from _verify_helpers import weights, write_model

from cli_run import run_cli
from modelaudit.models import FileEntry, VerifyMode
from modelaudit.verify import hashing, hashpool, verify_files
from modelaudit.verify.hashing import chunk_for, hash_path
from modelaudit.verify.hashpool import Hashed, HashPool, hash_file, hash_folders, large_files

MiB = 1024 * 1024


def blob(path: Path, size: int, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hashlib.sha256(str(seed).encode()).digest() * (size // 32) + b"x" * (size % 32))
    return path


def finished(pool: HashPool, path: Path) -> None:
    """Wait until the pool's hashing of ``path`` has ended (without taking the digest)."""
    pool._entries[os.path.realpath(path)].follow(None)


def opener(folder: Path) -> Any:
    def open_file(path: str) -> Any:
        return (folder / path).open("rb")

    return open_file


def take(pool: HashPool, path: Path, **kw: Any) -> Any:
    with open(path, "rb", buffering=0) as fh:
        return pool.take(fh, **kw)


@pytest.mark.parametrize("size", [0, 1, MiB - 1, 3 * MiB + 7, 9 * MiB])
def test_a_file_hashed_by_the_pool_is_taken_with_hash_streams_digest(tmp_path: Path, size: int) -> None:
    path = blob(tmp_path / "w.bin", size)
    pool = HashPool([str(path)])
    got = take(pool, path)
    assert got == hash_path(str(path))
    assert got.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and got.size == size
    assert pool.hits == 1


def test_a_file_changed_after_hashing_is_a_miss(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", 2 * MiB)
    pool = HashPool([str(path)])
    finished(pool, path)
    before = path.stat()
    blob(path, 2 * MiB, seed=1)  # same size, other bytes
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
    assert take(pool, path) is None
    assert pool.hits == 0


def test_a_file_replaced_with_the_same_size_and_mtime_is_a_miss(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", 2 * MiB)
    pool = HashPool([str(path)])
    finished(pool, path)
    before = path.stat()
    other = blob(tmp_path / "other.bin", 2 * MiB, seed=1)
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, path)  # another inode under the same name
    assert take(pool, path) is None


def test_a_file_written_while_it_is_hashed_gives_no_digest(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", 3 * MiB)

    appended: list[int] = []

    def append(n: int) -> None:
        if not appended:  # once, after the first chunk
            appended.append(n)
            with open(path, "ab") as fh:
                fh.write(b"x")

    assert hash_file(str(path), progress=append, chunk_size=MiB) is None
    assert hash_file(str(path)) is not None  # left alone, it hashes


def test_a_file_the_pool_could_not_read_is_left_to_verify(tmp_path: Path) -> None:
    path = tmp_path / "w.bin"
    pool = HashPool([str(path)])  # not there yet: the pool has nothing for it
    finished(pool, path)
    blob(path, 2 * MiB)
    assert take(pool, path) is None
    entry = FileEntry(path="w.bin", size=2 * MiB)
    results, findings = verify_files([entry], opener(tmp_path), VerifyMode.FULL, pool=pool)
    assert results[0].sha256_actual == hashlib.sha256(path.read_bytes()).hexdigest() and not findings


def test_close_stops_the_threads_and_nothing_waits_on_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = blob(tmp_path / "a.bin", 2 * MiB), blob(tmp_path / "b.bin", MiB)
    started, release = threading.Event(), threading.Event()
    hashed: list[str] = []
    real = hashing.hash_stream

    def slow_stream(handle: Any, **kw: Any) -> Any:
        hashed.append(handle.name)
        started.set()
        release.wait(10)
        return real(handle, **kw)

    monkeypatch.setattr(hashpool, "hash_stream", slow_stream)
    pool = HashPool([str(first), str(second)], workers=1)
    assert started.wait(10)
    pool.close()
    assert take(pool, first) is None  # returns at once: the pool is closed
    release.set()
    for thread in [t for t in threading.enumerate() if t.name == "modelaudit-hash"]:
        thread.join(10)
    assert hashed == [str(first)]  # the second file was never started
    assert take(pool, first) is None and take(pool, second) is None and pool.hits == 0


def test_the_gil_changes_hands_often_while_the_pool_hashes_and_the_interval_comes_back_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = blob(tmp_path / "a.bin", 2 * MiB)
    before = sys.getswitchinterval()
    assert before > hashpool.SWITCH_INTERVAL
    during: list[float] = []
    real = hashing.hash_stream

    def watched(handle: Any, **kw: Any) -> Any:
        during.append(sys.getswitchinterval())
        return real(handle, **kw)

    monkeypatch.setattr(hashpool, "hash_stream", watched)
    pool = HashPool([str(path)], workers=2)  # one file: one thread
    assert take(pool, path) == hash_path(str(path))
    for thread in [t for t in threading.enumerate() if t.name == "modelaudit-hash"]:
        thread.join(10)
    assert during == [hashpool.SWITCH_INTERVAL]
    assert sys.getswitchinterval() == before


def test_a_missing_file_is_reported_as_without_the_pool(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", 2 * MiB)
    pool = HashPool([str(path)])
    finished(pool, path)
    path.unlink()
    entry = FileEntry(path="w.bin", size=2 * MiB)
    with_pool = verify_files([entry], opener(tmp_path), VerifyMode.FULL, pool=pool)
    without = verify_files([entry], opener(tmp_path), VerifyMode.FULL)
    assert with_pool == without and with_pool[0][0].status.value == "missing"


def test_waiting_on_a_digest_passes_its_progress_on(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", 5 * MiB + 3)
    pool = HashPool([str(path)])
    seen: list[int] = []
    assert take(pool, path, progress=seen.append) is not None
    assert sum(seen) == 5 * MiB + 3


def test_a_git_blob_id_is_never_taken_from_the_pool(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", MiB)
    pool = HashPool([str(path)])
    finished(pool, path)
    assert take(pool, path, git_sha1_size=MiB) is None


def test_digests_cross_processes_as_plain_values(tmp_path: Path) -> None:
    item = hash_file(str(blob(tmp_path / "w.bin", MiB)))
    assert item is not None
    doc = json.loads(json.dumps(item.to_json()))
    assert Hashed.from_json(doc) == item
    pool = HashPool()
    pool.add(Hashed.from_json(doc))
    assert take(pool, tmp_path / "w.bin") == item.digests
    for bad in ({**doc, "ino": "1"}, {**doc, "size": True}, {k: v for k, v in doc.items() if k != "sha256"}):
        with pytest.raises(ValueError):
            Hashed.from_json(bad)


def test_large_files_are_what_a_local_scan_hashes(tmp_path: Path) -> None:
    blob(tmp_path / "big.bin", 3 * MiB)
    blob(tmp_path / "sub" / "bigger.bin", 4 * MiB)
    blob(tmp_path / "small.json", 100)
    blob(tmp_path / ".git" / "objects.pack", 5 * MiB)  # local sources skip .git
    (tmp_path / "link.bin").symlink_to(tmp_path / "big.bin")  # links are left to verify
    assert large_files(str(tmp_path), MiB) == [
        str(tmp_path / "sub" / "bigger.bin"),
        str(tmp_path / "big.bin"),
    ]
    assert large_files(str(tmp_path / "nope"), MiB) == []
    assert hash_folders(["org/name", str(tmp_path / "nope"), "bad\0name"]) is None


def test_reads_are_large_and_memory_bounded() -> None:
    assert chunk_for(1) == chunk_for(2) == hashing.DEFAULT_CHUNK >= 8 * MiB
    assert chunk_for(64) * 64 <= hashing.MAX_BUFFERS and chunk_for(10_000) == MiB


def _model(tmp_path: Path) -> Path:
    folder = write_model(tmp_path / "m", weights(0))
    blob(folder / "extra.safetensors.bin", 2 * MiB)  # pickle-scanned, hashed
    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\n# m\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", [["verify"], ["verify", "-f", "json"], ["scan", "-f", "json"]])
def test_cli_output_is_the_same_with_and_without_the_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    folder = _model(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.setenv("MODELAUDIT_FINGERPRINT_INDEX", str(tmp_path / "index.json"))
    args = [*command, str(folder), "--offline"]
    hits: list[bool] = []
    real_take = HashPool.take

    def counting_take(self: HashPool, handle: Any, **kw: Any) -> Any:
        got = real_take(self, handle, **kw)
        hits.append(got is not None)
        return got

    monkeypatch.setattr(hashpool, "MIN_BYTES", 1024)
    monkeypatch.setattr(HashPool, "take", counting_take)
    ahead = run_cli(*args)
    assert sum(hits) >= 2  # the weights and the extra file came from the pool
    monkeypatch.setenv("MODELAUDIT_NO_HASH_POOL", "1")  # the speed-up's switch: verify hashes everything
    hits.clear()
    plain = run_cli(*args)
    assert not hits
    assert ahead == plain and ahead[0] == 0, ahead[2]


def test_only_full_verification_of_a_folder_starts_a_pool_with_the_workers_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _model(tmp_path)
    started: list[tuple[list[str], int]] = []
    real_init = HashPool.__init__

    def recording_init(self: HashPool, paths: Any = (), workers: int = 2) -> None:
        started.append((list(paths), workers))
        real_init(self, [], workers)

    monkeypatch.setattr(HashPool, "__init__", recording_init)
    monkeypatch.setattr(hashpool, "MIN_BYTES", 1024)
    for args in (
        ["verify", "--mode", "headers"],
        ["verify", "--mode", "none"],
        ["scan", "--verify", "headers"],
        ["scan", "--verify", "none"],
    ):
        code, _, err = run_cli(*args, str(folder), "--offline")
        assert code == 0, err
    assert started == []
    assert run_cli("verify", str(folder), "--offline", "--workers", "3")[0] == 0
    assert run_cli("scan", str(folder), "--offline", "-q")[0] == 0
    weights_files = sorted(str(p) for p in folder.iterdir() if p.stat().st_size >= 1024)
    assert [(sorted(paths), workers) for paths, workers in started] == [
        (weights_files, 3),
        (weights_files, hashing.DEFAULT_WORKERS),
    ]


def test_verify_modes_spelled_out_for_the_command_line_match_the_models() -> None:
    from modelaudit.cli.verify import VERIFY_MODES

    assert tuple(m.value for m in VerifyMode) == VERIFY_MODES


def test_parsing_scan_and_verify_and_starting_the_pool_imports_no_models() -> None:
    """Hashing starts once the command's options are parsed: before pydantic and the pipeline load."""
    code = "import sys, modelaudit.cli.scan, modelaudit.cli.verify, modelaudit.verify.hashpool; " + (
        "print(sorted(m for m in ('pydantic', 'modelaudit.models', 'modelaudit.pipeline') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
