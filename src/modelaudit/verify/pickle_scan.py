"""Static scan of pickle-based files: list the globals a pickle would import, never unpickle it.

Covers plain pickles (``.pkl``, ``.pickle``, ``.joblib``, legacy ``torch.save`` files, which are several
pickles back to back) and torch zip archives (``.bin``/``.pt``/``.pth``/``.ckpt`` zips holding
``<name>/data.pkl``). The opcode walk uses ``pickletools``' opcode table and argument readers with our own
loop, so that: large binary arguments are skipped instead of read into memory, every length is bounded by the
bytes that remain, and ``STACK_GLOBAL`` operands are resolved by tracking the strings on the stack and in the
memo (an import whose names cannot be resolved that way is itself suspicious).

Why not fickling: it decompiles the whole pickle into a Python AST to judge it, which we do not need (only the
imported globals matter for our verdict) and which offers none of the bounds above; the stdlib opcode table is
enough and adds no dependency.

Verdicts, all reported under the ``unsafe-serialization`` slug (rule MA303) with different severities:
``error`` when a dangerous global is imported (or an import cannot be resolved statically); ``warning`` when a
global is neither known-benign nor known-dangerous, or the pickle could not be scanned to its end; ``note``
when only known-benign globals (torch tensor rebuilds, numpy arrays, plain containers) appear, saying that
safetensors would be safer.
"""

from __future__ import annotations

import io
import pickletools
import struct
import zipfile
from dataclasses import dataclass, field
from typing import Any, BinaryIO

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".joblib", ".dat", ".npy", ".model")
MAX_PICKLES_PER_FILE = 16
MAX_OPCODES = 20_000_000
MAX_SMALL_ARG = 64 * 1024 * 1024  # arguments read into memory (long ints, text lines)
MAX_KEPT_STRING = 64 * 1024  # strings kept on the simulated stack; longer ones are skipped
MAX_MEMBER_BYTES = 512 * 1024 * 1024  # a pickle inside a zip archive

# module → names (``*`` = every name). A global is dangerous if its module (or a parent package) is listed
# with ``*`` or with its name.
DANGEROUS: dict[str, set[str]] = {
    "os": {"*"},
    "posix": {"*"},
    "nt": {"*"},
    "subprocess": {"*"},
    "sys": {"*"},
    "socket": {"*"},
    "shutil": {"*"},
    "runpy": {"*"},
    "importlib": {"*"},
    "pty": {"*"},
    "ctypes": {"*"},
    "marshal": {"*"},
    "pickle": {"*"},
    "_pickle": {"*"},
    "dill": {"*"},
    "cloudpickle": {"*"},
    "types": {"*"},
    "code": {"*"},
    "codeop": {"*"},
    "multiprocessing": {"*"},
    "asyncio": {"*"},
    "signal": {"*"},
    "webbrowser": {"*"},
    "http": {"*"},
    "urllib": {"*"},
    "urllib2": {"*"},
    "httplib": {"*"},
    "requests": {"*"},
    "ftplib": {"*"},
    "smtplib": {"*"},
    "telnetlib": {"*"},
    "shelve": {"*"},
    "pdb": {"*"},
    "bdb": {"*"},
    "timeit": {"*"},
    "platform": {"*"},
    "tempfile": {"*"},
    "pathlib": {"*"},
    "glob": {"*"},
    "io": {"*"},
    "_io": {"*"},
    "commands": {"*"},
    "popen2": {"*"},
    "pip": {"*"},
    "setuptools": {"*"},
    "operator": {"attrgetter", "methodcaller", "itemgetter"},
    "_operator": {"attrgetter", "methodcaller", "itemgetter"},
    "functools": {"partial", "reduce"},
    "builtins": {
        "eval",
        "exec",
        "compile",
        "open",
        "__import__",
        "getattr",
        "setattr",
        "delattr",
        "globals",
        "locals",
        "vars",
        "breakpoint",
        "input",
        "help",
        "memoryview",
        "print",
    },
    "__builtin__": {
        "eval",
        "exec",
        "compile",
        "open",
        "__import__",
        "getattr",
        "setattr",
        "delattr",
        "execfile",
        "file",
        "globals",
        "locals",
        "vars",
        "input",
        "apply",
    },
    "__builtins__": {"*"},
    "numpy.testing": {"*"},
    "numpy.f2py": {"*"},
    "numpy.distutils": {"*"},
    "numpy": {"load", "fromfile", "loadtxt", "genfromtxt", "save", "savetxt", "tofile"},
    "torch": {"load", "save", "hub", "jit", "compile"},
    "torch.hub": {"*"},
    "torch.jit": {"*"},
    "torch.serialization": {"*"},
    "torch._dynamo": {"*"},
    "torch._inductor": {"*"},
    "torch.storage": {"_load_from_bytes"},
    "torch.utils.cpp_extension": {"*"},
    "joblib": {"load"},
    "yaml": {"*"},
    "jinja2": {"*"},
}

