"""GGUF header checks with bounds, using the ``gguf`` package's format constants and reader.

``gguf.GGUFReader`` trusts the counts it reads: an array field claiming 2^60 elements past the end of the file
makes it loop (nearly) forever, and it needs the whole file memory-mapped. So a bounded walk comes first: it
reads the header through ``read(start, length)`` (works on a remote file too), checks every count and length
against the bytes that remain, every tensor's type, dimensions, alignment and data span against the file size,
and that tensor data spans do not overlap. Only a file that passes is handed to ``GGUFReader`` (when it is a
local file) as a second, independent parse.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from modelaudit.verify.safetensors import StructureError

MAX_KV = 1_000_000
MAX_TENSORS = 1_000_000
MAX_DIMS = 8
MAX_NAME = 65_536
MAX_HEADER_BYTES = 512 * 1024 * 1024  # a tokenizer vocabulary is a few MB; nothing real comes close
WINDOW = 1024 * 1024

_SCALAR_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY, _UINT32 = 8, 9, 4


@dataclass
class GGUFTensor:
    name: str
    type_name: str
    shape: tuple[int, ...]
    offset: int  # absolute
    nbytes: int


@dataclass
class GGUFHeader:
    version: int
    alignment: int
    data_offset: int
    metadata: dict[str, Any] = field(default_factory=dict)  # scalar and string fields only
    tensors: list[GGUFTensor] = field(default_factory=list)


class _Cursor:
    """Sequential reads through ``read(start, length)`` with a 1 MiB window and a hard end."""

    def __init__(self, read: Callable[[int, int], bytes], size: int) -> None:
        self._read = read
        self.size = size
        self.pos = 0
        self._buf = b""
        self._buf_start = 0

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > self.size:
            raise StructureError(
                f"{what} at byte {self.pos} needs {n} bytes past the end of the file (truncated)"
            )
        if self.pos + n > MAX_HEADER_BYTES:
            raise StructureError(f"header exceeds the {MAX_HEADER_BYTES}-byte cap")
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
                raise StructureError(f"{what} at byte {self.pos}: file ended early (truncated)")
        return bytes(out)

    def skip(self, n: int, what: str) -> None:
        if n < 0 or self.pos + n > self.size:
            raise StructureError(f"{what} at byte {self.pos} claims {n} bytes past the end of the file")
        self.pos += n

    def u32(self, what: str) -> int:
        return int(struct.unpack("<I", self.take(4, what))[0])

    def u64(self, what: str) -> int:
        return int(struct.unpack("<Q", self.take(8, what))[0])

    def string(self, what: str, limit: int | None = None) -> bytes:
        n = self.u64(what)
        if limit is not None and n > limit:
            raise StructureError(f"{what} at byte {self.pos - 8}: length {n} exceeds the cap of {limit}")
        if n > self.size - self.pos:
            raise StructureError(f"{what} at byte {self.pos - 8}: length {n} runs past the end of the file")
        if n > WINDOW:
            self.skip(n, what)
            return b""
        return self.take(n, what)


def _value(cur: _Cursor, vtype: int, key: str, depth: int = 0) -> Any:
    if vtype in _SCALAR_SIZES:
        raw = cur.take(_SCALAR_SIZES[vtype], key)
        fmt = {
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
        return struct.unpack(fmt[vtype], raw)[0]
    if vtype == _STRING:
        return cur.string(key).decode("utf-8", "replace")
    if vtype == _ARRAY:
        if depth > 4:
            raise StructureError(f"metadata {key!r}: arrays nested too deeply")
        itype = cur.u32(key)
        count = cur.u64(key)
        remaining = cur.size - cur.pos
        if itype in _SCALAR_SIZES:
            cur.skip(count * _SCALAR_SIZES[itype], f"metadata {key!r} array of {count}")
            return None
        min_size = 8 if itype == _STRING else 12 if itype == _ARRAY else 0
        if min_size == 0:
            raise StructureError(f"metadata {key!r}: unknown array item type {itype}")
        if count * min_size > remaining:
            raise StructureError(f"metadata {key!r}: array of {count} items runs past the end of the file")
        for _ in range(count):
            _value(cur, itype, key, depth + 1)
        return None
    raise StructureError(f"metadata {key!r}: unknown value type {vtype}")


def read_gguf_header(read: Callable[[int, int], bytes], file_size: int) -> GGUFHeader:
    """Walk and bound-check a GGUF header; raises StructureError naming the field or tensor."""
    import gguf

    cur = _Cursor(read, file_size)
    magic = cur.u32("magic")
    if magic != gguf.GGUF_MAGIC:
        raise StructureError("not a GGUF file (bad magic)")
    version = cur.u32("version")
    if version not in (2, 3):
        raise StructureError(f"unsupported GGUF version {version}")
    n_tensors = cur.u64("tensor count")
    n_kv = cur.u64("metadata count")
    if n_tensors > MAX_TENSORS or n_tensors * 24 > file_size:
        raise StructureError(f"tensor count {n_tensors} is impossible for a file of {file_size} bytes")
    if n_kv > MAX_KV or n_kv * 13 > file_size:
        raise StructureError(f"metadata count {n_kv} is impossible for a file of {file_size} bytes")
    head = GGUFHeader(version=version, alignment=gguf.GGUF_DEFAULT_ALIGNMENT, data_offset=0)
    for _ in range(n_kv):
        key = cur.string("metadata key", MAX_NAME).decode("utf-8", "replace")
        if key in head.metadata:
            raise StructureError(f"metadata key {key!r} appears twice")
        head.metadata[key] = _value(cur, cur.u32(key), key)
    align = head.metadata.get("general.alignment", gguf.GGUF_DEFAULT_ALIGNMENT)
    if not isinstance(align, int) or align <= 0 or align & (align - 1):
        raise StructureError(f"general.alignment {align!r} is not a power of two")
    head.alignment = align
    raw_tensors: list[tuple[str, str, tuple[int, ...], int, int]] = []
    for _ in range(n_tensors):
        name = cur.string("tensor name", MAX_NAME).decode("utf-8", "replace")
        n_dims = cur.u32(f"tensor {name!r} dimension count")
        if n_dims > MAX_DIMS:
            raise StructureError(f"tensor {name!r}: {n_dims} dimensions", tensor=name)
        dims = tuple(cur.u64(f"tensor {name!r} dimension") for _ in range(n_dims))
        raw_type = cur.u32(f"tensor {name!r} type")
        try:
            qtype = gguf.GGMLQuantizationType(raw_type)
            block, type_size = gguf.GGML_QUANT_SIZES[qtype]
        except (ValueError, KeyError):
            raise StructureError(f"tensor {name!r}: unknown tensor type {raw_type}", tensor=name) from None
        offset = cur.u64(f"tensor {name!r} offset")
        numel = 1
        for d in dims:
            numel *= d
        if dims and numel % block:
            raise StructureError(
                f"tensor {name!r}: {numel} elements are not whole {qtype.name} blocks", tensor=name
            )
        raw_tensors.append((name, qtype.name, dims, offset, numel // block * type_size))
    pad = cur.pos % align
    head.data_offset = cur.pos + (align - pad if pad else 0)
    seen: set[str] = set()
    for name, type_name, dims, offset, nbytes in raw_tensors:
        if name in seen:
            raise StructureError(f"tensor {name!r} appears twice", tensor=name)
        seen.add(name)
        if offset % align:
            raise StructureError(f"tensor {name!r}: offset {offset} is not aligned to {align}", tensor=name)
        start = head.data_offset + offset
        if start + nbytes > file_size:
            raise StructureError(
                f"tensor {name!r}: data [{start}, {start + nbytes}) runs past the end of the file ({file_size} bytes,"
                " truncated)",
                tensor=name,
            )
        head.tensors.append(GGUFTensor(name, type_name, dims, start, nbytes))
    last: GGUFTensor | None = None
    for t in sorted((t for t in head.tensors if t.nbytes), key=lambda t: (t.offset, t.nbytes, t.name)):
        if last is not None and t.offset < last.offset + last.nbytes:
            raise StructureError(f"tensor {t.name!r}: data overlaps tensor {last.name!r}", tensor=t.name)
        if last is None or t.offset + t.nbytes > last.offset + last.nbytes:
            last = t
    return head


def check_with_reader(path: str) -> None:
    """Second parse of an already bound-checked local file through ``gguf.GGUFReader``."""
    import gguf

    try:
        gguf.GGUFReader(path, "r")
    except (ValueError, KeyError, IndexError, TypeError, OverflowError) as exc:
        raise StructureError(f"gguf reader rejects the file: {str(exc)[:200]}") from None
