"""Verification of one node's files: are they the bytes the repo recorded, well formed, and safe to load?

``verify_files`` is what the scan pipeline calls for one node. It works through two callables so it does not
depend on where files come from (Hub, HF cache, folder): ``open_file(path)`` returning a binary handle.

Per file (``mode``):

* ``none``: nothing is read; every file is ``not-checked``.
* ``headers``: structure only, reading headers (safetensors header, GGUF header, the pickles of pickle-based
  files, a sharded index and the shards' headers). Status stays ``not-checked`` unless the structure is
  broken (``corrupt``) or the handle's size differs from the recorded size (``mismatch``).
* ``full``: every file is hashed (one streaming pass, bounded memory, ``workers`` files at once) and compared:
  SHA-256 against ``lfs_sha256`` for LFS files, git blob SHA-1 against ``blob_id`` for ordinary git files;
  plus the structure checks. ``sha256_actual`` is always reported.

Findings: ``hash-mismatch`` (MA301, error), ``file-unreadable`` (MA306, warning: listed but not readable), ``file-corrupt``
(MA302, error), ``unsafe-serialization`` (MA303: error for dangerous globals, warning for unrecognised globals
or a pickle that could not be scanned to its end, note for pickles holding only benign torch/numpy globals —
one slug and rule id, the severity tells them apart).
"""

from __future__ import annotations

import io
import json
import os
import posixpath
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from modelaudit.errors import FileNotInRepoError, SourceError
from modelaudit.models import Evidence, FileEntry, FileResult, FileStatus, Finding, Severity, VerifyMode
from modelaudit.sources.weights import StructureError
from modelaudit.verify._findings import finding
from modelaudit.verify.hashing import DEFAULT_WORKERS, chunk_for, hash_stream, stream_size
from modelaudit.verify.pickle_scan import PICKLE_SUFFIXES, scan_file
from modelaudit.verify.safetensors import check_index, read_header

if TYPE_CHECKING:
    from modelaudit.verify.hashpool import HashPool

__all__ = ["verify_files"]

MAX_INDEX_BYTES = 64 * 1024 * 1024
RANGE_BUFFER = 256 * 1024  # read-ahead per range request in headers mode
INDEX_SUFFIX = ".safetensors.index.json"


class _Cancelled(Exception):
    """Raised in a worker thread's progress callback once ``verify_files`` was interrupted."""


@dataclass
class _Outcome:
    result: FileResult
    findings: list[Finding] = field(default_factory=list)
    tensor_names: set[str] | None = None  # safetensors files whose header parsed


def _random_access(handle: BinaryIO) -> BinaryIO:
    """The handle itself when it can seek, else a spooled temporary copy (bounded memory)."""
    try:
        if handle.seekable():
            return handle
    except (OSError, ValueError):
        pass
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - returned to the caller, closed there
    shutil.copyfileobj(handle, tmp, 1024 * 1024)
    handle.close()
    tmp.seek(0)
    return tmp


def _reader(handle: BinaryIO) -> Callable[[int, int], bytes]:
    def read(start: int, length: int) -> bytes:
        handle.seek(start)
        return handle.read(length)

    return read


def _kind(path: str) -> str | None:
    low = path.lower()
    if low.endswith(".safetensors"):
        return "safetensors"
    if low.endswith(".gguf"):
        return "gguf"
    if low.endswith(PICKLE_SUFFIXES):
        return "pickle"
    return None


class _Forward:
    """``read(start, length)`` over a forward-only stream: later starts skip ahead by reading."""

    def __init__(self, handle: BinaryIO) -> None:
        self._h = handle
        self._pos = 0

    def __call__(self, start: int, length: int) -> bytes:
        if start < self._pos:
            raise StructureError(f"internal: backward read to {start} on a stream at {self._pos}")
        while self._pos < start:
            skipped = self._h.read(min(start - self._pos, 1024 * 1024))
            if not skipped:
                return b""
            self._pos += len(skipped)
        data = self._h.read(length)
        self._pos += len(data)
        return data


