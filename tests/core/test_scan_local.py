"""End to end on the bundled examples: the CLI's JSON report is contract-valid and says what the files say."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

import modelaudit
from cli_run import run_cli as run
from modelaudit.schema import report_schema

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764374400")
    return ROOT


def test_example_scan_json_is_contract_valid(in_root: Path) -> None:
    code, out, _err = run("scan", "examples/tiny-chat", "--offline", "-f", "json", "-q")
    data = json.loads(out)
    jsonschema.validate(data, report_schema())
    assert data["schema_version"] == "1"
    assert data["generated_at"] == "2025-11-29T00:00:00Z"
    assert data["target"] == {"id": "examples/tiny-chat", "revision": None, "source": "local"}
    assert data["policy"]["name"] == "default"
    assert data["verdict"] == "pass" and code == 0
    nodes = {n["id"]: n for n in data["nodes"]}
    assert set(nodes) == {
        "examples/tiny-chat",
        "examples/tiny-base",
        "examples/tiny-instructions",
        "examples/tiny-corpus",
    }
    assert nodes["examples/tiny-corpus"]["kind"] == "dataset"
    assert nodes["examples/tiny-chat"]["license"]["id"] == "Apache-2.0"
    assert nodes["examples/tiny-chat"]["license"]["category"] == "permissive"
    assert nodes["examples/tiny-corpus"]["license"]["id"] == "CC-BY-4.0"
    edges = {(e["child"], e["parent"], e["relation"]) for e in data["edges"]}
    assert edges == {
        ("examples/tiny-chat", "examples/tiny-base", "finetune"),
        ("examples/tiny-chat", "examples/tiny-instructions", "trained_on"),
        ("examples/tiny-base", "examples/tiny-corpus", "trained_on"),
        ("examples/tiny-instructions", "examples/tiny-corpus", "derived"),
    }
    files = {f["path"]: f for f in nodes["examples/tiny-chat"]["files"]}
    assert files["model.safetensors"]["sha256_actual"] and files["model.safetensors"]["size"] == 31088


def test_report_is_deterministic(in_root: Path) -> None:
    first = run("scan", "examples/tiny-chat", "--offline", "-f", "json", "-q")[1]
    second = run("scan", "examples/tiny-chat", "--offline", "-f", "json", "-q")[1]
    assert first == second


def test_text_report_shows_verdict_and_lineage(in_root: Path) -> None:
    code, out, err = run("scan", "examples/tiny-chat", "--offline")
    assert code == 0
    assert "PASS" in out.upper()
    assert "tiny-base" in out and "tiny-corpus" in out
    assert "examples/tiny-chat: PASS" in err  # summary goes to stderr


def test_python_api(in_root: Path) -> None:
    report = modelaudit.scan("examples/tiny-chat", offline=True)
    assert report.verdict.value == "pass"
    assert report.node("examples/tiny-base") is not None


def test_missing_sibling_base_is_unresolved_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "examples" / "tiny-chat", tmp_path / "tiny-chat")
    monkeypatch.chdir(tmp_path)
    _code, out, _ = run("scan", "tiny-chat", "--offline", "-f", "json", "-q")
    data = json.loads(out)
    unresolved = [n for n in data["nodes"] if not n["resolved"]]
    assert {n["id"] for n in unresolved} == {"tiny-base", "datasets/tiny-instructions"}
    assert all(n["unresolved_reason"] for n in unresolved)
    names = {(f["name"], f["node"]) for f in data["findings"]}
    assert ("lineage-unresolved", "tiny-base") in names


def test_malformed_card_exits_2_naming_file(tmp_path: Path) -> None:
    d = tmp_path / "bad"
    d.mkdir()
    (d / "README.md").write_text("---\nlicense: [mit\n---\n")
    code, out, err = run("scan", str(d), "--offline")
    assert code == 2
    assert out == ""
    assert "README.md" in err and "malformed YAML" in err


def test_unknown_target_exits_2(tmp_path: Path) -> None:
    code, out, err = run("scan", "not a target!", "--offline")
    assert code == 2 and out == "" and "not a valid Hub repo id" in err


def test_output_file_written_atomically(in_root: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    code, out, _err = run("scan", "examples/tiny-chat", "--offline", "-f", "json", "-o", str(target), "-q")
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["target"]["id"] == "examples/tiny-chat"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_same_named_folders_get_distinct_report_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for parent in ("a", "b"):
        (tmp_path / parent / "chat").mkdir(parents=True)
        (tmp_path / parent / "chat" / "README.md").write_text("---\nlicense: mit\n---\n")
    monkeypatch.chdir(tmp_path)
    code, _out, _err = run("scan", "a/chat", "b/chat", "--offline", "-f", "json", "-o", "out/", "-q")
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a__chat.json", "b__chat.json"]


def test_python_api_validates_overrides(in_root: Path) -> None:
    report = modelaudit.scan("examples/tiny-chat", offline=True, verify="none")
    assert {f.status.value for f in report.nodes[0].files} == {"not-checked"}
    with pytest.raises(ValidationError, match="no_such_option"):
        modelaudit.scan("examples/tiny-chat", no_such_option=True)


def test_failing_example_names_the_dropped_terms(in_root: Path) -> None:
    code, out, err = run("scan", "examples/relicensed-chat", "--offline", "-f", "json", "-q")
    assert code == 1, err
    data = json.loads(out)
    assert data["verdict"] == "fail"
    found = {
        (f["name"], f["severity"], f["node"])
        for f in data["findings"]
        if not f["name"].startswith("obligation-")
    }
    assert found == {
        ("use-restrictions-dropped", "error", "examples/relicensed-chat"),
        ("naming-duty", "warning", "examples/relicensed-chat"),
    }
    # and the Llama duties it owes through its base, as the adopter's warnings they are under the default policy
    unmet = {
        (f["evidence"][1]["value"], f["severity"])
        for f in data["findings"]
        if f["name"] == "obligation-unmet" and f["node"] == "examples/relicensed-chat"
    }
    assert ("llama3.1 include-agreement", "warning") in unmet and ("llama3.1 built-with", "warning") in unmet
    (edge,) = data["edges"]
    assert (edge["parent"], edge["relation"]) == ("examples/tiny-llama-base", "finetune")
    assert any(e["source"] == "fingerprint" and "same-lineage" in e["value"] for e in edge["evidence"])
