"""Hub metadata (``RepoRecord`` JSON) in modelaudit's cache (namespace ``metadata``), so repeated scans of a
lineage make no requests.

Two kinds of entries, keyed by the endpoint (a mirror or a test server never mixes with huggingface.co), the
repo kind and id, and:

* a commit: the record read at that 40-hex commit; immutable, never revalidated;
* a branch, tag or the default branch: ``{"commit": ..., "fetched_at": ...}``, what it resolved to.

A ref pinned to a commit is served from its commit entry forever. A branch, tag or the default branch is
served while its pointer is younger than the TTL (default one hour, ``MODELAUDIT_CACHE_TTL`` seconds); after
that the Hub is asked again and the pointer rewritten. Offline (or when the Hub cannot be reached) stale
pointers are still used: an old answer beats none. The cache's version key (modelaudit's version) means a
newer extractor reads metadata again. A corrupt or unreadable entry is a miss.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from pydantic import ValidationError

from modelaudit import cachefile
from modelaudit.cachefile import Cache
from modelaudit.models import RepoKind, RepoRecord, RepoRef
from modelaudit.targets import is_commit

NAMESPACE = "metadata"
DEFAULT_TTL_SECONDS = 3600.0
DEFAULT_ENDPOINT = "https://huggingface.co"


def default_ttl() -> float:
    raw = os.environ.get("MODELAUDIT_CACHE_TTL")
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
    return DEFAULT_TTL_SECONDS


class MetadataCache:
    """Thread-safe cache of Hub ``RepoRecord``s in ``cache`` (default: modelaudit's cache)."""

    def __init__(
        self,
        cache: Cache | None = None,
        *,
        endpoint: str | None = None,
        ttl: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.cache = cache if cache is not None else cachefile.default()
        self.endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
        self.ttl = default_ttl() if ttl is None else ttl
        self._clock = clock

    def _entry(self, ref: RepoRef, what: str, name: str) -> str:
        kind = "datasets" if ref.kind is RepoKind.DATASET else "models"
        return cachefile.key(self.endpoint, kind, ref.repo_id, what, name)

    def _commit_entry(self, ref: RepoRef, commit: str) -> str:
        return self._entry(ref, "commit", commit)

    def _ref_entry(self, ref: RepoRef) -> str:
        return self._entry(ref, "ref", ref.revision or "@default")

    # ------------------------------------------------------------------ read

    def get(self, ref: RepoRef, *, allow_stale: bool = False) -> RepoRecord | None:
        """The cached record of ``ref``, or None (absent, corrupt, or a branch older than the TTL)."""
        if ref.local_path:
            return None
        if is_commit(ref.revision):
            assert ref.revision is not None
            return self._load_record(ref, ref.revision)
        pointer = self.cache.get(NAMESPACE, self._ref_entry(ref))
        if not isinstance(pointer, dict):
            return None
        commit, fetched_at = pointer.get("commit"), pointer.get("fetched_at")
        if not isinstance(commit, str) or not is_commit(commit) or not isinstance(fetched_at, int | float):
            return None
        age = self._clock() - float(fetched_at)
        if not allow_stale and not (0 <= age < self.ttl):
            return None
        return self._load_record(ref, commit)

    def _load_record(self, ref: RepoRef, commit: str) -> RepoRecord | None:
        data = self.cache.get(NAMESPACE, self._commit_entry(ref, commit))
        if not isinstance(data, dict):
            return None
        try:
            record = RepoRecord.model_validate(data)
        except ValidationError:
            return None
        return record.model_copy(update={"ref": ref})

    # ------------------------------------------------------------------ write

    def put(self, ref: RepoRef, record: RepoRecord) -> None:
        """Remember ``record`` (read for ``ref``); records without a resolved commit are not cached."""
        if ref.local_path or not is_commit(record.revision):
            return
        assert record.revision is not None
        # key order kept: records round-trip exactly
        self.cache.put(NAMESPACE, self._commit_entry(ref, record.revision), record.model_dump(mode="json"))
        if not is_commit(ref.revision):
            pointer = {"commit": record.revision, "fetched_at": self._clock()}
            self.cache.put(NAMESPACE, self._ref_entry(ref), pointer)
