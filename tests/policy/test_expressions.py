"""SPDX expressions: parsed by license-expression into alternatives; a malformed one is a finding, not silence."""

from __future__ import annotations

import pytest

from modelaudit.licenses.assess import assess_record
from modelaudit.models import Evidence, RepoRecord, RepoRef, SourceKind
from modelaudit.policy.rules.terms import expression_alternatives


@pytest.mark.parametrize(
    ("expression", "alternatives"),
    [
        ("MIT", (("MIT",),)),
        ("llama3.1", (("llama3.1",),)),
        ("MIT OR Apache-2.0", (("Apache-2.0",), ("MIT",))),
        ("mit or apache-2.0", (("apache-2.0",), ("mit",))),
        ("MIT OR (Apache-2.0 AND CC-BY-4.0)", (("MIT",), ("Apache-2.0", "CC-BY-4.0"))),
        ("A AND (B OR C)", (("A", "B"), ("A", "C"))),
        ("GPL-2.0+ WITH Classpath-exception-2.0 OR MIT", (("GPL-2.0",), ("MIT",))),
    ],
)
def test_alternatives_in_disjunctive_normal_form(
    expression: str, alternatives: tuple[tuple[str, ...], ...]
) -> None:
    got = expression_alternatives(expression)
    assert got is not None
    assert sorted(sorted(a) for a in got) == sorted(sorted(a) for a in alternatives)


@pytest.mark.parametrize("expression", ["(MIT AND", "MIT OR OR Apache-2.0", "MIT AND"])
def test_malformed_expressions_are_none(expression: str) -> None:
    assert expression_alternatives(expression) is None


def test_a_malformed_declared_expression_is_a_finding() -> None:
    record = RepoRecord(
        ref=RepoRef(repo_id="org/m"),
        source=SourceKind.HUB,
        card_data={"license": "(mit AND apache-2.0"},
        license_evidence=[Evidence(source="card:license", value="(mit AND apache-2.0")],
    )
    info, findings = assess_record(record)
    assert info.id is None
    assert [f.name for f in findings] == ["license-unknown"]
    assert "malformed SPDX expression" in findings[0].message
