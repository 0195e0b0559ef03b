"""Digests computed ahead of verification, keyed by the identity of the file they were computed from.

Two users:

* the CLI (``scan`` and ``verify`` of a local folder with ``--verify full``) starts hashing the folder's
  large files on background threads as soon as the command line is parsed, so the hashing runs while the
  rest of the tool is imported and the lineage is crawled, instead of after it;
* the Ray engine hashes a model's large files as separate tasks (one per file) and hands the results to the
  model's scan task.

``verify_files`` consults the registry before hashing a local file itself. A file's identity is its real
path with ``st_dev``, ``st_ino``, ``st_size`` and ``st_mtime_ns``, taken with ``fstat`` on the handle verify
opened and, on the hashing side, before and after the pass; a digest is used only when all of them agree,
so a file replaced, truncated or rewritten in between is hashed again, by verify itself. Anything that goes
wrong while pre-hashing (an unreadable file, a file that changed) makes a miss, and verify then meets the
same problem the way it always did. The digests are what :func:`~modelaudit.verify.hashing.hash_stream`
gives: same function, same bytes.

Nothing is kept on disk and nothing outlives the registry object (one per command or scan task).
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

from modelaudit.verify.hashing import Digests, hash_stream

# files smaller than this are hashed by verify itself: pre-hashing them saves nothing worth a thread hop
PREHASH_MIN_BYTES = 4 * 1024 * 1024
# what a folder walk looks at before giving up (a model folder has a few dozen files)
MAX_WALK_ENTRIES = 100_000
# folders local sources skip too (sources/local.py SKIP_DIRS): their files are never verified
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".cache", ".ipynb_checkpoints"})


@dataclass(frozen=True)
class FileIdentity:
    """Which bytes a digest belongs to: the file, its size and its last modification."""

    realpath: str
    dev: int
    ino: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, realpath: str, st: os.stat_result) -> FileIdentity:
        return cls(realpath, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class Prehashed:
    """One file's digests with the identity of the file before and after hashing (equal when valid)."""

    identity: FileIdentity
    digests: Digests

    def to_json(self) -> dict[str, object]:
        """Plain values, for passing between processes (Ray tasks)."""
        i, d = self.identity, self.digests
        return {
            "realpath": i.realpath,
            "dev": i.dev,
            "ino": i.ino,
            "size": i.size,
            "mtime_ns": i.mtime_ns,
            "hashed": d.size,
            "sha256": d.sha256,
            "git_sha1": d.git_sha1,
        }

    @classmethod
    def from_json(cls, doc: dict[str, object]) -> Prehashed:
        def num(key: str) -> int:
            value = doc[key]
            if not isinstance(value, int):
                raise ValueError(f"{key}: not an integer")
            return value

        def text(key: str) -> str | None:
            value = doc.get(key)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{key}: not a string")
            return value

        path = text("realpath")
        if path is None:
            raise ValueError("realpath missing")
        identity = FileIdentity(path, num("dev"), num("ino"), num("size"), num("mtime_ns"))
        return cls(identity, Digests(size=num("hashed"), sha256=text("sha256"), git_sha1=text("git_sha1")))


class _Entry:
    """One file's pre-hash: queued, running (bytes hashed so far), or finished with its digests or nothing."""

    QUEUED, RUNNING, DONE, TAKEN_BACK = range(4)

    def __init__(self, realpath: str) -> None:
        self.realpath = realpath
        self.cond = threading.Condition()
        self.state = self.QUEUED
        self.hashed = 0
        self.item: Prehashed | None = None

    def add(self, n: int) -> None:
        with self.cond:
            self.hashed += n
            self.cond.notify_all()

    def finish(self, item: Prehashed | None) -> None:
        with self.cond:
            self.item = item
            self.state = self.DONE
            self.cond.notify_all()

    def claim(self, state: int) -> bool:
        """Move a queued entry to ``state`` (RUNNING for a hashing thread, TAKEN_BACK for a verifier)."""
        with self.cond:
            if self.state != self.QUEUED:
                return False
            self.state = state
            return True

    def follow(self, progress: Callable[[int], None] | None) -> Prehashed | None:
        """Wait until hashing ends, passing the bytes hashed so far, then as they come, on to ``progress``."""
        reported = 0
        while True:
            with self.cond:
                while self.state == self.RUNNING and self.hashed == reported:
                    self.cond.wait()
                hashed, done, item = self.hashed, self.state == self.DONE, self.item
            if progress is not None and hashed > reported:
                progress(hashed - reported)
            reported = hashed
            if done:
                return item


def hash_file(path: str, *, progress: Callable[[int], None] | None = None) -> Prehashed | None:
    """SHA-256 of the file at ``path`` with its identity; None when it changed while being hashed.

    Raises ``OSError`` when it cannot be opened or read.
    """
    real = os.path.realpath(path)
    with open(real, "rb", buffering=0) as fh:
        before = os.fstat(fh.fileno())
        if not stat.S_ISREG(before.st_mode):
            return None
        digests = hash_stream(fh, progress=progress)
        after = os.fstat(fh.fileno())
    identity = FileIdentity.of(real, before)
    if FileIdentity.of(real, after) != identity or digests.size != before.st_size:
        return None  # written to while we read it: no digest belongs to "the file"
    return Prehashed(identity, digests)


