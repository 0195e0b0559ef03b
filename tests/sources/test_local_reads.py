"""LocalSource's listing (plain strings) gives what the Path-based code gave; small reads are capped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modelaudit.models import FileEntry, RepoRef
from modelaudit.sources import local
from modelaudit.sources.base import MAX_SMALL_FILE_BYTES
from modelaudit.sources.local import SKIP_DIRS, LocalSource


def reference_listing(root: Path) -> tuple[list[FileEntry], list[str]]:
    """The listing as LocalSource made it with Path objects (before it used strings)."""
    root = root.resolve()
    entries: list[FileEntry] = []
    skipped: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        base = Path(dirpath)
        for name in sorted(filenames):
            full = base / name
            rel = full.relative_to(root).as_posix()
            if full.is_symlink() and not local._inside(root, full):
                skipped.append(rel)
                continue
            try:
                size = full.stat().st_size
            except OSError:
                skipped.append(rel)
                continue
            entries.append(FileEntry(path=rel, size=size))
    return entries, skipped


def test_listing_matches_the_path_based_listing(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    m = tmp_path / "m"
    for sub in ("b/deep/er", "a", ".git/objects", "__pycache__", "z z", "tok\\izer"):
        (m / sub).mkdir(parents=True)
    for rel, text in {
        "README.md": "card",
        "b/w.safetensors": "x" * 100,
        "b/deep/er/x.json": "{}",
        "a/LICENSE": "MIT",
        ".git/objects/o": "git",
        "__pycache__/c.pyc": "pyc",
        "z z/space name.txt": "s",
        "tok\\izer/vocab.txt": "v",
        ".hidden": "h",
    }.items():
        (m / rel).write_text(text)
    os.symlink(outside / "secret.txt", m / "escape.txt")
    os.symlink(m / "a" / "LICENSE", m / "LICENSE")
    os.symlink(outside, m / "linked-dir")
    os.symlink(m / "missing", m / "dangling")
    os.symlink("a/LICENSE", m / "b" / "relative-escape")
    got = LocalSource().list_files(RepoRef(repo_id="m", local_path=str(m)))
    assert got == reference_listing(m)
    entries, skipped = got
    assert [e.path for e in entries][:3] == [".hidden", "LICENSE", "README.md"]
    assert "escape.txt" in skipped and "dangling" in skipped
    assert not any(p.startswith((".git/", "__pycache__/", "linked-dir")) for p in [e.path for e in entries])


@pytest.mark.parametrize(
    "size", [0, 1, 100, MAX_SMALL_FILE_BYTES - 1, MAX_SMALL_FILE_BYTES, MAX_SMALL_FILE_BYTES + 7]
)
def test_small_reads_keep_the_cap(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    (tmp_path / "config.json").write_bytes(data)
    got = LocalSource().read_small(RepoRef(repo_id="m", local_path=str(tmp_path)), "config.json")
    assert got == data[:MAX_SMALL_FILE_BYTES]


@pytest.mark.parametrize("real", [0, 10, 5000, MAX_SMALL_FILE_BYTES + 3])
def test_small_reads_stop_at_the_cap(tmp_path: Path, real: int) -> None:
    data = os.urandom(real)
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "grows.bin").write_bytes(data)
    ref = RepoRef(repo_id="m", local_path=str(tmp_path / "m"))
    assert LocalSource().read_small(ref, "grows.bin") == data[:MAX_SMALL_FILE_BYTES]


def test_small_reads_read_what_a_file_object_reads(tmp_path: Path) -> None:
    """The head of a file is what open(...).read(cap) gives: also for files whose size stat does not know
    (procfs says 0 for files that hold text), and for caps below, at and above the size."""
    paths = [tmp_path / "f", tmp_path / "empty"]
    paths[0].write_bytes(os.urandom(3000))
    paths[1].write_bytes(b"")
    paths += [Path(p) for p in ("/proc/version", "/proc/self/cmdline") if os.path.exists(p)]  # fixed text
    for path in paths:
        for cap in (1, 5, 100, 2999, 3000, 3001, MAX_SMALL_FILE_BYTES):
            with open(path, "rb") as fh:
                want = fh.read(cap)
            assert local._read_head(str(path), cap) == want, (path, cap)
