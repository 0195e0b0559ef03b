"""Measure license text identification over the corpus and its reformatted variants.

    .venv/bin/python scripts/license_identification_accuracy.py [--corpus DIR]

Uses the same variants as tests/licenses (reflow, markdown, CRLF, changed copyright, first 40 %).
Prints per-form accuracy, the overall figure, and the number of license_db records.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "licenses"))

from license_variants import VARIANTS  # noqa: E402

from modelaudit.licenses.db import load_db  # noqa: E402
from modelaudit.licenses.identify import identify_text  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "licenses")
    args = ap.parse_args()
    db = load_db()
    expected = {
        ref.file: (rec.id, ref.document.value)
        for rec in db.all(include_spdx=False)
        for ref in rec.recognition.texts
    }
    forms = {"original": lambda t: t, **VARIANTS}
    ok: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for name in sorted(expected):
        text = (args.corpus / name).read_text(encoding="utf-8")
        for label, fn in forms.items():
            r = identify_text(fn(text))
            total[label] += 1
            if (r.id, r.document.value if r.document else None) == expected[name]:
                ok[label] += 1
            else:
                print(f"MISS {name} [{label}] -> {r.id}", file=sys.stderr)
    for label in forms:
        print(f"{label:<11} {ok[label]}/{total[label]}")
    n_ok, n = sum(ok.values()), sum(total.values())
    print(f"overall     {n_ok}/{n} = {n_ok / n:.1%} over {len(expected)} corpus texts x {len(forms)} forms")
    print(
        f"license_db records: {len(db.all(include_spdx=False))} reviewed YAML records; {len(db)} with the SPDX overlay"
    )
    return 0 if n_ok == n else 1


if __name__ == "__main__":
    raise SystemExit(main())
