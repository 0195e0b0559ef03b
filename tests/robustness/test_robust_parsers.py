"""Property-based tests: every parser of untrusted input ends in a result, a finding or a ModelAuditError.

The cases live in ``_robust_parsers.py`` (also driven by ``benchmarks/robustness.py``). Examples are kept
modest so the whole file runs in well under a minute on two cores; the deadline bounds each input's time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from _robust_parsers import CASES, ParserCase, classify
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=60,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    database=None,
)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_parser_never_crashes(case: ParserCase) -> None:
    @SETTINGS
    @given(value=case.strategy)
    def check(value: Any) -> None:
        outcome, exc = classify(case, value)
        if outcome == "crash":
            raise AssertionError(f"{case.name}: {type(exc).__name__}: {exc}") from exc

    check()


def test_classifier_tells_crashes_from_errors() -> None:
    """The harness itself: a ModelAuditError is an error, anything else a crash (so the tests can fail)."""
    from modelaudit.errors import InputError

    def raise_input(_: object) -> object:
        raise InputError("x", "bad")

    def raise_key(_: object) -> object:
        raise KeyError("boom")

    assert classify(ParserCase("e", st.none(), raise_input), None)[0] == "error"
    assert classify(ParserCase("c", st.none(), raise_key), None)[0] == "crash"
    assert classify(ParserCase("r", st.none(), lambda v: v), 1)[0] == "result"
