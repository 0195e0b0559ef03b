"""Sources family: where repos are read from. ``SOURCES`` is the registry; ``SourceSet`` picks one per ref."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, BinaryIO

from modelaudit.errors import NetworkError, OfflineError, SourceError
from modelaudit.models import RepoRecord, RepoRef, SourceKind
from modelaudit.targets import is_commit

if TYPE_CHECKING:
    from modelaudit.sources.base import Source
    from modelaudit.sources.metadata_cache import MetadataCache

# name → "module:Class"; imported on first use so that --help and local scans stay light.
SOURCES: dict[SourceKind, str] = {
    SourceKind.HUB: "modelaudit.sources.hub:HubSource",
    SourceKind.CACHE: "modelaudit.sources.cache:CacheSource",
    SourceKind.LOCAL: "modelaudit.sources.local:LocalSource",
}


class SourceSet:
    """Routes each ref to the right source: folders → local; Hub ids → Hub, or the HF cache when offline.

    Online, a Hub id that cannot be reached for network reasons falls back to the HF cache (an explicit
    evidence note says so); not-found and gated answers are final and never masked by the cache.

    With a ``metadata_cache`` (sources/metadata_cache.py), Hub records are served from disk when fresh (pinned
    commits always, branches within the TTL) and stored after each Hub read. Offline or unreachable, the
    metadata cache is read first, stale or not: it holds the whole record an online scan built (card data
    from the API, config summary, tags, file records with hashes, license files), so an offline scan gives
    the online answer; the HF cache (only what was downloaded) comes after it. Offline, the files of a Hub
    record are read from the HF cache only. Safe to call from several threads (the lineage crawler does).
    """

    def __init__(
        self,
        *,
        offline: bool = False,
        endpoint: str | None = None,
        token: str | None = None,
        cache_dir: str | None = None,
        timeout: float = 10.0,
        metadata_cache: MetadataCache | None = None,
        deadline: float | None = None,
        sources: Mapping[SourceKind, Source] | None = None,
    ) -> None:
        """``timeout`` bounds each Hub request; ``deadline`` (seconds) all Hub requests together. ``sources``
        are used for their kinds instead of the registered classes (an embedding application's own, or
        fakes in tests)."""
        self.offline = offline
        self._deadline = deadline
        self._endpoint = endpoint
        self._token = token
        self._cache_dir = cache_dir
        self._timeout = timeout
        self._instances: dict[SourceKind, Source] = dict(sources or {})
        self._lock = threading.Lock()
        self.metadata_cache = metadata_cache
        self._network_failures: dict[str, str] = {}
        self._read_from_disk: set[str] = set()  # Hub records served by the caches while the Hub was down

    def get(self, kind: SourceKind) -> Source:
        with self._lock:
            return self._get(kind)

    def _get(self, kind: SourceKind) -> Source:
        if kind not in self._instances:
            import importlib

            module_name, cls_name = SOURCES[kind].split(":")
            cls = getattr(importlib.import_module(module_name), cls_name)
            if kind is SourceKind.HUB:
                self._instances[kind] = cls(
                    endpoint=self._endpoint,
                    token=self._token,
                    timeout=self._timeout,
                    deadline=self._deadline,
                    cache_dir=self._cache_dir,  # what the Hub source downloads, the cache source reads
                )
            elif kind is SourceKind.CACHE:
                self._instances[kind] = cls(cache_dir=self._cache_dir)
            else:
                self._instances[kind] = cls()
        return self._instances[kind]

    def fetch(self, ref: RepoRef, *, fresh: bool = False) -> RepoRecord:
        """The record of ``ref`` (see the class docstring for where it comes from).

        ``fresh``: ask the Hub even when the metadata cache holds an answer that looks fresh (a ref known to
        have moved upstream), and never let that answer stand in when the Hub cannot be reached; what the
        Hub gives is stored in the metadata cache as usual."""
        if ref.local_path:
            return self.get(SourceKind.LOCAL).fetch(ref)
        cache = self.metadata_cache
        if self.offline:
            return self._from_disk(ref, use_metadata_cache=not fresh)
        if cache is not None and not fresh:
            cached = cache.get(ref)
            if cached is not None:
                return cached
        try:
            record = self.get(SourceKind.HUB).fetch(ref)
        except (NetworkError, OfflineError) as online_error:
            try:
                stale = self._from_disk(ref, use_metadata_cache=not fresh)
            except SourceError:
                if isinstance(online_error, NetworkError):
                    with self._lock:
                        self._network_failures[ref.display()] = online_error.message
                raise online_error from None
            with self._lock:
                self._read_from_disk.add(ref.display())
            return stale
        if cache is not None:
            cache.put(ref, record)
        return record

    def network_failures(self) -> dict[str, str]:
        """Repos (by ``RepoRef.display()``) whose Hub reads ran out of retries or time, with the reason,
        and that no cache could stand in for: what makes an audit incomplete."""
        with self._lock:
            return dict(self._network_failures)

    def _from_disk(self, ref: RepoRef, *, use_metadata_cache: bool = True) -> RepoRecord:
        """What earlier scans and downloads left: the metadata cache (stale or not), then the HF cache."""
        cache = self.metadata_cache if use_metadata_cache else None
        stale = cache.get(ref, allow_stale=True) if cache is not None else None
        if stale is not None:
            return stale
        return self.get(SourceKind.CACHE).fetch(ref)

    def for_record(self, record: RepoRecord) -> Source:
        if record.source is SourceKind.HUB:  # a cached Hub record, offline or in an outage: HF cache files
            with self._lock:
                from_disk = record.ref.display() in self._read_from_disk
            if self.offline or from_disk:
                return self.get(SourceKind.CACHE)
        return self.get(record.source)

    def with_card_text(self, record: RepoRecord) -> RepoRecord:
        """``record`` with its model card's whole text, reading README.md when the source gave only its front
        matter (a Hub record: one more request). The obligation checks search the card's text."""
        if record.card_text is not None or not any(f.path == "README.md" for f in record.files):
            return record
        source = self.for_record(record)
        read = getattr(source, "read_card_text", None)
        if read is None:
            return record
        text = read(record.ref)
        return record.model_copy(update={"card_text": text}) if text is not None else record

    def open_file(self, record: RepoRecord, path: str) -> BinaryIO:
        return self.for_record(record).open_file(at_commit(record), path)

    def read_range(self, record: RepoRecord, path: str, start: int, length: int) -> bytes:
        return self.for_record(record).read_range(at_commit(record), path, start, length)


def at_commit(record: RepoRecord) -> RepoRef:
    """The ref to read a record's files from: pinned to the commit its metadata describes. A record named by a
    branch (``main``) may come from the metadata cache while the branch has moved on; reading its weights at
    the branch would describe two commits in one report."""
    ref = record.ref
    if (
        ref.local_path
        or not record.revision
        or ref.revision == record.revision
        or not is_commit(record.revision)
    ):
        return ref
    return ref.model_copy(update={"revision": record.revision})
