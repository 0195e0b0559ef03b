"""Text identification: every corpus text, five reformatted variants of each, near-twins, unknowns."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from license_corpus import CORPUS, corpus_files
from license_variants import VARIANTS

from modelaudit.licenses.db import load_db
from modelaudit.licenses.identify import (
    FINGERPRINT_MIN,
    HIGH_CONFIDENCE,
    MIN_CONTAINMENT,
    TITLE_CONFIDENCE,
    Identification,
    identify_text,
)
from modelaudit.licenses.schema import DocumentKind

FORMS = ["original", *VARIANTS]
NEAR_TWINS = [
    ("llama3.1.txt", "llama3.2.txt"),
    ("llama3.2.txt", "llama3.3.txt"),
    ("llama3.3.txt", "llama4.txt"),
    ("llama3.1.txt", "llama4.txt"),
    ("llama3.2-acceptable-use-policy.txt", "llama3.3-acceptable-use-policy.txt"),
    ("creativeml-openrail-m.txt", "openrail++.txt"),
    ("qwen.txt", "qwen-research.txt"),
    ("tongyi-qianwen.txt", "tongyi-qianwen-research.txt"),
    ("cc-by-nc-4.0.txt", "cc-by-nc-sa-4.0.txt"),
    ("cc-by-nd-4.0.txt", "cc-by-nc-nd-4.0.txt"),
    ("openmdw-1.0.txt", "openmdw-1.1.txt"),
    ("gpl-3.0.txt", "agpl-3.0.txt"),
]


@cache
def expected() -> dict[str, tuple[str, str]]:
    """corpus file → (license id, document kind), from the records' recognition.texts."""
    out: dict[str, tuple[str, str]] = {}
    for rec in load_db().all(include_spdx=False):
        for ref in rec.recognition.texts:
            out[ref.file] = (rec.id, ref.document.value)
    return out


