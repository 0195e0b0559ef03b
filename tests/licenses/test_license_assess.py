"""Per-node assessment: all evidence sources combined; mismatch, absence and unknown findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from license_corpus import PACKAGES

from modelaudit.licenses.assess import assess_record, describe_obligations, obligations_for
from modelaudit.licenses.db import load_db
from modelaudit.models import (
    CommercialUse,
    Evidence,
    LicenseCategory,
    LicenseFile,
    RepoRecord,
    RepoRef,
    Severity,
    SourceKind,
)

APACHE_HEAD = """
                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION

   1. Definitions.

      "License" shall mean the terms and conditions for use, reproduction,
      and distribution as defined by Sections 1 through 9 of this document.
"""


def record(evidence: list[tuple[str, str]] = (), files: list[tuple[str, str]] = ()) -> RepoRecord:  # type: ignore[assignment]
    return RepoRecord(
        ref=RepoRef(repo_id="org/model"),
        source=SourceKind.LOCAL,
        license_evidence=[Evidence(source=s, value=v) for s, v in evidence],
        license_files=[LicenseFile(path=p, text=t) for p, t in files],
    )


def test_no_license_anywhere_is_license_missing() -> None:
    info, findings = assess_record(record())
    assert info.id is None and info.category is LicenseCategory.UNKNOWN
    assert [(f.rule, f.name, f.severity) for f in findings] == [("MA101", "license-missing", Severity.ERROR)]
    assert findings[0].node == "org/model" and findings[0].how_to_fix


def test_agreeing_sources_resolve_with_full_confidence() -> None:
    info, findings = assess_record(
        record(
            [
                ("card:license", "apache-2.0"),
                ("tag:license", "apache-2.0"),
                ("gguf:m.gguf:general.license", "Apache 2.0"),
            ],
            [("LICENSE", APACHE_HEAD)],
        )
    )
    assert findings == []
    assert (info.id, info.category, info.osi_approved, info.commercial_use) == (
        "Apache-2.0",
        LicenseCategory.PERMISSIVE,
        True,
        CommercialUse.YES,
    )
    assert info.confidence == 1.0
    sources = {e.source for e in info.evidence}
    assert {"card:license", "tag:license", "gguf:m.gguf:general.license", "file:LICENSE"} <= sources


def test_card_and_license_file_disagree(corpus: Path) -> None:
    llama = (corpus / "llama3.1.txt").read_text(encoding="utf-8")
    info, findings = assess_record(record([("card:license", "apache-2.0")], [("LICENSE", llama)]))
    assert [f.name for f in findings] == ["license-mismatch"]
    f = findings[0]
    assert f.rule == "MA103" and f.severity is Severity.WARNING
    assert "Apache-2.0" in f.message and "llama3.1" in f.message  # names both
    assert {e.source for e in f.evidence} == {"card:license", "file:LICENSE"}
    assert info.id == "Apache-2.0" and info.confidence is not None and info.confidence <= 0.5


def test_gguf_metadata_disagreeing_with_card() -> None:
    _, findings = assess_record(
        record([("card:license", "mit"), ("gguf:q4.gguf:general.license", "llama3.2")])
    )
    assert [f.name for f in findings] == ["license-mismatch"]
    assert "gguf:q4.gguf" in findings[0].message


def test_other_with_license_name_matches_its_license_file(corpus: Path) -> None:
    qwen = (corpus / "qwen.txt").read_text(encoding="utf-8")
    info, findings = assess_record(
        record([("card:license", "other"), ("card:license_name", "qwen")], [("LICENSE", qwen)])
    )
    assert findings == [] and info.id == "qwen" and info.commercial_use is CommercialUse.CONDITIONAL


def test_qwen_research_file_under_a_qwen_card_is_a_mismatch(corpus: Path) -> None:
    research = (corpus / "qwen-research.txt").read_text(encoding="utf-8")
    _, findings = assess_record(
        record([("card:license", "other"), ("card:license_name", "qwen")], [("LICENSE", research)])
    )
    assert [f.name for f in findings] == ["license-mismatch"]


def test_other_without_name_is_license_unknown() -> None:
    info, findings = assess_record(record([("card:license", "other")]))
    assert info.id is None
    assert [(f.rule, f.name) for f in findings] == [("MA102", "license-unknown")]
    assert "license_name" in findings[0].message


def test_unrecognised_license_file_only_is_unknown() -> None:
    _, findings = assess_record(record([], [("LICENSE", "You may do as you please, within reason. " * 20)]))
    assert [f.name for f in findings] == ["license-unknown"]


def test_license_file_alone_resolves(corpus: Path) -> None:
    info, findings = assess_record(
        record([], [("LICENSE.md", (corpus / "gemma.txt").read_text(encoding="utf-8"))])
    )
    assert findings == [] and info.id == "gemma" and info.confidence is not None and info.confidence > 0.8


def test_code_license_never_stands_in_for_the_weights(corpus: Path) -> None:
    mit = (corpus / "mit.txt").read_text(encoding="utf-8")
    deepseek = (corpus / "deepseek.txt").read_text(encoding="utf-8")
    info, findings = assess_record(record([], [("LICENSE-CODE", mit), ("LICENSE-MODEL", deepseek)]))
    assert findings == [] and info.id == "deepseek"
    info, findings = assess_record(record([], [("LICENSE-CODE", mit)]))
    assert info.id is None and [f.name for f in findings] == ["license-missing"]


def test_use_policy_and_notice_support_the_card(corpus: Path) -> None:
    aup = (corpus / "llama3.1-acceptable-use-policy.txt").read_text(encoding="utf-8")
    notice = "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved."
    info, findings = assess_record(
        record([("card:license", "llama3.1")], [("USE_POLICY.md", aup), ("NOTICE", notice)])
    )
    assert findings == [] and info.id == "llama3.1"
    # a use policy or NOTICE is evidence and obligation, never a conflicting license id: a 3.2 card with
    # the 3.1 use policy keeps the card's license and records the policy it found
    info, findings = assess_record(record([("card:license", "llama3.2")], [("USE_POLICY.md", aup)]))
    assert findings == [] and info.id == "llama3.2"
    assert any(e.source == "file:USE_POLICY.md" and "llama3.1" in e.value for e in info.evidence)
    info, findings = assess_record(record([("card:license", "apache-2.0")], [("NOTICE", notice)]))
    assert findings == [] and info.id == "Apache-2.0"
    # a NOTICE alone still names the license when nothing else does
    info, findings = assess_record(record([], [("NOTICE", notice)]))
    assert findings == [] and info.id == "llama3.1"


def test_family_and_same_text_variants_agree(corpus: Path) -> None:
    gpl = (corpus / "gpl-3.0.txt").read_text(encoding="utf-8")
    _, findings = assess_record(
        record([("card:license", "gpl-3.0-or-later")], [("COPYING", gpl), ("LICENSE", gpl)])
    )
    assert findings == []
    _, findings = assess_record(record([("card:license", "gpl")], [("LICENSE", gpl)]))
    assert findings == []


def test_expression_category_is_conservative_for_and_generous_for_or() -> None:
    info, _ = assess_record(record([("card:license", "MIT AND cc-by-nc-4.0")]))
    assert info.category is LicenseCategory.RESTRICTIVE and info.commercial_use is CommercialUse.NO
    info, _ = assess_record(record([("card:license", "MIT OR cc-by-nc-4.0")]))
    assert info.category is LicenseCategory.PERMISSIVE and info.commercial_use is CommercialUse.YES


def test_obligations_for_policy_engine() -> None:
    obs = obligations_for("llama3.1", nodes=["meta-llama/Llama-3.1-8B"])
    kinds = {o.kind for o in obs}
    assert {
        "include-agreement",
        "notice-file",
        "naming-prefix",
        "built-with",
        "flow-down-use-policy",
        "user-cap",
    } <= kinds
    assert all(o.license == "llama3.1" and o.nodes == ["meta-llama/Llama-3.1-8B"] for o in obs)
    assert obligations_for(None) == [] and obligations_for("MIT") != []
    both = {o.license for o in obligations_for("MIT AND llama3.1")}
    assert both == {"MIT", "llama3.1"}


@pytest.mark.parametrize("rec", load_db().all(include_spdx=False), ids=lambda r: r.id)
def test_every_record_can_be_described(rec) -> None:  # type: ignore[no-untyped-def]
    for kind, text in describe_obligations(rec):
        assert kind and text.strip()


@pytest.mark.parametrize(
    ("file", "card", "mismatch"),
    [
        ("typing_extensions-LICENSE", "psf-2.0", False),  # CPython's LICENSE stack under a PSF-2.0 card
        ("pygments-LICENSE", "bsd-2-clause", False),
        ("pygments-LICENSE", "bsd-3-clause", True),  # once mistaken for BSD-3-Clause: now a real disagreement
        ("python-dateutil-LICENSE", "apache-2.0", False),  # a file holding Apache-2.0 AND BSD-3-Clause
        ("python-dateutil-LICENSE", "mit", True),
    ],
)
def test_real_package_license_files_against_a_card(file: str, card: str, mismatch: bool) -> None:
    text = (PACKAGES / file).read_text(encoding="utf-8")
    _, findings = assess_record(record([("card:license", card)], [("LICENSE", text)]))
    assert ("license-mismatch" in [f.name for f in findings]) is mismatch


def test_obligation_terms_of_an_expression_are_every_parts() -> None:
    from modelaudit.licenses import assess

    terms = assess.obligation_terms("Apache-2.0 AND MIT")
    assert {lic for lic, _, _ in terms} == {"Apache-2.0", "MIT"}
    obs = obligations_for("Apache-2.0 AND MIT", nodes=["a"])
    assert [(o.license, o.kind, o.text) for o in obs] == terms
    assert [o.nodes for o in obs] == [["a"]] * len(terms)
    assert assess.obligation_terms(None) == [] and assess.obligation_terms("") == []
