"""The JSON report's byte-level contract: keys sorted at every level, stable through `modelaudit report`,
and report files written with the user's umask (not mkstemp's 0600)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sample_report import sample_report

from cli_run import run_cli
from modelaudit.formats import get_formatter

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _objects(value: Any, where: str = "$") -> Iterator[tuple[str, list[str]]]:
    """(JSON path, keys in document order) of every object in ``value``."""
    if isinstance(value, dict):
        yield where, list(value)
        for key, item in value.items():
            yield from _objects(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _objects(item, f"{where}[{i}]")


def _pairs_keep_order(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return dict(pairs)


def test_keys_are_sorted_at_every_level() -> None:
    text = get_formatter("json").render(sample_report())
    data = json.loads(text, object_pairs_hook=_pairs_keep_order)
    objects = list(_objects(data))
    assert len(objects) > 50  # the sample report is rich: nodes, licenses, evidence, findings, waivers
    unsorted = [(where, keys) for where, keys in objects if keys != sorted(keys)]
    assert unsorted == []
    assert list(data["policy"]) == ["fail_on", "name", "role"]


def test_report_command_re_renders_the_same_bytes(tmp_path: Path) -> None:
    original = get_formatter("json").render(sample_report())
    saved = tmp_path / "scan.json"
    saved.write_text(original, encoding="utf-8")
    code, out, err = run_cli("report", str(saved), "-f", "json")
    assert code == 0, err
    assert out == original
    code, _, err = run_cli("report", str(saved), "-f", "json", "-f", "md", "-o", str(tmp_path / "out"))
    assert code == 0, err
    (written,) = (tmp_path / "out").glob("*.json")
    assert written.read_text(encoding="utf-8") == original


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_report_files_follow_the_umask(umask: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES.parent)
    single = tmp_path / "single.json"
    folder = tmp_path / "folder"
    old = os.umask(umask)
    try:
        code, _, err = run_cli(
            "scan", "examples/tiny-chat", "--offline", "-f", "json", "-o", str(single), "-q"
        )
        assert code == 0, err
        code, _, err = run_cli("report", str(single), "-f", "json", "-f", "md", "-o", str(folder))
        assert code == 0, err
    finally:
        os.umask(old)
    written = [single, *sorted(folder.iterdir())]
    assert len(written) == 3
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path.name
    assert not [p for p in tmp_path.rglob(".*.tmp")]  # no temporary file left behind
