"""The Hugging Face cache (``HF_HUB_CACHE``) as a source: offline scans read what earlier downloads left.

The cache is read through ``huggingface_hub``: its cache folder (``constants.HF_HUB_CACHE``, unless a folder
is given), a repo's folder name (``repo_folder_name``), revisions resolved from the cache alone
(``resolve_revision(local_files_only=True)``: a commit hash as is, a branch, tag or PR ref such as
``refs/pr/1`` through what the library recorded), and single files (``try_to_load_from_cache``, which also
knows the files the library recorded as absent).

Two things the library does not offer are done here, in as little code as they take:

* **The files of one cached revision with their recorded hashes.** ``get_cached_repo_tree`` returns the tree
  listing ``snapshot_download`` records (``trees/<commit>.json``) without each file's LFS sha256, the hash
  weights are verified against, so that JSON document (format 1) is read here; and ``scan_cache_dir`` reads
  every repo of the cache, stats every blob and reports a whole repo as corrupted for one dangling link,
  where a lineage node needs one snapshot folder, so that folder is walked here (a downloaded file's blob
  is named by its recorded hash: sha256 for LFS files, the git blob sha1 otherwise).
* **Recording what** :class:`~modelaudit.sources.hub.HubSource` **read** (:func:`record_revision`,
  :func:`store_file`). ``hf_hub_download`` would send a HEAD before every GET, two requests per small
  file where the Hub source's budget is one, and the library has no public call that stores bytes fetched
  elsewhere or records a ref. What is written is exactly what ``hf_hub_download`` and ``snapshot_download``
  write (``refs/<revision>``, ``blobs/<etag>``, ``snapshots/<commit>/<path>``, ``trees/<commit>.json``), so
  the library and ``hf cache`` read it back as their own.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from huggingface_hub import constants, resolve_revision, try_to_load_from_cache
from huggingface_hub.errors import RevisionResolutionError
from huggingface_hub.file_download import are_symlinks_supported, repo_folder_name

from modelaudit.cachefile import read_json, write_json, write_text
from modelaudit.errors import FileNotInRepoError, InputError, OfflineError
from modelaudit.models import Evidence, FileEntry, RepoKind, RepoRecord, RepoRef, SourceKind
from modelaudit.sources.base import MAX_SMALL_FILE_BYTES, card_text, is_license_file, unsafe_repo_path
from modelaudit.sources.record import extract_record

COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
# huggingface_hub's trees/<commit>.json format; a listing of another format is ignored, as the library does
TREE_FORMAT_VERSION = 1


def hub_cache_dir(cache_dir: str | Path | None = None) -> Path:
    """``cache_dir``, else huggingface_hub's cache folder (``HF_HUB_CACHE`` as the library read it)."""
    return Path(cache_dir or constants.HF_HUB_CACHE).expanduser()


def repo_type(ref: RepoRef) -> str:
    return "dataset" if ref.kind is RepoKind.DATASET else "model"


def storage_folder(cache_dir: Path, ref: RepoRef) -> Path:
    """``<cache>/models--org--name`` (``datasets--...`` for datasets), named by huggingface_hub."""
    return cache_dir / repo_folder_name(repo_id=ref.repo_id, repo_type=repo_type(ref))


# ------------------------------------------------------------------------------------ the tree listing


def read_tree_listing(storage: Path, commit: str) -> dict[str, FileEntry] | None:
    """``trees/<commit>.json`` as FileEntry objects (LFS sha256 included), or None when absent, of another
    format or unreadable. Entries whose name is not a safe relative path are dropped."""
    data = read_json(storage / "trees" / f"{commit}.json")
    if not isinstance(data, dict) or data.get("format_version") != TREE_FORMAT_VERSION:
        return None
    files = data.get("files")
    if not isinstance(files, dict):
        return None
    out: dict[str, FileEntry] = {}
    for name, info in files.items():
        if unsafe_repo_path(name) is not None or not isinstance(info, dict):
            continue
        size, blob_id, sha256 = info.get("size"), info.get("blob_id"), info.get("lfs_sha256")
        out[name] = FileEntry(
            path=name,
            size=size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None,
            blob_id=blob_id if isinstance(blob_id, str) else None,
            lfs_sha256=sha256 if isinstance(sha256, str) and _SHA256_RE.match(sha256) else None,
        )
    return out


# ------------------------------------------------------------------------------------ recording (Hub source)


