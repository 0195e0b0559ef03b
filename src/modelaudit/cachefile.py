"""The one on-disk cache of modelaudit: namespaced, content-addressed JSON entries under one version key,
written atomically, with a size cap and least-recently-used eviction.

Where: ``MODELAUDIT_CACHE_DIR``, else the platform's user cache folder for ``modelaudit`` (e.g.
``~/.cache/modelaudit``). Layout::

    <root>/v<FORMAT>-<modelaudit version>/<namespace>/<key[:2]>/<key>.json

* **One version key**: every entry lives under ``v<FORMAT>-<version>``, so a new modelaudit (or a new
  :data:`FORMAT`, bumped when what any cache stores changes shape) never reads an older entry; the folders of
  other versions are the first to go when the cache is over its cap, and ``modelaudit cache clear`` removes
  them. A key holds everything else the entry depends on (:func:`key`: the content it was computed from and
  the versions of the libraries that computed it).
* **Namespaces** (:data:`NAMESPACES`): what each cache keeps. Only caches a same-run benchmark A/B shows to
  matter exist (benchmarks/lineage_core.py).
* **Atomic writes**: an entry is written to a temporary file of its own and renamed over the old one, so
  concurrent writers (the threads of a fleet run, parallel processes) never leave half-written bytes. An
  entry that cannot be read is a miss and one that cannot be written only costs time: never an error.
* **Size cap**: ``MODELAUDIT_CACHE_MAX_BYTES``, else ``cache_max_bytes`` in the project's configuration
  (modelaudit.toml / ``[tool.modelaudit]``), else :data:`DEFAULT_MAX_BYTES`. A read hit refreshes an entry's
  modification time; a :class:`Cache` that writes checks the total on its first write and every
  :data:`EVICT_EVERY` writes after, and when it is over the cap removes other versions' entries, then the
  least recently used, down to 90 % of the cap.
* ``--no-cache``: a disabled :class:`Cache` (:meth:`Cache.off`) reads and writes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelaudit._version import __version__

FORMAT = 2  # bump when what any namespace stores changes shape (1: the per-cache layouts before this one)
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
EVICT_EVERY = 256  # writes between two checks of the total size (the first write of a Cache checks too)
ENV_ROOT = "MODELAUDIT_CACHE_DIR"
ENV_MAX_BYTES = "MODELAUDIT_CACHE_MAX_BYTES"

NAMESPACES: dict[str, str] = {
    "metadata": "Hub metadata (RepoRecords) by endpoint, repo and commit; branch and tag pointers with a TTL",
    "spdx": "SPDX license-text matches of a text (licenseclassifier), by the text and the matcher's version",
    "fingerprint": "weight-fingerprint sample plans and comparisons, by their inputs and numpy's version",
}


def root() -> Path:
    """The cache folder (not created here)."""
    env = os.environ.get(ENV_ROOT)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("modelaudit", appauthor=False))


def version_key() -> str:
    """The folder every current entry lives in."""
    return f"v{FORMAT}-{__version__}"


def key(*parts: str | bytes) -> str:
    """A content address: the SHA-256 of ``parts`` (each length-prefixed, so no two lists collide)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(b"%d:" % len(data))
        h.update(data)
    return h.hexdigest()


def max_bytes() -> int:
    """The cap: ``MODELAUDIT_CACHE_MAX_BYTES``, else the project configuration's ``cache_max_bytes``, else
    :data:`DEFAULT_MAX_BYTES`. A value that is not a positive integer is a ConfigError naming it."""
    from modelaudit.config import cache_max_bytes

    return cache_max_bytes(DEFAULT_MAX_BYTES)


def read_json(path: Path) -> Any:
    """The JSON document at ``path``, or None when it is absent, unreadable or not JSON."""
    try:
        with open(path, "rb") as fh:
            return json.loads(fh.read())
    except (OSError, ValueError):
        return None


