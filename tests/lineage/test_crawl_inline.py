"""Local folders are read inline (on the calling thread), Hub repos on the pool: same graph either way."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from memory_repos import MemorySource, card
from modelaudit.lineage import crawler
from modelaudit.lineage.crawler import crawl, parent_ref
from modelaudit.lineage.graph import LineageGraph
from modelaudit.models import Evidence, ParentClaim, RepoRecord, RepoRef, SourceKind
from modelaudit.sources.local import LocalSource


class Mixed:
    """Folders through ``LocalSource``, Hub ids through a ``MemorySource``; notes the thread of each fetch."""

    def __init__(self, hub: MemorySource) -> None:
        self.local = LocalSource()
        self.hub = hub
        self.threads: dict[str, set[str]] = {"local": set(), "hub": set()}
        self._lock = threading.Lock()

    def fetch(self, ref: RepoRef) -> RepoRecord:
        side = "local" if ref.local_path else "hub"
        with self._lock:
            self.threads[side].add(threading.current_thread().name)
        return self.local.fetch(ref) if ref.local_path else self.hub.fetch(ref)


def folder(root: Path, name: str, front: dict[str, object], files: dict[str, str] | None = None) -> Path:
    d = root / name
    d.mkdir(parents=True)
    (d / "README.md").write_text(card(front), encoding="utf-8")
    for path, text in (files or {}).items():
        (d / path).write_text(text, encoding="utf-8")
    return d


def hub() -> MemorySource:
    src = MemorySource()
    src.add_model("meta/base", {"license": "llama3.1", "datasets": ["org/web"]})
    src.add_model("meta/other", {"license": "mit", "base_model": "meta/base"})
    src.add("datasets/org/web", {"README.md": card({"license": "odc-by"})})
    return src


def lineage(tmp_path: Path) -> RepoRef:
    """A merge of two local folders, one on a Hub model, a missing folder, a two-folder cycle, an adapter
    naming its base by a bare folder name, and a deep local chain (for the caps)."""
    folder(tmp_path, "top", {"license": "apache-2.0", "base_model": ["../left", "../right", "../gone"]})
    folder(tmp_path, "left", {"license": "apache-2.0", "base_model": "meta/other", "datasets": ["org/web"]})
    folder(
        tmp_path,
        "right",
        {"license": "apache-2.0", "base_model": "chain0"},
        {"adapter_config.json": json.dumps({"base_model_name_or_path": "../cyc-a", "peft_type": "LORA"})},
    )
    folder(tmp_path, "cyc-a", {"license": "mit", "base_model": "../cyc-b"})
    folder(tmp_path, "cyc-b", {"license": "mit", "base_model": "../cyc-a"})
    for i in range(6):
        front: dict[str, object] = {"license": "apache-2.0"}
        if i < 5:
            front["base_model"] = f"../chain{i + 1}"
        folder(tmp_path, f"chain{i}", front)
    top = tmp_path / "top"
    return RepoRef(repo_id="top", local_path=str(top))


def through_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELAUDIT_NO_INLINE_LOCAL_CRAWL", "1")  # the speed-up's switch: folders on the pool


@pytest.mark.parametrize(
    ("max_depth", "max_nodes"), [(10, 500), (3, 500), (10, 6), (1, 2), (0, 500)]
)
def test_inline_gives_the_graph_the_pool_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, max_depth: int, max_nodes: int
) -> None:
    ref = lineage(tmp_path)
    monkeypatch.chdir(tmp_path)  # node keys of folders are relative to the working directory
    inline = crawl(ref, Mixed(hub()), max_depth=max_depth, max_nodes=max_nodes)
    with monkeypatch.context() as m:
        through_pool(m)
        pooled = crawl(ref, Mixed(hub()), max_depth=max_depth, max_nodes=max_nodes, workers=3)
    assert inline.model_dump_json() == pooled.model_dump_json()
    assert inline.cycles == pooled.cycles
    if max_depth == 10 and max_nodes == 500:
        assert inline.cycles == [["cyc-a", "cyc-b", "cyc-a"]]
        assert {"meta/other", "meta/base", "datasets/org/web", "chain5"} <= set(inline.nodes)
        assert not inline.nodes["../gone"].resolved
        assert inline.truncated is None


def test_folders_are_read_on_the_calling_thread_and_hub_repos_on_the_pool(tmp_path: Path) -> None:
    ref = lineage(tmp_path)
    source = Mixed(hub())
    graph = crawl(ref, source)
    assert source.threads["local"] == {threading.current_thread().name}
    assert source.threads["hub"] and all(t.startswith("modelaudit-crawl") for t in source.threads["hub"])
    assert len(graph.nodes) == 15


def test_a_folder_only_lineage_starts_no_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(30):
        folder(tmp_path, f"m{i}", {"license": "mit", **({"base_model": f"../m{i + 1}"} if i < 29 else {})})
    started: list[str] = []
    real_start = threading.Thread.start

    def start(self: threading.Thread) -> None:
        started.append(self.name)
        real_start(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    ref = RepoRef(repo_id="m0", local_path=str(tmp_path / "m0"))
    graph: LineageGraph = crawl(ref, Mixed(MemorySource()), max_depth=40)
    assert len(graph.nodes) == 30 and max(n.depth for n in graph.nodes.values()) == 29
    assert started == []


def test_each_record_is_grouped_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """parent_ref (which touches the disk for folders) runs once per claim, not once more for speculation."""
    ref = lineage(tmp_path)
    calls: list[str] = []
    real = crawler.parent_ref

    def counting(claim: ParentClaim, child: RepoRecord) -> RepoRef | None:
        calls.append(f"{child.ref.repo_id}->{claim.target}:{claim.evidence.source}")
        return real(claim, child)

    monkeypatch.setattr(crawler, "parent_ref", counting)
    crawl(ref, Mixed(hub()))
    assert len(calls) == len(set(calls))


def _old_parent_folder(local: str, target: str) -> str | None:
    """What parent_ref did before it used os.path: ``Path.is_dir`` then ``Path.resolve``."""
    path = Path(target).expanduser()
    candidate = path if path.is_absolute() else Path(local) / path
    return str(candidate.resolve()) if candidate.is_dir() else None


def test_parent_folders_resolve_as_pathlib_does(tmp_path: Path) -> None:
    real = tmp_path / "models" / "base"
    real.mkdir(parents=True)
    child = tmp_path / "work" / "child"
    child.mkdir(parents=True)
    (tmp_path / "work" / "link").symlink_to(real)
    (tmp_path / "work" / "loop").symlink_to(tmp_path / "work" / "loop")
    (tmp_path / "work" / "file").write_text("x")
    record = RepoRecord(ref=RepoRef(repo_id="child", local_path=str(child)), source=SourceKind.LOCAL)
    targets = [
        "../../models/base", "../../models/base/", "./../link", "../link", "../link/../child", "..//link",
        str(real), f"{real}/", "../missing", "../loop", "../file", ".", "..", "./",
    ]  # fmt: skip
    for target in targets:
        claim = ParentClaim(target=target, evidence=Evidence(source="card:base_model", value=target))
        got = parent_ref(claim, record)
        want = _old_parent_folder(str(child), target)
        assert (got.local_path if got else None) == want, target
        if got is not None:
            assert got.repo_id == os.path.basename(want or "")


def test_parent_folders_resolve_alike_from_the_folder_a_source_resolved(tmp_path: Path) -> None:
    """A local record carries its resolved folder (local_dir); parents resolved from there are the parents
    resolved from its path as given, links and '..' included (the child reached through a link too)."""
    real = tmp_path / "models" / "base"
    real.mkdir(parents=True)
    child = tmp_path / "work" / "child"
    child.mkdir(parents=True)
    (tmp_path / "work" / "link").symlink_to(real)
    (tmp_path / "work" / "loop").symlink_to(tmp_path / "work" / "loop")
    (tmp_path / "work" / "file").write_text("x")
    (tmp_path / "alias").symlink_to(tmp_path / "work")
    targets = [
        "../../models/base", "../../models/base/", "./../link", "../link", "../link/../child", "..//link",
        str(real), f"{real}/", "../missing", "../loop", "../file", ".", "..", "./", "../missing/../link",
        "../../alias/link", "base", "../../../../../../..",
    ]  # fmt: skip
    for given in (child, tmp_path / "alias" / "child"):
        plain = RepoRecord(ref=RepoRef(repo_id="child", local_path=str(given)), source=SourceKind.LOCAL)
        resolved = plain.model_copy(update={"local_dir": os.path.realpath(given)})
        for target in targets:
            claim = ParentClaim(target=target, evidence=Evidence(source="card:base_model", value=target))
            assert parent_ref(claim, resolved) == parent_ref(claim, plain), (given, target)