def record_revision(storage: Path, revision: str, commit: str, files: list[FileEntry] | None) -> None:
    """Record that ``revision`` resolved to ``commit`` and, given the commit's **complete** listing, the
    listing (``None``: it is not known whole).

    Writes ``refs/<revision>`` (not for a commit revision), creates ``snapshots/<commit>/`` (a ref to a
    commit without a snapshot folder makes ``scan_cache_dir`` drop the repo as corrupted) and writes
    ``trees/<commit>.json`` once (a commit's tree never changes). A listing is written only when complete
    and with a size and blob id for every file: ``snapshot_download`` trusts it as the commit's whole file
    list and would silently skip a file left out. Best effort: a read-only cache only costs offline coverage.
    """
    if not COMMIT_RE.match(commit):
        return
    with contextlib.suppress(OSError):
        (storage / "snapshots" / commit).mkdir(parents=True, exist_ok=True)
    if not COMMIT_RE.match(revision) and unsafe_repo_path(revision) is None:
        ref_file = storage / "refs" / revision  # refs/main, refs/refs/pr/1, as the library names them
        try:
            current = ref_file.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != commit:
            write_text(ref_file, commit)
    tree = storage / "trees" / f"{commit}.json"
    if not files or any(f.size is None or f.blob_id is None for f in files) or tree.exists():
        return
    listing: dict[str, dict[str, Any]] = {}
    for f in files:
        entry: dict[str, Any] = {"size": f.size, "blob_id": f.blob_id}
        if f.lfs_sha256 is not None:
            entry.update(lfs_sha256=f.lfs_sha256, lfs_size=f.size)
        listing[f.path] = entry
    write_json(tree, {"format_version": TREE_FORMAT_VERSION, "files": listing}, sort_keys=True)


def store_file(cache_dir: Path, storage: Path, commit: str, path: str, etag: str, data: bytes) -> None:
    """Put ``data`` where ``hf_hub_download`` would: ``blobs/<etag>`` and ``snapshots/<commit>/<path>`` (a
    relative link, or a copy where the file system has no links). The caller has checked ``data`` against
    ``etag``, the hash the Hub recorded. Best effort, like :func:`record_revision`."""
    blob = storage / "blobs" / etag
    pointer = storage / "snapshots" / commit / path
    try:
        if not blob.exists():
            blob.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=blob.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, blob)
        if not pointer.exists():
            pointer.parent.mkdir(parents=True, exist_ok=True)
            if are_symlinks_supported(str(cache_dir)):
                with contextlib.suppress(FileExistsError):
                    os.symlink(os.path.relpath(blob, pointer.parent), pointer)
            else:
                shutil.copyfile(blob, pointer)
    except OSError:
        pass


