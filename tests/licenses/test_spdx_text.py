"""The SPDX text matcher wrapper: regions, coverage, per-license shares."""

from __future__ import annotations

from pathlib import Path

from modelaudit.licenses.spdx_text import Region, SpdxScan, scan_spdx


def test_a_whole_license_text_is_fully_covered(corpus: Path) -> None:
    scan = scan_spdx((corpus / "apache-2.0.txt").read_text(encoding="utf-8"))
    assert scan.ids() == ["Apache-2.0"] and scan.coverage == 1.0
    assert scan.best() == ("Apache-2.0", 1.0)


def test_several_licenses_keep_their_regions_in_text_order(corpus: Path) -> None:
    mit = (corpus / "mit.txt").read_text(encoding="utf-8")
    bsd = (corpus / "bsd-3-clause.txt").read_text(encoding="utf-8")
    text = mit + "\n\nThe parser is vendored from another project:\n\n" + bsd
    scan = scan_spdx(text)
    assert scan.ids() == ["MIT", "BSD-3-Clause"]
    first, second = scan.regions
    assert first.end <= second.start and "Permission is hereby granted" in text[first.start : first.end]
    assert scan.coverage > 0.9
    assert abs(scan.share("MIT") + scan.share("BSD-3-Clause") - scan.coverage) < 1e-9
    assert scan.share("GPL-3.0") == 0.0


def test_ml_licenses_and_prose_are_not_spdx_texts(corpus: Path) -> None:
    assert scan_spdx((corpus / "llama3.1.txt").read_text(encoding="utf-8")).regions == ()
    prose = scan_spdx("This model card describes the training data and evaluation of our model. " * 20)
    assert prose.coverage == 0.0 and prose.best() is None
    assert scan_spdx("") == SpdxScan(0.0, ()) and scan_spdx("  \n") == SpdxScan(0.0, ())


def test_share_splits_coverage_by_region_size() -> None:
    scan = SpdxScan(0.9, (Region("MIT", 0, 300), Region("Zlib", 300, 400), Region("MIT", 400, 500)))
    assert scan.ids() == ["MIT", "Zlib"]
    assert round(scan.share("MIT"), 3) == 0.72 and round(scan.share("Zlib"), 3) == 0.18
    assert scan.best() == ("MIT", scan.share("MIT"))
