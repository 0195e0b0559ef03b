"""Safetensors header parser (property-based), GGUF header bounds, hashing primitives, pickle walk details."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelaudit.models import FileEntry, FileStatus, VerifyMode
from modelaudit.sources.weights import StructureError, header_length
from modelaudit.verify import verify_files
from modelaudit.verify.gguf_check import read_gguf_header
from modelaudit.verify.hashing import git_blob_sha1, hash_many, hash_stream
from modelaudit.verify.pickle_scan import classify, scan_pickle_stream
from modelaudit.verify.safetensors import DTYPE_BITS, parse_header, read_header

# ------------------------------------------------------------------------------------ safetensors


_dtypes = st.sampled_from(sorted(d for d, b in DTYPE_BITS.items() if b % 8 == 0))
_shapes = st.lists(st.integers(0, 6), min_size=0, max_size=3)


@st.composite
def valid_headers(draw: st.DrawFn) -> tuple[dict[str, object], int]:
    names = draw(
        st.lists(st.text("abcdefgh._0123", min_size=1, max_size=8), min_size=0, max_size=6, unique=True)
    )
    header: dict[str, object] = {}
    cursor = 0
    for name in names:
        dtype, shape = draw(_dtypes), draw(_shapes)
        nbytes = int(np.prod(shape, dtype=np.int64)) * DTYPE_BITS[dtype] // 8
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [cursor, cursor + nbytes]}
        cursor += nbytes
    if draw(st.booleans()):
        header["__metadata__"] = {"format": "pt"}
    return header, cursor


def _file(header: dict[str, object], data_len: int) -> bytes:
    body = json.dumps(header).encode()
    return struct.pack("<Q", len(body)) + body + b"\0" * data_len


def _read(data: bytes):
    return lambda start, n: data[start : start + n]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_headers())
def test_valid_headers_parse_and_agree_with_the_safetensors_library(
    case: tuple[dict[str, object], int],
) -> None:
    header, data_len = case
    data = _file(header, data_len)
    head = read_header(_read(data), len(data))
    assert {t.name for t in head.tensors} == {k for k in header if k != "__metadata__"}
    assert head.data_end == len(data)
    import tempfile

    from safetensors import safe_open

    with tempfile.NamedTemporaryFile(suffix=".safetensors") as fh:
        fh.write(data)
        fh.flush()
        with safe_open(fh.name, "numpy") as f:  # the reference implementation accepts what we accept
            assert set(f.keys()) == {t.name for t in head.tensors}


@settings(max_examples=200, deadline=None)
@given(valid_headers(), st.integers(0, 10_000), st.integers(0, 255))
def test_mutated_files_fail_only_with_structure_errors(
    case: tuple[dict[str, object], int], pos: int, byte: int
) -> None:
    header, data_len = case
    data = bytearray(_file(header, data_len))
    data[pos % len(data)] = byte
    for blob in (bytes(data), bytes(data[: pos % len(data)])):
        try:
            head = read_header(_read(blob), len(blob))
        except StructureError:
            continue
        assert head.data_end == len(blob)  # whatever parses is self-consistent


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_header_bytes_never_crash(body: bytes) -> None:
    with contextlib.suppress(StructureError):
        parse_header(body, file_size=None)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=5),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
            lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=3), c, max_size=3),
            max_leaves=10,
        ),
        max_size=4,
    )
)
def test_arbitrary_json_objects_never_crash(obj: dict[str, object]) -> None:
    with contextlib.suppress(StructureError):
        parse_header(json.dumps(obj).encode(), file_size=10_000)


@pytest.mark.parametrize(
    ("header", "data_len", "needle"),
    [
        ({"a": {"dtype": "F33", "shape": [1], "data_offsets": [0, 4]}}, 4, "unknown dtype"),
        ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}, 4, "needs 8 bytes"),
        ({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, 4, "shape"),
        ({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, 8, "gap"),
        ({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, 9, "trailing"),
        ({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}, 4, "backwards"),
        ({"__metadata__": {"a": 1}}, 0, "__metadata__"),
    ],
)
def test_specific_header_problems(header: dict[str, object], data_len: int, needle: str) -> None:
    data = _file(header, data_len)
    with pytest.raises(StructureError, match=needle):
        read_header(_read(data), len(data))


def test_duplicate_keys_and_bad_lengths() -> None:
    body = b'{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, "a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}'
    with pytest.raises(StructureError, match="duplicate"):
        parse_header(body)
    with pytest.raises(StructureError, match="shorter"):
        header_length(b"\1\0")
    with pytest.raises(StructureError, match="does not fit"):
        header_length(struct.pack("<Q", 100), file_size=50)


# ------------------------------------------------------------------------------------ gguf


def _gguf(tmp_path: Path) -> bytes:
    import gguf

    path = tmp_path / "m.gguf"
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_string("general.license", "apache-2.0")
    w.add_token_list(["a", "b", "c"])
    w.add_tensor("tok_embd.weight", np.ones((4, 8), dtype=np.float32))
    w.add_tensor("output.weight", np.zeros((8, 4), dtype=np.float16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path.read_bytes()


def test_gguf_valid_file_parses(tmp_path: Path) -> None:
    data = _gguf(tmp_path)
    head = read_gguf_header(_read(data), len(data))
    assert head.metadata["general.license"] == "apache-2.0"
    assert {t.name for t in head.tensors} == {"tok_embd.weight", "output.weight"}
    results, findings = verify_files(
        [FileEntry(path="m.gguf")], lambda p: (tmp_path / p).open("rb"), VerifyMode.HEADERS
    )
    assert findings == [] and results[0].status is FileStatus.NOT_CHECKED


def test_gguf_truncated_and_hostile_counts(tmp_path: Path) -> None:
    data = _gguf(tmp_path)
    cut = data[:-16]
    with pytest.raises(StructureError, match="past the end"):
        read_gguf_header(_read(cut), len(cut))
    hostile = data[:8] + struct.pack("<QQ", 1, 2**60) + data[24:]
    with pytest.raises(StructureError, match="impossible"):
        read_gguf_header(_read(hostile), len(hostile))
    # an array field claiming 2^60 strings: bounded before any loop runs
    key = b"general.tags"
    kv = struct.pack("<Q", len(key)) + key + struct.pack("<I", 9) + struct.pack("<IQ", 8, 2**60)
    evil = struct.pack("<IIQQ", 0x46554747, 3, 0, 1) + kv + b"\0" * 64
    with pytest.raises(StructureError, match="runs past the end"):
        read_gguf_header(_read(evil), len(evil))
    (tmp_path / "bad.gguf").write_bytes(cut)
    results, findings = verify_files(
        [FileEntry(path="bad.gguf")], lambda p: (tmp_path / p).open("rb"), VerifyMode.HEADERS
    )
    assert results[0].status is FileStatus.CORRUPT and findings[0].rule == "MA302"


# ------------------------------------------------------------------------------------ hashing


def test_hash_stream_matches_hashlib_and_git() -> None:
    data = bytes(range(256)) * 5000
    d = hash_stream(io.BytesIO(data), git_sha1_size=len(data), chunk_size=4096)
    assert d.sha256 == hashlib.sha256(data).hexdigest() and d.size == len(data)
    assert d.git_sha1 == git_blob_sha1(data)
    assert git_blob_sha1(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"  # git hash-object
    wrong = hash_stream(io.BytesIO(data), git_sha1_size=len(data) + 1)
    assert wrong.git_sha1 is None  # the stream did not have the size we hashed for


def test_hash_many_keeps_order_and_returns_errors() -> None:
    def ok(n: int):
        return lambda: hash_stream(io.BytesIO(b"x" * n))

    def bad():
        raise OSError("disk gone")

    out = hash_many([ok(1), bad, ok(3)], workers=2)
    assert [getattr(o, "size", None) for o in out] == [1, None, 3]
    assert isinstance(out[1], OSError)


# ------------------------------------------------------------------------------------ pickle walk


def test_classify() -> None:
    assert classify("os", "system") == "dangerous"
    assert classify("posix", "system") == "dangerous"
    assert classify("builtins", "eval") == "dangerous"
    assert classify("runpy", "_run_code") == "dangerous"
    assert classify("subprocess", "Popen") == "dangerous"
    assert classify("torch._utils", "_rebuild_tensor_v2") == "benign"
    assert classify("torch", "BFloat16Storage") == "benign"
    assert classify("collections", "OrderedDict") == "benign"
    assert classify("sklearn.linear_model", "LogisticRegression") == "unknown"


def test_stack_global_with_unresolvable_operands_is_dangerous() -> None:
    # PROTO 4, NONE, NONE, STACK_GLOBAL, EMPTY_TUPLE, REDUCE, STOP
    data = b"\x80\x04NN\x93)R."
    scan = scan_pickle_stream(io.BytesIO(data), len(data))
    assert scan.dangerous and scan.severity == "error"


def test_memoised_strings_resolve_stack_global() -> None:
    data = pickle.dumps(eval, protocol=4)
    scan = scan_pickle_stream(io.BytesIO(data), len(data))
    assert scan.dangerous == ["builtins.eval"]
