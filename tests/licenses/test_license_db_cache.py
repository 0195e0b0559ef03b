"""The license database is compiled once and then read from the cache, keyed by its sources' content."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelaudit.errors import ConfigError
from modelaudit.licenses import db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of license_db and an empty cache; the in-process memo cleared before and after."""
    folder = tmp_path / "license_db"
    shutil.copytree(ROOT / "license_db", folder)
    monkeypatch.setenv(db.ENV_VAR, str(folder))
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    db._load.cache_clear()
    yield folder
    db._load.cache_clear()


def _compiled(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "license_db").glob("*.json"))


def test_second_run_reads_the_compiled_records_not_the_yaml(
    fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = db.load_db()
    [compiled] = _compiled(tmp_path)
    db._load.cache_clear()

    def no_yaml(path: Path) -> None:
        raise AssertionError(f"{path} parsed again")

    monkeypatch.setattr(db, "_read_record", no_yaml)
    second = db.load_db()
    assert second.all() == first.all() and len(second) == len(first) > 96
    assert second.get("llama3.1") == first.get("llama3.1")
    assert _compiled(tmp_path) == [compiled]


def test_an_edited_record_is_compiled_again(fresh: Path, tmp_path: Path) -> None:
    before = db.load_db().get("mit")
    assert before is not None and before.notes != "edited"
    [old] = _compiled(tmp_path)
    path = fresh / f"{before.id}.yaml"
    text = "".join(line for line in path.open(encoding="utf-8") if not line.startswith("notes:"))
    path.write_text(text + "notes: edited\n", encoding="utf-8")
    db._load.cache_clear()
    after = db.load_db().get("mit")
    assert after is not None and after.notes == "edited"
    assert _compiled(tmp_path) != [old] and len(_compiled(tmp_path)) == 1  # the stale one is removed


def test_a_damaged_compiled_file_is_ignored(fresh: Path, tmp_path: Path) -> None:
    expected = db.load_db().all()
    [compiled] = _compiled(tmp_path)
    compiled.write_bytes(b'[{"id": ')
    db._load.cache_clear()
    assert db.load_db().all() == expected


def test_an_unwritable_cache_only_costs_time(
    fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(blocker))
    assert db.load_db().get("apache-2.0") is not None


def test_a_bad_record_is_still_an_error_naming_the_file(fresh: Path) -> None:
    (fresh / "broken.yaml").write_text("id: [unclosed\n")
    with pytest.raises(ConfigError, match=r"broken\.yaml"):
        db.load_db()


def test_a_run_reads_the_normaliser_keys_from_the_compiled_database(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelaudit.licenses import normalize as norm

    first = norm.normalize("Apache License, Version 2.0", db=db.load_db())
    db._load.cache_clear()

    def no_index(database: db.LicenseDB) -> dict[str, dict[str, str]]:
        raise AssertionError("normaliser keys computed again")

    monkeypatch.setattr(norm, "index_data", no_index)
    second = norm.normalize("Apache License, Version 2.0", db=db.load_db())
    assert second == first and second.id == "Apache-2.0" and second.method == "alias"
    assert norm.normalize("https://www.apache.org/licenses/LICENSE-2.0", db=db.load_db()).id == "Apache-2.0"


def test_records_are_built_when_asked_for_and_equal_the_compiled_ones(fresh: Path) -> None:
    first = db.load_db()
    expected = {r.id: r for r in first.all()}
    db._load.cache_clear()
    second = db.load_db()
    assert len(second) == len(expected)
    # in any order: an SPDX-synthesised record, one of ours, by alias, then all of them
    assert second.get("0bsd") == expected["0BSD"] and second.get("0BSD") is second.get("0bsd")
    assert second.get("llama3.1") == expected["llama3.1"]
    assert [r.id for r in second.all(include_spdx=False)] == sorted(
        r.id for r in expected.values() if r.origin == "license_db"
    )
    assert {r.id: r for r in second.all()} == expected
    assert "Apache-2.0" in second and "no-such-license" not in second


@pytest.mark.parametrize("change", ["version", "recognition data", "record"])
def test_the_compiled_database_is_keyed_by_content_and_version(
    fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    from modelaudit import _version

    first = db.load_db()
    [old] = _compiled(tmp_path)
    if change == "version":
        monkeypatch.setattr(_version, "__version__", _version.__version__ + ".post1")
    elif change == "recognition data":
        rec = fresh / db.RECOGNITION_FILE
        rec.write_text(rec.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    else:
        rec = fresh / "MIT.yaml"
        rec.write_text(rec.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    db._load.cache_clear()
    second = db.load_db()
    assert second.stamp != first.stamp
    assert _compiled(tmp_path) == [tmp_path / "cache" / "license_db" / f"{second.stamp}.json"] != [old]


def test_a_compiled_file_of_another_shape_is_compiled_again(fresh: Path, tmp_path: Path) -> None:
    expected = db.load_db().all()
    [compiled] = _compiled(tmp_path)
    for other in (
        '{"format": 1, "records": {}}',
        "[]",
        '{"format": 2, "records": [], "spdx": {}, "index": {}, "derived": {}}',
        '{"format": 2, "records": {}, "spdx": {}, "index": {}, "derived": []}',
    ):
        compiled.write_text(other, encoding="utf-8")
        db._load.cache_clear()
        assert db.load_db().all() == expected


def test_a_damaged_record_in_the_compiled_file_is_an_error_naming_the_cache(
    fresh: Path, tmp_path: Path
) -> None:
    import json

    db.load_db()
    [compiled] = _compiled(tmp_path)
    doc = json.loads(compiled.read_text(encoding="utf-8"))
    doc["records"]["MIT"]["category"] = "no-such-category"
    compiled.write_text(json.dumps(doc), encoding="utf-8")
    db._load.cache_clear()
    loaded = db.load_db()
    assert loaded.get("apache-2.0") is not None  # the others still load
    with pytest.raises(ConfigError, match="compiled license database: record 'MIT' is damaged"):
        loaded.get("MIT")


def _shape(value: object) -> object:
    """A value with every type spelled out (a StrEnum member equals its string, so == alone is not enough)."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        fields = {k: _shape(v) for k, v in value.__dict__.items()}
        return (type(value).__name__, fields)
    if isinstance(value, list):
        return [_shape(v) for v in value]
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    return (type(value).__name__, value)


def test_records_built_from_the_compiled_form_are_their_validated_selves(fresh: Path) -> None:
    """The compiled database builds records without validation; each equals, types included, the record
    validated from the same data (as a record read from YAML is)."""
    from modelaudit.licenses.schema import LicenseRecord

    compiled = db.load_db()
    db._load.cache_clear()
    read_back = db.load_db()
    assert read_back.stamp == compiled.stamp
    records = read_back.all()
    assert len(records) == len(compiled) > 700
    for rec in records:
        data = rec.model_dump(mode="json", exclude_defaults=True)
        validated = LicenseRecord.model_validate(data)
        assert _shape(rec) == _shape(validated), rec.id
        assert rec == validated == compiled.get(rec.id)
    own = [r for r in records if r.origin == "license_db"]
    assert any(r.obligations.output_use_restrictions for r in own)  # the nested enum lists are covered
    assert any(r.recognition.texts for r in own) and any(r.restricted_uses for r in own)
