"""`modelaudit licenses list|show|identify`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from modelaudit.cli.main import cli


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    res = CliRunner().invoke(cli, list(args), input=input)
    return res.exit_code, res.output


def test_list_shows_id_category_osi_commercial() -> None:
    code, out = run("licenses", "list")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("llama3.1 "))
    assert "restrictive" in row and "conditional" in row and " no " in row
    code, out = run("licenses", "list", "--all", "-f", "json")
    rows = json.loads(out)
    assert any(r["id"] == "0BSD" and r["origin"] == "spdx" for r in rows)


def test_show_explains_obligations_with_sources() -> None:
    code, out = run("licenses", "show", "Llama 3.2 Community License")
    assert code == 0
    assert "Built with Llama" in out and "700,000,000" in out and "eu-multimodal" in out
    assert "sources:" in out and "ml-licenses.md" in out
    code, out = run("licenses", "show", "qwen", "-f", "json")
    data = json.loads(out)
    assert data["id"] == "qwen" and any(o["kind"] == "built-with" for o in data["obligations_in_words"])


def test_show_unknown_id_is_a_usage_error() -> None:
    res = CliRunner().invoke(cli, ["licenses", "show", "no-such-license"], standalone_mode=False)
    assert res.exception is not None and "unknown license" in str(res.exception)


def test_identify_file(tmp_path: Path, corpus: Path) -> None:
    f = tmp_path / "LICENSE"
    f.write_text((corpus / "cc-by-nc-sa-4.0.txt").read_text(encoding="utf-8").replace("\n", "\r\n"))
    code, out = run("licenses", "identify", str(f), "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert data["id"] == "CC-BY-NC-SA-4.0" and data["confidence"] > 0.8 and data["evidence"]
    code, out = run("licenses", "identify", str(f))
    assert "CC-BY-NC-SA-4.0" in out and "confidence" in out


def test_identify_unknown_and_stdin(tmp_path: Path) -> None:
    f = tmp_path / "LICENSE"
    f.write_text("All rights reserved by nobody in particular, for no reason at all. " * 10)
    code, out = run("licenses", "identify", str(f))
    assert code == 0 and "unknown license" in out
    code, out = run("licenses", "identify", "-", input="MIT License\n")
    assert "MIT" in out


def test_identify_unknown_names_the_best_candidate(tmp_path: Path, corpus: Path) -> None:
    f = tmp_path / "LICENSE"
    # the first fifth of the MIT text: too little to name it, enough to point at it
    mit = (corpus / "mit.txt").read_text(encoding="utf-8")
    f.write_text(" ".join(mit.split()[:40]) + "\n" + "Local terms of our own follow. " * 30)
    code, out = run("licenses", "identify", str(f))
    assert code == 0 and "unknown license (best candidate MIT, score 0." in out
    code, out = run("licenses", "identify", str(f), "-f", "json")
    data = json.loads(out)
    assert data["id"] is None and data["candidate"] == "MIT" and 0 < data["candidate_score"] < 0.75


def test_identify_a_file_with_several_licenses(tmp_path: Path, corpus: Path) -> None:
    f = tmp_path / "LICENSE"
    f.write_text(
        (corpus / "mit.txt").read_text(encoding="utf-8")
        + "\n\nBundled code:\n\n"
        + (corpus / "apache-2.0.txt").read_text(encoding="utf-8")
    )
    code, out = run("licenses", "identify", str(f), "-f", "json")
    data = json.loads(out)
    assert code == 0 and data["id"] == "Apache-2.0 AND MIT" and data["licenses"] == ["Apache-2.0", "MIT"]
    assert data["method"] == "spdx" and data["confidence"] >= 0.75
