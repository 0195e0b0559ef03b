"""Shell scripts, Dockerfiles and command strings (CI ``run:`` blocks, compose ``command:``).

Commands are split into words (quotes, escapes, line continuations, comments, ``$(...)``), variables are
tracked in order (assignments, ``export``, Dockerfile ``ARG`` / ``ENV``, ``for x in a b c``) and expanded at
their use (``$X``, ``${X}``, ``${X:-default}``). References: ``huggingface-cli download`` / ``hf download``,
``vllm serve``, ``python -c "..."`` (read as Python), the configuration flags of ``keys`` (``--model``,
``--model_name_or_path``, ``--dataset_name`` ...), ``export`` / ``ENV`` of such keys, and Hub URLs written
anywhere but in comments and ``echo``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from modelaudit.code_models import HowFound
from modelaudit.models import RepoKind
from modelaudit.sources.code.common import FileContext, make_reference
from modelaudit.sources.code.hubids import HUB_URL, hub_url
from modelaudit.sources.code.keys import key_rule

_SEPARATORS = frozenset("\n;&|()")
_KEY_ARG = re.compile(r"^\+{0,2}([A-Za-z_][A-Za-z0-9_.]*)=(.+)$", re.S)
_CONFLICT = re.compile(r"^(?:<{7}|={7}|>{7})(?:[ \t][^\n]*)?$", re.M)
_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\+?=(.*)$", re.S)
_VAR = re.compile(
    r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\$([0-9@*#])"
)
_WRAPPERS = frozenset(
    {"nohup", "sudo", "exec", "time", "nice", "then", "do", "else", "elif", "if", "while", "until", "!", "{"}
)
_QUIET = frozenset({"echo", "printf", "cat", "tee", "read", "test", "[", "[[", "case", "esac", "fi", "done"})
_DOWNLOAD_OPTS_WITH_VALUE = frozenset(
    {
        "--repo-type",
        "--repo_type",
        "--revision",
        "--local-dir",
        "--local_dir",
        "--cache-dir",
        "--cache_dir",
        "--token",
        "--max-workers",
        "--max_workers",
        "--local-dir-use-symlinks",
        "--local_dir_use_symlinks",
        "--resume_download",
        "--format",
    }
)
_DOWNLOAD_MULTI = frozenset({"--include", "--exclude"})


@dataclass
class Word:
    text: str  # quotes removed, variables not expanded
    start: int  # offset of the word in the text
    has_subst: bool = False  # contains $(...) or `...`


@dataclass
class Var:
    pos: int
    values: list[str | None]  # None: unknown (the reason is in ``reason``)
    reason: str = "environment variable"
    how: HowFound = HowFound.CONSTANT


@dataclass
class ShellState:
    """Variables known so far (Dockerfile ARG / ENV carry across instructions)."""

    vars: dict[str, list[Var]] = field(default_factory=dict)

    def set(self, name: str, var: Var) -> None:
        self.vars.setdefault(name, []).append(var)

    def get(self, name: str, pos: int) -> Var | None:
        found = [v for v in self.vars.get(name, []) if v.pos <= pos]
        return found[-1] if found else None


def tokenize(text: str) -> list[list[Word]]:
    """Commands (lists of words) of a shell text; offsets index ``text``."""
    # the lines of a merge conflict (<<<<<<< / ======= / >>>>>>>) are not shell; blanked, offsets kept
    text = _CONFLICT.sub(lambda m: " " * len(m.group(0)), text)
    commands: list[list[Word]] = []
    words: list[Word] = []
    buf: list[str] = []
    start = -1
    subst = False
    i, n = 0, len(text)
    heredoc: str | None = None

    def end_word() -> None:
        nonlocal buf, start, subst
        if start >= 0:
            words.append(Word("".join(buf), start, subst))
        buf, start, subst = [], -1, False

    def end_command() -> None:
        nonlocal words
        end_word()
        if words:
            commands.append(words)
        words = []

    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] == "\n":
            i += 2
            continue
        if c == "\\" and i + 2 < n and text[i + 1] == "\r" and text[i + 2] == "\n":
            i += 3
            continue
        if c in " \t\r":
            end_word()
            i += 1
            continue
        if c == "#" and start < 0:
            while i < n and text[i] != "\n":
                i += 1
            continue
        if c in _SEPARATORS:
            end_command()
            if c == "\n" and heredoc is not None:
                j = i + 1
                while j < n:
                    k = text.find("\n", j)
                    k = n if k < 0 else k
                    if text[j:k].strip() == heredoc:
                        i = k
                        break
                    j = k + 1
                else:
                    i = n
                heredoc = None
            i += 1
            continue
        if start < 0:
            start = i
        if c == "<" and text.startswith("<<", i) and not text.startswith("<<<", i) and text[i - 1 : i] != "<":
            m = re.match(r"<<-?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?", text[i:])
            if m:
                heredoc = m.group(1)
                end_word()
                i += m.end()
                continue
        if c == "'":
            j = text.find("'", i + 1)
            j = n if j < 0 else j
            buf.append(text[i + 1 : j])
            i = j + 1
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    if text[j + 1] in '"\\$`':
                        buf.append(text[j + 1])
                        j += 2
                        continue
                    if text[j + 1] == "\n":
                        j += 2
                        continue
                if text[j] == "$" and text.startswith("$(", j):
                    subst = True
                buf.append(text[j])
                j += 1
            i = j + 1
            continue
        if c == "\\" and i + 1 < n:
            buf.append(text[i + 1])
            i += 2
            continue
        if c == "$" and text.startswith("$(", i):
            depth, j = 0, i + 1
            while j < n:
                if text[j] == "(":
                    depth += 1
                elif text[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            buf.append(text[i : j + 1])
            subst = True
            i = j + 1
            continue
        if c == "`":
            j = text.find("`", i + 1)
            j = n if j < 0 else j
            buf.append(text[i : j + 1])
            subst = True
            i = j + 1
            continue
        buf.append(c)
        i += 1
    end_command()
    return commands


class ShellFile:
    """Discovery over one shell text (a script, a RUN instruction, a CI run block)."""

    def __init__(
        self,
        ctx: FileContext,
        text: str,
        line_offset: int = 0,
        state: ShellState | None = None,
        *,
        base: int = 0,
        word_lines: list[int] | None = None,
    ) -> None:
        self.ctx = ctx
        self.text = text
        self.line_offset = line_offset  # line of the text's first line, minus one
        self.state = state if state is not None else ShellState()
        self.base = base  # offset of ``text`` among the state's variable positions (Dockerfile instructions)
        self.word_lines = word_lines  # exec form: a word's ``start`` is its index here
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        if self.word_lines is not None:
            return self.word_lines[min(max(offset, 0), len(self.word_lines) - 1)] if self.word_lines else 1
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return self.line_offset + lo + 1

    # -- expansion
    def expand(self, word: Word) -> list[tuple[str | None, HowFound, str]]:
        """``(value, how, reason)`` for each value a word may have; value None when it cannot be told."""
        if word.has_subst:
            return [(None, HowFound.LITERAL, "command substitution")]
        results: list[tuple[str, HowFound]] = [("", HowFound.LITERAL)]
        pos = 0
        text = word.text
        for m in _VAR.finditer(text):
            lit = text[pos : m.start()]
            pos = m.end()
            name = m.group(1) or m.group(4)
            op, default = m.group(2), m.group(3)
            values: list[tuple[str | None, HowFound, str]]
            if m.group(5):
                values = [(None, HowFound.LITERAL, "command-line argument")]
            else:
                var = self.state.get(name, word.start + self.base)
                if var is None:
                    if op in (":-", "-", ":=", "=") and default is not None:
                        values = [(default, HowFound.DEFAULT, "")]
                    else:
                        values = [(None, HowFound.LITERAL, "environment variable")]
                else:
                    values = [(v, var.how, var.reason) for v in var.values] or [
                        (None, HowFound.LITERAL, var.reason)
                    ]
                    if op in (":-", ":=") and default is not None:
                        values = [(v if v else default, how, r) for v, how, r in values]
            nxt: list[tuple[str, HowFound]] = []
            for prefix, how in results:
                for v, vhow, reason in values:
                    if v is None:
                        return [(None, HowFound.LITERAL, reason)]
                    nxt.append((prefix + lit + v, vhow if vhow is not HowFound.LITERAL else how))
            results = nxt[:16]
        out = [(prefix + text[pos:], how if pos else HowFound.LITERAL, "") for prefix, how in results]
        return [(v, how, r) for v, how, r in out]

    # -- commands
    def run(self) -> None:
        for words in tokenize(self.text):
            self.command(words)

    def command(self, words: list[Word]) -> None:
        i = 0
        while i < len(words):
            w = words[i]
            m = _ASSIGN.match(w.text)
            if m and not w.text.startswith("="):
                self.assign(
                    m.group(1), Word(m.group(2), w.start + len(m.group(1)) + 1, w.has_subst), w, config=False
                )
                i += 1
                continue
            if w.text in _WRAPPERS:
                i += 1
                continue
            break
        rest = words[i:]
        if not rest:
            return
        via_xargs = False
        if rest[0].text.rsplit("/", 1)[-1] == "xargs":
            via_xargs = True
            j = 1
            while j < len(rest) and rest[j].text.startswith("-"):
                j += 2 if rest[j].text in ("-I", "-n", "-P", "-d", "-L", "-s", "-E") else 1
            rest = rest[j:]
            if not rest:
                return
        head = rest[0].text.rsplit("/", 1)[-1]
        if head in ("export", "local", "declare", "readonly", "typeset"):
            for w in rest[1:]:
                m = _ASSIGN.match(w.text)
                if m:
                    value = Word(m.group(2), w.start + len(m.group(1)) + 1, w.has_subst)
                    self.assign(m.group(1), value, w, config=head == "export")
            return
        if head == "for" and len(rest) >= 3 and rest[2].text == "in":
            values: list[str | None] = []
            how = HowFound.CONSTANT
            reason = "expression"
            for w in rest[3:]:
                for v, vhow, r in self.expand(w):
                    if v is not None and re.search(r"[*?\[]", v):
                        values.append(None)
                        reason = "local path"
                    else:
                        values.append(v)
                        if v is None:
                            reason = r
                    if vhow is HowFound.DEFAULT:
                        how = HowFound.DEFAULT
            loop_values: list[str | None] = [v for v in values if v is not None]
            if len(loop_values) != len(values):
                loop_values = [None]
            self.state.set(rest[1].text, Var(rest[1].start + self.base, loop_values, reason, how))
            return
        if head in _QUIET:
            return
        self.urls(rest)
        self.flags(rest)
        if head in ("huggingface-cli", "hf") and len(rest) > 1 and rest[1].text == "download":
            self.download(rest[2:], f"{head} download", rest[1] if via_xargs else None)
        elif head == "vllm" and len(rest) > 1 and rest[1].text == "serve":
            repo = next((w for w in rest[2:] if not w.text.startswith("-")), None)
            if repo is not None:
                self.emit(repo, "vllm serve", RepoKind.MODEL, weak=False, bare="model")
        elif re.fullmatch(r"python[0-9.]*", head):
            for j, w in enumerate(rest[1:-1], 1):
                if w.text == "-c":
                    self.python_code(rest[j + 1])
                    break

    def assign(self, name: str, value: Word, whole: Word, *, config: bool, site: str = "export") -> None:
        self.urls([value])
        results = self.expand(value)
        values = [v for v, _, _ in results]
        reason = next((r for v, _, r in results if v is None), "environment variable")
        how = HowFound.DEFAULT if any(h is HowFound.DEFAULT for _, h, _ in results) else HowFound.CONSTANT
        self.state.set(
            name, Var(whole.start + self.base, values if None not in values else [None], reason, how)
        )
        if config:
            self.config_value(name, value, f"{site} {name}")

    def config_value(self, key: str, value: Word, site: str) -> None:
        rule = key_rule(key)
        if rule is None:
            return
        self.emit(value, site, rule.kind, weak=rule.weak, bare=rule.bare, config=True)

    def flags(self, words: Sequence[Word]) -> None:
        i = 0
        while i < len(words):
            w = words[i]
            if w.text.startswith("--") and len(w.text) > 2:
                key, eq, val = w.text[2:].partition("=")
                rule = key_rule(key)
                if rule is not None:
                    if eq:
                        value = Word(val, w.start + 3 + len(key), w.has_subst)
                        self.emit(value, f"--{key}", rule.kind, weak=rule.weak, bare=rule.bare)
                    elif i + 1 < len(words) and not words[i + 1].text.startswith("-"):
                        self.emit(words[i + 1], f"--{key}", rule.kind, weak=rule.weak, bare=rule.bare)
                        i += 1
            elif i > 0 and (m := _KEY_ARG.match(w.text)):
                # key=value arguments (LLaMA-Factory and Hydra overrides, docker run -e KEY=value)
                key = m.group(1)
                rule = key_rule(key) or key_rule(key.rsplit(".", 1)[-1])
                if rule is not None:
                    value = Word(m.group(2), w.start + len(key) + 1, w.has_subst)
                    self.emit(value, key, rule.kind, weak=rule.weak, bare=rule.bare)
            i += 1

    def download(self, words: Sequence[Word], site: str, xargs_at: Word | None = None) -> None:
        """``xargs_at``: the command takes more arguments from xargs' input (the repo may come from there)."""
        kind = RepoKind.MODEL
        revision: str | None = None
        repo: Word | None = None
        i = 0
        while i < len(words):
            w = words[i]
            opt, eq, val = w.text.partition("=")
            if opt in _DOWNLOAD_OPTS_WITH_VALUE:
                value = val if eq else (words[i + 1].text if i + 1 < len(words) else "")
                if opt in ("--repo-type", "--repo_type") and value in ("dataset", "datasets"):
                    kind = RepoKind.DATASET
                if opt in ("--repo-type", "--repo_type") and value in ("space", "spaces"):
                    return
                if opt == "--revision":
                    expanded = self.expand(Word(value, w.start)) if value else []
                    revision = expanded[0][0] if len(expanded) == 1 else None
                i += 1 if eq else 2
                continue
            if opt in _DOWNLOAD_MULTI:
                i += 1
                while i < len(words) and not words[i].text.startswith("-"):
                    i += 1
                continue
            if w.text.startswith("-"):
                i += 1
                continue
            if repo is None:
                repo = w
            i += 1
        if repo is not None and not (
            xargs_at is not None and all(v is None or not v.strip() for v, _, _ in self.expand(repo))
        ):
            self.emit(
                repo,
                site,
                kind,
                weak=False,
                bare="dataset" if kind is RepoKind.DATASET else "model",
                revision=revision,
            )
        elif xargs_at is not None:
            ref = make_reference(
                self.ctx,
                line=self.line(xargs_at.start),
                site=site,
                kind=kind,
                text=None,
                how=HowFound.LITERAL,
                value="(xargs input)",
                unresolved="command input",
            )
            self._add(ref)

    def urls(self, words: Sequence[Word]) -> None:
        for w in words:
            if "huggingface.co/" not in w.text and "hf.co/" not in w.text:
                continue
            for m in HUB_URL.finditer(w.text):
                found = hub_url(m.group(0))
                if found is None or found.repo_id is None:
                    continue
                line = self.line(w.start)
                ref = make_reference(
                    self.ctx,
                    line=line,
                    site="url",
                    kind=found.kind or RepoKind.MODEL,
                    text=m.group(0),
                    how=HowFound.URL,
                    value=m.group(0),
                )
                self._add(ref)

    def emit(
        self,
        word: Word,
        site: str,
        kind: RepoKind,
        *,
        weak: bool,
        bare: str,
        revision: str | None = None,
        config: bool = False,
    ) -> None:
        if ("huggingface.co/" in word.text or "hf.co/" in word.text) and "$" not in word.text:
            return  # a literal URL: reported by ``urls``
        line = self.line(word.start)
        for value, how, reason in self.expand(word):
            if config and how is HowFound.LITERAL:
                how = HowFound.CONFIG
            ref = make_reference(
                self.ctx,
                line=line,
                site=site,
                kind=kind,
                text=value,
                how=how,
                value=word.text,
                revision=revision,
                unresolved=reason or None,
                weak=weak,
                bare=bare,
            )
            self._add(ref)

    def _add(self, ref: object) -> None:
        from modelaudit.code_models import CodeReference

        if isinstance(ref, CodeReference) and ref not in self.ctx.references:
            self.ctx.references.append(ref)

    def python_code(self, word: Word) -> None:
        from modelaudit.sources.code.python import discover_python_text

        code = word.text
        first = self.line(word.start)
        line_map = [first + i for i in range(code.count("\n") + 1)]
        discover_python_text(code, self.ctx, line_map)


