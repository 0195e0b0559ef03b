"""Digests of local files computed ahead of the verify stage, handed to it by file identity.

The Ray engine hashes a model's large files in tasks of their own (:func:`hash_file`, the files chosen by
:func:`large_files`) and hands the results to the model's scan in a :class:`HashPool` (:meth:`HashPool.add`).
``verify_files`` asks the pool (:meth:`HashPool.take`) before hashing a local file itself. A file's identity
is its real path with ``st_dev``, ``st_ino``, ``st_size`` and ``st_mtime_ns``, taken with ``fstat`` on the
handle verify opened and, on the hashing side, before and after the pass; a digest is used only when all of
them agree, so a file replaced, truncated or rewritten in between is hashed again, by verify itself.

A single command does not hash ahead: a thread pool that hashed a folder's large files from the moment
``scan``/``verify`` had parsed their options (speed-up ``HASH_POOL``) gained nothing measurable in the same-run
A/B of ``benchmarks/lineage_core.py`` (off/on 0.89-1.09 on the 2-CPU machine) and was removed.

Nothing is kept on disk and nothing outlives the pool (one per scan task).
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from modelaudit.config import SKIP_DIRS
from modelaudit.verify.hashing import DEFAULT_CHUNK, Digests, hash_stream

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


class HashPool:
    """Digests of local files computed elsewhere (a Ray task), looked up by the identity of an open handle.
    Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Hashed] = {}
        self.hits = 0  # digests verify took instead of hashing (the Ray engine's count)

    def add(self, item: Hashed) -> None:
        """Record the digests of one file."""
        with self._lock:
            self._items[item.identity.realpath] = item

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def take(
        self,
        handle: BinaryIO,
        *,
        git_sha1_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Digests | None:
        """The digests of the file open as ``handle``, or None when verify must hash it itself.

        A hit is a file whose real path and ``fstat`` identity match a digest's, and that needs no git blob
        SHA-1 (``git_sha1_size``: the pool holds SHA-256 only); its size is passed on to ``progress``."""
        if git_sha1_size is not None:
            return None
        identity = _identity(handle)
        if identity is None:
            return None
        with self._lock:
            item = self._items.get(identity.realpath)
            if item is None or item.identity != identity:
                return None
            self.hits += 1
        if progress is not None:
            progress(item.digests.size)
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


__all__ = [
    "MIN_BYTES",
    "FileIdentity",
    "HashPool",
    "Hashed",
    "hash_file",
    "large_files",
]
