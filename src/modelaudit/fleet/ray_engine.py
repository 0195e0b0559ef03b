"""The Ray engine: each model scan is a Ray task, on a local Ray instance or an existing cluster.

Needs the ``[ray]`` extra (``pip install "modelaudit-provenance[ray]"``). With ``ray_address`` the run
joins that cluster (``ray.init(address=...)``); otherwise it starts a local instance with ``workers`` CPUs,
no dashboard and a small object store, and stops it afterwards.

Every model task runs :func:`modelaudit.fleet.model_scan.scan_entry`, the same function the local engine
runs, in the driver's working directory and with the driver's Hugging Face / modelaudit environment, so
reports are the same bytes whichever engine produced them. That environment reaches the worker processes
through ``runtime_env`` (Ray sets it when it starts a worker for it, before ``huggingface_hub`` is imported
there), so the library's settings are read from it as in any process; nothing is patched at run time. Within one worker process
the tasks share a :class:`~modelaudit.fleet.shared.SharedSources`; across processes they share the on-disk
metadata cache.

Hashing is split per file: with ``--verify full``, each file of a local folder of at least
``split_hash_bytes`` (64 MiB by default) is hashed by a task of its own, and the model's task runs once they
are done, with their digests in a :class:`~modelaudit.verify.hashpool.HashPool`. A digest is used only
for the file it came from (same real path, device, inode, size and mtime; verify/hashpool.py), so on a
cluster whose nodes see the folder through different mounts the model's task simply hashes the file again.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from modelaudit.errors import ModelAuditError, UsageError

if TYPE_CHECKING:
    from modelaudit.fleet.inventory import FleetEntry
    from modelaudit.models import RepoRef
    from modelaudit.pipeline import ScanOptions

# the environment a scan reads; passed to every task so a worker sees what the driver sees
ENV_PREFIXES = ("HF_", "MODELAUDIT_", "HUGGINGFACE_")
ENV_NAMES = ("SOURCE_DATE_EPOCH", "NO_PROXY", "no_proxy", "TRANSFORMERS_OFFLINE")
LOCAL_OBJECT_STORE_BYTES = 128 * 1024 * 1024

Todo = tuple["FleetEntry", "ScanOptions", str, list[str]]
Result = tuple[str, str | None, str | None, int]  # verdict, report, error, digests taken from hash tasks

_worker_sources: dict[str, Any] = {}  # per worker process: options JSON → SharedSources


def import_ray() -> Any:
    # A loaded machine can take longer than Ray's defaults to start a local node's agents; the raylet then
    # aborts. Both settings are read when ray is imported / the raylet starts, so they are set before that.
    os.environ.setdefault("RAY_raylet_start_wait_time_s", "180")
    os.environ.setdefault("RAY_agent_register_timeout_ms", "300000")
    try:
        import ray
    except ImportError:
        raise UsageError(
            "--engine ray needs Ray, which is not installed",
            hint='pip install "modelaudit-provenance[ray]"',
        ) from None
    return ray


def driver_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIXES) or k in ENV_NAMES}


@dataclass
class SplitHashing:
    """What the split hashing did in one run: the Ray tasks that hashed a file, the digests scans took."""

    tasks: set[str] = field(default_factory=set)
    taken: int = 0


def _hash_task(path: str) -> dict[str, Any]:
    """Body of a Ray task hashing one large file: its digests with the file's identity (or None when it
    could not be read or changed meanwhile: the model's scan then hashes it itself, and reports what it
    meets), and which task did it."""
    from modelaudit.verify.hashpool import hash_file

    try:
        item = hash_file(path)
    except Exception:  # never fails the model's scan task, which takes this as an argument
        item = None
    task = ray_task_id()
    return {"digests": item.to_json() if item is not None else None, "task": task}


def ray_task_id() -> str:
    import ray

    return str(ray.get_runtime_context().get_task_id())


def _scan_task(spec: str, options_json: str, refresh_json: str, cwd: str, *hashed: dict[str, Any]) -> Result:
    """Body of a Ray task (runs in a worker process). ``hashed``: the results of this model's hashing tasks
    (Ray passes them once they are all done)."""
    from pydantic import TypeAdapter

    from modelaudit.fleet.model_scan import open_shared, scan_entry
    from modelaudit.models import RepoRef
    from modelaudit.pipeline import ScanOptions
    from modelaudit.verify.hashpool import Hashed, HashPool

    if os.getcwd() != cwd:
        os.chdir(cwd)  # node ids of folders are relative to the working directory, as on the driver
    options = ScanOptions.model_validate_json(options_json)
    key = options_json + refresh_json + os.environ.get("HF_ENDPOINT", "")
    shared = _worker_sources.get(key)
    if shared is None:
        refresh = TypeAdapter(list[RepoRef]).validate_json(refresh_json)
        shared = _worker_sources[key] = open_shared(options, refresh)
    registry = None
    if hashed:
        registry = HashPool()
        for result in hashed:
            doc = result.get("digests")
            if isinstance(doc, dict):
                registry.add(Hashed.from_json(doc))
    verdict, report, error = scan_entry(spec, options, shared, pool=registry)
    return verdict, report, error, registry.hits if registry is not None else 0


def use_cluster_token() -> None:
    """Present the Ray auth token when joining a cluster, as the head expects by default.

    With Ray 2.60 (what we test with) a head started by ``ray start`` requires token authentication unless
    ``RAY_AUTH_MODE`` says otherwise, but a driver joining with ``ray.init(address=...)`` sends its token only
    when ``RAY_AUTH_MODE=token`` is set: without it the join fails after half a minute of retries. So when the mode
    is unset and a token is at hand (``RAY_AUTH_TOKEN``, ``RAY_AUTH_TOKEN_PATH`` or ``~/.ray/auth_token``),
    token mode is switched on for this process. A head without authentication accepts such a driver too.
    """
    if os.environ.get("RAY_AUTH_MODE"):
        return
    path = os.environ.get("RAY_AUTH_TOKEN_PATH") or os.path.join(
        os.path.expanduser("~"), ".ray", "auth_token"
    )
    if os.environ.get("RAY_AUTH_TOKEN") or os.path.isfile(path):
        os.environ["RAY_AUTH_MODE"] = "token"


def check_reachable(address: str, timeout: float = 10.0) -> None:
    """Refuse a ``host:port`` (or ``ray://host:port``) nobody answers on: Ray itself would retry forever."""
    import socket

    target = address.split("://", 1)[-1]
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto", or a form Ray resolves itself
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise ModelAuditError(
            f"could not join the Ray cluster at {address}: nothing answers there ({exc.strerror or exc})",
            hint="check --ray-address / RAY_ADDRESS (the head's GCS address, e.g. head:6379), "
            "or run with --engine local",
        ) from None


def split_files(spec: str, options: ScanOptions, min_bytes: int) -> list[str]:
    """The files of a model that are hashed as Ray tasks of their own: those of at least ``min_bytes`` of a
    local folder verified in full (the default for folders), absolute paths, the largest first."""
    from modelaudit.models import VerifyMode
    from modelaudit.verify.hashpool import large_files

    if options.verify not in (None, VerifyMode.FULL) or not os.path.isdir(spec):
        return []
    return [os.path.abspath(p) for p in large_files(spec, min_bytes)]


def scan_on_ray(
    todo: list[Todo],
    refresh: list[RepoRef],
    *,
    workers: int,
    ray_address: str | None,
    split_hash_bytes: int,
    split: SplitHashing | None = None,
) -> Iterator[tuple[Todo, tuple[str, str | None, str | None]]]:
    """Scan every entry of ``todo`` as a Ray task; yields results as tasks finish.

    ``ray_address``: the cluster to join (None: a local instance of ``workers`` CPUs, stopped afterwards).
    With ``--verify full``, every file of at least ``split_hash_bytes`` of a local folder is hashed
    by a Ray task of its own, so one model's shards are hashed on all workers; the model's scan task gets
    their digests (verify/hashpool.py) and runs once they are done. ``split`` collects what they did."""
    import json

    if ray_address:
        use_cluster_token()  # before ray is imported: it reads the mode once, into its config
    ray = import_ray()
    started_here = False
    if not ray.is_initialized():
        if ray_address:
            check_reachable(ray_address)
        try:
            if ray_address:
                ray.init(address=ray_address, include_dashboard=False, log_to_driver=False)
            else:
                # "local": an instance of our own, even where /tmp/ray names one that is still running (a
                # test's, another user's): a plain ray.init() joins that one, and refuses num_cpus for it
                ray.init(
                    address="local",
                    num_cpus=workers,
                    object_store_memory=LOCAL_OBJECT_STORE_BYTES,
                    include_dashboard=False,
                    log_to_driver=False,
                )
        except Exception as exc:  # Ray raises plain exceptions for a cluster it cannot join or start
            with contextlib.suppress(Exception):
                ray.shutdown()
            where = f"join the Ray cluster at {ray_address}" if ray_address else "start a local Ray instance"
            raise ModelAuditError(
                f"could not {where}: {type(exc).__name__}: {str(exc)[:300]}",
                hint=(
                    "check --ray-address; a cluster with token authentication needs its token in "
                    "RAY_AUTH_TOKEN or ~/.ray/auth_token (or run with --engine local)"
                    if ray_address
                    else "run with --engine local"
                ),
            ) from None
        started_here = True
    try:
        env = {"env_vars": driver_env()}
        task = ray.remote(num_cpus=1, max_retries=1)(_scan_task).options(runtime_env=env)
        hash_task = ray.remote(num_cpus=1, max_retries=1)(_hash_task).options(runtime_env=env)
        refresh_json = json.dumps([r.model_dump(mode="json") for r in refresh])
        cwd = os.getcwd()
        # every hashing task first, so that they fill the workers while the scans wait for their digests
        hashes = [
            [hash_task.remote(path) for path in split_files(entry.spec, opts, split_hash_bytes)]
            for entry, opts, _digest, _moved in todo
        ]
        pending = {
            task.remote(entry.spec, opts.model_dump_json(), refresh_json, cwd, *refs): (
                (entry, opts, digest, moved),
                refs,
            )
            for (entry, opts, digest, moved), refs in zip(todo, hashes, strict=True)
        }
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                item, refs = pending.pop(ref)
                verdict, report, error, taken = ray.get(ref)
                if split is not None:
                    split.taken += taken
                    split.tasks.update(str(r["task"]) for r in ray.get(refs))
                yield item, (verdict, report, error)
    finally:
        if started_here:
            ray.shutdown()
