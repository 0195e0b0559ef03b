"""Breadth-first, concurrent crawl of a model's lineage: every declared parent, up to the foundation model
and its data.

How it stays fast and deterministic at once:

* **Fetching** of Hub repos runs on a bounded thread pool (``huggingface_hub`` is synchronous). As soon
  as a repo's metadata arrives, its Hub parents are scheduled too (speculatively, within the depth and
  node limits), so the pool never idles waiting for a whole BFS level.
* **Local folders** are read inline, on the calling thread, when the build reaches them: reading a folder
  is CPU-bound Python that holds the GIL, so a worker thread would add hand-offs and buy no overlap.
* Each record's claims are grouped by parent (``parent_ref``, which may touch the disk) once, where the
  record is fetched; speculation and the build both use that one grouping.
* **Building** the graph happens on the calling thread, level by level, in a canonical order (the order
  in which parents are declared), waiting on each repo's future when it needs it. Completion order
  therefore never shows in the result: nodes, edges, depths, caps and cycles are those a sequential
  crawl would produce.

Unresolvable parents (not found, gated, offline, malformed, any error) become unresolved nodes carrying
the reason; the crawl never aborts because of a parent. Only the target itself must resolve. A base named
by a path on the machine that made the model (``/content/llama``; ``./output`` in a Hub repo) is no repo at
all: it gets no node or edge, only a note that the base is unknown.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple, Protocol

from modelaudit.catalog import make_finding, spec
from modelaudit.errors import ModelAuditError
from modelaudit.lineage.graph import GraphNode, LineageGraph, node_kind
from modelaudit.lineage.relations import choose_relation
from modelaudit.models import (
    Edge,
    Evidence,
    Finding,
    NodeKind,
    ParentClaim,
    RepoKind,
    RepoRecord,
    RepoRef,
    Severity,
    SourceKind,
)
from modelaudit.targets import hub_id_from, is_local_path

DEFAULT_MAX_DEPTH = 10
DEFAULT_MAX_NODES = 500
DEFAULT_WORKERS = 8


class Fetcher(Protocol):
    """Anything that turns a ref into a record (``SourceSet`` in practice; fakes in tests)."""

    def fetch(self, ref: RepoRef) -> RepoRecord: ...


def outside_hub(claim: ParentClaim) -> bool:
    """A dataset card's ``source_datasets: [extended|other-NAME]``: the card convention for a source that is not
    on the Hub (``other-Common-Crawl``), so nothing to look up."""
    return (
        claim.evidence.source == "card:source_datasets"
        and claim.kind is RepoKind.DATASET
        and claim.target.strip().lower().startswith("other-")
    )


def parent_ref(claim: ParentClaim, child: RepoRecord) -> RepoRef | None:
    """The ref a claim points at, or None when it names nothing we can look up."""
    if outside_hub(claim):
        return None
    target = claim.target.strip()
    found = hub_id_from(target)
    local = child.ref.local_path
    # the child's folder as its source resolved it (a local record's local_dir is the realpath of its
    # local_path), so that a parent's folder is resolved from there rather than from the root of the disk
    base = child.local_dir if local and child.source is SourceKind.LOCAL else None
    if found is not None:
        repo_id, kind = found
        if claim.kind is RepoKind.DATASET:
            kind = RepoKind.DATASET
        revision: str | None = None
        if "@" in repo_id:
            repo_id, revision = repo_id.split("@", 1)
            revision = revision or None
        if local and not claim.weak and "/" not in repo_id:
            # a local checkout may name its base by a folder path that also looks like an id ("base")
            for folder in (Path(local) / repo_id, Path(local).parent / repo_id):
                resolved = _folder(str(folder))
                if resolved is not None:
                    return RepoRef(repo_id=os.path.basename(resolved), kind=kind, local_path=resolved)
        return RepoRef(repo_id=repo_id, kind=kind, revision=revision)
    if local and not claim.weak:
        path = str(Path(target).expanduser()) if target.startswith("~") else target
        if base and not os.path.isabs(path):
            resolved = _folder_in(base, path)
        else:
            resolved = _folder(path if os.path.isabs(path) else os.path.join(local, path))
        if resolved is not None:
            return RepoRef(repo_id=os.path.basename(resolved), kind=claim.kind, local_path=resolved)
    return None


def _folder(path: str) -> str | None:
    """``path`` with every link and ``..`` resolved when it is a folder (``Path.is_dir`` + ``Path.resolve``,
    without the second stat and the ``Path`` objects: this runs once per parent of every local folder)."""
    if not path:
        return None
    resolved = os.path.realpath(path)
    return resolved if os.path.isdir(resolved) else None


def _folder_in(base: str, path: str) -> str | None:
    """``_folder(os.path.join(base, path))`` for a resolved folder ``base``: only ``path`` is resolved."""
    from modelaudit.sources.local import resolve_in

    resolved = resolve_in(base, path)
    return resolved if os.path.isdir(resolved) else None


def _claim_key(claim: ParentClaim, ref: RepoRef | None) -> str:
    if ref is not None:
        return ref.display()
    return f"datasets/{claim.target}" if claim.kind is RepoKind.DATASET else claim.target


Group = tuple[
    str, RepoRef | None, list[ParentClaim]
]  # parent key, its ref (None: nothing to look up), claims


class _Fetched(NamedTuple):
    record: RepoRecord
    groups: list[Group]  # the record's claims grouped by parent, in declaration order


Outcome = _Fetched | ModelAuditError


def inline_local() -> bool:
    """Whether folders are read on the calling thread (CPU-bound, nothing to overlap) rather than on the
    pool (where Hub repos' network waits overlap). Speed-up ``INLINE_LOCAL_CRAWL`` (speedups.py); a crawl
    asks once."""
    from modelaudit import speedups

    return speedups.enabled("INLINE_LOCAL_CRAWL")


def read_inline(ref: RepoRef, inline: bool | None = None) -> bool:
    """Whether ``ref`` is read on the calling thread (see :func:`inline_local`, which ``inline`` caches)."""
    return bool(ref.local_path) and (inline_local() if inline is None else inline)


def _fetch(sources: Fetcher, ref: RepoRef) -> RepoRecord | ModelAuditError:
    try:
        return sources.fetch(ref)
    except ModelAuditError as exc:
        return exc
    except Exception as exc:  # a parent must never abort the crawl; the reason is kept on the node
        return ModelAuditError(f"{ref.display()}: unexpected error: {type(exc).__name__}: {exc}")


class _Prefetcher:
    """Fetches Hub repos on a bounded pool (each finished record schedules its own Hub parents) and local
    folders inline; either way a record comes back with its claims grouped."""

    def __init__(self, sources: Fetcher, *, workers: int, max_depth: int, max_nodes: int) -> None:
        self._sources = sources
        self._max_depth = max_depth
        self._max_nodes = max_nodes
        self._lock = threading.Lock()
        self._futures: dict[str, Future[Outcome]] = {}
        self._closed = False
        self.inline = inline_local()
        # threads start on the first submit: a lineage of local folders never starts one
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="modelaudit-crawl")

    def submit(self, key: str, ref: RepoRef, depth: int, *, required: bool = True) -> Future[Outcome] | None:
        with self._lock:
            fut = self._futures.get(key)
            if fut is not None:
                return fut
            if self._closed or (not required and len(self._futures) >= self._max_nodes):
                return None
            fut = self._pool.submit(self.fetch_now, ref, depth)
            self._futures[key] = fut
            return fut

    def fetch_now(self, ref: RepoRef, depth: int) -> Outcome:
        """Fetch ``ref`` on this thread, group its claims and schedule its Hub parents."""
        record = _fetch(self._sources, ref)
        if isinstance(record, ModelAuditError):
            return record
        groups = _group_claims(record)
        if depth < self._max_depth:
            for key, pref, _claims in groups:
                if pref is not None and not read_inline(pref, self.inline):  # read when the build reaches it
                    self.submit(key, pref, depth + 1, required=False)
        return _Fetched(record, groups)

    def close(self, *, wait: bool = True) -> None:
        """Cancel queued speculative fetches; wait for running ones unless the crawl is being abandoned."""
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)


def crawl(
    target: RepoRef,
    sources: Fetcher,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_nodes: int = DEFAULT_MAX_NODES,
    root_record: RepoRecord | None = None,
    workers: int = DEFAULT_WORKERS,
    progress: Callable[[int], None] | None = None,
) -> LineageGraph:
    """Resolve ``target`` (errors propagate) and then its ancestors breadth-first (errors become nodes).

    ``progress`` (optional) receives the number of nodes in the graph after each BFS level.
    """
    record = root_record or sources.fetch(target)
    root_key = target.display()
    nodes: dict[str, GraphNode] = {}
    edges: list[Edge] = []
    truncated: str | None = None
    nodes[root_key] = GraphNode(
        key=root_key, ref=target, kind=node_kind(record, target), depth=0, record=record
    )
    fetcher = _Prefetcher(sources, workers=workers, max_depth=max_depth, max_nodes=max_nodes)
    groups_of: dict[str, list[Group]] = {root_key: _group_claims(record)}  # resolved nodes' grouped claims
    edge_index: dict[tuple[str, str], Edge] = {}
    dropped: list[str] = []
    local_bases: list[Finding] = []
    try:
        frontier = [root_key]
        depth = 0
        while frontier:
            pending: list[tuple[str, RepoRef, NodeKind, Future[Outcome] | None]] = []
            for key in frontier:
                child = nodes[key].record
                if child is None:
                    continue
                for parent_key, pref, claims in groups_of.pop(key):
                    if pref is None and _machine_path(claims[0].target, child):
                        local_bases.append(_local_base_finding(key, claims))
                        continue
                    if pref is None and outside_hub(claims[0]):
                        local_bases.append(_outside_hub_finding(key, claims))
                        continue
                    edge = edge_index.get((key, parent_key))
                    if edge is not None:
                        _add_evidence(edge, claims)
                        continue
                    if parent_key not in nodes and len(nodes) >= max_nodes:
                        dropped.append(parent_key)
                        continue
                    edge = Edge(
                        child=key,
                        parent=parent_key,
                        relation=choose_relation(claims, child),
                        evidence=_dedupe([c.evidence for c in claims]),
                    )
                    edge_index[(key, parent_key)] = edge
                    edges.append(edge)
                    if parent_key in nodes:
                        continue
                    kind_hint = NodeKind.DATASET if claims[0].kind is RepoKind.DATASET else NodeKind.MODEL
                    if pref is None:
                        nodes[parent_key] = GraphNode(
                            key=parent_key,
                            ref=RepoRef(repo_id=claims[0].target[:200] or "?", kind=claims[0].kind),
                            kind=kind_hint,
                            depth=depth + 1,
                            unresolved_reason=(
                                f"{claims[0].target!r} is neither a Hub id nor a folder next to the model"
                            ),
                        )
                        continue
                    if depth + 1 > max_depth:
                        nodes[parent_key] = GraphNode(
                            key=parent_key,
                            ref=pref,
                            kind=kind_hint,
                            depth=depth + 1,
                            unresolved_reason=f"not followed: beyond --max-depth {max_depth}",
                        )
                        truncated = f"max depth {max_depth} reached"
                        continue
                    # placeholder keeps the node count exact while the fetch is in flight
                    nodes[parent_key] = GraphNode(key=parent_key, ref=pref, kind=kind_hint, depth=depth + 1)
                    if read_inline(pref, fetcher.inline):  # read below, in this order
                        pending.append((parent_key, pref, kind_hint, None))
                        continue
                    fut = fetcher.submit(parent_key, pref, depth + 1)
                    assert fut is not None
                    pending.append((parent_key, pref, kind_hint, fut))
            next_frontier: list[str] = []
            for parent_key, pref, kind_hint, fut in pending:
                outcome = fetcher.fetch_now(pref, depth + 1) if fut is None else fut.result()
                if isinstance(outcome, ModelAuditError):
                    nodes[parent_key] = GraphNode(
                        key=parent_key,
                        ref=pref,
                        kind=kind_hint,
                        depth=depth + 1,
                        unresolved_reason=outcome.message,
                    )
                    continue
                fetched, groups_of[parent_key] = outcome
                nodes[parent_key] = GraphNode(
                    key=parent_key, ref=pref, kind=node_kind(fetched, pref), depth=depth + 1, record=fetched
                )
                next_frontier.append(parent_key)
            if progress is not None:
                progress(len(nodes))
            frontier = next_frontier
            depth += 1
    except BaseException:  # Ctrl-C or a bug: do not sit waiting for requests nobody will read
        fetcher.close(wait=False)
        raise
    fetcher.close()
    findings: list[Finding] = local_bases
    if dropped:
        truncated = f"node cap of {max_nodes} reached"
        findings.append(_cap_finding(root_key, max_nodes, dropped))
    return LineageGraph(root=root_key, nodes=nodes, edges=edges, findings=findings, truncated=truncated)


def _group_claims(child: RepoRecord) -> list[Group]:
    """The child's claims grouped by the parent they name, in declaration order."""
    groups: dict[str, tuple[RepoRef | None, list[ParentClaim]]] = {}
    for claim in child.parents:
        ref = parent_ref(claim, child)
        key = _claim_key(claim, ref)
        if key in groups:
            groups[key][1].append(claim)
        else:
            groups[key] = (ref, [claim])
    return [(key, ref, claims) for key, (ref, claims) in groups.items()]


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    return list(dict.fromkeys(evidence))


def _add_evidence(edge: Edge, claims: list[ParentClaim]) -> None:
    edge.evidence = _dedupe([*edge.evidence, *(c.evidence for c in claims)])


def _machine_path(target: str, child: RepoRecord) -> bool:
    """A base path that names a folder on the machine that made the model, so no repo to look for.

    In a local checkout a relative path (``../base``) means a folder of that checkout: when it is missing,
    the parent stays an unresolved node like any other. Anywhere else (a Hub or cache repo), and for
    absolute, home or drive paths everywhere, the path can only be the trainer's.
    """
    if not is_local_path(target):
        return False
    relative = target.strip().startswith(".")  # ./x, ../x, .\\x
    return not (child.ref.local_path and relative)


def _local_base_finding(child: str, claims: list[ParentClaim]) -> Finding:
    where = ", ".join(dict.fromkeys(c.evidence.source for c in claims))
    return make_finding(
        spec("lineage-unresolved"),
        child,
        f"{child}: its base is named by a local path, {claims[0].target!r} ({where}), not by a Hub id; "
        "that base was not followed and its license is unchecked",
        _dedupe([c.evidence for c in claims]),
        severity=Severity.NOTE,
        how_to_fix="Name the base model by its Hub id (card base_model, or base_model_name_or_path in "
        "adapter_config.json) so that its license can be checked.",
    )


def _outside_hub_finding(child: str, claims: list[ParentClaim]) -> Finding:
    from modelaudit.catalog import make_finding, spec

    name = claims[0].target.strip()[len("other-") :]
    return make_finding(
        spec("lineage-unresolved"),
        child,
        f"{child}: its card names a source dataset outside the Hub, {name!r} (source_datasets: "
        f"{claims[0].evidence.value!r}); it was not followed and its terms are unchecked",
        _dedupe([c.evidence for c in claims]),
        severity=Severity.NOTE,
        how_to_fix="Check the terms of that source by hand, or name it by its Hub id if it is on the Hub.",
    )


def _cap_finding(root: str, max_nodes: int, dropped: list[str]) -> Finding:
    names = sorted(set(dropped))
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    return make_finding(
        spec("lineage-unresolved"),
        root,
        f"lineage crawl stopped at the node cap of {max_nodes}; {len(names)} parent(s) not followed: {shown}",
        [Evidence(source="lineage:max_nodes", value=str(max_nodes))],
        severity=Severity.WARNING,
        how_to_fix="Raise --max-nodes, or audit the unfollowed parents separately.",
    )
