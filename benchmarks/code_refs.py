"""Discovery against hand labels: recall and precision of scan-code's reference discovery on real files.

    python benchmarks/code_refs.py --corpus DIR [--set dev|holdout|holdout2|all] [--verbose]

``tests/data/real/code_refs/MANIFEST.yaml`` lists, for 162 files written by others, every Hub reference each
holds (labelled by hand; its header says what counts). The files themselves are other projects' code and
live outside the repository: DIR is the folder holding ``files/...`` as ``SOURCES.tsv`` names them (fetch
them again from the repository, path and commit recorded there; their SHA-256 is checked). Each file is read
alone, under its original path (which decides its kind).

``holdout/`` there is a second set of 62 files, labelled the same way after discovery was written and committed
before discovery first ran on them (``--set holdout``), and ``holdout2/`` a third of 49 files, labelled and
committed after discovery had been fixed for what ``holdout`` showed (``--set holdout2``): the rules were
developed against the first set, so the held-out figures (each set's first run) are the ones that say how
discovery does on code it was not tuned on.

A reference matches when file, line, kind and the repo id (or "unresolved") agree, and the revision when the
label pins one. Prints recall and precision overall and per kind of file; ``--verbose`` lists every miss.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from collections import Counter
from pathlib import Path

import yaml

from modelaudit.sources.code import discover_text

HERE = Path(__file__).resolve().parents[1] / "tests" / "data" / "real" / "code_refs"

Key = tuple[str, int, str, str, str]


def _family(path: str) -> str:
    name = path.rsplit("/", 1)[-1].lower()
    if name.endswith(".ipynb"):
        return "notebook"
    if name.endswith((".yaml", ".yml", ".json", ".toml")):
        return "config"
    if name.endswith((".js", ".mjs", ".ts", ".tsx", ".jsx", ".cjs")):
        return "js/ts"
    if "dockerfile" in name:
        return "dockerfile"
    if name.endswith((".sh", ".bash")):
        return "shell"
    return "python"


def _label_key(file: str, ref: dict[str, object]) -> Key:
    repo = "UNRESOLVED" if "unresolved" in ref else str(ref["id"])
    rev = str(ref.get("revision") or "")
    return (file, int(str(ref["line"])), str(ref["kind"]), repo, rev)


SETS = {"dev": HERE, "holdout": HERE / "holdout", "holdout2": HERE / "holdout2"}


def _measure(
    folder: Path,
    corpus: Path,
    truth: Counter[Key],
    found: Counter[Key],
    family_of: dict[str, str],
    verbose: bool,
) -> int:
    manifest = yaml.safe_load((folder / "MANIFEST.yaml").read_text(encoding="utf-8"))
    with (folder / "SOURCES.tsv").open(encoding="utf-8") as fh:
        sources = {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}
    if set(manifest) != set(sources):
        print(f"{folder}: MANIFEST.yaml and SOURCES.tsv list different files", file=sys.stderr)
        return 2
    for file, refs in sorted(manifest.items()):
        row = sources[file]
        path = corpus / file
        if not path.is_file():
            print(f"missing from the corpus: {path}", file=sys.stderr)
            return 2
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != row["sha256"]:
            print(f"{path}: not the bytes SOURCES.tsv records", file=sys.stderr)
            return 2
        family_of[file] = _family(row["path"])
        for ref in refs or []:
            truth[_label_key(file, ref)] += 1
        ctx = discover_text(row["path"], data)
        seen: set[Key] = set()
        for r in ctx.references:
            labelled_revs = {k[4] for k in truth if k[0] == file and k[1] == r.line and k[3] == r.repo_id}
            rev = r.revision if r.revision and (r.revision in labelled_revs or r.pinned) else ""
            key = (file, r.line, r.kind.value, r.repo_id or "UNRESOLVED", rev or "")
            if key not in seen:
                seen.add(key)
                found[key] += 1
        if verbose:
            for p in ctx.problems:
                print(f"  problem {file}:{p.line}: {p.message}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True, help="folder holding files/... (see SOURCES.tsv)")
    parser.add_argument(
        "--set",
        choices=[*SETS, "all"],
        default="dev",
        help="dev: the files discovery's rules were written against; holdout, holdout2: labelled and committed"
        " before discovery first ran on them (holdout2 after the fixes holdout led to); all: every set",
    )
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    truth: Counter[Key] = Counter()
    found: Counter[Key] = Counter()
    family_of: dict[str, str] = {}
    for name in SETS if args.set == "all" else [args.set]:
        rc = _measure(SETS[name], corpus, truth, found, family_of, args.verbose)
        if rc:
            return rc
    tp = truth & found
    n_tp, n_truth, n_found = sum(tp.values()), sum(truth.values()), sum(found.values())
    recall = n_tp / n_truth if n_truth else 1.0
    precision = n_tp / n_found if n_found else 1.0
    print(
        f"set: {args.set}   files: {len(family_of)}   labelled references: {n_truth}   found: {n_found}   matched: {n_tp}"
    )
    print(f"recall:    {recall:.3f}")
    print(f"precision: {precision:.3f}")
    families = sorted(set(family_of.values()))
    print("\nby kind of file:       files  labelled  found  matched  recall  precision")
    for fam in families:
        t = Counter({k: v for k, v in truth.items() if family_of[k[0]] == fam})
        f = Counter({k: v for k, v in found.items() if family_of[k[0]] == fam})
        m = sum((t & f).values())
        files = sum(1 for x in family_of.values() if x == fam)
        print(
            f"  {fam:<20} {files:>5}  {sum(t.values()):>8}  {sum(f.values()):>5}  {m:>7}"
            f"  {m / max(sum(t.values()), 1):>6.3f}  {m / max(sum(f.values()), 1):>9.3f}"
        )
    if args.verbose:
        print("\nmissed (labelled, not found):")
        for k in sorted(truth - found):
            print(f"  {k[0]}:{k[1]} {k[2]} {k[3]} {k[4]}")
        print("\nextra (found, not labelled):")
        for k in sorted(found - truth):
            print(f"  {k[0]}:{k[1]} {k[2]} {k[3]} {k[4]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
