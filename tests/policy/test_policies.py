"""Ready policies, strict policy validation, the rules registry, and ``modelaudit policy``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cli_run import run_cli as run
from modelaudit.errors import ConfigError
from modelaudit.models import LicenseCategory, Severity
from modelaudit.policy.model import DatasetHandling, list_policies, load_policy, policies_dir
from modelaudit.policy.rules import RULES

ROOT = Path(__file__).resolve().parents[2]
READY = ["commercial", "default", "permissive-only", "research", "strict-ci"]
CONTRACT_SLUGS = {
    "license-missing", "license-unknown", "license-mismatch", "license-conflict", "use-restrictions-dropped",
    "noncommercial-upstream", "license-denied", "lineage-unresolved", "lineage-cycle", "hash-mismatch",
    "file-corrupt", "unsafe-serialization", "remote-code-required", "smoke-failed", "use-not-permitted",
    "declared-base-unsupported", "undeclared-base", "gated",
}  # fmt: skip


def test_the_ready_policies_are_the_documented_five() -> None:
    assert list_policies() == READY
    assert sorted(p.stem for p in (ROOT / "policies").glob("*.yaml")) == READY
    assert policies_dir().is_dir()


@pytest.mark.parametrize("path", sorted((ROOT / "policies").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_policy_file_validates_and_is_named_after_its_file(path: Path) -> None:
    policy = load_policy(str(path))
    assert policy.name == path.stem
    assert policy.description.strip()
    assert load_policy(path.stem) == policy


def test_ready_policies_say_what_they_promise() -> None:
    strict = load_policy("strict-ci")
    assert strict.fail_on is Severity.WARNING and strict.datasets is DatasetHandling.ERROR
    for slug in ("license-missing", "license-unknown", "license-mismatch", "lineage-unresolved", "files-unverified",
                 "use-terms-unreviewed", "metadata-unreadable"):  # fmt: skip
        assert strict.severity[slug] is Severity.ERROR, slug
    assert load_policy("permissive-only").allow.categories == [LicenseCategory.PERMISSIVE]
    commercial = load_policy("commercial").intended_use
    assert commercial.commercial_product and commercial.hosted_service
    assert load_policy("research").intended_use.internal_research_only
    assert load_policy("default").datasets is DatasetHandling.WARNING


def test_unknown_keys_are_refused_with_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nintended_use:\n  comercial_product: true\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_policy(str(bad))
    assert str(bad) in info.value.message
    assert "intended_use.comercial_product" in info.value.message and "Extra inputs" in info.value.message


def test_bad_values_are_refused_with_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndatasets: sometimes\nallow: {categories: [nice]}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_policy(str(bad))
    assert "datasets:" in info.value.message and "allow.categories.0" in info.value.message


def test_unknown_rule_names_in_overrides_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "typo.yaml"
    bad.write_text("name: typo\nseverity:\n  licence-conflict: warning\ndisabled_rules: [MA204, nope]\n")
    with pytest.raises(ConfigError) as info:
        load_policy(str(bad))
    assert "severity.licence-conflict: unknown rule id or slug" in info.value.message
    assert "disabled_rules.nope" in info.value.message and "MA204" not in info.value.message


def test_registry_is_complete() -> None:
    assert RULES, "no rules registered"
    slugs = [cls.name for cls in RULES.values()]
    assert len(set(slugs)) == len(slugs), "slugs must be unique"
    for rule_id, cls in RULES.items():
        assert cls.id == rule_id and re.fullmatch(r"MA\d{3}", rule_id)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", cls.name), cls.name
        assert len(cls.summary) > 30 and cls.summary.endswith("."), rule_id
        assert len(cls.how_to_fix) > 30 and cls.how_to_fix.endswith("."), rule_id
        assert isinstance(cls.default_severity, Severity)
        assert callable(getattr(cls, "check", None))
    ours = {cls.name: rid for rid, cls in RULES.items() if rid.startswith("MA2")}
    assert ours == {
        "use-restrictions-dropped": "MA201",
        "license-conflict": "MA202",
        "noncommercial-upstream": "MA203",
        "naming-duty": "MA204",
        "license-denied": "MA205",
        "use-not-permitted": "MA210",
        "use-terms-unreviewed": "MA211",
        "files-unverified": "MA220",
        "signature-missing": "MA221",
        "obligation-unmet": "MA240",
        "obligation-unverified": "MA241",
    }
    # our slugs that the report contract names are spelled as the contract spells them
    assert {"license-conflict", "use-restrictions-dropped", "noncommercial-upstream", "license-denied",
            "use-not-permitted"} <= CONTRACT_SLUGS  # fmt: skip


def test_cli_policy_list() -> None:
    code, out, _ = run("policy", "list")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == READY
    code, out, _ = run("policy", "list", "-f", "json")
    assert [row["name"] for row in json.loads(out)] == READY


def test_cli_policy_show_gives_settings_and_effective_severities() -> None:
    code, out, _ = run("policy", "show", "research")
    assert code == 0
    assert "internal_research_only: true" in out
    assert re.search(r"MA203\s+noncommercial-upstream\s+note\s+\(default error\)", out)
    code, out, _ = run("policy", "show", "strict-ci", "-f", "json")
    data = json.loads(out)
    assert data["policy"]["fail_on"] == "warning"
    assert {r["id"]: r["severity"] for r in data["rules"]}["MA220"] == "error"
    assert data["stage_overrides"]["license-unknown"] == "error"


def test_cli_policy_show_unknown_name_is_exit_2() -> None:
    code, _out, err = run("policy", "show", "no-such-policy")
    assert code == 2 and "unknown policy 'no-such-policy'" in err and "strict-ci" in err


def test_cli_policy_validate(tmp_path: Path) -> None:
    good = [str(p) for p in sorted((ROOT / "policies").glob("*.yaml"))]
    code, out, _ = run("policy", "validate", *good)
    assert code == 0 and out.count("valid policy") == 5
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nfail_on: sometimes\n")
    code, _out, err = run("policy", "validate", str(bad))
    assert code == 2 and f"{bad}: invalid policy: fail_on" in err
    code, _out, err = run("policy", "validate", str(tmp_path / "missing.yaml"))
    assert code == 2 and "no such policy file" in err


def test_readme_policy_example_validates(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Policies", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(block, encoding="utf-8")
    policy = load_policy(str(path))
    assert policy.intended_use.in_eu and policy.intended_use.commercial
    documented = set(re.findall(r"\(MA(\d{3})", section))
    assert {f"MA{n}" for n in documented} == {rid for rid in RULES if rid.startswith("MA2")}
