"""Project configuration: ``modelaudit.toml`` or ``[tool.modelaudit]`` in ``pyproject.toml``.

Precedence (lowest to highest): built-in defaults < this file < ``MODELAUDIT_*`` environment < flags.
The file holds scan defaults and ``cache_max_bytes`` (the cache's size cap); unknown keys are refused with
the file and key named.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from modelaudit.errors import ConfigError

# seconds for all Hub requests of one scan (or verify) together: the default of --deadline
DEFAULT_DEADLINE = 900.0
# folders of a local model folder that are never read: the local source skips them, and so does the Ray
# engine when it picks a folder's large files to hash in tasks of their own (verify/hashpool.large_files);
# .modelaudit-backup holds the copies `modelaudit fix --write` keeps
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "__pycache__", ".cache", ".ipynb_checkpoints", ".modelaudit-backup"}
)


def env_offline() -> bool:
    """Whether ``HF_HUB_OFFLINE`` (or the legacy ``TRANSFORMERS_OFFLINE``, as huggingface_hub reads them) asks
    for offline work, read now (huggingface_hub's ``is_offline_mode`` keeps the value it read at import, so a
    variable set later would not count)."""
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return value.strip().upper() in {"1", "ON", "YES", "TRUE"}


def env_obligations() -> bool:
    """Whether obligations are checked against the repos' files (``MODELAUDIT_OBLIGATIONS=0`` lists them
    unchecked, as reports did before; benchmarks/obligations.py measures the checks' cost that way)."""
    return os.environ.get("MODELAUDIT_OBLIGATIONS", "").strip().upper() not in {"0", "OFF", "NO", "FALSE"}


# file key → scan option parameter name
SCAN_KEYS = {
    "format": "formats",
    "output": "output",
    "policy": "policy",
    "waivers": "waivers",
    "baseline": "baseline",
    "offline": "offline",
    "verify": "verify_mode",
    "fingerprint": "fingerprint",
    "fingerprint_index": "fingerprint_index",
    "smoke": "smoke",
    "device": "device",
    "smoke_timeout": "smoke_timeout",
    "max_depth": "max_depth",
    "max_nodes": "max_nodes",
    "timeout": "timeout",
    "role": "role",
}


# file keys that are not scan defaults
OTHER_KEYS = {"cache_max_bytes": "the size cap of modelaudit's cache, in bytes (MODELAUDIT_CACHE_MAX_BYTES)"}
ENV_CACHE_MAX_BYTES = "MODELAUDIT_CACHE_MAX_BYTES"


def cache_max_bytes(default: int, start: Path | None = None) -> int:
    """The cache's size cap: ``MODELAUDIT_CACHE_MAX_BYTES``, else ``cache_max_bytes`` of the project's config
    file, else ``default``. Anything but a positive whole number of bytes is a ConfigError naming where it
    came from."""
    raw = os.environ.get(ENV_CACHE_MAX_BYTES, "").strip()
    if raw:
        # ASCII digits only: str.isdigit() also accepts characters int() refuses (superscripts: '²')
        if not (raw.isascii() and raw.isdigit()) or int(raw) <= 0:
            raise ConfigError(f"{ENV_CACHE_MAX_BYTES}={raw!r}: not a positive number of bytes")
        return int(raw)
    found = find_config(start)
    if found is None or "cache_max_bytes" not in found[1]:
        return default
    path, table = found
    value = table["cache_max_bytes"]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{path}: cache_max_bytes = {value!r} is not a positive number of bytes")
    return value


def find_config(start: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The nearest config (cwd first, then parents up to a VCS root) and its table, or None."""
    here = (start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        dedicated = folder / "modelaudit.toml"
        if dedicated.is_file():
            return dedicated, _read(dedicated)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _read(pyproject).get("tool", {}).get("modelaudit")
            if isinstance(table, dict):
                return pyproject, table
        if (folder / ".git").exists():
            break
    return None


def _read(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from None


def scan_defaults(start: Path | None = None) -> dict[str, Any]:
    """click ``default_map`` entries for ``scan`` from the project's config file."""
    found = find_config(start)
    if found is None:
        return {}
    path, table = found
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key in OTHER_KEYS:
            continue
        if key not in SCAN_KEYS:
            raise ConfigError(
                f"{path}: unknown key {key!r} in modelaudit configuration",
                hint=f"known keys: {', '.join(sorted([*SCAN_KEYS, *OTHER_KEYS]))}",
            )
        if key == "format" and isinstance(value, str):
            value = [value]
        out[SCAN_KEYS[key]] = value
    return out
