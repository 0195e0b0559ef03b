"""Lineage core, start-up and hashing: four figures against references measured in the same run, and the
A/B of every speed-up the code keeps (issue 19).

Every figure is the median wall time of --runs fresh processes on this interpreter, measured in rounds
interleaved with its reference (one run of each command per round), after one warm-up run of each (page
cache warm, .pyc files written):

  reference A: ``python -c "import huggingface_hub, pydantic"``
  1. warm rescan of a 1000-level chain of model folders   (``scan --offline``, depth/node caps 1000)  <= 8x A
  2. ``scan examples/tiny-chat --offline``                                                    <= 3x A
  reference B: a raw ``hashlib.sha256`` loop (1 MiB reads) over a 1 GiB folder, in a fresh process
  3. ``scan DIR --verify full --offline`` of that folder                                      <= 1.15x B
  4. ``verify DIR`` of that folder                                                            <= 1.10x B

Then, for every speed-up of ``modelaudit.speedups``, its figures again with it turned off
(``MODELAUDIT_NO_<NAME>=1``) in the same rounds; ``off/on`` is how much slower the figure is without it. A
speed-up stays only while that is at least 1.10 on one of its figures (``keep``); otherwise it is removed.

    .venv/bin/python benchmarks/lineage_core.py            # 1000 levels, 1024 MiB, 5 runs
    .venv/bin/python benchmarks/lineage_core.py --levels 200 --size 256 --runs 3   # quicker

A/B results, off/on (2 CPUs shared with other sessions' test suites, load average 3-6 during each run, so
a figure moves by 10-30 % between runs; two runs of 2026-12-08 UTC, at 00:55 and 01:14, and for the hashing
speed-ups the runs named with them):

  COMPILED_LICENSE_DB   tiny 1.18, 1.20
  GC_TUNING             tiny 1.25, 1.36; deep 1.32, 0.93
  MMAP_HASH             full 1.19, 1.29; verify 1.24, 1.27 (the two runs at load ~1.2-1.4, below)
  EARLY_HASH            full 1.34, 1.31; verify 1.17, 1.24 (the two runs at load ~1.2-1.4, below)
  INLINE_LOCAL_CRAWL    deep 1.67, 0.94
  SPDX_CACHE            tiny 1.33, 1.36
  FINGERPRINT_CACHE     tiny 1.34, 1.49

Removed after their A/B: HASH_POOL (hashing a folder on threads from the moment scan/verify parsed their
options; full 1.09 and 0.89, verify 1.01 and 0.94), BACKGROUND_VERIFY (0.99), TEXT_WRAP_FAST_PATH (0.89),
LAZY_LICENSE_RECORDS (1.03). ALIGNED_HASH_BUFFER (reads into a page-aligned buffer: full 1.18, 1.58; verify
1.25, 1.32) is gone with the reads it sped up: a local file is hashed through a mapping now (MMAP_HASH), and
with that off it is read the way the reference reads it (``read``, no user buffer).

EARLY_HASH is HASH_POOL done again where its A/B said it failed: the threads start in the command's callback
before anything heavy is imported (the path from ``python -m modelaudit`` to the callback imports click and the
command's module only, ~60-70 ms in), and they hash through a mapping in 256 MiB slices (MMAP_HASH), so a
thread holds no GIL while it hashes and asks for it back once per slice, not twice per MiB. Where the time goes
(traced, 1 GiB folder, 2026-12-08 03:02): the hashing thread spends 0.73 s of CPU, ``verify``'s main thread
~0.2 s and ``scan --verify full``'s ~0.4-0.45 s, all while the hashing runs; after it, ~20 ms. So on two free
cores both commands take about start-up + hashing (~0.8 s, ~1.0-1.05x reference B), but with one core taken
by another process they take the sum of both threads' CPU (1.2-1.4x reference B): figures 3 and 4 need a
quiet machine.

The hashing A/Bs above: 2026-12-08 04:22 UTC, default sizes, ``--runs 5``, load 1.15 (reference B 803.3 ms,
full 833.7 ms = 1.04x, verify 807.7 ms = 1.01x), and 04:21, ``--levels 50 --runs 5``, load ~1.3 (full 1.04x,
verify 1.01x). Under load the same A/Bs move with the noise: five runs between 03:01 and 04:12 at load 2.2-7
gave MMAP_HASH 0.86-1.14 on full and 0.81-1.20 on verify, EARLY_HASH 0.89-1.11 and 0.87-1.15 (with load at or
above the CPU count there is seldom a free core to overlap with, and reference B itself took up to 1.95 s).

Tried and not kept: a cache of local folders' records keyed by each file's size, times and inode
(LOCAL_RECORD_CACHE, deep off/on 1.05 in two runs: reading and validating the cached record costs about what
reading the small card did); pydantic's defer_build on every model (tiny: no gain, the models a scan builds are
most of them). Where the time of these figures goes (2026-12-08, shared machine): a tiny-chat scan is almost
all imports; a process that imports click and pydantic and validates one model already takes about 2.6-2.9x
reference A, so tiny <= 3x would leave ~0.1x for the scan's own ~50 pydantic models, PyYAML and the rest.

Start-up, figure 2 (2026-12-08 03:10-03:50). Wall times on the shared machine moved by 2x (load 3-7), so the
cost of a change was read from instructions, which do not move: ``valgrind --tool=callgrind`` of one run
after a warm-up (.pyc written, SPDX cache warm), ``PYTHONHASHSEED=0``; reference A = 255 M instructions.

  main at d791e86 (before)                                       1479 M   5.80x A
  main at 189c71f (after the changes below)                      1321 M   5.18x A  (-10.7 %)
  the same pair, CPU time of the process, median of 15 interleaved rounds (03:48, load 7.1): 5.28x -> 4.74x A

  what went, in instructions, one change at a time from 1474 M at 5c6c382: the smoke runner loads only for
  ``--smoke`` (-7 M); the license database trusts its compiled form by the names, sizes and times of its
  sources instead of reading and hashing ~100 files, builds the ~650 SPDX-synthesised records when one is
  first read, and pydantic looks for no plugins under the ``modelaudit`` command (together -86 M; the plugin
  look-up reads every installed distribution's metadata, so it saves more wall time than instructions);
  ``write_atomic`` without ``secrets`` (-20 M); models.py without postponed annotations, so pydantic no longer
  compiles and evaluates ~1300 annotation strings, and the SPDX cache key without parsing licenseclassifier's
  METADATA as an e-mail (-20 M); waivers, baseline and the lineage view imported only when used (-12 M);
  seven more model modules without postponed annotations (-8 M).

  The floor, in the same instructions: python + click + PyYAML + pydantic with one validated model (plugins
  off) is 682 M (2.67x A; 2.35x A in wall time at load 1.1), so 3x leaves ~83 M (~0.3x) for everything of
  ours, against ~640 M now: modelaudit's 76 modules with ~60 pydantic models built at import (models.py
  alone ~130 M), importlib.metadata (pydantic's plugin loader imports it whether or not plugins are off),
  ~100 regular expressions compiled at import (~35 of them ours; PyYAML's reader alone ~5 ms), the
  recognition data (82 k shingle hashes into sets, ~10 ms of CPU) and the scan's own work. (Instructions
  overstate the ratio a little: 5.80x A in instructions was ~5.0x in wall time on a quiet machine.) Tried and left out: defer_build on the eight models a plain scan never validates (-8 M,
  0.6 %).
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
KEEP_AT = 1.10  # a speed-up stays when its figure is at least this much slower without it
HASH_LOOP = """
import hashlib, os, sys
for name in sorted(os.listdir(sys.argv[1])):
    h = hashlib.sha256()
    with open(os.path.join(sys.argv[1], name), "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
"""

Command = tuple[list[str], dict[str, str]]  # argv, extra environment


def medians(cmds: dict[str, Command], runs: int, env: dict[str, str]) -> dict[str, tuple[float, list[float]]]:
    """Median wall time (and every time) of each command, measured in interleaved rounds (one run of each
    per round), so a change in the machine's load during the benchmark shifts a figure and its reference
    alike."""
    for argv, extra in cmds.values():  # warm-up
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**env, **extra}, check=False)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, (argv, extra) in cmds.items():
            start = time.perf_counter()
            proc = subprocess.run(
                argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**env, **extra}, check=False
            )
            times[name].append(time.perf_counter() - start)
            if proc.returncode not in (0, 1):
                sys.exit(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    return {name: (statistics.median(t), t) for name, t in times.items()}


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
    parser.add_argument("--no-ab", action="store_true", help="only the four figures, no speed-up A/B")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from modelaudit.speedups import SPEEDUPS

    py = sys.executable
    ma = [py, "-m", "modelaudit"]
    with tempfile.TemporaryDirectory(prefix="modelaudit-bench-") as tmp:
        env = {
            **os.environ,
            "HF_HUB_CACHE": str(Path(tmp) / "hf"),
            "XDG_CACHE_HOME": str(Path(tmp) / "cache"),
            "HF_HUB_OFFLINE": "1",
        }
        env.pop("MODELAUDIT_CACHE_DIR", None)
        for name in SPEEDUPS:
            env.pop(f"MODELAUDIT_NO_{name}", None)
        # as installed packages are (pip byte-compiles on install): without .pyc files every fresh process
        # would compile every module again, and the figures would measure the compiler
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        chain = write_chain(Path(tmp) / "chain", args.levels)
        weights = write_weights(Path(tmp) / "weights", args.size * MiB)
        caps = ["--max-depth", str(args.levels), "--max-nodes", str(args.levels + 1)]
        figures: dict[str, list[str]] = {
            "deep": [*ma, "scan", str(chain), "--offline", *caps],
            "tiny": [*ma, "scan", str(ROOT / "examples" / "tiny-chat"), "--offline"],
            "full": [*ma, "scan", str(weights), "--verify", "full", "--offline"],
            "verify": [*ma, "verify", str(weights), "--offline"],
        }
        sets: dict[str, dict[str, Command]] = {
            "A": {"ref": ([py, "-c", "import huggingface_hub, pydantic"], {}), "deep": (figures["deep"], {})}
            | {"tiny": (figures["tiny"], {})},
            "B": {"ref": ([py, "-c", HASH_LOOP, str(weights)], {}), "full": (figures["full"], {})}
            | {"verify": (figures["verify"], {})},
        }
        if not args.no_ab:
            for name, (_what, on) in SPEEDUPS.items():
                for fig in on:
                    which = "A" if fig in ("deep", "tiny") else "B"
                    sets[which][f"{fig}|{name}"] = (figures[fig], {f"MODELAUDIT_NO_{name}": "1"})
        got = {which: medians(cmds, args.runs, env) for which, cmds in sets.items()}

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    a, b = got["A"], got["B"]
    ref_a, ref_b = a["ref"][0], b["ref"][0]

    def spread(values: list[float], ref: float) -> str:
        return f"{min(values) / ref:.2f}-{max(values) / ref:.2f}"

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.2f}, median of {args.runs}")
    print(f"reference A  python -c 'import huggingface_hub, pydantic'   {ref_a * 1000:8.1f} ms")
    print(f"reference B  raw hashlib.sha256 loop, {args.size} MiB             {ref_b * 1000:8.1f} ms")
    rows = [
        (f"warm rescan, {args.levels}-level chain", a["deep"], ref_a, 8.0, "A"),
        ("scan examples/tiny-chat --offline", a["tiny"], ref_a, 3.0, "A"),
        (f"scan --verify full, {args.size} MiB folder", b["full"], ref_b, 1.15, "B"),
        (f"verify, {args.size} MiB folder", b["verify"], ref_b, 1.10, "B"),
    ]
    print(f"{'measure':<40} {'ms':>9} {'ratio':>8} {'target':>8}  ok  (spread of the runs)")
    for label, (value, values), ref, target, which in rows:
        ratio = value / ref
        ok = "yes" if ratio <= target else "NO"
        print(f"{label:<40} {value * 1000:9.1f} {ratio:7.2f}x {target:6.2f}x{which}  {ok:<3} ({spread(values, ref)})")
    if args.no_ab:
        return
    print(f"{'speed-up turned off (A/B)':<40} {'figure':>7} {'on ms':>9} {'off ms':>9} {'off/on':>7}  keep (>= {KEEP_AT})")
    for name in SPEEDUPS:
        for fig in SPEEDUPS[name][1]:
            which = got["A"] if fig in ("deep", "tiny") else got["B"]
            on, off = which[fig][0], which[f"{fig}|{name}"][0]
            keep = "yes" if off / on >= KEEP_AT else "NO"
            print(f"{name:<40} {fig:>7} {on * 1000:9.1f} {off * 1000:9.1f} {off / on:7.2f}  {keep}")


if __name__ == "__main__":
    main()
