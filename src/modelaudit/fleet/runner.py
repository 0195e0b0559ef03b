"""Run a fleet: decide what to rescan, scan it on an engine, keep the rest, write the run to the store.

Engines:

* ``local`` (default): a bounded thread pool of ``workers`` model scans sharing one
  :class:`~modelaudit.fleet.shared.SharedSources` (each repo fetched once for the whole fleet);
* ``ray``: each model scan is a Ray task (:mod:`modelaudit.fleet.ray_engine`), on a local Ray instance or
  the cluster at ``ray_address``; with ``--verify full``, each large file of a local folder is hashed by a
  Ray task of its own first. Reports are the same bytes as the local engine's.

Nothing here prints: progress goes to the ``progress`` callback, results to the returned ``FleetRun``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from modelaudit._version import __version__
from modelaudit.config import env_offline
from modelaudit.fleet.freshness import changed_nodes, check_repos, model_parents, ref_from_id, refs_to_check
from modelaudit.fleet.inventory import FleetEntry, Inventory
from modelaudit.fleet.model_scan import open_shared, scan_entry
from modelaudit.fleet.store import ModelRow, RepoStateRow, Store
from modelaudit.models import RepoRef, ScanReport, empty_list
from modelaudit.pipeline import HashProgress, ScanOptions, generated_at

Engine = Literal["local", "ray"]
DEFAULT_WORKERS = 4


class FleetOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    engine: Engine = "local"
    workers: int = Field(
        default=DEFAULT_WORKERS, ge=1, le=256
    )  # model scans at once (Ray: CPUs of a local Ray)
    ray_address: str | None = None  # join this Ray cluster; None: start a local one
    # Ray engine, --verify full of local folders: files at least this big are hashed as Ray tasks of their
    # own, so one model's shards spread over the workers; the model's scan task takes their digests
    split_hash_bytes: int = Field(default=64 * 1024 * 1024, ge=1)
    incremental: bool = True  # reuse stored results of models whose lineage did not change
    scan: ScanOptions = Field(default_factory=ScanOptions)


class ModelOutcome(BaseModel):
    """One entry's result in this run."""

    entry: FleetEntry
    verdict: str  # pass | fail | error
    report: str | None = None  # the JSON report (what `-f json` writes)
    error: str | None = None
    rescanned: bool = True
    settings: str
    changed: list[str] = Field(default_factory=empty_list)  # why it was rescanned: nodes that moved upstream

    def parsed(self) -> ScanReport | None:
        return ScanReport.model_validate_json(self.report) if self.report else None


class FleetRun(BaseModel):
    run_id: int
    started_at: str
    inventory: str
    engine: Engine
    outcomes: list[ModelOutcome]
    checked_repos: int = 0  # change checks sent (one light request each)
    fetched_repos: int = 0  # repos whose metadata was fetched (memo misses), local engine only
    hash_tasks: int = 0  # Ray engine: files hashed as tasks of their own (split_hash_bytes)
    hashed_ahead: int = 0  # Ray engine: of those, digests the model scans took instead of hashing again


Progress = Callable[[ModelOutcome, int, int], None]  # outcome, done, total
HashingFor = Callable[[str], HashProgress]  # entry spec → its hashing progress (local engine only)


def entry_options(entry: FleetEntry, base: ScanOptions) -> ScanOptions:
    update: dict[str, object] = {}
    if entry.policy:
        update["policy"] = entry.policy
    if entry.waivers:
        update["waivers"] = entry.waivers
    return base.model_copy(update=update) if update else base


def settings_digest(options: ScanOptions) -> str:
    """What judged a model besides its lineage: options, the policy and waiver files' bytes, the version.

    Waivers expire, so a run with waivers is also keyed by the day.
    """
    parts: dict[str, object] = {
        "version": __version__,
        "options": options.model_dump(mode="json", exclude={"timeout", "deadline", "token", "refresh"}),
    }
    for name in ("policy", "waivers"):
        value = getattr(options, name)
        if value and Path(value).is_file():
            parts[f"{name}_bytes"] = hashlib.sha256(Path(value).read_bytes()).hexdigest()
    if options.waivers:
        from modelaudit.policy.waivers import today

        parts["day"] = str(today())
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def plan(
    inventory: Inventory, options: FleetOptions, store: Store | None
) -> tuple[list[ModelOutcome], list[tuple[FleetEntry, ScanOptions, str, list[str]]], dict[str, RepoStateRow]]:
    """Split the inventory into kept results (still current) and entries to scan, with the repo states seen."""
    previous = store.models(run) if store is not None and (run := store.latest_run()) is not None else {}
    offline = options.scan.offline or env_offline()
    todo: list[tuple[FleetEntry, ScanOptions, str, list[str]]] = []
    candidates: list[tuple[FleetEntry, ScanOptions, str, ScanReport, list[RepoRef]]] = []
    for entry in inventory.entries:
        opts = entry_options(entry, options.scan)
        digest = settings_digest(opts)
        if not options.incremental:  # --full: every repo as the Hub has it now, not a cached answer
            opts = opts.model_copy(update={"refresh": True})
        row = previous.get(entry.spec)
        report = row.parsed() if row is not None and row.verdict != "error" else None
        refs = refs_to_check(report) if report is not None else None
        if not options.incremental or offline or row is None or row.settings != digest or refs is None:
            todo.append((entry, opts, digest, []))
        else:
            assert report is not None
            candidates.append((entry, opts, digest, report, refs))
    states: dict[str, RepoStateRow] = {}
    if candidates:
        parents: dict[str, set[str]] = {}
        for c in candidates:
            for child, bases in model_parents(c[3]).items():
                parents.setdefault(child, set()).update(bases)
        states = check_repos(
            open_shared(options.scan),
            [r for c in candidates for r in c[4]],
            workers=2 * options.workers,
            parents=parents,
        )
    kept: list[ModelOutcome] = []
    for entry, opts, digest, report, _refs in candidates:
        moved = changed_nodes(report, states)
        if moved:
            todo.append((entry, opts, digest, moved))
            continue
        row = previous[entry.spec]
        kept.append(
            ModelOutcome(
                entry=entry, verdict=row.verdict, report=row.report, rescanned=False, settings=digest
            )
        )
    return kept, todo, states


