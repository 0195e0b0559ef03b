"""An incomplete audit never passes.

When a repo of the lineage cannot be read after every retry (5xx forever, a server that never answers,
the overall deadline, connections reset), the scan ends with exit 2 and says the audit is incomplete,
naming the repos, under every ready policy. ``--allow-incomplete`` turns that into a warning finding.
A parent that is not found or gated is not "incomplete": it stays a ``lineage-unresolved`` finding whose
severity the policy decides.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from cli_run import run_cli
from fakehub import FakeHub
from modelaudit.models import Severity
from modelaudit.policy.model import load_policy
from modelaudit.sources.hub import HubSource

POLICIES = ["default", "permissive-only", "commercial", "research", "strict-ci"]
TARGET = "acme/chat"
PARENT = "acme/base"


@pytest.fixture
def hub(fakehub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    # retries still happen (and are counted below), only the back-off sleeps between them are skipped
    monkeypatch.setattr(HubSource, "_wait_for", lambda self, exc, attempt: 0.0)
    fakehub.add_repo(
        TARGET, {"README.md": f"---\nlicense: apache-2.0\nbase_model: {PARENT}\n---\n", "config.json": "{}"}
    )
    fakehub.add_repo(PARENT, {"README.md": "---\nlicense: apache-2.0\n---\n", "config.json": "{}"})
    return fakehub


Fault = Callable[[FakeHub], list[str]]  # injects the fault, returns extra scan flags


def five_hundred_forever(hub: FakeHub) -> list[str]:
    hub.inject("info", repo=PARENT, status=500, times=None)
    return []


def never_answers(hub: FakeHub) -> list[str]:
    hub.inject("info", repo=PARENT, delay=30, times=None)
    return ["--timeout", "1"]


def deadline(hub: FakeHub) -> list[str]:
    hub.inject("info", repo=PARENT, delay=30, times=None)
    return ["--timeout", "20", "--deadline", "2"]


def connection_reset(hub: FakeHub) -> list[str]:
    hub.inject("info", repo=PARENT, drop=True, times=None)
    return []


FAULTS = {
    "500 forever": five_hundred_forever,
    "never answers": never_answers,
    "deadline": deadline,
    "connection reset": connection_reset,
}


def scan(*args: str) -> tuple[int, str, str]:
    return run_cli("scan", TARGET, "-f", "json", "-q", "--verify", "none", *args)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_unreadable_parent_is_exit_2_under_every_policy(hub: FakeHub, fault: str, policy: str) -> None:
    extra = FAULTS[fault](hub)
    code, out, err = scan("--policy", policy, *extra)
    assert code == 2, err
    assert out == ""  # no report, so no verdict anyone could mistake for a pass
    assert f"error: {TARGET}: audit incomplete" in err and PARENT in err, err
    assert "--allow-incomplete" in err and "Traceback" not in err
    if fault == "500 forever":
        assert "HTTP 500" in err
        assert hub.count("info", repo=PARENT) == 4  # the first try and three retries
    if fault == "deadline":
        assert "deadline" in err


@pytest.mark.parametrize("policy", POLICIES)
def test_allow_incomplete_turns_it_into_a_warning_finding(hub: FakeHub, policy: str) -> None:
    five_hundred_forever(hub)
    code, out, err = scan("--policy", policy, "--allow-incomplete")
    report: dict[str, Any] = json.loads(out)
    (finding,) = [f for f in report["findings"] if f["message"].startswith("audit incomplete")]
    assert finding["name"] == "lineage-unresolved" and finding["node"] == TARGET
    assert PARENT in finding["message"]
    assert any(e["source"] == "audit:incomplete" and "HTTP 500" in e["value"] for e in finding["evidence"])
    (parent,) = [n for n in report["nodes"] if n["id"] == PARENT]
    assert parent["resolved"] is False
    # a warning, unless the policy sets lineage-unresolved higher (strict-ci, commercial, permissive-only)
    rules = load_policy(policy)
    expected = rules.severity.get("lineage-unresolved") or rules.severity.get("MA001") or Severity.WARNING
    assert finding["severity"] == expected.value
    fails = expected.rank >= rules.fail_on.rank
    assert code == (1 if fails else 0), err
    assert report["verdict"] == ("fail" if fails else "pass")


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("answer", ["not found", "gated"])
def test_missing_or_gated_parent_is_a_finding_the_policy_decides(
    fakehub: FakeHub, policy: str, answer: str
) -> None:
    fakehub.add_repo(TARGET, {"README.md": f"---\nlicense: apache-2.0\nbase_model: {PARENT}\n---\n"})
    if answer == "gated":
        fakehub.add_repo(PARENT, {"README.md": "---\nlicense: apache-2.0\n---\n"}, gated="manual")
        fakehub.inject("info", repo=PARENT, status=403, error_code="GatedRepo", times=None)
    code, out, err = scan("--policy", policy)
    assert code in (0, 1), err
    report: dict[str, Any] = json.loads(out)
    (finding,) = [f for f in report["findings"] if f["name"] == "lineage-unresolved"]
    assert finding["node"] == PARENT and "audit incomplete" not in finding["message"]
    assert "audit incomplete" not in err


def test_a_parent_that_recovers_within_the_retries_is_complete(hub: FakeHub) -> None:
    hub.inject("info", repo=PARENT, status=503, times=2)
    code, out, err = scan()
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    assert all(n["resolved"] for n in report["nodes"])


def test_a_cached_record_stands_in_for_an_unreachable_parent(hub: FakeHub) -> None:
    code, _, err = scan()
    assert code == 0, err
    five_hundred_forever(hub)
    code, out, err = run_cli(
        "scan", TARGET, "-f", "json", "-q", "--verify", "none", env={"MODELAUDIT_CACHE_TTL": "0"}
    )
    assert code == 0, err  # the metadata cache answered for both: nothing is missing from the audit
    assert all(n["resolved"] for n in json.loads(out)["nodes"])


def test_library_api_raises_incomplete_audit_error(hub: FakeHub) -> None:
    import modelaudit
    from modelaudit.errors import ExitCode, IncompleteAuditError

    five_hundred_forever(hub)
    with pytest.raises(IncompleteAuditError) as err:
        modelaudit.scan(TARGET, verify="none")
    assert list(err.value.failures) == [PARENT] and err.value.exit_code is ExitCode.ERROR
    report = modelaudit.scan(TARGET, verify="none", allow_incomplete=True)
    assert any(f.message.startswith("audit incomplete") for f in report.findings)


@pytest.mark.parametrize("policy", POLICIES)
def test_an_unreadable_target_is_an_incomplete_audit_too(hub: FakeHub, policy: str) -> None:
    hub.inject("info", repo=TARGET, status=502, times=None)
    for extra in ([], ["--allow-incomplete"]):  # nothing was read, so there is nothing to report either way
        code, out, err = scan("--policy", policy, *extra)
        assert code == 2 and out == "", err
        assert f"error: {TARGET}: audit incomplete: the target could not be read" in err and "HTTP 502" in err
        assert "hint: check HF_ENDPOINT" in err  # the network hint, not --allow-incomplete
