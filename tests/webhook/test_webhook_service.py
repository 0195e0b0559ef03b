"""``modelaudit serve-webhook`` end to end: the Starlette app served by uvicorn on 127.0.0.1, deliveries
posted over HTTP, and the jobs talking to the fake Hub (discussions, comments, PR refs) through HfApi."""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

import hub_pr_fixtures as fx
from cli_run import run_cli
from fakehub import FakeHub
from modelaudit.webhook import JobQueue, PrJob, WebhookSettings, create_app

SECRET = "s3cret-webhook-value"
# The "pull request opened" delivery as the Hub's webhook documentation shows it (tests/data/real/SOURCES.tsv):
# JSON with one `//` annotation line, which the Hub does not send.
DOCUMENTED = (
    Path(__file__).resolve().parents[1] / "data" / "real" / "webhooks" / "hub-docs-pull-request-opened.jsonc"
)
TOKEN = "hf_botTOKENabcdefghijklmnop"
REPO = "acme/Llama-3.1-acme-chat"


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


def payload(
    num: int,
    *,
    repo: str = REPO,
    scope: str = "discussion",
    action: str = "create",
    status: str = "open",
    is_pr: bool = True,
    refs: list[str] | None = None,
    comment: bool = False,
) -> dict[str, Any]:
    web = f"https://huggingface.co/{repo}"
    out: dict[str, Any] = {
        "event": {"action": action, "scope": scope},
        "repo": {
            "type": "model",
            "name": repo,
            "id": "6500000000000000000000aa",
            "private": False,
            "owner": {"id": "6500000000000000000000bb"},
            "url": {"web": web, "api": f"https://huggingface.co/api/models/{repo}"},
        },
        "discussion": {
            "id": "6500000000000000000000cc",
            "num": num,
            "author": {"id": "6500000000000000000000dd"},
            "url": {
                "web": f"{web}/discussions/{num}",
                "api": f"https://huggingface.co/api/models/{repo}/discussions/{num}",
            },
            "title": "Relicense",
            "isPullRequest": is_pr,
            "status": status,
            "changes": {"base": "refs/heads/main"},
        },
        "webhook": {"id": "6500000000000000000000ee", "version": 3},
    }
    if refs is not None:
        out["updatedRefs"] = [{"ref": r, "oldSha": None, "newSha": "0" * 40} for r in refs]
    if comment:
        out["comment"] = {
            "id": "6500000000000000000000ff",
            "author": {"id": "6500000000000000000000dd"},
            "hidden": False,
            "content": "looks good",
            "url": {"web": f"{web}/discussions/{num}#c1"},
        }
    return out


@pytest.fixture
def hub(fakehub: FakeHub) -> FakeHub:
    fx.add_llama_family(fakehub)
    fakehub.add_user(TOKEN, "audit-bot")
    return fakehub


@pytest.fixture
def service(hub: FakeHub) -> Iterator[tuple[str, JobQueue]]:
    settings = WebhookSettings(
        secret=SecretStr(SECRET), repos=["acme/*"], token=SecretStr(TOKEN), endpoint=hub.url, verify="headers"
    )
    app = create_app(settings)
    with serving(app) as url:
        yield url, app.state.jobs


def deliver(url: str, body: Any, secret: str | None = SECRET) -> httpx.Response:
    headers = {"X-Webhook-Secret": secret} if secret is not None else {}
    return httpx.post(f"{url}/webhook", json=body, headers=headers, timeout=30)


def comments(hub: FakeHub, num: int) -> list[Any]:
    return hub.discussion(REPO, num).comments


def test_bad_or_missing_secret_is_401_and_nothing_runs(hub: FakeHub, service: tuple[str, JobQueue]) -> None:
    url, jobs = service
    hub.add_pull_request(REPO, fx.relicensed_files())
    hub.clear_log()
    assert deliver(url, payload(1), secret="wrong-secret").status_code == 401
    assert deliver(url, payload(1), secret=None).status_code == 401
    assert deliver(url, payload(1), secret=SECRET[:-1]).status_code == 401
    assert jobs.wait_idle(30) and jobs.pending() == 0
    assert hub.requests == []  # not even the discussion was read
    assert comments(hub, 1) == []


