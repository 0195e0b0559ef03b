"""Baselines: content keys stable across runs, only new findings count, malformed reports name the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelaudit.errors import InputError
from modelaudit.models import (
    Evidence,
    Finding,
    PolicyInfo,
    ScanReport,
    Severity,
    SourceKind,
    TargetInfo,
    ToolInfo,
    Verdict,
)
from modelaudit.policy.baseline import (
    apply_baseline,
    finding_key,
    got_worse,
    load_report,
    normalize_message,
    pair_findings,
)
from modelaudit.policy.engine import verdict


def finding(
    node: str = "acme/chat", message: str = "acme/chat declares MIT but its base is llama3.1", **kw: object
) -> Finding:
    data: dict[str, object] = {
        "rule": "MA201",
        "name": "license-conflict",
        "severity": Severity.ERROR,
        "node": node,
        "message": message,
        "how_to_fix": "declare the upstream license",
    }
    data.update(kw)
    return Finding.model_validate(data)


def report(findings: list[Finding]) -> ScanReport:
    return ScanReport(
        tool=ToolInfo(version="0.1.0"),
        generated_at="2026-01-01T00:00:00Z",
        target=TargetInfo(id="acme/chat", source=SourceKind.HUB),
        policy=PolicyInfo(name="default"),
        verdict=Verdict.FAIL,
        findings=findings,
    )


# --------------------------------------------------------------------------------------------- keys


def test_key_ignores_what_does_not_make_a_new_problem() -> None:
    base = finding()
    assert finding_key(base) == finding_key(finding(severity=Severity.WARNING))
    assert finding_key(base) == finding_key(finding(waived=True))
    assert finding_key(base) == finding_key(finding(evidence=[Evidence(source="card:license", value="mit")]))
    assert finding_key(base) == finding_key(finding(how_to_fix="something else"))
    assert finding_key(base) == finding_key(
        finding(message="  ACME/chat declares MIT\nbut its base is llama3.1 ")
    )
    assert finding_key(finding(node="acme/base@" + "a" * 40)) == finding_key(finding(node="acme/base@main"))


def test_key_separates_different_problems() -> None:
    base = finding()
    assert finding_key(base) != finding_key(finding(node="acme/other"))
    assert finding_key(base) != finding_key(finding(rule="MA202"))
    assert finding_key(base) != finding_key(finding(message="acme/chat declares MIT but its base is gemma"))


def test_hashes_and_commits_are_normalised() -> None:
    a = "file model.safetensors: expected " + "a" * 64 + " got " + "b" * 64 + " at rev " + "c" * 40
    b = "file model.safetensors: expected " + "d" * 64 + " got " + "e" * 64 + " at rev " + "f" * 40
    assert normalize_message(a) == normalize_message(b)
    assert "<sha256>" in normalize_message(a) and "<commit>" in normalize_message(a)
    assert finding_key(finding(message=a)) == finding_key(finding(message=b))
    assert finding_key(finding(message=a)) != finding_key(
        finding(message="file other.safetensors: " + a[24:])
    )


def test_key_is_a_fixed_value_for_fixed_input() -> None:
    # Changing the key invalidates every stored baseline and SARIF fingerprint: do it only with a new version.
    key = finding_key(finding())
    assert len(key) == 32 and int(key, 16) >= 0
    assert key == finding_key(Finding.model_validate_json(finding().model_dump_json()))


# --------------------------------------------------------------------------------------------- applying


def test_only_new_findings_count() -> None:
    old = finding()
    new = finding(node="acme/other", message="acme/other declares MIT but its base is gemma")
    marked = apply_baseline([finding(), new], [old])
    assert [f.baseline for f in marked] == [True, False]
    assert verdict(marked, Severity.ERROR) is Verdict.FAIL
    only_old = apply_baseline([finding()], [old])
    assert verdict(only_old, Severity.ERROR) is Verdict.PASS
    assert verdict([finding()], Severity.ERROR) is Verdict.FAIL


def test_duplicates_beyond_the_baseline_count_are_new() -> None:
    marked = apply_baseline([finding(), finding()], [finding()])
    assert sorted(f.baseline for f in marked) == [False, True]


def test_a_stale_baseline_mark_is_cleared() -> None:
    marked = apply_baseline([finding(baseline=True)], [])
    assert marked[0].baseline is False


# --------------------------------------------------------------------------------------------- pairing (scan --against)

MIT = "acme/chat declares MIT but its base is llama3.1"
APACHE = "acme/chat declares Apache-2.0 but its base is llama3.1"


def test_a_finding_whose_message_changed_is_paired_as_changed_not_new_and_gone() -> None:
    pairs = pair_findings([finding(message=MIT)], [finding(message=APACHE)])
    assert (pairs.same, pairs.changed, pairs.new, pairs.gone) == ([], [(0, 0)], [], [])
    # a node re-pinned to another revision is still the same node
    pinned = pair_findings([finding(node="acme/chat@main", message=MIT)], [finding(message=APACHE)])
    assert pinned.changed == [(0, 0)]


def test_same_findings_pair_first_and_the_rest_pair_by_rule_and_node() -> None:
    other = finding(node="acme/other", message="acme/other declares MIT but its base is gemma")
    base = [finding(message=MIT), other]
    head = [other, finding(message=APACHE), finding(rule="MA202", name="x", message="new problem")]
    pairs = pair_findings(base, head)
    assert pairs.same == [(1, 0)] and pairs.changed == [(0, 1)] and pairs.new == [2] and pairs.gone == []


@pytest.mark.parametrize(
    ("base", "head"),
    [
        # another node: another problem, whatever the rule
        ([finding(message=MIT)], [finding(node="acme/other", message=APACHE)]),
        # another rule on the same node
        ([finding(message=MIT)], [finding(rule="MA202", message=APACHE)]),
        # two on each side: which one became which cannot be told, so none is paired
        (
            [finding(message=MIT), finding(message=MIT + " (weights)")],
            [finding(message=APACHE), finding(message=APACHE + " (weights)")],
        ),
    ],
)
def test_findings_that_cannot_be_told_to_be_the_same_are_new_and_gone(
    base: list[Finding], head: list[Finding]
) -> None:
    pairs = pair_findings(base, head)
    assert pairs.changed == [] and pairs.same == []
    assert pairs.new == list(range(len(head))) and pairs.gone == list(range(len(base)))


def test_a_changed_finding_counts_only_if_it_got_worse() -> None:
    from modelaudit.compare import mark_baseline

    before = finding(message=MIT, severity=Severity.WARNING)
    same_level = mark_baseline([finding(message=APACHE, severity=Severity.WARNING)], [before])
    assert [f.baseline for f in same_level] == [True]
    assert not got_worse(before, same_level[0])
    milder = mark_baseline([finding(message=APACHE, severity=Severity.NOTE)], [before])
    assert [f.baseline for f in milder] == [True]
    worse = mark_baseline([finding(message=APACHE, severity=Severity.ERROR)], [before])
    assert [f.baseline for f in worse] == [False] and got_worse(before, worse[0])
    assert verdict(worse, Severity.ERROR) is Verdict.FAIL
    unwaived = mark_baseline([finding(message=APACHE)], [finding(message=MIT, waived=True)])
    assert [f.baseline for f in unwaived] == [False]
    # the comparison's failing list holds the changed finding that got worse, not the one that did not
    from modelaudit.models import Comparison, ComparisonSide, FindingChange

    side = ComparisonSide(revision="main", commit="", verdict=Verdict.FAIL)
    comparison = Comparison(
        repo="acme/chat@refs/pr/1",
        head=side,
        base=side,
        policy="default",
        fail_on=Severity.ERROR,
        verdict=Verdict.FAIL,
        changed_findings=[
            FindingChange(before=before, after=worse[0]),
            FindingChange(before=finding(message=MIT), after=finding(message=APACHE, baseline=True)),
        ],
    )
    assert comparison.failing == worse
    # a stale mark is cleared, and an unrelated finding is new
    fresh = mark_baseline([finding(node="acme/other", message=APACHE, baseline=True)], [before])
    assert [f.baseline for f in fresh] == [False]


# --------------------------------------------------------------------------------------------- loading


def test_load_report_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(report([finding()]).model_dump_json(), encoding="utf-8")
    assert load_report(path).findings == [finding()]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not json", "is not JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"schema_version": "2"}', "schema_version '2'"),
        (b'{"schema_version": "1", "tool": {}}', "not a modelaudit report"),
        (b"\xff\xfe", "is not JSON"),
    ],
)
def test_malformed_reports_name_the_file(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "old.json"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        load_report(path)
    assert err.value.path == str(path)
    assert expected in err.value.message


def test_missing_report_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"old\.json: baseline report not found"):
        load_report(tmp_path / "old.json", what="baseline report")
    with pytest.raises(InputError, match="is a folder"):
        load_report(tmp_path)


def test_report_json_written_by_the_formatter_loads(tmp_path: Path) -> None:
    from modelaudit.formats import get_formatter

    text = get_formatter("json").render(report([finding(), finding(node="b", message="x")]))
    path = tmp_path / "r.json"
    path.write_text(str(text), encoding="utf-8")
    loaded = load_report(path)
    assert {finding_key(f) for f in loaded.findings} == {
        finding_key(finding()),
        finding_key(finding(node="b", message="x")),
    }
    assert json.loads(path.read_text())["schema_version"] == "1"
