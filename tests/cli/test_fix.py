"""``modelaudit fix DIR [--write]``: the plan as a diff, applied with backups, never weights, Hub and read-only
targets refused (exit 2), and a rescan that passes the rules the plan addressed."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cli_run import run_cli
from modelaudit.bounded import parse_front_matter
from modelaudit.remediate import edit_front_matter

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hf_offline: Path) -> Path:
    """A copy of the bundled relicensed-chat (a Llama 3.1 fine-tune declared Apache-2.0) and its base."""
    for name in ("relicensed-chat", "tiny-llama-base"):
        shutil.copytree(ROOT / "examples" / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fix_prints_a_unified_diff_and_changes_nothing(examples: Path) -> None:
    before = {p.name: digest(p) for p in (examples / "relicensed-chat").iterdir()}
    code, out, err = run_cli("fix", "relicensed-chat", "--offline")
    assert code == 0, err
    assert "--- /dev/null\n+++ b/LICENSE\n" in out and "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT" in out
    assert "+++ b/NOTICE" in out and "+++ b/USE_POLICY.md" in out
    assert "--- a/README.md\n+++ b/README.md\n" in out and "-license: apache-2.0\n+license: llama3.1\n" in out
    assert "+Built with Llama." in out and "+model_name: Llama-relicensed-chat" in out
    assert "licenses it may carry: llama3.1 | llama3.1 AND <your own terms>" in err
    assert {p.name: digest(p) for p in (examples / "relicensed-chat").iterdir()} == before
    # the diff applies with patch(1) as it is
    if shutil.which("patch"):
        work = examples / "patched"
        shutil.copytree(examples / "relicensed-chat", work)
        subprocess.run(["patch", "-p1", "-s"], input=out, text=True, cwd=work, check=True)
        assert (work / "NOTICE").read_text().startswith("Llama 3.1 is licensed")


def test_fix_write_applies_backs_up_never_touches_weights_and_rescans(examples: Path) -> None:
    folder = examples / "relicensed-chat"
    weights = digest(folder / "model.safetensors")
    config = digest(folder / "config.json")
    card = (folder / "README.md").read_text()
    code, _out, err = run_cli("fix", "relicensed-chat", "--offline", "--write")
    assert code == 0, err
    assert "rescan: every license and obligation rule passes" in err
    assert digest(folder / "model.safetensors") == weights and digest(folder / "config.json") == config
    (backup,) = (folder / ".modelaudit-backup").iterdir()
    assert (backup / "README.md").read_text() == card  # the only file that existed before is kept
    front = parse_front_matter((folder / "README.md").read_text(), "README.md")
    assert front["license"] == "llama3.1" and front["model_name"] == "Llama-relicensed-chat"
    assert front["base_model"] == "tiny-llama-base" and front["tags"] == [
        "llama",
        "example",
    ]  # kept as they were
    # a scan as its publisher now passes the license and obligation rules
    code, out, err = run_cli(
        "scan", "relicensed-chat", "--offline", "--role", "publisher", "-f", "json", "-q"
    )
    assert code == 0, err
    assert '"obligation-unmet"' not in out and '"use-restrictions-dropped"' not in out
    # a second run has nothing left to do and writes nothing
    code, _out, err = run_cli("fix", "relicensed-chat", "--offline", "--write")
    assert code == 0 and "nothing to fix" in err
    assert len(list((folder / ".modelaudit-backup").iterdir())) == 1


def test_fix_replaces_a_contradicting_license_after_backing_it_up(examples: Path) -> None:
    folder = examples / "relicensed-chat"
    apache = (ROOT / "license_db" / "texts" / "apache-2.0.txt").read_text()
    (folder / "LICENSE").write_text(apache)
    code, _out, err = run_cli("fix", "relicensed-chat", "--offline", "--write")
    assert code == 0, err
    (backup,) = (folder / ".modelaudit-backup").iterdir()
    assert (backup / "LICENSE").read_text() == apache
    assert "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT" in (folder / "LICENSE").read_text()


def test_fix_refuses_a_hub_target(examples: Path) -> None:
    code, out, err = run_cli("fix", "meta-llama/Llama-3.1-8B")
    assert code == 2 and out == ""
    assert "modelaudit fix changes a local model folder, not a Hub repo" in err and "clone it first" in err


def _unprivileged() -> list[str] | None:
    """A command prefix under which file permissions bind: none needed for a normal user; for root, setpriv
    dropping the capabilities that let root write anywhere (None: root without setpriv)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]


def test_fix_write_refuses_a_read_only_folder(examples: Path) -> None:
    """A real read-only folder (mode 0555), the CLI in a child process without root's permission override."""
    prefix = _unprivileged()
    if prefix is None:
        pytest.skip("running as root without setpriv: a read-only folder cannot be made to bind")
    folder = examples / "relicensed-chat"
    card = (folder / "README.md").read_bytes()
    folder.chmod(0o555)
    try:
        proc = subprocess.run(
            [*prefix, sys.executable, "-m", "modelaudit", "fix", "relicensed-chat", "--offline", "--write"],
            cwd=examples,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 2 and proc.stdout == "", proc.stderr
    assert "the folder is read-only: fix --write cannot change it" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (folder / "LICENSE").exists() and not (folder / ".modelaudit-backup").exists()
    assert (folder / "README.md").read_bytes() == card


def test_fix_write_refuses_a_read_only_file(examples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checked before anything is written (os.access, which root passes, is made to say no here)."""
    folder = examples / "relicensed-chat"
    real = os.access

    def access(path: object, mode: int, *a: object, **kw: object) -> bool:
        if Path(str(path)).resolve() == (folder / "README.md").resolve() and mode & os.W_OK:
            return False
        return real(path, mode, *a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    code, _out, err = run_cli("fix", "relicensed-chat", "--offline", "--write")
    assert code == 2 and "read-only" in err
    assert not (folder / "LICENSE").exists() and not (folder / ".modelaudit-backup").exists()


def test_fix_of_a_missing_folder_is_a_usage_error(examples: Path) -> None:
    code, _out, err = run_cli("fix", "./no-such-model")
    assert code == 2 and err


def test_front_matter_edits_keep_every_other_line() -> None:
    card = "---\nlicense: apache-2.0\nlicense_name: x\nlicense_link: >-\n  https://example.org\ntags:\n- a\n---\n# body\n"
    out = edit_front_matter(
        card, {"license": "llama3.1", "model_name": "Llama-x: y"}, ["license_name", "license_link"]
    )
    assert out.endswith("---\n# body\n")
    data = yaml.safe_load(out.split("---\n")[1])
    assert data == {"license": "llama3.1", "tags": ["a"], "model_name": "Llama-x: y"}
    assert edit_front_matter("# no front matter\n", {"license": "mit"}, []).startswith(
        "---\nlicense: mit\n---\n"
    )