class DigestRegistry:
    """Digests of local files, ready or being computed, looked up by the identity of an open handle.

    Thread-safe. ``start`` hashes files on ``workers`` daemon threads (``hashlib`` releases the GIL; daemon
    threads, so an interrupted command does not wait for a hash nobody needs any more); ``add`` records
    digests computed elsewhere (a Ray task). ``take`` is what ``verify_files`` calls.
    """

    def __init__(self, workers: int = 2) -> None:
        self._workers = max(1, workers)
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._queue: list[_Entry] = []  # in the order given; threads pop from the front
        self._threads = 0
        self._stopped = False
        self.hits = 0  # digests verify used instead of hashing (tests, benchmarks)

    # ------------------------------------------------------------------ producing

    def start(self, paths: Iterable[str]) -> None:
        """Hash these files in the background, in this order."""
        with self._lock:
            for path in paths:
                real = os.path.realpath(path)
                if real in self._entries or self._stopped:
                    continue
                entry = self._entries[real] = _Entry(real)
                self._queue.append(entry)
            spawn = min(self._workers - self._threads, len(self._queue))
            self._threads += max(0, spawn)
        for _ in range(spawn):
            threading.Thread(target=self._work, name="modelaudit-prehash", daemon=True).start()

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._queue or self._stopped:
                    self._threads -= 1
                    return
                entry = self._queue.pop(0)
            if not entry.claim(_Entry.RUNNING):
                continue  # a verifier took it back before it started
            item: Prehashed | None = None
            try:
                item = hash_file(entry.realpath, progress=entry.add)
            except Exception:  # a miss: verify reads the file itself and reports what it meets
                item = None
            finally:  # whatever happened, a verifier waiting on this file goes on
                entry.finish(item)

    def add(self, item: Prehashed) -> None:
        """Record digests computed elsewhere."""
        entry = _Entry(item.identity.realpath)
        entry.hashed = item.digests.size
        entry.finish(item)
        with self._lock:
            self._entries[entry.realpath] = entry

    def shutdown(self) -> None:
        """Start nothing more (what is being hashed finishes on its own daemon thread)."""
        with self._lock:
            self._stopped = True
            dropped, self._queue = self._queue, []
        for entry in dropped:
            if entry.claim(_Entry.TAKEN_BACK):
                entry.finish(None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    # ------------------------------------------------------------------ consuming

    def take(
        self,
        handle: BinaryIO,
        *,
        git_sha1_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Digests | None:
        """The digests of the file open as ``handle``, or None when verify must hash it itself.

        A hit is a file whose real path and ``fstat`` identity match a digest's, with the SHA-256 (and the git
        blob SHA-1 when ``git_sha1_size`` asks for it; pre-hashing never computes it, so that is a miss).
        While the digest is still being computed this waits for it and passes its progress on in bytes;
        a file whose hashing has not started yet is taken back and left to the caller.
        """
        if git_sha1_size is not None:
            return None
        identity = _identity(handle)
        if identity is None:
            return None
        with self._lock:
            entry = self._entries.get(identity.realpath)
        if entry is None:
            return None
        if entry.claim(_Entry.TAKEN_BACK):  # not started: hashed by the caller now, not after the queue
            entry.finish(None)
            return None
        item = entry.follow(progress)
        if item is None or item.identity != identity or item.digests.sha256 is None:
            return None
        with self._lock:
            self.hits += 1
        return item.digests


def _identity(handle: BinaryIO) -> FileIdentity | None:
    """Identity of an open local file (None for anything else: a stream, a spooled copy)."""
    name = getattr(handle, "name", None)
    if not isinstance(name, str):
        return None
    try:
        st = os.fstat(handle.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return FileIdentity.of(os.path.realpath(name), st)


def large_files(folder: str, min_bytes: int | None = None) -> list[str]:
    """Regular files of at least ``min_bytes`` (default ``PREHASH_MIN_BYTES``) under ``folder`` (links and
    skipped folders left out), the largest first; [] when the folder cannot be read. What a local scan
    hashes, found without importing the sources."""
    if min_bytes is None:
        min_bytes = PREHASH_MIN_BYTES
    found: list[tuple[int, str]] = []
    seen = 0
    stack = [folder]
    while stack and seen < MAX_WALK_ENTRIES:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                for entry in it:
                    seen += 1
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if entry.name not in SKIP_DIRS:
                                stack.append(entry.path)
                        elif entry.is_file(follow_symlinks=False):
                            size = entry.stat(follow_symlinks=False).st_size
                            if size >= min_bytes:
                                found.append((size, entry.path))
                    except OSError:
                        continue
        except OSError:
            continue
    return [path for _size, path in sorted(found, key=lambda t: (-t[0], t[1]))]


def prehash_folders(
    targets: Iterable[str], workers: int = 2, min_bytes: int | None = None
) -> DigestRegistry | None:
    """Start hashing the large files of those ``targets`` that name a local folder (as ``parse_target``
    reads them: an existing folder always wins), folder by folder, the largest file first; None when there
    is nothing to hash ahead. The caller calls ``shutdown`` when done."""
    files: list[str] = []
    for target in targets:
        try:
            folder = os.path.expanduser(target.strip())
            if not folder or "\0" in folder or not os.path.isdir(folder):
                continue
        except (OSError, ValueError):
            continue
        files += large_files(folder, min_bytes)
    if not files:
        return None
    registry = DigestRegistry(workers)
    registry.start(files)
    return registry