# Globals that a weights pickle (torch.save of a state dict, numpy arrays, sklearn-free containers) uses.
BENIGN_EXACT: set[str] = {
    "collections.OrderedDict",
    "collections.defaultdict",
    "collections.Counter",
    "collections.deque",
    "builtins.set",
    "builtins.frozenset",
    "builtins.dict",
    "builtins.list",
    "builtins.tuple",
    "builtins.slice",
    "builtins.range",
    "builtins.complex",
    "builtins.bytearray",
    "builtins.bytes",
    "builtins.int",
    "builtins.float",
    "builtins.str",
    "builtins.bool",
    "builtins.object",
    "__builtin__.set",
    "__builtin__.frozenset",
    "__builtin__.object",
    "__builtin__.long",
    "copy_reg._reconstructor",
    "copyreg._reconstructor",
    "_codecs.encode",
    "argparse.Namespace",
    "datetime.datetime",
    "datetime.date",
    "datetime.timedelta",
    "decimal.Decimal",
    "fractions.Fraction",
    "uuid.UUID",
    "numpy.ndarray",
    "numpy.dtype",
    "numpy.core.multiarray._reconstruct",
    "numpy.core.multiarray.scalar",
    "numpy._core.multiarray._reconstruct",
    "numpy._core.multiarray.scalar",
    "numpy.random._pickle.__randomstate_ctor",
    "numpy.random._pickle.__bit_generator_ctor",
    "torch._utils._rebuild_tensor",
    "torch._utils._rebuild_tensor_v2",
    "torch._utils._rebuild_tensor_v3",
    "torch._utils._rebuild_parameter",
    "torch._utils._rebuild_parameter_with_state",
    "torch._utils._rebuild_qtensor",
    "torch._utils._rebuild_sparse_tensor",
    "torch._utils._rebuild_nested_tensor",
    "torch._utils._rebuild_device_tensor_from_numpy",
    "torch._utils._rebuild_meta_tensor_no_storage",
    "torch._utils._rebuild_wrapper_subclass",
    "torch._tensor._rebuild_from_type",
    "torch._tensor._rebuild_from_type_v2",
    "torch.device",
    "torch.Size",
    "torch.Tensor",
    "torch.nn.parameter.Parameter",
    "torch.storage.UntypedStorage",
    "torch.storage.TypedStorage",
    "torch.per_tensor_affine",
    "torch.per_channel_affine",
}
# ``torch.<X>Storage`` and dtypes (``torch.float16``, ``torch.bfloat16``, ...)
BENIGN_TORCH_SUFFIXES = ("Storage",)
TORCH_DTYPES = {
    "float16",
    "float32",
    "float64",
    "bfloat16",
    "half",
    "float",
    "double",
    "int8",
    "uint8",
    "int16",
    "int32",
    "int64",
    "bool",
    "complex64",
    "complex128",
    "float8_e4m3fn",
    "float8_e5m2",
    "qint8",
    "quint8",
    "qint32",
    "uint16",
    "uint32",
    "uint64",
    "long",
    "int",
    "short",
}