def test_relicensed_llama_pr_gets_one_fail_comment_even_when_redelivered(
    hub: FakeHub, service: tuple[str, JobQueue], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url, jobs = service
    hub.add_pull_request(REPO, fx.relicensed_files(), title="Relicense as MIT")
    first = deliver(url, payload(1))
    assert first.status_code == 202 and first.json()["job"] == f"{REPO}#1"
    assert jobs.wait_idle(120)
    for _ in range(2):  # the Hub redelivers the same event
        assert deliver(url, payload(1)).status_code == 202
        assert jobs.wait_idle(120)
    posted = comments(hub, 1)
    assert len(posted) == 1 and posted[0].author == "audit-bot" and posted[0].edits == 0
    text = posted[0].content
    assert "**FAIL**" in text and "use-restrictions-dropped" in text
    assert "| assessed | llama3.1 | MIT |" in text
    assert "Llama 3.1 Community License" in text  # says why
    assert hub.count("comment") == 1 and hub.count("comment-edit") == 0
    assert TOKEN not in text and TOKEN not in caplog.text


def test_pr_update_edits_the_same_comment(hub: FakeHub, service: tuple[str, JobQueue]) -> None:
    url, jobs = service
    hub.add_pull_request(REPO, fx.relicensed_files())
    assert deliver(url, payload(1)).status_code == 202
    assert jobs.wait_idle(120)
    assert "**FAIL**" in comments(hub, 1)[0].content
    fixed = fx.relicensed_files()
    fixed["README.md"] = fx.card("llama3.1")
    del fixed["LICENSE"]
    hub.update_pull_request(REPO, 1, fixed)
    event = payload(1, scope="repo.content", action="update", refs=["refs/pr/1"])
    assert deliver(url, event).status_code == 202
    assert jobs.wait_idle(120)
    posted = comments(hub, 1)
    assert len(posted) == 1 and posted[0].edits == 1
    assert "**PASS**" in posted[0].content and "| changed | `model.safetensors` |" in posted[0].content


def test_a_scan_that_cannot_complete_is_reported_not_passed(
    hub: FakeHub, service: tuple[str, JobQueue]
) -> None:
    url, jobs = service
    hub.add_pull_request(REPO, fx.relicensed_files(), base="release")  # targets a branch that does not exist
    assert deliver(url, payload(1)).status_code == 202
    assert jobs.wait_idle(120)
    (posted,) = comments(hub, 1)
    assert "**ERROR**" in posted.content and "not cleared" in posted.content and "PASS" not in posted.content


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (payload(1, repo="other/model"), "not a configured repo"),
        (payload(1, scope="discussion.comment", comment=True), "comments do not trigger"),
        (payload(1, status="merged"), "merged"),
        (payload(1, is_pr=False), "not a pull request"),
        (payload(1, action="delete"), "not a pull request being opened or updated"),
    ],
)
def test_other_events_are_ignored(
    hub: FakeHub, service: tuple[str, JobQueue], event: dict[str, Any], reason: str
) -> None:
    url, jobs = service
    hub.add_pull_request(REPO, fx.relicensed_files())
    answer = deliver(url, event)
    assert answer.status_code == 200 and answer.json()["status"] == "ignored"
    assert reason in answer.json()["reason"]
    assert jobs.wait_idle(30)
    assert comments(hub, 1) == []


def test_malformed_deliveries_are_400(service: tuple[str, JobQueue]) -> None:
    url, _ = service
    assert deliver(url, {"event": "nope"}).status_code == 400
    bad = httpx.post(f"{url}/webhook", content=b"{not json", headers={"X-Webhook-Secret": SECRET}, timeout=10)
    assert bad.status_code == 400
    huge = httpx.post(
        f"{url}/webhook", content=b" " * (1024 * 1024 + 1), headers={"X-Webhook-Secret": SECRET}, timeout=10
    )
    assert huge.status_code == 413
    assert httpx.get(f"{url}/healthz", timeout=10).json() == {"status": "ok", "pending": 0}


