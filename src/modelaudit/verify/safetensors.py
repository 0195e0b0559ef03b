"""Structure checks for safetensors files and sharded indexes, from the header alone.

A safetensors file is ``u64 little-endian header length N`` + ``N bytes of JSON`` + the tensor data. Every
check here is on untrusted input and is bounded: the header length is capped before anything is read, sizes
are computed with Python integers (no overflow), and nothing is allocated from a size the file claims.

The bounded reading of the length prefix and the header JSON is the sources floor's
(:mod:`modelaudit.sources.weights`, which reads ``__metadata__`` with it); the checks here build on it.

Checks: length cap and fit inside the file, JSON object without duplicate keys, ``__metadata__`` a str→str map,
known dtypes, shapes of non-negative ints, ``data_offsets`` ordered, ``numel × dtype size == end - begin``, the
spans tile the data section exactly (no overlap, no gap, starting at 0), and the data section ends exactly at
the end of the file (a shorter file is truncated, a longer one carries trailing bytes).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from modelaudit.sources.weights import StructureError, header_json, header_length

MAX_TENSORS = 1_000_000
MAX_DIMS = 16

# dtype → size in bits (sub-byte float formats of safetensors ≥ 0.5 included)
DTYPE_BITS: dict[str, int] = {
    "BOOL": 8,
    "U8": 8,
    "I8": 8,
    "F8_E5M2": 8,
    "F8_E4M3": 8,
    "F8_E8M0": 8,
    "I16": 16,
    "U16": 16,
    "F16": 16,
    "BF16": 16,
    "I32": 32,
    "U32": 32,
    "F32": 32,
    "C64": 64,
    "F64": 64,
    "I64": 64,
    "U64": 64,
    "F4": 4,
    "F6_E2M3": 6,
    "F6_E3M2": 6,
}


class TensorSpan(NamedTuple):
    name: str
    dtype: str
    shape: tuple[int, ...]
    begin: int  # relative to the start of the data section
    end: int

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


@dataclass
class SafetensorsHeader:
    header_len: int
    tensors: list[TensorSpan] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def data_start(self) -> int:
        return 8 + self.header_len

    @property
    def data_end(self) -> int:
        """Absolute offset where tensor data ends."""
        return self.data_start + max((t.end for t in self.tensors), default=0)

    def by_name(self) -> dict[str, TensorSpan]:
        return {t.name: t for t in self.tensors}


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_header(header_bytes: bytes, *, file_size: int | None = None) -> SafetensorsHeader:
    """Validate a header's JSON (without the 8-byte prefix) against the file size, if known."""
    raw = header_json(header_bytes)
    head = SafetensorsHeader(header_len=len(header_bytes))
    meta = raw.pop("__metadata__", None)
    if meta is not None:
        if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
            raise StructureError("__metadata__ must map strings to strings")
        head.metadata = dict(meta)
    if len(raw) > MAX_TENSORS:
        raise StructureError(f"{len(raw)} tensors exceed the cap of {MAX_TENSORS}")
    for name, info in raw.items():
        head.tensors.append(_tensor(name, info))
    _check_layout(head, file_size)
    return head


def _tensor(name: str, info: Any) -> TensorSpan:
    if not isinstance(info, dict):
        raise StructureError(f"tensor {name!r}: entry is not an object", tensor=name)
    extra = set(info) - {"dtype", "shape", "data_offsets"}
    if extra:
        raise StructureError(f"tensor {name!r}: unexpected keys {sorted(extra)}", tensor=name)
    dtype = info.get("dtype")
    if not isinstance(dtype, str) or dtype not in DTYPE_BITS:
        raise StructureError(f"tensor {name!r}: unknown dtype {dtype!r}", tensor=name)
    shape = info.get("shape")
    if not isinstance(shape, list) or len(shape) > MAX_DIMS or not all(_int(d) and d >= 0 for d in shape):
        raise StructureError(f"tensor {name!r}: shape {str(shape)[:100]} is not a list of sizes", tensor=name)
    offsets = info.get("data_offsets")
    if not isinstance(offsets, list) or len(offsets) != 2 or not all(_int(o) and o >= 0 for o in offsets):
        raise StructureError(
            f"tensor {name!r}: data_offsets {str(offsets)[:100]} are not two offsets", tensor=name
        )
    begin, end = offsets
    if begin > end:
        raise StructureError(f"tensor {name!r}: data_offsets [{begin}, {end}] run backwards", tensor=name)
    bits = math.prod(shape) * DTYPE_BITS[dtype]
    if bits % 8:
        raise StructureError(
            f"tensor {name!r}: {dtype} shape {shape} is not a whole number of bytes", tensor=name
        )
    if bits // 8 != end - begin:
        raise StructureError(
            f"tensor {name!r}: {dtype} shape {shape} needs {bits // 8} bytes but data_offsets span {end - begin}",
            tensor=name,
        )
    return TensorSpan(name=name, dtype=dtype, shape=tuple(shape), begin=begin, end=end)


