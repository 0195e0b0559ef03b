"""A model folder on disk: a checkout in a pull request, or an unpacked download."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from modelaudit.errors import FileNotInRepoError, SourceError
from modelaudit.models import FileEntry, RepoRecord, RepoRef, SourceKind
from modelaudit.sources._card import extract_record
from modelaudit.sources.base import MAX_SMALL_FILE_BYTES

MAX_FILES = 100_000
SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".cache", ".ipynb_checkpoints"}


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError):
        return False
    return True


class LocalSource:
    """Reads a folder. Symlinks that leave the folder are ignored (and reported), never followed."""

    kind = SourceKind.LOCAL

    def __init__(self) -> None:
        # folder as given → its resolved path: one realpath per folder and run, not one per file read
        # (each is a few lstat calls per path component; a 1000-level local chain read 5000 of them)
        self._resolved: dict[str, Path] = {}

    def _root(self, ref: RepoRef) -> Path:
        if not ref.local_path:
            raise SourceError(ref.repo_id, f"{ref.repo_id}: not a local folder")
        root = self._resolved.get(ref.local_path)
        if root is None:
            root = Path(ref.local_path).resolve()
            self._resolved[ref.local_path] = root
        if not root.is_dir():
            raise SourceError(ref.repo_id, f"{ref.local_path}: no such folder")
        return root

    def list_files(self, ref: RepoRef) -> tuple[list[FileEntry], list[str]]:
        """Files under the folder (relative POSIX paths) and the paths skipped as unsafe."""
        root = self._root(ref)
        entries: list[FileEntry] = []
        skipped: list[str] = []
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            base = Path(dirpath)
            for name in sorted(filenames):
                full = base / name
                rel = full.relative_to(root).as_posix()
                if full.is_symlink() and not _inside(root, full):
                    skipped.append(rel)
                    continue
                try:
                    size = full.stat().st_size
                except OSError:
                    skipped.append(rel)
                    continue
                entries.append(FileEntry(path=rel, size=size))
                if len(entries) >= MAX_FILES:
                    skipped.append(f"... more than {MAX_FILES} files, listing stopped")
                    return entries, skipped
        return entries, skipped

    def _path(self, ref: RepoRef, path: str) -> Path:
        root = self._root(ref)
        full = root / path
        if "/" not in path and path not in ("", ".", ".."):
            # a name directly in the (resolved) folder that is a regular file, not a link: it is inside
            try:
                if stat.S_ISREG(os.lstat(full).st_mode):
                    return full
            except OSError:
                raise FileNotInRepoError(ref.display(), path) from None
        full = full.resolve()
        try:
            full.relative_to(root)
        except ValueError:
            raise FileNotInRepoError(ref.display(), path) from None
        if not full.is_file():
            raise FileNotInRepoError(ref.display(), path)
        return full

    def open_file(self, ref: RepoRef, path: str) -> BinaryIO:
        return self._path(ref, path).open("rb")

    def read_range(self, ref: RepoRef, path: str, start: int, length: int) -> bytes:
        with self._path(ref, path).open("rb") as fh:
            fh.seek(start)
            return fh.read(max(0, length))

    def read_small(self, ref: RepoRef, path: str) -> bytes | None:
        try:
            full = self._path(ref, path)
        except FileNotInRepoError:
            return None
        with full.open("rb") as fh:
            return fh.read(MAX_SMALL_FILE_BYTES)

    def fetch(self, ref: RepoRef) -> RepoRecord:
        root = self._root(ref)
        files, skipped = self.list_files(ref)
        record = extract_record(
            ref,
            SourceKind.LOCAL,
            files=files,
            read_small=lambda p: self.read_small(ref, p),
            read_range=lambda p, s, n: self.read_range(ref, p, s, n),
            card_location=str(root / "README.md"),
            local_dir=str(root),
        )
        if skipped:
            from modelaudit.models import Evidence

            record.problems.extend(
                Evidence(source="file", value=f"skipped unsafe path: {p}") for p in skipped
            )
        return record
