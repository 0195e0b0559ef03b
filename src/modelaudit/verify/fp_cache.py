"""Fingerprint work that is a pure function of its inputs, kept on disk so a rescan does not import numpy.

Two things need numpy in a fingerprint run: the sample positions (``numpy.random.default_rng`` seeded by a
tensor's name and shape, see fingerprint.py; the positions must stay numpy's, or fingerprints stored in
indexes would stop matching) and the correlations of ``compare``. Importing numpy costs 0.1-0.25 s per
process, more than the rest of a small scan, so both results are cached under ``<cache>/fingerprint/``:

* ``plans-<stamp>.json``: (tensor name, shape) → the run starts numpy drew;
* ``compare/<sha256>.json``: the ``Similarity`` of two fingerprints, keyed by both fingerprints' content.

The stamp covers the algorithm and its constants, numpy's version (its generator could change between
releases) and modelaudit's version; entries of another stamp are never read. A missing, unreadable or
damaged entry is computed again with numpy; a cache that cannot be written only costs time.
"""

from __future__ import annotations

import hashlib
import json
import threading
from functools import cache
from pathlib import Path

FORMAT = 1  # bump when what is stored changes shape
_lock = threading.Lock()


@cache
def stamp(algorithm: str, runs: int, run_len: int) -> str:
    """What the cached results depend on besides their keys."""
    from importlib.metadata import PackageNotFoundError, version

    from modelaudit._version import __version__

    try:
        numpy_version = version("numpy")
    except PackageNotFoundError:
        numpy_version = "?"
    text = f"format={FORMAT}|{algorithm}|runs={runs}|run_len={run_len}|numpy={numpy_version}|{__version__}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _root() -> Path:
    from modelaudit.cachedir import default_cache_root

    return default_cache_root() / "fingerprint"


def _write(path: Path, text: str) -> None:
    from modelaudit.cachefile import write_text

    write_text(path, text)


class PlanCache:
    """Run starts per (name, shape), read once per process and written back once if anything was added."""

    def __init__(self, stamp_: str) -> None:
        self._path = _root() / f"plans-{stamp_}.json"
        self._plans: dict[str, list[int]] | None = None
        self._added = False

    @staticmethod
    def key(name: str, shape: tuple[int, ...] | list[int]) -> str:
        return f"{name}|{list(shape)}"

    def _load(self) -> dict[str, list[int]]:
        if self._plans is None:
            plans: dict[str, list[int]] = {}
            try:
                doc = json.loads(self._path.read_bytes())
                if isinstance(doc, dict):
                    for k, v in doc.items():
                        if isinstance(v, list) and all(type(i) is int and i >= 0 for i in v):
                            plans[k] = v
            except (OSError, ValueError):
                pass
            self._plans = plans
        return self._plans

    def get(self, key: str) -> list[int] | None:
        with _lock:
            return self._load().get(key)

    def put(self, key: str, starts: list[int]) -> None:
        with _lock:
            self._load()[key] = list(starts)
            self._added = True

    def save(self) -> None:
        with _lock:
            if not self._added or self._plans is None:
                return
            merged: dict[str, list[int]] = {}
            try:  # keep what other runs added meanwhile
                doc = json.loads(self._path.read_bytes())
                if isinstance(doc, dict):
                    merged.update({k: v for k, v in doc.items() if isinstance(v, list)})
            except (OSError, ValueError):
                pass
            merged.update(self._plans)
            _write(self._path, json.dumps(merged, separators=(",", ":"), sort_keys=True))
            self._added = False


def compare_path(stamp_: str, canon_a: str, canon_b: str) -> Path:
    h = hashlib.sha256(f"{stamp_}\0{canon_a}\0{canon_b}".encode())
    return _root() / "compare" / f"{h.hexdigest()}.json"


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None


def write_text(path: Path, text: str) -> None:
    _write(path, text)
