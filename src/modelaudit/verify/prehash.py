"""Digests computed ahead of verification, keyed by the identity of the file they were computed from.

Two users:

* the CLI (``scan`` and ``verify`` of a local folder with ``--verify full``) starts hashing the folder's
  large files as soon as the command line is parsed, so the hashing runs while the rest of the tool is
  imported and the lineage is crawled, instead of after it;
* the Ray engine hashes a model's large files as separate tasks (one per file) and hands the results to the
  model's scan task.

The CLI hashes in a child process (``python -I -S _prehash_child.py``), not on a thread: while
the main thread imports and crawls it holds the GIL, and a hashing thread that gives the GIL up for every
``update`` then waits up to the switch interval to get it back, for every MiB. Measured on a 1 GiB file
with 0.3 s of Python work beside it: 1.07 s on a thread, 0.82 s in a child, 0.80 s alone.

``verify_files`` consults the registry before hashing a local file itself. A file's identity is its real
path with ``st_dev``, ``st_ino``, ``st_size`` and ``st_mtime_ns``, taken with ``fstat`` on the handle verify
opened and, on the hashing side, before and after the pass; a digest is used only when all of them agree,
so a file replaced, truncated or rewritten in between is hashed again, by verify itself. Anything that goes
wrong while pre-hashing (an unreadable file, a file that changed, a child that could not start or died)
makes a miss, and verify then meets the same problem the way it always did. The digests are what
:func:`~modelaudit.verify.hashing.hash_stream` gives: :func:`hash_file` calls it, and the child runs the
same loop (tests/verify/test_prehash.py compares them).

Nothing is kept on disk and nothing outlives the registry object (one per command or scan task).
"""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:  # hashing (hashlib, concurrent.futures) loads when a digest is made, not to start the child
    import subprocess  # loads when a child is spawned: most folders have no file large enough

    from modelaudit.verify.hashing import Digests

# files smaller than this are hashed by verify itself: pre-hashing them saves nothing worth a thread hop
PREHASH_MIN_BYTES = 4 * 1024 * 1024
# what a folder walk looks at before giving up (a model folder has a few dozen files)
MAX_WALK_ENTRIES = 100_000