UNRESOLVED = "<unresolved>"


@dataclass
class PickleScan:
    """What the walk saw in one file."""

    globals: list[str] = field(default_factory=list)  # "module.name", sorted, unique
    dangerous: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # pickles scanned inside a zip archive
    format: str = "pickle"  # pickle | torch-zip
    error: str | None = None  # why the scan stopped early, if it did

    @property
    def severity(self) -> str:
        if self.dangerous:
            return "error"
        if self.unknown or self.error:
            return "warning"
        return "note"


class PickleScanError(Exception):
    pass


def classify(module: str, name: str) -> str:
    """``dangerous``, ``benign`` or ``unknown`` for one imported global."""
    if module == UNRESOLVED:
        return "dangerous"
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        names = DANGEROUS.get(".".join(parts[:i]))
        if names is not None and ("*" in names or (i == len(parts) and name in names)):
            return "dangerous"
    top = name.split(".")[0]  # protocol 4 allows dotted names: "os.system" via getattr chains
    if "." in name and top in {"__class__", "__globals__", "__builtins__", "__subclasses__", "__dict__"}:
        return "dangerous"
    full = f"{module}.{name}"
    if full in BENIGN_EXACT:
        return "benign"
    if module == "torch" and (name.endswith(BENIGN_TORCH_SUFFIXES) or name in TORCH_DTYPES):
        return "benign"
    return "unknown"


class _Reader:
    """File wrapper for pickletools' argument readers: bounded reads, bounded lines, a position."""

    def __init__(self, f: BinaryIO, limit: int) -> None:
        self._f = f
        self.pos = 0
        self.limit = limit

    def read(self, n: int = -1) -> bytes:
        if n < 0 or n > MAX_SMALL_ARG:
            raise PickleScanError(f"argument of {n} bytes at offset {self.pos} is too large")
        if self.pos + n > self.limit:
            raise PickleScanError(f"argument at offset {self.pos} runs past the end")
        data = self._f.read(n)
        self.pos += len(data)
        return data

    def readline(self) -> bytes:
        line = self._f.readline(MAX_KEPT_STRING)
        self.pos += len(line)
        if not line.endswith(b"\n"):
            raise PickleScanError(f"text argument at offset {self.pos} is unterminated or too long")
        return line

    def skip(self, n: int) -> None:
        if self.pos + n > self.limit:
            raise PickleScanError(f"argument of {n} bytes at offset {self.pos} runs past the end (truncated)")
        if self._f.seekable():
            self._f.seek(n, 1)
        else:
            left = n
            while left:
                chunk = self._f.read(min(left, 1 << 20))
                if not chunk:
                    raise PickleScanError("file ended inside an argument (truncated)")
                left -= len(chunk)
        self.pos += n

    def tell(self) -> int:
        return self.pos


# Arguments that can be arbitrarily large: (length format, kind)
_BLOBS = {
    "string4": ("<i", "latin-1"),
    "bytes4": ("<I", None),
    "bytes8": ("<Q", None),
    "bytearray8": ("<Q", None),
    "unicodestring4": ("<I", "utf-8"),
    "unicodestring8": ("<Q", "utf-8"),
}


_CODE2OP = {op.code: op for op in pickletools.opcodes}


# opcodes a protocol 0/1 pickle can start with (MARK, containers, GLOBAL, INST, literals)
_PROTO0_STARTS = frozenset(b"(}])cNiIJKLSTUVXFGM")
_MARK = object()
_ANY = object()


