"""Progress: hashing is followed in bytes for bars; fleet runs print plain lines when stderr is not a TTY."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from _fleet_support import add_fleet, write_inventory

import modelaudit
from cli_run import run_cli
from fakehub import FakeHub
from modelaudit.fleet.inventory import load_inventory
from modelaudit.fleet.runner import FleetOptions, run_fleet
from modelaudit.pipeline import ScanOptions


def folder_model(path: Path, size: int) -> Path:
    path.mkdir()
    (path / "README.md").write_text("---\nlicense: mit\n---\nlocal\n", encoding="utf-8")
    (path / "config.json").write_text(json.dumps({"model_type": "llama"}), encoding="utf-8")
    (path / "data.bin").write_bytes(os.urandom(size))
    return path


def test_full_verification_reports_every_hashed_byte(tmp_path: Path) -> None:
    model = folder_model(tmp_path / "m", 3 * 1024 * 1024 + 17)
    calls: list[tuple[int, int]] = []
    report = modelaudit.scan(
        str(model), ScanOptions(verify="full"), hashing=lambda n, total: calls.append((n, total))
    )
    total = sum(f.stat().st_size for f in model.iterdir())
    assert calls[0] == (0, total)  # announced before hashing starts
    assert {t for _, t in calls} == {total}
    assert sum(n for n, _ in calls) == total
    assert report.node(report.target.id) is not None


def test_fleet_hashing_progress_is_per_model(tmp_path: Path) -> None:
    a = folder_model(tmp_path / "a", 1024 * 1024)
    b = folder_model(tmp_path / "b", 2 * 1024 * 1024)
    inv = load_inventory(write_inventory(tmp_path, [str(a), str(b)]))
    seen: dict[str, list[int]] = {}

    def hashing_for(spec: str) -> Callable[[int, int], None]:
        return lambda n, total: seen.setdefault(spec, []).append(n)

    run_fleet(inv, FleetOptions(scan=ScanOptions(verify="full")), None, None, hashing_for)
    sizes = {str(p): sum(f.stat().st_size for f in p.iterdir()) for p in (a, b)}
    assert {spec: sum(ns) for spec, ns in seen.items()} == sizes


def test_plain_progress_lines_when_not_a_terminal(fakehub: FakeHub, tmp_path: Path) -> None:
    ids = add_fleet(fakehub, 3)
    inventory = write_inventory(tmp_path, ids)
    code, stdout, stderr = run_cli(
        "fleet", "scan", str(inventory), "--db", str(tmp_path / "f.db"), "-o", str(tmp_path / "o")
    )
    assert code == 0
    assert "fleet: 3/3 models (3 rescanned, 0 not passing)" in stderr
    assert "\r" not in stderr and "\x1b[" not in stderr  # no bar drawing in a log
    assert stdout.startswith("fleet run 1: 3 model(s): 3 pass, 0 fail, 0 not audited")
