"""Network fault matrix: each fault injected into the fake Hub, one real ``modelaudit scan`` per fault.

Shared by ``test_robust_network.py`` and ``benchmarks/robustness.py``. A scan under a fault must end in
exit 2 with a clear message, or in a report whose findings show what could not be read. A report that
looks like the fault-free one although the fault never went away is a **silent pass** (the target is
none). Transient faults (once, then fine) are expected to be recovered from by bounded retries.

The scenario: ``acme/model`` (card: apache-2.0, base_model ``acme/base``; a small safetensors file)
fine-tuned from ``acme/base`` (apache-2.0). Faults hit the target's metadata, its parent's metadata or its
weights (read through HTTP range requests in ``--verify headers`` mode, the default for Hub targets).
"""

from __future__ import annotations

import contextlib
import json
import struct
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from fakehub import FakeHub

TARGET = "acme/model"
PARENT = "acme/base"
TIMEOUT = 0.4  # --timeout: seconds per request
DEADLINE = 2.0  # --deadline: seconds for all Hub requests of the scan
FAKE_TOKEN = "hf_FAKEsecretTOKENforROBUSTNESStests0123"


def safetensors_bytes() -> bytes:
    header = json.dumps(
        {"__metadata__": {"format": "pt"}, "w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}
    ).encode()
    return struct.pack("<Q", len(header)) + header + bytes(16)


def add_scenario(hub: FakeHub) -> None:
    hub.add_repo(
        PARENT,
        {"README.md": "---\nlicense: apache-2.0\n---\n# base\n", "config.json": '{"model_type": "llama"}'},
    )
    hub.add_repo(
        TARGET,
        {
            "README.md": f"---\nlicense: apache-2.0\nbase_model: {PARENT}\n---\n# fine-tune\n",
            "config.json": '{"model_type": "llama"}',
            "model.safetensors": safetensors_bytes(),
        },
    )


@contextlib.contextmanager
def hub_environment(tmp: Path, *, token: str | None = None) -> Iterator[FakeHub]:
    """What the ``hf_env`` + ``fakehub`` fixtures do, usable outside pytest (the benchmark) as well."""
    from huggingface_hub import constants
    from huggingface_hub.utils import close_session

    from modelaudit.sources.hub import HubSource

    mp = pytest.MonkeyPatch()
    hub = FakeHub()
    try:
        home, cache = tmp / "hf-home", tmp / "hf-cache"
        home.mkdir(parents=True, exist_ok=True)
        cache.mkdir(parents=True, exist_ok=True)
        for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE", "MODELAUDIT_DEADLINE"):
            mp.delenv(name, raising=False)
        if token:
            mp.setenv("HF_TOKEN", token)
        env = {
            "HF_HOME": str(home),
            "HF_HUB_CACHE": str(cache),
            "HF_HUB_DISABLE_XET": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_DISABLE_PROGRESS_BARS": "1",
            "MODELAUDIT_CACHE_DIR": str(tmp / "modelaudit-cache"),
            "NO_PROXY": "127.0.0.1,localhost",
            "HF_ENDPOINT": hub.url,
            "SOURCE_DATE_EPOCH": "1767225600",
        }
        for key, value in env.items():
            mp.setenv(key, value)
        for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
            mp.delenv(proxy, raising=False)
        for attr, value in {
            "HF_HOME": str(home),
            "HF_HUB_CACHE": str(cache),
            "HF_HUB_OFFLINE": False,
            "HF_HUB_DISABLE_XET": True,
            "HF_HUB_DISABLE_TELEMETRY": True,
            "HF_TOKEN_PATH": str(home / "token"),
            "HF_STORED_TOKENS_PATH": str(home / "stored_tokens"),
            "ENDPOINT": hub.url,
            "HUGGINGFACE_CO_URL_TEMPLATE": hub.url + "/{repo_id}/resolve/{revision}/{filename}",
        }.items():
            mp.setattr(constants, attr, value)
        # quick retries for the matrix: backoff 0.1 s doubling; a server's Retry-After is honoured up to 0.5 s
        mp.setattr(
            HubSource.__init__,
            "__kwdefaults__",
            {**(HubSource.__init__.__kwdefaults__ or {}), "retry_backoff": 0.1, "max_retry_wait": 0.5},
        )
        hub.cache_dir = cache
        close_session()
        yield hub
    finally:
        from huggingface_hub.utils import close_session as _close

        _close()
        hub.close()
        mp.undo()


def run_cli(*args: str) -> tuple[int, str, str]:
    """The real entry point in-process: exit code, stdout, stderr."""
    from modelaudit.cli.main import main

    code: int | str | None = 0
    with CliRunner().isolation() as (out, err, _):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
    return int(code or 0), out.getvalue().decode(), err.getvalue().decode()


def scan_args(target: str = TARGET, *extra: str, timeout: float = TIMEOUT) -> list[str]:
    return [
        "scan",
        target,
        "-f",
        "json",
        "--no-cache",
        "-q",
        "--timeout",
        str(timeout),
        "--deadline",
        str(DEADLINE),
        *extra,
    ]


@dataclass(frozen=True)
class NetFault:
    name: str
    inject: Callable[[FakeHub], None]
    transient: bool = False  # goes away after a retry or two: recovering is the right outcome
    policy: str = "default"
    timeout: float = TIMEOUT  # --timeout (per request) for this scan


def _redirect_loop(hub: FakeHub) -> None:
    hub.inject(
        "info", repo=TARGET, status=302, headers={"Location": f"{hub.url}/api/models/{TARGET}"}, times=None
    )


def _latency(hub: FakeHub) -> None:
    hub.latency = 0.2


FAULTS: list[NetFault] = [
    NetFault("latency 0.2 s on every request", _latency, transient=True),
    NetFault(
        "429 once (Retry-After: 1)", lambda h: h.rate_limit("info", repo=TARGET, reset=1), transient=True
    ),
    NetFault(
        "429 on every request (Retry-After: 1)",
        lambda h: h.rate_limit("info", repo=TARGET, reset=1, times=None),
    ),
    NetFault(
        "429 with Retry-After: 3600",
        lambda h: h.rate_limit("info", repo=TARGET, reset=3600, times=None),
    ),
    NetFault("503 once", lambda h: h.inject("info", repo=TARGET, status=503), transient=True),
    NetFault("500 on every request", lambda h: h.inject("info", repo=TARGET, status=500, times=None)),
    NetFault("connection reset once", lambda h: h.inject("info", repo=TARGET, drop=True), transient=True),
    NetFault(
        "connection reset on every request", lambda h: h.inject("info", repo=TARGET, drop=True, times=None)
    ),
    NetFault("truncated body (API JSON)", lambda h: h.inject("info", repo=TARGET, truncate=True, times=None)),
    NetFault(
        "Content-Length 100 bytes too long",
        lambda h: h.inject("info", repo=TARGET, length_delta=100, times=None),
    ),
    NetFault(
        "Content-Length 20 bytes too short",
        lambda h: h.inject("info", repo=TARGET, length_delta=-20, times=None),
    ),
    NetFault("redirect loop", _redirect_loop),
    NetFault(
        "server never answers (per-request timeout)",
        lambda h: h.inject("info", repo=TARGET, delay=60, times=None),
    ),
    NetFault(
        "server never answers (overall deadline)",
        lambda h: h.inject("info", repo=TARGET, delay=60, times=None),
        timeout=30.0,
    ),
    NetFault("parent: 500 on every request", lambda h: h.inject("info", repo=PARENT, status=500, times=None)),
    NetFault("parent: never answers", lambda h: h.inject("info", repo=PARENT, delay=60, times=None)),
    NetFault(
        "parent: never answers, strict-ci",
        lambda h: h.inject("info", repo=PARENT, delay=60, times=None),
        policy="strict-ci",
    ),
    NetFault(
        "parent: 404 not found",
        lambda h: h.inject("info", repo=PARENT, status=404, error_code="RepoNotFound", times=None),
    ),
    NetFault(
        "weights: truncated range reads",
        lambda h: h.inject(server="cdn", path="model.safetensors", truncate=True, times=None),
    ),
    NetFault(
        "weights: 500 on every read",
        lambda h: h.inject(server="cdn", path="model.safetensors", status=500, times=None),
    ),
    NetFault(
        "weights: connection reset on every read",
        lambda h: h.inject(server="cdn", path="model.safetensors", drop=True, times=None),
    ),
    NetFault(
        "weights: Content-Length 40 bytes too short",
        lambda h: h.inject(server="cdn", path="model.safetensors", length_delta=-40, times=None),
    ),
]


@dataclass
class FaultResult:
    fault: str
    code: int
    outcome: str  # "exit 2" | "finding" | "recovered" | "silent pass"
    verdict: str
    detail: str
    seconds: float
    findings: list[str] = field(default_factory=list)
    stderr: str = ""
    report: dict[str, object] | None = None

    @property
    def silent_pass(self) -> bool:
        return self.outcome == "silent pass"


def _finding_keys(report: dict[str, object]) -> set[str]:
    findings = report.get("findings")
    assert isinstance(findings, list)
    return {f"{f['name']}@{f['node']}" for f in findings}


_CLEAN: dict[str, set[str]] = {}


def clean_findings(policy: str) -> set[str]:
    """Findings of the fault-free scan (computed once per policy)."""
    if policy not in _CLEAN:
        with tempfile.TemporaryDirectory() as tmp, hub_environment(Path(tmp)) as hub:
            add_scenario(hub)
            code, out, err = run_cli(*scan_args(TARGET, "--policy", policy))
            assert code in (0, 1), err
            _CLEAN[policy] = _finding_keys(json.loads(out))
    return _CLEAN[policy]


def run_fault(fault: NetFault) -> FaultResult:
    baseline = clean_findings(fault.policy)
    with tempfile.TemporaryDirectory() as tmp, hub_environment(Path(tmp)) as hub:
        add_scenario(hub)
        fault.inject(hub)
        start = time.monotonic()
        code, out, err = run_cli(*scan_args(TARGET, "--policy", fault.policy, timeout=fault.timeout))
        took = time.monotonic() - start
    if code not in (0, 1):
        first = next((line for line in err.splitlines() if line.startswith("error:")), err.strip()[:200])
        return FaultResult(fault.name, code, f"exit {code}", f"exit {code}", first, took, stderr=err)
    report = json.loads(out)
    new = sorted(_finding_keys(report) - baseline)
    verdict = str(report["verdict"])
    if new:
        messages = [f["message"] for f in report["findings"] if f"{f['name']}@{f['node']}" in new]  # type: ignore[index, union-attr]
        outcome, detail = "finding", f"{', '.join(new)}: {messages[0]}"
    elif fault.transient:
        outcome, detail = "recovered", "same report as without the fault (retried)"
    else:
        outcome, detail = "silent pass", "same report as without the fault"
    return FaultResult(fault.name, code, outcome, verdict, detail, took, new, err, report)