def discover_shell(data: bytes, ctx: FileContext) -> bool:
    text = data.decode("utf-8", errors="replace")
    ShellFile(ctx, text).run()
    return True


def shell_text(ctx: FileContext, text: str, first_line: int, state: ShellState | None = None) -> None:
    """A command string found elsewhere (a CI ``run:`` block), whose first line is ``first_line``."""
    ShellFile(ctx, text, first_line - 1, state).run()


def argv(ctx: FileContext, words: list[tuple[str, int]], state: ShellState | None = None) -> None:
    """An exec-form command (``CMD ["--model", "x"]``, a compose list): words with their lines."""
    sf = ShellFile(ctx, "", 0, state, base=1 << 60, word_lines=[line for _, line in words])
    sf.command([Word(text, i) for i, (text, _) in enumerate(words)])


# ------------------------------------------------------------------------------------------------ Dockerfile

_INSTRUCTION = re.compile(r"^[ \t]*([A-Za-z]+)[ \t]+", re.M)


def discover_dockerfile(data: bytes, ctx: FileContext) -> bool:
    text = data.decode("utf-8", errors="replace")
    state = ShellState()
    lines = text.split("\n")
    i = 0
    starts = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    while i < len(lines):
        line = lines[i]
        first = i
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        # gather continuation lines (comments inside continuations are dropped, as Docker does)
        parts = [line]
        while parts[-1].rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            nxt = lines[i]
            parts.append("" if nxt.lstrip().startswith("#") else nxt)
        i += 1
        instruction = "\n".join(parts)
        m = _INSTRUCTION.match(instruction)
        if not m:
            continue
        keyword = m.group(1).upper()
        body = instruction[m.end() :]
        body_line = first + 1 + instruction[: m.end()].count("\n")
        base = starts[first] + m.end()
        offset = base
        if keyword in ("RUN", "CMD", "ENTRYPOINT"):
            if body.lstrip().startswith("["):
                try:
                    items = json.loads(body.replace("\\\n", ""))
                except (ValueError, RecursionError):
                    items = None
                if isinstance(items, list) and all(isinstance(x, str) for x in items):
                    argv(ctx, [(x, _line_of(instruction, x, first)) for x in items], state)
                    continue
            ShellFile(ctx, body, body_line - 1, state, base=offset).run()
        elif keyword in ("ARG", "ENV"):
            sf = ShellFile(ctx, body, body_line - 1, state, base=offset)
            for words in tokenize(body):
                if keyword == "ENV" and len(words) == 2 and "=" not in words[0].text:
                    words = [Word(f"{words[0].text}={words[1].text}", words[0].start)]
                for w in words:
                    am = _ASSIGN.match(w.text)
                    if am:
                        value = Word(am.group(2), w.start + len(am.group(1)) + 1, w.has_subst)
                        sf.assign(am.group(1), value, w, config=keyword == "ENV", site=keyword)
                    elif keyword == "ARG":
                        state.set(w.text, Var(w.start + offset, [None], "build argument"))
    return True


def _line_of(instruction: str, item: str, first: int) -> int:
    pos = instruction.find(json.dumps(item))
    if pos < 0:
        pos = instruction.find(item)
    return first + 1 + (instruction.count("\n", 0, pos) if pos >= 0 else 0)