def _check_layout(head: SafetensorsHeader, file_size: int | None) -> None:
    spans = sorted(head.tensors, key=lambda t: (t.begin, t.end, t.name))
    cursor = 0
    last: TensorSpan | None = None
    for span in spans:
        if span.begin < cursor:
            other = f" with tensor {last.name!r}" if last is not None else ""
            raise StructureError(
                f"tensor {span.name!r}: bytes [{span.begin}, {span.end}) overlap{other} (ends at {cursor})",
                tensor=span.name,
            )
        if span.begin > cursor:
            raise StructureError(
                f"tensor {span.name!r}: gap of {span.begin - cursor} unused bytes before it", tensor=span.name
            )
        if span.end > cursor or last is None:
            last = span
        cursor = max(cursor, span.end)
    if file_size is not None:
        end = 8 + head.header_len + cursor
        if end > file_size:
            name = last.name if last is not None else None
            raise StructureError(
                f"tensor {name!r}: data ends at byte {end} but the file has {file_size} bytes (truncated)",
                tensor=name,
            )
        if end < file_size:
            raise StructureError(
                f"{file_size - end} trailing bytes after the tensor data (ends at byte {end})"
            )


def read_header(read: Callable[[int, int], bytes], file_size: int | None) -> SafetensorsHeader:
    """Read and validate the header through ``read(start, length)`` (two small reads at most)."""
    first = read(0, min(file_size, 65536) if file_size is not None else 65536)
    n = header_length(first, file_size)
    body = first[8 : 8 + n]
    if len(body) < n:
        body += read(8 + len(body), n - len(body))
    if len(body) < n:
        raise StructureError(f"header of {n} bytes is cut short after {len(body)} bytes (truncated)")
    return parse_header(body, file_size=file_size)


def check_index(
    index_bytes: bytes,
    shard_tensors: dict[str, set[str] | None],
    index_path: str = "model.safetensors.index.json",
) -> list[StructureError]:
    """Problems with a sharded index.

    ``shard_tensors`` maps each shard present in the repo (path relative to the index's folder) to the tensor
    names its header lists, or None when its header was not read. Every tensor in ``weight_map`` must point to
    a present shard that holds it.
    """
    problems: list[StructureError] = []
    try:
        raw = json.loads(index_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return [StructureError(f"{index_path} is not valid JSON ({str(exc)[:200]})")]
    weight_map = raw.get("weight_map") if isinstance(raw, dict) else None
    if not isinstance(weight_map, dict) or not all(isinstance(v, str) for v in weight_map.values()):
        return [StructureError(f"{index_path} has no weight_map of tensor → shard file")]
    missing_shards: set[str] = set()
    for tensor, shard in sorted(weight_map.items()):
        if shard not in shard_tensors:
            if shard not in missing_shards:
                problems.append(
                    StructureError(f"shard {shard!r} listed in {index_path} is missing", tensor=tensor)
                )
                missing_shards.add(shard)
            continue
        names = shard_tensors[shard]
        if names is not None and tensor not in names:
            problems.append(StructureError(f"tensor {tensor!r} is not in shard {shard!r}", tensor=tensor))
    return problems
