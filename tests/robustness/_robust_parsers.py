"""Every parser of untrusted input, with a hypothesis strategy that feeds it, and one outcome classifier.

Shared by ``test_robust_parsers.py`` (pytest, a modest number of examples) and ``benchmarks/robustness.py``
(prints per parser the inputs tried and the crashes). A run of a parser ends in exactly one of:

* ``result``  - it returned (a record, a normalised license, a policy, a report, ...);
* ``finding`` - the verification stage turned the input into a finding (a structure problem, an unsafe
  or unscannable pickle), which is what a malformed weight file must become;
* ``error``   - a ``ModelAuditError`` naming the input (the CLI prints it and exits 2);
* ``crash``   - anything else: an uncaught exception. The target is zero.

Each case runs the real code path a scan uses, not only the innermost function: a card goes through
``extract_record``, the lineage crawl (parents unresolvable), license assessment and every rule.
"""

from __future__ import annotations

import atexit
import io
import json
import pickle
import shutil
import struct
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from hypothesis import strategies as st

from modelaudit.errors import ModelAuditError, RepoNotFoundError
from modelaudit.models import FileEntry, RepoRecord, RepoRef, SourceKind, VerifyMode

Outcome = Literal["result", "finding", "error", "crash"]

# --------------------------------------------------------------------------------------------- values

INTERESTING = [
    "",
    " ",
    "apache-2.0",
    "mit",
    "other",
    "unknown",
    "llama3.1",
    "cc-by-nc-4.0",
    "Apache-2.0 OR MIT",
    "(MIT AND BSD-3-Clause) WITH LLVM-exception",
    "GPL-2.0-or-later WITH Classpath-exception-2.0",
    "mit/apache-2.0",
    "AND OR WITH ((",
    "meta-llama/Llama-3.1-8B",
    "org/name@main",
    "org/name@",
    "@",
    "datasets/org/data",
    "datasets/",
    "extended|org/data",
    "https://huggingface.co/org/model",
    "https://huggingface.co/datasets/org/data/tree/main",
    "https://example.com/LICENSE",
    "hf://org/name",
    "../escape",
    "../../../../etc",
    "/etc/passwd",
    "~",
    "~root/x",
    "C:\\Windows\\system32",
    "a\x00b",
    "\x00",
    "org/na\nme",
    "\u202eevil",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "'; DROP TABLE x; --",
    "hf_FAKEtokenFAKEtokenFAKEtoken",
    "x" * 3000,
    "a/" * 200,
    "--",
    "org--name/x",
    ".",
    "..",
]

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(INTERESTING),
    st.text(max_size=40),
)
json_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.text(max_size=12) | st.sampled_from(INTERESTING), children, max_size=5)
    ),
    max_leaves=25,
)
_strings = st.sampled_from(INTERESTING) | st.text(max_size=60)
_string_or_list = _strings | st.lists(_strings, max_size=6) | json_values

CARD_KEYS = [
    "license",
    "license_name",
    "license_link",
    "license_details",
    "base_model",
    "base_model_relation",
    "finetuned_from",
    "datasets",
    "source_datasets",
    "tags",
    "pipeline_tag",
    "library_name",
    "model-index",
]
card_dicts = st.dictionaries(st.sampled_from(CARD_KEYS) | st.text(max_size=10), _string_or_list, max_size=8)

HOSTILE_YAML = [
    "!!python/object/apply:os.system ['touch /tmp/modelaudit-pwned']",
    "!!python/name:os.system",
    "x: !!python/object/new:subprocess.Popen [['true']]",
    "a: &a [*a, *a]",
    "a: &a ['x','x','x','x','x','x','x','x','x']\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
    "[" * 5000 + "]" * 5000,
    "{" * 200,
    "key: [unclosed",
    "- a list\n- not a mapping",
    "just a string",
    "? complex key\n: value",
    "license: 2024-02-30",
    "license: 2024-01-01",
    "date: 12:30:45",
    "x: !!binary aGVsbG8=",
    "x: !!set {a, b}",
    "\t tab: indent",
    "%YAML 1.1\n---\nlicense: mit",
    "license: mit\n---\nsecond: doc",
    "\ufeffbom: true",
]


