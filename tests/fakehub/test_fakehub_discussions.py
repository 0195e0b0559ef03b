"""The fake Hub's pull requests and discussions, driven by the real HfApi."""

from __future__ import annotations

import pytest
from huggingface_hub import HfApi
from huggingface_hub import errors as hf_errors

from fakehub import FakeHub


@pytest.fixture
def hub(fakehub: FakeHub) -> FakeHub:
    fakehub.add_repo("org/m", {"README.md": "---\nlicense: mit\n---\n", "model.safetensors": b"a" * 8})
    fakehub.add_user("hf_bot", "audit-bot")
    fakehub.add_user("hf_other", "someone")
    return fakehub


def test_pull_request_is_a_ref_and_a_discussion(hub: FakeHub) -> None:
    pr = hub.add_pull_request("org/m", {"README.md": "---\nlicense: apache-2.0\n---\n"}, title="relicense")
    hub.add_discussion("org/m", "a question")
    api = HfApi(endpoint=hub.url)
    assert api.model_info("org/m", revision="refs/pr/1").card_data.license == "apache-2.0"  # type: ignore[union-attr]
    assert api.model_info("org/m").card_data.license == "mit"  # type: ignore[union-attr]
    refs = api.list_repo_refs("org/m", include_pull_requests=True)
    assert [b.name for b in refs.branches] == ["main"]
    assert [(p.ref, p.target_commit) for p in refs.pull_requests or []] == [
        ("refs/pr/1", hub.repo("org/m").refs[pr.ref])
    ]
    listed = {(d.num, d.is_pull_request, d.title) for d in api.get_repo_discussions("org/m")}
    assert listed == {(1, True, "relicense"), (2, False, "a question")}
    assert [d.num for d in api.get_repo_discussions("org/m", discussion_type="pull_request")] == [1]
    details = api.get_discussion_details("org/m", 1)
    assert details.target_branch == "refs/heads/main" and details.events == []
    new_sha = hub.update_pull_request("org/m", 1, {"README.md": "---\nlicense: bsd-3-clause\n---\n"})
    assert api.model_info("org/m", revision="refs/pr/1").sha == new_sha


def test_comments_are_created_listed_and_edited_only_by_their_author(hub: FakeHub) -> None:
    hub.add_pull_request("org/m", {"README.md": "x"})
    bot = HfApi(endpoint=hub.url, token="hf_bot")
    assert bot.whoami()["name"] == "audit-bot"
    comment = bot.comment_discussion("org/m", 1, "first")
    edited = bot.edit_discussion_comment("org/m", 1, comment.id, "second")
    assert edited.content == "second" and edited.edited
    events = bot.get_discussion_details("org/m", 1).events
    assert [(e.author, e.content) for e in events] == [("audit-bot", "second")]  # type: ignore[attr-defined]
    with pytest.raises(hf_errors.HfHubHTTPError) as info:
        HfApi(endpoint=hub.url, token="hf_other").edit_discussion_comment("org/m", 1, comment.id, "mine now")
    assert info.value.response.status_code == 403
    with pytest.raises(hf_errors.HfHubHTTPError) as info:
        HfApi(endpoint=hub.url, token="hf_nobody").comment_discussion("org/m", 1, "spam")
    assert info.value.response.status_code == 401
    assert len(hub.discussion("org/m", 1).comments) == 1
    with pytest.raises(hf_errors.HfHubHTTPError):
        bot.get_discussion_details("org/m", 7)


def test_pr_ref_is_served_by_tree_paths_info_and_resolve_only_url_encoded(hub: FakeHub) -> None:
    from huggingface_hub import hf_hub_download

    pr = hub.add_pull_request("org/m", {"README.md": "---\nlicense: apache-2.0\n---\n", "extra.txt": "new"})
    commit = hub.repo("org/m").refs[pr.ref]
    api = HfApi(endpoint=hub.url)
    assert sorted(api.list_repo_files("org/m", revision="refs/pr/1")) == ["README.md", "extra.txt"]
    assert [p.path for p in api.get_paths_info("org/m", ["extra.txt"], revision="refs/pr/1")] == ["extra.txt"]
    local = hf_hub_download("org/m", "extra.txt", revision="refs/pr/1", endpoint=hub.url)
    with open(local) as fh:
        assert fh.read() == "new"
    # huggingface_hub's own cache layout for a PR ref: refs/refs/pr/1 holding the commit
    assert (hub.cache_dir / "models--org--m" / "refs" / "refs" / "pr" / "1").read_text() == commit  # type: ignore[operator]
    sent = [r.raw_path for r in hub.requests if r.route in ("tree", "paths-info", "resolve", "info")]
    assert sent and all("refs/pr/1" not in p for p in sent)
    assert all("refs%2Fpr%2F1" in p or commit in p for p in sent)
    # unencoded, the ref does not resolve: the slash splits the path like on the real Hub
    import httpx

    assert httpx.get(f"{hub.url}/org/m/resolve/refs/pr/1/extra.txt").status_code == 404
