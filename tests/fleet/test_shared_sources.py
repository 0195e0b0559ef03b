"""SharedSources: one fetch per ref per run, concurrent callers wait for the first, failures are shared."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from _fleet_support import model

from fakehub import FakeHub
from modelaudit.errors import RepoNotFoundError
from modelaudit.fleet.shared import SharedSources
from modelaudit.models import RepoRecord, RepoRef, SourceKind
from modelaudit.sources import SourceSet


def test_concurrent_fetches_of_one_ref_send_one_request(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    lock = threading.Lock()

    def slow_fetch(self: SourceSet, ref: RepoRef, *, fresh: bool = False) -> RepoRecord:
        with lock:
            calls.append(ref.key)
        time.sleep(0.2)  # every other caller arrives while this one is in flight
        if ref.repo_id == "org/gone":
            raise RepoNotFoundError(ref.key)
        return RepoRecord(ref=ref, source=SourceKind.HUB, revision="a" * 40)

    monkeypatch.setattr(SourceSet, "fetch", slow_fetch)
    shared = SharedSources(metadata_cache=None)
    refs = [RepoRef(repo_id="org/base"), RepoRef(repo_id="org/gone"), RepoRef(repo_id="org/base", revision="v1")]

    def ask(i: int) -> object:
        try:
            return shared.fetch(refs[i % 3])
        except RepoNotFoundError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(ask, range(24)))
    assert sorted(calls) == ["org/base", "org/base@v1", "org/gone"]
    assert shared.fetches == 3 and shared.memo_hits == 21
    records = [r for r in results[0::3] if isinstance(r, RepoRecord)]
    assert len(records) == 8 and len({id(r) for r in records}) == 8  # each caller gets its own copy
    assert all(isinstance(r, RepoNotFoundError) for r in results[1::3])


def test_a_bug_is_not_memoised(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts = []

    def flaky(self: SourceSet, ref: RepoRef, *, fresh: bool = False) -> RepoRecord:
        attempts.append(ref.key)
        if len(attempts) == 1:
            raise RuntimeError("boom")
        return RepoRecord(ref=ref, source=SourceKind.HUB, revision="b" * 40)

    monkeypatch.setattr(SourceSet, "fetch", flaky)
    shared = SharedSources(metadata_cache=None)
    with pytest.raises(RuntimeError):
        shared.fetch(RepoRef(repo_id="org/x"))
    assert shared.fetch(RepoRef(repo_id="org/x")).revision == "b" * 40
    assert attempts == ["org/x", "org/x"]


def test_a_ref_that_moved_upstream_is_read_from_the_hub_not_the_metadata_cache(
    fakehub: FakeHub, tmp_path: Path
) -> None:
    from modelaudit.cachefile import Cache
    from modelaudit.sources.metadata_cache import MetadataCache

    fakehub.add_repo("org/base", model({"license": "apache-2.0"}))
    cache = MetadataCache(Cache(tmp_path / "meta"), endpoint=fakehub.url)
    ref = RepoRef(repo_id="org/base")
    assert SharedSources(metadata_cache=cache).fetch(ref).card_data["license"] == "apache-2.0"
    fakehub.add_repo("org/base", model({"license": "cc-by-nc-4.0"}))  # re-licensed upstream
    fakehub.clear_log()
    # the cached answer still looks fresh: a plain run keeps it without asking the Hub ...
    assert SharedSources(metadata_cache=cache).fetch(ref).card_data["license"] == "apache-2.0"
    assert fakehub.count("info") == 0
    # ... a run told the ref moved asks the Hub once and stores the new answer for the next runs
    moved = SharedSources(metadata_cache=cache, refresh=[ref])
    assert moved.fetch(ref).card_data["license"] == "cc-by-nc-4.0"
    assert moved.fetch(ref).card_data["license"] == "cc-by-nc-4.0"
    assert fakehub.count("info") == 1
    assert SharedSources(metadata_cache=cache).fetch(ref).card_data["license"] == "cc-by-nc-4.0"