def _yaml_dump(data: Any) -> str:
    try:
        return yaml.safe_dump(data, sort_keys=True, allow_unicode=True)
    except (yaml.YAMLError, ValueError, RecursionError):
        return "unrepresentable: true\n"


def _mutate(text: str, data: st.DataObject) -> str:
    """Insert, delete or replace a few characters (YAML punctuation is likely)."""
    for _ in range(data.draw(st.integers(0, 3), label="mutations")):
        if not text:
            break
        i = data.draw(st.integers(0, len(text) - 1), label="at")
        op = data.draw(st.sampled_from(["insert", "delete", "replace"]), label="op")
        ch = data.draw(st.sampled_from(list(":-[]{}&*!|>'\"#%@`\n\t\x00\\,?")) | st.characters(), label="ch")
        if op == "insert":
            text = text[:i] + ch + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + 1 :]
        else:
            text = text[:i] + ch + text[i + 1 :]
    return text


@st.composite
def yaml_documents(draw: st.DrawFn, mappings: st.SearchStrategy[Any] = card_dicts) -> str:
    kind = draw(st.sampled_from(["structured", "mutated", "hostile", "random"]), label="yaml kind")
    if kind == "hostile":
        return draw(st.sampled_from(HOSTILE_YAML))
    if kind == "random":
        return draw(st.text(max_size=300))
    text = _yaml_dump(draw(mappings))
    if kind == "mutated":
        text = _mutate(text, draw(st.data()))
    return text


@st.composite
def readmes(draw: st.DrawFn) -> bytes:
    body = draw(yaml_documents())
    style = draw(st.sampled_from(["plain", "crlf", "bom", "unclosed", "no-front-matter", "binary"]))
    if style == "binary":
        return draw(st.binary(max_size=300))
    if style == "no-front-matter":
        return body.encode()
    if style == "unclosed":
        return ("---\n" + body).encode()
    text = "---\n" + body + ("" if body.endswith("\n") else "\n") + "---\n# card\n"
    if style == "crlf":
        text = text.replace("\n", "\r\n")
    if style == "bom":
        text = "\ufeff" + text
    return text.encode("utf-8", errors="surrogatepass")


@st.composite
def json_documents(draw: st.DrawFn, keys: list[str]) -> bytes:
    kind = draw(st.sampled_from(["structured", "mutated", "random", "deep", "not-object"]))
    if kind == "random":
        return draw(st.binary(max_size=200))
    if kind == "deep":
        n = draw(st.integers(100, 200_000))
        return b"[" * n + b"]" * n
    if kind == "not-object":
        return json.dumps(draw(json_values), default=str).encode()
    obj = draw(st.dictionaries(st.sampled_from(keys) | st.text(max_size=8), _string_or_list, max_size=6))
    text = json.dumps(obj, default=str)
    if kind == "mutated":
        text = _mutate(text, draw(st.data()))
    return text.encode("utf-8", errors="surrogatepass")


CONFIG_KEYS = ["_name_or_path", "architectures", "model_type", "auto_map", "torch_dtype", "license"]
ADAPTER_KEYS = ["base_model_name_or_path", "revision", "peft_type", "task_type", "r", "target_modules"]