def _read_blob(r: _Reader, argname: str) -> Any:
    fmt, encoding = _BLOBS[argname]
    size = struct.calcsize(fmt)
    raw = r.read(size)
    if len(raw) < size:
        raise PickleScanError("file ended inside a length prefix (truncated)")
    (n,) = struct.unpack(fmt, raw)
    if n < 0:
        raise PickleScanError(f"negative length {n} at offset {r.pos}")
    if encoding is None or n > MAX_KEPT_STRING:
        r.skip(n)
        return _ANY
    data = r.read(n)
    if len(data) < n:
        raise PickleScanError("file ended inside a string (truncated)")
    if encoding != "utf-8":
        return data.decode("latin-1")
    try:
        return data.decode(encoding, "surrogatepass")
    except UnicodeDecodeError as exc:  # the unpickler would stop here too; what came before still counts
        raise PickleScanError(
            f"invalid UTF-8 in a string argument at offset {r.pos - n + exc.start}"
        ) from None


def _walk_one(r: _Reader, found: list[tuple[str, str]], budget: list[int]) -> None:
    """Walk one pickle up to and including STOP, appending (module, name) for every import."""
    stack: list[Any] = []
    memo: dict[int, Any] = {}

    def pop() -> Any:
        if not stack:
            raise PickleScanError(f"stack underflow at offset {r.pos}")
        return stack.pop()

    def pop_mark() -> None:
        while True:
            if pop() is _MARK:
                return

    while True:
        budget[0] -= 1
        if budget[0] < 0:
            raise PickleScanError(f"more than {MAX_OPCODES} opcodes")
        code = r.read(1)
        if not code:
            raise PickleScanError(f"file ended at offset {r.pos} before STOP (truncated)")
        op = _CODE2OP.get(code.decode("latin-1"))
        if op is None:
            raise PickleScanError(f"invalid opcode {code!r} at offset {r.pos - 1}")
        arg: Any = None
        if op.arg is not None:
            if op.arg.name in _BLOBS:
                arg = _read_blob(r, op.arg.name)
            else:
                try:
                    arg = op.arg.reader(r)  # type: ignore[arg-type]  # duck-typed reader
                except PickleScanError:
                    raise
                except (ValueError, UnicodeDecodeError, struct.error) as exc:
                    raise PickleScanError(f"bad argument for {op.name} at offset {r.pos}: {exc}") from None
        name = op.name
        if name == "STOP":
            return
        if name in ("GLOBAL", "INST"):
            module, _, attr = str(arg).partition(" ")
            found.append((module, attr))
        elif name == "STACK_GLOBAL":
            attr, module = pop(), pop()
            if isinstance(module, str) and isinstance(attr, str):
                found.append((module, attr))
            else:
                found.append((UNRESOLVED, "STACK_GLOBAL"))
            stack.append(_ANY)
            continue
        elif name in ("EXT1", "EXT2", "EXT4"):
            found.append((UNRESOLVED, f"extension code {arg}"))
        if name in ("PUT", "BINPUT", "LONG_BINPUT"):
            memo[int(arg)] = stack[-1] if stack else _ANY
            continue
        if name == "MEMOIZE":
            memo[len(memo)] = stack[-1] if stack else _ANY
            continue
        if name in ("GET", "BINGET", "LONG_BINGET"):
            stack.append(memo.get(int(arg), _ANY))
            continue
        if name == "DUP":
            stack.append(stack[-1] if stack else _ANY)
            continue
        before = op.stack_before
        marks = [i for i, s in enumerate(before) if s is pickletools.markobject]
        if marks:
            pop_mark()
            for _ in range(marks[0]):
                pop()
        else:
            for _ in before:
                pop()
        for s in op.stack_after:
            if s is pickletools.markobject:
                stack.append(_MARK)
            elif isinstance(arg, str) and name in (
                "SHORT_BINUNICODE",
                "BINUNICODE",
                "BINUNICODE8",
                "UNICODE",
                "STRING",
                "BINSTRING",
                "SHORT_BINSTRING",
            ):
                stack.append(arg)
            else:
                stack.append(_ANY)


