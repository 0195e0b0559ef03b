"""GGUF header checks with bounds, using the ``gguf`` package's format constants and reader.

``gguf.GGUFReader`` trusts the counts it reads: an array field claiming 2^60 elements past the end of the file
makes it loop (nearly) forever, and it needs the whole file memory-mapped. So a bounded walk comes first: it
reads the header through ``read(start, length)`` (works on a remote file too; the key/value walk is shared with
the card reader, see :mod:`modelaudit.gguf_kv`), checks every count and length
against the bytes that remain, every tensor's type, dimensions, alignment and data span against the file size,
and that tensor data spans do not overlap. Only a file that passes is handed to ``GGUFReader`` (when it is a
local file) as a second, independent parse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from modelaudit.gguf_kv import MAX_NAME, Cursor, GGUFFormatError, iter_kv
from modelaudit.sources.weights import StructureError

MAX_KV = 1_000_000
MAX_TENSORS = 1_000_000
MAX_DIMS = 8


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


def read_gguf_header(read: Callable[[int, int], bytes], file_size: int) -> GGUFHeader:
    """Walk and bound-check a GGUF header; raises StructureError naming the field or tensor."""
    try:
        return _walk_header(Cursor(read, file_size), file_size)
    except GGUFFormatError as exc:
        raise StructureError(str(exc)) from None


def _walk_header(cur: Cursor, file_size: int) -> GGUFHeader:
    import gguf

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
    head.metadata.update(iter_kv(cur, n_kv, unique_keys=True))
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
