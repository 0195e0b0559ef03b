"""Which models of a fleet need a rescan: compare each stored lineage with where its repos point now.

A model's stored result is still valid when the settings that judged it are unchanged and every Hub repo
in its lineage (the model itself and each ancestor) still points at the commit, gated status and
resolvability recorded in its report. Each distinct repo is asked once per run, with one light request
(``HubSource.current_state``: commit, lastModified, gated), however many models share it; refs pinned to
a 40-hex commit are immutable and not asked at all.

Whatever cannot be checked (local folders, offline runs, a failed request) counts as changed: a result is
only reused when it is known to be current.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

from modelaudit.errors import GatedRepoError, ModelAuditError, RepoNotFoundError, RevisionNotFoundError
from modelaudit.fleet.store import RepoStateRow
from modelaudit.models import Node, NodeKind, RepoKind, RepoRef, ScanReport, SourceKind
from modelaudit.sources import SourceSet
from modelaudit.targets import is_commit, valid_repo_id

GONE = "not-found"
GATED = "gated"


def node_ref(node: Node) -> RepoRef | None:
    """The Hub ref behind a report node, or None when it is not a Hub repo (folders, unparseable ids)."""
    if node.source in (SourceKind.LOCAL, SourceKind.CACHE):
        return None
    if not node.resolved and (node.unresolved_reason or "").startswith(("not followed", "'")):
        return None  # never looked up (depth limit) or not a Hub id at all
    return ref_from_id(node.id)


def ref_from_id(node_id: str) -> RepoRef | None:
    """``org/name``, ``org/name@rev`` or ``datasets/org/name[@rev]`` as a ref; None for anything else."""
    ident, kind = node_id, RepoKind.MODEL
    if ident.startswith("datasets/"):
        ident, kind = ident[len("datasets/") :], RepoKind.DATASET
    revision: str | None = None
    if "@" in ident:
        ident, revision = ident.split("@", 1)
    if not valid_repo_id(ident):
        return None
    return RepoRef(repo_id=ident, kind=kind, revision=revision or None)


LISTING_PAGE = 1000  # repos per page of the Hub's model/dataset listing


def check_repos(
    sources: SourceSet,
    refs: Iterable[RepoRef],
    *,
    workers: int = 8,
    parents: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, RepoStateRow]:
    """Current state of each ref (key: ``RepoRef.key``).

    Repos on their default branch are grouped by owner: for an owner with several of them, the Hub's
    listing of that owner's repos (``expand=sha,lastModified,gated``, 1,000 per page) answers them all in
    one request per page, paging at most about half as many pages as repos wanted. Models left alone in
    their owner's group (a fleet of one-repo owners) are grouped by a base model they share (``parents``:
    ref key → the Hub ids of its model parents, from the stored lineage): the Hub's listing of that base's
    children (``filter=base_model:<id>``) answers them the same way. What no listing shows (a pinned branch,
    a deleted or private repo, a repo alone in both groupings, a failed listing) is asked one by one,
    ``workers`` at a time, with one light request each.
    """
    from modelaudit.sources.hub import HubSource

    hub = sources.get(SourceKind.HUB)
    assert isinstance(hub, HubSource)
    todo = dict(sorted({r.key: r for r in refs}.items()))
    if not todo:
        return {}
    out: dict[str, RepoStateRow] = {}
    groups: dict[tuple[str, RepoKind], set[str]] = {}
    for ref in todo.values():
        if ref.revision is None and "/" in ref.repo_id:
            groups.setdefault((ref.repo_id.split("/", 1)[0], ref.kind), set()).add(ref.repo_id)
    listings = [(owner, kind, wanted) for (owner, kind), wanted in sorted(groups.items()) if len(wanted) >= 2]
    alone = {
        rid
        for (_owner, kind), wanted in groups.items()
        if len(wanted) == 1 and kind is RepoKind.MODEL
        for rid in wanted
    }
    families = _families(alone, parents or {})

    def listed(job: tuple[str, RepoKind, set[str]]) -> list[RepoStateRow]:
        owner, kind, wanted = job
        pages = LISTING_PAGE * max(1, len(wanted) // 2)
        try:
            if owner.startswith("base_model:"):
                states = hub.children_states(owner[len("base_model:") :], wanted, max_items=pages)
            else:
                states = hub.author_states(owner, kind, wanted, max_items=pages)
        except ModelAuditError:
            return []  # asked one by one below
        prefix = "datasets/" if kind is RepoKind.DATASET else ""
        return [
            RepoStateRow(repo=prefix + rid, commit_sha=s.commit, last_modified=s.last_modified, gated=s.gated)
            for rid, s in states.items()
        ]

    def one(ref: RepoRef) -> RepoStateRow:
        try:
            state = hub.current_state(ref)
        except (RepoNotFoundError, RevisionNotFoundError):
            return RepoStateRow(repo=ref.key, status=GONE)
        except GatedRepoError:
            return RepoStateRow(repo=ref.key, gated=True, status=GATED)
        except ModelAuditError as exc:
            return RepoStateRow(repo=ref.key, status=f"unchecked: {exc.message}"[:300])
        return RepoStateRow(
            repo=ref.key, commit_sha=state.commit, last_modified=state.last_modified, gated=state.gated
        )

    listings += [(f"base_model:{base}", RepoKind.MODEL, children) for base, children in families]
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="modelaudit-fleet-check") as pool:
        for rows in pool.map(listed, listings):
            out.update((row.repo, row) for row in rows)
        rest = [ref for key, ref in todo.items() if key not in out]
        out.update((row.repo, row) for row in pool.map(one, rest))
    return {key: out[key] for key in todo}


def _families(alone: set[str], parents: Mapping[str, Iterable[str]]) -> list[tuple[str, set[str]]]:
    """Models of ``alone`` grouped under a base they name, the largest groups first; groups of one dropped
    (a listing would cost what asking the repo costs)."""
    by_base: dict[str, set[str]] = {}
    for rid in alone:
        for base in parents.get(rid, ()):
            if valid_repo_id(base):
                by_base.setdefault(base, set()).add(rid)
    out: list[tuple[str, set[str]]] = []
    placed: set[str] = set()
    for base, children in sorted(by_base.items(), key=lambda item: (-len(item[1]), item[0])):
        mine = children - placed
        if len(mine) >= 2:
            out.append((base, mine))
            placed |= mine
    return out


def model_parents(report: ScanReport) -> dict[str, set[str]]:
    """Each Hub node of a stored report (by ref key) → the Hub ids of the models it names as parents."""
    out: dict[str, set[str]] = {}
    kinds = {n.id: n.kind for n in report.nodes}
    for edge in report.edges:
        child, parent = ref_from_id(edge.child), ref_from_id(edge.parent)
        if (
            child is None
            or parent is None
            or parent.kind is not RepoKind.MODEL
            or kinds.get(edge.parent) is NodeKind.DATASET
        ):
            continue
        out.setdefault(child.key, set()).add(parent.repo_id)
    return out


def refs_to_check(report: ScanReport) -> list[RepoRef] | None:
    """The Hub refs a stored report depends on that can move; None when the report cannot be checked."""
    if report.target.source is not SourceKind.HUB:
        return None
    out: list[RepoRef] = []
    for node in report.nodes:
        if node.source in (SourceKind.LOCAL, SourceKind.CACHE):
            return None  # read from disk: no cheap way to know it is unchanged
        ref = node_ref(node)
        if ref is not None and not is_commit(ref.revision):
            out.append(ref)
    return out


def changed_nodes(report: ScanReport, states: dict[str, RepoStateRow]) -> list[str]:
    """Node ids of ``report`` whose repo moved, changed gating, vanished or came back (empty: still current)."""
    out: list[str] = []
    for node in report.nodes:
        ref = node_ref(node)
        if ref is None or is_commit(ref.revision):
            continue
        state = states.get(ref.key)
        if state is None:
            out.append(node.id)
        elif node.resolved:
            if state.status != "ok" or state.commit_sha != node.revision or bool(state.gated) != node.gated:
                out.append(node.id)
        elif state.status == "ok" or state.status.startswith("unchecked"):
            out.append(node.id)  # it resolves again, or we cannot tell
    return out
