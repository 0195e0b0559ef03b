"""Reformatted variants of a license text, as found in real repositories (used by the identification tests)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable

_COPYRIGHT_LINE = re.compile(r"^\s*copyright\b.*$", re.IGNORECASE | re.MULTILINE)
_URL = re.compile(r"(?<![(\[])\bhttps?://[^\s)\]>\"”]+")


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]


def reflow(text: str) -> str:
    """Join each paragraph's lines and re-wrap them at 60 columns."""
    out = []
    for p in _paragraphs(text):
        out.append(textwrap.fill(" ".join(p.split()), width=60))
    return "\n\n".join(out) + "\n"


def markdown(text: str) -> str:
    """Markdown dressing: headings for short lines, bold lead words, list bullets, links for URLs."""
    out = []
    for p in _paragraphs(text):
        lines = p.split("\n")
        if len(lines) == 1 and len(p.strip()) < 70 and not p.strip().endswith((".", ";", ",")):
            out.append("## " + p.strip())
            continue
        dressed = []
        for line in lines:
            s = line.strip()
            s = _URL.sub(lambda m: f"[{m.group(0)}]({m.group(0)})", s)
            if re.match(r"^(\(?[a-z0-9]{1,3}[.)]|[-*•])\s", s):
                s = "- " + s
            dressed.append(s)
        words = dressed[0].split(" ")
        if len(words) > 4 and not dressed[0].startswith("- "):
            dressed[0] = "**" + " ".join(words[:3]) + "** " + " ".join(words[3:])
        out.append("\n".join(dressed))
    return "\n\n".join(out) + "\n"


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def new_copyright(text: str) -> str:
    """Replace every copyright line with another holder and year (or add one when there is none)."""
    line = "Copyright (c) 2031 Example Holdings Ltd. and contributors. All rights reserved."
    if _COPYRIGHT_LINE.search(text):
        return _COPYRIGHT_LINE.sub(line, text)
    return f"{line}\n\n{text}"


def first_part(text: str) -> str:
    """Only the first 40 % of the text (cut at a line end), as in a truncated LICENSE file."""
    cut = text.rfind("\n", 0, int(len(text) * 0.4))
    return text[: cut if cut > 0 else int(len(text) * 0.4)]


VARIANTS: dict[str, Callable[[str], str]] = {
    "reflow": reflow,
    "markdown": markdown,
    "crlf": crlf,
    "copyright": new_copyright,
    "first-part": first_part,
}
