"""Project configuration: ``modelaudit.toml`` or ``[tool.modelaudit]`` in ``pyproject.toml``.

Precedence (lowest to highest): built-in defaults < this file < ``MODELAUDIT_*`` environment < flags.
The file holds scan defaults only; unknown keys are refused with the file and key named.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from modelaudit.errors import ConfigError

# seconds for all Hub requests of one scan (or verify) together: the default of --deadline
DEFAULT_DEADLINE = 900.0
# folders of a local model folder that are never read: the local source skips them, and so does the hash pool
# (verify/hashpool.py) when it hashes a folder's large files ahead of the verify stage
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".cache", ".ipynb_checkpoints"})


def env_offline() -> bool:
    """Whether ``HF_HUB_OFFLINE`` (or the legacy ``TRANSFORMERS_OFFLINE``, as huggingface_hub reads them) asks
    for offline work, read now (huggingface_hub's ``is_offline_mode`` keeps the value it read at import, so a
    variable set later would not count)."""
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return value.strip().upper() in {"1", "ON", "YES", "TRUE"}


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
}


def find_config(start: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The nearest config (cwd first, then parents up to a VCS root) and its table, or None."""
    here = (start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        dedicated = folder / "modelaudit.toml"
        if dedicated.is_file():
            return dedicated, _table(dedicated, dedicated=True) or {}
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _table(pyproject, dedicated=False)
            if isinstance(table, dict):
                return pyproject, table
        if (folder / ".git").exists():
            break
    return None


CACHE_FORMAT = 1  # bump when the cached form of a configuration table changes


def _table(path: Path, *, dedicated: bool) -> dict[str, Any] | None:
    """Our table of a config file: the whole of ``modelaudit.toml``, ``[tool.modelaudit]`` of a
    ``pyproject.toml`` (None when it has none). Kept on disk as JSON keyed by the file's bytes, so a scan run
    inside a project (whose pyproject.toml is read on every run) does not import and run the TOML parser
    again; a malformed file is never kept and stays an error every time."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    from modelaudit._version import __version__
    from modelaudit.cachedir import default_cache_root

    head = f"{CACHE_FORMAT}|{__version__}|{sys.version}|{'dedicated' if dedicated else 'pyproject'}".encode()
    key = hashlib.sha256(head + b"\0" + raw).hexdigest()
    from modelaudit.cachefile import read_json, write_text

    kept = default_cache_root() / "config" / f"{key}.json"
    doc = read_json(kept)
    if isinstance(doc, dict) and "table" in doc and isinstance(doc["table"], dict | None):
        table: dict[str, Any] | None = doc["table"]
        return table
    data = _read(path)
    found = data if dedicated else data.get("tool", {}).get("modelaudit")
    table = found if isinstance(found, dict) else None
    try:
        text = json.dumps({"table": table})
    except (TypeError, ValueError):  # TOML dates and times are not JSON: such tables are not kept
        return table
    if json.loads(text) == {"table": table}:  # nor those JSON would give back otherwise
        write_text(kept, text)
    return table


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
        if key not in SCAN_KEYS:
            raise ConfigError(
                f"{path}: unknown key {key!r} in modelaudit configuration",
                hint=f"known keys: {', '.join(sorted(SCAN_KEYS))}",
            )
        if key == "format" and isinstance(value, str):
            value = [value]
        out[SCAN_KEYS[key]] = value
    return out
