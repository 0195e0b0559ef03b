"""The license database is compiled when the package is built (hatch_build.py) and read as is by a run whose
license folder is the one it was compiled from; any other folder is compiled in memory. Nothing is written at
run time."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelaudit.errors import ConfigError
from modelaudit.licenses import db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of license_db, the form compiled from it as the package's, and an empty cache folder;
    the in-process memo cleared before and after."""
    folder = tmp_path / "license_db"
    shutil.copytree(ROOT / "license_db", folder)
    compiled = json.dumps(db.compile_folder(folder)).encode()
    monkeypatch.setattr(db, "_shipped_bytes", lambda: compiled)
    monkeypatch.setenv(db.ENV_VAR, str(folder))
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    db._load.cache_clear()
    yield folder
    db._load.cache_clear()


def _in_memory(folder: Path) -> db.LicenseDB:
    return db._compile(folder, sorted(folder.glob("*.yaml")))[0]


def no_yaml(path: Path) -> None:
    raise AssertionError(f"{path} parsed at run time")


def test_a_run_reads_the_compiled_form_not_the_yaml_and_writes_nothing(
    fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _in_memory(fresh)
    monkeypatch.setattr(db, "_read_record", no_yaml)
    loaded = db.load_db()
    assert loaded.all() == expected.all() and len(loaded) == len(expected) > 700
    assert loaded.get("llama3.1") == expected.get("llama3.1")
    assert loaded.stamp == db._source_stamp(fresh)[1]
    assert not (tmp_path / "cache").exists()


def test_the_checkout_reads_the_form_its_install_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    """The editable install of this checkout compiled license_db/ into src/modelaudit/_data/ (hatch_build.py)."""
    monkeypatch.delenv(db.ENV_VAR, raising=False)
    doc = db._shipped(db.db_dir(), db._source_stamp(db.db_dir())[1])
    assert doc is not None, "reinstall (pip install -e .): license_db/ changed since the build compiled it"
    now = db.compile_folder(db.db_dir())
    # the stat key is the files' times, which a checkout of the same bytes does not keep
    assert {k: v for k, v in doc.items() if k != "stat_key"} == {k: v for k, v in now.items() if k != "stat_key"}


@pytest.mark.parametrize("change", ["version", "recognition data", "record", "deriving code"])
def test_a_folder_that_differs_from_the_compiled_one_is_compiled_in_memory(
    fresh: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    from modelaudit import _version

    before = db.load_db()
    db._load.cache_clear()
    if change == "version":
        monkeypatch.setattr(_version, "__version__", _version.__version__ + ".post1")
    elif change == "recognition data":
        rec = fresh / db.RECOGNITION_FILE
        rec.write_text(rec.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "record":
        rec = fresh / "MIT.yaml"
        text = "".join(line for line in rec.open(encoding="utf-8") if not line.startswith("notes:"))
        rec.write_text(text + "notes: edited\n", encoding="utf-8")
    else:
        monkeypatch.setattr(db, "_DERIVING_MODULES", (*db._DERIVING_MODULES, "identify.py"))
    compiled_again: list[Path] = []
    real = db._read_record

    def counting(path: Path) -> object:
        compiled_again.append(path)
        return real(path)

    monkeypatch.setattr(db, "_read_record", counting)
    after = db.load_db()
    assert after.stamp != before.stamp and len(compiled_again) == len(list(fresh.glob("*.yaml")))
    mit = after.get("mit")
    assert mit is not None and (mit.notes == "edited") is (change == "record")


@pytest.mark.parametrize(
    "shipped",
    [
        b'[{"id": ',
        b"[]",
        b'{"format": 1, "records": {}}',
        b'{"format": 3, "stamp": "x", "records": {}, "spdx": {}, "index": {}, "derived": {}}',
        None,
    ],
)
def test_a_missing_damaged_or_foreign_compiled_form_is_compiled_in_memory(
    fresh: Path, monkeypatch: pytest.MonkeyPatch, shipped: bytes | None
) -> None:
    def read() -> bytes:
        if shipped is None:
            raise FileNotFoundError("license_db.json")
        return shipped

    monkeypatch.setattr(db, "_shipped_bytes", read)
    assert db.load_db().all() == _in_memory(fresh).all()


def test_a_compiled_form_of_the_right_stamp_but_another_shape_is_compiled_in_memory(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stamp = db._source_stamp(fresh)[1]
    doc = {"format": db.COMPILED_FORMAT, "stamp": stamp, "records": [], "spdx": {}, "index": {}, "derived": {}}
    monkeypatch.setattr(db, "_shipped_bytes", lambda: json.dumps(doc).encode())
    assert db.load_db().all() == _in_memory(fresh).all()


def test_a_bad_record_is_still_an_error_naming_the_file(fresh: Path) -> None:
    (fresh / "broken.yaml").write_text("id: [unclosed\n")
    with pytest.raises(ConfigError, match=r"broken\.yaml"):
        db.load_db()


def test_a_run_reads_the_normaliser_keys_from_the_compiled_form(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelaudit.licenses import normalize as norm

    first = norm.normalize("Apache License, Version 2.0", db=_in_memory(fresh))

    def no_index(database: db.LicenseDB) -> dict[str, dict[str, str]]:
        raise AssertionError("normaliser keys computed again")

    monkeypatch.setattr(norm, "index_data", no_index)
    second = norm.normalize("Apache License, Version 2.0", db=db.load_db())
    assert second == first and second.id == "Apache-2.0" and second.method == "alias"
    assert norm.normalize("https://www.apache.org/licenses/LICENSE-2.0", db=db.load_db()).id == "Apache-2.0"


def test_records_are_built_from_the_compiled_form_as_their_validated_selves(fresh: Path) -> None:
    expected = {r.id: r for r in _in_memory(fresh).all()}
    loaded = db.load_db()
    # in any order: an SPDX-synthesised record, one of ours, by alias, then all of them
    assert loaded.get("0bsd") == expected["0BSD"] and loaded.get("0BSD") is loaded.get("0bsd")
    assert loaded.get("llama3.1") == expected["llama3.1"]
    assert [r.id for r in loaded.all(include_spdx=False)] == sorted(
        r.id for r in expected.values() if r.origin == "license_db"
    )
    assert {r.id: r for r in loaded.all()} == expected
    assert "Apache-2.0" in loaded and "no-such-license" not in loaded
    own = [r for r in loaded.all() if r.origin == "license_db"]
    assert any(r.obligations.output_use_restrictions for r in own)  # the nested enum lists are covered
    assert any(r.recognition.texts for r in own) and any(r.restricted_uses for r in own)


def test_without_the_compiled_form_the_answers_are_the_same(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = db.load_db()
    db._load.cache_clear()
    monkeypatch.setenv("MODELAUDIT_NO_COMPILED_LICENSE_DB", "1")
    monkeypatch.setattr(db, "_shipped_bytes", lambda: pytest.fail("the compiled form was read"))
    assert db.load_db().all() == compiled.all()


def test_a_damaged_record_in_the_compiled_form_is_compiled_in_memory(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = db.compile_folder(fresh)
    doc["records"]["MIT"]["category"] = "no-such-category"
    monkeypatch.setattr(db, "_shipped_bytes", lambda: json.dumps(doc).encode())
    loaded = db.load_db()
    assert loaded.get("MIT") == _in_memory(fresh).get("MIT")
    assert loaded.all() == _in_memory(fresh).all()


def test_a_run_whose_files_have_the_compiled_names_sizes_and_times_reads_none_of_them(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _in_memory(fresh)
    stamp = db._source_stamp(fresh)[1]

    def no_stamp(path: Path) -> object:
        raise AssertionError(f"{path}: the sources were read to stamp them")

    monkeypatch.setattr(db, "_source_stamp", no_stamp)
    monkeypatch.setattr(db, "_read_record", no_yaml)
    loaded = db.load_db()
    assert loaded.stamp == stamp and loaded.all() == expected.all()


@pytest.mark.parametrize("same_bytes", [True, False])
def test_a_record_written_again_with_its_size_is_stamped_by_its_bytes(
    fresh: Path, monkeypatch: pytest.MonkeyPatch, same_bytes: bool
) -> None:
    """A new modification time alone sends the run to the content stamp: the same bytes still read the
    compiled form, other bytes of the same size are compiled in memory (never the stale form)."""
    import os

    rec = fresh / "MIT.yaml"
    text = rec.read_text(encoding="utf-8")
    new = text if same_bytes else text.replace("# license_db record", "# license_db recorD", 1)
    assert len(new) == len(text) and (new == text) is same_bytes
    st = rec.stat()
    rec.write_text(new, encoding="utf-8")
    os.utime(rec, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    parsed: list[Path] = []
    real = db._read_record

    def counting(path: Path) -> object:
        parsed.append(path)
        return real(path)

    monkeypatch.setattr(db, "_read_record", counting)
    loaded = db.load_db()
    assert loaded.stamp == db._source_stamp(fresh)[1]
    assert (parsed == []) is same_bytes


def test_a_build_just_after_a_write_records_no_stat_key(fresh: Path) -> None:
    assert db.compile_folder(fresh)["stat_key"]  # the copy kept the checkout's (older) times
    (fresh / "MIT.yaml").write_text((fresh / "MIT.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert db.compile_folder(fresh)["stat_key"] is None


@pytest.mark.parametrize("row", [["0BSD", "BSD Zero Clause License", True], ["0BSD", 1, True, False, None]])
def test_a_damaged_spdx_row_in_the_compiled_form_is_compiled_in_memory(
    fresh: Path, monkeypatch: pytest.MonkeyPatch, row: list[object]
) -> None:
    doc = db.compile_folder(fresh)
    doc["spdx"]["0BSD"] = row
    monkeypatch.setattr(db, "_shipped_bytes", lambda: json.dumps(doc).encode())
    assert db.load_db().get("0BSD") == _in_memory(fresh).get("0BSD")


def test_an_spdx_row_of_the_right_shape_but_a_bad_value_is_an_error_naming_it(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = db.compile_folder(fresh)
    doc["spdx"]["no license"] = ["no license", "Not a license", True, False, None]  # not an id's shape
    doc["index"]["no license"] = "no license"
    monkeypatch.setattr(db, "_shipped_bytes", lambda: json.dumps(doc).encode())
    loaded = db.load_db()
    assert loaded.get("MIT") is not None  # the rest of the database is usable
    with pytest.raises(ConfigError, match="no license"):
        loaded.get("no license")


def test_a_wheel_s_own_records_are_trusted_as_built_with_the_compiled_form(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installed wheel carries the records and the form compiled from them side by side; the install gave
    them new times, so no stat key can match, and stamping them would read every file at every run."""
    expected = _in_memory(fresh)
    monkeypatch.delenv(db.ENV_VAR)
    monkeypatch.setattr(db, "_packaged_dir", lambda: fresh)
    db._db_dir_for.cache_clear()

    def no_stamp(path: Path) -> object:
        raise AssertionError(f"{path}: the wheel's records were read to stamp them")

    monkeypatch.setattr(db, "_source_stamp", no_stamp)
    monkeypatch.setattr(db, "_stat_key", no_stamp)
    monkeypatch.setattr(db, "_read_record", no_yaml)
    try:
        assert db.db_dir() == fresh
        assert db.load_db().all() == expected.all()
    finally:
        db._db_dir_for.cache_clear()


def test_a_folder_named_by_the_environment_is_never_trusted_as_the_wheel_s(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (fresh / "MIT.yaml").write_text(
        (fresh / "MIT.yaml").read_text(encoding="utf-8").replace("# license_db record", "# license_db recorD", 1),
        encoding="utf-8",
    )
    assert not db._packaged(fresh)
    assert db.load_db().stamp == db._source_stamp(fresh)[1]  # compiled in memory from the edited folder


def test_threads_reading_an_spdx_record_at_once_all_get_the_same_one(fresh: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    loaded = db.load_db()
    ids = [r.id for r in _in_memory(fresh).all() if r.origin == "spdx"][:200]
    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = list(pool.map(lambda _: [loaded.get(i) for i in ids], range(8)))
    assert all(rec is not None for rec in seen[0])
    assert all(all(a is b for a, b in zip(seen[0], other, strict=True)) for other in seen[1:])
