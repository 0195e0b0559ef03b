"""Streaming hashes with bounded memory: SHA-256 (Hub LFS oids, HF cache blob names) and git blob SHA-1.

A local file (a handle with a file descriptor of a regular file) is hashed through a read-only ``mmap`` of
it, in slices of :data:`MMAP_SLICE` handed to ``hashlib`` whole: no copy of the data into a buffer of ours,
and ``hashlib`` releases the GIL for the whole of each slice, so a file hashed on a thread while the main
thread runs Python waits for the GIL once per slice, not once per read. Measured on this project's 2-CPU
AMD EPYC VM, 1 GiB from the page cache: 0.73-0.74 s of CPU, against 0.81-0.85 s for a ``read`` loop of
1 MiB and 0.82-0.86 s for ``readinto`` a page-aligned buffer (speed-up ``MMAP_HASH``, speedups.py, turns the
mapping off: then the file is read in ``chunk_size`` pieces, as streams are). Bytes past the size the file
had when it was mapped (a file growing while hashed) are read after the mapping, so the digest is of what a
read loop would have seen. One hazard mapping brings: a file *truncated* by another process while it is
being hashed makes the kernel kill the process with SIGBUS (a read loop would see a short file); a model
rewritten in place during its own verification is the only way to get there.

Memory stays bounded: a mapping costs address space, not memory (the kernel pages the file in and out of
its page cache, and ``MADV_SEQUENTIAL`` lets it drop what was hashed); a stream is read ``chunk_size`` at a
time.

Hub ids, and which hash proves what:

* LFS files (weights): the Hub records ``lfs.sha256`` (tree ``lfs.oid``), the SHA-256 of the content. The HF
  cache names the blob after it.
* Ordinary git files (configs, cards): the Hub records the git blob id, ``sha1(b"blob <size>\\0" + content)``.
  The HF cache names such blobs after that SHA-1.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

from modelaudit import speedups

# reads of streams (and of files when MMAP_HASH is off): 8 MiB, as fast as 1 MiB for hashlib.sha256 alone
# (env-notes §5: 1,470-1,578 MB/s), and a thread that hashes while another runs Python waits for the GIL once
# per read and once per digest, so 8x fewer waits
DEFAULT_CHUNK = 8 * 1024 * 1024
# a mapped file is hashed in slices of this size: one GIL hand-over (and one progress report) per slice,
# ~0.2 s of hashing; a cancelled pool thread stops at the end of its slice (verify/hashpool.py)
MMAP_SLICE = 256 * 1024 * 1024
DEFAULT_WORKERS = 2  # files hashed at once (`verify --workers`, the scan's verify stage)
MAX_BUFFERS = 64 * 1024 * 1024  # the read buffers of all files hashed at once, together


def chunk_for(workers: int) -> int:
    """Read size when ``workers`` files are hashed at once: DEFAULT_CHUNK, less when that many buffers
    would pass MAX_BUFFERS (never under 1 MiB)."""
    return max(1024 * 1024, min(DEFAULT_CHUNK, MAX_BUFFERS // max(1, workers)))


@dataclass(frozen=True)
class Digests:
    """What one pass over a file produced."""

    size: int
    sha256: str | None = None
    git_sha1: str | None = None


def git_blob_header(size: int) -> bytes:
    """The prefix git hashes before a blob's content."""
    return b"blob %d\x00" % size


def git_blob_sha1(data: bytes) -> str:
    """Git blob id of an in-memory byte string (what ``git hash-object`` prints)."""
    h = hashlib.sha1(git_blob_header(len(data)), usedforsecurity=False)
    h.update(data)
    return h.hexdigest()


def stream_size(handle: BinaryIO) -> int | None:
    """Size of a seekable handle (position restored), or None when it cannot seek."""
    try:
        if not handle.seekable():
            return None
        pos = handle.tell()
        end = handle.seek(0, 2)
        handle.seek(pos)
        return int(end)
    except (OSError, ValueError):
        return None


def hash_stream(
    handle: BinaryIO,
    *,
    sha256: bool = True,
    git_sha1_size: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> Digests:
    """Hash ``handle`` from its current position to EOF in one pass.

    ``git_sha1_size`` enables the git blob SHA-1; git hashes the size first, so the caller passes the size it
    expects (the recorded or stat'ed size). If the stream turns out to have another length, the SHA-1 is of a
    blob that cannot exist and so can never match: ``git_sha1`` is then None and ``size`` tells the truth.
    """
    h256 = hashlib.sha256() if sha256 else None
    h1 = (
        hashlib.sha1(git_blob_header(git_sha1_size), usedforsecurity=False)
        if git_sha1_size is not None
        else None
    )
    hashers = [h for h in (h256, h1) if h is not None]
    total = 0

    def add(part: memoryview | bytes) -> None:
        nonlocal total
        for h in hashers:
            h.update(part)
        total += len(part)
        if progress is not None:
            progress(len(part))

    if speedups.enabled("MMAP_HASH"):
        _hash_mapped(handle, add)
    while data := handle.read(chunk_size):  # a stream, or what is left after the mapping (a growing file)
        add(data)
    git = h1.hexdigest() if h1 is not None and total == git_sha1_size else None
    return Digests(size=total, sha256=h256.hexdigest() if h256 is not None else None, git_sha1=git)


def _hash_mapped(handle: BinaryIO, add: Callable[[memoryview], None]) -> None:
    """Pass the bytes of ``handle`` from its position to the file's current end to ``add``, in slices of a
    read-only mapping, and leave the handle at that end; nothing (handle untouched) when it is not a regular
    file that can be mapped (a stream, an empty file, a file system without mmap)."""
    try:
        fd = handle.fileno()
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return
        start = handle.tell()
        if st.st_size <= start:
            return
        mapped = mmap.mmap(fd, st.st_size, access=mmap.ACCESS_READ)
    except (AttributeError, OSError, ValueError, OverflowError):  # io.UnsupportedOperation is an OSError
        return
    with mapped:
        if hasattr(mapped, "madvise"):
            mapped.madvise(mmap.MADV_SEQUENTIAL)
        with memoryview(mapped) as view:
            for offset in range(start, st.st_size, MMAP_SLICE):
                with view[offset : offset + MMAP_SLICE] as part:
                    add(part)
    handle.seek(st.st_size)


def hash_path(path: str, *, chunk_size: int = DEFAULT_CHUNK) -> Digests:
    """SHA-256 of a local file (no git id)."""
    with open(path, "rb", buffering=0) as fh:
        return hash_stream(fh, chunk_size=chunk_size)


def hash_many(jobs: Iterable[Callable[[], Digests]], *, workers: int = 2) -> list[Digests | BaseException]:
    """Run hashing jobs in a thread pool; each result or the exception it raised, in input order."""
    job_list = list(jobs)

    def run(job: Callable[[], Digests]) -> Digests | BaseException:
        try:
            return job()
        except Exception as exc:  # returned as a value: one bad file must not stop the others
            return exc

    if workers <= 1 or len(job_list) <= 1:
        return [run(j) for j in job_list]
    # imported here: the CLI imports this module before it starts hashing, and concurrent.futures (logging
    # with it) would cost ~5 ms of that start
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="modelaudit-hash") as pool:
        return list(pool.map(run, job_list))