@st.composite
def mergekit_docs(draw: st.DrawFn) -> bytes:
    ref = _strings | st.fixed_dictionaries({"model": _strings}) | json_values
    section = st.fixed_dictionaries(
        {},
        optional={
            "base_model": ref,
            "models": st.lists(st.fixed_dictionaries({"model": ref}) | json_values, max_size=4) | json_values,
            "slices": st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "base_model": ref,
                        "sources": st.lists(st.fixed_dictionaries({"model": ref}) | json_values, max_size=3),
                    },
                ),
                max_size=3,
            )
            | json_values,
            "merge_method": _strings,
        },
    )
    top = draw(section)
    if draw(st.booleans()):
        top["modules"] = draw(st.dictionaries(st.text(max_size=5), section | json_values, max_size=3))
    if draw(st.booleans()):
        top["experts"] = draw(
            st.lists(st.fixed_dictionaries({"source_model": ref}) | json_values, max_size=3) | json_values
        )
    text = _yaml_dump(top)
    if draw(st.booleans()):
        text = _mutate(text, draw(st.data()))
    return text.encode("utf-8", errors="surrogatepass")


# --------------------------------------------------------------------------------------------- weights


def _rare(draw: st.DrawFn, n: int) -> bool:
    """True about once in ``n + 1`` draws (hypothesis favours small integers, so test the top value)."""
    return bool(draw(st.integers(0, n)) == n)


DTYPES = [
    *["F32", "F16", "BF16", "I8", "U8", "BOOL", "F64", "I64"] * 3,
    "F4",
    "F6_E2M3",
    "F8_E4M3",
    "Q4",
    "",
    "f32",
]


@st.composite
def safetensors_files(draw: st.DrawFn) -> bytes:
    """A header that is often nearly right (so the deep checks run), with data of some length."""
    n = draw(st.integers(0, 4))
    header: dict[str, Any] = {}
    cursor = 0
    for i in range(n):
        dtype = draw(st.sampled_from(DTYPES))
        shape = draw(
            st.lists(st.integers(0, 6), max_size=3)
            | st.lists(st.integers(0, 6), max_size=3)
            | st.lists(st.integers(-5, 2**66), max_size=17)
            | json_values,
            label="shape",
        )
        size = 4
        if isinstance(shape, list) and all(isinstance(d, int) and 0 <= d < 100 for d in shape):
            from modelaudit.verify.safetensors import DTYPE_BITS

            numel = 1
            for d in shape:
                numel *= d
            size = numel * DTYPE_BITS.get(dtype, 32) // 8
        offsets: Any = [cursor, cursor + size]
        if _rare(draw, 4):
            offsets = draw(st.lists(st.integers(-10, 2**65), max_size=3) | json_values, label="offsets")
        entry: Any = {"dtype": dtype, "shape": shape, "data_offsets": offsets}
        if _rare(draw, 6):
            entry = draw(json_values)
        header[draw(st.text(max_size=10)) + str(i)] = entry
        cursor += size
    if draw(st.booleans()):
        header["__metadata__"] = draw(
            st.dictionaries(
                st.sampled_from(["license", "format", "base_model"]) | st.text(max_size=6), _strings
            )
            | json_values
        )
    text = json.dumps(header, default=str).encode()
    if _rare(draw, 5):
        text = _mutate(text.decode(), draw(st.data())).encode("utf-8", errors="surrogatepass")
    length = len(text)
    length_kind = draw(st.sampled_from(["exact", "exact", "random", "huge", "short"]))
    if length_kind == "random":
        length = draw(st.integers(0, 2**64 - 1))
    elif length_kind == "huge":
        length = 2**63
    elif length_kind == "short":
        length = max(0, length - draw(st.integers(1, 10)))
    data_len = cursor + (draw(st.integers(-8, 8)) if _rare(draw, 3) else 0)
    data = bytes(max(0, min(data_len, 4096)))
    out = struct.pack("<Q", length) + text + data
    if _rare(draw, 8):
        out = out[: draw(st.integers(0, len(out)))]
    return out


def _gguf_str(s: bytes) -> bytes:
    return struct.pack("<Q", len(s)) + s


