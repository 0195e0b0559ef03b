"""In-memory repos for unit tests of sources and lineage: real card extraction, no network, optional latency."""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from collections import Counter
from typing import Any

import yaml

from modelaudit.errors import GatedRepoError, RepoNotFoundError
from modelaudit.models import FileEntry, RepoKind, RepoRecord, RepoRef, SourceKind
from modelaudit.sources.record import extract_record


def card(front: dict[str, Any], body: str = "model card\n") -> str:
    return "---\n" + yaml.safe_dump(front, sort_keys=True) + "---\n" + body


def commit_of(key: str, files: dict[str, str]) -> str:
    return hashlib.sha1((key + json.dumps(files, sort_keys=True)).encode()).hexdigest()


def make_record(ref: RepoRef, files: dict[str, str], tags: list[str] | None = None) -> RepoRecord:
    data = {p: c.encode() for p, c in files.items()}
    return extract_record(
        ref,
        SourceKind.HUB,
        files=[FileEntry(path=p, size=len(d)) for p, d in data.items()],
        read_small=lambda p: data.get(p),
        tags=tags,
        revision=commit_of(ref.key, files),
    )


class MemorySource:
    """A Fetcher over in-memory repos keyed like nodes (``org/name``, ``datasets/org/name``)."""

    def __init__(self, *, jitter: float = 0.0, seed: int = 0) -> None:
        self.repos: dict[str, tuple[dict[str, str], list[str]]] = {}
        self.gated: set[str] = set()
        self.broken: set[str] = set()
        self.calls: Counter[str] = Counter()
        self.jitter = jitter
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def add(self, key: str, files: dict[str, str], tags: list[str] | None = None) -> None:
        self.repos[key] = (files, tags or [])

    def add_model(
        self,
        key: str,
        front: dict[str, Any],
        files: dict[str, str] | None = None,
        tags: list[str] | None = None,
    ) -> None:
        self.add(key, {"README.md": card(front), **(files or {})}, tags)

    def fetch(self, ref: RepoRef) -> RepoRecord:
        with self._lock:
            self.calls[ref.key] += 1
            delay = self._rng.random() * self.jitter
        if delay:
            time.sleep(delay)
        if ref.key in self.broken:
            raise RuntimeError("boom")
        if ref.key in self.gated:
            raise GatedRepoError(ref.key, "log in: no token was sent")
        entry = self.repos.get(ref.key)
        if entry is None:
            raise RepoNotFoundError(ref.key)
        return make_record(ref, *entry)


def edges_of(graph: Any) -> set[tuple[str, str, str]]:
    return {(e.child, e.parent, e.relation.value) for e in graph.edges}


def nodes_of(graph: Any) -> dict[str, tuple[str, int, bool]]:
    return {k: (n.kind.value, n.depth, n.resolved) for k, n in graph.nodes.items()}


def model_ref(key: str) -> RepoRef:
    if key.startswith("datasets/"):
        return RepoRef(repo_id=key[len("datasets/") :], kind=RepoKind.DATASET)
    return RepoRef(repo_id=key)
