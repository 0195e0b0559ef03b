"""The HTML report in a real browser (headless Debian chromium): inert, CSP-clean, screenshots and an A4 PDF.

Skipped only when chromium is not installed *and* ``CI`` is unset; in CI a missing browser is a failure
(.ci/run installs it: ``apt-get update && apt-get install -y chromium``). Artifacts go to test-artifacts/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sample_report import big_report, sample_report

from modelaudit.formats.html import HtmlFormatter

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
]


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("chromium is required in CI: apt-get update && apt-get install -y chromium")
    pytest.skip("chromium not installed (apt-get install -y chromium); CI runs this test")


def _run(chromium: str, tmp_path: Path, page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _console(stderr: str) -> list[str]:
    """Messages the page produced: console output, uncaught errors, CSP violations."""
    return [
        line
        for line in stderr.splitlines()
        if ":CONSOLE" in line
        or "Uncaught" in line
        or "Content Security Policy" in line
        or "Refused to" in line
    ]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(HtmlFormatter().render(sample_report()), encoding="utf-8")
    return path


def test_report_runs_no_script_and_logs_nothing(chromium: str, page: Path, tmp_path: Path) -> None:
    result = _run(chromium, tmp_path, page, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "License and provenance audit" in dom and "acme/chat-assistant-7b-q4" in dom
    # the payloads would set data-pwned on <body>; it may appear only as escaped text, never as an attribute
    assert "data-pwned" in dom
    assert not re.search(r"<[a-z][^<>]*\sdata-pwned=", dom)
    assert "<script" not in dom.lower() and "<img" not in dom.lower()
    assert "&lt;script&gt;" in dom and "&lt;img src=x onerror=" in dom
    assert _console(result.stderr) == []


def test_the_console_check_catches_violations(chromium: str, page: Path, tmp_path: Path) -> None:
    """Positive control: a tampered copy (script, image, edited stylesheet) must be reported."""
    html = page.read_text(encoding="utf-8")
    tampered = tmp_path / "tampered.html"
    tampered.write_text(
        html.replace("<main>", '<main><script>console.log("ran")</script><img src="x.png">', 1).replace(
            "--ink:#111827", "--ink:#111828", 1
        ),
        encoding="utf-8",
    )
    result = _run(chromium, tmp_path, tampered, "--dump-dom")
    messages = " ".join(_console(result.stderr))
    assert "script-src 'none'" in messages and "img-src 'none'" in messages and "style-src" in messages
    assert "ran" not in messages


def test_screenshots_and_a4_pdf(chromium: str, page: Path, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-screenshot.png"
    pdf = ARTIFACTS / "report.pdf"
    for target in (shot, pdf):
        target.unlink(missing_ok=True)
    result = _run(chromium, tmp_path, page, "--window-size=1280,2200", f"--screenshot={shot}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    result = _run(chromium, tmp_path, page, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert result.returncode == 0, result.stderr[-2000:]
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes, "no page boxes in the PDF"
    for w, h in boxes:  # A4 is 595.3 x 841.9 pt
        assert abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 2


def test_fifty_node_lineage_screenshot(chromium: str, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    big = tmp_path / "big.html"
    big.write_text(HtmlFormatter().render(big_report(50)), encoding="utf-8")
    shot = ARTIFACTS / "report-50-nodes.png"
    shot.unlink(missing_ok=True)
    result = _run(chromium, tmp_path, big, "--window-size=1280,2000", f"--screenshot={shot}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.stat().st_size > 20_000
    assert _console(result.stderr) == []
