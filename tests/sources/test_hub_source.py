"""HubSource against the fake Hub, with the real huggingface_hub client underneath."""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import pytest
from hub_fixtures import CARD, CONFIG, WEIGHTS, plain_model
from huggingface_hub import get_cached_repo_tree, scan_cache_dir, snapshot_download, try_to_load_from_cache

from fakehub import FakeHub, git_blob_sha1
from modelaudit.errors import (
    ExitCode,
    FileNotInRepoError,
    GatedRepoError,
    InputError,
    NetworkError,
    OfflineError,
    RepoNotFoundError,
    RevisionNotFoundError,
)
from modelaudit.models import Relation, RepoKind, RepoRef, SourceKind
from modelaudit.sources.base import Source
from modelaudit.sources.cache import CacheSource
from modelaudit.sources.hub import HubSource


def hub(fakehub: FakeHub, **kw: object) -> HubSource:
    source = HubSource(endpoint=fakehub.url, retry_backoff=0.0, **kw)  # type: ignore[arg-type]
    return source


REF = RepoRef(repo_id="org/model")


def test_hub_source_implements_the_protocol(fakehub: FakeHub) -> None:
    assert isinstance(hub(fakehub), Source)


# --------------------------------------------------------------------------------------------- fetch


def test_fetch_gives_record_with_license_parents_files_and_hashes(fakehub: FakeHub) -> None:
    repo = fakehub.add_repo("org/model", plain_model())
    record = hub(fakehub).fetch(REF)
    assert record.source is SourceKind.HUB and record.revision == repo.sha
    assert record.gated is False and record.private is False
    assert record.card_data["license"] == "apache-2.0"
    assert record.card_path == f"{fakehub.url}/org/model/blob/{repo.sha}/README.md"
    sources = {(e.source, e.value) for e in record.license_evidence}
    assert {("card:license", "apache-2.0"), ("tag:license", "apache-2.0")} <= sources
    parents = {(p.target, p.kind, p.relation, p.evidence.source) for p in record.parents}
    assert ("org/base", RepoKind.MODEL, None, "card:base_model") in parents
    assert ("org/base", RepoKind.MODEL, Relation.FINETUNE, "tag:base_model:finetune") in parents
    assert ("org/data", RepoKind.DATASET, Relation.TRAINED_ON, "card:datasets") in parents
    files = {f.path: f for f in record.files}
    assert sorted(files) == ["LICENSE", "README.md", "config.json", "model.safetensors"]
    assert files["model.safetensors"].lfs_sha256 == hashlib.sha256(WEIGHTS).hexdigest()
    assert files["model.safetensors"].size == len(WEIGHTS)
    assert (
        files["config.json"].blob_id == git_blob_sha1(CONFIG.encode())
        and files["config.json"].lfs_sha256 is None
    )
    assert record.config == json.loads(CONFIG)
    # LICENSE is read even though the card names a license id: it is evidence to compare with the card
    assert [(f.path, f.text) for f in record.license_files] == [("LICENSE", "Apache License 2.0")]


def test_plain_model_costs_one_request_plus_its_license_file_when_the_api_summarises_config(
    fakehub: FakeHub,
) -> None:
    fakehub.add_repo("org/model", plain_model())
    record = hub(fakehub).fetch(REF)
    assert [(r.method, r.route, r.file) for r in fakehub.requests] == [
        ("GET", "info", None),
        ("GET", "resolve", "LICENSE"),
    ]
    assert record.config is not None and record.config.get("model_type") == json.loads(CONFIG).get(
        "model_type"
    )


def test_plain_model_costs_two_requests_plus_its_license_file_and_pins_the_commit(fakehub: FakeHub) -> None:
    repo = fakehub.add_repo("org/model", plain_model(), extra_info={"config": None})
    hub(fakehub).fetch(REF)
    reqs = fakehub.requests
    assert [(r.method, r.route) for r in reqs] == [("GET", "info"), ("GET", "resolve"), ("GET", "resolve")]
    assert reqs[0].query["blobs"] == ["true"]
    assert reqs[1].path == f"/org/model/resolve/{repo.sha}/config.json"  # pinned, not "main"
    assert reqs[2].path == f"/org/model/resolve/{repo.sha}/LICENSE"
    assert reqs[1].headers["user-agent"].startswith("modelaudit/")
    fakehub.clear_log()
    hub(fakehub).fetch(REF)  # config.json and LICENSE now come from the HF cache
    assert fakehub.count() == 1


