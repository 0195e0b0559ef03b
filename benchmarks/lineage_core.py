"""Lineage core and start-up benchmark: four figures, each against a reference measured in the same run.

Prints side by side (targets from issue 13), every figure the median wall time of --runs fresh processes
on this interpreter, measured in rounds interleaved with its reference, after one warm-up run (page cache warm, .pyc files written, license database compiled):

  reference A: ``python -c "import huggingface_hub, pydantic"``
  1. warm rescan of a 1000-level chain of model folders   (``scan --offline``, depth/node caps 1000)  <= 12x A
  2. ``scan examples/tiny-chat --offline``                                                    <= 4x A
  reference B: a raw ``hashlib.sha256`` loop (1 MiB reads) over a 1 GiB folder, in a fresh process
  3. ``scan DIR --verify full --offline`` of that folder                                      <= 1.15x B
  4. ``verify DIR`` of that folder                                                            <= 1.10x B

    .venv/bin/python benchmarks/lineage_core.py            # 1000 levels, 1024 MiB
    .venv/bin/python benchmarks/lineage_core.py --levels 200 --size 256 --runs 3   # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MiB = 1024 * 1024
HASH_LOOP = """
import hashlib, os, sys
for name in sorted(os.listdir(sys.argv[1])):
    h = hashlib.sha256()
    with open(os.path.join(sys.argv[1], name), "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
"""


def medians(cmds: dict[str, list[str]], runs: int, env: dict[str, str]) -> dict[str, float]:
    """Median wall time of each command, measured in interleaved rounds (one run of each per round), so a
    change in the machine's load during the benchmark shifts a figure and its reference alike."""
    for cmd in cmds.values():  # warm-up
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            start = time.perf_counter()
            proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
            times[name].append(time.perf_counter() - start)
            if proc.returncode not in (0, 1):
                sys.exit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    return {name: statistics.median(t) for name, t in times.items()}


def write_chain(folder: Path, levels: int) -> Path:
    """``m0`` (the target) fine-tuned from ``m1`` ... from ``m{levels}``, all Apache-2.0, one card each."""
    for i in range(levels + 1):
        d = folder / f"m{i}"
        d.mkdir(parents=True)
        base = f"base_model: ../m{i + 1}\n" if i < levels else ""
        (d / "README.md").write_text(f"---\nlicense: apache-2.0\n{base}---\n# m{i}\n", encoding="utf-8")
    return folder / "m0"


def write_weights(folder: Path, size: int) -> Path:
    """A model folder with one valid safetensors file of ``size`` bytes (one U8 tensor) and a card."""
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\n", encoding="utf-8")
    header = json.dumps({"w": {"dtype": "U8", "shape": [0], "data_offsets": [0, 0]}}).encode()
    data_len = size - 8 - len(header) - 64
    body = json.dumps({"w": {"dtype": "U8", "shape": [data_len], "data_offsets": [0, data_len]}}).encode()
    body = body.ljust(len(header) + 64)
    block = os.urandom(MiB)
    with open(folder / "model.safetensors", "wb") as f:
        f.write(len(body).to_bytes(8, "little") + body)
        left = size - 8 - len(body)
        while left > 0:
            n = min(left, MiB)
            f.write(block[:n])
            left -= n
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", type=int, default=1000)
    parser.add_argument("--size", type=int, default=1024, help="MiB of weights for figures 3 and 4")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    ma = [py, "-m", "modelaudit"]
    with tempfile.TemporaryDirectory(prefix="modelaudit-bench-") as tmp:
        env = {
            **os.environ,
            "HF_HUB_CACHE": str(Path(tmp) / "hf"),
            "XDG_CACHE_HOME": str(Path(tmp) / "cache"),
            "HF_HUB_OFFLINE": "1",
        }
        # as installed packages are (pip byte-compiles on install): without .pyc files every fresh process
        # would compile every module again, and the figures would measure the compiler
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        chain = write_chain(Path(tmp) / "chain", args.levels)
        weights = write_weights(Path(tmp) / "weights", args.size * MiB)
        rows: list[tuple[str, float, float, float, str]] = []

        deep_cmd = [*ma, "scan", str(chain), "--offline", "--max-depth", str(args.levels)]
        deep_cmd += ["--max-nodes", str(args.levels + 1)]
        a = medians(
            {
                "ref": [py, "-c", "import huggingface_hub, pydantic"],
                "deep": deep_cmd,
                "tiny": [*ma, "scan", str(ROOT / "examples" / "tiny-chat"), "--offline"],
            },
            args.runs,
            env,
        )
        b = medians(
            {
                "ref": [py, "-c", HASH_LOOP, str(weights)],
                "full": [*ma, "scan", str(weights), "--verify", "full", "--offline"],
                "verify": [*ma, "verify", str(weights), "--offline"],
            },
            args.runs,
            env,
        )
        ref_a, ref_b = a["ref"], b["ref"]
        rows.append((f"warm rescan, {args.levels}-level chain", a["deep"], ref_a, 12.0, "A"))
        rows.append(("scan examples/tiny-chat --offline", a["tiny"], ref_a, 4.0, "A"))
        rows.append((f"scan --verify full, {args.size} MiB folder", b["full"], ref_b, 1.15, "B"))
        rows.append((f"verify, {args.size} MiB folder", b["verify"], ref_b, 1.10, "B"))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.2f}, median of {args.runs}")
    print(f"reference A  python -c 'import huggingface_hub, pydantic'   {ref_a * 1000:8.1f} ms")
    print(f"reference B  raw hashlib.sha256 loop, {args.size} MiB             {ref_b * 1000:8.1f} ms")
    print(f"{'measure':<40} {'ms':>9} {'ratio':>8} {'target':>8}  ok")
    for label, value, ref, target, which in rows:
        ratio = value / ref
        ok = "yes" if ratio <= target else "NO"
        print(f"{label:<40} {value * 1000:9.1f} {ratio:7.2f}x {target:6.2f}x{which}  {ok}")


if __name__ == "__main__":
    main()
