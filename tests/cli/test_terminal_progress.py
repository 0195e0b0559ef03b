"""Progress of `modelaudit scan` on a terminal: stage lines, and a bar in bytes while --verify full hashes.

The unit tests drive :class:`TerminalProgress` as the pipeline does (stages from the scan, bytes from the
hashing threads). The end-to-end test runs the real command with stderr on a pseudo-terminal, the only way
to see what a user sees; stdout (the report) is a pipe and must carry the report alone.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

from modelaudit.cli._progress import TerminalProgress

MiB = 1024 * 1024


def test_stages_then_a_bytes_bar_that_takes_over_the_stage_line() -> None:
    out = io.StringIO()
    progress = TerminalProgress(out)
    progress.stage("resolving ./m")
    assert "… resolving ./m" in out.getvalue() and progress.bar is None
    progress.hashing(0, 4 * MiB)
    assert progress.bar is not None and progress.bar.total == 4 * MiB

    def hash_half() -> None:
        for _ in range(2):
            progress.hashing(MiB, 4 * MiB)

    threads = [threading.Thread(target=hash_half) for _ in range(2)]  # as the hashing pool calls it
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert progress.bar.n == 4 * MiB
    progress.stage("fingerprinting weights")
    assert progress.bar.desc.startswith("fingerprinting weights")
    written = len(out.getvalue())
    progress.stage("applying policy")  # hashing has ended by then: the bar goes, the line is cleared
    assert progress.bar is None and out.getvalue()[written:].endswith("\r\033[K")


def test_a_second_target_adds_to_the_same_bar() -> None:
    progress = TerminalProgress(io.StringIO())
    progress.hashing(0, 10)
    progress.hashing(10, 10)
    progress.hashing(0, 30)
    assert progress.bar is not None and progress.bar.total == 40 and progress.bar.n == 10
    progress.close()
    assert progress.bar is None
    progress.close()  # twice is harmless


def test_scan_on_a_terminal_shows_the_hashing_bar_and_keeps_stdout_clean(tmp_path: Path) -> None:
    model = tmp_path / "m"
    model.mkdir()
    (model / "README.md").write_text("---\nlicense: apache-2.0\n---\n", encoding="utf-8")
    header = json.dumps({"w": {"dtype": "U8", "shape": [8 * MiB], "data_offsets": [0, 8 * MiB]}}).encode()
    (model / "model.safetensors").write_bytes(len(header).to_bytes(8, "little") + header + bytes(8 * MiB))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("CI", None)
    leader, follower = pty.openpty()
    # a terminal 120 columns wide (a fresh pseudo-terminal has size 0 x 0, where tqdm draws nothing)
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "modelaudit", "scan", str(model), "--verify", "full", "-f", "json"],
            stdout=subprocess.PIPE,
            stderr=follower,
            env=env,
            cwd=tmp_path,
        )
        os.close(follower)
        chunks: list[bytes] = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal is gone once the command exits
                break
            if not data:
                break
            chunks.append(data)
        stdout, _ = proc.communicate(timeout=120)
    finally:
        os.close(leader)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0, terminal
    assert "verifying files (full):" in terminal and "%|" in terminal, repr(terminal)  # tqdm, in bytes
    assert "crawling lineage" in terminal and ": PASS under policy" in terminal
    report = json.loads(stdout)  # stdout is the report alone
    files = {f["path"]: f for n in report["nodes"] for f in n["files"]}
    assert files["model.safetensors"]["sha256_actual"]
