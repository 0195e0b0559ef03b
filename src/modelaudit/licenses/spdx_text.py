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
never pays for it. A scan is a pure function of the text and the matcher, so its result is also kept on disk
(``<cache>/license_db/spdx/``, next to the compiled license database), keyed by the SHA-256 of the text and a
stamp of the matcher (its version and files, this module's format, modelaudit's version): a rescan of the same
LICENSE file skips both the pattern set and the match (0.2-0.7 s). A result from another matcher version is
never read; an unreadable or damaged entry is scanned again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from licenseclassifier._engine import Scanner


@dataclass(frozen=True)
class Region:
    """One recognised license text (or license URL) in the scanned text; offsets are characters."""

    id: str  # SPDX id as the matcher names it (deprecated ids such as ``GPL-3.0`` included)
    start: int
    end: int
    url: bool = False  # a license URL rather than the license text


@dataclass(frozen=True)
class SpdxScan:
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


CACHE_FORMAT = 1  # bump when the cached form of a scan changes shape


@cache
def _matcher_stamp() -> str:
    """What a scan's result depends on besides the text: the matcher package's files (size and mtime of the
    module and its pattern data) and its installed version (the name of its ``.dist-info`` folder), all
    found without importing it or reading package metadata, this cache's format and ours."""
    from importlib.util import find_spec

    from modelaudit._version import __version__

    parts = [f"format={CACHE_FORMAT}", f"modelaudit={__version__}"]
    spec = find_spec("licenseclassifier")
    if spec is None or not spec.origin:
        parts.append("licenseclassifier=?")
    else:
        folder = Path(spec.origin).parent
        dist = sorted(p.name for p in folder.parent.glob("licenseclassifier-*.dist-info"))
        parts.append(f"licenseclassifier={','.join(dist) or '?'}")
        for f in sorted(folder.rglob("*")):
            if "__pycache__" in f.parts or not f.is_file():
                continue
            try:
                st = f.stat()
            except OSError:
                continue
            parts.append(f"{f.relative_to(folder).as_posix()}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


def _cache_path(text: str) -> Path:
    from modelaudit.cachedir import default_cache_root

    key = hashlib.sha256(_matcher_stamp().encode() + b"\0" + text.encode("utf-8", "surrogatepass"))
    return default_cache_root() / "license_db" / "spdx" / f"{key.hexdigest()}.json"


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


def _read_cached(path: Path) -> SpdxScan | None:
    from modelaudit.cachefile import read_json

    doc = read_json(path)
    try:
        return _from_json(doc) if doc is not None else None
    except ValueError:  # damaged: scan again
        return None


def _write_cached(path: Path, scan: SpdxScan) -> None:
    """Keep the result for the next run; a cache that cannot be written only costs time."""
    from modelaudit.cachefile import write_json

    doc = {"coverage": scan.coverage, "regions": [[r.id, r.start, r.end, r.url] for r in scan.regions]}
    write_json(path, doc)


def _scan_uncached(text: str) -> SpdxScan:
    cov = _scanner().scan(text)
    regions = tuple(Region(m.id, m.start, m.end, m.is_url) for m in cov.match)
    return SpdxScan(round(min(100.0, cov.percent) / 100.0, 4), regions)


def scan_spdx(text: str) -> SpdxScan:
    """Every SPDX license text (and license URL) recognised in ``text`` (cached on disk by content)."""
    if not text.strip():
        return SpdxScan(0.0, ())
    path = _cache_path(text)
    cached = _read_cached(path)
    if cached is not None:
        return cached
    scan = _scan_uncached(text)
    _write_cached(path, scan)
    return scan


__all__ = ["Region", "SpdxScan", "scan_spdx"]
