"""Weight fingerprints: does model A descend from model B?

**Signature.** For every floating-point tensor of at least ``MIN_NUMEL`` elements (F16, BF16, F32, F64) in a
model's safetensors files we read ``RUNS`` (4) runs of ``RUN_LEN`` (64) consecutive elements at positions drawn
from a generator seeded by the tensor's name and shape. Two models therefore sample the *same* positions of
tensors that share a name and shape, whatever their dtype. The 256 samples (as float32) plus name, shape and
dtype form the tensor's signature; every tensor's shape is kept, sampled or not (adapter checks use them).

**Similarity.** Tensors are aligned by name and shape. For each aligned pair with non-constant samples we take
the Pearson correlation of the samples (constant tensors, e.g. norms initialised to ones, carry no signal and
are skipped). A fine-tune moves weights by a small fraction of their spread, so its samples stay almost
perfectly correlated with the base's (r = 1/sqrt(1 + sigma^2) for noise of sigma times the weights' std);
independently trained or initialised weights are uncorrelated (|r| ~ 1/sqrt(256) = 0.06 per tensor); a
different architecture shares few or no tensors of the same name and shape. The verdict:

* ``incompatible``: fewer than ``MIN_ALIGNED`` aligned tensors, or they cover less than ``MIN_COVERAGE`` (25 %)
  of the smaller model's sampled tensors: the architectures differ;
* ``same-lineage``: median correlation >= ``SAME_LINEAGE`` (0.5);
* ``unrelated``: median correlation < ``UNRELATED`` (0.2);
* ``inconclusive`` in between.

**Measured separation** (generated float32 models of 9 tensors, 8 of them 64x64 to 128x128 matrices;
``tests/verify/test_verify_fingerprint.py::test_separation_table`` asserts these bounds): base + Gaussian noise
of 1 % of the weights' std: median r = 0.99995; 10 %: 0.995; 50 %: 0.894; 100 %: 0.690; 150 %: 0.515; 200 %:
0.392 (inconclusive). Independently initialised models of the same architecture (20 seeds): median r between
-0.063 and +0.057, largest |r| of any single tensor 0.206. Different architecture (other widths): 0 aligned
tensors, ``incompatible``. A derived model would have to move every weight by more than 1.7 times its own
spread to fall under 0.5, and the median over several tensors of chance correlations stays far below 0.2.

**Remote.** ``fingerprint_remote`` reads each safetensors header (64 KiB, then the rest if larger) and then only
the sampled byte ranges, merged when closer than ``COALESCE_GAP`` bytes, through ``read_range`` (HTTP range
requests on the Hub), in a small thread pool. Nothing else is downloaded.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import os
import statistics
import sys
from array import array
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from modelaudit.cachefile import Cache
from modelaudit.errors import InputError
from modelaudit.models import Evidence, FileEntry, Finding, FingerprintSummary, Severity, empty_list
from modelaudit.sources.weights import StructureError
from modelaudit.verify import fp_cache
from modelaudit.verify._findings import finding
from modelaudit.verify.safetensors import SafetensorsHeader, TensorSpan, read_header

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

ALGORITHM = "modelaudit-fp1"
RUNS = 4
RUN_LEN = 64
MIN_NUMEL = 256
COALESCE_GAP = 4096
MIN_ALIGNED = 1
MIN_COVERAGE = 0.25
SAME_LINEAGE = 0.5
UNRELATED = 0.2
ELEMENT_BYTES = {"F16": 2, "BF16": 2, "F32": 4, "F64": 8}
MAX_SHARDS = 10_000

Verdict = Literal["same-lineage", "unrelated", "inconclusive", "incompatible"]


class TensorSignature(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    shape: list[int]
    dtype: str
    samples: str = ""  # base64 of little-endian float32 samples; "" when the tensor is not sampled


class WeightFingerprint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    algorithm: str = ALGORITHM
    tensors: list[TensorSignature] = Field(default_factory=empty_list)
    files: list[str] = Field(default_factory=empty_list)
    bytes_read: int = 0  # how many bytes computing it read (headers + samples)
    requests: int = 0  # how many reads it issued

    def summary(self) -> FingerprintSummary:
        canon = json.dumps(
            [[t.name, t.shape, t.dtype, t.samples] for t in self.tensors],
            separators=(",", ":"),
            sort_keys=True,
        )
        return FingerprintSummary(
            algorithm=self.algorithm,
            tensors=len(self.tensors),
            digest="sha256:" + hashlib.sha256(canon.encode()).hexdigest(),
        )


class TensorScore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    correlation: float


class Similarity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Verdict
    aligned: int  # tensors with the same name and shape, sampled in both, with a defined correlation
    sampled_a: int
    sampled_b: int
    coverage: float  # aligned / min(sampled_a, sampled_b)
    median_correlation: float | None = None
    mean_correlation: float | None = None
    matched_fraction: float | None = None  # share of aligned tensors with r >= SAME_LINEAGE
    lowest: list[TensorScore] = Field(default_factory=empty_list)  # the 5 least correlated aligned tensors

    def describe(self) -> str:
        if self.median_correlation is None:
            return f"{self.verdict}: {self.aligned} tensors align by name and shape"
        return (
            f"{self.verdict}: median correlation {self.median_correlation:.3f} over {self.aligned} aligned "
            f"tensors (coverage {self.coverage:.0%}, {self.matched_fraction or 0:.0%} above {SAME_LINEAGE})"
        )


class FingerprintComparison(BaseModel):
    """Two models' fingerprints and how alike they are (``modelaudit fingerprint A B``)."""

    model_config = ConfigDict(extra="forbid")

    a_id: str
    a: WeightFingerprint
    b_id: str
    b: WeightFingerprint
    similarity: Similarity


