"""The fingerprint index: a local JSON file of known base models' weight fingerprints.

Users build it with ``modelaudit fingerprint index add TARGET``; during a scan every model's fingerprint is
compared with each entry, and a match the card does not declare becomes ``undeclared-base``. Location:
``--index PATH``, else ``$MODELAUDIT_FINGERPRINT_INDEX``, else ``<user data dir>/modelaudit/fingerprint-index.json``.
Writes are atomic (temporary file + rename), so an interrupted ``add`` never leaves a broken index.
"""


import os
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from modelaudit.cachefile import Cache
from modelaudit.errors import InputError
from modelaudit.models import Finding, empty_list
from modelaudit.verify.fingerprint import Similarity, WeightFingerprint, check_undeclared_bases, compare

ENV_VAR = "MODELAUDIT_FINGERPRINT_INDEX"
MAX_INDEX_BYTES = 512 * 1024 * 1024


class IndexEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    revision: str | None = None
    fingerprint: WeightFingerprint


class FingerprintIndex(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    models: list[IndexEntry] = Field(default_factory=empty_list)

    def add(self, model_id: str, fingerprint: WeightFingerprint, revision: str | None = None) -> bool:
        """Add or replace ``model_id``; True when it replaced an existing entry."""
        fp = fingerprint.model_copy(update={"bytes_read": 0, "requests": 0})
        entry = IndexEntry(id=model_id, revision=revision, fingerprint=fp)
        replaced = any(m.id == model_id for m in self.models)
        self.models = sorted([m for m in self.models if m.id != model_id] + [entry], key=lambda m: m.id)
        return replaced

    def matches(
        self, fingerprint: WeightFingerprint, *, exclude: set[str] | None = None, cache: Cache | None = None
    ) -> list[tuple[IndexEntry, Similarity]]:
        """Every entry whose weights share a lineage with ``fingerprint``."""
        out = []
        for m in self.models:
            if exclude and m.id in exclude:
                continue
            sim = compare(fingerprint, m.fingerprint, cache=cache)
            if sim.verdict == "same-lineage":
                out.append((m, sim))
        return out

    def undeclared_bases(
        self, node: str, fingerprint: WeightFingerprint, declared: set[str], *, cache: Cache | None = None
    ) -> list[Finding]:
        """``undeclared-base`` findings for ``node`` (``declared``: every ancestor in its lineage)."""
        return check_undeclared_bases(
            node, fingerprint, ((m.id, m.fingerprint) for m in self.models), declared, cache=cache
        )


def default_index_path() -> Path:
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("modelaudit")) / "fingerprint-index.json"


def load_index(path: str | os.PathLike[str] | None = None) -> FingerprintIndex:
    """The index at ``path`` (default location when None); an empty index when the file does not exist."""
    p = Path(path) if path is not None else default_index_path()
    if not p.exists():
        return FingerprintIndex()
    try:
        if p.stat().st_size > MAX_INDEX_BYTES:
            raise InputError(str(p), f"fingerprint index larger than {MAX_INDEX_BYTES} bytes")
        return FingerprintIndex.model_validate_json(p.read_bytes())
    except OSError as exc:
        raise InputError(str(p), f"cannot read fingerprint index: {exc.strerror or exc}") from None
    except ValidationError as exc:
        raise InputError(
            str(p),
            f"not a modelaudit fingerprint index ({exc.error_count()} problems)",
            hint="rebuild it with `modelaudit fingerprint index add TARGET`",
        ) from None


def save_index(index: FingerprintIndex, path: str | os.PathLike[str] | None = None) -> Path:
    p = Path(path) if path is not None else default_index_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".fingerprint-index-", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(index.model_dump_json(indent=1))
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p
