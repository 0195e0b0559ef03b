"""Digests of local files computed ahead of the verify stage, handed to it by file identity.

Two producers fill a :class:`HashPool`:

* ``scan`` and ``verify`` of a local folder in full start one with :func:`start` as soon as their parsed
  options say so (speed-up ``EARLY_HASH``), before they import the models, the sources and the pipeline:
  ``workers`` daemon threads hash the folder's large files (:func:`large_files`) through
  :func:`~modelaudit.verify.hashing.hash_stream`, which hands ``hashlib`` 256 MiB slices of a mapping
  (it releases the GIL for each), so the hashing runs on another core while the command loads and crawls.
  Without it, ``verify`` of a 1 GiB folder was its start-up *plus* the hashing.
* The Ray engine hashes a model's large files in tasks of their own (:func:`hash_file`) and hands the
  results to the model's scan with :meth:`HashPool.add`.

``verify_files`` asks the pool (:meth:`HashPool.take`) before hashing a local file itself: a file still being
hashed is waited for (its progress passed on), a file no thread has started yet is left to verify (and
taken off the pool's queue, so nothing is hashed twice). A file's identity is its real path with
``st_dev``, ``st_ino``, ``st_size``, ``st_mtime_ns`` and ``st_ctime_ns``, taken with ``fstat`` on the handle
verify opened and, on the hashing side, before and after the pass; a digest is used only when all of them
agree, so a file replaced, truncated or rewritten in between is hashed again, by verify itself. Anything that
goes wrong on a pool thread (an unreadable file, a file that changed) is a miss, and verify then meets the
same problem the way it always does.

:meth:`HashPool.close` (the command's ``finally``: its end, an error, Ctrl-C) takes the files not started off
the queue, wakes whoever waits, and stops each thread at the end of its slice; the threads are daemons, so
an interrupted command exits at once. Nothing is kept on disk and nothing outlives the pool.
"""

from __future__ import annotations

import os
import stat
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

from modelaudit import speedups
from modelaudit.config import SKIP_DIRS
from modelaudit.verify.hashing import DEFAULT_CHUNK, DEFAULT_WORKERS, Digests, hash_stream

# files smaller than this are hashed by verify itself: a task of their own would cost more than it saves
MIN_BYTES = 4 * 1024 * 1024
# what a folder walk looks at before giving up (a model folder has a few dozen files)
MAX_WALK_ENTRIES = 100_000


@dataclass(frozen=True)
class FileIdentity:
    """Which bytes a digest belongs to: the file, its size and its last modification."""

    realpath: str
    dev: int
    ino: int
    size: int
    mtime_ns: int
    ctime_ns: int = 0  # any write or metadata change moves it, and nothing can set it back

    @classmethod
    def of(cls, realpath: str, st: os.stat_result) -> FileIdentity:
        return cls(realpath, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@dataclass(frozen=True)
class Hashed:
    """One file's digests with the identity of the file they were computed from."""

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
            "ctime_ns": i.ctime_ns,
            "hashed": d.size,
            "sha256": d.sha256,
        }

    @classmethod
    def from_json(cls, doc: dict[str, object]) -> Hashed:
        """The value :meth:`to_json` gave; ValueError for anything else."""

        def num(key: str) -> int:
            value = doc.get(key)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{key}: not an integer")
            return value

        def text(key: str) -> str:
            value = doc.get(key)
            if not isinstance(value, str):
                raise ValueError(f"{key}: not a string")
            return value

        identity = FileIdentity(
            text("realpath"), num("dev"), num("ino"), num("size"), num("mtime_ns"), num("ctime_ns")
        )
        return cls(identity, Digests(size=num("hashed"), sha256=text("sha256")))


def hash_file(
    path: str, *, progress: Callable[[int], None] | None = None, chunk_size: int = DEFAULT_CHUNK
) -> Hashed | None:
    """SHA-256 of the file at ``path`` with its identity; None when it is not a regular file or changed while
    it was hashed. Raises ``OSError`` when it cannot be opened or read."""
    real = os.path.realpath(path)
    with open(real, "rb", buffering=0) as fh:
        before = os.fstat(fh.fileno())
        if not stat.S_ISREG(before.st_mode):
            return None
        digests = hash_stream(fh, progress=progress, chunk_size=chunk_size)
        after = os.fstat(fh.fileno())
    identity = FileIdentity.of(real, before)
    if FileIdentity.of(real, after) != identity or digests.size != before.st_size:
        return None  # written to while we read it: no digest belongs to "the file"
    return Hashed(identity, digests)


class _Stopped(Exception):
    """Raised inside a pool thread's progress callback once the pool is closed: hashing ends there."""


