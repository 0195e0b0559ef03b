"""Hashing through a mapping (verify/hashing.py, speed-up MMAP_HASH) and a folder hashed from the moment
``scan``/``verify`` parsed their options (verify/hashpool.start, speed-up EARLY_HASH): the digests are
hashlib's, a file changed between the early pass and verify is hashed again, ``--workers`` files are hashed
at once, nothing is hashed twice or when the command line is refused, and an interrupted command stops its
threads.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from cli_run import run_cli
from modelaudit.models import FileEntry, VerifyMode
from modelaudit.verify import hashing, hashpool, verify_files
from modelaudit.verify.hashing import hash_stream

MiB = 1024 * 1024


def blob(path: Path, size: int, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    unit = hashlib.sha256(str(seed).encode()).digest()
    path.write_bytes((unit * (size // 32 + 1))[:size])
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def take(pool: hashpool.HashPool, path: Path, **kw: Any) -> Any:
    with open(path, "rb") as fh:
        return pool.take(fh, **kw)


@pytest.fixture
def begun(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files pool threads started hashing (tests wait for them so that verify does not take a file off
    the queue first, which it may: then it hashes it itself)."""
    calls: list[str] = []
    real = hashpool.hash_file

    def recording(path: str, **kw: Any) -> Any:
        calls.append(path)
        return real(path, **kw)

    monkeypatch.setattr(hashpool, "hash_file", recording)
    return calls


