"""The text report's line wrapping: whatever shortcut it takes, each line is what textwrap makes of it."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from modelaudit.formats.text import WIDTH, _wrap, clean

# words, runs of spaces, tabs, newlines, control characters and Unicode spaces (which textwrap does not
# split on but str.strip drops), in lengths around the width
PIECES = st.sampled_from(
    ["a", "word", "Apache-2.0", " ", "  ", "\t", "\n", "\x1b[31m", "\u00a0", "\u3000", "x" * 60, "·", "—"]
)
TEXTS = st.lists(PIECES, max_size=40).map("".join)
INDENTS = st.sampled_from(["", "  ", "    ", "      ", "        "])
FIRSTS = st.one_of(st.none(), st.sampled_from(["", "  - ", "    evidence ", "    fix: ", "[!] ", " 1. "]))


def reference(text: str, indent: str = "", first: str | None = None) -> list[str]:
    return textwrap.wrap(
        clean(text),
        width=WIDTH,
        initial_indent=first if first is not None else indent,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [first or indent]


@settings(max_examples=3000, deadline=None)
@given(TEXTS, INDENTS, FIRSTS)
def test_wrap_is_textwrap(text: str, indent: str, first: str | None) -> None:
    assert _wrap(text, indent, first) == reference(text, indent, first)


def test_the_edges_of_one_line() -> None:
    for n in (WIDTH - 5, WIDTH - 4, WIDTH - 3, WIDTH, WIDTH + 1):
        for text in (
            "x" * n,
            "x " * (n // 2),
            " " + "x" * n,
            "x" * n + " ",
            "x" * n + "\u3000",
            "\u3000" * n,
        ):
            for indent, first in (("", None), ("    ", "  - "), ("  ", "")):
                assert _wrap(text, indent, first) == reference(text, indent, first), (n, text, indent, first)


def test_repeated_lines_come_back_equal_and_unshared() -> None:
    long = "obligations: " + "; ".join(["Keep the copyright notice"] * 8)
    one = _wrap(long, "      ", "    ")
    two = _wrap(long, "      ", "    ")
    assert one == two == reference(long, "      ", "    ")
    assert len(one) > 1
    one.append("changed")
    assert _wrap(long, "      ", "    ") == two