# ----------------------------------------------------------------------------------------------- sampling


def _plan(span: TensorSpan, plans: fp_cache.PlanCache | None = None) -> list[int]:
    """Element indices where each run starts (deterministic in name and shape); numpy's draw, read from the
    plan cache when an earlier run made it (fp_cache.py), so a rescan does not import numpy."""
    key = fp_cache.PlanCache.key(span.name, span.shape)
    if plans is not None:
        known = plans.get(key)
        if known is not None and len(known) == RUNS and all(0 <= s <= span.numel - RUN_LEN for s in known):
            return known
    starts = _draw(span)
    if plans is not None:
        plans.put(key, starts)
    return starts


def _draw(span: TensorSpan) -> list[int]:
    import numpy as np

    numel = span.numel
    seed = int.from_bytes(hashlib.sha256(f"{span.name}|{list(span.shape)}".encode()).digest()[:8], "little")
    rng = np.random.default_rng(seed)
    top = numel - RUN_LEN
    starts = sorted(int(x) for x in rng.integers(0, top + 1, size=RUNS))
    return starts


def _sampled(span: TensorSpan) -> bool:
    return span.dtype in ELEMENT_BYTES and span.numel >= max(MIN_NUMEL, RUN_LEN) and len(span.shape) >= 1


def _half_bits_to_float_bits(h: int) -> int:
    """IEEE binary16 bits → the binary32 bits of the same value (exact; NaN payloads kept as numpy keeps them)."""
    sign = (h & 0x8000) << 16
    exp = h & 0x7C00
    sig = h & 0x03FF
    if exp == 0x7C00:  # inf, NaN
        return sign | 0x7F800000 | (sig << 13)
    if exp:  # normal
        return sign | (((h & 0x7FFF) + 0x1C000) << 13)
    if not sig:  # signed zero
        return sign
    shift = 0  # subnormal: normalise
    while not sig & 0x0400:
        sig <<= 1
        shift += 1
    return sign | ((113 - shift) << 23) | ((sig & 0x03FF) << 13)


def _le(values: array[int] | array[float]) -> bytes:
    if sys.byteorder != "little":
        values.byteswap()
    return values.tobytes()


def _decode(raw: bytes, dtype: str) -> bytes:
    """Little-endian float32 bytes of little-endian ``dtype`` elements: the bits numpy's ``astype(float32)``
    gives (F32 as is, BF16 and F16 widened exactly, F64 rounded by the C cast), without importing numpy."""
    if dtype == "F32":
        return bytes(raw)
    if dtype == "F64":
        doubles = array("d", raw)
        if sys.byteorder != "little":
            doubles.byteswap()
        return _le(array("f", doubles))
    halves = array("H", raw)
    if sys.byteorder != "little":
        halves.byteswap()
    if dtype == "BF16":
        return _le(array("I", (h << 16 for h in halves)))
    if dtype == "F16":
        return _le(array("I", (_half_bits_to_float_bits(h) for h in halves)))
    raise ValueError(f"not a sampled dtype: {dtype}")


@dataclass
class _Read:
    path: str
    start: int
    length: int


