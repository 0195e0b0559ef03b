"""Waivers: strict file format, matching by rule id or slug and node glob, expiry, and the verdict."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from modelaudit.errors import ConfigError, UsageError
from modelaudit.models import Finding, Severity, Verdict, Waiver
from modelaudit.policy.engine import verdict
from modelaudit.policy.rules import RULES
from modelaudit.policy.waivers import apply_waivers, is_expired, load_waivers, today


def finding(
    rule: str = "MA201", name: str = "license-conflict", node: str = "acme/chat", **kw: object
) -> Finding:
    data: dict[str, object] = {
        "rule": rule,
        "name": name,
        "severity": Severity.ERROR,
        "node": node,
        "message": f"{node} conflicts with its upstream",
        "how_to_fix": "fix it",
    }
    data.update(kw)
    return Finding.model_validate(data)


def waiver(rule: str = "license-conflict", node: str = "acme/*", expires: str = "2026-06-30") -> Waiver:
    return Waiver(
        rule=rule, node=node, reason="legal reviewed", expires=expires, approver="jane@acme.example"
    )


GOOD = """\
waivers:
  - rule: license-conflict
    node: "acme/*"
    reason: legal reviewed the upstream grant
    expires: 2026-06-30
    approver: jane@acme.example
  - rule: MA001
    node: "datasets/*"
    reason: dataset deleted upstream, license archived
    expires: "2027-01-01"
    approver: bob
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------- loading


def test_loads_a_valid_file(tmp_path: Path) -> None:
    waivers = load_waivers(write(tmp_path, GOOD))
    assert waivers == [
        Waiver(
            rule="license-conflict",
            node="acme/*",
            reason="legal reviewed the upstream grant",
            expires="2026-06-30",
            approver="jane@acme.example",
        ),
        Waiver(
            rule="MA001",
            node="datasets/*",
            reason="dataset deleted upstream, license archived",
            expires="2027-01-01",
            approver="bob",
        ),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("    approver: bob\n", ""), "waivers[1].approver: Field required"),
        (
            GOOD.replace("    reason: legal reviewed the upstream grant\n", ""),
            "waivers[0].reason: Field required",
        ),
        (GOOD.replace('    node: "acme/*"\n', ""), "waivers[0].node: Field required"),
        (GOOD.replace("    expires: 2026-06-30\n", ""), "waivers[0].expires: Field required"),
        (GOOD.replace("rule: MA001", "rules: MA001"), "waivers[1].rules: Extra inputs are not permitted"),
        (GOOD.replace("expires: 2026-06-30", "expires: next year"), "waivers[0].expires"),
        (GOOD.replace("expires: 2026-06-30", "expires: 20260630"), "expected an ISO date"),
        (GOOD.replace("expires: 2026-06-30", "expires: 2026-02-30"), "day is out of range"),
        (GOOD.replace("reason: legal reviewed the upstream grant", "reason: '  '"), "waivers[0].reason"),
        (GOOD + "owner: me\n", "owner: Extra inputs are not permitted"),
        ("- rule: x\n", "expected a YAML mapping"),
        ("waivers: [\n", "malformed YAML"),
        ("{}\n", "waivers: Field required"),
    ],
)
def test_bad_files_name_the_file_and_the_field(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_waivers(path)
    assert str(path) in err.value.message
    assert expected in err.value.message


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="waivers file not found"):
        load_waivers(tmp_path / "nope.yaml")


# --------------------------------------------------------------------------------------------- applying


def test_waiver_marks_matching_findings_and_keeps_them() -> None:
    findings = [
        finding(),
        finding(node="other/model"),
        finding(rule="MA301", name="hash-mismatch", node="acme/chat"),
    ]
    out, notes = apply_waivers(findings, [waiver()], on=date(2026, 1, 1), target="acme/chat")
    assert notes == []
    assert len(out) == 3
    assert [f.waived for f in out] == [True, False, False]
    assert out[0].waiver == waiver()
    assert out[1].waiver is None


