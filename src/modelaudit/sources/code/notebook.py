"""Jupyter notebooks: the code cells, read as one Python module run top to bottom.

Each cell is checked on its own (IPython magics and shell escapes blanked), the cells that parse are joined in
order, and every reference is reported on the line of the notebook's JSON text that holds its source line, so
code scanning annotates the ``.ipynb`` file where the value is written.
"""

from __future__ import annotations

import json
from typing import Any

from modelaudit.sources.code.common import FileContext
from modelaudit.sources.code.python import (
    discover_python_text,
    parse,
    quiet_parse,
    strip_magics,
    trigger_lines,
)


def _source_lines(cell: dict[str, Any]) -> list[str]:
    source = cell.get("source", [])
    if isinstance(source, str):
        return source.splitlines(keepends=True) or [""]
    if isinstance(source, list):
        return [s for s in source if isinstance(s, str)]
    return []


def _raw_lines(raw: str, lines: list[str], cursor: int, fallback: int) -> tuple[list[int], int]:
    """The 1-based line of ``raw`` holding each source line (JSON-encoded), searching forward from ``cursor``."""
    out: list[int] = []
    for piece in lines:
        pos = -1
        for encoded in (json.dumps(piece, ensure_ascii=False), json.dumps(piece)):
            pos = raw.find(encoded, cursor)
            if pos >= 0:
                break
        if pos < 0:
            out.append(out[-1] if out else fallback)
            continue
        out.append(raw.count("\n", 0, pos) + 1)
        cursor = pos + 1
    return out, cursor


def discover_notebook(data: bytes, ctx: FileContext) -> bool:
    """Add the references of a notebook's code cells to ``ctx``; False when nothing could name one."""
    lines = trigger_lines(data)
    if lines is not None and not lines:  # cheap: no loading call anywhere in the file's text
        return False
    raw = data.decode("utf-8", errors="replace")
    try:
        doc = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        ctx.problem("not a valid notebook (malformed JSON)")
        return True
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if not isinstance(cells, list):
        # nbformat 3 keeps cells under worksheets
        worksheets = doc.get("worksheets") if isinstance(doc, dict) else None
        cells = [c for w in worksheets or [] if isinstance(w, dict) for c in w.get("cells", [])]
    language = (
        ((doc.get("metadata", {}) or {}).get("kernelspec", {}) or {}).get("language", "python")
        if isinstance(doc, dict)
        else "python"
    )
    if language not in ("python", "python3", "", None):
        return False
    code: list[str] = []
    line_map: list[int] = []
    cursor = 0
    bad: list[tuple[int, int]] = []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        pieces = _source_lines(cell)
        raw_lines, cursor = _raw_lines(raw, pieces, cursor, 1)
        text = "".join(pieces)
        cleaned = strip_magics(text)
        if parse(cleaned) is None:
            if trigger_lines(text.encode("utf-8", errors="replace")):
                bad.append((number, raw_lines[0] if raw_lines else 1))
            continue
        cell_lines = cleaned.split("\n")
        # one virtual line per source line; map each to the notebook's raw line
        for i, _ in enumerate(cell_lines):
            line_map.append(raw_lines[i] if i < len(raw_lines) else (raw_lines[-1] if raw_lines else 1))
        code.extend(cell_lines)
    for number, first in bad:
        ctx.problem(f"cell {number} is not valid Python; its loading calls could not be read", first)
    if not code:
        return bool(bad)
    source = "\n".join(code)
    try:
        quiet_parse(source)
    except SyntaxError:  # cells that parse alone but not together (an unterminated block): one by one
        return bool(bad)
    discover_python_text(source, ctx, line_map)
    return True