def _scan_raw(f: BinaryIO, size: int) -> tuple[list[tuple[str, str]], str | None]:
    r = _Reader(f, size)
    found: list[tuple[str, str]] = []
    budget = [MAX_OPCODES]
    for i in range(MAX_PICKLES_PER_FILE):
        if i > 0:
            if r.pos >= size:
                break
            nxt = f.read(1)
            f.seek(-len(nxt), 1)
            if nxt != b"\x80":  # the rest is not another (protocol >= 2) pickle: raw data follows
                break
        start = len(found)
        try:
            _walk_one(r, found, budget)
        except PickleScanError as exc:
            if i == 0:
                return found, str(exc)
            del found[start:]  # trailing bytes that merely start like a pickle: data, not code
            break
    return found, None


def scan_pickle_stream(f: BinaryIO, size: int) -> PickleScan:
    """Scan consecutive pickles in a seekable ``f`` (legacy torch.save writes five, then raw storage bytes)."""
    found, error = _scan_raw(f, size)
    return _summarise(found, error, "pickle")


def _summarise(found: list[tuple[str, str]], error: str | None, fmt: str) -> PickleScan:
    names = sorted({f"{m}.{n}" for m, n in found})
    verdicts = {f"{m}.{n}": classify(m, n) for m, n in found}
    return PickleScan(
        globals=names,
        dangerous=sorted(k for k, v in verdicts.items() if v == "dangerous"),
        unknown=sorted(k for k, v in verdicts.items() if v == "unknown"),
        format=fmt,
        error=error,
    )


def sniff(prefix: bytes) -> str | None:
    """``torch-zip`` / ``pickle`` / ``compressed`` / None from a file's first bytes."""
    if prefix.startswith(b"PK\x03\x04"):
        return "torch-zip"
    if prefix[:1] == b"\x80" and len(prefix) > 1 and prefix[1] <= 5:
        return "pickle"
    if (
        prefix[:2] == b"\x1f\x8b"
        or prefix[:3] == b"BZh"
        or prefix[:6] == b"\xfd7zXZ\x00"
        or prefix[:4]
        in (
            b"\x04\x22\x4d\x18",
            b"\x28\xb5\x2f\xfd",
        )
    ):
        return "compressed"
    if prefix and prefix[0] in _PROTO0_STARTS:
        return "pickle"  # protocol 0/1 pickles have no PROTO opcode; scanning decides
    return None


def scan_zip(f: BinaryIO) -> PickleScan:
    """Scan every ``*.pkl`` member of a zip archive (torch ≥ 1.6 ``torch.save`` format)."""
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return PickleScan(format="torch-zip", error=f"not a readable zip archive: {exc}")
    found: list[tuple[str, str]] = []
    errors: list[str] = []
    members: list[str] = []
    with zf:
        for info in zf.infolist():
            if not info.filename.endswith(".pkl"):
                continue
            members.append(info.filename)
            if info.file_size > MAX_MEMBER_BYTES:
                errors.append(f"{info.filename}: {info.file_size} bytes exceed the scan cap")
                continue
            try:
                with zf.open(info) as member:
                    data = member.read(MAX_MEMBER_BYTES + 1)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
                errors.append(f"{info.filename}: {exc}")
                continue
            part, error = _scan_raw(io.BytesIO(data), len(data))
            found.extend(part)
            if error:
                errors.append(f"{info.filename}: {error}")
    if not members:
        return PickleScan(format="zip")
    out = _summarise(found, "; ".join(errors) or None, "torch-zip")
    out.members = members
    return out


def scan_file(f: BinaryIO, size: int) -> PickleScan | None:
    """Scan a seekable file; None when it is neither a pickle nor a zip archive of pickles."""
    prefix = f.read(8)
    f.seek(0)
    kind = sniff(prefix)
    if kind == "torch-zip":
        scan = scan_zip(f)
        return scan if scan.format == "torch-zip" else None
    if kind == "compressed":
        return PickleScan(
            format="compressed", error="compressed pickle (e.g. joblib with compress=): not scanned"
        )
    if kind == "pickle":
        return scan_pickle_stream(f, size)
    return None
