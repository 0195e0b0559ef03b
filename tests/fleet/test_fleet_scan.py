"""`modelaudit fleet scan` on the fake Hub: one shared crawl, per-model reports, store, incremental re-runs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from _fleet_support import add_fleet, info_requests, model, write_inventory

import modelaudit
from cli_run import run_cli
from fakehub import FakeHub
from modelaudit.fleet.inventory import load_inventory
from modelaudit.fleet.runner import FleetOptions, run_fleet
from modelaudit.fleet.store import open_store
from modelaudit.pipeline import ScanOptions


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


def test_shared_crawl_fetches_each_repo_once_and_reports_match_single_scans(
    fakehub: FakeHub, tmp_path: Path
) -> None:
    ids = add_fleet(fakehub, 6)
    inv = load_inventory(write_inventory(tmp_path, ids))
    with open_store(tmp_path / "fleet.db") as store:
        run = run_fleet(inv, FleetOptions(workers=4), store)
    per_repo = info_requests(fakehub)
    # 6 fine-tunes + 3 shared bases, each asked exactly once although every base has two children
    assert per_repo == {**{i: 1 for i in ids}, "base/apache-base": 1, "base/mit-base": 1, "base/nc-base": 1}
    assert len(fakehub.requests) <= 2 * 9
    assert [o.entry.spec for o in run.outcomes] == ids
    assert all(o.rescanned for o in run.outcomes)
    # a fleet's report is the report `modelaudit scan` gives for the same model
    for outcome in run.outcomes:
        single = modelaudit.scan(outcome.entry.target, ScanOptions())
        assert outcome.report == single.model_dump_json(indent=2) + "\n"
    verdicts = {o.entry.spec: o.verdict for o in run.outcomes}
    assert verdicts["team/ft-0"] == "pass"
    assert run.fetched_repos == 9


def test_second_run_rescans_nothing_and_only_checks_each_repo_once(fakehub: FakeHub, tmp_path: Path) -> None:
    ids = add_fleet(fakehub, 6)
    inv = load_inventory(write_inventory(tmp_path, ids))
    with open_store(tmp_path / "fleet.db") as store:
        first = run_fleet(inv, FleetOptions(), store)
        fakehub.clear_log()
        second = run_fleet(inv, FleetOptions(), store)
        assert store.run_ids() == [1, 2]
    assert [o.rescanned for o in second.outcomes] == [False] * 6
    assert [o.report for o in second.outcomes] == [o.report for o in first.outcomes]
    # the owners' listings answer for all 9 repos: one page for team/, one for base/, nothing else
    assert sorted((r.route, r.query.get("author")) for r in fakehub.requests) == [
        ("list", ["base"]),
        ("list", ["team"]),
    ]
    assert all(r.query.get("expand") == ["sha", "lastModified", "gated"] for r in fakehub.requests)


def test_repos_the_listing_cannot_answer_are_checked_one_by_one(fakehub: FakeHub, tmp_path: Path) -> None:
    ids = add_fleet(fakehub, 3)
    fakehub.add_repo("solo/model", model({"license": "mit", "base_model": "base/mit-base"}))
    inv = load_inventory(write_inventory(tmp_path, [*ids, "solo/model"]))
    fakehub.list_page_size = 2  # base/ needs two pages
    with open_store(tmp_path / "fleet.db") as store:
        run_fleet(inv, FleetOptions(), store)
        fakehub.clear_log()
        second = run_fleet(inv, FleetOptions(), store)
    assert not any(o.rescanned for o in second.outcomes)
    routes = sorted((r.route, r.repo_id or (r.query.get("author") or [""])[0]) for r in fakehub.requests)
    # base/ listed over two pages, team/ in two; solo/ is the only repo of its owner: one info request
    assert routes == [
        ("info", "solo/model"),
        ("list", "base"),
        ("list", "base"),
        ("list", "team"),
        ("list", "team"),
    ]


def test_an_upstream_relicense_rescans_only_its_descendants_and_diff_names_the_cause(
    fakehub: FakeHub, tmp_path: Path
) -> None:
    ids = add_fleet(fakehub, 6)
    inventory = write_inventory(tmp_path, ids, policy="commercial")
    db = str(tmp_path / "fleet.db")
    out = str(tmp_path / "out")
    code, _stdout, _err = run_cli("fleet", "scan", str(inventory), "--db", db, "-o", out, "-q")
    assert code == 1  # the non-commercial ones fail the commercial policy
    # the apache base is re-licensed upstream as non-commercial
    fakehub.add_repo("base/apache-base", model({"license": "cc-by-nc-4.0"}))
    code, stdout, _err = run_cli("fleet", "scan", str(inventory), "--db", db, "-o", out, "-q", "--json")
    assert code == 1
    summary = json.loads(stdout)
    rescanned = sorted(m["entry"] for m in summary["models"] if m["rescanned"])
    assert rescanned == ["team/ft-0", "team/ft-3"]
    assert summary["totals"]["rescanned"] == 2
    code, stdout, _err = run_cli("fleet", "diff", "--db", db)
    assert code == 1, stdout
    assert "WORSE team/ft-0: pass → fail" in stdout
    assert "upstream license changed: base/apache-base: Apache-2.0 → CC-BY-NC-4.0" in stdout
    code, stdout, _err = run_cli("fleet", "diff", "--db", db, "--json")
    changes = json.loads(stdout)["changes"]
    assert sorted(c["entry"] for c in changes) == ["team/ft-0", "team/ft-3"]
    # the store answers the compliance questions
    code, stdout, _err = run_cli("fleet", "query", "noncommercial", "--db", db, "--json")
    assert code == 0
    rows = json.loads(stdout)
    # the re-licensed apache line and the nc line; the mit line stays clean
    assert sorted({r["entry"] for r in rows}) == ["team/ft-0", "team/ft-2", "team/ft-3", "team/ft-5"]
    code, stdout, _err = run_cli("fleet", "query", "depends-on", "base/mit-base", "--db", db)
    assert code == 0
    assert [line.split("\t")[0] for line in stdout.splitlines()[1:]] == ["team/ft-1", "team/ft-4"]
    # Hub ids are case-insensitive: so is the question; a LIKE wildcard in it is only a character
    for spelling in ("Base/MIT-Base", "BASE/MIT-BASE"):
        assert run_cli("fleet", "query", "depends-on", spelling, "--db", db)[1] == stdout
    assert run_cli("fleet", "query", "depends-on", "base/mit_base", "--db", db)[1].splitlines()[1:] == []
    assert run_cli("fleet", "query", "depends-on", "base/%", "--db", db)[1].splitlines()[1:] == []
    assert (Path(out) / "dashboard.html").is_file()
    assert (Path(out) / "models" / "team__ft-0.html").is_file()
    assert (Path(out) / "models" / "team__ft-0.json").is_file()


def test_a_base_that_disappears_or_becomes_gated_is_a_change_with_its_cause(
    fakehub: FakeHub, tmp_path: Path
) -> None:
    ids = add_fleet(fakehub, 3)
    inventory = write_inventory(tmp_path, ids)
    db = str(tmp_path / "fleet.db")
    out = str(tmp_path / "out")
    assert run_cli("fleet", "scan", str(inventory), "--db", db, "-o", out, "-q")[0] == 0
    fakehub.remove_repo("base/mit-base")
    fakehub.repo("base/nc-base").gated = "manual"
    code, stdout, _err = run_cli("fleet", "scan", str(inventory), "--db", db, "-o", out, "-q", "--json")
    rescanned = sorted(m["entry"] for m in json.loads(stdout)["models"] if m["rescanned"])
    assert rescanned == ["team/ft-1", "team/ft-2"]
    code, stdout, _err = run_cli("fleet", "diff", "--db", db)
    assert code == 0, stdout  # listed with causes, but under the default policy no verdict got worse
    assert "team/ft-1: pass → pass" in stdout and "WORSE" not in stdout
    assert "base/mit-base disappeared: base/mit-base: not found" in stdout
    assert "new finding: lineage-unresolved on base/mit-base (warning)" in stdout
    assert "base/nc-base became gated" in stdout


def test_a_model_that_cannot_be_audited_exits_2_and_the_rest_is_still_reported(
    fakehub: FakeHub, tmp_path: Path
) -> None:
    ids = add_fleet(fakehub, 3)
    inventory = write_inventory(tmp_path, [*ids, "team/missing"])
    db = str(tmp_path / "fleet.db")
    code, stdout, _err = run_cli("fleet", "scan", str(inventory), "--db", db, "-o", str(tmp_path / "o"), "-q")
    assert code == 2
    assert "ERROR team/missing" in stdout and "not found" in stdout.lower()
    code, stdout, _err = run_cli("fleet", "query", "failing", "--db", db, "--json")
    assert [r["entry"] for r in json.loads(stdout) if r["verdict"] == "error"] == ["team/missing"]


def test_an_unreadable_base_makes_its_models_not_audited_never_pass(fakehub: FakeHub, tmp_path: Path) -> None:
    ids = add_fleet(fakehub, 3)
    inventory = write_inventory(tmp_path, ids)
    db = str(tmp_path / "fleet.db")
    fakehub.inject(route="info", repo="base/mit-base", status=503, headers={"Retry-After": "0"}, times=None)
    code, stdout, _err = run_cli(
        "fleet", "scan", str(inventory), "--db", db, "-o", str(tmp_path / "o"), "-q", "--json"
    )
    assert code == 2
    verdicts = {m["entry"]: m["verdict"] for m in json.loads(stdout)["models"]}
    assert verdicts == {"team/ft-0": "pass", "team/ft-1": "error", "team/ft-2": "pass"}
    error = next(m["error"] for m in json.loads(stdout)["models"] if m["entry"] == "team/ft-1")
    assert "audit incomplete" in error and "base/mit-base" in error
    # once the Hub answers again, only the model that was not audited is scanned again
    fakehub.clear_faults()
    code, stdout, _err = run_cli(
        "fleet", "scan", str(inventory), "--db", db, "-o", str(tmp_path / "o"), "-q", "--json"
    )
    assert code == 0
    assert [m["entry"] for m in json.loads(stdout)["models"] if m["rescanned"]] == ["team/ft-1"]


def test_full_after_an_upstream_change_reports_the_new_commit_read_whole(
    fakehub: FakeHub, tmp_path: Path
) -> None:
    """--full re-reads every repo from the Hub (a cached answer still fresh by its age is not current), and a
    report describes one commit of each repo: its metadata and the weight headers read at that commit."""
    from sources.hub_fixtures import safetensors_blob

    ids = add_fleet(fakehub, 3)
    v1 = {
        **model({"license": "apache-2.0", "base_model": "base/apache-base"}),
        "model.safetensors": safetensors_blob(n=4),
    }
    fakehub.add_repo("team/ft-0", v1)
    inventory = write_inventory(tmp_path, ids)
    db, out = str(tmp_path / "fleet.db"), str(tmp_path / "out")
    args = ("fleet", "scan", str(inventory), "--db", db, "-o", out, "-q", "--verify", "headers")
    assert run_cli(*args)[0] in (0, 1)
    old = fakehub.repo("team/ft-0").sha
    # upstream: re-licensed as non-commercial and new, larger weights, in one new commit
    weights = safetensors_blob(n=64)
    fakehub.add_repo(
        "team/ft-0",
        {
            **model({"license": "cc-by-nc-4.0", "base_model": "base/apache-base"}),
            "model.safetensors": weights,
        },
    )
    new = fakehub.repo("team/ft-0").sha
    assert new != old
    _code, stdout, err = run_cli(*args, "--full", "--json")
    [ft0] = [m for m in json.loads(stdout)["models"] if m["entry"] == "team/ft-0"]
    report = json.loads((Path(out) / "models" / "team__ft-0.json").read_text(encoding="utf-8"))
    [root] = [n for n in report["nodes"] if n["id"] == "team/ft-0"]
    assert ft0["rescanned"] and root["revision"] == new
    assert root["license"]["id"] == "CC-BY-NC-4.0"  # the new answer, not the cached one
    [weights_file] = [f for f in root["files"] if f["path"] == "model.safetensors"]
    assert (
        weights_file["size"] == len(weights)
        and weights_file["sha256_expected"] == hashlib.sha256(weights).hexdigest()
    )
    assert not [f for f in report["findings"] if f["node"] == "team/ft-0" and f["rule"].startswith("MA3")], (
        err
    )


def test_a_records_files_are_read_at_the_commit_its_metadata_describes(fakehub: FakeHub) -> None:
    """A record named by a branch and served by the metadata cache while the branch has moved on: its weights
    are read at the record's commit, never at where the branch points now."""
    from modelaudit.models import RepoRef
    from modelaudit.sources import SourceSet
    from modelaudit.sources.metadata_cache import MetadataCache
    from sources.hub_fixtures import safetensors_blob

    def sources() -> SourceSet:  # what each new scan (or fleet run) opens
        return SourceSet(endpoint=fakehub.url, metadata_cache=MetadataCache(endpoint=fakehub.url))

    old_weights, new_weights = safetensors_blob(n=4), safetensors_blob(n=64)
    fakehub.add_repo("org/model", {"README.md": "---\nlicense: mit\n---\n", "model.safetensors": old_weights})
    old = fakehub.repo("org/model").sha
    sources().fetch(RepoRef(repo_id="org/model"))  # an earlier scan: the answer is cached
    fakehub.add_repo("org/model", {"README.md": "---\nlicense: mit\n---\n", "model.safetensors": new_weights})
    later = sources()
    record = later.fetch(RepoRef(repo_id="org/model"))
    assert record.ref.revision is None and record.revision == old  # fresh enough by its age
    assert later.read_range(record, "model.safetensors", 0, 60) == old_weights[:60] != new_weights[:60]
    with later.open_file(record, "model.safetensors") as fh:
        assert fh.read() == old_weights


