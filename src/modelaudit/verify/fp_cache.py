"""Fingerprint work that is a pure function of its inputs, kept in modelaudit's cache (namespace
``fingerprint``) so a rescan does not import numpy.

Two things need numpy in a fingerprint run: the sample positions (``numpy.random.default_rng`` seeded by a
tensor's name and shape, see fingerprint.py; the positions must stay numpy's, or fingerprints stored in
indexes would stop matching) and the correlations of ``compare``. Importing numpy costs 0.1-0.25 s per
process, more than the rest of a small scan, so both results are kept (speed-up ``FINGERPRINT_CACHE``, whose
A/B is in benchmarks/lineage_core.py):

* the sample plans: one entry per algorithm, (tensor name, shape) → the run starts numpy drew;
* a comparison: the ``Similarity`` of two fingerprints, keyed by both fingerprints' content.

Keys hold the algorithm and its constants and numpy's version (its generator could change between
releases). A missing, unreadable or damaged entry is computed again with numpy.
"""

from __future__ import annotations

import threading
from functools import cache

from modelaudit import cachefile, speedups
from modelaudit.cachefile import Cache

NAMESPACE = "fingerprint"


@cache
def stamp(algorithm: str, runs: int, run_len: int) -> str:
    """What the kept results depend on besides their own inputs."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        numpy_version = version("numpy")
    except PackageNotFoundError:
        numpy_version = "?"
    return f"{algorithm}|runs={runs}|run_len={run_len}|numpy={numpy_version}"


def use(cache: Cache | None) -> Cache:
    """The cache a fingerprint run keeps its results in: ``cache`` (default: modelaudit's), or none when
    speed-up ``FINGERPRINT_CACHE`` is off."""
    if not speedups.enabled("FINGERPRINT_CACHE"):
        return Cache.off()
    return cache if cache is not None else cachefile.default()


class PlanCache:
    """Run starts per (name, shape): read once per fingerprint run, written back once if anything was added
    (merged with what other runs added meanwhile)."""

    def __init__(self, cache: Cache, stamp_: str) -> None:
        self._cache = cache
        self._entry = cachefile.key("plans", stamp_)
        self._plans: dict[str, list[int]] | None = None
        self._added = False
        self._lock = threading.Lock()

    @staticmethod
    def key(name: str, shape: tuple[int, ...] | list[int]) -> str:
        return f"{name}|{list(shape)}"

    def _read(self) -> dict[str, list[int]]:
        doc = self._cache.get(NAMESPACE, self._entry)
        plans: dict[str, list[int]] = {}
        if isinstance(doc, dict):
            for k, v in doc.items():
                if isinstance(v, list) and all(type(i) is int and i >= 0 for i in v):
                    plans[k] = v
        return plans

    def get(self, key: str) -> list[int] | None:
        with self._lock:
            if self._plans is None:
                self._plans = self._read()
            return self._plans.get(key)

    def put(self, key: str, starts: list[int]) -> None:
        with self._lock:
            if self._plans is None:
                self._plans = self._read()
            self._plans[key] = list(starts)
            self._added = True

    def save(self) -> None:
        with self._lock:
            if not self._added or self._plans is None:
                return
            merged = {**self._read(), **self._plans}
            self._cache.put(NAMESPACE, self._entry, dict(sorted(merged.items())))
            self._added = False


def compare_key(stamp_: str, canon_a: str, canon_b: str) -> str:
    return cachefile.key("compare", stamp_, canon_a, canon_b)