def write_text(path: Path, text: str) -> bool:
    """Replace ``path`` with ``text`` atomically; False when it could not be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False


def write_json(path: Path, data: object, *, sort_keys: bool = False) -> bool:
    """Replace ``path`` with ``data`` as compact JSON (key order kept unless ``sort_keys``); False when it
    could not be written, or ``data`` is not JSON (nothing is written then)."""
    try:
        text = json.dumps(data, separators=(",", ":"), sort_keys=sort_keys)
    except (TypeError, ValueError):
        return False
    return write_text(path, text)


@dataclass(frozen=True)
class Usage:
    """Entries and bytes of one namespace (or of the folders of other versions, as ``stale``)."""

    entries: int = 0
    bytes: int = 0


@dataclass(frozen=True)
class Info:
    location: Path
    version: str
    max_bytes: int
    namespaces: dict[str, Usage]  # every namespace of NAMESPACES, and "stale" (other versions)

    @property
    def total_bytes(self) -> int:
        return sum(u.bytes for u in self.namespaces.values())


class Cache:
    """The cache at ``root`` (default: :func:`root`). Thread-safe; :meth:`off` gives one that does nothing."""

    def __init__(self, location: Path | str | None = None, *, enabled: bool = True) -> None:
        self.location = Path(location) if location is not None else root()
        self.enabled = enabled
        self._base = self.location / version_key()
        self._lock = threading.Lock()
        self._writes = 0

    @classmethod
    def off(cls) -> Cache:
        """A cache that reads and writes nothing (``--no-cache``)."""
        return cls(Path(os.devnull), enabled=False)

    def path(self, namespace: str, entry: str) -> Path:
        if namespace not in NAMESPACES:
            raise KeyError(namespace)
        return self._base / namespace / entry[:2] / f"{entry}.json"

    def get(self, namespace: str, entry: str) -> Any:
        """The entry's JSON value, or None (a miss: absent, unreadable, damaged, or the cache is off)."""
        if not self.enabled:
            return None
        path = self.path(namespace, entry)
        value = read_json(path)
        if value is not None:
            with contextlib.suppress(OSError):
                os.utime(path)  # used now: the last to be evicted
        return value

    def put(self, namespace: str, entry: str, value: object) -> bool:
        """Keep ``value`` (JSON data, key order kept) as the entry; False when it was not written."""
        if not self.enabled:
            return False
        written = write_json(self.path(namespace, entry), value)
        with self._lock:
            check = self._writes % EVICT_EVERY == 0
            self._writes += 1
        if written and check:
            self.evict()
        return written

    # ------------------------------------------------------------------ size

    def _entries(self) -> list[tuple[bool, float, int, Path]]:
        """(current version?, mtime, size, path) of every file in modelaudit's folders under the root: the
        version folders, and the folders of the caches before this one (nothing else there is touched)."""
        found: list[tuple[bool, float, int, Path]] = []
        try:
            folders = [p for p in self.location.iterdir() if p.is_dir() and _ours(p.name)]
        except OSError:
            return found
        for folder in folders:
            current = folder.name == version_key()
            for dirpath, _dirs, files in os.walk(folder):
                for name in files:
                    full = Path(dirpath) / name
                    try:
                        st = full.stat()
                    except OSError:
                        continue
                    found.append((current, st.st_mtime, st.st_size, full))
        return found

    def evict(self, limit: int | None = None) -> int:
        """When the cache holds more than ``limit`` (default :func:`max_bytes`) bytes, remove other versions'
        entries, then the least recently used, until it holds at most 90 % of it. Returns bytes removed."""
        if not self.enabled:
            return 0
        from modelaudit.errors import ConfigError

        try:
            cap = max_bytes() if limit is None else limit
        except (ConfigError, OSError):
            # a bad cap is reported where a run starts (pipeline.open_cache, `cache info`); a config file
            # that cannot be looked for (the working folder removed) leaves the cap unknown: a write never
            # fails on either, and nothing is removed under a cap that is not known
            return 0
        entries = self._entries()
        total = sum(size for _current, _mtime, size, _path in entries)
        if total <= cap:
            return 0
        removed = 0
        for _current, _mtime, size, path in sorted(entries, key=lambda e: (e[0], e[1])):  # stale, then oldest
            if total - removed <= cap * 0.9:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                removed += size
        return removed

    def info(self) -> Info:
        """Where the cache is, and what each namespace (and older versions) holds."""
        usage: dict[str, list[int]] = {name: [0, 0] for name in [*NAMESPACES, "stale"]}
        prefix = len(self._base.parts)
        for current, _mtime, size, path in self._entries():
            name = path.parts[prefix] if current and len(path.parts) > prefix else "stale"
            slot = usage.setdefault(name if name in NAMESPACES else "stale", [0, 0])
            slot[0] += 1
            slot[1] += size
        return Info(
            location=self.location,
            version=version_key(),
            max_bytes=max_bytes(),
            namespaces={name: Usage(n, b) for name, (n, b) in usage.items()},
        )

    def clear(self, namespace: str | None = None) -> Usage:
        """Remove one namespace's entries (all versions), or everything modelaudit keeps here."""
        if namespace is not None and namespace not in NAMESPACES:
            raise KeyError(namespace)
        gone = [0, 0]
        prefix = len(self.location.parts) + 1
        for _current, _mtime, size, path in self._entries():
            if namespace is not None and (len(path.parts) <= prefix or path.parts[prefix] != namespace):
                continue
            with contextlib.suppress(OSError):
                path.unlink()
                gone[0] += 1
                gone[1] += size
        self._prune()
        return Usage(gone[0], gone[1])

    def _prune(self) -> None:
        """Remove the empty folders left in modelaudit's folders (and those folders, when empty)."""
        try:
            folders = [p for p in self.location.iterdir() if p.is_dir() and _ours(p.name)]
        except OSError:
            return
        for folder in folders:
            for dirpath, _dirs, _files in os.walk(folder, topdown=False):
                with contextlib.suppress(OSError):
                    os.rmdir(dirpath)  # only succeeds when empty


_VERSION_FOLDER = re.compile(r"^v[0-9]+-[0-9A-Za-z.+!-]+$")
# the folders of the caches before this one (modelaudit 0.1.0 development builds), removed as stale
LEGACY_FOLDERS = frozenset({"metadata", "yaml", "license_db", "fingerprint", "config"})


def _ours(name: str) -> bool:
    return bool(_VERSION_FOLDER.match(name)) or name in LEGACY_FOLDERS


_default: dict[str, Cache] = {}
_default_lock = threading.Lock()


def default() -> Cache:
    """The cache at :func:`root` (one object per root, so its writes are counted together)."""
    where = str(root())
    with _default_lock:
        cache = _default.get(where)
        if cache is None:
            cache = _default[where] = Cache(where)
        return cache


__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMAT",
    "NAMESPACES",
    "Cache",
    "Info",
    "Usage",
    "default",
    "key",
    "max_bytes",
    "read_json",
    "root",
    "version_key",
    "write_json",
    "write_text",
]
