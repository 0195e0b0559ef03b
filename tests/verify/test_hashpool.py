"""Digests computed ahead of verification (verify/hashpool.py: the Ray engine's hashing tasks): a digest is
used only for the very file it came from, and results are the same with or without them.

``verify_files`` takes a digest only when the open file's real path, device, inode, size and mtime match,
and otherwise hashes the file itself.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from cli_run import run_cli
from modelaudit.models import FileEntry, VerifyMode
from modelaudit.verify import files, hashing, verify_files
from modelaudit.verify.hashing import chunk_for, hash_path
from modelaudit.verify.hashpool import Hashed, HashPool, hash_file, large_files

MiB = 1024 * 1024


def blob(path: Path, size: int, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hashlib.sha256(str(seed).encode()).digest() * (size // 32) + b"x" * (size % 32))
    return path


def pooled(*paths: Path) -> HashPool:
    """A pool holding the digests of ``paths``, as the Ray engine fills one (those that could be hashed)."""
    pool = HashPool()
    for path in paths:
        try:
            item = hash_file(str(path))
        except OSError:
            continue
        if item is not None:
            pool.add(item)
    return pool


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
    pool = pooled(path)
    got = take(pool, path)
    assert got == hash_path(str(path))
    assert got.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and got.size == size
    assert pool.hits == 1


def test_a_file_changed_after_hashing_is_a_miss(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", 2 * MiB)
    pool = pooled(path)
    before = path.stat()
    blob(path, 2 * MiB, seed=1)  # same size, other bytes
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
    assert take(pool, path) is None
    assert pool.hits == 0


def test_a_file_replaced_with_the_same_size_and_mtime_is_a_miss(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", 2 * MiB)
    pool = pooled(path)
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
    pool = pooled(path)  # not there yet: the pool has nothing for it
    blob(path, 2 * MiB)
    assert len(pool) == 0 and take(pool, path) is None
    entry = FileEntry(path="w.bin", size=2 * MiB)
    results, findings = verify_files([entry], opener(tmp_path), VerifyMode.FULL, pool=pool)
    assert results[0].sha256_actual == hashlib.sha256(path.read_bytes()).hexdigest() and not findings


def test_a_missing_file_is_reported_as_without_the_pool(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", 2 * MiB)
    pool = pooled(path)
    path.unlink()
    entry = FileEntry(path="w.bin", size=2 * MiB)
    with_pool = verify_files([entry], opener(tmp_path), VerifyMode.FULL, pool=pool)
    without = verify_files([entry], opener(tmp_path), VerifyMode.FULL)
    assert with_pool == without and with_pool[0][0].status.value == "missing"


def test_a_hit_passes_the_files_size_on_as_progress(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", 5 * MiB + 3)
    pool = pooled(path)
    seen: list[int] = []
    assert take(pool, path, progress=seen.append) is not None
    assert seen == [5 * MiB + 3]


def test_a_git_blob_id_is_never_taken_from_the_pool(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", MiB)
    pool = pooled(path)
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


def test_reads_are_large_and_memory_bounded() -> None:
    assert chunk_for(1) == chunk_for(2) == hashing.DEFAULT_CHUNK >= 8 * MiB
    assert chunk_for(64) * 64 <= hashing.MAX_BUFFERS and chunk_for(10_000) == MiB


def test_verify_hashes_as_many_files_at_once_as_workers_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "m"
    blob(folder / "a.bin", MiB)
    blob(folder / "b.bin", MiB, seed=1)
    asked: list[int] = []
    real = files.verify_files

    def recording(*args: Any, workers: int = hashing.DEFAULT_WORKERS, **kw: Any) -> Any:
        asked.append(workers)
        return real(*args, workers=workers, **kw)

    monkeypatch.setattr(files, "verify_files", recording)
    assert run_cli("verify", str(folder), "--offline", "--workers", "3")[0] == 0
    assert run_cli("verify", str(folder), "--offline")[0] == 0
    assert asked == [3, hashing.DEFAULT_WORKERS]


def test_verify_modes_spelled_out_for_the_command_line_match_the_models() -> None:
    from modelaudit.cli.verify import VERIFY_MODES

    assert tuple(m.value for m in VerifyMode) == VERIFY_MODES
