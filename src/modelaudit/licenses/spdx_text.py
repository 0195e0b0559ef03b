"""Recognise SPDX license texts: which SPDX licenses a text holds, where, and how much of it they cover.

The matching is done by the ``licenseclassifier`` package (a pure-Python port of Google's licensecheck:
every SPDX license with a matching template, ~700 of them, as word-level patterns with the optional and
variable parts of each template; no native code, no network). We chose it over ``pyaskalono`` (Sørensen-Dice
over word bigrams, native, reloads its store on every call: ~0.2 s each) because on the LICENSE files of the
packages in our dev venv askalono named close SPDX variants with high scores (requests' Apache-2.0 → Pixar at
0.985, jsonpointer's BSD-3-Clause → BSD-3-Clause-HP at 0.945), while licenseclassifier's pattern matches named
none wrongly; and over scancode-toolkit, whose index alone is hundreds of megabytes and whose install pulls
native extractors.

The result is the *coverage*: the share of the text's words that lie inside a recognised license text (or a
license URL), and the recognised regions in text order. A file can hold several licenses (a project license
followed by bundled third-party licenses); each region keeps its own id.

We call the package's scanner (``licenseclassifier._engine``) rather than its ``identify_license`` wrapper,
which drops the coverage figure we report as the score; pyproject.toml bounds the version for that reason.

The pattern set is loaded on the first call (~0.2 s) and kept: a metadata scan that reads no license file
never pays for it. A scan is a pure function of the text and the matcher, so its result is also kept in
modelaudit's cache (namespace ``spdx``, keyed by the text and the matcher's version): a rescan of the same
LICENSE file skips both the pattern set and the match (0.2-0.7 s; speed-up ``SPDX_CACHE``, whose A/B is in
benchmarks/lineage_core.py). An unreadable or damaged entry is scanned again.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from licenseclassifier._engine import Scanner

    from modelaudit.cachefile import Cache


class Region(NamedTuple):
    """One recognised license text (or license URL) in the scanned text; offsets are characters."""

    id: str  # SPDX id as the matcher names it (deprecated ids such as ``GPL-3.0`` included)
    start: int
    end: int
    url: bool = False  # a license URL rather than the license text


class SpdxScan(NamedTuple):
    coverage: float  # 0..1: share of the text's words inside recognised regions
    regions: tuple[Region, ...]

    def ids(self) -> list[str]:
        """The distinct ids found, in order of first appearance."""
        return list(dict.fromkeys(r.id for r in self.regions))

    def share(self, license_id: str) -> float:
        """Approximate coverage of one id: the total coverage split by the characters of each id's regions."""
        sizes: dict[str, int] = {}
        for r in self.regions:
            sizes[r.id] = sizes.get(r.id, 0) + max(1, r.end - r.start)
        total = sum(sizes.values())
        return self.coverage * sizes.get(license_id, 0) / total if total else 0.0

    def best(self) -> tuple[str, float] | None:
        """The id with the largest share and that share, or None when nothing was recognised."""
        ids = self.ids()
        if not ids:
            return None
        top = max(ids, key=lambda i: (self.share(i), i))
        return top, self.share(top)


@cache
def _scanner() -> Scanner:
    from licenseclassifier._engine import builtin_scanner

    return builtin_scanner()


@cache
def _matcher_version() -> str:
    """The installed licenseclassifier's version: part of every cached result's key.

    Read from the name of the ``licenseclassifier-<version>.dist-info`` folder beside the package that
    imports (the installed-wheel layout names it so): ``importlib.metadata.version`` would parse the whole
    METADATA file as an e-mail message, ~10 ms of every scan, to read that one value. Anything else (no
    such folder, several) asks importlib.metadata."""
    import importlib.util
    import os

    prefix, suffix = "licenseclassifier-", ".dist-info"
    spec = importlib.util.find_spec("licenseclassifier")  # finds the package without importing it
    for where in (spec.submodule_search_locations or []) if spec is not None else []:
        site = os.path.dirname(where)
        try:
            names = [n for n in os.listdir(site) if n.startswith(prefix) and n.endswith(suffix)]
        except OSError:
            break
        if len(names) == 1 and "-" not in names[0][len(prefix) : -len(suffix)]:
            return names[0][len(prefix) : -len(suffix)]
        break
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("licenseclassifier")
    except PackageNotFoundError:
        return "?"


def _from_json(doc: Any) -> SpdxScan:
    """A cached scan; ValueError when the document is not one."""
    if not isinstance(doc, dict) or not isinstance(doc.get("regions"), list):
        raise ValueError("not a cached scan")
    coverage = doc.get("coverage")
    if not isinstance(coverage, (int, float)) or isinstance(coverage, bool):
        raise ValueError("not a cached scan")
    regions = []
    for r in doc["regions"]:
        if not (
            isinstance(r, list)
            and len(r) == 4
            and isinstance(r[0], str)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in r[1:3])
            and isinstance(r[3], bool)
        ):
            raise ValueError("not a cached scan")
        regions.append(Region(r[0], r[1], r[2], r[3]))
    return SpdxScan(float(coverage), tuple(regions))


def _scan_uncached(text: str) -> SpdxScan:
    cov = _scanner().scan(text)
    regions = tuple(Region(m.id, m.start, m.end, m.is_url) for m in cov.match)
    return SpdxScan(round(min(100.0, cov.percent) / 100.0, 4), regions)


def scan_spdx(text: str, *, cache: Cache | None = None) -> SpdxScan:
    """Every SPDX license text (and license URL) recognised in ``text``. The result is kept in ``cache``
    (default: modelaudit's cache) under the text and the matcher's version; speed-up ``SPDX_CACHE``."""
    if not text.strip():
        return SpdxScan(0.0, ())
    from modelaudit import cachefile, speedups

    if cache is None:
        cache = cachefile.default()
    if not speedups.enabled("SPDX_CACHE"):
        cache = cachefile.Cache.off()
    entry = cachefile.key(_matcher_version(), text)
    doc = cache.get("spdx", entry)
    if doc is not None:
        try:
            return _from_json(doc)
        except ValueError:  # damaged: scan again
            pass
    scan = _scan_uncached(text)
    regions = [[r.id, r.start, r.end, r.url] for r in scan.regions]
    cache.put("spdx", entry, {"coverage": scan.coverage, "regions": regions})
    return scan


__all__ = ["Region", "SpdxScan", "scan_spdx"]