class _RangeFile(io.RawIOBase):
    """A seekable read-only file over ``read_range(start, length)`` of a file of known size."""

    def __init__(self, read: Callable[[int, int], bytes], size: int, name: str) -> None:
        self._read = read
        self._size = size
        self._pos = 0
        self.name = f"range:{name}"  # never an existing path: GGUFReader is not run on it

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, b: Any) -> int:
        n = min(len(b), self._size - self._pos)
        if n <= 0:
            return 0
        data = self._read(self._pos, n)
        b[: len(data)] = data
        self._pos += len(data)
        return len(data)


def _seekable(handle: BinaryIO) -> bool:
    try:
        return bool(handle.seekable())
    except (OSError, ValueError):
        return False


def _structure(entry: FileEntry, raw: BinaryIO, node: str, out: _Outcome) -> None:
    """Structure checks; adds findings and sets CORRUPT on failure.

    Seekable handles are read in place. Forward-only streams (a remote file) are read sequentially for
    safetensors and GGUF headers when the size is recorded; otherwise they are spooled to a temporary file.
    """
    kind = _kind(entry.path)
    if kind is None:
        return
    path = entry.path
    handle = raw
    try:
        if not _seekable(raw) and (kind == "pickle" or entry.size is None):
            handle = _random_access(raw)
        size = stream_size(handle) if _seekable(handle) else entry.size
        if out.result.size is None or _seekable(handle):
            out.result.size = size if size is not None else out.result.size
        read = _reader(handle) if _seekable(handle) else _Forward(handle)
        if kind == "safetensors":
            head = read_header(read, size)
            out.tensor_names = {t.name for t in head.tensors}
        elif kind == "gguf" and size is not None:
            from modelaudit.verify.gguf_check import check_with_reader, read_gguf_header

            read_gguf_header(read, size)
            name = getattr(handle, "name", None)
            if isinstance(name, str) and os.path.isfile(name):
                check_with_reader(name)
        elif kind == "pickle" and size is not None:
            handle.seek(0)
            scan = scan_file(handle, size)
            if scan is not None:
                out.findings.extend(_pickle_findings(path, scan, node))
    except StructureError as exc:
        _corrupt(out, path, node, exc.message, exc.tensor)
    finally:
        if handle is not raw:
            handle.close()


def _corrupt(out: _Outcome, path: str, node: str, message: str, tensor: str | None) -> None:
    if out.result.status is not FileStatus.MISMATCH:
        out.result.status = FileStatus.CORRUPT
    out.result.detail = "; ".join(d for d in (out.result.detail, message) if d)
    evidence = [Evidence(source=f"file:{path}", value=message)]
    if tensor is not None:
        evidence.append(Evidence(source=f"tensor:{path}", value=tensor))
    out.findings.append(finding("file-corrupt", Severity.ERROR, node, f"{path}: {message}", evidence))


def _pickle_findings(path: str, scan: object, node: str) -> list[Finding]:
    from modelaudit.verify.pickle_scan import PickleScan

    assert isinstance(scan, PickleScan)
    evidence = [Evidence(source=f"pickle:{path}", value=g) for g in scan.globals]
    if scan.error:
        evidence.append(Evidence(source=f"pickle:{path}", value=f"scan stopped: {scan.error}"))
    if scan.dangerous:
        msg = (
            f"{path}: pickle imports dangerous globals {', '.join(scan.dangerous)}; loading it with pickle, "
            "torch.load(weights_only=False) or joblib would run them"
        )
        return [finding("unsafe-serialization", Severity.ERROR, node, msg, evidence)]
    if scan.unknown or scan.error:
        parts = []
        if scan.unknown:
            parts.append(f"imports globals modelaudit does not recognise ({', '.join(scan.unknown[:20])})")
        if scan.error:
            parts.append(f"could not be scanned to its end ({scan.error})")
        msg = f"{path}: pickle-based file " + " and ".join(parts) + "; review it before loading"
        return [finding("unsafe-serialization", Severity.WARNING, node, msg, evidence)]
    msg = (
        f"{path}: pickle-based weights ({scan.format}) with only benign tensor globals; "
        "safetensors would be safer to load"
    )
    return [finding("unsafe-serialization", Severity.NOTE, node, msg, evidence)]


