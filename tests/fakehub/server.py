"""A fake Hugging Face Hub: real HTTP on 127.0.0.1, the Hub's routes, a second "CDN" origin for LFS files.

The real ``huggingface_hub`` client is the client under test, so routes, headers and error codes follow
``shared/reference/hub-api.md`` section 1 exactly (see the checklist in 1.10). Tests add repos through
:meth:`FakeHub.add_repo`, inject faults with :meth:`FakeHub.inject`, and count what the client sent through
:attr:`FakeHub.requests`.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from . import discussions as _disc
from .discussions import FakeDiscussion
from .repos import Commit, FakeFile, FakeRepo, LfsSpec, is_lfs, lfs_pointer, load_files

API_KINDS = {"models": "model", "datasets": "dataset", "spaces": "space"}
KIND_PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}
TREE_PAGE_SIZE = 1000
TREE_PAGE_SIZE_EXPAND = 50
LIST_PAGE_SIZE = 1000


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server saw it. ``headers`` keys are lower-case."""

    server: str  # "hub" | "cdn"
    method: str
    path: str  # URL path, percent-decoded
    raw_path: str  # URL path as sent
    query: dict[str, list[str]]
    headers: dict[str, str]
    route: str  # info | list | tree | paths-info | refs | resolve | cdn | discussions | discussion | comment
    #             | comment-edit | whoami | unknown
    repo_id: str | None
    file: str | None
    status: int
    body: bytes = b""

    @property
    def range(self) -> str | None:
        return self.headers.get("range")


@dataclass
class Fault:
    """A misbehaviour applied to matching requests, ``times`` times (None = forever).

    ``status`` short-circuits with that status (plus ``headers``/``body``/``error_code``); ``delay`` sleeps
    first; ``truncate`` sends the real headers but only half the body then closes; ``length_delta`` lies
    in Content-Length by that many bytes then closes; ``drop`` closes the connection without answering.
    """

    route: str | None = None
    repo: str | None = None
    path: str | None = None  # fnmatch pattern on the file path (resolve/cdn)
    method: str | None = None
    server: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    error_code: str | None = None
    error_message: str | None = None
    delay: float = 0.0
    truncate: bool = False
    length_delta: int = 0
    drop: bool = False
    times: int | None = 1
    hits: int = 0

    def matches(self, server: str, method: str, route: str, repo: str | None, path: str | None) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.server and self.server != server:
            return False
        if self.route and self.route != route:
            return False
        if self.method and self.method.upper() != method:
            return False
        if self.repo and self.repo != repo:
            return False
        return not (self.path and not (path and fnmatch.fnmatchcase(path, self.path)))


@dataclass
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class Parsed:
    route: str
    kind: str = "model"
    repo_id: str | None = None
    revision: str | None = None
    file: str | None = None  # resolve file, tree sub-path
    extra: str | None = None  # "revision" when /revision/{rev} was given