class _Entry:
    """One file of the pool: queued, being hashed (with the bytes hashed so far), then done (digests or
    None)."""

    def __init__(self, realpath: str, item: Hashed | None = None) -> None:
        self.realpath = realpath
        self.cond = threading.Condition()
        self.started = item is not None
        self.done = item is not None
        self.hashed = item.digests.size if item is not None else 0
        self.item = item

    def add(self, n: int) -> None:
        with self.cond:
            self.hashed += n
            self.cond.notify_all()

    def finish(self, item: Hashed | None) -> None:
        with self.cond:
            if not self.done:
                self.item, self.done = item, True
                self.cond.notify_all()

    def follow(self, progress: Callable[[int], None] | None) -> Hashed | None:
        """Wait until hashing ends, passing the bytes hashed so far, then as they come, on to ``progress``."""
        reported = 0
        while True:
            with self.cond:
                while not self.done and self.hashed == reported:
                    self.cond.wait()
                hashed, done, item = self.hashed, self.done, self.item
            if progress is not None and hashed > reported:
                progress(hashed - reported)
            reported = hashed
            if done:
                return item


class HashPool:
    """Digests of local files, ready (computed elsewhere: :meth:`add`) or being computed by the pool's own
    threads (:func:`start`), looked up by the identity of an open handle. Thread-safe; :meth:`close` stops
    the threads (what they did not finish is a miss from then on)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._todo: deque[_Entry] = deque()
        self._closed = False
        self.hits = 0  # digests verify took instead of hashing (tests, the Ray engine's count)

    def add(self, item: Hashed) -> None:
        """Record the digests of one file."""
        with self._lock:
            self._entries[item.identity.realpath] = _Entry(item.identity.realpath, item)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _hash(self, paths: Iterable[str], workers: int) -> None:
        """Queue ``paths`` and start up to ``workers`` daemon threads hashing them, in order."""
        with self._lock:
            for path in paths:
                real = os.path.realpath(path)
                if real not in self._entries:
                    self._entries[real] = entry = _Entry(real)
                    self._todo.append(entry)
            count = min(max(1, workers), len(self._todo))
        for n in range(count):
            threading.Thread(target=self._work, name=f"modelaudit-hash-{n}", daemon=True).start()

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._closed or not self._todo:
                    return
                entry = self._todo.popleft()
                entry.started = True

            def tick(n: int, entry: _Entry = entry) -> None:
                if self._closed:
                    raise _Stopped
                entry.add(n)

            try:
                entry.finish(hash_file(entry.realpath, progress=tick))
            except (OSError, ValueError, _Stopped):
                entry.finish(None)
            except BaseException:
                entry.finish(None)  # whoever waits must not wait forever
                raise

    def close(self) -> None:
        """Stop hashing: files not started are never hashed, those being hashed stop at the end of their
        slice, and whatever did not finish is a miss from now on."""
        with self._lock:
            self._closed = True
            self._todo.clear()
            entries = list(self._entries.values())
        for entry in entries:
            entry.finish(None)

    def take(
        self,
        handle: BinaryIO,
        *,
        git_sha1_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Digests | None:
        """The digests of the file open as ``handle``, or None when verify must hash it itself.

        A hit is a file whose real path and ``fstat`` identity match a digest's, and that needs no git blob
        SHA-1 (``git_sha1_size``: the pool holds SHA-256 only). While the digest is being computed this waits
        for it, passing its progress on in bytes; a file the pool has not started is taken off its queue and
        left to the caller."""
        if git_sha1_size is not None:
            return None
        identity = _identity(handle)
        if identity is None:
            return None
        with self._lock:
            entry = self._entries.get(identity.realpath)
            if entry is None:
                return None
            if not entry.started:  # the caller hashes it now: no pool thread will
                entry.started = True
                if entry in self._todo:
                    self._todo.remove(entry)
                entry.finish(None)
                return None
        item = entry.follow(progress)
        if item is None or item.identity != identity:
            return None
        with self._lock:
            self.hits += 1
        return item.digests


def start(folders: Iterable[str], workers: int = DEFAULT_WORKERS) -> HashPool | None:
    """A pool hashing the large files of ``folders`` on ``workers`` threads from now on, or None when there is
    nothing to hash (no such folder, no large file) or speed-up ``EARLY_HASH`` is off. The caller closes it."""
    if not speedups.enabled("EARLY_HASH"):
        return None
    paths = [p for folder in folders for p in large_files(folder)]
    if not paths:
        return None
    pool = HashPool()
    pool._hash(paths, workers)
    return pool


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
    """Regular files of at least ``min_bytes`` (default :data:`MIN_BYTES`) under ``folder`` (links and
    skipped folders left out), the largest first; [] when the folder cannot be read."""
    if min_bytes is None:
        min_bytes = MIN_BYTES
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


__all__ = [
    "MIN_BYTES",
    "FileIdentity",
    "HashPool",
    "Hashed",
    "hash_file",
    "large_files",
    "start",
]