def _check_one(
    entry: FileEntry,
    open_file: Callable[[str], BinaryIO],
    mode: VerifyMode,
    node: str,
    progress: Callable[[int], None] | None,
    read_range: Callable[[str, int, int], bytes] | None = None,
    pool: HashPool | None = None,
    chunk_size: int | None = None,
) -> _Outcome:
    result = FileResult(path=entry.path, size=entry.size, sha256_expected=entry.lfs_sha256)
    out = _Outcome(result)
    try:
        if mode is VerifyMode.FULL:
            with open_file(entry.path) as handle:
                git_size = None
                if not entry.is_lfs and entry.blob_id:
                    git_size = entry.size if entry.size is not None else stream_size(handle)
                # digests the pool computed from this very file (same inode, size and mtime), if any
                digests = (
                    pool.take(handle, git_sha1_size=git_size, progress=progress) if pool is not None else None
                ) or hash_stream(
                    handle, git_sha1_size=git_size, progress=progress, chunk_size=chunk_size or chunk_for(1)
                )
            result.size = digests.size
            result.sha256_actual = digests.sha256
            if entry.size is not None and digests.size != entry.size:
                _mismatch(out, node, f"size {digests.size} bytes, recorded {entry.size}")
            elif entry.lfs_sha256:
                if digests.sha256 != entry.lfs_sha256.lower():
                    _mismatch(out, node, f"sha256 {digests.sha256}, recorded {entry.lfs_sha256}")
                else:
                    result.status = FileStatus.VERIFIED
            elif entry.blob_id:
                if digests.git_sha1 != entry.blob_id.lower():
                    _mismatch(out, node, f"git blob sha1 {digests.git_sha1}, recorded {entry.blob_id}")
                else:
                    result.status = FileStatus.VERIFIED
                    result.detail = f"git blob sha1 {entry.blob_id} matches"
            else:
                result.status = FileStatus.NO_REFERENCE
        if mode is not VerifyMode.NONE and _kind(entry.path):
            if mode is VerifyMode.HEADERS and read_range is not None and entry.size is not None:
                ranged = _RangeFile(lambda s, n: read_range(entry.path, s, n), entry.size, entry.path)
                with io.BufferedReader(ranged, buffer_size=RANGE_BUFFER) as buffered:
                    _structure(entry, buffered, node, out)
            else:
                with open_file(entry.path) as raw:
                    _structure(entry, raw, node, out)
            if mode is VerifyMode.HEADERS and entry.size is not None and out.result.size != entry.size:
                _mismatch(out, node, f"size {out.result.size} bytes, recorded {entry.size}")
        if mode is VerifyMode.HEADERS and progress is not None:
            progress(entry.size or out.result.size or 0)
    except (FileNotInRepoError, FileNotFoundError) as exc:
        _unreadable(out, node, FileStatus.MISSING, str(exc))
    except (SourceError, OSError) as exc:
        _unreadable(out, node, FileStatus.ERROR, str(exc))
    return out


def _mismatch(out: _Outcome, node: str, detail: str) -> None:
    out.result.status = FileStatus.MISMATCH
    out.result.detail = detail
    path = out.result.path
    out.findings.append(
        finding(
            "hash-mismatch",
            Severity.ERROR,
            node,
            f"{path}: content differs from what the repo recorded ({detail})",
            [Evidence(source=f"file:{path}", value=detail)],
        )
    )


def _unreadable(out: _Outcome, node: str, status: FileStatus, detail: str) -> None:
    out.result.status = status
    out.result.detail = detail[:500]
    path = out.result.path
    out.findings.append(
        finding(
            "file-unreadable",
            Severity.WARNING,
            node,
            f"{path}: could not be read, so it is not verified ({detail[:200]})",
            [Evidence(source=f"file:{path}", value=status.value)],
        )
    )


