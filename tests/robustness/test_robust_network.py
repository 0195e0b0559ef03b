"""Network faults through the fake Hub: every fault ends in exit 2 with a clear message or in a finding.

The matrix itself (``_robust_faults.FAULTS``) runs one real ``modelaudit scan`` per fault; the other tests
pin down the retry and deadline behaviour of ``HubSource`` precisely.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from _robust_faults import (
    DEADLINE,
    FAULTS,
    PARENT,
    TARGET,
    NetFault,
    add_scenario,
    run_cli,
    run_fault,
    scan_args,
)

from fakehub import FakeHub
from modelaudit.errors import NetworkError
from modelaudit.models import RepoRef
from modelaudit.sources.hub import HubSource

SLOW = {"server never answers (per-request timeout)", "server never answers (overall deadline)"}
SLOW |= {f.name for f in FAULTS if "never answers" in f.name or "every request (Retry-After" in f.name}


@pytest.mark.parametrize(
    "fault",
    [pytest.param(f, marks=pytest.mark.slow) if f.name in SLOW else f for f in FAULTS],
    ids=[f.name for f in FAULTS],
)
def test_fault_never_passes_silently(fault: NetFault) -> None:
    result = run_fault(fault)
    assert not result.silent_pass, result
    if result.outcome.startswith("exit"):
        assert result.code == 2, result
        assert result.detail.startswith(f"error: {TARGET}: "), result.detail  # names the repo
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    elif fault.transient:
        assert result.outcome in ("recovered", "finding"), result
    else:
        assert result.outcome == "finding", result
        assert result.findings, result
    if fault.policy == "strict-ci" and not fault.transient:
        assert result.verdict in ("fail", "exit 2"), result


def test_deadline_bounds_a_server_that_never_answers(fakehub: FakeHub) -> None:
    """With a per-request timeout longer than the deadline, the deadline ends the scan, saying so."""
    add_scenario(fakehub)
    fakehub.inject("info", repo=TARGET, delay=30, times=None)
    start = time.monotonic()
    code, _out, err = run_cli(*scan_args(TARGET, timeout=20.0))
    took = time.monotonic() - start
    assert code == 2
    assert "timed out: the overall deadline of" in err and TARGET in err
    assert took < 20  # ended by --deadline, not by the 20 s request timeout (nor by the 30 s server delay)
    assert DEADLINE < 20


def test_retry_after_is_respected_and_bounded(fakehub: FakeHub) -> None:
    add_scenario(fakehub)
    fakehub.rate_limit("info", repo=TARGET, reset=7, times=None)
    waits: list[float] = []
    source = HubSource(endpoint=fakehub.url, retries=3, max_retry_wait=5.0, sleep=waits.append)
    with pytest.raises(NetworkError, match=r"rate limited \(429\), gave up after 4 attempt"):
        source.fetch(RepoRef(repo_id=TARGET))
    assert waits == [5.0, 5.0, 5.0]  # Retry-After 7 honoured, capped at max_retry_wait, three retries
    assert fakehub.count("info", repo=TARGET) == 4


def test_retry_that_cannot_finish_before_the_deadline_is_not_attempted(fakehub: FakeHub) -> None:
    add_scenario(fakehub)
    fakehub.rate_limit("info", repo=TARGET, reset=60, times=None)
    waits: list[float] = []
    source = HubSource(endpoint=fakehub.url, max_retry_wait=60.0, deadline=5.0, sleep=waits.append)
    with pytest.raises(NetworkError, match=r"timed out: the overall deadline of 5s ran out.*rate limited"):
        source.fetch(RepoRef(repo_id=TARGET))
    assert waits == []
    assert fakehub.count("info", repo=TARGET) == 1


def test_5xx_backoff_doubles_and_stops(fakehub: FakeHub) -> None:
    add_scenario(fakehub)
    fakehub.inject("info", repo=TARGET, status=502, times=None)
    waits: list[float] = []
    source = HubSource(endpoint=fakehub.url, retries=3, retry_backoff=0.5, max_retry_wait=30.0, sleep=waits.append)
    with pytest.raises(NetworkError, match=r"HTTP 502, gave up after 4 attempt"):
        source.fetch(RepoRef(repo_id=TARGET))
    assert waits == [0.5, 1.0, 2.0]


def test_no_request_starts_after_the_deadline(fakehub: FakeHub) -> None:
    add_scenario(fakehub)
    source = HubSource(endpoint=fakehub.url, deadline=0.1)
    time.sleep(0.2)
    with pytest.raises(NetworkError, match=r"overall deadline of 0.1s ran out"):
        source.fetch(RepoRef(repo_id=PARENT))
    assert fakehub.count() == 0


def test_deadline_cuts_each_request_timeout(fakehub: FakeHub) -> None:
    source = HubSource(endpoint=fakehub.url, timeout=10.0, deadline=2.0)
    assert 0 < source._request_timeout() <= 2.0
    assert HubSource(endpoint=fakehub.url, timeout=3.0)._request_timeout() == 3.0


def test_unreachable_endpoint_is_exit_2(hf_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    code, out, err = run_cli("scan", TARGET, "--no-cache", "-q", "--timeout", "0.5", "--deadline", "3")
    assert code == 2 and out == ""
    assert f"error: {TARGET}: audit incomplete" in err and "network error" in err