@cache
def text_of(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def form(name: str, which: str) -> str:
    text = text_of(name)
    return text if which == "original" else VARIANTS[which](text)


@cache
def identified(name: str, which: str) -> Identification:
    """Identification of one form of one corpus text (cached: several tests look at the same results)."""
    return identify_text(form(name, which))


def test_every_corpus_text_is_named_by_a_record(corpus: Path) -> None:
    assert sorted(expected()) == corpus_files()
    assert len(corpus_files()) >= 50


@pytest.mark.parametrize("which", FORMS)
@pytest.mark.parametrize("name", corpus_files())
def test_corpus_text_and_variants_are_identified(corpus: Path, name: str, which: str) -> None:
    result = identified(name, which)
    assert (result.id, result.document.value if result.document else None) == expected()[name]
    assert result.method in {"spdx", "fingerprint"}
    assert result.confidence >= 0.8
    assert result.evidence


@pytest.mark.parametrize(("a", "b"), NEAR_TWINS, ids=lambda x: x)
def test_near_twins_are_told_apart(corpus: Path, a: str, b: str) -> None:
    for this, other in ((a, b), (b, a)):
        for which in FORMS:
            result = identified(this, which)
            assert result.id == expected()[this][0], (this, which)
            assert result.id != expected()[other][0]
        # the twin really is a close rival (so this test is meaningful)
        result = identified(this, "original")
        rival = next(c for c in result.alternatives if c.id == expected()[other][0])
        assert rival.containment >= MIN_CONTAINMENT


def test_variants_really_change_the_text(corpus: Path) -> None:
    original = text_of("llama3.1.txt")
    for fn in VARIANTS.values():
        assert fn(original) != original
    assert "\r\n" in VARIANTS["crlf"](original)
    assert "Example Holdings" in VARIANTS["copyright"](text_of("mit.txt"))
    assert "DeepSeek" not in VARIANTS["copyright"](text_of("mit.txt"))


def test_unrelated_text_is_unknown() -> None:
    prose = " ".join(
        f"The model card for experiment {i} describes training runs, evaluation results and known limitations."
        for i in range(30)
    )
    result = identify_text(prose)
    assert result.id is None and result.confidence == 0.0 and result.method == "none"


def test_empty_and_tiny_texts() -> None:
    assert identify_text("").id is None
    declared = identify_text("Apache-2.0\n")
    assert declared.id == "Apache-2.0" and declared.method == "declared" and declared.confidence < 1
    choice = identify_text("Apache-2.0 OR MIT\n")
    assert choice.method == "declared" and sorted(choice.licenses) == ["Apache-2.0", "MIT"]
    # a license URL alone, or the Apache notice, is an SPDX match
    assert identify_text("https://www.apache.org/licenses/LICENSE-2.0\n").id == "Apache-2.0"
    assert identify_text("hello world\n").id is None


def test_title_line_alone_only_names_a_candidate() -> None:
    # the Falcon 180B text is not in the corpus: only its title line is known, which is not enough to name it
    body = " ".join(
        f"Clause {i} sets out terms specific to this hypothetical agreement text." for i in range(40)
    )
    result = identify_text("Falcon 180B TII License Version 1.0\n\n" + body)
    assert result.id is None and result.method == "none" and result.confidence == 0.0
    assert result.candidate == "falcon-180b-tii-1.0" and result.candidate_score == TITLE_CONFIDENCE
    assert TITLE_CONFIDENCE < HIGH_CONFIDENCE
    assert "below the" in result.evidence[0] and any("title line" in e for e in result.evidence)


def test_license_plus_unrelated_preamble_still_identified(corpus: Path) -> None:
    text = "This repository's model weights are distributed under the following license.\n\n" + text_of(
        "mrl.txt"
    )
    assert identify_text(text).id == "mrl"


def test_accuracy_over_all_variants(corpus: Path) -> None:
    """The figure quoted in the closing note: share of (text, form) pairs identified correctly."""
    total = correct = 0
    for name in corpus_files():
        for which in FORMS:
            total += 1
            r = identified(name, which)
            correct += (r.id, r.document.value if r.document else None) == expected()[name]
    assert total == 6 * len(corpus_files())
    assert correct == total


def test_spdx_matcher_loads_only_when_a_text_is_identified() -> None:
    """A metadata scan with no license file never pays for the SPDX patterns (nor the fingerprints)."""
    import subprocess
    import sys

    probe = """
import sys
from modelaudit.licenses.assess import assess_record
from modelaudit.models import Evidence, RepoRecord, RepoRef, SourceKind
rec = RepoRecord(ref=RepoRef(repo_id="o/m"), source=SourceKind.LOCAL,
                 license_evidence=[Evidence(source="card:license", value="apache-2.0")])
info, _ = assess_record(rec)
assert info.id == "Apache-2.0", info
assert "licenseclassifier" not in sys.modules, "loaded for a metadata-only assessment"
from modelaudit.licenses.identify import identify_text
assert identify_text("Permission is hereby granted, free of charge, to any person " * 3).id is None
assert "licenseclassifier" in sys.modules
"""
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr


def test_a_license_built_from_a_known_one_is_only_a_candidate(corpus: Path) -> None:
    """Another license reusing most of a known one's wording (as AI Pubs Open RAIL-M reuses BigScience Open
    RAIL-M's) must not be named as the known one: its own clauses are what differ."""
    words = text_of("bigscience-openrail-m.txt").split()
    kept = " ".join(words[: int(len(words) * 0.72)])
    own_terms = " ".join(
        f"Clause {i}: the licensee of this derived agreement shall keep record number {i} of every deployment."
        for i in range(int(len(words) * 0.28 / 16))
    )
    result = identify_text(kept + "\n\n" + own_terms)
    assert result.id is None and result.candidate == "bigscience-openrail-m"
    assert MIN_CONTAINMENT < result.candidate_score < FINGERPRINT_MIN
    assert f"{FINGERPRINT_MIN:.0%} are needed" in result.evidence[0]


LICENSE_AND_POLICY = [
    ("llama2.txt", "llama2-acceptable-use-policy.txt"),
    ("llama3.1.txt", "llama3.1-acceptable-use-policy.txt"),
    ("llama3.2.txt", "llama3.2-acceptable-use-policy.txt"),
    ("llama3.3.txt", "llama3.3-acceptable-use-policy.txt"),
    ("llama4.txt", "llama4-acceptable-use-policy.txt"),
    ("gemma.txt", "gemma-prohibited-use-policy.txt"),
]


@pytest.mark.parametrize(("lic", "policy"), LICENSE_AND_POLICY, ids=lambda x: x)
@pytest.mark.parametrize("which", ["original", "reflow", "markdown"])
def test_license_with_its_use_policy_appended_is_the_license(
    corpus: Path, lic: str, policy: str, which: str
) -> None:
    """LICENSE files (and the Hub's gated prompts) often hold the agreement followed by its use policy."""
    combined = text_of(lic) + "\n\n" + text_of(policy)
    text = combined if which == "original" else VARIANTS[which](combined)
    result = identify_text(text)
    assert (result.id, result.document) == (expected()[lic][0], DocumentKind.LICENSE), result.evidence
    assert result.method == "fingerprint" and result.confidence >= 0.9
    assert "+" in result.evidence[0]  # matched against the license and its policy together


_PIECES = st.sampled_from(
    [text_of(n) for n in ("mit.txt", "apache-2.0.txt", "llama3.1.txt", "llama3.1-acceptable-use-policy.txt")]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(_PIECES, max_size=3),
    noise=st.text(max_size=400),
    cut=st.floats(min_value=0.0, max_value=1.0),
)
def test_any_text_gets_a_well_formed_answer(pieces: list[str], noise: str, cut: float) -> None:
    """Whatever the text (license fragments, concatenations, noise), the result is an answer at or above
    HIGH_CONFIDENCE that lists its licenses, or unknown with confidence 0: never anything in between."""
    text = noise + "\n".join(pieces)
    text = text[: int(len(text) * cut) + 1]
    result = identify_text(text)
    if result.id is None:
        assert result.confidence == 0.0 and result.method == "none" and not result.licenses
        if result.candidate is None:
            assert result.candidate_score == 0.0
        else:
            assert 0.0 < result.candidate_score <= 1.0
    else:
        assert result.confidence >= HIGH_CONFIDENCE and result.licenses and result.candidate is None
        assert result.method == "declared" or result.id == " AND ".join(result.licenses)
