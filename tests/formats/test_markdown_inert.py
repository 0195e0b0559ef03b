"""Card text renders inert in every Markdown output: no injected link, image, HTML, table cell or @-mention.

Each Markdown document is produced the way a user gets it (the CLI, the webhook's checker posting to the
fake Hub) from a model whose card, ids and file names carry ``[x](http://evil)`` and ``@user``; the result
is parsed with a CommonMark parser (markdown-it-py, GFM tables on) and the HTML is checked. The payload
must reach the document (else the test would pass on an empty one), and arrive as text only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from sample_documents import SAMPLES
from sample_report import sample_report

import hub_pr_fixtures as fx
from cli_run import run_cli
from fakehub import FakeHub
from modelaudit.formats import REGISTRIES

LINK = "[x](http://evil)"
MENTION = "@user"
CARD = f"""---
license: other
license_name: "{LINK} {MENTION}"
base_model: "{LINK}"
---
# A model whose card tries its luck {LINK} {MENTION}
"""
_CODE = re.compile(r"<code>.*?</code>", re.S)
_MENTION = re.compile(r"(?<![\w@])@user\b")


def to_html(markdown: str) -> str:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def assert_inert(markdown: str) -> None:
    html = to_html(markdown)
    assert "http://evil" in html, "the payload did not reach the document: this check would prove nothing"
    assert 'href="http://evil' not in html, "a link was injected"
    assert "<img" not in html and "<script" not in html
    assert not _MENTION.search(_CODE.sub("", html)), "an @-mention was injected (outside code spans)"


def test_the_check_can_fail() -> None:
    """Positive controls: what the unescaped renderers produced is caught."""
    for raw in (
        f"| a |\n|---|\n| {LINK} |\n",  # a link in a cell (diff -f md before it escaped card text)
        f"text {MENTION} http://evil",  # a mention
        f"| a | b | c |\n|---|---|---|\n| `weights|{LINK}|.bin` | y | z |\n",  # a pipe ends a code span's cell
    ):
        with pytest.raises(AssertionError):
            assert_inert(raw)


@pytest.mark.parametrize(
    ("kind", "name"), [(k, n) for k, reg in sorted(REGISTRIES.items()) if k != "report" for n in reg if n == "md"]
)
def test_every_markdown_formatter_keeps_sample_card_text_inert(kind: str, name: str) -> None:
    assert_inert(REGISTRIES[kind].render_text(name, SAMPLES[kind]()))


def test_the_report_markdown_keeps_sample_card_text_inert() -> None:
    report = sample_report()
    hostile = report.findings[0].model_copy(update={"message": f"declares {LINK} {MENTION}"})
    report = report.model_copy(update={"findings": [hostile, *report.findings[1:]]})
    assert_inert(REGISTRIES["report"].render_text("md", report))


# --------------------------------------------------------------------------------------------- real paths


def hostile_model(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(CARD, encoding="utf-8")
    (folder / "config.json").write_text('{"model_type": "llama"}', encoding="utf-8")
    return folder


def scan_md(tmp_path: Path) -> str:
    code, out, err = run_cli("scan", str(hostile_model(tmp_path / "m")), "--offline", "-f", "md", "-q")
    assert code in (0, 1), err
    return out


def report_md(tmp_path: Path) -> str:
    code, saved, err = run_cli("scan", str(hostile_model(tmp_path / "m")), "--offline", "-f", "json", "-q")
    assert code in (0, 1), err
    (tmp_path / "r.json").write_text(saved, encoding="utf-8")
    code, out, err = run_cli("report", str(tmp_path / "r.json"), "-f", "md")
    assert code == 0, err
    return out


def diff_md(tmp_path: Path) -> str:
    base = sample_report()
    (tmp_path / "base.json").write_text(base.model_dump_json(), encoding="utf-8")
    code, head, err = run_cli("scan", str(hostile_model(tmp_path / "m")), "--offline", "-f", "json", "-q")
    assert code in (0, 1), err
    (tmp_path / "head.json").write_text(head, encoding="utf-8")
    code, out, err = run_cli("diff", str(tmp_path / "base.json"), str(tmp_path / "head.json"), "-f", "md")
    assert code in (0, 1), err
    return out


def fleet_md(tmp_path: Path) -> str:
    model = hostile_model(tmp_path / "m")
    (tmp_path / "models.txt").write_text(f"{model}\n", encoding="utf-8")
    out_dir = tmp_path / "out"
    code, _out, err = run_cli(
        "fleet", "scan", str(tmp_path / "models.txt"), "--offline", "-f", "md", "-o", str(out_dir),
        "--db", str(tmp_path / "fleet.db"), "-q",
    )  # fmt: skip
    assert code in (0, 1), err
    (page,) = (out_dir / "models").glob("*.md")
    return page.read_text(encoding="utf-8")


LOCAL: dict[str, Callable[[Path], str]] = {
    "scan -f md": scan_md,
    "report -f md": report_md,
    "diff -f md": diff_md,
    "fleet scan -f md": fleet_md,
}


@pytest.mark.parametrize("path", sorted(LOCAL))
def test_card_text_is_inert_in_markdown_from_the_cli(path: str, tmp_path: Path) -> None:
    assert_inert(LOCAL[path](tmp_path))


@pytest.fixture
def hostile_pr(fakehub: FakeHub) -> FakeHub:
    fx.add_llama_family(fakehub)
    files = fx.relicensed_files()
    files["README.md"] = CARD.replace("base_model:", f"base_model: {fx.BASE_ID}\nbase_model_relation: finetune\nx:")
    files[f"weights|{LINK}|.bin"] = b"\0" * 16  # a file name that would end a table cell
    fakehub.add_pull_request(fx.REPO_ID, files, title=f"Relicense {LINK}")
    return fakehub


def test_card_text_is_inert_in_the_pull_request_comparison_from_the_cli(hostile_pr: FakeHub) -> None:
    code, out, err = run_cli("scan", f"{fx.REPO_ID}@refs/pr/1", "--against", "main", "-f", "md", "-q")
    assert code in (0, 1), err
    assert "weights" in out  # the hostile file name is listed
    assert_inert(out)


def _checker(hub: FakeHub):  # type: ignore[no-untyped-def]
    from pydantic import SecretStr

    from modelaudit.webhook import PrChecker, WebhookSettings

    token = "hf_botTOKENabcdefghijklmnop"
    hub.add_user(token, "audit-bot")
    settings = WebhookSettings(
        secret=SecretStr("s"), repos=["acme/*"], token=SecretStr(token), endpoint=hub.url, verify="headers"
    )
    return PrChecker(settings)


def test_card_text_is_inert_in_the_webhook_comment(hostile_pr: FakeHub) -> None:
    from modelaudit.webhook import PrJob

    _checker(hostile_pr)(PrJob(repo_id=fx.REPO_ID, num=1, repo_type="model"))
    (posted,) = hostile_pr.discussion(fx.REPO_ID, 1).comments
    assert posted.content.startswith("<!-- modelaudit:hub-pr-check -->")
    assert_inert(posted.content)


def test_error_text_is_inert_in_the_webhook_error_comment(fakehub: FakeHub) -> None:
    from modelaudit.webhook import PrJob

    fx.add_llama_family(fakehub)
    fakehub.add_pull_request(fx.REPO_ID, fx.relicensed_files(), base=f"{LINK}{MENTION}")  # no such branch
    _checker(fakehub)(PrJob(repo_id=fx.REPO_ID, num=1, repo_type="model"))
    (posted,) = fakehub.discussion(fx.REPO_ID, 1).comments
    assert "**ERROR**" in posted.content
    assert_inert(posted.content)


def test_the_json_report_keeps_the_payload_verbatim(tmp_path: Path) -> None:
    """Escaping is the Markdown renderer's job: the data itself is not altered."""
    code, out, _err = run_cli("scan", str(hostile_model(tmp_path / "m")), "--offline", "-f", "json", "-q")
    assert code in (0, 1)
    assert f"{LINK} {MENTION}" in json.dumps(json.loads(out))