@st.composite
def gguf_files(draw: st.DrawFn) -> bytes:
    magic = b"GGUF" if not _rare(draw, 9) else draw(st.binary(min_size=4, max_size=4))
    version = draw(st.sampled_from([3, 3, 2, 1, 4, 2**32 - 1]))
    kvs: list[bytes] = []
    for _ in range(draw(st.integers(0, 5))):
        key = draw(
            st.sampled_from(
                [
                    b"general.license",
                    b"general.name",
                    b"general.base_model.count",
                    b"general.base_model.0.repo_url",
                    b"general.base_model.0.organization",
                    b"general.base_model.0.name",
                    b"general.source.repo_url",
                    b"general.dataset.count",
                    b"general.datasets",
                    b"general.alignment",
                    b"tokenizer.ggml.tokens",
                ]
            )
            | st.binary(max_size=12)
        )
        vtype = draw(st.integers(0, 14))
        if vtype == 8:
            value = _gguf_str(draw(st.sampled_from(INTERESTING)).encode("utf-8", "surrogatepass"))
        elif vtype == 9:
            itype = draw(st.integers(0, 14))
            count = draw(st.integers(0, 5) | st.integers(0, 2**64 - 1))
            items = b""
            for _ in range(min(count, 5)):
                if itype == 8:
                    items += _gguf_str(draw(st.sampled_from(INTERESTING)).encode("utf-8", "surrogatepass"))
                elif itype == 9:
                    items += struct.pack("<IQ", draw(st.integers(0, 12)), draw(st.integers(0, 3)))
                else:
                    items += draw(st.binary(min_size=1, max_size=8))
            value = struct.pack("<IQ", itype, count) + items
        elif vtype in (4, 5, 10, 11):
            fmt = {4: "<I", 5: "<i", 10: "<Q", 11: "<q"}[vtype]
            lo, hi = {
                4: (0, 2**32 - 1),
                5: (-(2**31), 2**31 - 1),
                10: (0, 2**64 - 1),
                11: (-(2**63), 2**63 - 1),
            }[vtype]
            value = struct.pack(
                fmt, draw(st.integers(0, 300) | st.integers(lo, hi)) if lo == 0 else draw(st.integers(lo, hi))
            )
        else:
            value = draw(st.binary(max_size=8))
        kvs.append(_gguf_str(key) + struct.pack("<I", vtype) + value)
    if _rare(draw, 9):  # a deeply nested array (arrays of arrays of ...)
        depth = draw(st.integers(5, 20_000))
        kvs.append(_gguf_str(b"general.nested") + struct.pack("<I", 9) + struct.pack("<IQ", 9, 1) * depth)
    tensors: list[bytes] = []
    offset = 0
    for i in range(draw(st.integers(0, 3))):
        dims = draw(st.lists(st.integers(0, 64) | st.integers(0, 2**64 - 1), max_size=9))
        ttype = draw(st.sampled_from([0, 1, 2, 8]) | st.integers(0, 2**32 - 1))
        toff = draw(st.just(offset) | st.integers(0, 2**64 - 1))
        tensors.append(
            _gguf_str(f"t{i}".encode())
            + struct.pack("<I", len(dims))
            + b"".join(struct.pack("<Q", d) for d in dims)
            + struct.pack("<IQ", ttype, toff)
        )
        offset += 32
    n_kv = len(kvs) if not _rare(draw, 5) else draw(st.integers(0, 2**64 - 1))
    n_t = len(tensors) if not _rare(draw, 5) else draw(st.integers(0, 2**64 - 1))
    out = magic + struct.pack("<IQQ", version, n_t, n_kv) + b"".join(kvs) + b"".join(tensors)
    out += bytes((-len(out)) % 32) + bytes(draw(st.integers(0, 200)))
    if _rare(draw, 8):
        out = out[: draw(st.integers(0, len(out)))]
    return out


class _Evil:
    def __reduce__(self) -> tuple[Any, ...]:
        return (eval, ("__import__('os').system('true')",))