def test_rule_may_be_given_by_id_or_slug() -> None:
    by_id, _ = apply_waivers([finding()], [waiver(rule="MA201")], on=date(2026, 1, 1), target="t")
    by_slug, _ = apply_waivers(
        [finding()], [waiver(rule="license-conflict")], on=date(2026, 1, 1), target="t"
    )
    wrong, _ = apply_waivers([finding()], [waiver(rule="MA202")], on=date(2026, 1, 1), target="t")
    assert by_id[0].waived and by_slug[0].waived and not wrong[0].waived


@pytest.mark.parametrize(
    ("pattern", "node", "matches"),
    [
        ("acme/*", "acme/chat", True),
        ("acme/chat", "acme/chat@0123abc", True),  # a pattern without revision covers every pin
        ("acme/chat@0123abc", "acme/chat@0123abc", True),
        ("acme/chat@0123abc", "acme/chat@ffff", False),
        ("*", "datasets/org/set", True),
        ("datasets/*", "acme/chat", False),
        ("Acme/*", "acme/chat", False),  # case matters: Hub ids are case-preserving
        ("models/*/", "models/a", False),
    ],
)
def test_node_globs(pattern: str, node: str, matches: bool) -> None:
    out, _ = apply_waivers([finding(node=node)], [waiver(node=pattern)], on=date(2026, 1, 1), target="t")
    assert out[0].waived is matches


def test_first_matching_waiver_in_file_order_is_recorded() -> None:
    first = waiver(node="acme/chat")
    second = waiver(node="acme/*", expires="2027-01-01")
    out, _ = apply_waivers([finding()], [first, second], on=date(2026, 1, 1), target="t")
    assert out[0].waiver == first


def test_expiry_day_itself_still_applies() -> None:
    assert not is_expired(waiver(expires="2026-06-30"), date(2026, 6, 30))
    assert is_expired(waiver(expires="2026-06-30"), date(2026, 7, 1))


def test_expired_waiver_does_not_apply_and_says_so() -> None:
    findings = [finding(node="acme/a"), finding(node="acme/b"), finding(node="acme/b", message="second")]
    out, notes = apply_waivers(findings, [waiver(expires="2026-06-30")], on=date(2026, 7, 1), target="acme/a")
    assert not any(f.waived for f in out)
    assert [(n.rule, n.name, n.severity, n.node) for n in notes] == [
        ("MA901", "waiver-expired", Severity.NOTE, "acme/a"),
        ("MA901", "waiver-expired", Severity.NOTE, "acme/b"),
    ]
    assert "expired on 2026-06-30" in notes[0].message
    assert "jane@acme.example" in notes[0].message
    assert {e.source: e.value for e in notes[0].evidence}["waiver:expires"] == "2026-06-30"
    # the failing findings count again
    assert verdict([*out, *notes], Severity.ERROR) is Verdict.FAIL


def test_expired_waiver_that_matches_nothing_is_noted_on_the_target() -> None:
    _, notes = apply_waivers([], [waiver(expires="2020-01-01")], on=date(2026, 1, 1), target="acme/chat")
    assert len(notes) == 1
    assert notes[0].node == "acme/chat"
    assert "matches no finding" in notes[0].message


def test_live_waiver_wins_over_an_expired_one() -> None:
    out, notes = apply_waivers(
        [finding()],
        [waiver(expires="2020-01-01"), waiver(expires="2030-01-01")],
        on=date(2026, 1, 1),
        target="t",
    )
    assert out[0].waived and out[0].waiver is not None and out[0].waiver.expires == "2030-01-01"
    assert len(notes) == 1  # the stale one is still reported


def test_waived_findings_do_not_fail_the_verdict() -> None:
    out, _ = apply_waivers([finding()], [waiver()], on=date(2026, 1, 1), target="t")
    assert verdict(out, Severity.ERROR) is Verdict.PASS
    assert verdict([finding()], Severity.ERROR) is Verdict.FAIL


def test_waiver_expired_rule_is_registered_with_texts() -> None:
    cls = RULES["MA901"]
    assert cls.name == "waiver-expired"
    assert cls.summary and cls.how_to_fix
    assert cls.default_severity is Severity.NOTE


# --------------------------------------------------------------------------------------------- today


def test_today_comes_from_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1782777600")  # 2026-06-30T00:00:00Z
    assert today() == date(2026, 6, 30)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH"):
        today()
