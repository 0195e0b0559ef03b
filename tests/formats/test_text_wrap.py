"""The text report's wrapping: its fast path for lines that fit gives exactly what textwrap gives."""

from __future__ import annotations

import textwrap

from hypothesis import given
from hypothesis import strategies as st

from modelaudit.formats.text import WIDTH, _wrap, clean


def reference(text: str, indent: str = "", first: str | None = None) -> list[str]:
    """The wrapping before the fast path: textwrap alone."""
    return textwrap.wrap(
        clean(text),
        width=WIDTH,
        initial_indent=first if first is not None else indent,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [first or indent]


INDENTS = [("", None), ("    ", "  - "), ("      ", "[ ] "), ("    ", None), ("      ", "    evidence "), ("", "")]

CASES = [
    "",
    " ",
    "   ",
    "short line",
    "  leading spaces kept on the first line",
    "trailing space ",
    "trailing nbsp\u00a0",
    "nbsp\u00a0inside words",
    "x" * (WIDTH - 4),
    "x" * (WIDTH - 3),
    "x" * WIDTH,
    "x" * (WIDTH + 1),
    "word " * 19 + "word",
    "word " * 20,
    "word " * 40,
    "a\tb\nc",
    "ansi \x1b[31mred\x1b[0m text",
    "carriage\rreturn and form\x0cfeed and vtab\x0b",
    "hyphen-ated-words-" * 8,
    "applies to: " + ", ".join(f"/tmp/chain/m{i}" for i in range(300)),
    "\u3000ideographic\u3000space\u3000",
    "ends in a lone nbsp \u00a0",
]


def test_fast_path_matches_textwrap_on_known_lines() -> None:
    for text in CASES:
        for indent, first in INDENTS:
            assert _wrap(text, indent, first) == reference(text, indent, first), (text, indent, first)


@given(
    words=st.lists(
        st.text(alphabet=st.sampled_from("ab-.\u00a0\t\n\x1b é"), min_size=0, max_size=30), max_size=12
    ),
    sep=st.sampled_from([" ", "  ", "\u00a0", ""]),
    which=st.sampled_from(INDENTS),
)
def test_fast_path_matches_textwrap(words: list[str], sep: str, which: tuple[str, str | None]) -> None:
    text = sep.join(words)
    indent, first = which
    assert _wrap(text, indent, first) == reference(text, indent, first)


@given(
    n=st.integers(min_value=0, max_value=WIDTH + 5),
    pad=st.sampled_from(["", " ", "  "]),
    which=st.sampled_from(INDENTS),
)
def test_lines_near_the_width(n: int, pad: str, which: tuple[str, str | None]) -> None:
    indent, first = which
    for text in (pad + "y" * n, "y" * n + pad, pad + "ab " * (n // 3) + "z"):
        assert _wrap(text, indent, first) == reference(text, indent, first)
