"""A model folder on disk: a checkout in a pull request, or an unpacked download."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from modelaudit.config import SKIP_DIRS
from modelaudit.errors import FileNotInRepoError, SourceError
from modelaudit.models import FileEntry, RepoRecord, RepoRef, SourceKind
from modelaudit.sources.base import MAX_SMALL_FILE_BYTES, card_text
from modelaudit.sources.record import extract_record

MAX_FILES = 100_000


def resolve_in(folder: str, path: str) -> str:
    """``os.path.realpath(os.path.join(folder, path))`` for a ``folder`` that is already resolved (a realpath):
    only the components of ``path`` are looked at, not the folder's own again. A link among them, or a path
    that is not plain relative POSIX, is left to ``os.path.realpath`` whole."""
    if os.sep != "/" or os.path.isabs(path):
        return os.path.realpath(os.path.join(folder, path))
    resolved = folder
    for part in path.split("/"):
        if not part or part == ".":
            continue
        if part == "..":
            resolved = os.path.dirname(resolved)  # the folder holds no links: its parent is its dirname
            continue
        resolved = os.path.join(resolved, part)
        try:
            is_link = stat.S_ISLNK(os.lstat(resolved).st_mode)
        except OSError:
            continue  # as realpath does: a missing part is kept as written
        if is_link:
            return os.path.realpath(os.path.join(folder, path))
    return resolved


def _under(root: str, resolved: str) -> bool:
    """Whether the resolved path ``resolved`` is the resolved folder ``root`` or lies under it."""
    return resolved == root or resolved.startswith(os.path.join(root, ""))


def _inside(root: str, path: str) -> bool:
    """Whether ``path``, every link resolved, is ``root`` or lies under it."""
    try:
        return _under(root, os.path.realpath(path))
    except (ValueError, OSError):
        return False


class LocalSource:
    """Reads a folder. Symlinks that leave the folder are ignored (and reported), never followed."""

    kind = SourceKind.LOCAL

    # Paths are plain strings resolved with os.path, not Path objects: a lineage of local folders resolves
    # the folder, its card and its parents' folders for every node, and Path.resolve cost four times as much
    def _root(self, ref: RepoRef) -> str:
        """The folder of ``ref``, every link and ``..`` resolved."""
        if not ref.local_path:
            raise SourceError(ref.repo_id, f"{ref.repo_id}: not a local folder")
        root = os.path.realpath(ref.local_path)
        if not os.path.isdir(root):
            raise SourceError(ref.repo_id, f"{ref.local_path}: no such folder")
        return root

    def list_files(self, ref: RepoRef) -> tuple[list[FileEntry], list[str]]:
        """Files under the folder (relative POSIX paths) and the paths skipped as unsafe."""
        return self._list(self._root(ref))

    def _list(self, root: str) -> tuple[list[FileEntry], list[str]]:
        # plain strings, not Path objects: building three Paths per file was most of the cost of reading a
        # small folder, and a lineage of local folders reads one per node
        prefix = len(os.path.join(root, ""))  # dirpath is root itself or root + separator + ...
        entries: list[FileEntry] = []
        skipped: list[str] = []
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                rel = full[prefix:] if os.sep == "/" else Path(full).relative_to(root).as_posix()
                if os.path.islink(full) and not _inside(root, full):
                    skipped.append(rel)
                    continue
                try:
                    size = os.stat(full).st_size
                except OSError:
                    skipped.append(rel)
                    continue
                entries.append(FileEntry(path=rel, size=size))
                if len(entries) >= MAX_FILES:
                    skipped.append(f"... more than {MAX_FILES} files, listing stopped")
                    return entries, skipped
        return entries, skipped

    def _path(self, ref: RepoRef, path: str) -> str:
        return self._file(self._root(ref), ref, path)

    def _file(self, root: str, ref: RepoRef, path: str) -> str:
        """``path`` inside ``root`` (the resolved folder of ``ref``), resolved; FileNotInRepoError when it is
        not a file there."""
        resolved = resolve_in(root, path)
        if not (_under(root, resolved) and os.path.isfile(resolved)):
            raise FileNotInRepoError(ref.display(), path)
        return resolved

    def open_file(self, ref: RepoRef, path: str) -> BinaryIO:
        return open(self._path(ref, path), "rb")  # the caller closes it

    def read_range(self, ref: RepoRef, path: str, start: int, length: int) -> bytes:
        return _read_range(self._path(ref, path), start, length)

    def read_small(self, ref: RepoRef, path: str) -> bytes | None:
        return self._read_small(self._root(ref), ref, path)

    def _read_small(self, root: str, ref: RepoRef, path: str) -> bytes | None:
        try:
            full = self._file(root, ref, path)
        except FileNotInRepoError:
            return None
        return _read_head(full, MAX_SMALL_FILE_BYTES)

    def fetch(self, ref: RepoRef) -> RepoRecord:
        root = self._root(ref)  # once per fetch: every read below is inside this folder
        files, skipped = self._list(root)
        card: list[bytes | None] = []

        def read_small(path: str) -> bytes | None:
            data = self._read_small(root, ref, path)
            if path == "README.md":
                card.append(data)  # kept whole for the obligation checks (the card's text)
            return data

        record = extract_record(
            ref,
            SourceKind.LOCAL,
            files=files,
            read_small=read_small,
            read_range=lambda p, s, n: _read_range(self._file(root, ref, p), s, n),
            card_location=os.path.join(root, "README.md"),
            local_dir=str(root),
        )
        if card:
            record.card_text = card_text(card[0])
        if skipped:
            from modelaudit.models import Evidence

            record.problems.extend(
                Evidence(source="file", value=f"skipped unsafe path: {p}") for p in skipped
            )
        return record


def _read_head(full: str, cap: int) -> bytes:
    """The first ``cap`` bytes of a file, as ``open(full, "rb").read(cap)`` gives them, at the cost of a few
    system calls: no buffered file object (which cost more than reading a small card), and no buffer of
    ``cap`` bytes asked for a file of a few hundred: it asks for the size ``fstat`` gives plus one byte, then
    reads on in chunks to the end or the cap (a short read, a file grown since, or one whose size ``fstat``
    does not know)."""
    fd = os.open(full, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        data = os.read(fd, min(cap, os.fstat(fd).st_size + 1))
        while len(data) < cap:
            more = os.read(fd, min(cap - len(data), _CHUNK))
            if not more:
                break
            data += more
        return data
    finally:
        os.close(fd)


_CHUNK = 1 << 20


def _read_range(full: str, start: int, length: int) -> bytes:
    with open(full, "rb") as fh:
        fh.seek(start)
        return fh.read(max(0, length))
