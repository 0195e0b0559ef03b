"""The Hugging Face Hub as a source, through ``huggingface_hub``.

Request budget per repo (what :meth:`HubSource.fetch` sends):

1. one ``model_info`` / ``dataset_info`` call with files metadata: commit sha, cardData, tags, gated,
   private, and every file's size, git blob id and LFS sha256;
2. one plain GET per small file it needs, pinned to that commit: ``config.json`` only when the API
   returned no ``config`` summary, ``adapter_config.json`` and mergekit configs only when listed;
   ``README.md`` only when the API gave no cardData. A plain model (card + config.json + weights)
   therefore costs at most two requests;
3. one GET per LICENSE-like file (LICENSE*, LICENCE*, COPYING*, NOTICE*, USE_POLICY*) that is a text
   file under ``MAX_LICENSE_FILE_BYTES``, always: a LICENSE file is evidence next to the card, and a card
   that says one license beside a LICENSE file that says another is a ``license-mismatch``.

Small files are checked against the recorded git blob id / sha256 (huggingface_hub does not verify what it
downloads) and stored in the HF cache where ``hf_hub_download`` would put them; the revision's commit and,
when complete, its listing are recorded too (:mod:`modelaudit.sources.cache` says why that is not left to
``hf_hub_download``), so a later ``--offline`` scan finds them. Weight files go through
:meth:`HubSource.open_file` (``hf_hub_download``) or :meth:`HubSource.read_range` (an HTTP Range GET on the
URL ``hf_hub_url`` builds). Every download is pinned to the resolved commit.

Errors map onto :mod:`modelaudit.errors`; 429, 5xx, timeouts and broken connections are retried a bounded
number of times (honouring ``Retry-After`` / ``RateLimit``) before becoming a ``NetworkError``. A gated
repo's API metadata and README stay readable, so a gated target still scans; its other files are skipped
during ``fetch`` (noted in ``problems``) and raise ``GatedRepoError`` from ``open_file`` / ``read_range``.
The token never appears in messages.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import httpx2
from huggingface_hub import HfApi, get_session, hf_hub_download, hf_hub_url, hf_raise_for_status
from huggingface_hub import errors as hf_errors
from huggingface_hub.utils import (  # type: ignore[attr-defined]  # documented, not re-exported
    build_hf_headers,
    parse_ratelimit_headers,
)

from modelaudit._version import __version__
from modelaudit.bounded import parse_front_matter
from modelaudit.config import env_offline
from modelaudit.errors import (
    FileNotInRepoError,
    GatedRepoError,
    NetworkError,
    OfflineError,
    RepoNotFoundError,
    RevisionNotFoundError,
    SourceError,
)
from modelaudit.models import Evidence, FileEntry, RepoKind, RepoRecord, RepoRef, SourceKind
from modelaudit.sources.base import (
    MAX_LISTED_FILES,
    MAX_SMALL_FILE_BYTES,
    card_text,
    is_license_file,
    unsafe_repo_path,
)
from modelaudit.sources.cache import (
    COMMIT_RE,
    CacheSource,
    hub_cache_dir,
    record_revision,
    repo_type,
    storage_folder,
    store_file,
)
from modelaudit.sources.record import MERGEKIT_FILES, extract_record


class IncompleteBodyError(Exception):
    """A body shorter than the size the Hub recorded (a lying Content-Length or a cut connection)."""


DEFAULT_ENDPOINT = "https://huggingface.co"
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    httpx2.TimeoutException,
    httpx2.NetworkError,
    httpx2.RemoteProtocolError,
    json.JSONDecodeError,
    IncompleteBodyError,
)
CONFIG_FILES = ("config.json", "adapter_config.json", *MERGEKIT_FILES)
_TOKEN_LIKE = re.compile(r"hf_[A-Za-z0-9]{8,}")
T = TypeVar("T")


@dataclass(frozen=True)
class RepoState:
    """Where a repo ref points now (``HubSource.current_state``): enough to tell whether it changed."""

    commit: str
    last_modified: str | None
    gated: bool


@dataclass(frozen=True)
class _Resolved:
    commit: str
    files: dict[str, FileEntry]
    info: Any
    problems: tuple[str, ...] = ()  # listing entries that were skipped (unsafe names, over the cap)


def _git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob " + str(len(data)).encode() + b"\0" + data).hexdigest()


class HubSource:
    """Reads repos from a Hugging Face Hub endpoint (``HF_ENDPOINT`` or huggingface.co)."""

    kind = SourceKind.HUB

    def __init__(
        self,
        endpoint: str | None = None,
        token: str | None = None,
        timeout: float = 10.0,
        *,
        cache_dir: str | None = None,
        retries: int = 3,
        retry_backoff: float = 1.0,
        max_retry_wait: float = 30.0,
        cache_card: bool = False,
        deadline: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``cache_card`` also stores README.md in the HF cache during ``fetch`` (one more request) so a
        later offline scan has the card; by default the card comes from the API and is not downloaded.

        ``deadline`` bounds all of this source's network work (seconds from its creation): no request or
        retry starts after it, each request's timeout is cut to the time left, and what could not be read
        in time fails with a ``NetworkError`` saying so. ``timeout`` bounds each request on its own.
        ``sleep`` is how a retry waits (a test passes one that records the waits)."""
        self.endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
        self._token = token
        self.timeout = timeout
        self._cache_dir = cache_dir
        self.retries = max(0, retries)
        self.retry_backoff = retry_backoff
        self.max_retry_wait = max_retry_wait
        self.cache_card = cache_card
        self.deadline = deadline
        self._deadline_at = None if deadline is None else time.monotonic() + deadline
        self._sleep = sleep
        self._api = HfApi(
            endpoint=self.endpoint,
            token=token,
            library_name="modelaudit",
            library_version=__version__,
        )
        self._resolved: dict[tuple[str, str, str], _Resolved] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never show the token
        return f"HubSource(endpoint={self.endpoint!r})"

    @property
    def cache_dir(self) -> Path:
        return hub_cache_dir(self._cache_dir)

    # ---------------------------------------------------------------- plumbing

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return build_hf_headers(
            token=self._token,
            library_name="modelaudit",
            library_version=__version__,
            headers=extra,
        )

    def _resolve_url(self, ref: RepoRef, commit: str, path: str) -> str:
        return hf_hub_url(ref.repo_id, path, repo_type=repo_type(ref), revision=commit, endpoint=self.endpoint)

    def _scrub(self, text: str) -> str:
        if self._token:
            text = text.replace(self._token, "***")
        return _TOKEN_LIKE.sub("hf_***", text)[:300]

    def _wait_for(self, exc: Exception, attempt: int) -> float:
        wait = float(self.retry_backoff * (2**attempt))
        response = getattr(exc, "response", None)
        if response is not None:
            rate = parse_ratelimit_headers(response.headers)  # the Hub's RateLimit header, parsed by hf_hub
            retry_after = str(response.headers.get("Retry-After", ""))
            if retry_after.strip().isdigit():
                wait = float(retry_after.strip())
            elif rate is not None and rate.remaining == 0:
                wait = float(rate.reset_in_seconds) + 1
        return max(0.0, min(wait, self.max_retry_wait))

    @staticmethod
    def _transient(exc: Exception) -> bool:
        if isinstance(exc, hf_errors.OfflineModeIsEnabled):
            return False
        if isinstance(exc, hf_errors.HfHubHTTPError):
            return exc.response is not None and exc.response.status_code in RETRY_STATUS
        return isinstance(exc, TRANSIENT_ERRORS)

    def _time_left(self) -> float | None:
        return None if self._deadline_at is None else self._deadline_at - time.monotonic()

    def _request_timeout(self) -> float:
        """The per-request timeout, cut to what is left of the overall deadline."""
        left = self._time_left()
        return self.timeout if left is None else max(0.05, min(self.timeout, left))

    def _out_of_time(self, ref: RepoRef, path: str | None, attempts: int, last: str = "") -> NetworkError:
        where = f" ({path})" if path else ""
        tail = f"; last failure: {last}" if last else ""
        return NetworkError(
            ref.key,
            f"timed out: the overall deadline of {self.deadline:g}s ran out{where} after {attempts} "
            f"attempt(s){tail}",
        )

    @staticmethod
    def _describe(exc: Exception) -> str:
        """A few words on a failure, for messages (never the server's text, which may echo secrets)."""
        response = getattr(exc, "response", None)
        if isinstance(exc, hf_errors.HfHubHTTPError) and response is not None:
            status = response.status_code
            return "rate limited (429)" if status == 429 else f"HTTP {status}"
        if isinstance(exc, httpx2.TimeoutException):
            return "request timed out"
        return type(exc).__name__

    def _call(self, ref: RepoRef, fn: Callable[[], T], *, path: str | None = None) -> T:
        """Run ``fn`` with bounded retries on transient failures; map every failure to a SourceError."""
        if env_offline():
            raise OfflineError(ref.key, "HF_HUB_OFFLINE is set")
        attempt = 0
        while True:
            left = self._time_left()
            if left is not None and left <= 0:
                raise self._out_of_time(ref, path, attempt)
            try:
                return fn()
            except SourceError:
                raise
            except Exception as exc:
                if self._transient(exc) and attempt < self.retries:
                    wait = self._wait_for(exc, attempt)
                    left = self._time_left()
                    if left is not None and wait >= left:  # the retry could not finish in time
                        raise self._out_of_time(ref, path, attempt + 1, self._describe(exc)) from None
                    self._sleep(wait)
                    attempt += 1
                    continue
                left = self._time_left()
                if left is not None and left <= 0:
                    raise self._out_of_time(ref, path, attempt + 1, self._describe(exc)) from None
                raise self._map_error(ref, exc, path=path, attempts=attempt + 1) from None

    def _map_error(self, ref: RepoRef, exc: Exception, *, path: str | None, attempts: int) -> SourceError:
        where = f" ({path})" if path else ""
        if isinstance(exc, hf_errors.OfflineModeIsEnabled) or (
            isinstance(exc, hf_errors.LocalEntryNotFoundError) and env_offline()
        ):
            return OfflineError(ref.key, f"HF_HUB_OFFLINE is set and {path or 'the file'} is not cached")
        if isinstance(exc, hf_errors.GatedRepoError):
            status = exc.response.status_code if exc.response is not None else None
            why = "log in: no token was sent" if status == 401 else "your token is not approved for this repo"
            detail = f"{why}{'; file ' + path if path else ''}"
            return GatedRepoError(ref.key, detail)
        if isinstance(exc, hf_errors.RevisionNotFoundError):
            base = f"datasets/{ref.repo_id}" if ref.kind is RepoKind.DATASET else ref.repo_id
            return RevisionNotFoundError(base, ref.revision or "main")
        if isinstance(exc, hf_errors.RemoteEntryNotFoundError):
            return FileNotInRepoError(ref.key, path or "?")
        if isinstance(exc, hf_errors.DisabledRepoError):
            return SourceError(ref.key, f"{ref.key}: access to this repo is disabled on the Hub")
        if isinstance(exc, hf_errors.RepositoryNotFoundError):
            return RepoNotFoundError(ref.key)
        if isinstance(exc, hf_errors.HfHubHTTPError):
            status = exc.response.status_code if exc.response is not None else 0
            if status == 401:  # the Hub's answer to anonymous callers for missing and private repos alike
                return RepoNotFoundError(ref.key, "or private: a token with access is needed")
            if status in RETRY_STATUS:
                label = "rate limited (429)" if status == 429 else f"HTTP {status}"
                return NetworkError(ref.key, f"{label}{where}, gave up after {attempts} attempt(s)")
            server = self._scrub(exc.server_message or "")
            return SourceError(
                ref.key, f"{ref.key}: HTTP {status}{where}" + (f": {server}" if server else "")
            )
        if isinstance(exc, hf_errors.LocalEntryNotFoundError):
            return NetworkError(ref.key, f"could not reach {self.endpoint}{where} and it is not cached")
        if isinstance(exc, IncompleteBodyError):
            return NetworkError(ref.key, f"incomplete response{where}: {exc} ({attempts} attempt(s))")
        if isinstance(exc, httpx2.TimeoutException):
            return NetworkError(ref.key, f"timed out after {self.timeout:g}s{where} ({attempts} attempt(s))")
        if isinstance(exc, httpx2.HTTPError | json.JSONDecodeError | KeyError | OSError):
            kind = type(exc).__name__
            return NetworkError(ref.key, f"{kind} talking to {self.endpoint}{where} ({attempts} attempt(s))")
        return SourceError(ref.key, f"{ref.key}: unexpected error from the Hub client: {type(exc).__name__}")

    # ---------------------------------------------------------------- resolution

    def _info(self, ref: RepoRef) -> Any:
        getter = self._api.dataset_info if ref.kind is RepoKind.DATASET else self._api.model_info
        return self._call(
            ref,
            lambda: getter(
                ref.repo_id, revision=ref.revision, files_metadata=True, timeout=self._request_timeout()
            ),
        )

    def current_state(self, ref: RepoRef) -> RepoState:
        """Commit, lastModified and gated status of ``ref`` in one light request (no file list, no card).

        Used by ``modelaudit fleet scan`` to decide which models need a rescan; errors map like ``fetch``'s.
        """
        getter = self._api.dataset_info if ref.kind is RepoKind.DATASET else self._api.model_info
        info = self._call(
            ref,
            lambda: getter(
                ref.repo_id,
                revision=ref.revision,
                expand=["sha", "lastModified", "gated"],
                timeout=self._request_timeout(),
            ),
        )
        commit = info.sha
        if not isinstance(commit, str) or not COMMIT_RE.match(commit):
            raise NetworkError(ref.key, "the Hub answered without a commit sha")
        modified = info.last_modified
        return RepoState(
            commit=commit,
            last_modified=modified.isoformat() if modified is not None else None,
            gated=bool(info.gated),
        )

    def author_states(
        self, author: str, kind: RepoKind, wanted: set[str], *, max_items: int
    ) -> dict[str, RepoState]:
        """Default-branch states of ``wanted`` repos of ``author`` from the Hub's listing (``list_models`` /
        ``list_datasets`` with ``expand``): one request per page of up to 1,000 repos instead of one per repo.

        Stops as soon as every wanted repo was seen, or after ``max_items`` listed repos; repos not seen are
        simply absent from the answer (the caller asks for them one by one).
        """
        return self.listing_states(kind, wanted, max_items=max_items, author=author)

    def children_states(self, base: str, wanted: set[str], *, max_items: int) -> dict[str, RepoState]:
        """Like :meth:`author_states`, for models that name ``base`` as their base model: the Hub's listing
        filtered by its ``base_model:<id>`` tag (``list_models(filter=...)``), whoever owns them."""
        return self.listing_states(RepoKind.MODEL, wanted, max_items=max_items, tag=f"base_model:{base}")

    def listing_states(
        self,
        kind: RepoKind,
        wanted: set[str],
        *,
        max_items: int,
        author: str | None = None,
        tag: str | None = None,
    ) -> dict[str, RepoState]:
        """States of ``wanted`` repos (default branch) from one listing: an owner's repos, or the repos carrying
        a tag; ``max_items`` bounds how far it pages."""
        lister: Callable[..., Any] = (
            self._api.list_datasets if kind is RepoKind.DATASET else self._api.list_models
        )
        ref = RepoRef(repo_id=author or (tag or "").rsplit(":", 1)[-1] or "listing", kind=kind)
        query: dict[str, Any] = {"expand": ["sha", "lastModified", "gated"]}
        if author:
            query["author"] = author
        if tag:
            query["filter"] = tag

        def listing() -> dict[str, RepoState]:
            found: dict[str, RepoState] = {}
            for seen, info in enumerate(lister(**query), 1):
                commit = getattr(info, "sha", None)
                if info.id in wanted and isinstance(commit, str) and COMMIT_RE.match(commit):
                    modified = info.last_modified
                    found[info.id] = RepoState(
                        commit=commit,
                        last_modified=modified.isoformat() if modified is not None else None,
                        gated=bool(info.gated),
                    )
                if len(found) == len(wanted) or seen >= max_items:
                    break
            return found

        return self._call(ref, listing)

    def resolve(self, ref: RepoRef) -> _Resolved:
        """Commit sha and file list of ``ref`` (one info request, remembered for this source's lifetime)."""
        key = (ref.kind.value, ref.repo_id, ref.revision or "")
        with self._lock:
            hit = self._resolved.get(key)
        if hit is not None:
            return hit
        info = self._info(ref)
        commit = info.sha
        if not isinstance(commit, str) or not COMMIT_RE.match(commit):
            raise NetworkError(ref.key, "the Hub answered without a commit sha")
        files: dict[str, FileEntry] = {}
        unsafe: list[str] = []
        safe: dict[str, Any] = {}
        for s in info.siblings or []:
            name = getattr(s, "rfilename", None)
            why = unsafe_repo_path(name)
            if why is not None:  # never used as a path: not opened, cached or hashed
                unsafe.append(f"{str(name)[:200]!r} {why}")
            else:
                assert isinstance(name, str)
                safe[name] = s
        kept = sorted(safe, key=lambda n: (n.count("/"), n))[:MAX_LISTED_FILES]  # top-level files first
        over_cap = len(safe) - len(kept)
        for name in kept:
            s = safe[name]
            lfs = getattr(s, "lfs", None)
            size = lfs.size if lfs is not None else s.size
            sha = lfs.sha256 if lfs is not None else None
            files[name] = FileEntry(
                path=name,
                size=size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None,
                blob_id=s.blob_id if isinstance(s.blob_id, str) else None,
                lfs_sha256=sha if isinstance(sha, str) else None,
            )
        problems = [f"skipped unsafe file name {u}" for u in unsafe[:20]]
        if len(unsafe) > 20:
            problems.append(f"skipped {len(unsafe) - 20} more unsafe file names")
        if over_cap:
            problems.append(
                f"the listing has {over_cap} files beyond the cap of {MAX_LISTED_FILES}; not read"
            )
        resolved = _Resolved(commit=commit, files=files, info=info, problems=tuple(problems))
        with self._lock:
            self._resolved[key] = resolved
        self._record_in_cache(ref, resolved)
        return resolved

    def _commit_for(self, ref: RepoRef) -> str:
        if ref.revision and COMMIT_RE.match(ref.revision):
            return ref.revision
        return self.resolve(ref).commit

    def _record_in_cache(self, ref: RepoRef, resolved: _Resolved) -> None:
        """The revision's commit and its listing (when complete), so the cache answers for it offline."""
        complete = not resolved.problems  # no file left out of the listing (unsafe names, over the cap)
        record_revision(
            storage_folder(self.cache_dir, ref),
            ref.revision or "main",
            resolved.commit,
            list(resolved.files.values()) if complete else None,
        )

    # ---------------------------------------------------------------- Source protocol

    def read_range(self, ref: RepoRef, path: str, start: int, length: int) -> bytes:
        """``length`` bytes from ``start`` through an HTTP Range GET on the resolve URL (CDN redirect followed)."""
        if length <= 0:
            return b""
        if unsafe_repo_path(path) is not None:
            raise FileNotInRepoError(ref.key, path)
        commit = self._commit_for(ref)
        url = self._resolve_url(ref, commit, path)
        end = start + length - 1
        headers = self._headers({"Range": f"bytes={start}-{end}"})

        def get() -> bytes:
            with get_session().stream("GET", url, headers=headers, timeout=self._request_timeout()) as resp:
                if resp.status_code == 416:
                    return b""
                if resp.status_code >= 400:
                    resp.read()
                    hf_raise_for_status(resp)
                skip = start if resp.status_code == 200 else 0  # server ignored the Range header
                out = bytearray()
                for chunk in resp.iter_bytes():
                    if skip:
                        cut = min(skip, len(chunk))
                        chunk, skip = chunk[cut:], skip - cut
                    out += chunk
                    if len(out) >= length:
                        break
                return bytes(out[:length])

        return self._call(ref, get, path=path)

    def open_file(self, ref: RepoRef, path: str) -> BinaryIO:
        """Download ``path`` into the HF cache (``blobs/<sha256>`` for LFS files) and open it."""
        if unsafe_repo_path(path) is not None:
            raise FileNotInRepoError(ref.key, path)
        commit = self._commit_for(ref)
        local = self._call(
            ref,
            lambda: hf_hub_download(
                ref.repo_id,
                path,
                repo_type=repo_type(ref),
                revision=commit,
                cache_dir=self._cache_dir,  # None: the library's own
                endpoint=self.endpoint,
                token=self._token,
                library_name="modelaudit",
                library_version=__version__,
                etag_timeout=self._request_timeout(),
            ),
            path=path,
        )
        return Path(local).open("rb")

    def read_small(self, ref: RepoRef, path: str) -> bytes | None:
        """A small file's bytes (first MAX_SMALL_FILE_BYTES), or None when the repo does not list it.

        One GET, served from the HF cache when already there; the content is checked against the hash
        the Hub recorded and then cached. Raises GatedRepoError on a gated repo's non-README files.
        """
        resolved = self.resolve(ref)
        commit = resolved.commit
        entry = resolved.files.get(path)
        if entry is None:
            return None
        if entry.size is not None and entry.size > MAX_SMALL_FILE_BYTES:
            return self.read_range(ref, path, 0, MAX_SMALL_FILE_BYTES)
        cached = CacheSource(self._cache_dir).read_small(ref, path, commit)
        if cached is not None:
            return cached
        url = self._resolve_url(ref, commit, path)
        headers = self._headers()

        def get() -> bytes:
            resp = get_session().get(url, headers=headers, timeout=self._request_timeout())
            hf_raise_for_status(resp)
            body = resp.content[:MAX_SMALL_FILE_BYTES]
            if entry.size is not None and len(body) < entry.size:
                raise IncompleteBodyError(f"got {len(body)} of {entry.size} bytes")
            return body

        data = self._call(ref, get, path=path)
        if entry.lfs_sha256 is not None:
            etag, ok = entry.lfs_sha256, hashlib.sha256(data).hexdigest() == entry.lfs_sha256
        else:
            etag, ok = entry.blob_id or "", _git_blob_sha1(data) == entry.blob_id
        if ok and etag:
            store_file(self.cache_dir, storage_folder(self.cache_dir, ref), commit, path, etag, data)
        return data

    def fetch(self, ref: RepoRef) -> RepoRecord:
        resolved = self.resolve(ref)
        info = resolved.info
        card_obj = getattr(info, "card_data", None)
        card: dict[str, Any] | None = card_obj.to_dict() if card_obj is not None else None
        skipped: list[Evidence] = []

        api_config = getattr(info, "config", None)

        def read_small(path: str) -> bytes | None:
            if path == "config.json" and isinstance(api_config, dict) and api_config:
                # The API's config summary (model_type, architectures, quantization_config, peft) is what
                # lineage needs; skipping the download keeps every node within two metadata requests.
                return json.dumps(api_config).encode("utf-8")
            if path not in CONFIG_FILES and path != "README.md" and not is_license_file(path):
                return None
            try:
                return self.read_small(ref, path)
            except GatedRepoError:
                skipped.append(
                    Evidence(source=f"file:{path}", value="gated: not readable without approved access")
                )
                return None
            except FileNotInRepoError:
                return None

        prefix = "datasets/" if ref.kind is RepoKind.DATASET else ""
        card_location = f"{self.endpoint}/{prefix}{ref.repo_id}/blob/{resolved.commit}/README.md"
        raw_card: bytes | None = None
        if "README.md" in resolved.files and (card is None or self.cache_card):
            raw = raw_card = read_small("README.md")
            if card is None:  # the API had no cardData: the README is the card
                card = parse_front_matter(raw.decode("utf-8", errors="replace"), card_location) if raw else {}
        record = extract_record(
            ref,
            SourceKind.HUB,
            files=list(resolved.files.values()),
            read_small=read_small,
            read_range=None,
            card_data=card,
            tags=list(getattr(info, "tags", None) or []),
            revision=resolved.commit,
            gated=bool(getattr(info, "gated", False)),
            private=bool(getattr(info, "private", False)),
            card_location=card_location,
        )
        record.card_text = card_text(raw_card)
        record.problems.extend(skipped)
        record.problems.extend(Evidence(source="hub:listing", value=p) for p in resolved.problems)
        return record

    def read_card_text(self, ref: RepoRef) -> str | None:
        """The model card's whole text (one GET, kept in the HF cache), for the obligation checks of a target
        whose card the API gave as front matter only. None when the repo has no README.md."""
        try:
            return card_text(self.read_small(ref, "README.md"))
        except FileNotInRepoError:
            return None
