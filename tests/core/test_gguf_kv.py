"""The shared GGUF key/value walker: stop-at-end vs raise, kept arrays, repeated keys."""

from __future__ import annotations

import struct

import pytest

from modelaudit.gguf_kv import Cursor, GGUFFormatError, GGUFTruncated, iter_kv


def _s(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<Q", len(raw)) + raw


def _kv() -> bytes:
    return (
        _s("general.tags")
        + struct.pack("<IIQ", 9, 8, 2)
        + _s("a")
        + _s("b")
        + _s("general.sizes")
        + struct.pack("<IIQ", 9, 4, 3)
        + struct.pack("<3I", 1, 2, 3)
        + _s("general.name")
        + struct.pack("<I", 8)
        + _s("x" * 40)
    )


def test_arrays_kept_only_for_chosen_keys() -> None:
    data = _kv()
    kept = dict(iter_kv(Cursor.over(data), 3, keep_arrays=lambda k: k == "general.tags"))
    assert kept == {"general.tags": ["a", "b"], "general.sizes": None, "general.name": "x" * 40}
    both = dict(iter_kv(Cursor.over(data), 3, keep_arrays=lambda k: True))
    assert both["general.sizes"] == [1, 2, 3]


def test_truncation_stops_quietly_or_raises() -> None:
    cut = _kv()[:-20]
    assert [k for k, _ in iter_kv(Cursor.over(cut), 3, stop_at_end=True)] == ["general.tags", "general.sizes"]
    with pytest.raises(GGUFTruncated, match="past the end"):
        list(iter_kv(Cursor.over(cut), 3))


def test_repeated_key_and_unknown_type_are_format_errors() -> None:
    twice = _s("k") + struct.pack("<IB", 0, 1) + _s("k") + struct.pack("<IB", 0, 2)
    assert dict(iter_kv(Cursor.over(twice), 2)) == {"k": 2}
    with pytest.raises(GGUFFormatError, match="appears twice"):
        list(iter_kv(Cursor.over(twice), 2, unique_keys=True))
    bad = _s("k") + struct.pack("<I", 13)
    with pytest.raises(GGUFFormatError, match="unknown value type 13") as exc:
        list(iter_kv(Cursor.over(bad), 1, stop_at_end=True))
    assert not isinstance(exc.value, GGUFTruncated)
