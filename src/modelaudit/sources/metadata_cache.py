"""On-disk cache of Hub metadata (``RepoRecord`` JSON), so repeated scans of a lineage make no requests.

Layout under the cache root (``MODELAUDIT_CACHE_DIR``, else the platform's user cache dir for
``modelaudit``, e.g. ``~/.cache/modelaudit``)::

    metadata/v<format>-<modelaudit version>/<endpoint digest>/<models|datasets>/<repo id>/
        commits/<40-hex commit>.json   the record read at that commit; immutable, never revalidated
        refs/<quoted revision>.json    {"commit": ..., "fetched_at": ...}: what a branch or tag resolved to

* A ref pinned to a 40-hex commit is served from ``commits/`` forever.
* A branch, tag or the default branch is served from ``refs/`` while younger than the TTL (default one
  hour, ``MODELAUDIT_CACHE_TTL`` seconds); after that the Hub is asked again and the entry rewritten.
* Offline (or when the Hub cannot be reached) stale entries are still used: an old answer beats none.
* Entries are keyed by endpoint (a mirror or a test server never mixes with huggingface.co) and by
  modelaudit version (a newer extractor re-reads metadata). Writes are atomic; a corrupt or unreadable
  entry is a miss, and a cache that cannot be written is skipped silently: it is only an optimisation.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from pydantic import ValidationError

from modelaudit._version import __version__
from modelaudit.cachedir import default_cache_root
from modelaudit.cachefile import read_json, write_json
from modelaudit.models import RepoKind, RepoRecord, RepoRef
from modelaudit.targets import is_commit

CACHE_FORMAT = "1"
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
    """Thread-safe (atomic file writes, no shared state) cache of Hub ``RepoRecord``s."""

    def __init__(
        self,
        root: Path | str | None = None,
        *,
        endpoint: str | None = None,
        ttl: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = Path(root) if root is not None else default_cache_root()
        self.endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
        self.ttl = default_ttl() if ttl is None else ttl
        self._clock = clock
        digest = hashlib.sha256(self.endpoint.encode()).hexdigest()[:16]
        self.base = self.root / "metadata" / f"v{CACHE_FORMAT}-{__version__}" / digest

    # ------------------------------------------------------------------ paths

    def _repo_dir(self, ref: RepoRef) -> Path:
        kind = "datasets" if ref.kind is RepoKind.DATASET else "models"
        parts = [quote(p, safe="") for p in ref.repo_id.split("/")]
        return self.base.joinpath(kind, *parts)

    def _commit_path(self, ref: RepoRef, commit: str) -> Path:
        return self._repo_dir(ref) / "commits" / f"{commit}.json"

    def _ref_path(self, ref: RepoRef) -> Path:
        return self._repo_dir(ref) / "refs" / f"{quote(ref.revision or '@default', safe='')}.json"

    # ------------------------------------------------------------------ read

    def get(self, ref: RepoRef, *, allow_stale: bool = False) -> RepoRecord | None:
        """The cached record of ``ref``, or None (absent, corrupt, or a branch older than the TTL)."""
        if ref.local_path:
            return None
        if is_commit(ref.revision):
            assert ref.revision is not None
            return self._load_record(ref, ref.revision)
        pointer = _read_json(self._ref_path(ref))
        if pointer is None:
            return None
        commit, fetched_at = pointer.get("commit"), pointer.get("fetched_at")
        if not isinstance(commit, str) or not is_commit(commit) or not isinstance(fetched_at, int | float):
            return None
        age = self._clock() - float(fetched_at)
        if not allow_stale and not (0 <= age < self.ttl):
            return None
        return self._load_record(ref, commit)

    def _load_record(self, ref: RepoRef, commit: str) -> RepoRecord | None:
        data = _read_json(self._commit_path(ref, commit))
        if data is None:
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
        commit_path = self._commit_path(ref, record.revision)
        if not commit_path.exists():
            write_json(commit_path, record.model_dump(mode="json"))  # key order kept: records round-trip exactly
        if not is_commit(ref.revision):
            write_json(self._ref_path(ref), {"commit": record.revision, "fetched_at": self._clock()})


def _read_json(path: Path) -> dict[str, object] | None:
    data = read_json(path)
    return data if isinstance(data, dict) else None
