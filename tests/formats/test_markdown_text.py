"""Markdown for PR comments (size limit, escaping) and the terminal text report."""

from __future__ import annotations

from sample_report import SCRIPT, TARGET, sample_report

from modelaudit.formats.markdown import GITHUB_COMMENT_LIMIT, md, render_markdown
from modelaudit.formats.text import TextFormatter, clean
from modelaudit.models import Evidence, Finding, Severity


def _huge(n: int = 1500):  # type: ignore[no-untyped-def]
    r = sample_report()
    extra = [
        Finding(
            rule="MA999",
            name="license-unknown",
            severity=Severity.WARNING,
            node=TARGET,
            message=f"finding number {i} " + "x" * 80,
            how_to_fix="fix it " * 10,
            evidence=[Evidence(source="card:license", value="?")],
        )
        for i in range(n)
    ]
    return r.model_copy(update={"findings": [*r.findings, *extra]})


def test_markdown_stays_under_githubs_comment_limit_with_a_note() -> None:
    out = render_markdown(_huge())
    assert len(out) <= GITHUB_COMMENT_LIMIT
    assert "Truncated to stay under GitHub's 65,536-character comment limit" in out
    assert "findings (" in out  # says how many rows were left out
    assert out.startswith("## ❌ modelaudit: FAIL")


def test_small_reports_are_not_truncated() -> None:
    out = render_markdown(sample_report())
    assert "Truncated" not in out
    for heading in (
        "### Summary for legal review",
        "### Findings",
        "### Obligations",
        "### Licenses",
    ):
        assert heading in out
    assert "Include the license agreement" in out


def test_markdown_truncation_respects_a_smaller_limit() -> None:
    out = render_markdown(sample_report(), limit=3000)
    assert len(out) <= 3000 and "Truncated" in out
    assert out.count("<details") == out.count("</details>")
    assert out.count("````") % 2 == 0


def test_markdown_escapes_card_text() -> None:
    out = render_markdown(sample_report())
    assert "<script" not in out and "<img" not in out
    assert md("a | b") == "a \\| b"
    assert "@&#8203;" in md("ping @everyone")
    assert md("line\nbreak") == "line break"


def test_text_report_has_every_section_and_no_control_codes() -> None:
    r = sample_report()
    evil = "\x1b[2J\x1b]0;owned\x07"
    r.findings[0].message = f"{evil} cleared your screen"
    out = TextFormatter().render(r)
    assert "\x1b" not in out and "\x07" not in out
    for heading in ("SUMMARY FOR LEGAL REVIEW", "FINDINGS", "OBLIGATIONS", "LINEAGE", "LICENSES"):
        assert heading in out
    assert "FILE VERIFICATION" in out and "SMOKE TEST" in out and "PROVENANCE" in out
    assert "!! HASH MISMATCH" in out
    assert "└─ quantized from acme/chat-assistant-7b" in out
    assert SCRIPT in out  # inert on a terminal, shown as the card wrote it
    assert clean("a\x1b[31mb") == "a?[31mb"
