"""Every speed-up the code keeps can be turned off (MODELAUDIT_NO_<NAME>=1) and then gives the same output:
the benchmark's A/B compares the same work done two ways."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from cli_run import run_cli
from modelaudit import speedups

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "modelaudit"


@pytest.fixture(scope="module")
def weights_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a valid safetensors file large enough for the hash pool, and a card."""
    import json

    folder = tmp_path_factory.mktemp("w")
    size = 6 * 1024 * 1024
    header = json.dumps({"w": {"dtype": "U8", "shape": [size], "data_offsets": [0, size]}}).encode()
    block = hashlib.sha256(b"w").digest() * (size // 32)
    (folder / "model.safetensors").write_bytes(len(header).to_bytes(8, "little") + header + block)
    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\n# w\n", encoding="utf-8")
    return folder


def _runs(weights: Path) -> list[tuple[int, str, str]]:
    env = {"SOURCE_DATE_EPOCH": "1767225600", "HF_HUB_OFFLINE": "1"}
    return [
        run_cli("scan", str(ROOT / "examples" / "tiny-chat"), "--offline", "-f", "json", env=env)[:2],
        run_cli("scan", str(weights), "--offline", "-f", "json", env=env)[:2],
        run_cli("verify", str(weights), "--offline", "-f", "json", env=env)[:2],
    ]


@pytest.mark.parametrize("name", sorted(speedups.SPEEDUPS))
def test_turning_a_speedup_off_changes_nothing_but_time(
    name: str, weights_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelaudit.licenses import db

    db._load.cache_clear()
    on = _runs(weights_folder)
    assert all(code == 0 for code, _out in on), on
    monkeypatch.setenv(f"MODELAUDIT_NO_{name}", "1")
    assert not speedups.enabled(name)
    db._load.cache_clear()
    try:
        assert _runs(weights_folder) == on
    finally:
        db._load.cache_clear()


def test_every_speedup_is_read_where_it_works_and_nowhere_else() -> None:
    used: dict[str, list[str]] = {}
    for path in SRC.rglob("*.py"):
        for name in re.findall(r'enabled\("([A-Z_]+)"\)', path.read_text(encoding="utf-8")):
            used.setdefault(name, []).append(path.name)
    assert set(used) == set(speedups.SPEEDUPS)
    switches = re.compile(r"MODELAUDIT_NO_(?!CACHE\b)")  # MODELAUDIT_NO_CACHE is --no-cache's variable
    readers = [p for p in SRC.rglob("*.py") if switches.search(p.read_text(encoding="utf-8"))]
    assert readers == [SRC / "speedups.py"]
    with pytest.raises(KeyError):
        speedups.enabled("NO_SUCH_SPEEDUP")
