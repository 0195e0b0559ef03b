"""Hashing benchmark: our verification against a raw hashlib loop measured in the same run.

Prints three figures (targets from issue 6):
  1. verify_files(--verify full) on one SIZE MiB safetensors file vs a raw ``hashlib.sha256`` 1 MiB-read loop
     over the same file: ratio of times (target <= 1.10);
  2. four SIZE/4 MiB files with 2 workers vs 1 worker: speed-up (target >= 1.6x);
  3. peak RSS of a fresh process verifying the SIZE MiB file (target < 150 MB), with the RSS of the same
     process right after its imports for reference.

Files are written once into a temporary folder (a repeated random block: hashing speed does not depend on
content) and read warm from the page cache; each timing is the median of --repeat runs.

    .venv/bin/python benchmarks/hashing.py               # 2048 MiB, as in the issue
    .venv/bin/python benchmarks/hashing.py --size 512    # quicker
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MiB = 1024 * 1024


def write_safetensors(path: Path, size: int) -> str:
    """A valid safetensors file of about ``size`` bytes (one U8 tensor); returns its sha256."""
    header = {"blob": {"dtype": "U8", "shape": [0], "data_offsets": [0, 0]}}
    body = json.dumps(header).encode()
    data_len = size - 8 - len(body) - 64
    header["blob"] = {"dtype": "U8", "shape": [data_len], "data_offsets": [0, data_len]}
    body = json.dumps(header).encode().ljust(len(body) + 64)
    block = os.urandom(8 * MiB)
    h = hashlib.sha256()
    with path.open("wb") as fh:
        prefix = struct.pack("<Q", len(body)) + body
        fh.write(prefix)
        h.update(prefix)
        left = data_len
        while left:
            chunk = block[: min(left, len(block))]
            fh.write(chunk)
            h.update(chunk)
            left -= len(chunk)
    return h.hexdigest()


def raw_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb", buffering=0) as fh:
        while chunk := fh.read(MiB):
            h.update(chunk)
    return h.hexdigest()


def ours(paths: list[Path], digests: list[str], workers: int) -> None:
    from modelaudit.models import FileEntry, FileStatus, VerifyMode
    from modelaudit.verify import verify_files

    entries = [
        FileEntry(path=p.name, size=p.stat().st_size, lfs_sha256=d)
        for p, d in zip(paths, digests, strict=True)
    ]
    folder = paths[0].parent
    results, findings = verify_files(
        entries, lambda name: (folder / name).open("rb"), VerifyMode.FULL, workers=workers
    )
    assert all(r.status is FileStatus.VERIFIED for r in results), results
    assert not findings, findings


def paired_medians(a, b, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median times of ``a`` and ``b``, run alternately so that machine noise hits both alike."""
    ta, tb = [], []
    for _ in range(repeat):
        for fn, out in ((a, ta), (b, tb)):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return statistics.median(ta), statistics.median(tb)


CHILD = """
import resource, sys
from pathlib import Path
from modelaudit.models import FileEntry, VerifyMode
from modelaudit.verify import verify_files
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
p = Path(sys.argv[1])
e = FileEntry(path=p.name, size=p.stat().st_size, lfs_sha256=sys.argv[2])
res, _ = verify_files([e], lambda n: (p.parent / n).open("rb"), VerifyMode.FULL)
assert res[0].status.value == "verified"
print(base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--size", type=int, default=2048, help="MiB of the single file (the four files are SIZE/4 each)"
    )
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dir", default=None, help="where to write the temporary files")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir, prefix="ma-bench-hash-") as tmp:
        root = Path(tmp)
        big = root / "model.safetensors"
        big_sha = write_safetensors(big, args.size * MiB)
        quarter = [root / f"model-0000{i}-of-00004.safetensors" for i in range(1, 5)]
        quarter_sha = [write_safetensors(p, args.size * MiB // 4) for p in quarter]

        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (the machine is shared)")
        raw_hash(big)  # warm the page cache
        ours([big], [big_sha], 1)  # and the imports
        t_raw, t_ours = paired_medians(lambda: raw_hash(big), lambda: ours([big], [big_sha], 1), args.repeat)
        print(
            f"1. one {args.size} MiB file: raw hashlib {t_raw:.2f} s ({args.size / t_raw:.0f} MiB/s), "
            f"verify_files {t_ours:.2f} s -> ratio {t_ours / t_raw:.3f} (target <= 1.10)"
        )

        for p in quarter:
            raw_hash(p)
        t1, t2 = paired_medians(
            lambda: ours(quarter, quarter_sha, 1), lambda: ours(quarter, quarter_sha, 2), args.repeat
        )
        print(
            f"2. four {args.size // 4} MiB files: 1 worker {t1:.2f} s, 2 workers {t2:.2f} s -> "
            f"speed-up {t1 / t2:.2f}x (target >= 1.6x; {os.cpu_count()} CPUs)"
        )

        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(big), big_sha], capture_output=True, text=True, check=True
        ).stdout.split()
        base_kb, peak_kb = int(out[0]), int(out[1])
        print(
            f"3. peak RSS verifying {args.size} MiB: {peak_kb / 1024:.1f} MiB "
            f"(after imports {base_kb / 1024:.1f} MiB; target < 150 MB)"
        )


if __name__ == "__main__":
    main()
