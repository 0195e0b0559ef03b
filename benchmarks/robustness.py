"""Robustness benchmark: generated inputs per parser (outcomes, crashes) and the network fault matrix.

    .venv/bin/python benchmarks/robustness.py [--examples N] [--seed S] [--no-faults]

Part 1 feeds every parser of untrusted input (tests/robustness/_robust_parsers.py) N generated inputs with
hypothesis and counts outcomes: result, finding, error (a ModelAuditError, exit 2) and crash (target 0).
Part 2 runs scans against the fake Hub (tests/fakehub) under each injected fault and prints fault x outcome;
a "silent pass" (verdict pass although the fault kept data from being read) is a failure.
Exit status: 0 when there are no crashes and no silent passes, else 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "robustness"), str(ROOT / "src")]


def fuzz_one(case: Any, examples: int, seed: int) -> tuple[Counter[str], list[str]]:
    """Outcome counts of ``examples`` generated inputs for one parser, and up to three crash messages."""
    from _robust_parsers import classify
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    counts: Counter[str] = Counter()
    crashes: list[str] = []

    @hseed(seed)
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(value=case.strategy)
    def run(value: Any) -> None:
        outcome, exc = classify(case, value)
        counts[outcome] += 1
        if exc is not None and len(crashes) < 3:
            crashes.append(f"{type(exc).__name__}: {str(exc)[:120]}")

    run()
    return counts, crashes


def fuzz_parsers(examples: int, seed: int) -> int:
    from _robust_parsers import CASES

    print(f"## Parsers of untrusted input ({examples} generated inputs each, seed {seed})\n")
    print(f"| {'parser':<32} | tried | result | finding | error | crashes | seconds |")
    print(f"|{'-' * 34}|------:|-------:|--------:|------:|--------:|--------:|")
    total_crashes = 0
    for case in CASES:
        start = time.perf_counter()
        counts, crashes = fuzz_one(case, examples, seed)
        took = time.perf_counter() - start
        tried = sum(counts.values())
        total_crashes += counts["crash"]
        print(
            f"| {case.name:<32} | {tried:5d} | {counts['result']:6d} | {counts['finding']:7d} "
            f"| {counts['error']:5d} | {counts['crash']:7d} | {took:7.1f} |"
        )
        for line in crashes:
            print(f"|   crash: {line}")
    print(f"\ncrashes in total: {total_crashes}\n")
    return total_crashes


def fault_matrix() -> int:
    from _robust_faults import FAULTS, run_fault

    print("## Network fault matrix (fake Hub, real huggingface_hub client)\n")
    print(f"| {'fault':<44} | {'outcome':<10} | {'verdict / exit':<14} | detail")
    print(f"|{'-' * 46}|{'-' * 12}|{'-' * 16}|--------")
    silent = 0
    for fault in FAULTS:
        result = run_fault(fault)
        silent += result.silent_pass
        print(
            f"| {fault.name:<44} | {result.outcome:<10} | {result.verdict:<14} | {result.detail[:110]}"
            + ("   <-- SILENT PASS" if result.silent_pass else "")
        )
    print(f"\nsilent passes: {silent}")
    return silent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-faults", action="store_true")
    args = parser.parse_args()
    crashes = fuzz_parsers(args.examples, args.seed)
    silent = 0 if args.no_faults else fault_matrix()
    return 1 if crashes or silent else 0


if __name__ == "__main__":
    sys.exit(main())
