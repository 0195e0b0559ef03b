"""SPDX text scans are kept in modelaudit's cache (namespace spdx) by text and matcher version: a rescan of the
same text skips the matcher."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelaudit.cachefile import Cache
from modelaudit.licenses import spdx_text
from modelaudit.licenses.spdx_text import scan_spdx


def _entries(tmp_path: Path) -> list[Path]:
    return sorted(tmp_path.rglob("*.json"))


def _no_matcher(text: str) -> spdx_text.SpdxScan:
    raise AssertionError("the matcher ran again")


def test_a_second_scan_of_the_same_text_reads_the_cache(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path)
    mit = (corpus / "mit.txt").read_text(encoding="utf-8")
    bsd = (corpus / "bsd-3-clause.txt").read_text(encoding="utf-8")
    text = mit + "\n\nVendored:\n\n" + bsd
    first = scan_spdx(text, cache=cache)
    assert first.ids() == ["MIT", "BSD-3-Clause"] and len(_entries(tmp_path)) == 1
    assert cache.info().namespaces["spdx"].entries == 1
    monkeypatch.setattr(spdx_text, "_scan_uncached", _no_matcher)
    assert scan_spdx(text, cache=cache) == first  # regions, offsets, URL flags and coverage as computed
    with pytest.raises(AssertionError, match="ran again"):
        scan_spdx(text + " changed", cache=cache)  # another text is another key
    with pytest.raises(AssertionError, match="ran again"):
        scan_spdx(text, cache=Cache.off())  # --no-cache


def test_a_damaged_entry_is_scanned_again(tmp_path: Path, corpus: Path) -> None:
    cache = Cache(tmp_path)
    text = (corpus / "apache-2.0.txt").read_text(encoding="utf-8")
    first = scan_spdx(text, cache=cache)
    [entry] = _entries(tmp_path)
    for damage in ("{not json", '{"coverage": 1.0, "regions": [["Apache-2.0", "0", 5, false]]}', "[]"):
        entry.write_text(damage, encoding="utf-8")
        assert scan_spdx(text, cache=cache) == first
        assert scan_spdx(text, cache=cache) == first  # rewritten by the scan that repaired it


def test_another_matcher_version_never_reads_an_older_result(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path)
    text = (corpus / "apache-2.0.txt").read_text(encoding="utf-8")
    scan_spdx(text, cache=cache)
    [old] = _entries(tmp_path)
    old.write_text('{"coverage": 0.5, "regions": [["MIT", 0, 10, false]]}', encoding="utf-8")  # poisoned
    assert scan_spdx(text, cache=cache).ids() == ["MIT"]  # read back: same version, same text
    monkeypatch.setattr(spdx_text, "_matcher_version", lambda: "0.0-other")
    assert scan_spdx(text, cache=cache).ids() == ["Apache-2.0"]
    assert len(_entries(tmp_path)) == 2


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, corpus: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    text = (corpus / "apache-2.0.txt").read_text(encoding="utf-8")
    assert scan_spdx(text, cache=Cache(blocker)).ids() == ["Apache-2.0"]


def test_the_matcher_version_is_the_installed_distribution_s_without_importing_it() -> None:
    import subprocess
    import sys
    from importlib.metadata import version

    probe = (
        "import sys\nfrom modelaudit.licenses.spdx_text import _matcher_version\n"
        "print(_matcher_version(), 'licenseclassifier' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == [version("licenseclassifier"), "False"]
