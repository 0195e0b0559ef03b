"""``modelaudit serve-webhook``: gate pull requests on the Hugging Face Hub.

The Hub calls this service (an ASGI app on Starlette, served by uvicorn; both in the ``[webhook]`` extra)
for events on the repos the webhook watches. For a pull request that is opened or updated on a
configured repo, the service queues a job; a small pool of worker threads runs each job:

1. read the discussion through ``HfApi.get_discussion_details`` (still open? which branch does it target?);
2. compare ``refs/pr/N`` with the target branch (:func:`modelaudit.compare.compare_revisions`: a metadata
   scan of both commits, never repo code, no smoke run);
3. post the Markdown summary and verdict as one comment, or edit the comment it posted before (found by a
   hidden marker and our own user name), or leave it alone when nothing changed.

Requests must carry the webhook's secret in ``X-Webhook-Secret`` (compared in constant time); anything
else is answered 401 and nothing runs. Comment events (scope ``discussion.comment``, ours included) never
trigger a job, so the service cannot loop; a pull request being opened (scope ``discussion``, action
``create``) does, although the Hub sends its opening comment with it. The queue is bounded: when full the Hub gets a 503 and redelivers later. A redelivered or repeated
event for a pull request already waiting in the queue is merged into the waiting job; jobs for the same
pull request never run at the same time, so there is always at most one comment. The Hub token is held in a
``SecretStr`` and never logged, echoed or put into a comment.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hmac
import json
import logging
import queue
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from modelaudit.config import DEFAULT_DEADLINE
from modelaudit.documents import MARKER, AuditError
from modelaudit.errors import ModelAuditError

log = logging.getLogger("modelaudit.webhook")

MAX_BODY_BYTES = 1024 * 1024
PR_STATUSES = frozenset({"open", "draft"})


class WebhookSettings(BaseModel):
    """How the service behaves. ``secret`` and ``token`` never appear in reprs or logs."""

    model_config = ConfigDict(extra="forbid")

    secret: SecretStr
    repos: list[str] = Field(min_length=1)  # repo ids or globs (acme/*), matched on "org/name"
    token: SecretStr | None = None  # a Hub token that may comment; default HF_TOKEN / the saved token
    endpoint: str | None = None  # default HF_ENDPOINT or huggingface.co
    policy: str = "default"
    waivers: str | None = None
    verify: Literal["none", "headers"] = "headers"  # never downloads whole weights
    workers: int = Field(default=1, ge=1, le=32)
    queue_size: int = Field(default=32, ge=1, le=10_000)
    timeout: float = Field(default=10.0, gt=0)  # per Hub request
    deadline: float = Field(default=DEFAULT_DEADLINE, gt=0)  # all Hub requests of one scan

    def watches(self, repo_id: str) -> bool:
        return any(fnmatch.fnmatchcase(repo_id, pattern) for pattern in self.repos)


@dataclass(frozen=True)
class PrJob:
    repo_id: str
    repo_type: str  # model | dataset
    num: int

    @property
    def key(self) -> str:
        prefix = "datasets/" if self.repo_type == "dataset" else ""
        return f"{prefix}{self.repo_id}#{self.num}"


class JobQueue:
    """A bounded queue of pull-request jobs served by worker threads.

    ``submit`` answers ``"queued"``, ``"merged"`` (the same pull request is already waiting) or ``"full"``.
    Jobs for one pull request run one at a time (a per-key lock), so two deliveries never race to comment.
    """

    def __init__(self, handler: Callable[[PrJob], None], *, workers: int = 1, size: int = 32) -> None:
        self._handler = handler
        self._queue: queue.Queue[PrJob | None] = queue.Queue(maxsize=size)
        self._waiting: set[str] = set()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._idle = threading.Condition(self._guard)
        self._busy = 0
        self._threads = [
            threading.Thread(target=self._run, name=f"modelaudit-webhook-{i}", daemon=True)
            for i in range(workers)
        ]
        for t in self._threads:
            t.start()

    def submit(self, job: PrJob) -> str:
        with self._guard:
            if job.key in self._waiting:
                return "merged"
            try:
                self._queue.put_nowait(job)
            except queue.Full:
                return "full"
            self._waiting.add(job.key)
            return "queued"

    def pending(self) -> int:
        with self._guard:
            return len(self._waiting) + self._busy

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until no job is waiting or running (tests, shutdown). False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._waiting and self._busy == 0, timeout=timeout)

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for t in self._threads:
            t.join(timeout=5)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            with self._guard:
                self._waiting.discard(job.key)
                self._busy += 1
                lock = self._locks.setdefault(job.key, threading.Lock())
            try:
                with lock:
                    self._handler(job)
            except Exception as exc:  # a job must never kill its worker
                log.error("job %s failed: %s", job.key, type(exc).__name__)
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()


# --------------------------------------------------------------------------------------------- events


def job_for(payload: dict[str, Any], settings: WebhookSettings) -> tuple[PrJob | None, str]:
    """The job an event asks for, or None and the reason it is ignored."""
    from huggingface_hub import WebhookPayload

    try:
        event = WebhookPayload.model_validate(payload)
    except ValidationError as exc:
        raise ValueError(f"not a Hub webhook payload (v3): {exc.error_count()} problem(s)") from None
    repo = event.repo
    if repo.type not in ("model", "dataset"):
        return None, f"{repo.type} repos are not audited"
    if not settings.watches(repo.name):
        return None, f"{repo.name} is not a configured repo"
    scope = event.event.scope
    # Decided by the scope alone: the Hub also sends the opening comment with a discussion (or pull request)
    # being created (scope "discussion", action "create"), and that delivery must start a scan.
    if scope.startswith("discussion.comment"):
        return None, "comments do not trigger a scan"
    num: int | None = None
    if event.discussion is not None and event.discussion.isPullRequest:
        if event.discussion.status not in PR_STATUSES:
            return None, f"pull request is {event.discussion.status}"
        num = event.discussion.num
    for updated in event.updatedRefs or []:  # repo.content events name the PR refs that moved
        if updated.ref.startswith("refs/pr/") and updated.ref[len("refs/pr/") :].isdigit():
            num = int(updated.ref[len("refs/pr/") :])
    if num is None:
        return None, "not a pull request event"
    if scope not in ("discussion", "repo.content", "repo") or event.event.action not in ("create", "update"):
        return None, f"{scope}/{event.event.action} is not a pull request being opened or updated"
    return PrJob(repo_id=repo.name, repo_type=repo.type, num=num), "queued"


# --------------------------------------------------------------------------------------------- the job


class PrChecker:
    """Runs one job: compare the pull request with its target branch and post or update our comment."""

    def __init__(self, settings: WebhookSettings) -> None:
        from huggingface_hub import HfApi

        self.settings = settings
        token = settings.token.get_secret_value() if settings.token else None
        self._api = HfApi(endpoint=settings.endpoint, token=token, library_name="modelaudit")
        self._me: str | None = None

    def _whoami(self) -> str | None:
        if self._me is None:
            try:
                self._me = str(self._api.whoami()["name"])
            except Exception as exc:
                log.warning("could not tell who the token belongs to (%s)", _describe(exc))
        return self._me

    def __call__(self, job: PrJob) -> None:
        from modelaudit.compare import compare_revisions
        from modelaudit.formats import AUDIT_ERROR_FORMATS, COMPARISON_FORMATS
        from modelaudit.models import VerifyMode
        from modelaudit.pipeline import ScanOptions

        s = self.settings
        details = self._api.get_discussion_details(job.repo_id, job.num, repo_type=job.repo_type)
        if not details.is_pull_request or details.status not in PR_STATUSES:
            log.info(
                "%s: skipped (%s)",
                job.key,
                "not a pull request" if not details.is_pull_request else details.status,
            )
            return
        against = (details.target_branch or "refs/heads/main").removeprefix("refs/heads/")
        prefix = "datasets/" if job.repo_type == "dataset" else ""
        options = ScanOptions(
            policy=s.policy,
            waivers=s.waivers,
            verify=VerifyMode(s.verify),
            smoke=False,
            endpoint=s.endpoint,
            token=s.token.get_secret_value() if s.token else None,
            timeout=s.timeout,
            deadline=s.deadline,
        )
        log.info("%s: comparing refs/pr/%d with %s", job.key, job.num, against)
        try:
            comparison, _ = compare_revisions(f"{prefix}{job.repo_id}@refs/pr/{job.num}", against, options)
            body = COMPARISON_FORMATS.render_text("md", comparison)
            outcome = comparison.verdict.value
        except ModelAuditError as exc:  # fail closed: say the check could not be done, never "pass"
            error = AuditError(repo=job.repo_id, number=job.num, against=against, message=exc.message)
            body = AUDIT_ERROR_FORMATS.render_text("md", error)
            outcome = "error"
        self._post(job, details.events, body)
        log.info("%s: %s", job.key, outcome)

    def _post(self, job: PrJob, events: list[Any], body: str) -> None:
        me = self._whoami()
        ours = [
            e
            for e in events
            if getattr(e, "type", None) == "comment"
            and MARKER in (getattr(e, "content", "") or "")
            and (me is None or e.author == me)
        ]
        if ours:
            comment = ours[-1]
            if comment.content == body:
                log.info("%s: comment %s is up to date", job.key, comment.id)
                return
            self._api.edit_discussion_comment(job.repo_id, job.num, comment.id, body, repo_type=job.repo_type)
            log.info("%s: updated comment %s", job.key, comment.id)
            return
        new = self._api.comment_discussion(job.repo_id, job.num, body, repo_type=job.repo_type)
        log.info("%s: posted comment %s", job.key, new.id)


def _describe(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return f"HTTP {status}" if status else type(exc).__name__


# --------------------------------------------------------------------------------------------- the app


def create_app(settings: WebhookSettings, *, handler: Callable[[PrJob], None] | None = None) -> Any:
    """The Starlette app: ``POST /webhook`` (the Hub's deliveries) and ``GET /healthz``.

    ``handler`` replaces the real :class:`PrChecker` (tests). ``app.state.jobs`` is the :class:`JobQueue`.
    """
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    jobs = JobQueue(handler or PrChecker(settings), workers=settings.workers, size=settings.queue_size)
    secret = settings.secret.get_secret_value().encode("utf-8")

    async def webhook(request: Request) -> JSONResponse:
        given = request.headers.get("x-webhook-secret", "").encode("utf-8")
        if not given or not hmac.compare_digest(given, secret):
            log.warning("rejected a delivery with a missing or wrong X-Webhook-Secret")
            return JSONResponse({"error": "invalid or missing X-Webhook-Secret"}, status_code=401)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return JSONResponse({"error": "payload too large"}, status_code=413)
        try:
            payload = json.loads(body)
            if not isinstance(payload, dict):
                raise ValueError("payload is not a JSON object")
            job, reason = job_for(payload, settings)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)[:300]}, status_code=400)
        if job is None:
            return JSONResponse({"status": "ignored", "reason": reason})
        state = jobs.submit(job)
        if state == "full":
            log.warning("%s: queue full, asking the Hub to retry", job.key)
            return JSONResponse(
                {"status": "busy", "job": job.key}, status_code=503, headers={"Retry-After": "60"}
            )
        log.info("%s: %s", job.key, state)
        return JSONResponse({"status": state, "job": job.key}, status_code=202)

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "pending": jobs.pending()})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        jobs.close()

    app = Starlette(
        routes=[Route("/webhook", webhook, methods=["POST"]), Route("/healthz", healthz, methods=["GET"])],
        lifespan=lifespan,
    )
    app.state.jobs = jobs
    return app