def _json_reply(status: int, data: Any, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(
        status,
        {"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        json.dumps(data).encode(),
    )


def _error(status: int, code: str | None, message: str, headers: Mapping[str, str] | None = None) -> Reply:
    hdrs = {"X-Error-Message": message, **(headers or {})}
    if code:
        hdrs["X-Error-Code"] = code
    return _json_reply(status, {"error": message}, hdrs)


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """(start, end inclusive), None when there is no usable Range header, "unsatisfiable" for 416."""
    if not header or not header.strip().lower().startswith("bytes="):
        return None
    spec = header.split("=", 1)[1].split(",", 1)[0].strip()
    first, _, last = spec.partition("-")
    try:
        if first == "":
            n = int(last)
            if n <= 0 or size == 0:
                return "unsatisfiable"
            return max(0, size - n), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size or end < start:
        return "unsatisfiable"
    return start, min(end, size - 1)


def ranged(data: bytes, range_header: str | None, headers: dict[str, str]) -> Reply:
    headers = {"Accept-Ranges": "bytes", **headers}
    r = parse_range(range_header, len(data))
    if r == "unsatisfiable":
        headers["Content-Range"] = f"bytes */{len(data)}"
        return Reply(416, headers, b"")
    if r is None:
        return Reply(200, headers, data)
    assert isinstance(r, tuple)
    start, end = r
    headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
    return Reply(206, headers, data[start : end + 1])


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, hub: FakeHub, name: str) -> None:
        self.hub = hub
        self.name = name
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 10  # idle keep-alive connections end on their own

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        hub = self.server.hub
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        query = parse_qs(split.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in self.headers.items()}
        if self.server.name == "cdn":
            parsed = Parsed(
                route="cdn" if split.path.startswith("/cdn/") else "unknown",
                repo_id=query.get("repo", [None])[0],
                file=query.get("file", [None])[0],
                extra=unquote(split.path.rsplit("/", 1)[-1]),
            )
        else:
            parsed = hub.parse(split.path)
        fault = hub._take_fault(self.server.name, method, parsed)
        if hub.latency:
            time.sleep(hub.latency)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.drop:
            hub._log(self.server.name, method, split, query, headers, parsed, 0, body)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault and fault.status is not None:
            hdrs = dict(fault.headers)
            if fault.error_code:
                hdrs["X-Error-Code"] = fault.error_code
            if fault.error_message:
                hdrs["X-Error-Message"] = fault.error_message
            msg = fault.error_message or f"injected {fault.status}"
            reply = Reply(
                fault.status,
                {"Content-Type": "application/json", **hdrs},
                fault.body or json.dumps({"error": msg}).encode(),
            )
        else:
            try:
                reply = hub.answer(self.server.name, method, parsed, query, headers, body)
            except Exception as exc:  # a bug in the fake must show up as a 500, not a hang
                reply = _error(500, None, f"fake hub error: {type(exc).__name__}: {exc}")
        reply.headers.setdefault("X-Request-Id", f"Root=fake-{time.monotonic_ns()}")
        hub._log(self.server.name, method, split, query, headers, parsed, reply.status, body)
        self._write(method, reply, fault)

    def _write(self, method: str, reply: Reply, fault: Fault | None) -> None:
        body = reply.body
        length = len(body)
        cut = False
        if fault and fault.truncate:
            body, cut = body[: len(body) // 2], True
        if fault and fault.length_delta:
            length, cut = max(0, length + fault.length_delta), True
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        if "Content-Length" not in reply.headers or cut:
            self.send_header("Content-Length", str(length))
        if cut:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if method != "HEAD":
            try:
                self.wfile.write(body)
                self.wfile.flush()
            except OSError:
                pass
        if cut:
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)


class FakeHub:
    """The handle tests get: ``url``, ``add_repo``, ``inject``, ``requests``, ``clear_log``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._repos: dict[tuple[str, str], FakeRepo] = {}
        self._blobs: dict[str, bytes] = {}  # sha256 → content, what the CDN serves
        self._log_entries: list[LoggedRequest] = []
        self._faults: list[Fault] = []
        self.latency = 0.0  # seconds slept before answering every request
        self.tree_page_size = TREE_PAGE_SIZE
        self.list_page_size = LIST_PAGE_SIZE  # repos per page of GET /api/models (list_models)
        # The real Hub answers anonymous callers 401 (no X-Error-Code) for missing *and* private repos;
        # huggingface_hub maps that to RepositoryNotFoundError only for https endpoints, so by default
        # the fake answers 404 RepoNotFound to everyone. Set True to get the Hub's anonymous 401.
        self.anonymous_401 = False
        self.cache_dir: Path | None = None  # the HF cache the fixture set up
        self.offline_hook: Callable[[], None] | None = None  # set by the fixture
        self.users: dict[str, str] = {}  # token → user name (whoami, discussion comments)
        self._discussions: dict[tuple[str, str], dict[int, FakeDiscussion]] = {}
        self._hub = _Server(self, "hub")
        self._cdn = _Server(self, "cdn")
        self._threads = [
            threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            for s in (self._hub, self._cdn)
        ]
        for t in self._threads:
            t.start()

    # ---------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._hub.server_address[1]}"

    @property
    def cdn_url(self) -> str:
        return f"http://127.0.0.1:{self._cdn.server_address[1]}"

    def go_offline(self) -> None:
        """Switch the client side to HF_HUB_OFFLINE=1 (the server keeps running and logging)."""
        if self.offline_hook is None:
            raise RuntimeError("go_offline needs the fakehub fixture")
        self.offline_hook()

    def close(self) -> None:
        for s in (self._hub, self._cdn):
            s.shutdown()
            s.server_close()

    def __enter__(self) -> FakeHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- repos

    def add_repo(
        self,
        repo_id: str,
        files: Mapping[str, bytes | str] | str | Path,
        *,
        kind: str = "model",
        revision: str = "main",
        lfs: LfsSpec = None,
        gated: bool | str = False,
        private: bool = False,
        approved_tokens: Iterable[str] = (),
        extra_info: Mapping[str, Any] | None = None,
    ) -> FakeRepo:
        """Add (or add a revision to) a repo. ``files`` is path → content, or a folder on disk.

        ``lfs``: None = the Hub defaults (*.safetensors, *.bin, *.gguf, *.pt and files > 10 MB); an
        iterable of fnmatch patterns / names; or a callable ``(path, data) -> bool``. ``gated``: False,
        "auto" or "manual"; ``approved_tokens`` may download gated files and see private repos.
        ``extra_info`` keys override the /api JSON (None removes a key). The commit sha is derived from
        the repo id and the content, so it is stable across runs.
        """
        if kind not in KIND_PREFIX:
            raise ValueError(f"kind must be one of {sorted(KIND_PREFIX)}")
        if gated not in (False, "auto", "manual"):
            raise ValueError("gated must be False, 'auto' or 'manual'")
        content = load_files(files)
        fake_files = {p: FakeFile(path=p, data=d, lfs=is_lfs(p, d, lfs)) for p, d in content.items()}
        with self._lock:
            repo = self._repos.get((kind, repo_id))
            if repo is None:
                repo = self._repos[(kind, repo_id)] = FakeRepo(repo_id=repo_id, kind=kind)
            repo.gated = gated
            repo.private = private
            repo.approved_tokens |= set(approved_tokens)
            if extra_info is not None:
                repo.extra_info = dict(extra_info)
            repo.add_revision(revision, fake_files)
            for f in fake_files.values():
                if f.lfs:
                    self._blobs[f.sha256] = f.data
        return repo

    def remove_repo(self, repo_id: str, kind: str = "model") -> None:
        """Delete a repo: from now on every route answers 404 RepoNotFound and listings omit it."""
        with self._lock:
            del self._repos[(kind, repo_id)]

    def repo(self, repo_id: str, kind: str = "model") -> FakeRepo:
        return self._repos[(kind, repo_id)]

    # ---------------------------------------------------------------- discussions and pull requests

    def add_user(self, token: str, name: str) -> None:
        """A token the fake accepts for ``whoami`` and for writing comments, acting as ``name``."""
        with self._lock:
            self.users[token] = name

    def add_discussion(
        self, repo_id: str, title: str, *, kind: str = "model", author: str = "contributor"
    ) -> FakeDiscussion:
        return self._new_discussion(repo_id, kind, title, author, is_pull_request=False)

    def add_pull_request(
        self,
        repo_id: str,
        files: Mapping[str, bytes | str] | str | Path,
        *,
        title: str = "Update model",
        kind: str = "model",
        author: str = "contributor",
        lfs: LfsSpec = None,
        base: str = "main",
    ) -> FakeDiscussion:
        """Open a pull request on an existing repo: a discussion plus the git ref ``refs/pr/<num>``
        holding ``files`` (the PR head's whole tree)."""
        discussion = self._new_discussion(repo_id, kind, title, author, is_pull_request=True)
        discussion.base = f"refs/heads/{base}"
        self.add_repo(
            repo_id, files, kind=kind, revision=discussion.ref, lfs=lfs, **self._keep(kind, repo_id)
        )
        return discussion

    def update_pull_request(
        self, repo_id: str, num: int, files: Mapping[str, bytes | str] | str | Path, *, kind: str = "model"
    ) -> str:
        """Push a new head to pull request ``num``; returns the new commit sha."""
        discussion = self.discussion(repo_id, num, kind=kind)
        repo = self.add_repo(repo_id, files, kind=kind, revision=discussion.ref, **self._keep(kind, repo_id))
        return repo.refs[discussion.ref]

    def discussion(self, repo_id: str, num: int, *, kind: str = "model") -> FakeDiscussion:
        return self._discussions[(kind, repo_id)][num]

    def _keep(self, kind: str, repo_id: str) -> dict[str, Any]:
        repo = self._repos[(kind, repo_id)]
        return {"gated": repo.gated, "private": repo.private}

    def _new_discussion(
        self, repo_id: str, kind: str, title: str, author: str, *, is_pull_request: bool
    ) -> FakeDiscussion:
        with self._lock:
            if (kind, repo_id) not in self._repos:
                raise KeyError(f"add the repo {repo_id} first")
            table = self._discussions.setdefault((kind, repo_id), {})
            num = max(table, default=0) + 1
            table[num] = FakeDiscussion(
                repo_id=repo_id,
                kind=kind,
                num=num,
                title=title,
                author=author,
                is_pull_request=is_pull_request,
            )
            return table[num]

    def _user(self, headers: Mapping[str, str]) -> str | None:
        auth = headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        return self.users.get(token)

    def _discussion_answer(
        self, repo: FakeRepo, p: Parsed, query: dict[str, list[str]], headers: Mapping[str, str], body: bytes
    ) -> Reply:
        with self._lock:
            table = self._discussions.get((repo.kind, repo.repo_id), {})
            if p.route == "discussions":
                return _json_reply(200, _disc.page(list(table.values()), query))
            discussion = table.get(int(p.file or 0))
            if discussion is None:
                return _error(404, None, "Discussion not found")
            if p.route == "discussion":
                return _json_reply(200, discussion.details())
            user = self._user(headers)
            if user is None:
                return _error(401, None, "Invalid credentials in Authorization header")
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                return _error(400, None, "body is not JSON")
            if p.route == "comment":
                text = data.get("comment") if isinstance(data, dict) else None
                if not isinstance(text, str) or not text.strip():
                    return _error(400, None, "comment is required")
                return _json_reply(200, {"newMessage": discussion.add_comment(user, text).event()})
            comment = discussion.comment(p.extra or "")
            if comment is None:
                return _error(404, None, "Comment not found")
            if comment.author != user:
                return _error(403, None, "You can only edit your own comments")
            text = data.get("content") if isinstance(data, dict) else None
            if not isinstance(text, str) or not text.strip():
                return _error(400, None, "content is required")
            comment.content, comment.edits = text, comment.edits + 1
            return _json_reply(200, {"updatedComment": comment.event()})

    # ---------------------------------------------------------------- faults and log

    def inject(
        self,
        route: str | None = None,
        *,
        repo: str | None = None,
        path: str | None = None,
        method: str | None = None,
        server: str | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        delay: float = 0.0,
        truncate: bool = False,
        length_delta: int = 0,
        drop: bool = False,
        times: int | None = 1,
    ) -> Fault:
        """Make the next ``times`` matching requests misbehave (see :class:`Fault`). Returns the fault."""
        fault = Fault(
            route=route,
            repo=repo,
            path=path,
            method=method,
            server=server,
            status=status,
            headers=dict(headers or {}),
            body=body,
            error_code=error_code,
            error_message=error_message,
            delay=delay,
            truncate=truncate,
            length_delta=length_delta,
            drop=drop,
            times=times,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def rate_limit(self, route: str | None = None, *, times: int = 1, reset: int = 1, **match: Any) -> Fault:
        """429 the way the Hub does it: RateLimit (r=0, t=reset), RateLimit-Policy and Retry-After."""
        bucket = "resolvers" if route in ("resolve", "cdn") else "api"
        headers = {
            "RateLimit": f'"{bucket}";r=0;t={reset}',
            "RateLimit-Policy": f'"fixed window";"{bucket}";q=500;w=300',
            "Retry-After": str(reset),
        }
        return self.inject(
            route, status=429, headers=headers, times=times, error_message="Too Many Requests", **match
        )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, server: str, method: str, parsed: Parsed) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(server, method, parsed.route, parsed.repo_id, parsed.file):
                    fault.hits += 1
                    return fault
        return None

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log_entries)

    def clear_log(self) -> None:
        with self._lock:
            self._log_entries.clear()

    def count(
        self,
        route: str | None = None,
        *,
        method: str | None = None,
        repo: str | None = None,
        server: str | None = None,
    ) -> int:
        return sum(
            1
            for r in self.requests
            if (route is None or r.route == route)
            and (method is None or r.method == method)
            and (repo is None or r.repo_id == repo)
            and (server is None or r.server == server)
        )

    def _log(
        self,
        server: str,
        method: str,
        split: Any,
        query: dict[str, list[str]],
        headers: dict[str, str],
        parsed: Parsed,
        status: int,
        body: bytes,
    ) -> None:
        entry = LoggedRequest(
            server=server,
            method=method,
            path=unquote(split.path),
            raw_path=split.path,
            query=query,
            headers=headers,
            route=parsed.route,
            repo_id=parsed.repo_id,
            file=parsed.file,
            status=status,
            body=body,
        )
        with self._lock:
            self._log_entries.append(entry)

    # ---------------------------------------------------------------- routing

    def _known(self, kind: str, repo_id: str) -> bool:
        return (kind, repo_id) in self._repos

    def _split_id(self, kind: str, segs: list[str], markers: tuple[str, ...]) -> tuple[str, list[str]]:
        """Repo id (one or two segments) and what follows it."""
        if len(segs) >= 2 and (self._known(kind, "/".join(segs[:2])) or segs[1] not in markers):
            return "/".join(segs[:2]), segs[2:]
        return (segs[0] if segs else ""), segs[1:]

    def parse(self, raw_path: str) -> Parsed:
        segs = [unquote(s) for s in raw_path.split("/")[1:]]
        if segs and segs[-1] == "":
            segs = segs[:-1]
        if len(segs) == 2 and segs[0] == "api" and segs[1] in API_KINDS:
            return Parsed("list", API_KINDS[segs[1]])
        if segs[:2] == ["api", "whoami-v2"]:
            return Parsed("whoami")
        if len(segs) >= 3 and segs[0] == "api" and segs[1] in API_KINDS:
            kind = API_KINDS[segs[1]]
            repo_id, rest = self._split_id(
                kind, segs[2:], ("revision", "tree", "paths-info", "refs", "discussions")
            )
            if not rest:
                return Parsed("info", kind, repo_id)
            if rest[0] == "discussions":
                return self._parse_discussion(kind, repo_id, rest[1:])
            if rest[0] == "revision" and len(rest) >= 2:
                return Parsed("info", kind, repo_id, revision="/".join(rest[1:]), extra="revision")
            if rest[0] == "tree" and len(rest) >= 2:
                return Parsed("tree", kind, repo_id, revision=rest[1], file="/".join(rest[2:]))
            if rest[0] == "paths-info" and len(rest) >= 2:
                return Parsed("paths-info", kind, repo_id, revision=rest[1])
            if rest[0] == "refs":
                return Parsed("refs", kind, repo_id)
            return Parsed("unknown", kind, repo_id)
        kind = "model"
        if segs and segs[0] in ("datasets", "spaces"):
            kind, segs = API_KINDS[segs[0]], segs[1:]
        repo_id, rest = self._split_id(kind, segs, ("resolve", "raw"))
        if len(rest) >= 3 and rest[0] in ("resolve", "raw"):
            return Parsed(rest[0], kind, repo_id, revision=rest[1], file="/".join(rest[2:]))
        return Parsed("unknown", kind, repo_id)

    @staticmethod
    def _parse_discussion(kind: str, repo_id: str, rest: list[str]) -> Parsed:
        """``discussions``, ``discussions/{num}``, ``.../{num}/comment``, ``.../{num}/comment/{id}/edit``."""
        if not rest:
            return Parsed("discussions", kind, repo_id)
        if not rest[0].isdigit():
            return Parsed("unknown", kind, repo_id)
        if len(rest) == 1:
            return Parsed("discussion", kind, repo_id, file=rest[0])
        if rest[1:] == ["comment"]:
            return Parsed("comment", kind, repo_id, file=rest[0])
        if len(rest) == 4 and rest[1] == "comment" and rest[3] == "edit":
            return Parsed("comment-edit", kind, repo_id, file=rest[0], extra=rest[2])
        return Parsed("unknown", kind, repo_id)

    def _auth(self, repo: FakeRepo, headers: Mapping[str, str]) -> tuple[str | None, bool]:
        auth = headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        return token, bool(token and token in repo.approved_tokens)

    def answer(
        self,
        server: str,
        method: str,
        p: Parsed,
        query: dict[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Reply:
        if server == "cdn":
            return self._cdn_answer(p, headers)
        if p.route == "unknown":
            return _error(404, None, "Sorry, we can't find the page you are looking for.")
        if p.route == "list":
            return self._list(p, query, headers)
        if p.route == "whoami":
            user = self._user(headers)
            if user is None:
                return _error(401, None, "Invalid credentials in Authorization header")
            return _json_reply(200, {"type": "user", "name": user, "auth": {"type": "access_token"}})
        with self._lock:
            repo = self._repos.get((p.kind, p.repo_id or ""))
        token = (headers.get("authorization") or "")[7:].strip() or None
        if repo is None or (repo.private and not self._auth(repo, headers)[1]):
            if token is None and self.anonymous_401:  # the real Hub cannot tell private from missing
                return _error(
                    401,
                    None,
                    "Invalid username or password.",
                    {"WWW-Authenticate": 'Bearer realm="Authentication required", charset="UTF-8"'},
                )
            return _error(404, "RepoNotFound", "Repository not found")
        if p.route in ("discussions", "discussion", "comment", "comment-edit"):
            if method != ("GET" if p.route.startswith("discussion") else "POST"):
                return _error(405, None, "Method not allowed")
            return self._discussion_answer(repo, p, query, headers, body)
        if p.route == "refs":
            refs = {
                "branches": [
                    {"name": n, "ref": f"refs/heads/{n}", "targetCommit": s}
                    for n, s in sorted(repo.refs.items())
                    if not n.startswith("refs/")
                ],
                "converts": [],
                "tags": [],
            }
            if query.get("include_prs", ["0"])[0] in ("1", "true"):
                refs["pullRequests"] = [
                    {"name": n, "ref": n, "targetCommit": s}
                    for n, s in sorted(repo.refs.items())
                    if n.startswith("refs/pr/")
                ]
            return _json_reply(200, refs)
        commit = repo.resolve(p.revision)
        if commit is None:
            return _error(404, "RevisionNotFound", "Invalid rev id: " + str(p.revision))
        if p.route == "info":
            expand = query.get("expand", []) + query.get("expand[]", [])
            blobs = query.get("blobs", ["false"])[0].lower() == "true"
            return _json_reply(200, repo.info(commit, blobs=blobs, expand=expand or None))
        if p.route == "tree":
            return self._tree(repo, commit, p, query)
        if p.route == "paths-info":
            form = parse_qs(body.decode("utf-8", errors="replace"))
            expand = form.get("expand", ["false"])[0].lower() == "true"
            out = [
                e
                for path in form.get("paths", [])
                if (e := commit.entry_for(path.strip("/"), commit.sha, expand))
            ]
            return _json_reply(200, out)
        return self._resolve(repo, commit, p, headers)

    def _list(self, p: Parsed, query: dict[str, list[str]], headers: Mapping[str, str]) -> Reply:
        """``GET /api/models?author=..&search=..&filter=..&expand=..`` (``list_models``): infos in id order,
        paginated; ``filter`` keeps repos whose tags hold every value given."""
        author = query.get("author", [""])[0]
        search = query.get("search", [""])[0]
        filters = query.get(
            "filter", []
        )  # tags every listed repo carries (base_model:<id>, dataset:<id>, ...)
        expand = query.get("expand", []) + query.get("expand[]", [])
        with self._lock:
            repos = sorted(
                (r for (kind, rid), r in self._repos.items() if kind == p.kind),
                key=lambda r: r.repo_id,
            )
        out = []
        for repo in repos:
            if author and not repo.repo_id.startswith(author + "/"):
                continue
            if search and search not in repo.repo_id:
                continue
            if repo.private and not self._auth(repo, headers)[1]:
                continue
            commit = repo.resolve(None)
            if commit is not None and all(f in repo.tags(commit) for f in filters):
                out.append(repo.info(commit, blobs=False, expand=expand or None))
        cursor = int(query.get("cursor", ["0"])[0] or 0)
        page = out[cursor : cursor + self.list_page_size]
        hdrs: dict[str, str] = {}
        if cursor + self.list_page_size < len(out):
            params = [(k, v) for k, values in sorted(query.items()) if k != "cursor" for v in values]
            params.append(("cursor", str(cursor + self.list_page_size)))
            hdrs["Link"] = f'<{self.url}/api/{p.kind}s?{urlencode(params)}>; rel="next"'
        return _json_reply(200, page, hdrs)

    def _tree(self, repo: FakeRepo, commit: Commit, p: Parsed, query: dict[str, list[str]]) -> Reply:
        prefix = (p.file or "").strip("/")
        if prefix and prefix not in commit.directories():
            return _error(404, "EntryNotFound", f'{prefix} does not exist on "{p.revision}"')
        recursive = query.get("recursive", ["false"])[0].lower() == "true"
        expand = query.get("expand", ["false"])[0].lower() == "true"
        entries = commit.entries(commit.sha, prefix, recursive, expand)
        size = min(self.tree_page_size, TREE_PAGE_SIZE_EXPAND) if expand else self.tree_page_size
        cursor = int(query.get("cursor", ["0"])[0] or 0)
        page = entries[cursor : cursor + size]
        hdrs: dict[str, str] = {}
        if cursor + size < len(entries):
            base = f"{self.url}/api/{p.kind}s/{repo.repo_id}/tree/{quote(p.revision or 'main', safe='')}"
            if prefix:
                base += "/" + quote(prefix, safe="")
            params = urlencode(
                {"recursive": str(recursive).lower(), "expand": str(expand).lower(), "cursor": cursor + size}
            )
            hdrs["Link"] = f'<{base}?{params}>; rel="next"'
        return _json_reply(200, page, hdrs)

    def _resolve(self, repo: FakeRepo, commit: Commit, p: Parsed, headers: Mapping[str, str]) -> Reply:
        path = p.file or ""
        common = {
            "X-Repo-Commit": commit.sha,
            "RateLimit": '"resolvers";r=2999;t=300',
            "RateLimit-Policy": '"fixed window";"resolvers";q=3000;w=300',
            "Access-Control-Expose-Headers": "X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,ETag,Link,"
            "Accept-Ranges,Content-Range,X-Linked-Size,X-Linked-ETag",
        }
        if repo.gated and path != "README.md":
            token, approved = self._auth(repo, headers)
            kind_word = "model" if repo.kind == "model" else repo.kind
            if token is None:
                return _error(
                    401,
                    "GatedRepo",
                    f"Access to {kind_word} {repo.repo_id} is restricted. You must have access to it and be "
                    "authenticated to access it. Please log in.",
                )
            if not approved:
                return _error(
                    403,
                    "GatedRepo",
                    f"Access to {kind_word} {repo.repo_id} is restricted and you are not in the authorized list. "
                    f"Visit {self.url}/{KIND_PREFIX[repo.kind]}{repo.repo_id} to ask for access.",
                )
        f = commit.files.get(path)
        if f is None:
            return _error(404, "EntryNotFound", "Entry not found", {"X-Repo-Commit": commit.sha})
        if p.route == "raw" or not f.lfs:
            data = lfs_pointer(f.data) if f.lfs else f.data
            name = quote(path.rsplit("/", 1)[-1])
            hdrs = {
                **common,
                "ETag": f'"{f.blob_id}"',
                "Content-Type": "text/plain; charset=utf-8",
                "Content-Disposition": f"inline; filename*=UTF-8''{name}",
            }
            return ranged(data, headers.get("range"), hdrs)
        location = f"{self.cdn_url}/cdn/{f.sha256}?" + urlencode(
            {"repo": repo.repo_id, "file": path, "X-Amz-Signature": "fake"}
        )
        body = f"Found. Redirecting to {location}".encode()
        hdrs = {
            **common,
            "Location": location,
            "X-Linked-Etag": f'"{f.sha256}"',
            "X-Linked-Size": str(f.size),
            "Cache-Control": "no-store",
            "Content-Type": "text/plain; charset=utf-8",
        }
        return Reply(302, hdrs, body)

    def _cdn_answer(self, p: Parsed, headers: Mapping[str, str]) -> Reply:
        """``/cdn/<sha256>?...``: the LFS content store, with Range support like S3/CloudFront."""
        with self._lock:
            data = self._blobs.get(p.extra or "") if p.route == "cdn" else None
        if data is None:
            return Reply(404, {"Content-Type": "application/xml"}, b"<Error><Code>NoSuchKey</Code></Error>")
        return ranged(
            data, headers.get("range"), {"ETag": f'"{p.extra}"', "Content-Type": "application/octet-stream"}
        )
