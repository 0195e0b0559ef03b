"""CI surface: ``modelaudit diff`` output, ``scan-changed`` (pre-commit / Action) and GitHub annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from modelaudit.cli._annotations import annotation_lines
from modelaudit.cli.main import main
from modelaudit.cli.precommit import is_model_folder, model_folders
from modelaudit.licenses.db import load_db
from modelaudit.licenses.texts import shipped_text
from modelaudit.models import (
    Finding,
    Node,
    NodeKind,
    PolicyInfo,
    ScanReport,
    Severity,
    SourceKind,
    TargetInfo,
    ToolInfo,
    Verdict,
    Waiver,
)

ROOT = Path(__file__).resolve().parents[2]
CARD_ORPHAN = "---\nlicense: apache-2.0\nbase_model: ../missing-base\n---\n# fine-tune\n"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    code: int | str | None = 0
    with runner.isolation(env=env) as (out, err, _):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
    assert isinstance(code, int)
    return code, out.getvalue().decode(), err.getvalue().decode()


APACHE_TEXT = shipped_text(load_db().get("Apache-2.0")) or ""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hf_env: Path) -> Path:
    """A checkout with model folders of every recognised shape and some unrelated files."""
    root = tmp_path / "repo"
    layout = {
        "models/chat/README.md": CARD_ORPHAN,
        "models/chat/LICENSE": APACHE_TEXT,  # the card's license, shipped (an obligation of Apache-2.0)
        "models/chat/weights/notes.txt": "x",
        "models/lora/adapter_config.json": '{"base_model_name_or_path": "org/base"}',
        "models/lora/adapter_model.safetensors": "",
        "models/cfg/config.json": '{"model_type": "bert", "architectures": ["BertModel"]}',
        "models/pipe/model_index.json": '{"_class_name": "StableDiffusionPipeline"}',
        "app/config.json": '{"port": 8080}',  # an application config, not a model
        "docs/README.md": "---\ntitle: Docs\nlayout: page\n---\n# docs\n",  # front matter, but no model card
        "README.md": "# project\n",
        "strict.yaml": "name: strict-test\nfail_on: warning\n",
    }
    for rel, text in layout.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return root


# --------------------------------------------------------------------------------------------- scan-changed


def test_files_map_to_their_nearest_model_folder(repo: Path) -> None:
    files = [
        "models/chat/weights/notes.txt",
        "models/chat/README.md",
        "models/lora/adapter_model.safetensors",
        "models/cfg/config.json",
        "models/pipe/model_index.json",
        "app/config.json",
        "docs/README.md",
        "README.md",
        "models/deleted/file.bin",  # deleted in the change: its folder is gone
        "../outside.txt",
    ]
    assert model_folders(files, repo) == ["models/cfg", "models/chat", "models/lora", "models/pipe"]


def test_model_folder_detection(repo: Path) -> None:
    assert is_model_folder(repo / "models/chat")
    assert not is_model_folder(repo / "app")
    assert not is_model_folder(repo / "docs")
    assert not is_model_folder(repo)


def test_a_model_repo_checked_out_at_the_root_is_found(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: mit\npipeline_tag: text-generation\n---\n")
    assert model_folders(["README.md", "sub/x.py"], tmp_path) == ["."]


def test_scan_changed_lists_and_scans(repo: Path) -> None:
    code, out, _ = run("scan-changed", "--list", "models/chat/README.md", "app/config.json", "models/lora/x")
    assert code == 0
    assert out.splitlines() == ["models/chat", "models/lora"]

    code, out, err = run("scan-changed", "app/config.json", "README.md")
    assert (code, out) == (0, "")
    assert "nothing to scan" in err

    code, out, _ = run("scan-changed", "models/chat/README.md", "-f", "json", "-q", "--offline")
    assert code == 0
    assert json.loads(out)["target"]["id"] == "models/chat"

    code, _, _ = run("scan-changed", "models/chat/README.md", "--policy", "strict.yaml", "-q", "--offline")
    assert code == 1

    code, _, err = run("scan-changed", "models/chat/README.md", "--policy", "nope", "-q")
    assert code == 2 and "unknown policy" in err


def test_scan_changed_writes_sarif_for_several_folders(repo: Path) -> None:
    (repo / "models/cfg/README.md").write_text("---\nlicense: apache-2.0\n---\n", encoding="utf-8")
    code, _, err = run(
        "scan-changed",
        "models/chat/README.md",
        "models/cfg/config.json",
        "-f",
        "sarif",
        "-o",
        "out/",
        "--offline",
    )
    assert code == 0, err
    assert sorted(p.name for p in (repo / "out").iterdir()) == ["models__cfg.sarif", "models__chat.sarif"]


# --------------------------------------------------------------------------------------------- annotations


def _report(findings: list[Finding]) -> ScanReport:
    return ScanReport(
        tool=ToolInfo(version="0.1.0"),
        generated_at="2026-01-01T00:00:00Z",
        target=TargetInfo(id="models/chat", source=SourceKind.LOCAL),
        policy=PolicyInfo(name="default"),
        verdict=Verdict.FAIL,
        nodes=[
            Node(id="models/chat", kind=NodeKind.MODEL, source=SourceKind.LOCAL),
            Node(id="org/base", kind=NodeKind.MODEL, source=SourceKind.HUB, depth=1),
        ],
        findings=findings,
    )


def _f(severity: Severity, node: str, message: str, **kw: object) -> Finding:
    data: dict[str, object] = {
        "rule": "MA201",
        "name": "license-conflict",
        "severity": severity,
        "node": node,
        "message": message,
        "how_to_fix": "Declare the upstream license.",
    }
    data.update(kw)
    return Finding.model_validate(data)


def test_annotation_lines_escape_and_levels() -> None:
    w = Waiver(rule="MA201", node="*", reason="r", expires="2030-01-01", approver="a")
    lines = list(
        annotation_lines(
            [
                _report(
                    [
                        _f(Severity.ERROR, "models/chat", "50% of it: bad,\nreally"),
                        _f(Severity.WARNING, "org/base", "upstream note"),
                        _f(Severity.NOTE, "models/chat", "fyi"),
                        _f(Severity.ERROR, "models/chat", "waived one", waived=True, waiver=w),
                        _f(Severity.ERROR, "models/chat", "known one", baseline=True),
                    ]
                )
            ]
        )
    )
    assert lines == [
        "::error file=models/chat/README.md,line=1,title=MA201 license-conflict (models/chat)::"
        "50%25 of it: bad,%0Areally%0ADeclare the upstream license.",
        "::warning title=MA201 license-conflict (org/base)::"
        "upstream note [https://huggingface.co/org/base]%0ADeclare the upstream license.",
        "::notice file=models/chat/README.md,line=1,title=MA201 license-conflict (models/chat)::"
        "fyi%0ADeclare the upstream license.",
    ]


def test_scan_prints_annotations_to_stderr_only_on_github(repo: Path) -> None:
    args = ("scan", "models/chat", "-f", "json", "--offline", "--policy", "strict.yaml")
    code, out, err = run(*args, env={"GITHUB_ACTIONS": "true"})
    assert code == 1
    json.loads(out)  # stdout is still only the report
    assert "::warning file=models/chat/README.md,line=1,title=MA001 lineage-unresolved" in err
    code, out, err = run(*args)
    assert "::warning" not in err and "::warning" not in out


# --------------------------------------------------------------------------------------------- diff command


def test_diff_command_formats(repo: Path) -> None:
    run("scan", "models/cfg", "-f", "json", "-q", "--offline", "-o", "base.json")
    run("scan", "models/chat", "-f", "json", "-q", "--offline", "-o", "head.json")
    code, text, _ = run("diff", "base.json", "head.json")
    assert code == 0  # the new finding is a warning; the default policy fails on errors
    assert "new findings (1):" in text and "lineage-unresolved" in text
    code, md, _ = run("diff", "base.json", "head.json", "-f", "md")
    assert md.startswith("### modelaudit diff: models/chat") and "✅" in md
    code, js, _ = run("diff", "base.json", "head.json", "-f", "json")
    data = json.loads(js)
    assert data["failed"] is False
    assert [f["name"] for f in data["added_findings"]] == ["lineage-unresolved"]
    assert data["nodes_added"] == ["../missing-base", "models/chat"]


# --------------------------------------------------------------------------------------------- shipped files


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(hooks, list) and hooks
    hook = hooks[0]
    assert hook["id"] == "modelaudit"
    assert hook["entry"].split()[:2] == ["modelaudit", "scan-changed"]
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True


def test_action_definition() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    text = json.dumps(steps)
    assert "actions/setup-python" in text
    assert "modelaudit scan-changed" in text and "-f sarif" in text
    assert "github/codeql-action/upload-sarif" in text
    for step in steps:
        if "run" in step:
            assert step.get("shell") == "bash"
    assert set(action["inputs"]) >= {"policy", "paths", "waivers", "fail-on-findings"}
