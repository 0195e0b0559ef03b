"""Start-up cost of the CLI: median wall time of `modelaudit --help` over `python -c pass`.

    python benchmarks/startup.py [--runs 15]

Prints both medians and their ratio. Both are measured in the same run on the same interpreter.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    median_seconds([sys.executable, "-m", "modelaudit", "--help"], 2)  # warm the page cache
    base = median_seconds([sys.executable, "-c", "pass"], args.runs)
    cli = median_seconds([sys.executable, "-m", "modelaudit", "--help"], args.runs)
    print(f"python -c pass      median {base * 1000:7.1f} ms")
    print(f"modelaudit --help   median {cli * 1000:7.1f} ms")
    print(f"ratio               {cli / base:7.2f}x")


if __name__ == "__main__":
    main()
