"""JavaScript and TypeScript: transformers.js ``pipeline(task, model)`` and ``X.from_pretrained(model)``.

``pipeline()`` is read only in files that import transformers.js (``@huggingface/transformers``,
``@xenova/transformers`` or a fork or CDN copy of it), so other ``pipeline()`` functions (Node streams) are
never taken for it; ``X.from_pretrained()`` is Hugging Face's own name and is read in any file (libraries built
on transformers.js, such as kokoro-js, load Hub models through it).
Names are resolved through ``const`` / ``let`` / ``var`` string assignments, class ``static`` fields
(``this.model``) and parameter defaults. Hub URLs in string literals are references in any file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from modelaudit.code_models import HowFound
from modelaudit.models import RepoKind
from modelaudit.sources.code.common import FileContext, make_reference
from modelaudit.sources.code.hubids import HUB_URL, hub_url

_IMPORT = re.compile(
    r"""(?:\bfrom\b|\bimport\b|\brequire\b)\s*\(?\s*['"][^'"\n]*(?:@xenova/transformers|@huggingface/transformers|"""
    r"""/transformers(?:@[^'"/\n]*)?(?:/[^'"\n]*)?|transformers\.js)['"]"""
)
_STRING = r"""(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`)"""
_DECL = re.compile(rf"\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*[^=\n;]+?)?\s*=\s*({_STRING})")
_STATIC = re.compile(rf"\bstatic\s+(?:readonly\s+)?([A-Za-z_$][\w$]*)\s*(?::\s*[^=\n;]+?)?\s*=\s*({_STRING})")
_PARAM_DEFAULT = re.compile(rf"([A-Za-z_$][\w$]*)\s*(?::\s*[\w$<>\[\]|. ]+?)?\s*=\s*({_STRING})")
_FUNC_PARAMS = re.compile(r"(?:\bfunction\b[^(]*|\b[A-Za-z_$][\w$]*\s*)\(([^()]*)\)\s*(?:=>|\{|:)")
_CALL = re.compile(r"(?<![\w$])(?:([A-Za-z_$][\w$.]*)\.)?(pipeline|from_pretrained)\s*\(")


@dataclass
class _Const:
    pos: int
    value: str


def _blank_comments(text: str) -> str:
    """``text`` with comments replaced by spaces (newlines kept), strings untouched."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"`":
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\":
                    j += 1
                elif text[j] == "\n" and c != "`":
                    break
                j += 1
            i = j + 1
            continue
        if c == "/" and i + 1 < n and text[i + 1] == "/":
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
            continue
        if c == "/" and i + 1 < n and text[i + 1] == "*":
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            for k in range(i, end):
                if out[k] != "\n":
                    out[k] = " "
            i = end
            continue
        i += 1
    return "".join(out)


def _unquote(literal: str) -> str | None:
    """A string literal's value; None for a template literal with substitutions."""
    body = literal[1:-1]
    if literal[0] == "`" and "${" in body:
        return None
    return re.sub(r"\\(.)", r"\1", body)


def _args(text: str, start: int) -> tuple[list[tuple[str, int]], int]:
    """The top-level arguments of a call whose ``(`` is at ``start``: ``(text, offset)`` each, and the end."""
    depth = 0
    args: list[tuple[str, int]] = []
    i = start
    arg_start = start + 1
    n = len(text)
    while i < n:
        c = text[i]
        if c in "'\"`":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                piece = text[arg_start:i]
                if piece.strip():
                    args.append((piece, arg_start))
                return args, i
        elif c == "," and depth == 1:
            args.append((text[arg_start:i], arg_start))
            arg_start = i + 1
        i += 1
    return args, n


def discover_javascript(data: bytes, ctx: FileContext) -> bool:
    if (
        b"pipeline" not in data
        and b"from_pretrained" not in data
        and b"huggingface.co" not in data
        and (b"hf.co" not in data)
    ):
        return False
    raw = data.decode("utf-8", errors="replace")
    text = _blank_comments(raw)
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(offset: int) -> int:
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    _urls(ctx, text, line)
    tjs = bool(_IMPORT.search(text))
    if not tjs and "from_pretrained" not in text:
        return True
    consts: dict[str, list[_Const]] = {}
    for m in _DECL.finditer(text):
        value = _unquote(m.group(2))
        if value is not None:
            consts.setdefault(m.group(1), []).append(_Const(m.start(), value))
    statics: dict[str, list[_Const]] = {}
    for m in _STATIC.finditer(text):
        value = _unquote(m.group(2))
        if value is not None:
            statics.setdefault(m.group(1), []).append(_Const(m.start(), value))
    defaults: dict[str, list[_Const]] = {}
    for fm in _FUNC_PARAMS.finditer(text):
        for pm in _PARAM_DEFAULT.finditer(fm.group(1)):
            value = _unquote(pm.group(2))
            if value is not None:
                defaults.setdefault(pm.group(1), []).append(_Const(fm.start(), value))

    for m in _CALL.finditer(text):
        receiver, name = m.group(1), m.group(2)
        if name == "pipeline" and (not tjs or receiver not in (None, "transformers", "Transformers")):
            continue
        if name == "from_pretrained" and receiver is None:
            continue
        args, _end = _args(text, m.end() - 1)
        index = 1 if name == "pipeline" else 0
        site = "pipeline" if name == "pipeline" else f"{receiver}.from_pretrained"
        if len(args) <= index or args[index][0].strip() in ("null", "undefined"):
            if name == "pipeline" and args:
                _add(
                    ctx,
                    make_reference(
                        ctx,
                        line=line(m.start()),
                        site=site,
                        kind=RepoKind.MODEL,
                        text=None,
                        how=HowFound.LITERAL,
                        value="",
                        unresolved="task default",
                    ),
                )
            continue
        expr, offset = args[index]
        stripped = expr.strip()
        at = offset + len(expr) - len(expr.lstrip())
        for value, how, reason in _resolve(stripped, m.start(), consts, statics, defaults):
            if (
                value is not None
                and ("huggingface.co/" in value or "hf.co/" in value)
                and how is HowFound.LITERAL
            ):
                continue  # reported as a URL
            ref = make_reference(
                ctx,
                line=line(at),
                site=site,
                kind=RepoKind.MODEL,
                text=value,
                how=how,
                value=stripped,
                unresolved=reason or None,
            )
            _add(ctx, ref)
    return True


def _resolve(
    expr: str,
    pos: int,
    consts: dict[str, list[_Const]],
    statics: dict[str, list[_Const]],
    defaults: dict[str, list[_Const]],
) -> list[tuple[str | None, HowFound, str]]:
    if re.fullmatch(_STRING, expr, re.S):
        value = _unquote(expr)
        return (
            [(value, HowFound.LITERAL, "")] if value is not None else [(None, HowFound.LITERAL, "expression")]
        )
    member = re.fullmatch(r"(?:this|self|[A-Z][\w$]*)\.([A-Za-z_$][\w$]*)", expr)
    if member:  # this.model, Factory.model: a class's static field
        found = statics.get(member.group(1), [])
        if found:
            return [(found[-1].value, HowFound.CONSTANT, "")]
        return [(None, HowFound.LITERAL, "expression")]
    if re.fullmatch(r"[A-Za-z_$][\w$]*", expr):
        # the nearest preceding declaration or parameter default of that name
        candidates = [(c.pos, c.value, HowFound.CONSTANT) for c in consts.get(expr, []) if c.pos < pos]
        candidates += [(c.pos, c.value, HowFound.DEFAULT) for c in defaults.get(expr, []) if c.pos < pos]
        if candidates:
            _, value, how = max(candidates, key=lambda c: c[0])
            return [(value, how, "")]
        later = consts.get(expr, [])
        if later:
            return [(later[0].value, HowFound.CONSTANT, "")]
        return [(None, HowFound.LITERAL, "parameter")]
    return [(None, HowFound.LITERAL, "expression")]


def _urls(ctx: FileContext, text: str, line: Callable[[int], int]) -> None:
    for m in re.finditer(_STRING, text):
        literal = m.group(0)
        if "huggingface.co/" not in literal and "hf.co/" not in literal:
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        if "console." in text[line_start : m.start()]:
            continue
        for um in HUB_URL.finditer(literal):
            found = hub_url(um.group(0))
            if found is None:
                continue
            ref = make_reference(
                ctx,
                line=line(m.start() + um.start()),
                site="url",
                kind=found.kind or RepoKind.MODEL,
                text=um.group(0),
                how=HowFound.URL,
                value=um.group(0),
            )
            _add(ctx, ref)


def _add(ctx: FileContext, ref: object) -> None:
    from modelaudit.code_models import CodeReference

    if isinstance(ref, CodeReference) and ref not in ctx.references:
        ctx.references.append(ref)