def test_job_queue_is_bounded_and_merges_duplicates() -> None:
    """Both workers are held inside their jobs, so what ``submit`` answers is known at every step."""
    gate = threading.Event()
    started: queue.Queue[str] = queue.Queue()
    seen: list[str] = []

    def handler(job: PrJob) -> None:
        started.put(job.key)
        gate.wait(30)
        seen.append(job.key)

    jobs = JobQueue(handler, workers=2, size=2)
    try:
        a, b, c, d = (PrJob("org/m", "model", n) for n in (1, 2, 3, 4))
        assert jobs.submit(a) == "queued"
        assert started.get(timeout=30) == "org/m#1"  # one worker holds a
        assert jobs.submit(b) == "queued"
        assert started.get(timeout=30) == "org/m#2"  # the other holds b: the queue is empty again
        assert jobs.pending() == 2
        assert jobs.submit(a) == "queued"  # a runs, it no longer waits: a new delivery for it queues
        assert jobs.submit(c) == "queued"  # the queue holds a and c: full
        assert jobs.submit(c) == "merged"  # already waiting
        assert jobs.submit(a) == "merged"
        assert jobs.submit(d) == "full"
        assert jobs.pending() == 4
        gate.set()
        assert jobs.wait_idle(30)
        assert sorted(seen) == ["org/m#1", "org/m#1", "org/m#2", "org/m#3"]  # d was refused
    finally:
        gate.set()
        jobs.close()


def test_cli_needs_a_secret_and_valid_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MODELAUDIT_WEBHOOK_SECRET", raising=False)
    code, out, err = run_cli("serve-webhook", "--repo", "acme/*")
    assert code == 2 and out == "" and "MODELAUDIT_WEBHOOK_SECRET" in err
    code, _, err = run_cli(
        "serve-webhook",
        "--repo",
        "acme/*",
        env={"MODELAUDIT_WEBHOOK_SECRET": SECRET, "MODELAUDIT_POLICY": "no-such-policy"},
    )
    assert code == 2 and "no-such-policy" in err
    code, out, _ = run_cli("serve-webhook", "--help")
    assert code == 0 and "--repo" in out and "/webhook" in out


def test_serve_webhook_command_serves_and_never_prints_the_token(tmp_path: Any) -> None:
    import os
    import signal
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(HF_TOKEN=TOKEN, HF_ENDPOINT="http://127.0.0.1:9", HF_HOME=str(tmp_path / "hf"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "modelaudit",
            "serve-webhook",
            "--repo",
            "acme/*",
            "--port",
            str(port),
            "--secret-file",
            str(secret_file),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "serve-webhook did not start"
                time.sleep(0.1)
        assert health.json() == {"status": "ok", "pending": 0}
        assert deliver(f"http://127.0.0.1:{port}", payload(1), secret="wrong").status_code == 401
        ignored = deliver(f"http://127.0.0.1:{port}", payload(1, repo="other/x"))
        assert ignored.json()["status"] == "ignored"
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    text = output.decode("utf-8", "replace")
    assert "listening on" in text and "rejected a delivery" in text
    assert TOKEN not in text and SECRET not in text


def documented_payload() -> dict[str, Any]:
    lines = DOCUMENTED.read_text(encoding="utf-8").splitlines()
    data: dict[str, Any] = json.loads("\n".join(line for line in lines if not line.strip().startswith("//")))
    return data


def test_the_documented_pull_request_opened_delivery_starts_a_scan(fakehub: FakeHub) -> None:
    """scope discussion, action create, isPullRequest true, with the opening comment: a pull request opened."""
    body = documented_payload()
    assert body["event"] == {"action": "create", "scope": "discussion"}
    assert body["discussion"]["isPullRequest"] is True and body["comment"]["content"]
    repo, num = body["repo"]["name"], body["discussion"]["num"]
    fakehub.add_repo(repo, {"README.md": fx.card("mit")})
    fakehub.add_pull_request(repo, {"README.md": fx.card("mit")})
    done: list[PrJob] = []
    settings = WebhookSettings(secret=SecretStr(SECRET), repos=[repo], endpoint=fakehub.url)
    app = create_app(settings, handler=done.append)
    with serving(app) as url:
        answer = deliver(url, body)
        assert answer.status_code == 202, answer.text
        assert answer.json() == {"status": "queued", "job": f"{repo}#{num}"}
        assert app.state.jobs.wait_idle(30)
    assert done == [PrJob(repo_id=repo, repo_type="model", num=num)]


def test_a_comment_on_the_documented_pull_request_does_not(fakehub: FakeHub) -> None:
    body = documented_payload()
    body["event"] = {
        "action": "create",
        "scope": "discussion.comment",
    }  # the scope the Hub gives new comments
    done: list[PrJob] = []
    app = create_app(WebhookSettings(secret=SECRET, repos=[body["repo"]["name"]]), handler=done.append)
    with serving(app) as url:
        answer = deliver(url, body)
        assert answer.status_code == 200 and answer.json()["reason"] == "comments do not trigger a scan"
    assert done == []
