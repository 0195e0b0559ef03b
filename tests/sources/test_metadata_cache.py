"""The on-disk metadata cache: pinned commits are immutable, branches expire after the TTL."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory_repos import MemorySource, make_record
from modelaudit.cachefile import Cache
from modelaudit.errors import NetworkError, SourceError
from modelaudit.models import RepoRecord, RepoRef, SourceKind
from modelaudit.sources import SourceSet
from modelaudit.sources.metadata_cache import MetadataCache


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def record_for(ref: RepoRef) -> RepoRecord:
    return make_record(ref, {"README.md": "---\nlicense: mit\n---\n"})


def test_pinned_entries_never_expire(tmp_path: Path) -> None:
    clock = Clock()
    cache = MetadataCache(Cache(tmp_path), endpoint="http://hub", ttl=10, clock=clock)
    branch = RepoRef(repo_id="org/m")
    rec = record_for(branch)
    assert rec.revision is not None
    cache.put(branch, rec)
    pinned = RepoRef(repo_id="org/m", revision=rec.revision)
    clock.now += 10_000
    got = cache.get(pinned)
    assert got is not None and got.ref == pinned and got.card_data == {"license": "mit"}
    assert cache.get(branch) is None  # the branch pointer is stale
    stale = cache.get(branch, allow_stale=True)
    assert stale is not None and stale.ref == branch and stale.revision == rec.revision


def test_branch_entries_live_for_the_ttl(tmp_path: Path) -> None:
    clock = Clock()
    cache = MetadataCache(Cache(tmp_path), endpoint="http://hub", ttl=60, clock=clock)
    ref = RepoRef(repo_id="org/m", revision="dev")
    cache.put(ref, record_for(ref))
    clock.now += 59
    assert cache.get(ref) is not None
    assert cache.get(RepoRef(repo_id="org/m")) is None  # another branch
    clock.now += 2
    assert cache.get(ref) is None


def test_endpoints_do_not_share_entries_and_corrupt_files_are_misses(tmp_path: Path) -> None:
    ref = RepoRef(repo_id="org/m")
    a = MetadataCache(Cache(tmp_path), endpoint="http://a")
    a.put(ref, record_for(ref))
    assert MetadataCache(Cache(tmp_path), endpoint="http://b").get(ref) is None
    assert a.get(ref) is not None
    for path in tmp_path.rglob("*.json"):
        path.write_text("{not json")
    assert a.get(ref) is None


def test_records_without_a_commit_are_not_cached(tmp_path: Path) -> None:
    ref = RepoRef(repo_id="org/m")
    rec = record_for(ref).model_copy(update={"revision": None})
    cache = MetadataCache(Cache(tmp_path))
    cache.put(ref, rec)
    assert not any(tmp_path.rglob("*.json"))


class FlakyHub(MemorySource):
    kind = SourceKind.HUB

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    def fetch(self, ref: RepoRef) -> RepoRecord:
        if self.down:
            self.calls[ref.key] += 1
            raise NetworkError(ref.key, "connection refused")
        return super().fetch(ref)


class EmptyHFCache:
    kind = SourceKind.CACHE

    def fetch(self, ref: RepoRef) -> RepoRecord:
        raise SourceError(ref.key, f"{ref.key}: not in the HF cache")


def sources_with(hub: FlakyHub, cache: MetadataCache | None, *, offline: bool = False) -> SourceSet:
    fakes = {SourceKind.HUB: hub, SourceKind.CACHE: EmptyHFCache()}
    return SourceSet(offline=offline, metadata_cache=cache, sources=fakes)  # type: ignore[arg-type]


def test_sourceset_serves_the_second_fetch_from_the_cache(tmp_path: Path) -> None:
    hub = FlakyHub()
    hub.add_model("org/m", {"license": "mit"})
    cache = MetadataCache(Cache(tmp_path), endpoint="http://hub")
    ref = RepoRef(repo_id="org/m")
    first = sources_with(hub, cache).fetch(ref)
    second = sources_with(hub, cache).fetch(ref)
    assert hub.calls["org/m"] == 1
    assert second == first
    # --no-cache: no cache object at all, the Hub is asked every time
    sources_with(hub, None).fetch(ref)
    assert hub.calls["org/m"] == 2
    # the entries live in the one cache's metadata namespace
    assert Cache(tmp_path).info().namespaces["metadata"].entries == 2  # the record and the branch pointer


def test_stale_entries_are_used_when_the_hub_is_unreachable_or_offline(tmp_path: Path) -> None:
    hub = FlakyHub()
    hub.add_model("org/m", {"license": "mit"})
    clock = Clock()
    cache = MetadataCache(Cache(tmp_path), endpoint="http://hub", ttl=1, clock=clock)
    ref = RepoRef(repo_id="org/m")
    sources_with(hub, cache).fetch(ref)
    clock.now += 100
    hub.down = True
    during_outage = sources_with(hub, cache)
    record = during_outage.fetch(ref)
    assert record.card_data == {"license": "mit"}
    # the Hub is down: the files of the cached record are read from the HF cache, not asked of the Hub again
    assert during_outage.for_record(record).kind is SourceKind.CACHE
    assert sources_with(hub, cache, offline=True).fetch(ref).card_data == {"license": "mit"}
    with pytest.raises(NetworkError):
        sources_with(hub, cache).fetch(RepoRef(repo_id="org/other"))