def wait_for(condition: Any) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slices of 1 MiB and 'large' files from 1 MiB, so small files take the paths large ones do."""
    monkeypatch.setattr(hashing, "MMAP_SLICE", MiB)
    monkeypatch.setattr(hashpool, "MIN_BYTES", MiB)


@pytest.mark.parametrize("mapped", [True, False])
@pytest.mark.parametrize("size", [0, 1, MiB - 1, 3 * MiB + 7])
@pytest.mark.parametrize("start", [0, 5])
def test_digests_are_hashlibs_mapped_or_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_slices: None, mapped: bool, size: int, start: int
) -> None:
    if not mapped:
        monkeypatch.setenv("MODELAUDIT_NO_MMAP_HASH", "1")
    path = blob(tmp_path / "w.raw", size)
    data = path.read_bytes()[start:]
    seen: list[int] = []
    for buffering in (0, -1):  # a raw file (hash_file) and a buffered one (the sources' open_file)
        with open(path, "rb", buffering=buffering) as fh:
            fh.seek(start)
            got = hash_stream(fh, git_sha1_size=len(data), progress=seen.append)
            assert fh.read() == b""  # left at the end, as a read loop leaves it
        assert got.sha256 == hashlib.sha256(data).hexdigest() and got.size == len(data)
        assert got.git_sha1 == hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    assert sum(seen) == 2 * len(data)
    if mapped and len(data) > MiB:
        assert max(seen) == MiB  # one report per slice


def test_a_stream_without_a_file_is_read(tmp_path: Path) -> None:
    data = os.urandom(3 * MiB + 1)
    got = hash_stream(io.BytesIO(data), chunk_size=MiB)
    assert got.sha256 == hashlib.sha256(data).hexdigest() and got.size == len(data)


def test_bytes_written_past_the_mapping_are_hashed_too(tmp_path: Path, small_slices: None) -> None:
    path = blob(tmp_path / "w.raw", 2 * MiB)

    def grow(_n: int) -> None:
        if path.stat().st_size == 2 * MiB:
            with open(path, "ab") as fh:
                fh.write(b"tail")

    with open(path, "rb", buffering=0) as fh:
        got = hash_stream(fh, progress=grow)
    assert got.size == 2 * MiB + 4 and got.sha256 == sha(path)  # what a read loop would have seen


def test_a_folder_hashed_early_gives_verify_hashlibs_digests(
    tmp_path: Path, small_slices: None, begun: list[str]
) -> None:
    folder = tmp_path / "m"
    big = blob(folder / "weights.raw", 3 * MiB + 5)
    small = blob(folder / "config.json", 100)
    pool = hashpool.start([str(folder)], workers=2)
    assert pool is not None
    wait_for(lambda: begun == [str(big)])
    try:
        entries = [FileEntry(path="weights.raw", size=3 * MiB + 5), FileEntry(path="config.json", size=100)]
        results, findings = verify_files(
            entries, lambda p: (folder / p).open("rb"), VerifyMode.FULL, pool=pool, workers=2
        )
    finally:
        pool.close()
    assert not findings
    assert {r.path: r.sha256_actual for r in results} == {
        "config.json": sha(small),
        "weights.raw": sha(big),
    }
    assert pool.hits == 1  # the large file came from the pool; the small one verify hashed itself


def test_a_file_changed_after_the_early_pass_is_hashed_again(
    tmp_path: Path, small_slices: None, begun: list[str]
) -> None:
    folder = tmp_path / "m"
    path = blob(folder / "w.raw", 2 * MiB)
    pool = hashpool.start([str(folder)], workers=1)
    assert pool is not None
    wait_for(lambda: begun == [str(path)])
    try:
        assert take(pool, path).sha256 == sha(path)  # waits for the early pass: a hit
        before = path.stat()
        with open(path, "r+b") as fh:  # same size, same mtime, other bytes
            fh.write(b"changed")
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        entry = FileEntry(path="w.raw", size=2 * MiB)
        results, findings = verify_files([entry], lambda p: (folder / p).open("rb"), VerifyMode.FULL, pool=pool)
    finally:
        pool.close()
    assert results[0].sha256_actual == sha(path) != hashlib.sha256(b"").hexdigest()
    assert pool.hits == 1 and not findings


@pytest.mark.parametrize("workers", [1, 3])
def test_the_pool_hashes_as_many_files_at_once_as_workers_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_slices: None, workers: int
) -> None:
    folder = tmp_path / "m"
    paths = [blob(folder / f"{i}.raw", 2 * MiB, seed=i) for i in range(4)]
    real = hashpool.hash_file
    lock = threading.Lock()
    active, peak, calls = [0], [0], []
    together = threading.Barrier(workers, timeout=10)
    met = threading.Event()

    def counting(path: str, **kw: Any) -> Any:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            calls.append(path)
        try:
            if not met.is_set():
                together.wait()  # the first `workers` files are hashed at the same time...
                met.set()
            return real(path, **kw)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(hashpool, "hash_file", counting)
    pool = hashpool.start([str(folder)], workers=workers)
    assert pool is not None
    wait_for(lambda: len(calls) == 4)
    try:
        assert [take(pool, p).sha256 for p in paths] == [sha(p) for p in paths]
    finally:
        pool.close()
    assert peak[0] == workers  # ...and never more
    assert sorted(calls) == sorted(str(p) for p in paths)  # each once
    assert pool.hits == 4


def test_a_file_no_thread_has_started_is_left_to_verify_and_not_hashed_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_slices: None
) -> None:
    folder = tmp_path / "m"
    first = blob(folder / "a.raw", 3 * MiB)
    second = blob(folder / "b.raw", 2 * MiB, seed=1)
    release = threading.Event()
    calls: list[str] = []
    real = hashpool.hash_file

    def slow(path: str, **kw: Any) -> Any:
        calls.append(path)
        assert release.wait(10)
        return real(path, **kw)

    monkeypatch.setattr(hashpool, "hash_file", slow)
    pool = hashpool.start([str(folder)], workers=1)  # the largest first: a.raw
    assert pool is not None
    wait_for(lambda: calls == [str(first)])
    try:
        assert take(pool, second) is None  # not started: the caller hashes it
        release.set()
        assert take(pool, first).sha256 == sha(first)
    finally:
        pool.close()
    assert calls == [str(first)]


def test_a_file_the_pool_cannot_read_is_verifys_to_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_slices: None
) -> None:
    folder = tmp_path / "m"
    path = blob(folder / "w.raw", 2 * MiB)

    tried: list[str] = []

    def unreadable(path: str, **_kw: Any) -> Any:
        tried.append(path)
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(hashpool, "hash_file", unreadable)
    pool = hashpool.start([str(folder)])
    assert pool is not None
    wait_for(lambda: tried == [str(path)])
    try:
        assert take(pool, path) is None
        path.unlink()
        entry = FileEntry(path="w.raw", size=2 * MiB)
        results, findings = verify_files([entry], lambda p: (folder / p).open("rb"), VerifyMode.FULL, pool=pool)
    finally:
        pool.close()
    assert results[0].status.value == "missing"
    assert [f.rule for f in findings] and "w.raw: could not be read" in findings[0].message


@pytest.fixture
def slow_hashing(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[int]]:
    """Pool threads that take a while per slice: (set once one starts, the bytes they hashed)."""
    started = threading.Event()
    hashed: list[int] = []
    real = hashpool.hash_file

    def slow(path: str, progress: Any = None, **kw: Any) -> Any:
        started.set()

        def tick(n: int) -> None:
            time.sleep(0.02)
            hashed.append(n)
            if progress is not None:
                progress(n)  # raises once the pool is closed

        return real(path, progress=tick, **kw)

    monkeypatch.setattr(hashpool, "hash_file", slow)
    return started, hashed


def no_pool_threads_left() -> None:
    deadline = time.monotonic() + 30
    while any(t.name.startswith("modelaudit-hash") for t in threading.enumerate()):
        assert time.monotonic() < deadline, "pool threads still running"
        time.sleep(0.01)


def test_closing_the_pool_wakes_waiters_and_stops_its_threads(
    tmp_path: Path, small_slices: None, slow_hashing: tuple[threading.Event, list[int]]
) -> None:
    started, hashed = slow_hashing
    folder = tmp_path / "m"
    path = blob(folder / "w.raw", 64 * MiB)
    pool = hashpool.start([str(folder)])
    assert pool is not None and started.wait(10)
    waiter = threading.Thread(target=lambda: got.append(take(pool, path)))
    got: list[Any] = []
    waiter.start()
    pool.close()
    waiter.join(30)
    assert got == [None]  # woken, with nothing to take
    no_pool_threads_left()
    assert sum(hashed) < 64 * MiB  # stopped before the end of the file


def test_nothing_to_hash_early_starts_no_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blob(tmp_path / "small.json", 100)
    assert hashpool.start([str(tmp_path)]) is None  # no large file
    assert hashpool.start([str(tmp_path / "nope")]) is None
    blob(tmp_path / "big.bin", hashpool.MIN_BYTES)
    monkeypatch.setenv("MODELAUDIT_NO_EARLY_HASH", "1")
    assert hashpool.start([str(tmp_path)]) is None


# --- the commands ---------------------------------------------------------------------------------------


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], int]]:
    """The folders and workers of every early pool the commands start (the real pool still runs)."""
    calls: list[tuple[list[str], int]] = []
    real = hashpool.start

    def recording(folders: Any, workers: int = hashing.DEFAULT_WORKERS) -> Any:
        calls.append((list(folders), workers))
        return real(folders, workers)

    monkeypatch.setattr(hashpool, "start", recording)
    return calls


@pytest.fixture
def model(tmp_path: Path, small_slices: None) -> Path:
    folder = tmp_path / "m"
    blob(folder / "weights.raw", 3 * MiB)
    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\n", encoding="utf-8")
    (folder / "LICENSE").write_text("Apache License\nVersion 2.0, January 2004\n", encoding="utf-8")
    return folder


def test_verify_output_is_the_same_with_and_without_early_hashing(
    model: Path, started: list[tuple[list[str], int]]
) -> None:
    on = run_cli("verify", str(model), "--offline", "-f", "json", "--workers", "3")
    off = run_cli("verify", str(model), "--offline", "-f", "json", env={"MODELAUDIT_NO_EARLY_HASH": "1"})
    assert on == off and on[0] == 0
    assert started == [([str(model)], 3), ([str(model)], hashing.DEFAULT_WORKERS)]
    files = {f["path"]: f["sha256_actual"] for f in json.loads(on[1])["files"]}
    assert files["weights.raw"] == sha(model / "weights.raw")


def test_scan_output_is_the_same_with_and_without_early_hashing(
    model: Path, started: list[tuple[list[str], int]]
) -> None:
    args = ("scan", str(model), "--offline", "-f", "json", "-q", "--no-cache")
    on = run_cli(*args)
    off = run_cli(*args, env={"MODELAUDIT_NO_EARLY_HASH": "1"})
    assert on[0] == off[0] and on[0] in (0, 1)
    strip = lambda text: {k: v for k, v in json.loads(text).items() if k not in ("generated_at", "duration_s")}  # noqa: E731
    assert strip(on[1]) == strip(off[1])
    assert len(started) == 2


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "{m}", "--workers", "0"],
        ["verify", "{m}", "--mode", "sideways"],
        ["verify", "{m}", "--manifest", "{m}/no-such-manifest"],
        ["scan", "{m}", "-f", "json", "-f", "html"],
        ["scan", "{m}", "--attest", "a.json"],
    ],
)
def test_a_refused_command_line_hashes_nothing(
    model: Path, started: list[tuple[list[str], int]], args: list[str]
) -> None:
    code, _out, err = run_cli(*(a.format(m=model) for a in args), "--offline")
    assert code == 2 and err
    assert started == []


def test_headers_only_and_hub_targets_hash_nothing_early(
    model: Path, started: list[tuple[list[str], int]]
) -> None:
    assert run_cli("verify", str(model), "--offline", "--mode", "headers")[0] == 0
    run_cli("verify", "org/not-a-folder", "--offline")
    assert started == []


def test_an_interrupted_verify_exits_130_and_stops_hashing(
    model: Path,
    monkeypatch: pytest.MonkeyPatch,
    started: list[tuple[list[str], int]],
    slow_hashing: tuple[threading.Event, list[int]],
) -> None:
    from modelaudit.cli import verify as cli_verify

    blob(model / "weights.raw", 64 * MiB)
    began, hashed = slow_hashing

    def interrupted(*_args: Any, **_kw: Any) -> int:
        assert began.wait(10)  # Ctrl-C while the pool hashes
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_verify, "_verify", interrupted)
    code, out, err = run_cli("verify", str(model), "--offline")
    assert (code, out) == (130, "") and "interrupted" in err
    assert len(started) == 1
    no_pool_threads_left()
    assert sum(hashed) < 64 * MiB


def test_an_interrupted_verify_files_does_not_wait_for_the_files_being_hashed(
    tmp_path: Path, small_slices: None, slow_hashing: tuple[threading.Event, list[int]]
) -> None:
    import signal

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("a signal is handled on the main thread")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    began, hashed = slow_hashing
    folder = tmp_path / "m"
    blob(folder / "a.raw", 64 * MiB)
    blob(folder / "b.raw", 48 * MiB, seed=1)
    pool = hashpool.start([str(folder)], workers=2)
    assert pool is not None and began.wait(10)
    entries = [FileEntry(path="a.raw", size=64 * MiB), FileEntry(path="b.raw", size=48 * MiB)]
    main = threading.main_thread().ident
    assert main is not None
    # Ctrl-C while verify waits for the pool
    threading.Timer(0.1, lambda: signal.pthread_kill(main, signal.SIGINT)).start()
    try:
        with pytest.raises(KeyboardInterrupt):
            verify_files(entries, lambda p: (folder / p).open("rb"), VerifyMode.FULL, pool=pool, workers=2)
        wait_for(lambda: not any(t.name.startswith("modelaudit-verify") for t in threading.enumerate()))
        assert sum(hashed) < 112 * MiB  # the verify threads are gone before the pool's files are done
    finally:
        pool.close()
        signal.signal(signal.SIGINT, previous)
    no_pool_threads_left()
