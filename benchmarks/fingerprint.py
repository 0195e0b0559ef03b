"""Remote fingerprint benchmark: bytes and time to fingerprint a safetensors model on the fake Hub.

Builds a SIZE MiB model (F16 matrices of 4096 x 2048, two shards), serves it from ``tests/fakehub`` (a real
HTTP server on 127.0.0.1 with the Hub's resolve route and CDN redirect), and prints:
  * the share of the model's bytes that ``fingerprint_remote`` read (target < 1 %), with request count;
  * the fingerprint time, against a reference measured in the same run: downloading the same files whole
    from the same server;
  * a check that the remote fingerprint equals the one computed from the files on disk.

    .venv/bin/python benchmarks/fingerprint.py              # 1024 MiB, as in the issue
    .venv/bin/python benchmarks/fingerprint.py --size 256
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

MiB = 1024 * 1024
ROWS, COLS = 4096, 2048  # 16 MiB per F16 matrix


def build(size_mib: int) -> dict[str, bytes]:
    import numpy as np
    from safetensors.numpy import save

    n = max(2, size_mib // 16)
    rng = np.random.default_rng(0)
    tensors = {
        f"model.layers.{i}.mlp.up_proj.weight": (
            rng.standard_normal((ROWS, COLS), dtype=np.float32) * 0.02
        ).astype(np.float16)
        for i in range(n)
    }
    names = sorted(tensors)
    half = len(names) // 2
    return {
        "model-00001-of-00002.safetensors": save({k: tensors[k] for k in names[:half]}),
        "model-00002-of-00002.safetensors": save({k: tensors[k] for k in names[half:]}),
        "config.json": b'{"model_type": "bench"}',
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=1024, help="MiB of weights")
    ap.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds the fake Hub waits before each answer (network-like)",
    )
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from fakehub import FakeHub, repos

    # The fake Hub recomputes a file's SHA-256 on every resolve request (fine for tests, 0.1 s per request
    # on a 512 MiB shard): memoise it so that the figures measure our reads, not the fake's hashing.
    sha_of = repos.FakeFile.sha256.fget
    memo: dict[int, str] = {}

    def memo_sha(f: repos.FakeFile) -> str:
        if id(f.data) not in memo:
            memo[id(f.data)] = sha_of(f)
        return memo[id(f.data)]

    repos.FakeFile.sha256 = property(memo_sha)  # type: ignore[assignment,method-assign]

    from modelaudit.models import FileEntry
    from modelaudit.verify.fingerprint import fingerprint_local, fingerprint_remote

    t0 = time.perf_counter()
    files = build(args.size)
    weights = {p: d for p, d in files.items() if p.endswith(".safetensors")}
    total = sum(len(d) for d in weights.values())
    print(f"built {len(weights)} shards, {total / MiB:.0f} MiB, in {time.perf_counter() - t0:.1f} s")

    with FakeHub() as hub:
        hub.add_repo("bench/model", files)
        hub.latency = args.latency

        def url(path: str) -> str:
            return f"{hub.url}/bench/model/resolve/main/{path}"

        def read_range(path: str, start: int, length: int) -> bytes:
            req = urllib.request.Request(url(path), headers={"Range": f"bytes={start}-{start + length - 1}"})
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.read()

        entries = [FileEntry(path=p, size=len(d)) for p, d in files.items()]
        hub.clear_log()
        t0 = time.perf_counter()
        fp = fingerprint_remote(read_range, entries)
        t_fp = time.perf_counter() - t0
        gets = [r for r in hub.requests if r.method == "GET"]
        ranged = all(r.range for r in gets)

        t0 = time.perf_counter()
        downloaded = 0
        for p in weights:
            with urllib.request.urlopen(url(p), timeout=120) as resp:
                while chunk := resp.read(8 * MiB):
                    downloaded += len(chunk)
        t_full = time.perf_counter() - t0
        assert downloaded == total

    with tempfile.TemporaryDirectory(prefix="ma-bench-fp-") as tmp:
        for p, d in weights.items():
            Path(tmp, p).write_bytes(d)
        same = fingerprint_local(tmp).summary() == fp.summary()

    share = fp.bytes_read / total
    print(
        f"remote fingerprint: {fp.bytes_read:,} of {total:,} bytes = {share:.4%} (target < 1 %), "
        f"{fp.requests} reads, all ranged: {ranged}, {len(fp.tensors)} tensors"
    )
    print(
        f"fingerprint time {t_fp:.2f} s vs whole download {t_full:.2f} s from the same server -> "
        f"ratio {t_fp / t_full:.3f} (loopback: the whole download runs at "
        f"{total / MiB / t_full:.0f} MiB/s; latency per answer {args.latency * 1000:.0f} ms)"
    )
    print(f"remote fingerprint equals the local one: {same}")


if __name__ == "__main__":
    main()