_PICKLE_SEEDS = [pickle.dumps({"a": [1, 2.5, "x", None, True]}, protocol=p) for p in range(6)] + [
    pickle.dumps(_Evil(), protocol=p) for p in (0, 2, 4)
]


@st.composite
def pickle_files(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["seed", "value", "opcodes", "random", "zip"]))
    if kind == "seed":
        data = draw(st.sampled_from(_PICKLE_SEEDS))
    elif kind == "value":
        value = draw(json_values)
        try:
            data = pickle.dumps(value, protocol=draw(st.integers(0, 5)))
        except (RecursionError, ValueError):
            data = b"\x80\x04N."
    elif kind == "opcodes":
        import pickletools

        codes = [op.code.encode("latin-1") for op in pickletools.opcodes]
        parts = draw(st.lists(st.sampled_from(codes) | st.binary(max_size=6), max_size=40))
        data = b"\x80" + bytes([draw(st.integers(0, 6))]) + b"".join(parts)
    elif kind == "zip":
        inner = draw(st.sampled_from(_PICKLE_SEEDS) | st.binary(max_size=100))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("archive/data.pkl", inner)
            zf.writestr("archive/data/0", draw(st.binary(max_size=32)))
        data = buf.getvalue()
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
    else:
        data = draw(st.binary(max_size=200))
    if kind in ("seed", "value") and draw(st.booleans()):
        data = _mutate(data.decode("latin-1"), draw(st.data())).encode("latin-1", errors="replace")
    name = draw(st.sampled_from(["pytorch_model.bin", "model.pt", "x.pkl", "model.ckpt", "a.joblib"]))
    return name, data


# --------------------------------------------------------------------------------------------- config files

POLICY_KEYS = [
    "name",
    "description",
    "fail_on",
    "max_depth",
    "severity",
    "disabled_rules",
    "allow",
    "deny",
    "require_osi",
    "datasets",
    "intended_use",
]
_policy_values = (
    st.sampled_from(["error", "warning", "note", "ignore", "license-unknown", "MA001", "permissive"])
    | st.fixed_dictionaries(
        {}, optional={"categories": st.lists(_strings, max_size=3), "ids": st.lists(_strings, max_size=3)}
    )
    | st.dictionaries(
        st.sampled_from(["license-unknown", "MA001", "lineage-unresolved", "typo"]), _strings, max_size=3
    )
    | st.fixed_dictionaries(
        {},
        optional={
            "commercial_product": json_values,
            "internal_research_only": st.booleans(),
            "hosted_service": st.booleans(),
            "fields_of_use": st.lists(_strings, max_size=3),
            "regions": st.lists(_strings, max_size=3),
            "monthly_active_users": json_values,
        },
    )
    | json_values
)
policy_docs = yaml_documents(
    st.dictionaries(st.sampled_from(POLICY_KEYS) | st.text(max_size=6), _policy_values, max_size=8).map(
        lambda d: {"name": "p", **d} if d.get("name") is None else d
    )
)
_waiver_entry = st.dictionaries(
    st.sampled_from(["rule", "node", "reason", "expires", "approver", "extra"]),
    st.sampled_from(["2026-12-31", "2026-02-30", "20261231", "license-unknown", "*", "org/*"]) | json_values,
    max_size=6,
)
waiver_docs = yaml_documents(
    st.fixed_dictionaries({"waivers": st.lists(_waiver_entry, max_size=3) | json_values})
    | st.dictionaries(st.text(max_size=6), json_values, max_size=2)
)

