"""The HTML report: self-contained, inert, strict CSP, every section a legal reader needs."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
from sample_report import BASE, DATASET, IMG, SCRIPT, SHA_BAD, SHA_GOOD, UNRESOLVED, big_report, sample_report

from modelaudit.formats.html import HtmlFormatter
from modelaudit.models import Verdict


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data


@pytest.fixture(scope="module")
def html() -> str:
    return HtmlFormatter().render(sample_report())


@pytest.fixture(scope="module")
def parsed(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    return p


def test_card_text_is_escaped_not_markup(html: str, parsed: _Tags) -> None:
    assert SCRIPT not in html and IMG not in html
    assert "&lt;script&gt;document.body.setAttribute(" in html
    assert "&lt;img src=x onerror=" in html
    tags = {t for t, _ in parsed.tags}
    assert "script" not in tags and "img" not in tags and "iframe" not in tags
    assert not any(k.startswith("on") for _, attrs in parsed.tags for k in attrs)


def test_csp_allows_exactly_our_stylesheet_and_nothing_else(parsed: _Tags) -> None:
    metas = [a for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    csp = metas[0]["content"] or ""
    assert "default-src 'none'" in csp and "script-src 'none'" in csp and "unsafe-inline" not in csp
    digest = base64.b64encode(hashlib.sha256(parsed.style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp


def test_self_contained_no_external_resources(parsed: _Tags) -> None:
    for tag, attrs in parsed.tags:
        assert "src" not in attrs, tag
        if tag == "link":
            raise AssertionError("no <link> elements: styles are inline")
        if tag == "a":
            href = attrs.get("href") or ""
            assert href.startswith(("#", "https://")), href


def test_sections_a_legal_reader_needs(html: str) -> None:
    for heading in (
        "1. Lineage",
        "2. Licenses",
        "3. Obligations",
        "4. Findings",
        "Waived findings",
        "5. File verification",
        "6. Smoke test",
        "Provenance",
        "May we use it commercially?",
        "What must we do?",
        "What is unresolved?",
    ):
        assert heading in html, heading
    assert 'class="banner fail"' in html
    assert "Not established" in html  # an unresolved dataset: fail closed, not "yes"


def test_waiver_reason_expiry_and_approver_are_shown(html: str) -> None:
    assert "ticket LEGAL-123" in html and "2027-06-30" in html and "j.doe@acme.example (Legal)" in html


def test_hash_mismatch_shows_expected_and_actual(html: str) -> None:
    row = re.search(r'<tr class="bad">.*?</tr>', html, re.S)
    assert row is not None
    assert SHA_GOOD in row.group(0) and SHA_BAD in row.group(0) and "HASH MISMATCH" in row.group(0)


def test_lineage_svg_is_inline_and_marks_unresolved_nodes(html: str) -> None:
    assert html.count("<svg") == 1
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert (
        "unresolved" in svg and UNRESOLVED in svg and BASE in svg and DATASET.removeprefix("datasets/") in svg
    )
    assert 'stroke-dasharray="5 3"' in svg


def test_licenses_link_to_their_texts(html: str) -> None:
    assert 'href="https://spdx.org/licenses/Apache-2.0.html"' in html
    assert 'href="https://spdx.org/licenses/CC-BY-NC-4.0.html"' in html
    assert f"https://huggingface.co/{BASE}/blob/" in html


def test_print_stylesheet_targets_a4(parsed: _Tags) -> None:
    assert "size:A4" in parsed.style
    assert "@media print" in parsed.style and "break-inside:avoid" in parsed.style


def test_passing_report_has_a_pass_banner() -> None:
    report = sample_report().model_copy(update={"verdict": Verdict.PASS})
    assert 'class="banner pass"' in HtmlFormatter().render(report)


def test_fifty_node_lineage_stays_small() -> None:
    out = HtmlFormatter().render(big_report(50))
    size = len(out.encode("utf-8"))
    print(f"HTML size for a 50-node lineage: {size} bytes")
    assert size < 400_000
    assert out.count('class="node ') == 50
