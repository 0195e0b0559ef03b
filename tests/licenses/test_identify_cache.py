"""Our own text recognition's answers are kept on disk by the text's SHA-256 and the compiled database's
stamp: a rescan of the same LICENSE file skips decoding and comparing the reference fingerprints, and a
changed database (records, recognition data) or modelaudit version never reads an older answer."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelaudit.licenses import db, identify
from modelaudit.licenses.identify import Identification, identify_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of license_db and an empty cache; the in-process memos cleared before and after."""
    folder = tmp_path / "license_db"
    shutil.copytree(ROOT / "license_db", folder)
    monkeypatch.setenv(db.ENV_VAR, str(folder))
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    db._load.cache_clear()
    yield folder
    db._load.cache_clear()


def _entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "license_db" / "identify").glob("*.json"))


def _not_again(text: str, database: db.LicenseDB) -> Identification:
    raise AssertionError("identified again")


def _llama_text(corpus: Path) -> str:
    return (corpus / "llama3.1.txt").read_text(encoding="utf-8")


def test_a_second_identification_of_the_same_text_reads_the_cache(
    fresh: Path, tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _llama_text(corpus)
    first = identify_text(text)
    assert first.id == "llama3.1" and first.method == "fingerprint"
    assert len(_entries(tmp_path)) == 1
    monkeypatch.setattr(identify, "_identify_own", _not_again)
    assert identify_text(text) == first
    with pytest.raises(AssertionError, match="identified again"):
        identify_text(text + "\nA changed line.\n")  # another text is another key


@pytest.mark.parametrize("change", ["record", "recognition data", "version"])
def test_a_changed_database_or_version_never_reads_an_older_answer(
    fresh: Path, tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    from modelaudit import _version

    text = _llama_text(corpus)
    first = identify_text(text)
    [old] = _entries(tmp_path)
    poisoned = first.model_copy(update={"id": "mit", "evidence": ["poisoned"]})
    old.write_text(poisoned.model_dump_json(), encoding="utf-8")
    assert identify_text(text).evidence[:1] == ["poisoned"]  # the entry is read while nothing changed
    if change == "record":
        rec = fresh / "llama3.1.yaml"
        rec.write_text(rec.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "recognition data":
        rec = fresh / db.RECOGNITION_FILE
        rec.write_text(rec.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    else:
        monkeypatch.setattr(_version, "__version__", _version.__version__ + ".post1")
    db._load.cache_clear()
    again = identify_text(text)
    assert again == first and "poisoned" not in again.evidence
    assert len(_entries(tmp_path)) == 2


def test_a_damaged_entry_is_identified_again(fresh: Path, tmp_path: Path, corpus: Path) -> None:
    text = _llama_text(corpus)
    first = identify_text(text)
    [entry] = _entries(tmp_path)
    for damage in ("{not json", '{"id": 3}', "[]"):
        entry.write_text(damage, encoding="utf-8")
        assert identify_text(text) == first
        assert Identification.model_validate_json(entry.read_bytes()) is not None  # repaired


def test_a_database_built_in_memory_keeps_no_answers(fresh: Path, tmp_path: Path, corpus: Path) -> None:
    memory = db.LicenseDB(db.load_records(fresh), fresh)
    assert memory.stamp is None
    assert identify_text(_llama_text(corpus), db=memory).id == "llama3.1"
    assert _entries(tmp_path) == []
