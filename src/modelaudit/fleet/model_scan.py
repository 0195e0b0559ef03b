"""One model's scan within a fleet run, the same on every engine.

Both engines call :func:`scan_entry` with a :class:`~modelaudit.fleet.shared.SharedSources` from
:func:`open_shared`: the local engine in its thread pool (:mod:`modelaudit.fleet.runner`), the Ray engine in
each worker process (:mod:`modelaudit.fleet.ray_engine`). Living below both, this module is what lets the
runner pick an engine without the Ray engine importing the runner back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from modelaudit.config import env_offline
from modelaudit.errors import ModelAuditError
from modelaudit.fleet.shared import SharedSources
from modelaudit.models import RepoRef
from modelaudit.pipeline import HashProgress, ScanOptions

if TYPE_CHECKING:
    from modelaudit.verify.hashpool import HashPool


def open_shared(options: ScanOptions, refresh: list[RepoRef] | None = None) -> SharedSources:
    from modelaudit.sources.metadata_cache import MetadataCache

    return SharedSources(
        refresh=refresh or [],
        offline=options.offline or env_offline(),
        endpoint=options.endpoint,
        token=options.token,
        cache_dir=options.cache_dir,
        timeout=options.timeout,
        deadline=None,  # a fleet is long; --deadline bounds each model's scan in the ray engine and CLI docs
        metadata_cache=(
            None
            if options.no_cache
            else MetadataCache(endpoint=options.endpoint, ttl=0 if options.refresh else None)
        ),
    )


def scan_entry(
    spec: str,
    options: ScanOptions,
    sources: SharedSources,
    hashing: HashProgress | None = None,
    pool: HashPool | None = None,
) -> tuple[str, str | None, str | None]:
    """(verdict, JSON report, error message) of one model; a model that cannot be audited is an ``error``.

    ``pool``: digests of the model's files computed elsewhere (the Ray engine's hashing tasks)."""
    from modelaudit import pipeline

    try:
        report = pipeline.scan(spec, options, sources=sources, hashing=hashing, pool=pool)
    except ModelAuditError as exc:
        message = exc.message + (f" (hint: {exc.hint})" if exc.hint else "")
        return "error", None, message
    except Exception as exc:  # a bug met on one model must not lose the other models' results
        return (
            "error",
            None,
            (
                f"internal error: {type(exc).__name__}: {exc} (run `modelaudit --debug scan {spec}` for details)"
            )[:2000],
        )
    return report.verdict.value, report.model_dump_json(indent=2) + "\n", None
