"""Identification of real license files no one here wrote: LICENSE files of Python packages (copied, with their
package, version and declared license, into tests/data/licenses/packages by benchmarks/license_identification.py
--export). A confident wrong id is the one failure that must never happen."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

import pytest
from license_corpus import PACKAGES
from package_licenses import METADATA_ERRORS, SAME_TEXT, accepted, metadata_error, verdict

from modelaudit.licenses.identify import HIGH_CONFIDENCE, Identification, identify_text


@cache
def manifest() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((PACKAGES / "manifest.json").read_text(encoding="utf-8"))
    return data


def entry(package: str) -> dict[str, Any]:
    return next(e for e in manifest() if e["package"] == package)


@cache
def identified(file: str) -> Identification:
    return identify_text((PACKAGES / file).read_text(encoding="utf-8", errors="replace"))


def test_manifest_describes_every_file_and_names_its_truth() -> None:
    files = {e["file"] for e in manifest()}
    assert files == {p.name for p in PACKAGES.iterdir() if p.name != "manifest.json"}
    assert len(files) >= 50
    for e in manifest():
        assert e["package"] and e["version"] and e["truth"] and e["truth_from"]
        assert hashlib.sha256((PACKAGES / e["file"]).read_bytes()).hexdigest() == e["sha256"]
    # several license families, not 50 copies of MIT
    assert len({e["truth"] for e in manifest()}) >= 6


@pytest.mark.parametrize("file", [e["file"] for e in manifest()])
def test_no_confident_wrong_answer(file: str) -> None:
    e = next(x for x in manifest() if x["file"] == file)
    result = identified(file)
    if metadata_error(e["package"], e["truth"], result) is None:
        assert verdict(result, e["truth"]) != "wrong", (e["package"], e["truth"], result.id, result.evidence)
    if result.id is None:
        assert result.confidence == 0.0 and result.evidence
    else:
        assert result.confidence >= HIGH_CONFIDENCE and result.licenses


def test_accuracy_on_real_package_files() -> None:
    verdicts = [
        "metadata-error"
        if metadata_error(e["package"], e["truth"], identified(e["file"]))
        else verdict(identified(e["file"]), e["truth"])
        for e in manifest()
    ]
    assert verdicts.count("wrong") == 0
    assert verdicts.count("metadata-error") <= len(METADATA_ERRORS)
    # the committed set leans to hard cases (the venv's files plus the mirror's misses and unusual licenses)
    assert verdicts.count("correct") / len(verdicts) >= 0.85


def test_files_whose_metadata_is_wrong_are_named_by_their_text() -> None:
    """pyodbc declares MIT but ships the MIT-0 text; libpinocchio declares BSD-3-Clause, ships BSD-2-Clause."""
    assert identified(entry("pyodbc")["file"]).id == "MIT-0"
    assert identified(entry("libpinocchio")["file"]).id == "BSD-2-Clause"
    assert verdict(identified(entry("pyodbc")["file"]), "MIT") == "wrong"  # by the metadata's word
    assert metadata_error("pyodbc", "MIT", identified(entry("pyodbc")["file"]))
    assert metadata_error("pyodbc", "MIT", Identification(id="MIT", licenses=["MIT"])) is None


def test_typing_extensions_psf_file_is_the_python_license_not_cc_by() -> None:
    result = identified(entry("typing_extensions")["file"])
    assert entry("typing_extensions")["truth"] == "PSF-2.0"
    assert "CC-BY-4.0" not in (result.id or "") and result.candidate != "CC-BY-4.0"
    # CPython's LICENSE: the PSF/BeOpen/CNRI/CWI stack, plus the 0BSD terms for code in the documentation
    assert result.method == "spdx" and "Python-2.0.1" in result.licenses
    assert result.id == "0BSD AND Python-2.0.1"


def test_pygments_bsd_2_clause_is_not_bsd_3_clause() -> None:
    result = identified(entry("Pygments")["file"])
    assert (result.id, result.method, result.licenses) == ("BSD-2-Clause", "spdx", ["BSD-2-Clause"])
    # the BSD-3-Clause reference text contains every sentence of BSD-2-Clause: fingerprints alone were fooled
    assert any("suggested BSD-3-Clause" in e for e in result.evidence)


def test_a_file_with_several_licenses_names_them_all() -> None:
    result = identified(entry("python-dateutil")["file"])
    assert result.id == "Apache-2.0 AND BSD-3-Clause" and result.licenses == ["Apache-2.0", "BSD-3-Clause"]
    assert verdict(result, "BSD-3-Clause") == "correct" and verdict(result, "MIT") == "wrong"


def test_partial_license_notice_is_unknown_with_its_best_candidate() -> None:
    # certifi ships only the MPL-2.0 notice paragraph after its own prose, not the license text
    result = identified(entry("certifi")["file"])
    assert result.id is None and result.candidate == "MPL-2.0"
    assert 0 < result.candidate_score < HIGH_CONFIDENCE


def test_verdict_rules() -> None:
    assert accepted("GPL-3.0-only") == {"GPL-3.0", "GPL-3.0+", "GPL-3.0-only", "GPL-3.0-or-later"}
    assert "LGPL-2.1-only" in accepted("LGPL-2.1")  # the deprecated id of the same license
    assert {"PSF-2.0", "Python-2.0.1"} <= accepted("PSF-2.0")
    assert all(len(group) > 1 for group in SAME_TEXT)
    unknown = Identification(id=None)
    assert verdict(unknown, "MIT") == "unknown"
    assert verdict(Identification(id="MIT", licenses=["MIT"]), "MIT") == "correct"
    assert verdict(Identification(id="BSD-3-Clause", licenses=["BSD-3-Clause"]), "BSD-2-Clause") == "wrong"


# --------------------------------------------------------------------------------------------- license + notes


def test_a_license_followed_by_a_documentation_license_names_both() -> None:
    """vine and celery: BSD-3-Clause, then "the documentation portion ... is supplied under CC BY-SA 4.0"."""
    for package in ("vine", "celery"):
        result = identified(entry(package)["file"])
        assert result.id == "BSD-3-Clause AND CC-BY-SA-4.0", (package, result.evidence)
        assert result.licenses == ["BSD-3-Clause", "CC-BY-SA-4.0"]
        assert any("part of the same work under CC-BY-SA-4.0" in e for e in result.evidence)
        assert verdict(result, entry(package)["truth"]) == "correct"


@pytest.mark.parametrize(
    ("package", "want", "why"),
    [
        (
            "scikit-learn",
            "BSD-3-Clause",
            "bundles",
        ),  # then the GCC runtime library it bundles, with its exception
        ("openapi-pydantic", "MIT", "Forked from"),  # then the license of the project it was forked from
        ("qrcode", "BSD-3-Clause", "Ported from"),  # then the credit of the code it was ported from
    ],
)
def test_a_license_followed_by_notes_on_other_works_is_named_with_the_notes_as_evidence(
    package: str, want: str, why: str
) -> None:
    result = identified(entry(package)["file"])
    assert (result.id, result.licenses) == (want, [want]), result.evidence
    assert result.confidence >= HIGH_CONFIDENCE and any(
        f"other works ({why!r})" in e for e in result.evidence
    )
    assert verdict(result, entry(package)["truth"]) == "correct"


def test_a_license_followed_by_unrecognised_notes_is_named_alone() -> None:
    # feedparser: BSD-2-Clause for the code, then a BSD-like license of its own for the documentation
    result = identified(entry("feedparser")["file"])
    assert result.id == "BSD-2-Clause" and any("followed by" in e for e in result.evidence)


def test_notes_that_could_change_the_terms_keep_the_file_unknown() -> None:
    # the real vine file with a real non-commercial clause (CC BY-NC 4.0, section 1(i)) after its footnotes
    text = (PACKAGES / entry("vine")["file"]).read_text(encoding="utf-8")
    clause = (
        "\nNonCommercial means not primarily intended for or directed towards commercial advantage or "
        "monetary compensation.\n"
    )
    assert identify_text(text).id is not None
    result = identify_text(text + clause)
    assert result.id is None and result.candidate is not None