def _index_findings(
    entries: list[FileEntry], outcomes: dict[str, _Outcome], open_file: Callable[[str], BinaryIO], node: str
) -> None:
    present = {e.path for e in entries}
    for entry in entries:
        if not entry.path.endswith(INDEX_SUFFIX):
            continue
        out = outcomes[entry.path]
        try:
            with open_file(entry.path) as fh:
                data = fh.read(MAX_INDEX_BYTES + 1)
        except (SourceError, OSError):
            continue  # already reported as unreadable if it is
        if len(data) > MAX_INDEX_BYTES:
            _corrupt(out, entry.path, node, f"index larger than {MAX_INDEX_BYTES} bytes", None)
            continue
        folder = posixpath.dirname(entry.path)
        shard_tensors: dict[str, set[str] | None] = {}
        try:
            weight_map = json.loads(data).get("weight_map", {})
            shards = set(weight_map.values()) if isinstance(weight_map, dict) else set()
        except (ValueError, AttributeError, TypeError):
            shards = set()
        for shard in shards:
            if not isinstance(shard, str):
                continue
            full = posixpath.normpath(posixpath.join(folder, shard)) if folder else shard
            if full in present:
                shard_tensors[shard] = outcomes[full].tensor_names if full in outcomes else None
        for problem in check_index(data, shard_tensors, entry.path):
            _corrupt(out, entry.path, node, problem.message, problem.tensor)


def verify_files(
    files: list[FileEntry],
    open_file: Callable[[str], BinaryIO],
    mode: VerifyMode,
    *,
    workers: int = DEFAULT_WORKERS,
    progress: Callable[[int], None] | None = None,
    node: str = "",
    read_range: Callable[[str, int, int], bytes] | None = None,
    pool: HashPool | None = None,
) -> tuple[list[FileResult], list[Finding]]:
    """Check ``files`` of one node; results sorted by path, findings in a stable order.

    ``read_range(path, start, length)``, when given, is used in ``headers`` mode for files whose size is
    recorded, so a Hub target's weights are never downloaded to check their headers (buffered reads of
    256 KiB; a torch zip costs its central directory and its ``data.pkl``).

    ``progress`` receives byte counts as they are processed (from worker threads, serialised by a lock).
    ``node`` is the node id findings are attached to. ``pool`` holds digests of local files computed
    ahead of this call (:mod:`modelaudit.verify.hashpool`, the Ray engine's hashing tasks); a file found there with the same identity is
    not hashed again.
    """
    entries = sorted(files, key=lambda e: e.path)
    if mode is VerifyMode.NONE:
        return [FileResult(path=e.path, size=e.size, sha256_expected=e.lfs_sha256) for e in entries], []
    lock = threading.Lock()
    stop = threading.Event()

    def tick(n: int) -> None:
        if stop.is_set():  # the caller was interrupted: a worker thread stops at its next slice
            raise _Cancelled
        if progress is not None:
            with lock:
                progress(n)

    chunk = chunk_for(workers)

    def job(entry: FileEntry) -> _Outcome:
        return _check_one(entry, open_file, mode, node, tick, read_range, pool, chunk)

    if workers > 1 and len(entries) > 1:
        threads = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="modelaudit-verify")
        try:
            outcomes = dict(zip((e.path for e in entries), threads.map(job, entries), strict=True))
        except BaseException:  # Ctrl-C (or a bug): do not wait for the files being hashed to end
            stop.set()
            threads.shutdown(wait=False, cancel_futures=True)
            raise
        threads.shutdown()
    else:
        outcomes = {e.path: job(e) for e in entries}
    _index_findings(entries, outcomes, open_file, node)
    results = [outcomes[e.path].result for e in entries]
    findings = [f for e in entries for f in outcomes[e.path].findings]
    return results, findings
