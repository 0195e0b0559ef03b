"""``fleet scan --engine ray --ray-address``: joining a Ray cluster that is already running.

The head is a real one, started the way an operator starts it (``ray start --head``, token authentication
on, as Ray enables it by default), in a temporary folder of its own so that stopping it touches no other
Ray instance on the machine. The fleet runs in a fresh ``modelaudit`` process with ``RAY_AUTH_MODE`` unset,
as a user's shell would have it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

if importlib.util.find_spec("ray") is None:
    if os.environ.get("CI"):
        pytest.fail("ray is required in CI (it is in the [dev] extra)", pytrace=False)
    pytest.skip("ray not installed (pip install -e '.[ray]'); CI runs these tests", allow_module_level=True)

RAY = Path(sys.executable).with_name("ray")


# Ports Ray's other components take by default (dashboard agent, dashboard, client server, GCS): a head
# whose --port is one of them refuses to start, and the kernel's ephemeral range includes 52365.
RAY_DEFAULT_PORTS = frozenset({52365, 8265, 10001, 6379})


def free_port() -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in RAY_DEFAULT_PORTS and not 10002 <= port <= 19999:  # 10002-19999: Ray's worker ports
            return port


def stop_processes_under(folder: str) -> None:
    """Kill every process whose command line names ``folder`` (the head's temp dir), then their workers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        subprocess.run(["pkill", f"-{sig.value}", "-f", folder], check=False)
        time.sleep(1)


@pytest.fixture
def ray_head() -> Iterator[str]:
    # short: Ray puts unix sockets under it, and socket paths are limited to ~107 bytes
    temp = tempfile.mkdtemp(prefix="mar-", dir="/tmp")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_ADDRESS")}
    env.pop("RAY_AUTH_MODE", None)
    cmd = [
        str(RAY), "start", "--head", f"--port={port}", "--node-ip-address=127.0.0.1", "--num-cpus=2",
        "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp}",
    ]  # fmt: skip
    try:  # a `ray start` that times out leaves its processes running too: the cleanup below covers it
        started = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert started.returncode == 0, started.stdout[-2000:] + started.stderr[-2000:]
        yield f"127.0.0.1:{port}"
    finally:
        stop_processes_under(temp)
        subprocess.run(["rm", "-rf", temp], check=False)


@pytest.mark.slow
def test_fleet_joins_a_running_cluster_with_token_auth(ray_head: str, tmp_path: Path) -> None:
    for name, license_id in (("apache-ft", "apache-2.0"), ("nc-ft", "cc-by-nc-4.0")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "README.md").write_text(
            f"---\nlicense: {license_id}\n---\nA local model.\n", encoding="utf-8"
        )
    (tmp_path / "fleet.txt").write_text("apache-ft\nnc-ft\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in {"RAY_AUTH_MODE", "RAY_ADDRESS"}}
    env["HF_HUB_OFFLINE"] = "1"
    cmd = [
        sys.executable, "-m", "modelaudit", "fleet", "scan", "fleet.txt", "--engine", "ray",
        "--ray-address", ray_head, "--offline", "--db", "fleet.db", "-o", "out", "-f", "json",
        "--policy", "commercial",
    ]  # fmt: skip
    run = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=400, check=False)
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-3000:]  # nc-ft fails the commercial policy
    assert "could not join" not in run.stderr
    reports = {p.name: json.loads(p.read_text()) for p in (tmp_path / "out" / "models").glob("*.json")}
    verdicts = {name.split(".")[0]: r["verdict"] for name, r in reports.items()}
    assert verdicts == {"apache-ft": "pass", "nc-ft": "fail"}, verdicts


def test_a_token_at_hand_switches_token_mode_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelaudit.fleet.ray_engine import use_cluster_token

    monkeypatch.delenv("RAY_AUTH_MODE", raising=False)
    monkeypatch.delenv("RAY_AUTH_TOKEN", raising=False)
    monkeypatch.setenv("RAY_AUTH_TOKEN_PATH", str(tmp_path / "missing"))
    use_cluster_token()
    assert "RAY_AUTH_MODE" not in os.environ  # no token: the mode is left to Ray

    (tmp_path / "token").write_text("t" * 32, encoding="utf-8")
    monkeypatch.setenv("RAY_AUTH_TOKEN_PATH", str(tmp_path / "token"))
    use_cluster_token()
    assert os.environ["RAY_AUTH_MODE"] == "token"

    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")  # an explicit choice is kept
    use_cluster_token()
    assert os.environ["RAY_AUTH_MODE"] == "disabled"