def test_a_fleet_of_one_repo_owners_is_checked_with_at_most_one_request_per_entry(
    fakehub: FakeHub, tmp_path: Path
) -> None:
    """Each model alone under its owner: its owner's listing would cost what asking it costs. The listing of
    the children of the base they share (filter=base_model:<id>) answers them together."""
    add_fleet(fakehub, 0)
    bases = ["base/apache-base", "base/mit-base", "base/nc-base"]
    ids = [f"user-{i:02d}/model" for i in range(12)]
    for i, repo in enumerate(ids):
        fakehub.add_repo(repo, model({"license": "mit", "base_model": bases[i % 3]}))
    inv = load_inventory(write_inventory(tmp_path, ids))
    with open_store(tmp_path / "fleet.db") as store:
        run_fleet(inv, FleetOptions(), store)
        fakehub.clear_log()
        again = run_fleet(inv, FleetOptions(), store)
        assert not any(o.rescanned for o in again.outcomes)
        listings = sorted(r.query.get("filter", r.query.get("author")) for r in fakehub.requests)
        # the three bases' children, and the bases themselves (one owner): 4 requests for 12 entries
        assert listings == [["base"], *([f"base_model:{b}"] for b in bases)]
        assert len(fakehub.requests) / len(ids) <= 1
        # a re-license of one of them is seen through its base's children listing
        fakehub.add_repo("user-04/model", model({"license": "cc-by-nc-4.0", "base_model": bases[1]}))
        third = run_fleet(inv, FleetOptions(), store)
    assert [o.entry.target for o in third.outcomes if o.rescanned] == ["user-04/model"]
