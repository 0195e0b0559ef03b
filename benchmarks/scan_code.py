"""scan-code discovery over the installed ``transformers`` package, against a plain ``ast.parse`` of every file.

    python benchmarks/scan_code.py [--root DIR] [--rounds N]

The reference reads and parses every ``.py`` file below the package (``ast.parse``, nothing else). Discovery
(``modelaudit.sources.code.discover``) lists the same folder, reads every file of a kind it knows, pre-filters
them, parses the ones that may hold a loading call and resolves the names those calls are given. Both run in
this process, alternating, ``--rounds`` times; the medians and their ratio are printed (≤ 1.0 means discovery
is no slower than parsing alone). The page cache is warmed first, so both read from memory.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import statistics
import sys
import time
from pathlib import Path


def parse_all(files: list[Path]) -> int:
    n = 0
    for f in files:
        with contextlib.suppress(SyntaxError):
            ast.parse(f.read_bytes())
        n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", help="folder to read (default: the installed transformers package)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.root:
        root = Path(args.root)
    else:
        import importlib.util

        spec = importlib.util.find_spec("transformers")
        if spec is None or not spec.submodule_search_locations:
            print("transformers is not installed (pip install -e '.[smoke]')", file=sys.stderr)
            return 2
        root = Path(next(iter(spec.submodule_search_locations)))
    from modelaudit.sources.code import discover

    files = sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    for f in root.rglob("*"):  # warm the page cache for both
        if f.is_file():
            f.read_bytes()
    reference: list[float] = []
    ours: list[float] = []
    result = None
    for _ in range(args.rounds):
        t = time.perf_counter()
        parse_all(files)
        reference.append(time.perf_counter() - t)
        t = time.perf_counter()
        result = discover(str(root))
        ours.append(time.perf_counter() - t)
    assert result is not None
    ref_s, our_s = statistics.median(reference), statistics.median(ours)
    resolved = sum(1 for r in result.references if r.resolved)
    print(f"root: {root}")
    print(
        f"python files: {len(files)}; files discovery read: {result.files_scanned}, parsed: {result.files_parsed}"
    )
    print(f"references: {len(result.references)} ({resolved} resolved); problems: {len(result.problems)}")
    print(f"ast.parse of every .py file (median of {args.rounds}): {ref_s:.2f} s")
    print(f"scan-code discovery (median of {args.rounds}):          {our_s:.2f} s")
    print(f"ratio discovery / parse: {our_s / ref_s:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
