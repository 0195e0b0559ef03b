"""The fleet dashboard: self-contained, same CSP as the model report, readable without JS, in Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from _fleet_support import add_fleet, write_inventory

from cli_run import run_cli
from fakehub import FakeHub

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


@pytest.fixture
def fleet_out(fakehub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    ids = add_fleet(fakehub, 6)
    inventory = write_inventory(tmp_path, [*ids, "team/missing"], policy="commercial")
    out = tmp_path / "out"
    code, _stdout, stderr = run_cli(
        "fleet", "scan", str(inventory), "--db", str(tmp_path / "fleet.db"), "-o", str(out), "-q"
    )
    assert code == 2, stderr  # team/missing cannot be audited
    return out


def test_dashboard_content_links_and_policy(fleet_out: Path, tmp_path: Path) -> None:
    html = (fleet_out / "dashboard.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<img" not in html.lower()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp is not None
    policy = unescape(csp.group(1))
    assert "default-src 'none'" in policy and "script-src 'none'" in policy and "img-src 'none'" in policy
    # totals: 7 models: 4 pass (apache and mit lines), 2 fail (the non-commercial line), 1 not audited
    assert re.search(r'<div class="n">7</div><div class="l">models</div>', html)
    assert re.search(r'<div class="n">2</div><div class="l">fail</div>', html)
    assert re.search(r'<div class="n">1</div><div class="l">not audited</div>', html)
    assert html.count('href="models/team__ft-0.html"') == 4  # one row per sort order
    for n in range(6):
        assert (fleet_out / "models" / f"team__ft-{n}.html").is_file()
    # most shared ancestors: each base serves two models
    ancestors = html.split('id="ancestors"', 1)[1]
    assert re.search(r"base/apache-base</td><td class=\"num\">2</td>", ancestors)
    # the same page from the store, by `fleet dashboard`
    code, page, _err = run_cli("fleet", "dashboard", "--db", str(tmp_path / "fleet.db"))
    assert code == 0 and page == html


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("chromium is required in CI: apt-get update && apt-get install -y chromium")
    pytest.skip("chromium not installed (apt-get install -y chromium); CI runs this test")


def _console(stderr: str) -> list[str]:
    return [
        line
        for line in stderr.splitlines()
        if ":CONSOLE" in line or "Uncaught" in line or "Content Security Policy" in line or "Refused to" in line
    ]


@pytest.mark.browser
def test_dashboard_in_chromium_is_csp_clean_and_screenshots(fleet_out: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    page = fleet_out / "dashboard.html"

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
        return subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    result = run("--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Model fleet audit" in result.stdout and "team/ft-0" in result.stdout
    assert _console(result.stderr) == []
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "fleet-dashboard.png"
    shot.unlink(missing_ok=True)
    result = run("--window-size=1280,1400", f"--screenshot={shot}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    assert _console(result.stderr) == []


@pytest.mark.browser
def test_the_console_check_catches_a_tampered_dashboard(fleet_out: Path, tmp_path: Path) -> None:
    """Positive control: the same check reports a script and an edited stylesheet."""
    chromium = _chromium()
    html = (fleet_out / "dashboard.html").read_text(encoding="utf-8")
    tampered = tmp_path / "tampered.html"
    tampered.write_text(
        html.replace("<main>", '<main><script>console.log("ran")</script>', 1).replace("--ink:#111827", "--ink:#111828", 1),
        encoding="utf-8",
    )
    result = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={tmp_path / 'p'}", "--dump-dom", tampered.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = " ".join(_console(result.stderr))
    assert "script-src 'none'" in messages and "style-src" in messages