# ------------------------------------------------------------------------------------ the source


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
        self._cache_dir = cache_dir

    @property
    def cache_dir(self) -> Path:
        return hub_cache_dir(self._cache_dir)

    def resolve(self, ref: RepoRef) -> str:
        """The commit ``ref`` names in the cache; OfflineError when the repo or revision is not cached."""
        cache_dir = self.cache_dir
        storage = storage_folder(cache_dir, ref)
        if not storage.is_dir():
            raise OfflineError(ref.key, f"not in the Hugging Face cache at {cache_dir}")
        revision = ref.revision or constants.DEFAULT_REVISION
        try:
            if unsafe_repo_path(revision) is not None:  # never a path out of refs/
                raise RevisionResolutionError(revision)
            commit = resolve_revision(
                ref.repo_id,
                repo_type=repo_type(ref),
                revision=revision,
                cache_dir=cache_dir,
                local_files_only=True,
            ).resolved
        except (RevisionResolutionError, OSError, ValueError):
            raise OfflineError(ref.key, f"revision {revision!r} is not cached") from None
        if not COMMIT_RE.match(commit):
            raise OfflineError(ref.key, f"cached ref {revision!r} is not a commit hash")
        if not (storage / "snapshots" / commit).is_dir() and read_tree_listing(storage, commit) is None:
            raise OfflineError(ref.key, f"commit {commit[:12]} is not cached")
        return commit

    def snapshot_dir(self, ref: RepoRef, commit: str) -> Path:
        """The folder holding the files of ``commit`` that were downloaded (it may not exist)."""
        return storage_folder(self.cache_dir, ref) / "snapshots" / commit

    def list_files(self, ref: RepoRef) -> list[FileEntry]:
        commit = self.resolve(ref)
        listed = read_tree_listing(storage_folder(self.cache_dir, ref), commit) or {}
        snapshot = self.snapshot_dir(ref, commit)
        found: dict[str, FileEntry] = {}
        for dirpath, dirnames, filenames in os.walk(snapshot):
            dirnames.sort()
            for name in sorted(filenames):
                full = Path(dirpath) / name
                rel = full.relative_to(snapshot).as_posix()
                try:
                    size = full.stat().st_size
                except OSError:  # dangling link: the blob was deleted
                    continue
                blob_id, sha256 = (
                    _recorded_hash(Path(os.readlink(full)).name) if full.is_symlink() else (None, None)
                )
                found[rel] = FileEntry(path=rel, size=size, blob_id=blob_id, lfs_sha256=sha256)
        merged = dict(found)
        for path, entry in listed.items():
            seen = found.get(path)
            merged[path] = (
                entry if seen is None else entry.model_copy(update={"size": entry.size or seen.size})
            )
        return sorted(merged.values(), key=lambda e: e.path)

    def cached_path(self, ref: RepoRef, path: str, commit: str | None = None) -> Path | None:
        """Where ``path`` of ``ref`` (at ``commit`` when given) lies in the cache, or None when it was never
        downloaded; FileNotInRepoError when huggingface_hub recorded it as absent at that commit."""
        if unsafe_repo_path(path) is not None:
            return None
        commit = commit or self.resolve(ref)
        found = try_to_load_from_cache(
            ref.repo_id, path, cache_dir=self.cache_dir, revision=commit, repo_type=repo_type(ref)
        )
        if isinstance(found, str):
            return Path(found)
        if found is not None:  # huggingface_hub's _CACHED_NO_EXIST marker
            raise FileNotInRepoError(ref.key, path)
        return None

    # ---------------------------------------------------------------- Source protocol

    def _require(self, ref: RepoRef, path: str) -> Path:
        full = self.cached_path(ref, path)
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

    def read_small(self, ref: RepoRef, path: str, commit: str | None = None) -> bytes | None:
        """The first MAX_SMALL_FILE_BYTES of a downloaded file, or None when it is not in the cache."""
        try:
            full = self.cached_path(ref, path, commit)
        except FileNotInRepoError:
            return None
        if full is None:
            return None
        with full.open("rb") as fh:
            return fh.read(MAX_SMALL_FILE_BYTES)

    def _downloaded(self, ref: RepoRef, path: str, commit: str) -> bool:
        """Whether the cache knows ``path`` at ``commit``: downloaded, or recorded as absent there."""
        try:
            return self.cached_path(ref, path, commit) is not None
        except FileNotInRepoError:
            return True

    def read_card_text(self, ref: RepoRef) -> str | None:
        """The cached model card's whole text, or None when it was never downloaded."""
        return card_text(self.read_small(ref, "README.md"))

    def fetch(self, ref: RepoRef) -> RepoRecord:
        commit = self.resolve(ref)
        files = self.list_files(ref)
        snapshot = self.snapshot_dir(ref, commit)

        def read_range(path: str, start: int, length: int) -> bytes:
            full = self.cached_path(ref, path, commit)
            if full is None:
                # Reported as a problem by extract_record; the header simply was not available offline.
                raise InputError(path, "not in the local cache (never downloaded), header not read")
            with full.open("rb") as fh:
                fh.seek(start)
                return fh.read(max(0, length))

        card: list[bytes | None] = []

        def read_small(path: str) -> bytes | None:
            data = self.read_small(ref, path, commit)
            if path == "README.md":
                card.append(data)  # kept whole for the obligation checks (the card's text)
            return data

        record = extract_record(
            ref,
            SourceKind.CACHE,
            files=files,
            read_small=read_small,
            read_range=read_range,
            revision=commit,
            card_location=str(snapshot / "README.md"),
            local_dir=str(snapshot),
        )
        if any(f.path == "README.md" for f in files) and self.read_small(ref, "README.md", commit) is None:
            record.problems.append(
                Evidence(source="file:README.md", value="model card not in the local cache")
            )
        if card:
            record.card_text = card_text(card[0])
        # a license file never downloaded is unread, not absent: obligation checks must not read it as missing
        for f in files:
            if is_license_file(f.path) and not self._downloaded(ref, f.path, commit):
                record.problems.append(
                    Evidence(source=f"file:{f.path}", value="license file not read: not in the local cache")
                )
        return record
