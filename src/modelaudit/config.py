"""Project configuration: ``modelaudit.toml`` or ``[tool.modelaudit]`` in ``pyproject.toml``.

Precedence (lowest to highest): built-in defaults < this file < ``MODELAUDIT_*`` environment < flags.
The file holds scan defaults only; unknown keys are refused with the file and key named.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from modelaudit.errors import ConfigError

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
