"""Where modelaudit's on-disk caches live: ``MODELAUDIT_CACHE_DIR``, else the platform's user cache folder
for ``modelaudit`` (e.g. ``~/.cache/modelaudit``). Every cache (Hub metadata, the compiled license database,
license identifications, parsed YAML, the project configuration, fingerprint plans) keeps its entries under
this root, through :mod:`modelaudit.cachefile`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


def default_cache_root() -> Path:
    env = os.environ.get("MODELAUDIT_CACHE_DIR")
    if env:
        return _expanded(env, os.environ.get("HOME"), os.environ.get("USERPROFILE"))
    # platformdirs reads these (XDG on Linux, the profile folders on Windows, HOME everywhere)
    return _platform_cache_root(*(os.environ.get(k) for k in _PLATFORM_ENV))


# Every on-disk cache asks for its root once per entry (a card's parsed YAML, a license text, ...): ~7 µs a
# call through platformdirs, so the answer is kept per value of what it depends on.
_PLATFORM_ENV = ("XDG_CACHE_HOME", "HOME", "LOCALAPPDATA", "USERPROFILE")


@lru_cache(maxsize=16)
def _expanded(env: str, *_home: str | None) -> Path:
    return Path(env).expanduser()


@lru_cache(maxsize=16)
def _platform_cache_root(*_env: str | None) -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("modelaudit", appauthor=False))


__all__ = ["default_cache_root"]
