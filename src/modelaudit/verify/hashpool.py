"""Local files hashed on a thread pool ahead of the verify stage, handed to it by file identity.

A command that will hash local folders in full (``scan`` and ``verify`` of a folder) starts a
:class:`HashPool` on their large files as soon as its parsed arguments say so; the files are then hashed
while the rest of the command loads and the lineage is crawled, instead of after it. ``hashlib`` releases
the GIL while it digests a buffer, and so does ``readinto``: the pool's threads hash on the other cores
while the main thread works. Reads are large (:data:`~modelaudit.verify.hashing.DEFAULT_CHUNK`), so a
thread that gives the GIL up for every read and every digest gets it back once per chunk, not once per MiB.
Memory is one buffer per thread (:func:`~modelaudit.verify.hashing.chunk_for`).

``verify_files`` asks the pool (:meth:`HashPool.take`) before hashing a local file itself. A file's identity
is its real path with ``st_dev``, ``st_ino``, ``st_size`` and ``st_mtime_ns``, taken with ``fstat`` on the
handle verify opened and, on the hashing side, before and after the pass; a digest is used only when all of
them agree, so a file replaced, truncated or rewritten in between is hashed again, by verify itself.
Anything that goes wrong in the pool (an unreadable file, a file that changed) is a miss, and verify then
meets the same problem the way it always does. The Ray engine hashes files in tasks of its own
(:func:`hash_file`) and hands the results to a pool with :meth:`HashPool.add`.

Nothing is kept on disk and nothing outlives the pool (one per command or scan task).
"""

from __future__ import annotations

import os
import stat
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

from modelaudit.config import SKIP_DIRS
from modelaudit.verify.hashing import DEFAULT_CHUNK, DEFAULT_WORKERS, Digests, chunk_for, hash_stream

# files smaller than this are hashed by verify itself: handing them over saves nothing worth a thread hop
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

    @classmethod
    def of(cls, realpath: str, st: os.stat_result) -> FileIdentity:
        return cls(realpath, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


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

        identity = FileIdentity(text("realpath"), num("dev"), num("ino"), num("size"), num("mtime_ns"))
        return cls(identity, Digests(size=num("hashed"), sha256=text("sha256")))


# While pool threads hash, the interpreter's switch interval is 0.5 ms instead of its 5 ms (put back when the
# last of them ends). A hashing thread gives the GIL up for every read and every digest, and while the main
# thread runs Python (the command's imports, the crawl) it then waits a whole interval to get it back, twice
# per chunk: with 5 ms it hashed at a fraction of its speed until the main thread went idle. The same run of
# `verify` on a 1 GiB folder (2 CPUs, load average 4.5): 1.54x the hashlib loop with 5 ms, 1.34x with 0.5 ms.
SWITCH_INTERVAL = 0.0005
_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = 0.0


def _short_switches(on: bool) -> None:
    """Count a hashing thread in (``on``) or out; the first in shortens the interval, the last out restores it."""
    global _switch_users, _switch_saved
    with _switch_lock:
        if on:
            _switch_users += 1
            if _switch_users == 1:
                _switch_saved = sys.getswitchinterval()
                sys.setswitchinterval(min(_switch_saved, SWITCH_INTERVAL))
        else:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_saved)


class _Stopped(Exception):
    """Raised inside a pool thread's progress callback once the pool is closed: hashing ends there."""


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


class _Entry:
    """One file: pending (with the bytes hashed so far), then done with its digests or nothing."""

    def __init__(self, realpath: str) -> None:
        self.realpath = realpath
        self.cond = threading.Condition()
        self.done = False
        self.hashed = 0
        self.item: Hashed | None = None

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
    """Digests of local files, ready or being computed by ``workers`` threads, looked up by the identity
    of an open handle. Thread-safe; :meth:`close` stops the threads (a closed pool is all misses)."""

    def __init__(self, paths: Iterable[str] = (), workers: int = DEFAULT_WORKERS) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._todo: deque[_Entry] = deque()
        self._closed = False
        self._chunk = chunk_for(workers)
        self.hits = 0  # digests verify took instead of hashing (tests, the Ray engine's count)
        for path in paths:
            real = os.path.realpath(path)
            if real not in self._entries:
                self._entries[real] = entry = _Entry(real)
                self._todo.append(entry)
        for _ in range(min(max(1, workers), len(self._todo))):
            _short_switches(True)
            try:
                threading.Thread(target=self._work, name="modelaudit-hash", daemon=True).start()
            except BaseException:
                _short_switches(False)
                raise

    def _work(self) -> None:
        try:
            self._hash_todo()
        finally:
            _short_switches(False)

    def _hash_todo(self) -> None:
        while True:
            with self._lock:
                if self._closed or not self._todo:
                    return
                entry = self._todo.popleft()

            def tick(n: int, entry: _Entry = entry) -> None:
                if self._closed:
                    raise _Stopped
                entry.add(n)

            try:
                entry.finish(hash_file(entry.realpath, progress=tick, chunk_size=self._chunk))
            except (OSError, ValueError, _Stopped):
                entry.finish(None)

    def add(self, item: Hashed) -> None:
        """Record digests computed elsewhere (a Ray task)."""
        entry = _Entry(item.identity.realpath)
        entry.hashed = item.digests.size
        entry.finish(item)
        with self._lock:
            self._entries[entry.realpath] = entry

    def close(self) -> None:
        """Stop hashing: files not started are never hashed, those being hashed stop at their next chunk,
        and whatever did not finish is a miss from now on."""
        with self._lock:
            self._closed = True
            self._todo.clear()
            entries = list(self._entries.values())
        for entry in entries:
            entry.finish(None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def take(
        self,
        handle: BinaryIO,
        *,
        git_sha1_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Digests | None:
        """The digests of the file open as ``handle``, or None when verify must hash it itself.

        A hit is a file whose real path and ``fstat`` identity match a digest's, and that needs no git blob
        SHA-1 (``git_sha1_size``: the pool computes SHA-256 only). While the digest is still being computed
        this waits for it and passes its progress on in bytes."""
        if git_sha1_size is not None:
            return None
        identity = _identity(handle)
        if identity is None:
            return None
        with self._lock:
            entry = self._entries.get(identity.realpath)
        if entry is None:
            return None
        item = entry.follow(progress)
        if item is None or item.identity != identity:
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


def hash_folders(targets: Iterable[str], workers: int = DEFAULT_WORKERS) -> HashPool | None:
    """A pool hashing the large files of those ``targets`` that name an existing folder (as ``parse_target``
    reads them: an existing folder always wins), folder by folder and the largest file first; None when
    there is nothing to hash. The caller closes it when done. Speed-up ``HASH_POOL`` (speedups.py): when it
    is off, verify hashes every file itself, after the rest of the command has loaded."""
    from modelaudit import speedups

    if not speedups.enabled("HASH_POOL"):
        return None
    files: list[str] = []
    for target in dict.fromkeys(targets):
        try:
            folder = os.path.expanduser(target.strip())
            if folder and "\0" not in folder and os.path.isdir(folder):
                files += large_files(folder)
        except (OSError, ValueError):
            continue
    return HashPool(files, workers) if files else None


__all__ = [
    "MIN_BYTES",
    "FileIdentity",
    "HashPool",
    "Hashed",
    "hash_file",
    "hash_folders",
    "large_files",
]
