"""One bounded walker for the key/value section of a GGUF header, shared by the card reader and verification.

Reads go through :class:`Cursor` (``read(start, length)`` with a 1 MiB window and a hard end), so every count
and length is checked against the bytes that remain before anything is allocated or looped over. Problems
raise :class:`GGUFFormatError`; the subclass :class:`GGUFTruncated` means the bytes ran out (or a count points
past them), which a reader of only the first megabytes of a file may treat as "stop here".
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from typing import Any

MAX_NAME = 65_536
MAX_HEADER_BYTES = 512 * 1024 * 1024  # a tokenizer vocabulary is a few MB; nothing real comes close
WINDOW = 1024 * 1024
MAX_NESTING = 4
MAX_KEPT_ITEMS = 1024

SCALAR_FORMATS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_SCALAR_SIZES = {vtype: struct.calcsize(fmt) for vtype, fmt in SCALAR_FORMATS.items()}
_STRING, _ARRAY = 8, 9


class GGUFFormatError(ValueError):
    """The GGUF bytes are malformed (a cap exceeded, an unknown type, arrays nested too deeply)."""


class GGUFTruncated(GGUFFormatError):
    """The GGUF bytes end before a field does, or a count or length points past them."""


class Cursor:
    """Sequential reads through ``read(start, length)`` with a 1 MiB window and a hard end at ``size``."""

    def __init__(self, read: Callable[[int, int], bytes], size: int, pos: int = 0) -> None:
        self._read = read
        self.size = size
        self.pos = pos
        self._buf = b""
        self._buf_start = 0

    @classmethod
    def over(cls, data: bytes, pos: int = 0) -> Cursor:
        """A cursor over bytes already in memory (e.g. the first megabytes of a file)."""
        return cls(lambda start, length: data[start : start + length], len(data), pos)

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > self.size:
            raise GGUFTruncated(
                f"{what} at byte {self.pos} needs {n} bytes past the end of the file (truncated)"
            )
        if self.pos + n > MAX_HEADER_BYTES:
            raise GGUFFormatError(f"header exceeds the {MAX_HEADER_BYTES}-byte cap")
        out = bytearray()
        while len(out) < n:
            rel = self.pos - self._buf_start
            if 0 <= rel < len(self._buf):
                piece = self._buf[rel : rel + n - len(out)]
                out += piece
                self.pos += len(piece)
                continue
            self._buf_start = self.pos
            self._buf = self._read(self.pos, min(WINDOW, self.size - self.pos))
            if not self._buf:
                raise GGUFTruncated(f"{what} at byte {self.pos}: file ended early (truncated)")
        return bytes(out)

    def skip(self, n: int, what: str) -> None:
        if n < 0 or self.pos + n > self.size:
            raise GGUFTruncated(f"{what} at byte {self.pos} claims {n} bytes past the end of the file")
        self.pos += n

    def u32(self, what: str) -> int:
        return int(struct.unpack("<I", self.take(4, what))[0])

    def u64(self, what: str) -> int:
        return int(struct.unpack("<Q", self.take(8, what))[0])

    def string(self, what: str, limit: int | None = None) -> bytes:
        """A length-prefixed string; one longer than the window is skipped and read as empty."""
        n = self.u64(what)
        if limit is not None and n > limit:
            raise GGUFFormatError(f"{what} at byte {self.pos - 8}: length {n} exceeds the cap of {limit}")
        if n > self.size - self.pos:
            raise GGUFTruncated(f"{what} at byte {self.pos - 8}: length {n} runs past the end of the file")
        if n > WINDOW:
            self.skip(n, what)
            return b""
        return self.take(n, what)


def read_value(cur: Cursor, vtype: int, key: str, keep: bool = False, depth: int = 0) -> Any:
    """One value of type ``vtype``; arrays come back as lists of their first items when ``keep``, else None."""
    if vtype in SCALAR_FORMATS:
        return struct.unpack(SCALAR_FORMATS[vtype], cur.take(_SCALAR_SIZES[vtype], key))[0]
    if vtype == _STRING:
        return cur.string(key).decode("utf-8", "replace")
    if vtype != _ARRAY:
        raise GGUFFormatError(f"metadata {key!r}: unknown value type {vtype}")
    if depth > MAX_NESTING:
        raise GGUFFormatError(f"metadata {key!r}: arrays nested too deeply")
    itype = cur.u32(key)
    count = cur.u64(key)
    if itype in SCALAR_FORMATS:
        step = _SCALAR_SIZES[itype]
        what = f"metadata {key!r} array of {count}"
        if not keep:
            cur.skip(count * step, what)
            return None
        if count * step > cur.size - cur.pos:
            raise GGUFTruncated(
                f"{what} at byte {cur.pos} claims {count * step} bytes past the end of the file"
            )
        kept = min(count, MAX_KEPT_ITEMS)
        raw = cur.take(kept * step, what)
        cur.skip((count - kept) * step, what)
        return [v[0] for v in struct.iter_unpack(SCALAR_FORMATS[itype], raw)]
    min_size = 8 if itype == _STRING else 12 if itype == _ARRAY else 0
    if min_size == 0:
        raise GGUFFormatError(f"metadata {key!r}: unknown array item type {itype}")
    if count * min_size > cur.size - cur.pos:
        raise GGUFTruncated(f"metadata {key!r}: array of {count} items runs past the end of the file")
    items: list[Any] = []
    for _ in range(count):
        item = read_value(cur, itype, key, keep, depth + 1)
        if keep and len(items) < MAX_KEPT_ITEMS:
            items.append(item)
    return items if keep else None


def _never(key: str) -> bool:
    return False


def iter_kv(
    cur: Cursor,
    count: int,
    *,
    keep_arrays: Callable[[str], bool] = _never,
    stop_at_end: bool = False,
    unique_keys: bool = False,
    key_limit: int | None = MAX_NAME,
) -> Iterator[tuple[str, Any]]:
    """Yield ``count`` (key, value) pairs from the cursor's position.

    ``keep_arrays(key)`` says whose array values to keep (their first items; other arrays read as None).
    With ``stop_at_end`` the walk ends quietly where the bytes run out (:class:`GGUFTruncated`), keeping what
    was read; without it that error is raised like any other :class:`GGUFFormatError`. ``unique_keys`` makes
    a repeated key an error (raised before its value is read); ``key_limit`` caps a key's length.
    """
    seen: set[str] = set()
    for _ in range(count):
        try:
            key = cur.string("metadata key", key_limit).decode("utf-8", "replace")
            if unique_keys:
                if key in seen:
                    raise GGUFFormatError(f"metadata key {key!r} appears twice")
                seen.add(key)
            value = read_value(cur, cur.u32(key), key, keep_arrays(key))
        except GGUFTruncated:
            if stop_at_end:
                return
            raise
        yield key, value