def run_fleet(
    inventory: Inventory,
    options: FleetOptions,
    store: Store | None = None,
    progress: Progress | None = None,
    hashing: HashingFor | None = None,
) -> FleetRun:
    """Audit every model of ``inventory``; the run is written to ``store`` when one is given."""
    started = generated_at()
    kept, todo, states = plan(inventory, options, store)
    total = len(inventory.entries)
    done = 0

    def tick(outcome: ModelOutcome) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(outcome, done, total)

    for outcome in kept:
        tick(outcome)
    # repos that moved upstream are read from the Hub again, not from a cached answer that still looks fresh
    refresh = sorted(
        {
            ref.key: ref for *_, moved in todo for node in moved if (ref := ref_from_id(node)) is not None
        }.values(),
        key=lambda r: r.key,
    )
    fetched = 0
    scanned: list[ModelOutcome] = []
    split = None
    if options.engine == "ray" and todo:
        from modelaudit.fleet.ray_engine import SplitHashing, scan_on_ray

        split = SplitHashing()
        for (entry, _opts, digest, moved), (verdict, report, error) in scan_on_ray(
            todo,
            refresh,
            workers=options.workers,
            ray_address=options.ray_address,
            split_hash_bytes=options.split_hash_bytes,
            split=split,
        ):
            outcome = ModelOutcome(
                entry=entry, verdict=verdict, report=report, error=error, settings=digest, changed=moved
            )
            scanned.append(outcome)
            tick(outcome)
    elif todo:
        fresh = options.scan if options.incremental else options.scan.model_copy(update={"refresh": True})
        shared = open_shared(fresh, refresh)
        with ThreadPoolExecutor(max_workers=options.workers, thread_name_prefix="modelaudit-fleet") as pool:
            futures = {
                pool.submit(scan_entry, entry.spec, opts, shared, hashing(entry.spec) if hashing else None): (
                    entry,
                    digest,
                    moved,
                )
                for entry, opts, digest, moved in todo
            }
            try:
                for fut in as_completed(futures):
                    entry, digest, moved = futures[fut]
                    verdict, report, error = fut.result()
                    outcome = ModelOutcome(
                        entry=entry,
                        verdict=verdict,
                        report=report,
                        error=error,
                        settings=digest,
                        changed=moved,
                    )
                    scanned.append(outcome)
                    tick(outcome)
            except BaseException:  # Ctrl-C: drop what has not started, do not wait for it
                for f in futures:
                    f.cancel()
                raise
        fetched = shared.fetches

    order = {e.spec: i for i, e in enumerate(inventory.entries)}
    outcomes = sorted([*kept, *scanned], key=lambda o: order[o.entry.spec])
    run_id = 0
    if store is not None:
        run_id = store.add_run(
            started_at=started,
            inventory=inventory.path,
            engine=options.engine,
            models=[
                ModelRow(
                    entry=o.entry.spec,
                    owner=o.entry.owner,
                    intended_use=o.entry.use,
                    policy=o.entry.policy,
                    verdict=o.verdict,
                    rescanned=o.rescanned,
                    settings=o.settings,
                    error=o.error,
                    report=o.report,
                )
                for o in outcomes
            ],
            states=sorted(states.values(), key=lambda s: s.repo),
        )
    return FleetRun(
        run_id=run_id,
        started_at=started,
        inventory=inventory.path,
        engine=options.engine,
        outcomes=outcomes,
        checked_repos=len(states),
        fetched_repos=fetched,
        hash_tasks=len(split.tasks) if split is not None else 0,
        hashed_ahead=split.taken if split is not None else 0,
    )
