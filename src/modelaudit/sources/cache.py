"""The Hugging Face cache (``HF_HUB_CACHE``) as a source: offline scans read what earlier downloads left.

Layout (``huggingface_hub`` 2.x, also written by :mod:`modelaudit.sources.hub`)::

    <cache>/models--org--name/refs/<revision>          40-hex commit, no newline
    <cache>/models--org--name/snapshots/<commit>/<path> → ../../blobs/<etag>
    <cache>/models--org--name/blobs/<etag>              sha256 for LFS files, git blob sha1 otherwise
    <cache>/models--org--name/trees/<commit>.json       {"format_version": 1, "files": {path: {size, blob_id, lfs_sha256?}}}

A revision is a 40-hex commit (used as is) or a name looked up in ``refs/``. Files are the union of the
snapshot folder (what was downloaded) and ``trees/<commit>.json`` (the full listing, when recorded);
recorded hashes come from the tree listing, else from the blob a snapshot entry links to.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from modelaudit.errors import FileNotInRepoError, InputError, OfflineError
from modelaudit.models import Evidence, FileEntry, RepoKind, RepoRecord, RepoRef, SourceKind
from modelaudit.sources.base import MAX_SMALL_FILE_BYTES
from modelaudit.sources.record import extract_record

COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
TREE_FORMAT_VERSION = 1
MAX_TREE_JSON_BYTES = 64 * 1024 * 1024


def _truthy(value: str | None) -> bool:
    return (value or "").strip().upper() in {"1", "ON", "YES", "TRUE"}


def offline_mode() -> bool:
    """HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE), read now rather than at import like huggingface_hub does."""
    return _truthy(os.environ.get("HF_HUB_OFFLINE")) or _truthy(os.environ.get("TRANSFORMERS_OFFLINE"))


def default_cache_dir() -> Path:
    """HF_HUB_CACHE > HUGGINGFACE_HUB_CACHE > $HF_HOME/hub > $XDG_CACHE_HOME/huggingface/hub > ~/.cache/...

    Read from the environment at call time, so a cache set after import is honoured.
    """
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        value = os.environ.get(name)
        if value:
            return Path(os.path.expandvars(value)).expanduser()
    home = os.environ.get("HF_HOME")
    if not home:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
        home = os.path.join(xdg, "huggingface")
    return Path(os.path.expandvars(home)).expanduser() / "hub"


def repo_type(ref: RepoRef) -> str:
    return "dataset" if ref.kind is RepoKind.DATASET else "model"


def repo_folder(cache_dir: Path, ref: RepoRef) -> Path:
    """``models--org--name`` / ``datasets--org--name`` (same rule as huggingface_hub.repo_folder_name)."""
    parts = [f"{repo_type(ref)}s", *ref.repo_id.split("/")]
    return cache_dir / "--".join(parts)


def _safe_rel(path: str) -> bool:
    parts = path.split("/")
    return (
        bool(path)
        and not path.startswith("/")
        and all(p not in ("", ".", "..") for p in parts)
        and "\\" not in path
    )


def read_tree_listing(storage: Path, commit: str) -> dict[str, FileEntry] | None:
    """``trees/<commit>.json`` as FileEntry objects, or None when absent, unknown format or unreadable."""
    path = storage / "trees" / f"{commit}.json"
    try:
        if path.stat().st_size > MAX_TREE_JSON_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format_version") != TREE_FORMAT_VERSION:
        return None
    files = data.get("files")
    if not isinstance(files, dict):
        return None
    out: dict[str, FileEntry] = {}
    for name, info in files.items():
        if not isinstance(name, str) or not isinstance(info, dict) or not _safe_rel(name):
            continue
        size = info.get("size")
        blob_id = info.get("blob_id")
        sha256 = info.get("lfs_sha256")
        out[name] = FileEntry(
            path=name,
            size=size if isinstance(size, int) and size >= 0 else None,
            blob_id=blob_id if isinstance(blob_id, str) else None,
            lfs_sha256=sha256 if isinstance(sha256, str) and _SHA256_RE.match(sha256) else None,
        )
    return out


def write_tree_listing(storage: Path, commit: str, files: list[FileEntry]) -> None:
    """Record a commit's full listing the way huggingface_hub 2.x does (it reads this file too).

    Only written when every entry has a size and a blob id (what the Hub's files metadata gives).
    Atomic (temp file + rename); never overwrites an existing listing (a commit's tree never changes).
    """
    if not COMMIT_RE.match(commit) or not files or any(f.size is None or f.blob_id is None for f in files):
        return
    target = storage / "trees" / f"{commit}.json"
    if target.exists():
        return
    listing: dict[str, dict[str, Any]] = {}
    for f in sorted(files, key=lambda e: e.path):
        info: dict[str, Any] = {"size": f.size, "blob_id": f.blob_id}
        if f.lfs_sha256 is not None:
            info["lfs_sha256"] = f.lfs_sha256
            info["lfs_size"] = f.size
        listing[f.path] = info
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"format_version": TREE_FORMAT_VERSION, "files": listing}, fh, indent=2, sort_keys=True)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_ref(storage: Path, revision: str, commit: str) -> None:
    """``refs/<revision>`` → commit (skipped for commit revisions, like huggingface_hub)."""
    if COMMIT_RE.match(revision) or not _safe_rel(revision):
        return
    ref_path = storage / "refs" / revision
    try:
        if ref_path.read_text(encoding="utf-8") == commit:
            return
    except OSError:
        pass
    ref_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=ref_path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(commit)
        os.replace(tmp, ref_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _recorded_hash(blob_name: str) -> tuple[str | None, str | None]:
    """(blob_id, lfs_sha256) implied by a blob's file name (its normalized etag)."""
    if _SHA256_RE.match(blob_name):
        return None, blob_name
    if COMMIT_RE.match(blob_name):  # same shape as a git sha1
        return blob_name, None
    return None, None


class CacheSource:
    """Reads repos from the HF cache only; never touches the network."""

    kind = SourceKind.CACHE

    def __init__(self, cache_dir: str | None = None) -> None:
        self._cache_dir = Path(cache_dir).expanduser() if cache_dir else None

    @property
    def cache_dir(self) -> Path:
        return self._cache_dir if self._cache_dir is not None else default_cache_dir()

    # ---------------------------------------------------------------- resolution

    def resolve(self, ref: RepoRef) -> tuple[str, Path]:
        """(commit, storage folder) for ``ref``; OfflineError when the repo or revision is not cached."""
        storage = repo_folder(self.cache_dir, ref)
        if not storage.is_dir():
            raise OfflineError(ref.key, f"not in the Hugging Face cache at {self.cache_dir}")
        revision = ref.revision or "main"
        if COMMIT_RE.match(revision):
            commit = revision
        else:
            if not _safe_rel(revision):
                raise OfflineError(ref.key, f"revision {revision!r} is not cached")
            try:
                commit = (storage / "refs" / revision).read_text(encoding="utf-8").strip()
            except OSError:
                raise OfflineError(ref.key, f"revision {revision!r} is not cached") from None
            if not COMMIT_RE.match(commit):
                raise OfflineError(ref.key, f"cached ref {revision!r} is not a commit hash")
        has_snapshot = (storage / "snapshots" / commit).is_dir()
        if not has_snapshot and read_tree_listing(storage, commit) is None:
            raise OfflineError(ref.key, f"commit {commit[:12]} is not cached")
        return commit, storage

    def list_files(self, ref: RepoRef) -> list[FileEntry]:
        commit, storage = self.resolve(ref)
        listed = read_tree_listing(storage, commit) or {}
        snapshot = storage / "snapshots" / commit
        found: dict[str, FileEntry] = {}
        if snapshot.is_dir():
            for dirpath, dirnames, filenames in os.walk(snapshot):
                dirnames.sort()
                for name in sorted(filenames):
                    full = Path(dirpath) / name
                    rel = full.relative_to(snapshot).as_posix()
                    try:
                        size = full.stat().st_size
                    except OSError:  # dangling link: the blob was deleted
                        continue
                    blob_id, sha256 = (None, None)
                    if full.is_symlink():
                        blob_id, sha256 = _recorded_hash(Path(os.readlink(full)).name)
                    found[rel] = FileEntry(path=rel, size=size, blob_id=blob_id, lfs_sha256=sha256)
        merged = dict(found)
        for path, entry in listed.items():
            seen = found.get(path)
            merged[path] = (
                entry if seen is None else entry.model_copy(update={"size": entry.size or seen.size})
            )
        return sorted(merged.values(), key=lambda e: e.path)

    def _cached_path(self, ref: RepoRef, path: str) -> Path | None:
        commit, storage = self.resolve(ref)
        if not _safe_rel(path):
            return None
        full = storage / "snapshots" / commit / path
        return full if full.is_file() else None

    # ---------------------------------------------------------------- Source protocol

    def _require(self, ref: RepoRef, path: str) -> Path:
        full = self._cached_path(ref, path)
        if full is not None:
            return full
        if any(e.path == path for e in self.list_files(ref)):
            raise OfflineError(ref.key, f"file {path!r} was never downloaded")
        raise FileNotInRepoError(ref.key, path)

    def open_file(self, ref: RepoRef, path: str) -> BinaryIO:
        return self._require(ref, path).open("rb")

    def read_range(self, ref: RepoRef, path: str, start: int, length: int) -> bytes:
        with self._require(ref, path).open("rb") as fh:
            fh.seek(max(0, start))
            return fh.read(max(0, length))

    def read_small(self, ref: RepoRef, path: str) -> bytes | None:
        full = self._cached_path(ref, path)
        if full is None:
            return None
        with full.open("rb") as fh:
            return fh.read(MAX_SMALL_FILE_BYTES)

    def fetch(self, ref: RepoRef) -> RepoRecord:
        commit, storage = self.resolve(ref)
        files = self.list_files(ref)
        snapshot = storage / "snapshots" / commit

        def read_range(path: str, start: int, length: int) -> bytes:
            full = self._cached_path(ref, path)
            if full is None:
                # Reported as a problem by extract_record; the header simply was not available offline.
                raise InputError(path, "not in the local cache (never downloaded), header not read")
            with full.open("rb") as fh:
                fh.seek(start)
                return fh.read(max(0, length))

        record = extract_record(
            ref,
            SourceKind.CACHE,
            files=files,
            read_small=lambda p: self.read_small(ref, p),
            read_range=read_range,
            revision=commit,
            card_location=str(snapshot / "README.md"),
            local_dir=str(snapshot),
        )
        if any(f.path == "README.md" for f in files) and self._cached_path(ref, "README.md") is None:
            record.problems.append(
                Evidence(source="file:README.md", value="model card not in the local cache")
            )
        return record
