"""One ``SourceSet`` for a whole fleet run: every repo's metadata is fetched once.

A fleet of a thousand fine-tunes over twenty bases would, scanned one by one, crawl each base a thousand
times. ``SharedSources`` sits in front of the usual chain (metadata cache on disk → Hub → HF cache) and adds:

* **a memo**: a ref that was fetched once in this run is answered from memory (the on-disk metadata cache
  would also answer, but only for commit-pinned refs or within its TTL, and at the price of a file read);
* **in-flight de-duplication**: when several scans ask for the same ref at the same moment (they do: their
  crawls start together and meet at the shared bases), the first caller fetches and the others wait for its
  answer, so no request is ever sent twice. Failures (not found, gated, offline) are memoised too: they are
  values, and asking again in the same run would only cost time;
* **shared header reads**: small range reads (safetensors headers, fingerprint samples of a shared base)
  are kept in a bounded memory pool, so a base's weights are sampled once, not once per child.

Refs listed in ``refresh`` are fetched ``fresh`` (``SourceSet.fetch``): the fleet's change check saw that they
moved upstream while a cached answer could still look fresh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any, TypeVar

from modelaudit.errors import ModelAuditError
from modelaudit.models import RepoRecord, RepoRef
from modelaudit.sources import SourceSet

T = TypeVar("T")
MAX_SHARED_RANGE = 1024 * 1024  # larger reads are not kept
RANGE_POOL_BYTES = 256 * 1024 * 1024


def ref_key(ref: RepoRef) -> tuple[str, str, str, str]:
    return (ref.kind.value, ref.repo_id, ref.revision or "", ref.local_path or "")


class SharedSources(SourceSet):
    """A thread-safe ``SourceSet`` that fetches each ref at most once per run (see the module docstring)."""

    def __init__(self, *, refresh: Iterable[RepoRef] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._memo_lock = threading.Lock()
        self._records: dict[tuple[str, str, str, str], Future[RepoRecord]] = {}
        self._ranges: dict[tuple[str, ...], Future[bytes]] = {}
        self._range_bytes = 0
        self._refresh = {ref_key(r) for r in refresh}
        self.fetches = 0  # refs actually fetched (not answered from the memo)
        self.memo_hits = 0

    def fetch(self, ref: RepoRef, *, fresh: bool = False) -> RepoRecord:
        """``ref``'s record, fetched at most once per run (``fresh`` as in ``SourceSet.fetch``; a ref listed in
        ``refresh`` is always fetched fresh)."""
        key = ref_key(ref)
        with self._memo_lock:
            fut = self._records.get(key)
            owner = fut is None
            if fut is None:
                fut = Future()
                self._records[key] = fut
                self.fetches += 1
            else:
                self.memo_hits += 1
        if owner:
            self._complete(fut, lambda: self._fetch_once(ref, fresh), memo=self._records, key=key)
        # callers get their own copy: a record is never shared mutable state between scans
        return fut.result().model_copy()

    def _fetch_once(self, ref: RepoRef, fresh: bool) -> RepoRecord:
        return super().fetch(ref, fresh=fresh or ref_key(ref) in self._refresh)

    def read_range(self, record: RepoRecord, path: str, start: int, length: int) -> bytes:
        if length > MAX_SHARED_RANGE or not record.revision:
            return super().read_range(record, path, start, length)
        key = (*ref_key(record.ref), record.source.value, record.revision, path, str(start), str(length))
        with self._memo_lock:
            fut = self._ranges.get(key)
            owner = fut is None
            if fut is None:
                if self._range_bytes + length > RANGE_POOL_BYTES:
                    owner = False
                else:
                    fut = Future()
                    self._ranges[key] = fut
                    self._range_bytes += length
        if fut is None:
            return super().read_range(record, path, start, length)
        if owner:
            self._complete(
                fut,
                lambda: super(SharedSources, self).read_range(record, path, start, length),
                memo=self._ranges,
                key=key,
            )
        return fut.result()

    def _complete(
        self,
        fut: Future[T],
        work: Callable[[], T],
        *,
        memo: dict[Any, Any] | None = None,
        key: Any = None,
    ) -> None:
        try:
            fut.set_result(work())
        except ModelAuditError as exc:  # an answer (not found, gated, offline): the same for every caller
            fut.set_exception(exc)
        except BaseException as exc:  # a bug or Ctrl-C: tell the waiters, but let a later call try again
            if memo is not None:
                with self._memo_lock:
                    memo.pop(key, None)
            fut.set_exception(exc)
            raise
