"""``modelaudit report REPORT.json -f FORMAT [-o DIR]``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sample_report import sample_report

from modelaudit.cli.main import main


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "scan.json"
    path.write_text(sample_report().model_dump_json(indent=2))
    return path


def test_one_format_goes_to_stdout(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["report", str(saved), "-f", "md"], capsys)
    assert code == 0 and out.startswith("## ❌ modelaudit: FAIL")


def test_json_round_trip_is_identical(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from modelaudit.formats import get_formatter

    code, out, _ = _run(["report", str(saved), "-f", "json"], capsys)
    assert code == 0 and out == get_formatter("json").render(sample_report())


def test_several_formats_into_a_folder(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "out"
    code, out, err = _run(
        ["report", str(saved), "-f", "html", "-f", "spdx", "-f", "cyclonedx", "-o", str(dest)], capsys
    )
    assert code == 0 and out == ""
    names = sorted(p.name for p in dest.iterdir())
    assert names == [
        "acme__chat-assistant-7b-q4.cdx.json",
        "acme__chat-assistant-7b-q4.html",
        "acme__chat-assistant-7b-q4.spdx.json",
    ]
    assert "wrote" in err


def test_single_format_with_o_is_still_a_folder(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "one"
    code, _, _ = _run(["report", str(saved), "-f", "text", "-o", str(dest)], capsys)
    assert code == 0 and (dest / "acme__chat-assistant-7b-q4.txt").is_file()


def test_default_folder_is_reports_org__name(
    saved: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, _ = _run(["report", str(saved), "-f", "md", "-f", "text"], capsys)
    assert code == 0
    folder = tmp_path / "reports" / "acme__chat-assistant-7b-q4"
    assert sorted(p.name for p in folder.iterdir()) == [
        "acme__chat-assistant-7b-q4.md",
        "acme__chat-assistant-7b-q4.txt",
    ]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected an object"),
        (json.dumps({"schema_version": "9"}), "schema_version"),
        (json.dumps({"schema_version": "1", "tool": {}}), "not a valid modelaudit report"),
    ],
)
def test_malformed_reports_exit_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, words: str
) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text(content)
    code, out, err = _run(["report", str(bad), "-f", "html"], capsys)
    assert code == 2 and out == ""
    assert str(bad) in err and words in err
    assert "Traceback" not in err


def test_missing_file_and_unknown_format_exit_2(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(["report", str(tmp_path / "nope.json")], capsys)
    assert code == 2 and "nope.json: no such file" in err
    code, _, err = _run(["report", str(saved), "-f", "pdf"], capsys)
    assert code == 2 and "unknown report format 'pdf'" in err
