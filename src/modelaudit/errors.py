"""The one place modelaudit's error types and exit codes live.

Every error a user can cause (bad target, missing repo, malformed card, unreadable policy) is a
``ModelAuditError`` with a message that names the input and an optional hint. The CLI turns them into
exit code 2; anything else is an internal error (also 2, with "run with --debug").
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes are a contract with CI systems: each means exactly one thing."""

    OK = 0  # audit complete and policy passed
    POLICY_FAILED = 1  # the only meaning of 1
    ERROR = 2  # usage, input, config, source or internal error
    INTERRUPTED = 130


class ModelAuditError(Exception):
    """Base class: a user-facing error with a message and an optional hint."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(ModelAuditError):
    """Flags or arguments that cannot work together."""


class TargetError(ModelAuditError):
    """A target string that is neither a Hub id, a Hub URL nor an existing path."""


class InputError(ModelAuditError):
    """A file we were asked to read is malformed (card YAML, config.json, a report, ...)."""

    def __init__(self, path: str, problem: str, *, hint: str | None = None) -> None:
        super().__init__(f"{path}: {problem}", hint=hint)
        self.path = path
        self.problem = problem


class ConfigError(ModelAuditError):
    """A policy, waiver or configuration file is invalid."""


class SourceError(ModelAuditError):
    """Something went wrong reading a repo from the Hub, the cache or a folder."""

    def __init__(self, repo_id: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.repo_id = repo_id


class RepoNotFoundError(SourceError):
    def __init__(self, repo_id: str, detail: str = "") -> None:
        suffix = f" ({detail})" if detail else ""
        super().__init__(
            repo_id,
            f"{repo_id}: not found{suffix}",
            hint="check the id and revision; private repos also need HF_TOKEN",
        )


class RevisionNotFoundError(SourceError):
    def __init__(self, repo_id: str, revision: str) -> None:
        super().__init__(
            repo_id,
            f"{repo_id}: revision {revision!r} not found",
            hint="use a branch, tag or 40-character commit that exists",
        )
        self.revision = revision


class GatedRepoError(SourceError):
    def __init__(self, repo_id: str, detail: str = "") -> None:
        suffix = f" ({detail})" if detail else ""
        super().__init__(
            repo_id,
            f"{repo_id}: gated or private, access denied{suffix}",
            hint="set HF_TOKEN to a token whose account has accepted the model's terms on the Hub",
        )


class OfflineError(SourceError):
    def __init__(self, repo_id: str, detail: str = "") -> None:
        suffix = f" ({detail})" if detail else ""
        super().__init__(
            repo_id,
            f"{repo_id}: not available offline{suffix}",
            hint="run once online to populate the Hugging Face cache, or drop --offline / HF_HUB_OFFLINE",
        )


class NetworkError(SourceError):
    def __init__(self, repo_id: str, detail: str) -> None:
        super().__init__(
            repo_id,
            f"{repo_id}: network error: {detail}",
            hint="check HF_ENDPOINT and connectivity, or use --offline with a populated cache",
        )


class IncompleteAuditError(ModelAuditError):
    """Repos of the lineage could not be read after every retry (5xx, resets, timeouts, the deadline).

    Such an audit has no verdict: whatever the policy, the scan ends with exit 2 naming the repos, unless
    ``--allow-incomplete`` asked for a warning finding instead. A repo that answered "not found", "gated"
    or "private" is not this: it is a ``lineage-unresolved`` finding whose severity the policy decides.
    """

    def __init__(self, target: str, failures: dict[str, str], *, hint: str | None = None) -> None:
        self.target = target
        self.failures = dict(sorted(failures.items()))
        reasons = "; ".join(self.failures.values())
        if list(self.failures) == [target]:  # the target itself: there is nothing to report
            message = f"{target}: audit incomplete: the target could not be read after retries: {reasons}"
        else:
            message = (
                f"{target}: audit incomplete: {len(self.failures)} repo(s) of the lineage could not be read "
                f"after retries ({', '.join(self.failures)}): {reasons}"
            )
        super().__init__(
            message,
            hint=hint
            or "retry later or raise --timeout / --deadline; --allow-incomplete reports these repos as a "
            "warning finding instead of failing",
        )


class FileNotInRepoError(SourceError):
    def __init__(self, repo_id: str, path: str) -> None:
        super().__init__(repo_id, f"{repo_id}: file {path!r} not found")
        self.path = path


class DependencyMissingError(ModelAuditError):
    """An optional extra (e.g. [smoke]) is needed for what was asked."""