def _coalesce(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for start, end in sorted(ranges):
        if out and start - out[-1][1] <= COALESCE_GAP:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def _fingerprint(
    read_range: Callable[[str, int, int], bytes],
    files: list[tuple[str, int | None]],
    workers: int,
    cache: Cache | None = None,
) -> WeightFingerprint:
    plans = fp_cache.PlanCache(fp_cache.use(cache), fp_cache.stamp(ALGORITHM, RUNS, RUN_LEN))
    counter = {"bytes": 0, "requests": 0}

    def read(path: str, start: int, length: int) -> bytes:
        data = read_range(path, start, length)
        counter["bytes"] += len(data)
        counter["requests"] += 1
        return data

    headers: dict[str, SafetensorsHeader] = {}
    for path, size in files:
        try:
            headers[path] = read_header(lambda s, n, p=path: read(p, s, n), size)  # type: ignore[misc]
        except StructureError as exc:
            raise InputError(path, f"cannot fingerprint: {exc.message}") from None
    wanted: dict[str, list[tuple[TensorSpan, int]]] = {}  # path → (span, abs start of each run)
    seen: set[str] = set()
    signatures: dict[str, TensorSignature] = {}
    for path in sorted(headers):
        head = headers[path]
        for span in sorted(head.tensors, key=lambda t: t.name):
            if span.name in seen:
                continue
            seen.add(span.name)
            if not _sampled(span):
                signatures[span.name] = TensorSignature(
                    name=span.name, shape=list(span.shape), dtype=span.dtype
                )
                continue
            size = ELEMENT_BYTES[span.dtype]
            base = head.data_start + span.begin
            wanted.setdefault(path, []).extend((span, base + i * size) for i in _plan(span, plans))
    plans.save()
    run_bytes = {d: RUN_LEN * n for d, n in ELEMENT_BYTES.items()}
    jobs: list[_Read] = []
    for path, runs in wanted.items():
        for start, end in _coalesce((s, s + run_bytes[sp.dtype]) for sp, s in runs):
            jobs.append(_Read(path, start, end - start))
    blobs: dict[tuple[str, int], bytes] = {}

    def fetch(job: _Read) -> tuple[tuple[str, int], bytes]:
        return (job.path, job.start), read(job.path, job.start, job.length)

    if workers > 1 and len(jobs) > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="modelaudit-fp") as pool:
            blobs.update(pool.map(fetch, jobs))
    else:
        blobs.update(fetch(j) for j in jobs)
    starts = {path: sorted(s for p, s in blobs if p == path) for path in wanted}
    for path, runs in wanted.items():
        per_tensor: dict[str, list[bytes]] = {}
        spans: dict[str, TensorSpan] = {}
        for span, abs_start in runs:
            keys = starts[path]
            block_start = keys[bisect.bisect_right(keys, abs_start) - 1]
            blob = blobs[(path, block_start)]
            rel = abs_start - block_start
            raw = blob[rel : rel + run_bytes[span.dtype]]
            if len(raw) < run_bytes[span.dtype]:
                raise InputError(
                    path, f"cannot fingerprint: tensor {span.name!r} is cut short (truncated file)"
                )
            per_tensor.setdefault(span.name, []).append(_decode(raw, span.dtype))
            spans[span.name] = span
        for name, parts in per_tensor.items():
            values = b"".join(parts)
            span = spans[name]
            signatures[name] = TensorSignature(
                name=name,
                shape=list(span.shape),
                dtype=span.dtype,
                samples=base64.b64encode(values).decode("ascii"),
            )
    return WeightFingerprint(
        tensors=[signatures[n] for n in sorted(signatures)],
        files=sorted(headers),
        bytes_read=counter["bytes"],
        requests=counter["requests"],
    )