TARGET_PREFIXES = [
    "",
    "hf://",
    "hf://datasets/",
    "hf://models/",
    "datasets/",
    "models/",
    "https://huggingface.co/",
    "https://hf.co/datasets/",
    "http://www.huggingface.co/",
    "https://evil.example/",
    "./",
    "../",
    "/",
    "~/",
]
targets = st.one_of(
    st.text(max_size=80),
    st.tuples(
        st.sampled_from(TARGET_PREFIXES),
        st.sampled_from(INTERESTING)
        | st.from_regex(r"[A-Za-z0-9_.\-]{0,20}(/[A-Za-z0-9_.\-]{0,20})?", fullmatch=True),
        st.sampled_from(["", "@main", "@", "@v1.0", "/tree/main", "/blob/x/y", "/resolve/%00/z", "@a\nb"]),
    ).map("".join),
)

_LICENSE_WORDS = [
    "apache-2.0",
    "MIT",
    "bsd-3-clause",
    "llama3",
    "gemma",
    "cc-by-nc-4.0",
    "openrail++",
    "AND",
    "OR",
    "WITH",
    "and",
    "or",
    "(",
    ")",
    "/",
    ",",
    "Classpath-exception-2.0",
    "LicenseRef-x",
    "licenseref-scancode-mit",
    "https://spdx.org/licenses/MIT",
    "https://creativecommons.org/licenses/by/4.0/",
    "Apache License, Version 2.0",
    "other",
    "NOASSERTION",
    "GPL-3.0+",
]
license_values = st.one_of(
    st.lists(st.sampled_from(_LICENSE_WORDS) | st.text(max_size=8), max_size=12).map(" ".join),
    st.text(max_size=60),
    st.sampled_from(INTERESTING),
)


# --------------------------------------------------------------------------------------------- runners


class _NothingResolves:
    """A fetcher for the crawl: every parent is missing (the crawl must still end with a graph)."""

    def fetch(self, ref: RepoRef) -> RepoRecord:
        raise RepoNotFoundError(ref.display())


def _through_pipeline(record: RepoRecord) -> None:
    """What a scan does with a record after reading it: crawl, licenses, rules (default policy)."""
    from modelaudit.lineage.crawler import crawl
    from modelaudit.pipeline import assess_licenses
    from modelaudit.policy.engine import evaluate
    from modelaudit.policy.model import load_policy
    from modelaudit.policy.rules import RuleContext

    graph = crawl(record.ref, _NothingResolves(), root_record=record, max_depth=3, workers=1)
    licenses, _findings, _obligations = assess_licenses(graph)
    evaluate(RuleContext(graph=graph, policy=load_policy("default"), licenses=licenses))


def _repo(files: dict[str, bytes], *, ranges: bool = True, local_dir: str | None = None) -> RepoRecord:
    from modelaudit.sources.record import extract_record

    ref = RepoRef(repo_id="fuzz/target", local_path=local_dir)

    def read_range(path: str, start: int, length: int) -> bytes:
        return files[path][start : start + max(0, length)]

    return extract_record(
        ref,
        SourceKind.LOCAL,
        files=[FileEntry(path=p, size=len(d)) for p, d in files.items()],
        read_small=files.get,
        read_range=read_range if ranges else None,
        local_dir=local_dir,
    )


def run_card(readme: bytes) -> object:
    record = _repo({"README.md": readme})
    _through_pipeline(record)
    return record


def run_config(raw: bytes) -> object:
    record = _repo({"README.md": b"---\nlicense: mit\n---\n", "config.json": raw})
    _through_pipeline(record)
    return record


def run_adapter_config(raw: bytes) -> object:
    record = _repo({"adapter_config.json": raw, "adapter_model.safetensors": b""})
    _through_pipeline(record)
    return record


def run_mergekit(raw: bytes) -> object:
    record = _repo({"mergekit_config.yml": raw})
    _through_pipeline(record)
    return record


def _verify(name: str, data: bytes) -> object:
    """Both verification modes on one in-memory file, then the card reader's view of its header."""
    from modelaudit.verify import verify_files

    entry = FileEntry(path=name, size=len(data))

    def open_file(path: str) -> io.BytesIO:
        return io.BytesIO(data)

    def read_range(path: str, start: int, length: int) -> bytes:
        return data[start : start + max(0, length)]

    findings: list[Any] = []
    for mode in (VerifyMode.HEADERS, VerifyMode.FULL):
        _results, found = verify_files([entry], open_file, mode, read_range=read_range, workers=1)
        findings += found
    record = _repo({name: data})
    return ("finding", findings) if findings or record.problems else record