def test_license_file_fetched_when_card_says_other(fakehub: FakeHub) -> None:
    files = plain_model()
    files["README.md"] = "---\nlicense: other\nlicense_name: acme-license\nlicense_link: LICENSE\n---\n"
    files["LICENSE"] = "ACME MODEL LICENSE\nYou may not use this for evil."
    fakehub.add_repo("org/model", files, extra_info={"config": None})
    record = hub(fakehub).fetch(REF)
    assert [(f.path, f.text) for f in record.license_files] == [("LICENSE", files["LICENSE"])]
    assert ("card:license_name", "acme-license") in {(e.source, e.value) for e in record.license_evidence}
    assert fakehub.count("resolve") == 2  # config.json + LICENSE


def test_without_card_data_the_readme_is_read(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/model", plain_model(), extra_info={"cardData": None, "config": None})
    record = hub(fakehub).fetch(REF)
    assert record.card_data["base_model"] == "org/base"
    assert fakehub.count("resolve") == 3  # README.md + config.json + LICENSE


def test_malformed_card_is_an_input_error_naming_it(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/model", {"README.md": "---\nlicense: [apache-2.0\n---\n"})
    with pytest.raises(InputError) as err:
        hub(fakehub).fetch(REF)
    assert (
        "org/model" in str(err.value) and "README.md" in str(err.value) and "malformed YAML" in str(err.value)
    )


def test_dataset_fetch(fakehub: FakeHub) -> None:
    fakehub.add_repo(
        "org/data",
        {"README.md": "---\nlicense: cc-by-nc-4.0\nsource_datasets: [org/raw]\n---\n"},
        kind="dataset",
    )
    ref = RepoRef(repo_id="org/data", kind=RepoKind.DATASET)
    record = hub(fakehub).fetch(ref)
    assert ("card:license", "cc-by-nc-4.0") in {(e.source, e.value) for e in record.license_evidence}
    assert [(p.target, p.relation) for p in record.parents] == [("org/raw", Relation.DERIVED)]
    assert record.card_path is not None and "/datasets/org/data/blob/" in record.card_path
    assert fakehub.requests[0].path == "/api/datasets/org/data"


# --------------------------------------------------------------------------------------------- cache + offline


def test_download_lands_in_cache_and_cache_source_reads_it_offline(fakehub: FakeHub) -> None:
    repo = fakehub.add_repo("org/model", plain_model(), extra_info={"config": None})
    source = hub(fakehub)
    online = source.fetch(REF)
    with source.open_file(REF, "model.safetensors") as fh:
        assert fh.read() == WEIGHTS
    with source.open_file(REF, "README.md") as fh:
        assert fh.read().decode() == CARD
    # huggingface_hub finds every file where it would have put it, for the branch and for the commit
    for path, data in (("model.safetensors", WEIGHTS), ("config.json", CONFIG.encode()), ("LICENSE", None)):
        for revision in ("main", repo.sha):
            found = try_to_load_from_cache("org/model", path, revision=revision)
            assert isinstance(found, str) and (data is None or Path(found).read_bytes() == data)
    # the revision's whole listing, as snapshot_download records it (huggingface_hub reads it back)
    assert sorted(f.path for f in get_cached_repo_tree("org/model")) == sorted(plain_model())

    fakehub.go_offline()
    fakehub.clear_log()
    offline = CacheSource().fetch(REF)
    assert fakehub.requests == []
    assert offline.source is SourceKind.CACHE and offline.revision == online.revision
    assert offline.files == online.files  # same paths, sizes, blob ids and sha256s
    assert offline.card_data == online.card_data and offline.config == online.config
    card_evidence = [e for e in online.license_evidence if e.source.startswith("card:")]
    assert [e for e in offline.license_evidence if e.source.startswith("card:")] == card_evidence
    assert {p.target for p in offline.parents} == {"org/base", "org/data"}
    assert offline.safetensors_metadata == {"model.safetensors": {"format": "pt"}}
    with pytest.raises(OfflineError):
        hub(fakehub).fetch(REF)


def test_a_metadata_only_fetch_leaves_a_cache_the_library_accepts(fakehub: FakeHub) -> None:
    """Nothing downloaded (card and config summary from the API, no LICENSE): the commit is still recorded,
    and huggingface_hub's cache scan sees a sound repo, not a corrupted one."""
    files = plain_model()
    del files["LICENSE"]
    repo = fakehub.add_repo("org/model", files)
    hub(fakehub).fetch(REF)
    assert fakehub.count("resolve") == 0
    info = scan_cache_dir(fakehub.cache_dir)
    assert info.warnings == []
    (cached,) = info.repos
    assert cached.repo_id == "org/model" and {r: v.commit_hash for r, v in cached.refs.items()} == {
        "main": repo.sha
    }
    fakehub.go_offline()
    offline = CacheSource().fetch(REF)
    assert offline.revision == repo.sha and sorted(f.path for f in offline.files) == sorted(files)


def test_a_listing_with_files_left_out_is_not_recorded(
    fakehub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """snapshot_download trusts a recorded listing as the commit's whole file list: one we cut short (here at
    two files) must not be recorded, or a later snapshot_download would silently skip the rest."""
    monkeypatch.setattr("modelaudit.sources.hub.MAX_LISTED_FILES", 2)
    fakehub.add_repo("org/model", plain_model())
    record = hub(fakehub).fetch(REF)
    assert len(record.files) == 2 and any("beyond the cap" in p.value for p in record.problems)
    folder = Path(snapshot_download("org/model", endpoint=fakehub.url))
    assert sorted(p.name for p in folder.iterdir()) == sorted(plain_model())


def test_cache_card_option_stores_the_readme(fakehub: FakeHub) -> None:
    repo = fakehub.add_repo("org/model", plain_model())
    hub(fakehub, cache_card=True).fetch(REF)
    storage = fakehub.cache_dir / "models--org--model"  # type: ignore[operator]
    assert (storage / "snapshots" / repo.sha / "README.md").read_text() == CARD
    assert (storage / "blobs" / git_blob_sha1(CARD.encode())).is_file()
    fakehub.go_offline()
    assert CacheSource().fetch(REF).card_data["license"] == "apache-2.0"


def test_tampered_small_file_is_returned_but_not_cached(fakehub: FakeHub) -> None:
    repo = fakehub.add_repo("org/model", plain_model(), extra_info={"config": None})
    evil = json.dumps({"model_type": "evil", "pad": "x" * len(CONFIG)}).encode()
    fakehub.inject("resolve", path="config.json", status=200, body=evil)
    record = hub(fakehub).fetch(REF)
    assert record.config is not None and record.config["model_type"] == "evil"
    storage = fakehub.cache_dir / "models--org--model"  # type: ignore[operator]
    assert not (storage / "snapshots" / repo.sha / "config.json").exists()


# --------------------------------------------------------------------------------------------- range reads


def test_read_range_returns_exact_bytes_with_a_range_header(fakehub: FakeHub) -> None:
    repo = fakehub.add_repo("org/model", plain_model())
    source = hub(fakehub, token="hf_range_reader_token")
    assert source.read_range(REF, "model.safetensors", 10, 20) == WEIGHTS[10:30]
    hub_req = next(r for r in fakehub.requests if r.route == "resolve")
    cdn_req = next(r for r in fakehub.requests if r.server == "cdn")
    assert hub_req.range == "bytes=10-29" and cdn_req.range == "bytes=10-29"
    assert hub_req.path == f"/org/model/resolve/{repo.sha}/model.safetensors"
    assert hub_req.headers["authorization"] == "Bearer hf_range_reader_token"
    assert "authorization" not in cdn_req.headers  # the token never goes to the CDN origin
    assert source.read_range(REF, "config.json", 3, 5) == CONFIG.encode()[3:8]
    assert source.read_range(REF, "config.json", len(CONFIG) - 2, 100) == CONFIG.encode()[-2:]
    assert source.read_range(REF, "config.json", len(CONFIG) + 10, 4) == b""  # 416 → nothing left
    assert source.read_range(REF, "config.json", 0, 0) == b""
    with pytest.raises(FileNotInRepoError):
        source.read_range(REF, "missing.bin", 0, 8)


def test_read_range_header_of_safetensors(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/model", plain_model())
    first = hub(fakehub).read_range(REF, "model.safetensors", 0, 8)
    (n,) = struct.unpack("<Q", first)
    header = json.loads(hub(fakehub).read_range(REF, "model.safetensors", 8, n))
    assert header["__metadata__"] == {"format": "pt"}


def test_read_small(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/model", plain_model())
    source = hub(fakehub)
    assert source.read_small(REF, "config.json") == CONFIG.encode()
    assert source.read_small(REF, "nope.json") is None


def test_read_small_is_capped_by_a_range_read(fakehub: FakeHub) -> None:
    from modelaudit.sources.base import MAX_SMALL_FILE_BYTES

    big = b"L" * (MAX_SMALL_FILE_BYTES + 100)
    fakehub.add_repo("org/model", {"LICENSE": big})
    assert hub(fakehub).read_small(REF, "LICENSE") == big[:MAX_SMALL_FILE_BYTES]
    (get,) = [r for r in fakehub.requests if r.route == "resolve"]
    assert get.range == f"bytes=0-{MAX_SMALL_FILE_BYTES - 1}"


def test_hf_token_from_the_environment_is_used(fakehub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    fakehub.add_repo("org/gated", plain_model(), gated="auto", approved_tokens={"hf_env_token_0001"})
    monkeypatch.setenv("HF_TOKEN", "hf_env_token_0001")
    ref = RepoRef(repo_id="org/gated")
    assert hub(fakehub).read_range(ref, "model.safetensors", 0, 4) == WEIGHTS[:4]
    with hub(fakehub).open_file(ref, "config.json") as fh:
        assert fh.read() == CONFIG.encode()
    assert all(
        r.headers.get("authorization") == "Bearer hf_env_token_0001"
        for r in fakehub.requests
        if r.server == "hub"
    )


# --------------------------------------------------------------------------------------------- errors


def test_unknown_repo_is_not_found_naming_the_id(fakehub: FakeHub) -> None:
    with pytest.raises(RepoNotFoundError) as err:
        hub(fakehub).fetch(RepoRef(repo_id="org/nothing"))
    assert "org/nothing" in str(err.value) and "not found" in str(err.value)
    assert err.value.exit_code == ExitCode.ERROR
    fakehub.anonymous_401 = True  # the real Hub's answer to anonymous callers
    with pytest.raises(RepoNotFoundError):
        hub(fakehub).fetch(RepoRef(repo_id="org/nothing"))


def test_bad_revision(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/model", plain_model())
    with pytest.raises(RevisionNotFoundError) as err:
        hub(fakehub).fetch(RepoRef(repo_id="org/model", revision="v9"))
    assert "'v9'" in str(err.value) and err.value.repo_id == "org/model"
    assert fakehub.count("info") == 1  # not retried


def test_gated_target_scans_from_readable_metadata(fakehub: FakeHub) -> None:
    fakehub.add_repo(
        "org/gated",
        plain_model(),
        gated="manual",
        approved_tokens={"hf_approved_token_42"},
        extra_info={"config": None},
    )
    ref = RepoRef(repo_id="org/gated")
    record = hub(fakehub).fetch(ref)
    assert record.gated is True
    assert ("card:license", "apache-2.0") in {(e.source, e.value) for e in record.license_evidence}
    assert record.config is None
    assert [(p.source, p.value) for p in record.problems] == [
        ("file:config.json", "gated: not readable without approved access"),
        ("file:LICENSE", "gated: not readable without approved access"),
    ]
    with pytest.raises(GatedRepoError) as anon:
        hub(fakehub).open_file(ref, "model.safetensors")
    assert "org/gated" in str(anon.value) and "log in" in str(anon.value)
    assert anon.value.hint is not None and "HF_TOKEN" in anon.value.hint
    with pytest.raises(GatedRepoError) as denied:
        hub(fakehub, token="hf_not_approved_token").read_range(ref, "model.safetensors", 0, 8)
    assert "not approved" in str(denied.value)
    approved = hub(fakehub, token="hf_approved_token_42")
    assert approved.read_range(ref, "model.safetensors", 0, 8) == WEIGHTS[:8]
    assert approved.fetch(ref).config == json.loads(CONFIG)


def test_token_never_appears_in_errors(fakehub: FakeHub) -> None:
    secret = "hf_SuperSecretToken123456"
    fakehub.add_repo("org/gated", plain_model(), gated="auto")
    source = hub(fakehub, token=secret)
    assert secret not in repr(source)
    with pytest.raises(GatedRepoError) as err:
        source.open_file(RepoRef(repo_id="org/gated"), "config.json")
    fakehub.inject("info", status=418, error_message=f"echo {secret}")
    with pytest.raises(Exception) as other:
        hub(fakehub, token=secret).fetch(RepoRef(repo_id="org/gated"))
    for exc in (err.value, other.value):
        assert secret not in str(exc) and secret not in str(getattr(exc, "hint", ""))
    assert "echo ***" in str(other.value)
    assert any(r.headers.get("authorization") == f"Bearer {secret}" for r in fakehub.requests)


def test_429_then_success_honours_retry_after(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/model", plain_model())
    fakehub.rate_limit("info", times=2, reset=3)
    waits: list[float] = []
    source = hub(fakehub, retries=3, sleep=waits.append)
    record = source.fetch(REF)
    assert record.revision is not None
    assert waits == [3.0, 3.0]  # Retry-After, not the exponential default
    assert fakehub.count("info") == 3


def test_429_forever_gives_up_bounded(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/model", plain_model())
    fakehub.rate_limit("info", times=None, reset=600)
    waits: list[float] = []
    source = hub(fakehub, retries=2, max_retry_wait=5.0, sleep=waits.append)
    with pytest.raises(NetworkError) as err:
        source.fetch(REF)
    assert "429" in str(err.value) and "3 attempt" in str(err.value)
    assert waits == [5.0, 5.0] and fakehub.count("info") == 3


def test_5xx_is_retried_then_a_network_error(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/model", plain_model())
    fakehub.inject("info", status=503)
    assert hub(fakehub).resolve(REF).commit  # one 503, then fine
    fakehub.clear_log()
    fakehub.inject("resolve", path="LICENSE", status=500, times=None)
    source = hub(fakehub, retries=1)
    with pytest.raises(NetworkError) as err:
        source.read_small(REF, "LICENSE")
    assert "HTTP 500" in str(err.value) and "LICENSE" in str(err.value)
    assert fakehub.count("resolve") == 2


def test_truncated_body_is_retried(fakehub: FakeHub, tmp_path: Path) -> None:
    fakehub.add_repo("org/model", plain_model(), extra_info={"config": None})
    fakehub.inject("info", truncate=True)
    fakehub.inject("resolve", path="config.json", length_delta=-3, method="GET")
    record = hub(fakehub).fetch(REF)
    assert record.config == json.loads(CONFIG)
    # info twice, config.json twice, LICENSE once
    assert [r.status for r in fakehub.requests] == [200, 200, 200, 200, 200]
    fakehub.inject("resolve", path="LICENSE", length_delta=-3, method="GET", times=None)
    with pytest.raises(NetworkError) as err:  # an empty HF cache: LICENSE must come from the Hub again
        hub(fakehub, retries=1, cache_dir=str(tmp_path / "empty")).read_small(REF, "LICENSE")
    assert "incomplete" in str(err.value)


def test_slow_hub_times_out(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/model", plain_model())
    fakehub.inject("info", delay=0.5, times=None)
    source = HubSource(endpoint=fakehub.url, timeout=0.1, retries=1, retry_backoff=0.0)
    with pytest.raises(NetworkError) as err:
        source.fetch(REF)
    assert "timed out" in str(err.value)


def test_unreachable_endpoint_is_a_network_error(hf_env: Path) -> None:
    import socket

    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    source = HubSource(endpoint=f"http://127.0.0.1:{port}", retries=1, retry_backoff=0.0)
    with pytest.raises(NetworkError) as err:
        source.fetch(REF)
    assert "org/model" in str(err.value)


def test_offline_mode_refuses(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/model", plain_model())
    fakehub.go_offline()
    with pytest.raises(OfflineError):
        hub(fakehub).fetch(REF)
    assert fakehub.requests == []


def test_a_given_cache_folder_is_where_the_hub_source_writes_and_the_offline_scan_reads(
    fakehub: FakeHub, tmp_path: Path
) -> None:
    from modelaudit.sources import SourceSet

    mine = tmp_path / "my-hf-cache"
    repo = fakehub.add_repo("org/model", plain_model())
    online = SourceSet(cache_dir=str(mine))
    record = online.fetch(REF)
    online.open_file(record, "model.safetensors").close()
    found = try_to_load_from_cache("org/model", "model.safetensors", cache_dir=mine)
    assert isinstance(found, str) and Path(found).read_bytes() == WEIGHTS
    assert try_to_load_from_cache("org/model", "model.safetensors") is None  # not the default cache
    fakehub.go_offline()
    offline = SourceSet(offline=True, cache_dir=str(mine))
    again = offline.fetch(REF)
    assert again.revision == repo.sha and again.source is SourceKind.CACHE
    with offline.open_file(again, "model.safetensors") as fh:
        assert fh.read() == WEIGHTS
