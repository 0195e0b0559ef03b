"""The fake Hub speaks the Hub's protocol: checked with raw HTTP and with the real huggingface_hub client."""

from __future__ import annotations

import hashlib
import socket
import threading
from pathlib import Path
from typing import Any

import httpx2
import pytest
from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub import errors as hf_errors
from huggingface_hub.hf_api import RepoFile, RepoFolder

from fakehub import FakeHub, git_blob_sha1, lfs_pointer

CARD = """---
license: apache-2.0
base_model: org/base
datasets:
- org/data
tags: [chat]
---
# A model
"""
WEIGHTS = bytes(range(256)) * 40  # 10 240 bytes


def _files() -> dict[str, bytes | str]:
    return {
        "README.md": CARD,
        "config.json": '{"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 8}',
        "model.safetensors": WEIGHTS,
        "sub/dir/notes.txt": "notes",
        "sub/other.txt": "other",
    }


@pytest.fixture
def raw(fakehub: FakeHub) -> Any:
    with httpx2.Client(base_url=fakehub.url, follow_redirects=False, timeout=5) as client:
        yield client


# --------------------------------------------------------------------------------------------- /api info


def test_model_info_with_files_metadata_matches_hub_shapes(fakehub: FakeHub) -> None:
    repo = fakehub.add_repo("org/model", _files())
    info = HfApi(endpoint=fakehub.url).model_info("org/model", files_metadata=True)
    assert info.id == "org/model" and info.sha == repo.sha and len(info.sha) == 40
    assert info.gated is False and info.private is False
    siblings = {s.rfilename: s for s in info.siblings or []}
    assert sorted(siblings) == [
        "README.md",
        "config.json",
        "model.safetensors",
        "sub/dir/notes.txt",
        "sub/other.txt",
    ]
    cfg = siblings["config.json"]
    assert cfg.lfs is None and cfg.size == len(_files()["config.json"])  # type: ignore[arg-type]
    assert cfg.blob_id == git_blob_sha1(str(_files()["config.json"]).encode())
    st = siblings["model.safetensors"]
    assert st.lfs is not None
    assert st.lfs.sha256 == hashlib.sha256(WEIGHTS).hexdigest() and st.lfs.size == len(WEIGHTS)
    assert st.lfs.pointer_size == len(lfs_pointer(WEIGHTS))
    assert st.blob_id == git_blob_sha1(lfs_pointer(WEIGHTS))  # LFS blobId is the pointer's git oid
    assert info.card_data is not None and info.card_data.license == "apache-2.0"
    assert info.config == {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}
    assert info.library_name == "transformers"


