"""Metadata in weight-file headers: a safetensors file's ``__metadata__`` and a GGUF file's ``general.*`` keys.

A safetensors file is ``u64 little-endian header length N`` + ``N bytes of JSON`` + the tensor data. The
bounded reading of that header (length cap, UTF-8 JSON object, no duplicate keys) lives here, on the
sources floor, and verification (``verify/safetensors.py``) builds its structure checks on it. GGUF keys are
walked with the bounded walker of :mod:`modelaudit.gguf_kv`, which verification shares.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from typing import Any

from modelaudit.errors import InputError
from modelaudit.gguf_kv import Cursor, GGUFFormatError, iter_kv
from modelaudit.sources.base import clip

MAX_HEADER_BYTES = 25_000_000  # the cap huggingface_hub and the safetensors library apply
GGUF_HEADER_READ_BYTES = 8 * 1024 * 1024  # general.* keys sit at the start; tokenizer arrays may follow


class StructureError(Exception):
    """A file whose structure is wrong; ``tensor`` names the tensor concerned when there is one."""

    def __init__(self, message: str, tensor: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.tensor = tensor


def header_length(prefix: bytes, file_size: int | None = None) -> int:
    """Parse and bound the 8-byte length prefix."""
    if len(prefix) < 8:
        raise StructureError(f"file is {len(prefix)} bytes long, shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", prefix[:8])
    if n < 2:
        raise StructureError(f"header length {n} is too small for a JSON object")
    if n > MAX_HEADER_BYTES:
        raise StructureError(f"header length {n} exceeds the {MAX_HEADER_BYTES}-byte cap")
    if file_size is not None and 8 + n > file_size:
        raise StructureError(f"header of {n} bytes does not fit in a file of {file_size} bytes (truncated?)")
    return int(n)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise StructureError(f"duplicate key {key!r} in header", tensor=key)
        out[key] = value
    return out


def header_json(header_bytes: bytes) -> dict[str, Any]:
    """The header's JSON object (without the 8-byte prefix): UTF-8, an object, no duplicate keys, capped."""
    n = len(header_bytes)
    if n > MAX_HEADER_BYTES:
        raise StructureError(f"header length {n} exceeds the {MAX_HEADER_BYTES}-byte cap")
    try:
        text = header_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StructureError(f"header is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    if not text.lstrip().startswith("{"):
        raise StructureError("header is not a JSON object")
    try:
        raw = json.loads(text, object_pairs_hook=_no_duplicates)
    except StructureError:
        raise
    except (ValueError, RecursionError) as exc:
        raise StructureError(f"header is not valid JSON ({str(exc)[:200]})") from None
    if not isinstance(raw, dict):
        raise StructureError("header is not a JSON object")
    return raw


def read_safetensors_metadata(read: Callable[[int, int], bytes], path: str) -> dict[str, str]:
    """``__metadata__`` of a safetensors file, read through ``read(start, length)``.

    The length prefix, then the header (two reads, the second exactly the header's size), bounded as
    verification reads it, but the tensor table is not judged: metadata readers must see the metadata of a
    file whose tensors verification then reports as corrupt. A header that cannot be read at all is an
    InputError naming the file, which the caller records as a problem, not a stop.
    """
    try:
        meta = _raw_metadata(read)
    except StructureError as exc:
        raise InputError(path, f"safetensors header: {exc.message}") from None
    return {str(k): clip(v) for k, v in meta.items()}


def read_gguf_general(head: bytes, path: str) -> dict[str, Any]:
    """``general.*`` keys from the start of a GGUF file.

    The ``gguf`` package's reader memory-maps a whole file and needs its tensor data; here only the first
    megabytes are at hand (a range read on the Hub), so this walks the key/value section with the bounded
    walker verification uses, and stops quietly at the first key it cannot read within ``head``. Arrays are
    kept for ``general.*`` keys only.
    """
    if len(head) < 24 or head[:4] != b"GGUF":
        raise InputError(path, "not a GGUF file (bad magic)")
    version, _tensors, kv_count = struct.unpack_from("<IQQ", head, 4)
    if version not in (2, 3):
        raise InputError(path, f"unsupported GGUF version {version}")
    walk = iter_kv(
        Cursor.over(head, 24),
        min(kv_count, 100_000),
        keep_arrays=_is_general,
        stop_at_end=True,
        key_limit=None,  # an oversized key past the bytes at hand ends the walk quietly
    )
    try:
        return {key: value for key, value in walk if _is_general(key)}
    except GGUFFormatError as exc:
        raise InputError(path, f"malformed GGUF metadata: {exc}") from None


def _is_general(key: str) -> bool:
    return key.startswith("general.")


def _raw_metadata(read: Callable[[int, int], bytes]) -> dict[str, Any]:
    n = header_length(read(0, 8))
    body = read(8, n)
    if len(body) < n:
        raise StructureError(f"header of {n} bytes is cut short after {len(body)} bytes (truncated)")
    meta = header_json(body).get("__metadata__") or {}
    if not isinstance(meta, dict):
        raise StructureError("__metadata__ is not a JSON object")
    return meta
