"""Discovery against hand labels: recall and precision of scan-code's reference discovery on real files.

    python benchmarks/code_refs.py [--set dev|holdout|holdout2|held-out|all] [--corpus DIR] [--verbose]

``tests/data/real/code_refs`` holds 273 files written by others (Python, notebooks, configs, JS/TS,
Dockerfiles, shell), each with every Hub reference it holds labelled by hand (``MANIFEST.yaml``; its header
says what counts) and its source recorded (``SOURCES.tsv``: repository, path, commit, SHA-256). Three sets:
``dev`` (162 files, the set discovery's rules were written against), ``holdout`` (62 files) and ``holdout2``
(49 files), each labelled and committed before discovery first ran on it. ``--set held-out`` measures the two
held-out sets together, ``all`` every set. ``--corpus DIR`` reads the files from ``DIR/files/...`` instead
of the repository (a copy fetched again from the recorded sources; their SHA-256 is checked either way).

The measurement is tests/discovery/code_refs_corpus.py, the one tests/discovery/test_code_refs_corpus.py
holds to the floors (recall ≥ 0.95, precision ≥ 0.98) in CI. Prints recall and precision overall and per
kind of file; ``--verbose`` lists every miss.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "discovery"))

from code_refs_corpus import HELD_OUT, SETS, CorpusError, Key, measure  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set",
        choices=[*SETS, "held-out", "all"],
        default="all",
        help="dev: the files discovery's rules were written against; holdout, holdout2: each labelled and"
        " committed before discovery first ran on it; held-out: both of those; all: every set",
    )
    parser.add_argument(
        "--corpus", help="read the files from DIR/files/... (default: the repository's copies)"
    )
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    names = list(SETS) if args.set == "all" else list(HELD_OUT) if args.set == "held-out" else [args.set]
    try:
        m = measure(names, Path(args.corpus) if args.corpus else None)
    except CorpusError as exc:
        print(f"code_refs: {exc}", file=sys.stderr)
        return 2
    n_tp, n_truth, n_found = sum(m.matched.values()), sum(m.truth.values()), sum(m.found.values())
    print(
        f"set: {args.set} ({', '.join(names)})   files: {len(m.family_of)}   labelled references: {n_truth}"
        f"   found: {n_found}   matched: {n_tp}"
    )
    print(f"recall:    {m.recall:.3f}")
    print(f"precision: {m.precision:.3f}")
    print("\nby kind of file:       files  labelled  found  matched  recall  precision")
    for fam in sorted(set(m.family_of.values())):
        t: Counter[Key] = Counter({k: v for k, v in m.truth.items() if m.family_of[k[0]] == fam})
        f: Counter[Key] = Counter({k: v for k, v in m.found.items() if m.family_of[k[0]] == fam})
        hit = sum((t & f).values())
        files = sum(1 for x in m.family_of.values() if x == fam)
        print(
            f"  {fam:<20} {files:>5}  {sum(t.values()):>8}  {sum(f.values()):>5}  {hit:>7}"
            f"  {hit / max(sum(t.values()), 1):>6.3f}  {hit / max(sum(f.values()), 1):>9.3f}"
        )
    if args.verbose:
        print("\nmissed (labelled, not found):")
        for k in sorted(m.truth - m.found):
            print(f"  {k[0]}:{k[1]} {k[2]} {k[3]} {k[4]}")
        print("\nextra (found, not labelled):")
        for k in sorted(m.found - m.truth):
            print(f"  {k[0]}:{k[1]} {k[2]} {k[3]} {k[4]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
