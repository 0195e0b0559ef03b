"""The pre-commit hook and the GitHub Action run scan-code as their definitions say, on a real git repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from fakehub import FakeHub

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@e",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@e",
}


def _run(cmd: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **ENV, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **env}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=full, check=False)


def _repo(tmp_path: Path, hub: FakeHub) -> Path:
    hub.add_repo("acme/apache-model", {"README.md": "---\nlicense: apache-2.0\n---\n", "config.json": "{}"})
    hub.add_repo("acme/nc-model", {"README.md": "---\nlicense: cc-by-nc-4.0\n---\n", "config.json": "{}"})
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "svc.py").write_text(
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('acme/apache-model')\n"
    )
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-qm", "first"]):
        assert _run(cmd, repo).returncode == 0
    return repo


def test_the_pre_commit_hook_gates_the_references_the_commit_adds(fakehub: FakeHub, tmp_path: Path) -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks["modelaudit-code"]
    assert hook["pass_filenames"] is False and hook["language"] == "python"
    repo = _repo(tmp_path, fakehub)
    entry = hook["entry"].split()
    assert entry[:2] == ["modelaudit", "scan-code"]
    # a staged change that adds a non-commercial model, under a commercial policy
    with (repo / "svc.py").open("a") as fh:
        fh.write("s = AutoModel.from_pretrained('acme/nc-model')\n")
    assert _run(["git", "add", "svc.py"], repo).returncode == 0
    done = _run([*entry, "--policy", "commercial"], repo)
    assert done.returncode == 1, done.stderr
    assert (
        "acme/nc-model" in done.stdout
        and "acme/apache-model" not in done.stdout.split("References")[1].split("Audited")[0]
    )
    # the very first commit of a repository has no HEAD: everything is new, nothing crashes
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "a.py").write_text(
        "from transformers import AutoModel\nAutoModel.from_pretrained('acme/apache-model')\n"
    )
    assert _run(["git", "init", "-q"], fresh).returncode == 0
    first = _run(entry, fresh)
    assert first.returncode == 0, first.stderr


def test_the_action_code_mode_step(fakehub: FakeHub, tmp_path: Path) -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["inputs"]["mode"]["default"] == "models"
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "scan-code")
    assert step["if"] == "inputs.mode == 'code'" and step["shell"] == "bash"
    repo = _repo(tmp_path, fakehub)
    base = _run(["git", "rev-parse", "HEAD"], repo).stdout.strip()
    with (repo / "svc.py").open("a") as fh:
        fh.write("s = AutoModel.from_pretrained('acme/nc-model')\n")
    assert _run(["git", "commit", "-qam", "pr"], repo).returncode == 0
    output, summary = tmp_path / "gh-output", tmp_path / "gh-summary"
    done = _run(
        ["bash", "-c", step["run"]],
        repo,
        CODE_PATH=".",
        POLICY="commercial",
        WAIVERS="",
        OUT_DIR="reports",
        PR_BASE=base,
        PUSH_BEFORE="",
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_ACTIONS="true",
    )
    assert done.returncode == 0, done.stderr
    assert "exit-code=1" in output.read_text()
    assert "::error file=svc.py,line=3,title=MA501 app-model-fails (" in done.stderr
    assert sorted(p.name for p in (repo / "reports").iterdir()) == ["repo.json", "repo.md", "repo.sarif"]
    assert "❌ **FAIL**" in summary.read_text()