def test_tags_are_derived_like_the_hub(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/model", _files())
    fakehub.add_repo(
        "org/adapter",
        {
            "README.md": "---\nlicense: [mit, cc-by-4.0]\nbase_model: org/model\n---\n",
            "adapter_config.json": "{}",
            "adapter_model.safetensors": b"\0" * 16,
        },
    )
    fakehub.add_repo(
        "org/merged",
        {"README.md": "---\nbase_model: [org/a, org/b]\nbase_model_relation: merge\nlicense: other\n---\n"},
    )
    api = HfApi(endpoint=fakehub.url)
    tags = api.model_info("org/model").tags or []
    assert {
        "base_model:org/base",
        "base_model:finetune:org/base",
        "dataset:org/data",
        "license:apache-2.0",
        "chat",
    } <= set(tags)
    adapter = api.model_info("org/adapter").tags or []
    assert {"base_model:adapter:org/model", "license:mit", "license:cc-by-4.0", "peft"} <= set(adapter)
    merged = set(api.model_info("org/merged").tags or [])
    assert {"base_model:merge:org/a", "base_model:merge:org/b", "license:other"} <= merged


def test_info_without_blobs_and_with_expand(fakehub: FakeHub, raw: httpx2.Client) -> None:
    fakehub.add_repo("org/model", _files(), gated="manual")
    plain = raw.get("/api/models/org/model").json()
    assert all(set(s) == {"rfilename"} for s in plain["siblings"])
    assert plain["gated"] == "manual"
    # expand= and expand[]= both work and return only what was asked (plus the ids)
    one = raw.get("/api/models/org/model", params={"expand": ["cardData", "gated"]}).json()
    two = raw.get("/api/models/org/model?expand[]=cardData&expand[]=gated").json()
    assert one == two and set(one) == {"_id", "id", "cardData", "gated"}
    info = HfApi(endpoint=fakehub.url).model_info("org/model", expand=["gated", "sha"])
    assert info.gated == "manual" and info.sha == fakehub.repo("org/model").sha and info.siblings is None


def test_revisions_and_extra_info(fakehub: FakeHub) -> None:
    main = fakehub.add_repo(
        "org/model", {"README.md": "v1"}, extra_info={"downloads": 7, "library_name": None}
    )
    main_sha = main.sha
    repo = fakehub.add_repo("org/model", {"README.md": "v2"}, revision="dev")
    assert repo.sha == main_sha and repo.refs["dev"] != main_sha
    api = HfApi(endpoint=fakehub.url)
    info = api.model_info("org/model")
    assert info.sha == main_sha and info.downloads == 7 and info.library_name is None
    assert api.model_info("org/model", revision="dev").sha == repo.refs["dev"]
    assert api.model_info("org/model", revision=main_sha).sha == main_sha
    # commit shas are a function of id + content: a second server gives the same ones
    with FakeHub() as other:
        assert other.add_repo("org/model", {"README.md": "v1"}).sha == main_sha


def test_dataset_routes_and_folder_repos(fakehub: FakeHub, tmp_path: Path) -> None:
    folder = tmp_path / "ds"
    (folder / "data").mkdir(parents=True)
    (folder / "README.md").write_text("---\nlicense: cc-by-sa-4.0\nsource_datasets: [org/raw]\n---\n")
    (folder / "data" / "train.parquet").write_bytes(b"PAR1" * 10)
    fakehub.add_repo("org/ds", folder, kind="dataset", lfs={"*.parquet"})
    api = HfApi(endpoint=fakehub.url)
    info = api.dataset_info("org/ds", files_metadata=True)
    assert "license:cc-by-sa-4.0" in (info.tags or [])
    lfs = {s.rfilename: s.lfs for s in info.siblings or []}
    assert lfs["data/train.parquet"] is not None and lfs["README.md"] is None
    path = hf_hub_download("org/ds", "data/train.parquet", repo_type="dataset", endpoint=fakehub.url)
    assert Path(path).read_bytes() == b"PAR1" * 10
    with pytest.raises(hf_errors.RepositoryNotFoundError):
        api.model_info("org/ds")  # a dataset is not a model


# --------------------------------------------------------------------------------------------- tree, paths-info


def test_tree_listing_recursive_subpath_and_pagination(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/model", _files())
    fakehub.tree_page_size = 2
    api = HfApi(endpoint=fakehub.url)
    entries = list(api.list_repo_tree("org/model", recursive=True))
    files = {e.path for e in entries if isinstance(e, RepoFile)}
    dirs = {e.path for e in entries if isinstance(e, RepoFolder)}
    assert files == set(_files()) and dirs == {"sub", "sub/dir"}
    tree_pages = [r for r in fakehub.requests if r.route == "tree"]
    assert len(tree_pages) == 4  # 7 entries, 2 per page
    assert tree_pages[1].query["cursor"] == ["2"]
    top = {e.path for e in api.list_repo_tree("org/model")}
    assert top == {"README.md", "config.json", "model.safetensors", "sub"}
    sub = {e.path for e in api.list_repo_tree("org/model", path_in_repo="sub")}
    assert sub == {"sub/dir", "sub/other.txt"}
    st = next(e for e in entries if e.path == "model.safetensors")
    assert (
        isinstance(st, RepoFile)
        and st.lfs is not None
        and st.lfs.sha256 == hashlib.sha256(WEIGHTS).hexdigest()
    )
    with pytest.raises(hf_errors.RemoteEntryNotFoundError):
        list(api.list_repo_tree("org/model", path_in_repo="nope"))


def test_tree_link_header_is_absolute(fakehub: FakeHub, raw: httpx2.Client) -> None:
    fakehub.add_repo("org/model", _files())
    fakehub.tree_page_size = 3
    resp = raw.get("/api/models/org/model/tree/main", params={"recursive": "true"})
    assert len(resp.json()) == 3
    assert resp.links["next"]["url"].startswith(f"{fakehub.url}/api/models/org/model/tree/main?")


def test_paths_info_omits_unknown_paths(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/model", _files())
    got = HfApi(endpoint=fakehub.url).get_paths_info("org/model", ["config.json", "sub", "missing.bin"])
    assert [(type(e).__name__, e.path) for e in got] == [("RepoFile", "config.json"), ("RepoFolder", "sub")]
    post = next(r for r in fakehub.requests if r.route == "paths-info")
    assert post.method == "POST" and b"paths=config.json" in post.body


# --------------------------------------------------------------------------------------------- resolve


def test_resolve_git_file_headers_and_ranges(fakehub: FakeHub, raw: httpx2.Client) -> None:
    repo = fakehub.add_repo("org/model", _files())
    config = str(_files()["config.json"]).encode()
    head = raw.head("/org/model/resolve/main/config.json")
    assert head.status_code == 200
    assert head.headers["etag"] == f'"{git_blob_sha1(config)}"'
    assert head.headers["x-repo-commit"] == repo.sha
    assert head.headers["content-length"] == str(len(config))
    assert head.headers["accept-ranges"] == "bytes"
    assert raw.get("/org/model/resolve/main/config.json").content == config
    part = raw.get("/org/model/resolve/main/config.json", headers={"Range": "bytes=2-5"})
    assert part.status_code == 206 and part.content == config[2:6]
    assert part.headers["content-range"] == f"bytes 2-5/{len(config)}"
    tail = raw.get("/org/model/resolve/main/config.json", headers={"Range": "bytes=-4"})
    assert tail.content == config[-4:]
    bad = raw.get("/org/model/resolve/main/config.json", headers={"Range": f"bytes={len(config)}-"})
    assert bad.status_code == 416 and bad.headers["content-range"] == f"bytes */{len(config)}"


def test_resolve_lfs_redirects_to_a_cdn_on_another_origin(fakehub: FakeHub, raw: httpx2.Client) -> None:
    repo = fakehub.add_repo("org/model", _files())
    sha = hashlib.sha256(WEIGHTS).hexdigest()
    head = raw.head(f"/org/model/resolve/{repo.sha}/model.safetensors")
    assert head.status_code == 302 and "etag" not in head.headers
    assert head.headers["x-linked-etag"] == f'"{sha}"'
    assert head.headers["x-linked-size"] == str(len(WEIGHTS))
    assert head.headers["x-repo-commit"] == repo.sha
    location = head.headers["location"]
    assert location.startswith(fakehub.cdn_url) and fakehub.cdn_url != fakehub.url
    assert "x-xet-hash" not in head.headers
    part = httpx2.get(location, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == WEIGHTS[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(WEIGHTS)}"
    assert httpx2.get(location).content == WEIGHTS
    pointer = raw.get("/org/model/raw/main/model.safetensors")
    assert pointer.content == lfs_pointer(WEIGHTS)


def test_hf_hub_download_lands_in_cache_as_blobs_sha256(fakehub: FakeHub) -> None:
    repo = fakehub.add_repo("org/model", _files())
    path = hf_hub_download("org/model", "model.safetensors", endpoint=fakehub.url)
    assert Path(path).read_bytes() == WEIGHTS
    storage = fakehub.cache_dir / "models--org--model"  # type: ignore[operator]
    sha = hashlib.sha256(WEIGHTS).hexdigest()
    assert (storage / "blobs" / sha).read_bytes() == WEIGHTS
    assert (storage / "refs" / "main").read_text() == repo.sha
    assert Path(path) == storage / "snapshots" / repo.sha / "model.safetensors"
    git_path = hf_hub_download("org/model", "sub/dir/notes.txt", endpoint=fakehub.url)
    assert Path(git_path).resolve().name == git_blob_sha1(b"notes")
    assert [r.server for r in fakehub.requests if r.method == "GET"] == ["cdn", "hub"]


def test_parse_safetensors_metadata_through_range_reads(fakehub: FakeHub) -> None:
    import json
    import struct

    header = json.dumps(
        {"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "__metadata__": {"format": "pt"}}
    )
    blob = struct.pack("<Q", len(header)) + header.encode() + b"\0" * 8
    fakehub.add_repo("org/st", {"model.safetensors": blob})
    meta = HfApi(endpoint=fakehub.url).parse_safetensors_file_metadata("org/st", "model.safetensors")
    assert meta.metadata == {"format": "pt"} and meta.tensors["w"].shape == [2]
    cdn = [r for r in fakehub.requests if r.server == "cdn"]
    assert cdn and cdn[0].range == "bytes=0-100000"


# --------------------------------------------------------------------------------------------- errors


def test_error_codes_map_to_client_exceptions(fakehub: FakeHub, raw: httpx2.Client) -> None:
    repo = fakehub.add_repo("org/model", _files())
    api = HfApi(endpoint=fakehub.url)
    missing_repo = raw.get("/api/models/org/missing")
    assert missing_repo.status_code == 404 and missing_repo.headers["x-error-code"] == "RepoNotFound"
    with pytest.raises(hf_errors.RepositoryNotFoundError):
        api.model_info("org/missing")
    fakehub.anonymous_401 = True  # the real Hub's answer to anonymous callers
    anon = raw.get("/api/models/org/missing")
    assert anon.status_code == 401 and "x-error-code" not in anon.headers
    assert anon.headers["x-error-message"] == "Invalid username or password."
    authed = raw.get("/api/models/org/missing", headers={"Authorization": "Bearer hf_abcdefghijkl"})
    assert authed.status_code == 404 and authed.headers["x-error-code"] == "RepoNotFound"
    with pytest.raises(hf_errors.RevisionNotFoundError):
        api.model_info("org/model", revision="nope")
    missing = raw.head("/org/model/resolve/main/nope.txt")
    assert missing.status_code == 404 and missing.headers["x-error-code"] == "EntryNotFound"
    assert missing.headers["x-repo-commit"] == repo.sha
    with pytest.raises(hf_errors.RemoteEntryNotFoundError):
        hf_hub_download("org/model", "nope.txt", endpoint=fakehub.url)
    with pytest.raises(hf_errors.RevisionNotFoundError):
        hf_hub_download("org/model", "config.json", revision="nope", endpoint=fakehub.url)
    # a bogus revision never leaves a ref behind
    assert not (fakehub.cache_dir / "models--org--model" / "refs" / "nope").exists()  # type: ignore[operator]


def test_gated_repo_metadata_readable_files_not(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/gated", _files(), gated="manual", approved_tokens={"hf_approvedtoken1"})
    api = HfApi(endpoint=fakehub.url)
    assert api.model_info("org/gated", files_metadata=True).gated == "manual"
    assert len(list(api.list_repo_tree("org/gated", recursive=True))) == 7
    readme = hf_hub_download("org/gated", "README.md", endpoint=fakehub.url)
    assert Path(readme).read_text() == CARD
    with pytest.raises(hf_errors.GatedRepoError) as anon:
        hf_hub_download("org/gated", "config.json", endpoint=fakehub.url)
    assert anon.value.response.status_code == 401
    with pytest.raises(hf_errors.GatedRepoError) as denied:
        hf_hub_download("org/gated", "config.json", endpoint=fakehub.url, token="hf_someoneelse123")
    assert denied.value.response.status_code == 403
    ok = hf_hub_download("org/gated", "model.safetensors", endpoint=fakehub.url, token="hf_approvedtoken1")
    assert Path(ok).read_bytes() == WEIGHTS
    gated = [r for r in fakehub.requests if r.status in (401, 403)]
    assert {r.headers.get("authorization") for r in gated} == {None, "Bearer hf_someoneelse123"}


def test_private_repo_needs_an_approved_token(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/private", _files(), private=True, approved_tokens={"hf_owner_token_1"})
    api = HfApi(endpoint=fakehub.url)
    with pytest.raises(hf_errors.RepositoryNotFoundError):
        api.model_info("org/private")
    with pytest.raises(hf_errors.RepositoryNotFoundError):
        api.model_info("org/private", token="hf_stranger_token")
    assert api.model_info("org/private", token="hf_owner_token_1").private is True


# --------------------------------------------------------------------------------------------- faults, log


def test_rate_limit_headers_and_fault_counting(fakehub: FakeHub, raw: httpx2.Client) -> None:
    fakehub.add_repo("org/model", _files())
    fault = fakehub.rate_limit("info", times=2, reset=3)
    first = raw.get("/api/models/org/model")
    assert first.status_code == 429
    assert first.headers["ratelimit"] == '"api";r=0;t=3' and first.headers["retry-after"] == "3"
    assert raw.get("/api/models/org/model").status_code == 429
    assert raw.get("/api/models/org/model").status_code == 200
    assert fault.hits == 2
    fakehub.inject("resolve", path="*.json", status=503, times=None)
    assert raw.get("/org/model/resolve/main/config.json").status_code == 503
    assert raw.get("/org/model/resolve/main/config.json").status_code == 503
    assert raw.get("/org/model/resolve/main/README.md").status_code == 200  # pattern did not match
    with pytest.raises(hf_errors.HfHubHTTPError) as err:
        fakehub.clear_faults()
        fakehub.inject("info", status=500)
        HfApi(endpoint=fakehub.url).model_info("org/model")
    assert err.value.response.status_code == 500


def test_truncated_and_wrong_length_bodies_fail_in_the_client(
    fakehub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("time.sleep", lambda _s: None)  # huggingface_hub sleeps 1 s before each resume
    fakehub.add_repo("org/model", _files())
    fakehub.inject("info", truncate=True)
    with pytest.raises(httpx2.RemoteProtocolError):
        HfApi(endpoint=fakehub.url).model_info("org/model")
    blob = fakehub.cache_dir / "models--org--model" / "blobs" / hashlib.sha256(WEIGHTS).hexdigest()  # type: ignore[operator]
    fakehub.inject("cdn", truncate=True, times=None)  # every attempt is cut: the client gives up
    with pytest.raises(httpx2.RemoteProtocolError):
        hf_hub_download("org/model", "model.safetensors", endpoint=fakehub.url)
    assert not blob.exists()  # nothing half-written is left as a finished blob
    assert fakehub.count("cdn") == 6  # first try + 5 resumes
    fakehub.clear_faults()
    fakehub.clear_log()
    fakehub.inject("cdn", truncate=True)  # cut once: the client retries and succeeds
    path = hf_hub_download("org/model", "model.safetensors", endpoint=fakehub.url)
    assert Path(path).read_bytes() == WEIGHTS and blob.exists()
    assert fakehub.count("cdn") == 2
    fakehub.inject(
        "resolve", path="config.json", length_delta=-5, method="GET"
    )  # a short body is a size error
    with pytest.raises(OSError, match="Consistency check failed"):
        hf_hub_download("org/model", "config.json", endpoint=fakehub.url)


def test_latency_drop_and_thread_safe_log(fakehub: FakeHub, raw: httpx2.Client) -> None:
    fakehub.add_repo("org/model", _files())
    fakehub.latency = 0.002
    fakehub.inject("info", drop=True)
    with pytest.raises(httpx2.RemoteProtocolError):
        raw.get("/api/models/org/model")
    fakehub.clear_log()

    def hit() -> None:
        with httpx2.Client(base_url=fakehub.url) as client:
            for _ in range(5):
                assert client.get("/api/models/org/model").status_code == 200

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fakehub.count("info") == 20 and len(fakehub.requests) == 20
    fakehub.clear_log()
    assert fakehub.requests == []


def test_requests_record_user_agent_and_headers(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/model", _files())
    HfApi(endpoint=fakehub.url, library_name="modelaudit", library_version="9").model_info("org/model")
    (req,) = fakehub.requests
    assert req.headers["user-agent"].startswith("modelaudit/9;")
    assert "authorization" not in req.headers and req.repo_id == "org/model" and req.route == "info"


def test_network_guard_blocks_non_loopback() -> None:
    with pytest.raises(OSError):
        socket.create_connection(("192.0.2.1", 443), timeout=0.5)
    with pytest.raises(OSError):
        socket.getaddrinfo("huggingface.co", 443)


def test_fixture_environment_is_hermetic(fakehub: FakeHub) -> None:
    import os

    from huggingface_hub import constants

    assert os.environ["HF_ENDPOINT"] == fakehub.url == constants.ENDPOINT
    assert os.environ["HF_HUB_CACHE"] == str(fakehub.cache_dir) == constants.HF_HUB_CACHE
    assert "HF_TOKEN" not in os.environ and os.environ["HF_HUB_DISABLE_XET"] == "1"
    assert constants.HF_HUB_OFFLINE is False
    fakehub.add_repo("org/model", {"README.md": "hi"})
    assert Path(hf_hub_download("org/model", "README.md")).read_text() == "hi"  # default endpoint and cache
    fakehub.go_offline()
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    with pytest.raises(hf_errors.OfflineModeIsEnabled):
        HfApi().model_info("org/model")
