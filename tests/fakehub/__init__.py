"""A fake Hugging Face Hub for tests: a real HTTP server on 127.0.0.1 that ``huggingface_hub`` accepts.

Use the ``fakehub`` pytest fixture (tests/conftest.py). It points ``HF_ENDPOINT`` and
``huggingface_hub.constants.ENDPOINT`` at the fake, ``HF_HUB_CACHE`` at a temporary folder
(``fakehub.cache_dir``), unsets ``HF_TOKEN``, sets ``HF_HUB_DISABLE_XET=1``, and (like every test here)
only allows loopback connections::

    def test_something(fakehub):
        repo = fakehub.add_repo("org/model", {"README.md": "---\\nlicense: mit\\n---\\n", "model.safetensors": blob})
        repo.sha                                   # deterministic commit
        fakehub.add_repo("org/gated", files, gated="manual", approved_tokens={"hf_ok"})
        fakehub.add_repo("org/data", tmp_path / "folder", kind="dataset", lfs={"*.parquet"})
        fakehub.rate_limit("info", times=2)        # 429 with RateLimit + Retry-After
        fakehub.inject("resolve", path="*.json", status=503, times=1)
        fakehub.inject("cdn", truncate=True)       # half a body, then the connection closes
        fakehub.inject("info", delay=0.05)         # per-request latency (or fakehub.latency for all)
        ...
        fakehub.count("resolve"), fakehub.requests[-1].range, fakehub.clear_log()
        fakehub.go_offline()                       # HF_HUB_OFFLINE=1 for the rest of the test

Routes: ``/api/{models,datasets,spaces}/{id}[/revision/{rev}]`` (``blobs=true``, ``expand=``/``expand[]=``),
``.../tree/{rev}[/{path}]`` (recursive, Link pagination), ``.../paths-info/{rev}`` (POST), ``.../refs``,
``/[datasets/]{id}/resolve/{rev}/{path}`` and ``/raw/`` (git files: 200/206/416 with ETag; LFS files:
302 to the CDN server on another port with X-Linked-Etag/X-Linked-Size), errors with ``X-Error-Code``.
Pull requests and discussions: ``fakehub.add_pull_request(repo_id, files)`` opens PR N (git ref
``refs/pr/N``, reachable through every route above with the revision URL-encoded, and listed by
``.../refs?include_prs=1``), ``update_pull_request`` pushes a new head, ``add_discussion`` adds a plain one,
``add_user(token, name)`` makes a token the fake accepts. Routes: ``.../discussions`` (list, ``p`` pages),
``.../discussions/{num}`` (details with comment events), POST ``.../discussions/{num}/comment`` and
``.../comment/{id}/edit`` (author only), ``/api/whoami-v2``.
Route names for faults and the log: info, tree, paths-info, refs, resolve, raw, cdn, discussions,
discussion, comment, comment-edit, whoami, unknown.
"""

from .discussions import FakeComment, FakeDiscussion
from .repos import FakeFile, FakeRepo, git_blob_sha1, lfs_pointer
from .server import FakeHub, Fault, LoggedRequest

__all__ = [
    "FakeComment",
    "FakeDiscussion",
    "FakeFile",
    "FakeHub",
    "FakeRepo",
    "Fault",
    "LoggedRequest",
    "git_blob_sha1",
    "lfs_pointer",
]
