"""SPDX text scans are kept on disk by content and matcher stamp: a rescan of the same text skips the matcher."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelaudit.licenses import spdx_text
from modelaudit.licenses.spdx_text import scan_spdx


def _entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "license_db" / "spdx").glob("*.json"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def _no_matcher(text: str) -> spdx_text.SpdxScan:
    raise AssertionError("the matcher ran again")


def test_a_second_scan_of_the_same_text_reads_the_cache(
    cache: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mit = (corpus / "mit.txt").read_text(encoding="utf-8")
    bsd = (corpus / "bsd-3-clause.txt").read_text(encoding="utf-8")
    text = mit + "\n\nVendored:\n\n" + bsd
    first = scan_spdx(text)
    assert first.ids() == ["MIT", "BSD-3-Clause"] and len(_entries(cache)) == 1
    monkeypatch.setattr(spdx_text, "_scan_uncached", _no_matcher)
    assert scan_spdx(text) == first  # regions, offsets, URL flags and coverage as computed
    with pytest.raises(AssertionError, match="ran again"):
        scan_spdx(text + " changed")  # another text is another key


def test_a_damaged_entry_is_scanned_again(cache: Path, corpus: Path) -> None:
    text = (corpus / "apache-2.0.txt").read_text(encoding="utf-8")
    first = scan_spdx(text)
    [entry] = _entries(cache)
    for damage in ("{not json", '{"coverage": 1.0, "regions": [["Apache-2.0", "0", 5, false]]}', "[]"):
        entry.write_text(damage, encoding="utf-8")
        assert scan_spdx(text) == first
        assert scan_spdx(text) == first  # rewritten by the scan that repaired it


def test_another_matcher_stamp_never_reads_an_older_result(
    cache: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (corpus / "apache-2.0.txt").read_text(encoding="utf-8")
    scan_spdx(text)
    [old] = _entries(cache)
    old.write_text('{"coverage": 0.5, "regions": [["MIT", 0, 10, false]]}', encoding="utf-8")  # poisoned
    monkeypatch.setattr(spdx_text, "CACHE_FORMAT", spdx_text.CACHE_FORMAT + 1)
    spdx_text._matcher_stamp.cache_clear()
    try:
        assert scan_spdx(text).ids() == ["Apache-2.0"]
        assert len(_entries(cache)) == 2
    finally:
        spdx_text._matcher_stamp.cache_clear()


def test_an_unwritable_cache_only_costs_time(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(blocker))
    assert scan_spdx((corpus / "apache-2.0.txt").read_text(encoding="utf-8")).ids() == ["Apache-2.0"]


def test_the_matcher_stamp_follows_the_installed_version_and_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found from the package's folder and its .dist-info name, without importing it or reading metadata."""
    import importlib.util
    from importlib.machinery import ModuleSpec

    site = tmp_path / "site"
    pkg = site / "licenseclassifier"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "patterns.bin").write_bytes(b"v1")
    dist = site / "licenseclassifier-1.0.dist-info"
    dist.mkdir()
    spec = ModuleSpec("licenseclassifier", None, origin=str(pkg / "__init__.py"))
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: spec if name == "licenseclassifier" else None
    )

    def stamp() -> str:
        spdx_text._matcher_stamp.cache_clear()
        return spdx_text._matcher_stamp()

    try:
        first = stamp()
        assert stamp() == first
        dist.rename(site / "licenseclassifier-2.0.dist-info")
        second = stamp()
        assert second != first
        (pkg / "patterns.bin").write_bytes(b"v2 longer")
        assert stamp() not in (first, second)
    finally:
        spdx_text._matcher_stamp.cache_clear()