def run_safetensors(data: bytes) -> object:
    return _verify("model.safetensors", data)


def run_gguf(data: bytes) -> object:
    return _verify("model.gguf", data)


def run_pickle(item: tuple[str, bytes]) -> object:
    return _verify(*item)


def run_license(value: str) -> object:
    from modelaudit.licenses.normalize import normalize

    return [normalize(value), normalize("other", license_name=value, license_link=value)]


def run_target(text: str) -> object:
    from modelaudit.targets import parse_target

    return parse_target(text)


_TMP = Path(tempfile.mkdtemp(prefix="modelaudit-robust-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)


def _write(name: str, text: str) -> Path:
    path = _TMP / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def run_policy(text: str) -> object:
    from modelaudit.policy.model import load_policy

    return load_policy(str(_write("policy.yaml", text)))


def run_waivers(text: str) -> object:
    from modelaudit.policy.waivers import load_waivers

    return load_waivers(_write("waivers.yaml", text))


def _sample_report_json() -> str:
    from modelaudit.models import PolicyInfo, ScanReport, TargetInfo, ToolInfo, Verdict

    return ScanReport(
        tool=ToolInfo(version="0"),
        generated_at="2026-01-01T00:00:00Z",
        target=TargetInfo(id="org/m", revision=None, source=SourceKind.HUB),
        policy=PolicyInfo(name="default"),
        verdict=Verdict.PASS,
    ).model_dump_json()


@st.composite
def reports(draw: st.DrawFn) -> str:
    base = json.loads(_sample_report_json())
    if draw(st.booleans()):
        key = draw(st.sampled_from(sorted(base)))
        base[key] = draw(json_values)
    if draw(st.booleans()):
        base[draw(st.text(max_size=6))] = draw(json_values)
    text = json.dumps(base, default=str)
    if draw(st.booleans()):
        text = _mutate(text, draw(st.data()))
    return text


def run_report(text: str) -> object:
    from modelaudit.policy.baseline import load_report

    return load_report(_write("report.json", text))


@dataclass(frozen=True)
class ParserCase:
    name: str
    strategy: st.SearchStrategy[Any]
    run: Callable[[Any], object]


CASES: list[ParserCase] = [
    ParserCase("card front matter (README.md)", readmes(), run_card),
    ParserCase("config.json", json_documents(CONFIG_KEYS), run_config),
    ParserCase("adapter_config.json", json_documents(ADAPTER_KEYS), run_adapter_config),
    ParserCase("mergekit config", mergekit_docs(), run_mergekit),
    ParserCase("safetensors header", safetensors_files(), run_safetensors),
    ParserCase("GGUF header", gguf_files(), run_gguf),
    ParserCase("pickle / torch zip", pickle_files(), run_pickle),
    ParserCase("SPDX / license expression", license_values, run_license),
    ParserCase("target string", targets, run_target),
    ParserCase("policy file", policy_docs, run_policy),
    ParserCase("waivers file", waiver_docs, run_waivers),
    ParserCase("baseline report", reports(), run_report),
]


def classify(case: ParserCase, value: Any) -> tuple[Outcome, BaseException | None]:
    """Run one input and name its outcome (see the module docstring)."""
    from modelaudit.sources.weights import StructureError

    try:
        out = case.run(value)
    except ModelAuditError as exc:
        if not str(exc).strip():
            return "crash", exc  # an error must say something
        return "error", None
    except StructureError:
        return "finding", None
    except Exception as exc:
        return "crash", exc
    if isinstance(out, tuple) and out and out[0] == "finding":
        return "finding", None
    return "result", None
