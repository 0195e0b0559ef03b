"""The child process of :class:`modelaudit.verify.prehash.DigestRegistry`: hashes files, reports in JSON lines.

Run by path (``python -I -S _prehash_child.py``), not imported: it uses the standard library only, so the
child starts hashing about 5 ms after it is spawned instead of the ~40 ms that importing ``modelaudit``'s
packages (typing, dataclasses, concurrent.futures) takes. That is also why it does not call
``hashing.hash_stream``: its loop is the same one (``readinto`` a preallocated 1 MiB buffer, ``update``
with what was read), and tests/verify/test_prehash.py checks that both give the same digests.

Protocol: one line on stdin, ``{"workers": N, "paths": [...]}`` (real paths). On stdout, one JSON line per
progress step of a file, ``{"i": k, "n": bytes}``, and one when it ends, ``{"i": k, "done": {...}}`` with the
identity before hashing and the SHA-256, or ``"done": null`` when the file could not be read or changed
while it was read. The child exits when its stdin closes (the parent stopped it, or is gone).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import threading
from collections.abc import Callable

CHUNK = 1024 * 1024  # hashing.DEFAULT_CHUNK
STEP = 8 * 1024 * 1024  # bytes between progress lines


def _identity(real: str, st: os.stat_result) -> dict[str, object]:
    return {
        "realpath": real,
        "dev": st.st_dev,
        "ino": st.st_ino,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
    }


def hash_one(real: str, say: Callable[[int], None]) -> dict[str, object] | None:
    """The ``done`` document of one file (None: unreadable, not a regular file, or changed meanwhile)."""
    with open(real, "rb", buffering=0) as fh:
        before = os.fstat(fh.fileno())
        if not stat.S_ISREG(before.st_mode):
            return None
        digest = hashlib.sha256()
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        total = pending = 0
        while True:
            n = fh.readinto(view)
            if not n:
                break
            digest.update(view[:n])
            total += n
            pending += n
            if pending >= STEP:
                say(pending)
                pending = 0
        if pending:
            say(pending)
        view.release()
        after = os.fstat(fh.fileno())
    ident = _identity(real, before)
    if _identity(real, after) != ident or total != before.st_size:
        return None
    return {**ident, "hashed": total, "sha256": digest.hexdigest(), "git_sha1": None}


def main() -> None:
    request = json.loads(sys.stdin.buffer.readline() or b"{}")
    paths = [p for p in request.get("paths", []) if isinstance(p, str)]
    workers = max(1, int(request.get("workers", 1)))
    out = sys.stdout.buffer
    out_lock = threading.Lock()
    queue = list(range(len(paths)))
    queue_lock = threading.Lock()

    def emit(doc: dict[str, object]) -> None:
        line = json.dumps(doc).encode() + b"\n"
        with out_lock:
            out.write(line)
            out.flush()

    def work() -> None:
        while True:
            with queue_lock:
                if not queue:
                    return
                i = queue.pop(0)
            try:
                done = hash_one(paths[i], lambda n, i=i: emit({"i": i, "n": n}))  # type: ignore[misc]
            except (OSError, ValueError):
                done = None
            emit({"i": i, "done": done})

    def watch_parent() -> None:
        sys.stdin.buffer.read()  # returns at EOF: the parent closed the pipe or is gone
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    threads = [threading.Thread(target=work) for _ in range(min(workers, len(paths)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.flush()
    os._exit(0)  # not a normal shutdown: the stdin watcher still holds stdin's lock


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # the parent stopped reading: nobody needs the rest
        os._exit(0)
