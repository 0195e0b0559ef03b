"""The speed-ups that make the code less plain than it could be, each with the switch that turns it off.

A speed-up stays in modelaudit only while a same-run A/B of ``benchmarks/lineage_core.py`` (which runs each
figure with and without it) shows it gains at least 10 % on a figure users see; the benchmark's docstring
records the last measurements. ``MODELAUDIT_NO_<NAME>=1`` turns speed-up ``NAME`` off; this module is the
only place that reads those variables. With any of them off, results are the same, only slower.
"""

from __future__ import annotations

import os

# name → what it does, and the benchmark figures its A/B is measured on
SPEEDUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "COMPILED_LICENSE_DB": (
        "read the license database compiled at build time instead of parsing and validating license_db/",
        ("tiny",),
    ),
    "GC_TUNING": (
        "pause the cyclic GC while the command loads, then freeze start-up objects and collect every 200 000 "
        "allocations (cli/main.py)",
        ("tiny", "deep"),
    ),
    "MMAP_HASH": (
        "hash a local file through a read-only mmap, in 256 MiB slices handed to hashlib whole, instead of "
        "reading it in 8 MiB pieces (verify/hashing.py)",
        ("full", "verify"),
    ),
    "EARLY_HASH": (
        "scan/verify of a local folder in full hash its large files on --workers threads from the moment the "
        "command's options are checked, while the rest of the command loads (verify/hashpool.py)",
        ("full", "verify"),
    ),
    "INLINE_LOCAL_CRAWL": (
        "read a lineage's local folders on the crawl's own thread, not on its fetch pool (lineage/crawler.py)",
        ("deep",),
    ),
    "SPDX_CACHE": (
        "keep licenseclassifier's matches of a license text in the cache (namespace spdx) instead of matching "
        "it again on every scan (licenses/spdx_text.py)",
        ("tiny",),
    ),
    "FINGERPRINT_CACHE": (
        "keep numpy's fingerprint sample plans and the comparisons in the cache (namespace fingerprint), so a "
        "rescan does not import numpy (verify/fp_cache.py)",
        ("tiny",),
    ),
}


def enabled(name: str) -> bool:
    """Whether speed-up ``name`` is on (it is unless ``MODELAUDIT_NO_<name>=1``)."""
    if name not in SPEEDUPS:
        raise KeyError(name)
    return os.environ.get(f"MODELAUDIT_NO_{name}", "").strip() != "1"


__all__ = ["SPEEDUPS", "enabled"]
