"""One entry of an on-disk cache: read back (or a miss), written atomically (or not at all).

Every cache of modelaudit (Hub metadata, the compiled license database, license identifications, parsed
YAML, the project configuration, fingerprint plans) keeps its entries through these functions. A cache that
cannot be read is a miss and one that cannot be written only costs time: neither is ever an error. An entry
is written to a temporary file of its own (``mkstemp``) and renamed over the old one, so concurrent writers
(the threads of a fleet run, parallel processes) never leave interleaved or half-written bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


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


__all__ = ["read_json", "write_json", "write_text"]
