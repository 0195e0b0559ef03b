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
never pays for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

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


def scan_spdx(text: str) -> SpdxScan:
    """Every SPDX license text (and license URL) recognised in ``text``."""
    if not text.strip():
        return SpdxScan(0.0, ())
    cov = _scanner().scan(text)
    regions = tuple(Region(m.id, m.start, m.end, m.is_url) for m in cov.match)
    return SpdxScan(round(min(100.0, cov.percent) / 100.0, 4), regions)


__all__ = ["Region", "SpdxScan", "scan_spdx"]
