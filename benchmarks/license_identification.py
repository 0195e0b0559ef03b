"""License text identification accuracy, on real files and on the reference corpus.

    .venv/bin/python benchmarks/license_identification.py [--site DIR]... [--wheels DIR] [--verbose] [--export DIR]

1. Real license files no one here wrote: the LICENSE / COPYING file of every installed package (this venv, or
   the site-packages folders given with --site, or the wheels in the folder given with --wheels, read without
   installing them) whose packaging metadata (License-Expression, an SPDX id in
   License, or a versioned Trove classifier) declares one license, which is the ground truth. Packages whose
   truth is ambiguous (no single license declared, compound expression, fields that disagree) or that ship
   no or several license files are skipped and counted. Prints files evaluated, correct, unknown,
   confident-wrong (target 0) and accuracy.
2. The reference corpus (tests/data/licenses/corpus) in six forms each (original, reflowed, markdown, CRLF,
   another copyright holder, first 40 %): must stay 300/300.

--export DIR copies one file per distinct text into DIR with a manifest.json (package, version, truth), the
set tests/licenses/test_license_packages.py runs on. Exit status 1 when a confident wrong answer or a corpus
miss occurred.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import zipfile
from collections import Counter
from importlib.metadata import Distribution, distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "licenses"))

from license_corpus import CORPUS  # noqa: E402
from license_variants import VARIANTS  # noqa: E402
from package_licenses import PackageLicense, collect, metadata_error, verdict  # noqa: E402

from modelaudit.licenses.db import load_db  # noqa: E402
from modelaudit.licenses.identify import identify_text  # noqa: E402


def unpack_dist_infos(wheels: Path, into: Path) -> None:
    """The .dist-info folder of every wheel in ``wheels`` (nothing else is extracted, nothing is installed)."""
    for whl in sorted(wheels.glob("*.whl")):
        try:
            with zipfile.ZipFile(whl) as zf:
                for info in zf.infolist():
                    top = info.filename.split("/", 1)[0]
                    if top.endswith(".dist-info") and not info.is_dir() and info.file_size < 2_000_000:
                        zf.extract(info, into)
        except (zipfile.BadZipFile, OSError) as exc:
            print(f"  skipped {whl.name}: {exc}", file=sys.stderr)


def packages(sites: list[Path], verbose: bool) -> tuple[list[PackageLicense], int]:
    dists: list[Distribution] = list(
        distributions(path=[str(s) for s in sites]) if sites else distributions()
    )
    found, skipped = collect(dists)
    counts: Counter[str] = Counter()
    errors: list[str] = []
    for pkg in found:
        result = identify_text(pkg.path.read_text(encoding="utf-8", errors="replace"))
        v = verdict(result, pkg.truth)
        why = metadata_error(pkg.package, pkg.truth, result) if v == "wrong" else None
        if why:
            v = "metadata-error"
            errors.append(f"  {pkg.package} {pkg.version} declares {pkg.truth}, but {why}")
        counts[v] += 1
        if verbose or v != "correct":
            shown = (
                result.id
                or f"unknown (best candidate {result.candidate}, score {result.candidate_score:.2f})"
            )
            print(
                f"  {v:<8} {pkg.package} {pkg.version}: declared {pkg.truth}, answer {shown}", file=sys.stderr
            )
        if v == "correct" and result.licenses and len(result.licenses) > 1:
            counts["correct-among-several"] += 1
    n = len(found)
    n_skipped = sum(len(v) for v in skipped.values())
    print(f"installed distributions examined: {len(dists)}")
    print(f"skipped (ambiguous truth or not one license file): {n_skipped}")
    for reason, names in sorted(skipped.items()):
        print(f"  {reason}: {len(names)} ({', '.join(sorted(names))})")
    print(f"files evaluated   {n}")
    print(
        f"correct           {counts['correct']}"
        f"  (of which the file holds several licenses, the declared one among them: {counts['correct-among-several']})"
    )
    print(f"unknown           {counts['unknown']}")
    print(f"confident-wrong   {counts['wrong']}")
    if counts["metadata-error"]:
        print(
            f"answer contradicts the metadata, file read by hand and the metadata is wrong: {counts['metadata-error']}"
        )
        print("\n".join(errors))
    print(f"accuracy          {counts['correct'] / n:.1%}" if n else "accuracy          n/a (no files)")
    return found, counts["wrong"]


def corpus() -> int:
    db = load_db()
    expected = {
        ref.file: (rec.id, ref.document.value)
        for rec in db.all(include_spdx=False)
        for ref in rec.recognition.texts
    }
    forms = {"original": lambda t: t, **VARIANTS}
    ok = total = 0
    for name in sorted(expected):
        text = (CORPUS / name).read_text(encoding="utf-8")
        for label, fn in forms.items():
            r = identify_text(fn(text))
            total += 1
            if (r.id, r.document.value if r.document else None) == expected[name]:
                ok += 1
            else:
                print(f"  MISS {name} [{label}] -> {r.id}", file=sys.stderr)
    print(f"corpus            {ok}/{total} = {ok / total:.1%} ({len(expected)} texts x {len(forms)} forms)")
    return total - ok


def export(found: list[PackageLicense], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    seen: set[str] = set()
    for pkg in found:
        raw = pkg.path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        name = f"{pkg.package.lower()}-{pkg.path.name}"
        shutil.copyfile(pkg.path, out / name)
        manifest.append(
            {
                "file": name,
                "package": pkg.package,
                "version": pkg.version,
                "original_path": pkg.path.name,
                "truth": pkg.truth,
                "truth_from": pkg.truth_from,
                "sha256": digest,
            }
        )
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"exported {len(manifest)} distinct files to {out}", file=sys.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, action="append", default=[], help="a site-packages folder to read")
    ap.add_argument("--wheels", type=Path, help="read the .dist-info folders of the wheels in this folder instead")
    ap.add_argument("--verbose", action="store_true", help="list every file, not only the misses")
    ap.add_argument("--export", type=Path, help="copy the distinct files and a manifest here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.wheels:
            unpack_dist_infos(args.wheels, Path(tmp))
            args.site = [Path(tmp)]
        found, wrong = packages(args.site, args.verbose)
        if args.export:
            export(found, args.export)
    misses = corpus()
    return 1 if wrong or misses else 0


if __name__ == "__main__":
    raise SystemExit(main())
