"""The rule catalog is the one place rule metadata lives: every stage and the registry agree with it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from modelaudit.catalog import CATALOG, Stage, make_finding, render_markdown, spec
from modelaudit.policy.rules import RULES

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "modelaudit"


def test_every_spec_is_complete_and_unique() -> None:
    slugs = [s.slug for s in CATALOG.values()]
    assert len(set(slugs)) == len(slugs)
    for rule_id, s in CATALOG.items():
        assert s.id == rule_id and re.fullmatch(r"MA\d{3}", rule_id)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", s.slug), s.slug
        for text in (s.summary, s.description, s.how_to_fix):
            assert len(text) > 30 and text.endswith("."), (rule_id, text)
        assert s.help_uri.endswith(f"#{rule_id.lower()}-{s.slug}")
        assert spec(rule_id) is s and spec(s.slug) is s


def test_registered_rules_take_their_words_from_the_catalog() -> None:
    for rule_id, cls in RULES.items():
        s = CATALOG[rule_id]
        assert (cls.spec, cls.name, cls.summary, cls.how_to_fix, cls.default_severity) == (
            s,
            s.slug,
            s.summary,
            s.how_to_fix,
            s.default_severity,
        )
    # every policy-stage spec has a rule that raises it
    assert {s.id for s in CATALOG.values() if s.stage in (Stage.POLICY, Stage.LINEAGE)} <= set(RULES)


def test_stage_findings_name_catalog_rules() -> None:
    """Every slug a stage passes to the catalog by name exists (a typo would raise at run time)."""
    used: set[str] = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("spec", "finding")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                used.add(node.args[0].value)
    assert used, "no stage uses the catalog"
    for name in used:
        spec(name)  # raises KeyError for an unknown slug


def test_make_finding_uses_the_spec() -> None:
    f = make_finding(spec("hash-mismatch"), "org/m", "bytes differ")
    assert (f.rule, f.name, f.severity.value) == ("MA301", "hash-mismatch", "error")
    assert f.how_to_fix == CATALOG["MA301"].how_to_fix


def test_docs_rules_md_is_generated_from_the_catalog() -> None:
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == render_markdown(), (
        "regenerate: python -m modelaudit.catalog > docs/rules.md"
    )


def test_no_import_cycle_between_policy_model_and_rules() -> None:
    """policy/model.py must not import the rules package (the rules import the policy model)."""
    tree = ast.parse((SRC / "policy" / "model.py").read_text(encoding="utf-8"))
    imported = {
        n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module is not None
    }
    assert not any(m.startswith("modelaudit.policy.rules") for m in imported)
