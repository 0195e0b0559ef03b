"""Parsed YAML mappings (cards' front matter, policies, mergekit configs) are kept on disk as JSON keyed by
the text's SHA-256 and a stamp of the parser: a rescan reads them back without importing PyYAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from modelaudit import bounded
from modelaudit.bounded import parse_front_matter, parse_yaml_mapping
from modelaudit.errors import InputError

CARD = """---
license: apache-2.0
base_model: [org/base, org/other]
released: 2024-02-01
datasets:
  - org/data
extra: {nested: [1, 2.5, null, true], "3": x}
---
# A card
"""


def _entries(root: Path) -> list[Path]:
    return sorted((root / "yaml").rglob("*.json"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(root))
    return root


def _not_again(text: str, path: str) -> dict[str, Any]:
    raise AssertionError("parsed again")


def test_a_second_parse_of_the_same_text_reads_the_cache(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = parse_front_matter(CARD, "README.md")
    assert first["released"] == "2024-02-01" and first["extra"] == {"nested": [1, 2.5, None, True], "3": "x"}
    assert len(_entries(cache)) == 1
    monkeypatch.setattr(bounded, "_parse_yaml_mapping", _not_again)
    again = parse_front_matter(CARD, "README.md")
    assert again == first and list(again) == list(first)  # same values, same key order
    with pytest.raises(AssertionError, match="parsed again"):
        parse_front_matter(CARD.replace("apache-2.0", "mit"), "README.md")


def test_malformed_documents_are_never_kept(cache: Path) -> None:
    for _ in range(2):
        with pytest.raises(InputError, match="malformed YAML"):
            parse_yaml_mapping("license: [mit\n", "README.md")
        with pytest.raises(InputError, match="expected a YAML mapping"):
            parse_yaml_mapping("- a\n- b\n", "README.md")
    assert _entries(cache) == []


def test_a_damaged_entry_is_parsed_again(cache: Path) -> None:
    first = parse_yaml_mapping("license: mit\n", "README.md")
    [entry] = _entries(cache)
    for damage in ("{not json", "[1, 2]", '"a string"'):
        entry.write_text(damage, encoding="utf-8")
        assert parse_yaml_mapping("license: mit\n", "README.md") == first == {"license": "mit"}


def test_another_version_never_reads_an_older_parse(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelaudit import _version

    parse_yaml_mapping("license: mit\n", "README.md")
    [old] = _entries(cache)
    old.write_text('{"license": "poisoned"}', encoding="utf-8")
    assert parse_yaml_mapping("license: mit\n", "README.md") == {
        "license": "poisoned"
    }  # read while unchanged
    monkeypatch.setattr(_version, "__version__", _version.__version__ + ".post1")
    bounded._yaml_stamp.cache_clear()
    try:
        assert parse_yaml_mapping("license: mit\n", "README.md") == {"license": "mit"}
    finally:
        bounded._yaml_stamp.cache_clear()
    assert len(_entries(cache)) == 2


def test_the_cache_follows_the_cache_folder_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("one", "two"):
        monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(tmp_path / name))
        assert parse_yaml_mapping("license: mit\n", "README.md") == {"license": "mit"}
        assert len(_entries(tmp_path / name)) == 1
