"""The obligations report and the ``modelaudit fix`` session that README.md and docs/rules.md show are real:
every line they show is a line the same commands print today (stdout or stderr), run in the same order on a
fresh copy of the bundled examples. ``...`` marks an elision; the backup folder's name (a timestamp under the
folder the session ran in) is the one part that changes from run to run."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from cli_run import run_cli

ROOT = Path(__file__).resolve().parents[2]
BACKUP = re.compile(
    r"^backup of the previous files: (?:/\S+/)?examples/relicensed-chat/\.modelaudit-backup/\d{8}T\d{6}Z$"
)


def sessions(doc: Path) -> list[tuple[list[str], list[str]]]:
    """Each ``$ modelaudit ...`` command of the console blocks that run on examples/relicensed-chat, with the
    output lines the document shows for it (elisions dropped)."""
    out: list[tuple[list[str], list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", doc.read_text(encoding="utf-8"), re.S):
        if "examples/relicensed-chat" not in block:
            continue
        for line in block.splitlines():
            if line.startswith("$ modelaudit "):
                out.append((shlex.split(line[2:], comments=True)[1:], []))
            elif out and line.strip() != "...":
                out[-1][1].append(line.rstrip())
    return out


@pytest.mark.parametrize("doc", ["README.md", "docs/rules.md"])
def test_the_documented_obligations_session_is_real_output(
    doc: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hf_offline: Path
) -> None:
    shown = sessions(ROOT / doc)
    assert [args[:1] for args, _ in shown] == [["scan"], ["fix"], ["fix"]], "the session: scan, fix, fix --write"
    assert all(lines for _, lines in shown), "every command shows some of its output"
    for name in ("relicensed-chat", "tiny-llama-base"):
        shutil.copytree(ROOT / "examples" / name, tmp_path / "examples" / name)
    monkeypatch.chdir(tmp_path)
    for args, lines in shown:
        code, out, err = run_cli(*args)
        assert code in (0, 1), err
        printed = {line.rstrip() for line in (out + err).splitlines()}
        backup = any(BACKUP.match(line) for line in printed)
        missing = [line for line in lines if line not in printed and not (backup and BACKUP.match(line))]
        assert not missing, f"{doc}: `modelaudit {' '.join(args)}` no longer prints {missing}"
    assert "rescan: every license and obligation rule passes (policy verdict: pass)" in err