@dataclass(frozen=True)
class FileIdentity:
    """Which bytes a digest belongs to: the file, its size and its last modification."""

    realpath: str
    dev: int
    ino: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, realpath: str, st: os.stat_result) -> FileIdentity:
        return cls(realpath, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class Prehashed:
    """One file's digests with the identity of the file before and after hashing (equal when valid)."""

    identity: FileIdentity
    digests: Digests

    def to_json(self) -> dict[str, object]:
        """Plain values, for passing between processes (Ray tasks)."""
        i, d = self.identity, self.digests
        return {
            "realpath": i.realpath,
            "dev": i.dev,
            "ino": i.ino,
            "size": i.size,
            "mtime_ns": i.mtime_ns,
            "hashed": d.size,
            "sha256": d.sha256,
            "git_sha1": d.git_sha1,
        }

    @classmethod
    def from_json(cls, doc: dict[str, object]) -> Prehashed:
        def num(key: str) -> int:
            value = doc[key]
            if not isinstance(value, int):
                raise ValueError(f"{key}: not an integer")
            return value

        def text(key: str) -> str | None:
            value = doc.get(key)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{key}: not a string")
            return value

        from modelaudit.verify.hashing import Digests

        path = text("realpath")
        if path is None:
            raise ValueError("realpath missing")
        identity = FileIdentity(path, num("dev"), num("ino"), num("size"), num("mtime_ns"))
        return cls(identity, Digests(size=num("hashed"), sha256=text("sha256"), git_sha1=text("git_sha1")))


class _Entry:
    """One file's pre-hash: pending (with the bytes hashed so far), then done with its digests or nothing."""

    def __init__(self, realpath: str) -> None:
        self.realpath = realpath
        self.cond = threading.Condition()
        self.done = False
        self.hashed = 0
        self.item: Prehashed | None = None

    def add(self, n: int) -> None:
        with self.cond:
            self.hashed += n
            self.cond.notify_all()

    def finish(self, item: Prehashed | None) -> None:
        with self.cond:
            if self.done:
                return
            self.item = item
            self.done = True
            self.cond.notify_all()

    def follow(self, progress: Callable[[int], None] | None) -> Prehashed | None:
        """Wait until hashing ends, passing the bytes hashed so far, then as they come, on to ``progress``."""
        reported = 0
        while True:
            with self.cond:
                while not self.done and self.hashed == reported:
                    self.cond.wait()
                hashed, done, item = self.hashed, self.done, self.item
            if progress is not None and hashed > reported:
                progress(hashed - reported)
            reported = hashed
            if done:
                return item


def hash_file(path: str, *, progress: Callable[[int], None] | None = None) -> Prehashed | None:
    """SHA-256 of the file at ``path`` with its identity; None when it changed while being hashed.

    Raises ``OSError`` when it cannot be opened or read.
    """
    from modelaudit.verify.hashing import hash_stream

    real = os.path.realpath(path)
    with open(real, "rb", buffering=0) as fh:
        before = os.fstat(fh.fileno())
        if not stat.S_ISREG(before.st_mode):
            return None
        digests = hash_stream(fh, progress=progress)
        after = os.fstat(fh.fileno())
    identity = FileIdentity.of(real, before)
    if FileIdentity.of(real, after) != identity or digests.size != before.st_size:
        return None  # written to while we read it: no digest belongs to "the file"
    return Prehashed(identity, digests)


class DigestRegistry:
    """Digests of local files, ready or being computed, looked up by the identity of an open handle.

    Thread-safe. ``start`` hashes files in a child process (``workers`` files at once), ``add`` records
    digests computed elsewhere (a Ray task), ``take`` is what ``verify_files`` calls, ``shutdown`` stops the
    child (an interrupted command does not leave it hashing).
    """

    def __init__(self, workers: int = 2) -> None:
        self._workers = max(1, workers)
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._child: subprocess.Popen[bytes] | None = None
        self.hits = 0  # digests verify used instead of hashing (tests, benchmarks)

    # ------------------------------------------------------------------ producing

    def start(self, paths: Iterable[str]) -> bool:
        """Hash these files in a child process, in this order; False when no child could be started (then
        verify hashes everything itself). Call once."""
        todo: list[_Entry] = []
        with self._lock:
            if self._child is not None:
                raise RuntimeError("DigestRegistry.start called twice")
            for path in paths:
                real = os.path.realpath(path)
                if real not in self._entries:
                    entry = self._entries[real] = _Entry(real)
                    todo.append(entry)
            if not todo:
                return True
            try:
                child = self._child = _spawn()
            except (OSError, ValueError):
                child = None
        if child is None or child.stdin is None or child.stdout is None:
            for entry in todo:
                entry.finish(None)
            return False
        request = {"workers": self._workers, "paths": [e.realpath for e in todo]}
        try:
            child.stdin.write(json.dumps(request).encode() + b"\n")
            child.stdin.flush()  # stdin stays open: the child ends when it closes (this process is gone)
        except OSError:
            pass  # the child is gone already; the reader sees its end and finishes every entry
        threading.Thread(
            target=self._read, args=(child.stdout, todo), name="modelaudit-prehash", daemon=True
        ).start()
        return True

    @staticmethod
    def _read(stream: BinaryIO, todo: list[_Entry]) -> None:
        """Follow the child's report lines; when it ends, whatever it did not finish is a miss."""
        try:
            for line in stream:
                try:
                    doc = json.loads(line)
                    entry = todo[doc["i"]]
                    if "n" in doc:
                        entry.add(int(doc["n"]))
                    else:
                        done = doc.get("done")
                        entry.finish(Prehashed.from_json(done) if isinstance(done, dict) else None)
                except (ValueError, KeyError, IndexError, TypeError):
                    continue
        except (OSError, ValueError):
            pass
        finally:
            stream.close()
            for entry in todo:
                entry.finish(None)

    def add(self, item: Prehashed) -> None:
        """Record digests computed elsewhere."""
        entry = _Entry(item.identity.realpath)
        entry.hashed = item.digests.size
        entry.finish(item)
        with self._lock:
            self._entries[entry.realpath] = entry

    def shutdown(self) -> None:
        """Stop the child if it is still hashing; what it did not finish is a miss from now on."""
        with self._lock:
            child = self._child
            entries = list(self._entries.values())
        if child is not None:
            if child.poll() is None:
                child.kill()
            child.wait()
            if child.stdin is not None:
                child.stdin.close()  # its stdout is the reader thread's, which closes it at the end
        for entry in entries:
            entry.finish(None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    # ------------------------------------------------------------------ consuming

    def take(
        self,
        handle: BinaryIO,
        *,
        git_sha1_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Digests | None:
        """The digests of the file open as ``handle``, or None when verify must hash it itself.

        A hit is a file whose real path and ``fstat`` identity match a digest's, with the SHA-256 (and the git
        blob SHA-1 when ``git_sha1_size`` asks for it; pre-hashing never computes it, so that is a miss).
        While the digest is still being computed this waits for it and passes its progress on in bytes.
        """
        if git_sha1_size is not None:
            return None
        identity = _identity(handle)
        if identity is None:
            return None
        with self._lock:
            entry = self._entries.get(identity.realpath)
        if entry is None:
            return None
        item = entry.follow(progress)
        if item is None or item.identity != identity or item.digests.sha256 is None:
            return None
        with self._lock:
            self.hits += 1
        return item.digests


def _spawn() -> subprocess.Popen[bytes] | None:
    """The hashing child (``_prehash_child.py``, standard library only), run by path in an isolated
    interpreter: -I (no PYTHONPATH, user site or current folder on its path), -S (no site: no .pth files)."""
    if not sys.executable:
        return None
    import subprocess

    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_prehash_child.py")
    return subprocess.Popen(
        [sys.executable, "-I", "-S", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        close_fds=True,
    )


def _identity(handle: BinaryIO) -> FileIdentity | None:
    """Identity of an open local file (None for anything else: a stream, a spooled copy)."""
    name = getattr(handle, "name", None)
    if not isinstance(name, str):
        return None
    try:
        st = os.fstat(handle.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return FileIdentity.of(os.path.realpath(name), st)


def large_files(folder: str, min_bytes: int | None = None) -> list[str]:
    """Regular files of at least ``min_bytes`` (default ``PREHASH_MIN_BYTES``) under ``folder`` (links and
    skipped folders left out), the largest first; [] when the folder cannot be read. What a local scan
    hashes, found without importing the sources."""
    if min_bytes is None:
        min_bytes = PREHASH_MIN_BYTES
    from modelaudit.sources.local import SKIP_DIRS  # the folders the local source never reads

    found: list[tuple[int, str]] = []
    seen = 0
    stack = [folder]
    while stack and seen < MAX_WALK_ENTRIES:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                for entry in it:
                    seen += 1
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if entry.name not in SKIP_DIRS:
                                stack.append(entry.path)
                        elif entry.is_file(follow_symlinks=False):
                            size = entry.stat(follow_symlinks=False).st_size
                            if size >= min_bytes:
                                found.append((size, entry.path))
                    except OSError:
                        continue
        except OSError:
            continue
    return [path for _size, path in sorted(found, key=lambda t: (-t[0], t[1]))]


def local_folders(targets: Iterable[str]) -> list[str]:
    """Those ``targets`` that name a local folder, as ``parse_target`` reads them (an existing folder always
    wins), in order and without repeats."""
    folders: list[str] = []
    for target in targets:
        try:
            folder = os.path.expanduser(target.strip())
            if folder and "\0" not in folder and os.path.isdir(folder) and folder not in folders:
                folders.append(folder)
        except (OSError, ValueError):
            continue
    return folders


def prehash_folders(
    targets: Iterable[str], workers: int = 2, min_bytes: int | None = None
) -> DigestRegistry | None:
    """Start hashing the large files of those ``targets`` that name a local folder, folder by folder, the
    largest file first; None when there is nothing to hash ahead. The caller calls ``shutdown`` when done.

    A registry :func:`early_start` began for the same folders is taken over instead of starting another."""
    folders = local_folders(targets)
    early = discard_early(keep=folders)
    if early is not None:
        return early
    files = [f for folder in folders for f in large_files(folder, min_bytes)]
    if not files:
        return None
    registry = DigestRegistry(workers)
    registry.start(files)
    return registry


# what early_start began: (folders, registry), until a command takes it over or discards it
_early: tuple[list[str], DigestRegistry] | None = None
# options of scan/verify that take a folder that is not a target, and those that choose the verify mode
_FOLDER_VALUED = ("-o", "--output")
_MODE_OPTIONS = ("--verify", "--mode")


def early_start(argv: list[str]) -> None:
    """Before click and the command load, guess from ``argv`` whether this is ``scan``/``verify`` of local
    folders in full and, if so, start hashing them now (~40 ms sooner than the command could).

    Only a guess: the command decides with the parsed options (:func:`prehash_folders` takes the registry
    over when its folders are the ones guessed, :func:`discard_early` stops it otherwise), so a wrong guess
    costs a few milliseconds of a child's work, never a wrong digest."""
    global _early
    args = list(argv)
    while args and args[0] == "--debug":
        args.pop(0)
    if not args or args[0] not in ("scan", "verify") or _early is not None:
        return
    command, rest = args[0], args[1:]
    if command == "scan" and os.environ.get("MODELAUDIT_VERIFY", "full").strip() not in ("", "full"):
        return
    candidates: list[str] = []
    skip_next = False
    for i, arg in enumerate(rest):
        if skip_next:
            skip_next = False
            continue
        if arg in ("-h", "--help", "--against") or arg.startswith("--against="):
            return
        if arg in _MODE_OPTIONS:
            if i + 1 < len(rest) and rest[i + 1] != "full":
                return
            skip_next = True
        elif arg.startswith(tuple(f"{o}=" for o in _MODE_OPTIONS)):
            if arg.split("=", 1)[1] != "full":
                return
        elif arg in _FOLDER_VALUED:
            skip_next = True
        elif not arg.startswith("-"):
            candidates.append(arg)
    folders = local_folders(candidates)
    files = [f for folder in folders for f in large_files(folder)]
    if files:
        registry = DigestRegistry()
        registry.start(files)
        _early = (folders, registry)


def discard_early(keep: list[str] | None = None) -> DigestRegistry | None:
    """The registry :func:`early_start` began, when it was for exactly the folders ``keep``; otherwise it is
    stopped (the command does not hash in full, or hashes other folders) and None is returned."""
    global _early
    early, _early = _early, None
    if early is None:
        return None
    folders, registry = early
    if keep is not None and folders == keep:
        return registry
    registry.shutdown()
    return None
