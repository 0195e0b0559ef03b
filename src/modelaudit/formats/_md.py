"""The one Markdown escaper: every Markdown document (scan report, report diff, pull-request comparison,
webhook comments) passes untrusted text through :func:`md` or :func:`code`.

Card text, repo ids, file paths, license names and finding messages come from other people's repos. In
Markdown they could inject links or images (``[x](http://evil)``), raw HTML, table cells, or @-mentions
that notify strangers from a pull-request comment. After escaping they render as the literal characters.
"""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def md(text: str) -> str:
    """Escape untrusted text for inline Markdown (also safe inside a table cell)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = text.replace("@", "@&#8203;")  # no @-mentions from card text
    return " ".join(text.split())  # no newlines inside cells or list items


def code(text: str) -> str:
    """An inline code span that cannot be broken out of (backticks and newlines removed).

    A ``|`` is escaped: GitHub splits table rows at pipes before it reads code spans, so a raw pipe in a
    file name would end the cell and let the rest render as Markdown.
    """
    cleaned = " ".join(text.replace("`", "'").split()).replace("|", "\\|")
    return f"`{cleaned}`" if cleaned else "` `"


__all__ = ["code", "md"]
