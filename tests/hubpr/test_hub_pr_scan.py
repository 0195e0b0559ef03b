"""Scanning a Hub pull request (revision refs/pr/N) and comparing it with its target branch, end to end
through the fake Hub with the real huggingface_hub client."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from huggingface_hub import scan_cache_dir

from cli_run import run_cli as run
from fakehub import FakeHub
from hub_pr_fixtures import REPO_ID, add_llama_family, main_files, relicensed_files
from modelaudit.models import RepoKind
from modelaudit.policy.baseline import finding_key, normalize_message, normalize_node
from modelaudit.targets import parse_target


@pytest.mark.parametrize(
    "text",
    [
        "org/name@refs/pr/3",
        "hf://org/name@refs/pr/3",
        "org/name@refs%2Fpr%2F3",
        "hf://models/org/name@refs%2Fpr%2F3",
        "https://huggingface.co/org/name/discussions/3",
        "https://huggingface.co/org/name/tree/refs%2Fpr%2F3",
    ],
)
def test_pull_request_targets_parse_to_refs_pr(text: str) -> None:
    ref = parse_target(text, prefer_path=False)
    assert (ref.repo_id, ref.kind, ref.revision) == ("org/name", RepoKind.MODEL, "refs/pr/3")
    assert ref.key == "org/name@refs/pr/3"


def test_baseline_keys_ignore_a_pull_request_pin() -> None:
    assert normalize_node("org/name@refs/pr/3") == "org/name"
    assert normalize_node("org/name@main") == "org/name"
    assert normalize_node("datasets/org/data") == "datasets/org/data"
    assert normalize_message("org/name@refs/pr/12 declares MIT") == normalize_message(
        "org/name@abcdef1 declares MIT"
    )


@pytest.fixture
def pr_hub(fakehub: FakeHub) -> FakeHub:
    add_llama_family(fakehub)
    fakehub.add_pull_request(REPO_ID, relicensed_files(), title="Relicense as MIT")
    return fakehub


def test_scan_pull_request_revision_encodes_the_ref_and_caches_it_like_huggingface_hub(
    pr_hub: FakeHub,
) -> None:
    pr_commit = pr_hub.repo(REPO_ID).refs["refs/pr/1"]
    pr_hub.clear_log()
    code, out, err = run("scan", f"hf://{REPO_ID}@refs/pr/1", "-f", "json", "-q", "--verify", "full")
    assert code == 1, err  # the MIT re-license of a Llama fine-tune fails on its own
    report = json.loads(out)
    assert report["target"]["id"] == f"{REPO_ID}@refs/pr/1" and report["target"]["revision"] == pr_commit
    root = next(n for n in report["nodes"] if n["id"] == report["target"]["id"])
    assert root["license"]["id"] == "MIT"
    assert {f["status"] for f in root["files"]} == {"verified"}  # the PR's own bytes, hashed
    assert "use-restrictions-dropped" in {f["name"] for f in report["findings"]}
    mine = [r for r in pr_hub.requests if r.repo_id == REPO_ID and r.server == "hub"]
    assert mine and all("refs/pr/" not in r.raw_path for r in mine)  # never sent unencoded
    assert any("refs%2Fpr%2F1" in r.raw_path for r in mine)
    assert all(("refs%2Fpr%2F1" in r.raw_path) or (pr_commit in r.raw_path) for r in mine)
    # the HF cache holds refs/refs/pr/1 -> commit, as hf_hub_download writes it; huggingface_hub reads it back
    storage = Path(pr_hub.cache_dir or "") / "models--acme--Llama-3.1-acme-chat"
    assert (storage / "refs" / "refs" / "pr" / "1").read_text() == pr_commit
    cached = {
        rev.commit_hash: rev.refs for repo in scan_cache_dir(pr_hub.cache_dir).repos for rev in repo.revisions
    }
    assert "refs/pr/1" in cached[pr_commit]
    # and an offline scan of the same pull request reads it from there
    pr_hub.go_offline()
    pr_hub.clear_log()
    code, out, err = run("scan", f"{REPO_ID}@refs/pr/1", "--offline", "--no-cache", "-f", "json", "-q")
    assert code == 1, err
    assert pr_hub.requests == []
    assert json.loads(out)["target"] == {
        "id": f"{REPO_ID}@refs/pr/1",
        "revision": pr_commit,
        "source": "cache",
    }


def test_against_main_reports_the_relicense_and_fails_on_it(pr_hub: FakeHub) -> None:
    code, out, err = run("scan", f"{REPO_ID}@refs/pr/1", "--against", "main", "-f", "md", "-q")
    assert code == 1, err
    assert "**FAIL**" in out and "use-restrictions-dropped" in out
    assert "| assessed | llama3.1 | MIT |" in out
    assert "| card `license` | llama3.1 | mit |" in out
    assert "| added | `LICENSE` |" in out  # LICENSE file added
    assert "| changed | `model.safetensors` |" in out  # weights changed, by recorded sha256
    assert len(out) < 60_000 and "<script" not in out
    # JSON is the head's report with the base's findings as baseline: only new ones count
    code, out, err = run("scan", f"{REPO_ID}@refs/pr/1", "--against", "main", "-f", "json", "-q")
    assert code == 1, err
    report = json.loads(out)
    counting = [f for f in report["findings"] if not f["baseline"] and not f["waived"]]
    assert "use-restrictions-dropped" in {f["name"] for f in counting}
    assert report["verdict"] == "fail"


def test_against_passes_when_the_pr_adds_nothing_new_even_if_main_already_fails(fakehub: FakeHub) -> None:
    add_llama_family(fakehub)
    bad_main = relicensed_files()
    fakehub.add_repo(REPO_ID, bad_main)  # main itself is already re-licensed (fails on its own)
    assert run("scan", REPO_ID, "-q")[0] == 1
    pr = dict(bad_main)
    pr["README.md"] = str(pr["README.md"]) + "\nMore usage notes.\n"
    fakehub.add_pull_request(REPO_ID, pr, title="Docs")
    code, out, err = run("scan", f"{REPO_ID}@refs/pr/1", "--against", "main", "-q")
    assert code == 0, out + err
    assert "PASS" in out and "license:" not in out and "new error" not in out
    assert "file changed: README.md" in out
    code, out, _ = run("scan", f"{REPO_ID}@refs/pr/1", "--against", "main", "-q", "-f", "json")
    report = json.loads(out)
    assert report["verdict"] == "pass"
    assert any(f["name"] == "use-restrictions-dropped" and f["baseline"] for f in report["findings"])


def test_against_lists_added_and_removed_parents(fakehub: FakeHub) -> None:
    add_llama_family(fakehub)
    fakehub.add_repo("acme/chat-data", {"README.md": "---\nlicense: cc-by-nc-4.0\n---\n"}, kind="dataset")
    pr = main_files()
    pr["README.md"] = str(pr["README.md"]).replace(
        "base_model_relation", "datasets: [acme/chat-data]\nbase_model_relation"
    )
    fakehub.add_pull_request(REPO_ID, pr)
    _, out, err = run("scan", f"{REPO_ID}@refs/pr/1", "--against", "main", "-q", "-f", "md")
    assert "- added: `datasets/acme/chat-data`" in out, out + err


def test_against_writes_comparison_and_reports_to_a_folder(pr_hub: FakeHub, tmp_path: Path) -> None:
    code, _, err = run(
        "scan",
        f"{REPO_ID}@refs/pr/1",
        "--against",
        "main",
        "-f",
        "md",
        "-f",
        "sarif",
        "-o",
        str(tmp_path / "out"),
        "-q",
    )
    assert code == 1, err
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "acme__Llama-3.1-acme-chat__refs__pr__1.md",
        "acme__Llama-3.1-acme-chat__refs__pr__1.sarif",
    ]
    assert "**FAIL**" in (tmp_path / "out" / names[0]).read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("scan", "examples/tiny-chat", "--against", "main"), "folder"),
        (("scan", f"{REPO_ID}@refs/pr/1", "--against", "main", "--baseline", "x.json"), "cannot be combined"),
        (("scan", f"{REPO_ID}@refs/pr/1", "--against", "no-such-branch"), "no-such-branch"),
        (("scan", f"{REPO_ID}@refs/pr/9", "--against", "main"), "refs/pr/9"),
        (("scan", REPO_ID, "acme/other", "--against", "main"), "one TARGET"),
    ],
)
def test_against_errors_exit_2_naming_the_input(pr_hub: FakeHub, args: tuple[str, ...], message: str) -> None:
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert message in err


def test_finding_keys_match_across_revisions() -> None:
    from modelaudit.models import Finding, Severity

    def f(node: str) -> Finding:
        return Finding(
            rule="MA201",
            name="x",
            severity=Severity.ERROR,
            node=node,
            message=f"{node} declares MIT",
            how_to_fix="",
        )

    assert (
        finding_key(f("org/name@refs/pr/3"))
        == finding_key(f("org/name@0123abcd"))
        != finding_key(f("org/other"))
    )


def test_comment_fits_one_discussion_comment_and_keeps_card_text_inert() -> None:
    from modelaudit.documents import Comparison, Side
    from modelaudit.formats.comparison import render_markdown
    from modelaudit.models import Finding, Severity, Verdict

    findings = [
        Finding(
            rule="MA201",
            name="use-restrictions-dropped",
            severity=Severity.ERROR,
            node="org/m@refs/pr/1",
            message=f"<script>alert({i})</script> @everyone | row {i} " + "x" * 200,
            how_to_fix="",
        )
        for i in range(1000)
    ]
    side = Side(revision="refs/pr/1", commit="a" * 40, verdict=Verdict.FAIL)
    comparison = Comparison(
        repo="org/m@refs/pr/1",
        head=side,
        base=side.model_copy(update={"revision": "main"}),
        policy="default",
        fail_on=Severity.ERROR,
        verdict=Verdict.FAIL,
        new_findings=findings,
    )
    text = render_markdown(comparison, limit=20_000)
    assert len(text) <= 20_000
    assert "left out to fit one comment" in text and "**FAIL**" in text
    assert "<script>" not in text and "@everyone" not in text
    assert text.startswith("<!-- modelaudit:hub-pr-check -->")


def test_a_finding_whose_message_changes_is_the_same_finding_not_new_and_resolved(fakehub: FakeHub) -> None:
    """main re-licensed a Llama fine-tune as MIT; the PR swaps MIT for Apache-2.0. The dropped use restrictions
    are the same problem, now worded with the other license: changed, not one new and one resolved."""
    add_llama_family(fakehub)
    fakehub.add_repo(REPO_ID, relicensed_files())  # main: MIT
    pr = relicensed_files()
    pr["README.md"] = str(pr["README.md"]).replace("license: mit", "license: apache-2.0")
    del pr["LICENSE"]
    fakehub.add_pull_request(REPO_ID, pr)
    code, out, err = run("scan", f"{REPO_ID}@refs/pr/1", "--against", "main", "-q", "-f", "json")
    comparison = json.loads(out)["comparison"]
    names = {c["after"]["name"] for c in comparison["changed_findings"]}
    assert "use-restrictions-dropped" in names, comparison
    [change] = [c for c in comparison["changed_findings"] if c["after"]["name"] == "use-restrictions-dropped"]
    assert "MIT" in change["before"]["message"] and "Apache-2.0" in change["after"]["message"]
    assert "use-restrictions-dropped" not in {f["name"] for f in comparison["new_findings"]}
    assert "use-restrictions-dropped" not in {f["name"] for f in comparison["resolved_findings"]}
    assert code == 0 and comparison["verdict"] == "pass", err  # not introduced by the PR
    _, md, _ = run("scan", f"{REPO_ID}@refs/pr/1", "--against", "main", "-q", "-f", "md")
    assert "**Findings whose message changed (" in md and "**PASS**" in md


def test_resolved_findings_carry_the_base_node_id(pr_hub: FakeHub) -> None:
    """The reverse of the relicense PR: main is re-licensed, the PR restores llama3.1. What it fixes was
    reported on main, so the resolved rows name main's node, not the pull request's."""
    pr_hub.add_repo(REPO_ID, relicensed_files())
    pr_hub.add_pull_request(REPO_ID, main_files(), title="Restore the license")
    code, out, err = run("scan", f"{REPO_ID}@refs/pr/2", "--against", "main", "-q", "-f", "json")
    assert code == 0, err
    comparison = json.loads(out)["comparison"]
    resolved = comparison["resolved_findings"]
    assert "use-restrictions-dropped" in {f["name"] for f in resolved}
    assert {f["node"] for f in resolved} == {f"{REPO_ID}@main"}
    assert all("refs/pr/2" not in f["message"] for f in resolved)
    _, text, _ = run("scan", f"{REPO_ID}@refs/pr/2", "--against", "main", "-q")
    assert f"resolved MA201 use-restrictions-dropped @ {REPO_ID}@main" in text.splitlines()


def test_against_json_carries_the_comparison_and_matches_the_report_schema(pr_hub: FakeHub) -> None:
    import jsonschema

    from modelaudit.schema import report_schema

    code, out, err = run("scan", f"{REPO_ID}@refs/pr/1", "--against", "main", "-q", "-f", "json")
    assert code == 1, err
    report = json.loads(out)
    jsonschema.validate(report, report_schema())
    comparison = report["comparison"]
    assert (
        comparison["repo"] == f"{REPO_ID}@refs/pr/1" and comparison["verdict"] == report["verdict"] == "fail"
    )
    assert (comparison["base"]["revision"], comparison["head"]["revision"]) == ("main", "refs/pr/1")
    assert (comparison["license_before"], comparison["license_after"]) == ("llama3.1", "MIT")
    assert {"path": "LICENSE", "change": "added"}.items() <= comparison["license_files"][0].items()
    assert "use-restrictions-dropped" in {f["name"] for f in comparison["new_findings"]}
    # a plain scan's report has no comparison key at all (the report contract is unchanged)
    plain = json.loads(run("scan", f"{REPO_ID}@refs/pr/1", "-q", "-f", "json")[1])
    assert "comparison" not in plain