def _weight_files(entries: Iterable[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    files = sorted((p, s) for p, s in entries if p.lower().endswith(".safetensors"))
    if len(files) > MAX_SHARDS:
        raise InputError("weights", f"{len(files)} safetensors files exceed the cap of {MAX_SHARDS}")
    return files


def fingerprint_remote(
    read_range: Callable[[str, int, int], bytes],
    files: list[FileEntry],
    *,
    workers: int = 8,
    cache: Cache | None = None,
) -> WeightFingerprint:
    """Fingerprint from byte ranges only: ``read_range(path, start, length)`` on each safetensors file.
    ``cache`` keeps numpy's sample plans (default: modelaudit's cache; ``Cache.off()`` for none)."""
    weights = _weight_files((f.path, f.size) for f in files)
    if not weights:
        raise InputError(
            "weights", "no .safetensors files to fingerprint", hint="fingerprints need safetensors"
        )
    return _fingerprint(read_range, weights, workers, cache)


def fingerprint_local(directory: str | os.PathLike[str], *, cache: Cache | None = None) -> WeightFingerprint:
    """Fingerprint the safetensors files under a folder (positioned reads, no whole-file reads)."""
    root = Path(directory)
    if not root.is_dir():
        raise InputError(str(directory), "not a folder")
    entries: list[tuple[str, int | None]] = []
    for path in sorted(root.rglob("*.safetensors")):
        if ".git" in path.relative_to(root).parts or not path.is_file():
            continue
        entries.append((path.relative_to(root).as_posix(), path.stat().st_size))
    weights = _weight_files(entries)
    if not weights:
        raise InputError(
            str(directory), "no .safetensors files to fingerprint", hint="fingerprints need safetensors"
        )

    def read_range(rel: str, start: int, length: int) -> bytes:
        with open(root / rel, "rb") as fh:
            fh.seek(start)
            return fh.read(length)

    return _fingerprint(read_range, weights, 1, cache)


# ----------------------------------------------------------------------------------------------- comparing


def _samples(sig: TensorSignature) -> npt.NDArray[np.float32]:
    import numpy as np

    return np.frombuffer(base64.b64decode(sig.samples), dtype="<f4")


def _correlation(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float | None:
    import numpy as np

    if a.shape != b.shape:
        return None
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 8:
        return None
    x = a[ok].astype(np.float64)
    y = b[ok].astype(np.float64)
    x -= x.mean()
    y -= y.mean()
    denom = float(np.sqrt((x * x).sum() * (y * y).sum()))
    if denom <= 1e-30:
        return None  # constant samples (a norm initialised to ones, zero biases): no information
    return float((x * y).sum() / denom)


def _canon(fp: WeightFingerprint) -> str:
    return json.dumps(
        [fp.algorithm, [[t.name, t.shape, t.dtype, t.samples] for t in fp.tensors]], separators=(",", ":")
    )


def compare(a: WeightFingerprint, b: WeightFingerprint, *, cache: Cache | None = None) -> Similarity:
    """How alike two fingerprints are (symmetric). A pure function of the two fingerprints: the result is
    kept in ``cache`` (fp_cache.py; default: modelaudit's cache), so comparing the same weights again does not
    import numpy."""
    kept = fp_cache.use(cache)
    entry = fp_cache.compare_key(fp_cache.stamp(ALGORITHM, RUNS, RUN_LEN), _canon(a), _canon(b))
    doc = kept.get(fp_cache.NAMESPACE, entry)
    if doc is not None:
        try:
            return Similarity.model_validate(doc)
        except ValueError:
            pass  # damaged: compare again
    sim = _compare(a, b)
    kept.put(fp_cache.NAMESPACE, entry, sim.model_dump(mode="json"))
    return sim


def _compare(a: WeightFingerprint, b: WeightFingerprint) -> Similarity:
    sa = {t.name: t for t in a.tensors if t.samples}
    sb = {t.name: t for t in b.tensors if t.samples}
    scores: list[TensorScore] = []
    for name in sorted(sa.keys() & sb.keys()):
        ta, tb = sa[name], sb[name]
        if ta.shape != tb.shape:
            continue
        r = _correlation(_samples(ta), _samples(tb))
        if r is not None:
            scores.append(TensorScore(name=name, correlation=round(r, 6)))
    smaller = min(len(sa), len(sb))
    coverage = len(scores) / smaller if smaller else 0.0
    if len(scores) < MIN_ALIGNED or coverage < MIN_COVERAGE:
        return Similarity(
            verdict="incompatible",
            aligned=len(scores),
            sampled_a=len(sa),
            sampled_b=len(sb),
            coverage=coverage,
        )
    values = [s.correlation for s in scores]
    median = statistics.median(values)
    verdict: Verdict = (
        "same-lineage" if median >= SAME_LINEAGE else "unrelated" if median < UNRELATED else "inconclusive"
    )
    return Similarity(
        verdict=verdict,
        aligned=len(scores),
        sampled_a=len(sa),
        sampled_b=len(sb),
        coverage=round(coverage, 6),
        median_correlation=round(median, 6),
        mean_correlation=round(statistics.fmean(values), 6),
        matched_fraction=round(sum(v >= SAME_LINEAGE for v in values) / len(values), 6),
        lowest=sorted(scores, key=lambda s: (s.correlation, s.name))[:5],
    )


# ----------------------------------------------------------------------------------------------- findings


def edge_evidence(sim: Similarity) -> Evidence:
    """Evidence to attach to a model→model edge whose weights were compared."""
    return Evidence(source="fingerprint", value=sim.describe())


def check_declared_base(child: str, parent: str, sim: Similarity) -> Finding | None:
    """``declared-base-unsupported`` when the weights contradict a declared base (finetune-like relations).

    ``unrelated`` is an error (aligned tensors, uncorrelated values). ``incompatible`` (the architectures share
    no tensors) is a warning: it contradicts a fine-tune claim but quantized or merged derivatives may differ
    in layout for legitimate reasons. ``same-lineage`` and ``inconclusive`` give no finding.
    """
    if sim.verdict == "unrelated":
        severity = Severity.ERROR
        what = "do not descend from it"
    elif sim.verdict == "incompatible":
        severity = Severity.WARNING
        what = "share no tensors of the same name and shape with it"
    else:
        return None
    return finding(
        "declared-base-unsupported",
        severity,
        child,
        f"{child} declares {parent} as its base, but its weights {what} ({sim.describe()})",
        [Evidence(source="fingerprint", value=f"{parent}: {sim.describe()}")],
    )


def check_undeclared_bases(
    node: str,
    fp: WeightFingerprint,
    known: Iterable[tuple[str, WeightFingerprint]],
    declared: Iterable[str],
    *,
    cache: Cache | None = None,
) -> list[Finding]:
    """``undeclared-base`` for every known model whose weights ``fp`` matches but which is not declared.

    ``declared`` must hold every ancestor of ``node`` in the lineage (not only direct parents): a fine-tune of
    a fine-tune matches the grandparent too, and that lineage is declared.
    """
    skip = {d.lower() for d in declared} | {node.lower()}
    out: list[Finding] = []
    for model_id, other in known:
        if model_id.lower() in skip:
            continue
        sim = compare(fp, other, cache=cache)
        if sim.verdict != "same-lineage":
            continue
        out.append(
            finding(
                "undeclared-base",
                Severity.ERROR,
                node,
                f"{node}'s weights match {model_id}, which its card does not name as a base ({sim.describe()})",
                [Evidence(source="fingerprint-index", value=f"{model_id}: {sim.describe()}")],
            )
        )
    return out


def adapter_shape_problems(adapter: WeightFingerprint, base: WeightFingerprint) -> list[str]:
    """LoRA tensors whose shapes do not fit the base's weights (PEFT naming), as messages.

    A target's ``lora_A`` ([r, in]) and ``lora_B`` ([out, r]) must fit its base weight as ``nn.Linear``
    stores it ([out, in]) or as GPT-2's ``Conv1D`` does ([in, out]).
    """
    shapes = {t.name: t.shape for t in base.tensors}
    pairs: dict[str, dict[str, TensorSignature]] = {}  # base tensor → {"A": lora_A, "B": lora_B}
    for t in adapter.tensors:
        name = t.name.removeprefix("base_model.model.")
        for part, key in ((".lora_A.weight", "A"), (".lora_B.weight", "B")):
            if name.endswith(part) and len(t.shape) == 2:
                pairs.setdefault(name[: -len(part)] + ".weight", {})[key] = t
    problems: list[str] = []
    for target in sorted(pairs):
        pair = pairs[target]
        base_shape = shapes.get(target)
        if base_shape is None:
            problems += [f"{t.name}: the base has no tensor {target}" for _, t in sorted(pair.items())]
            continue
        for orientation in ((1, 0), (0, 1)):  # nn.Linear is [out, in]; GPT-2's Conv1D stores [in, out]
            in_axis, out_axis = orientation
            fits = len(base_shape) == 2 and all(
                (key == "A" and t.shape[1] == base_shape[in_axis])
                or (key == "B" and t.shape[0] == base_shape[out_axis])
                for key, t in pair.items()
            )
            if fits:
                break
        else:
            problems += [
                f"{t.name}: shape {t.shape} does not fit {target} {base_shape}"
                for _, t in sorted(pair.items())
            ]
    return problems


def check_adapter(
    child: str, parent: str, adapter: WeightFingerprint, base: WeightFingerprint
) -> Finding | None:
    problems = adapter_shape_problems(adapter, base)
    if not problems:
        return None
    return finding(
        "declared-base-unsupported",
        Severity.ERROR,
        child,
        f"adapter {child} does not fit its declared base {parent}: {problems[0]}"
        + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
        [Evidence(source="adapter-shapes", value=p) for p in problems[:20]],
    )
