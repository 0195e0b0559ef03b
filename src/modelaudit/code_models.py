"""What ``scan-code`` finds in an application's files, and the application report it writes.

Discovery (``modelaudit.sources.code``) returns :class:`CodeReference` values: one per place where the
application names a Hub model or dataset it loads, with the file, line, the call or key, and how the name was
found. The application audit (``modelaudit.appaudit``) turns them into an :class:`AppReport`: the references,
the audit of every distinct Hub repo they name, and the findings on the application itself. Formats render it
(``modelaudit.formats.code``). Data only: nothing here reads files or the Hub.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from modelaudit.models import SCHEMA_VERSION, Finding, PolicyInfo, RepoKind, ToolInfo, Verdict

_COMMIT = re.compile(r"[0-9a-f]{40}")


class HowFound(StrEnum):
    """How a reference's name was determined."""

    LITERAL = "literal"  # written at the call or command itself
    CONSTANT = "constant"  # a variable, constant or list the name flows from (same file)
    DEFAULT = "default"  # a default: function parameter, argparse / click option, environment fallback
    CONFIG = "config"  # the value of a configuration key (YAML, JSON, TOML, ENV, compose environment)
    URL = "url"  # a Hub URL


class CodeReference(BaseModel):
    """One place in the application that names a Hub model or dataset (or something that could not be told).

    ``repo_id`` is None for an unresolved reference; ``unresolved`` then says why (a local path, a parameter,
    an environment variable, an f-string of unknown parts, ...). Unresolved references are never guessed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str  # POSIX path relative to the scanned root
    line: int = Field(ge=1)
    kind: RepoKind = RepoKind.MODEL
    site: str  # the call or key: "AutoModel.from_pretrained", "load_dataset", "config:base_model", ...
    repo_id: str | None = None
    revision: str | None = None
    how: HowFound | None = None  # None when unresolved
    unresolved: str | None = None
    value: str = ""  # the expression or raw value as written (bounded)

    @property
    def resolved(self) -> bool:
        return self.repo_id is not None

    @property
    def pinned(self) -> bool:
        """Pinned to a commit: the model cannot change under the application."""
        return self.revision is not None and bool(_COMMIT.fullmatch(self.revision))

    @property
    def target(self) -> str | None:
        """What ``modelaudit scan`` takes: ``org/name[@rev]`` or ``datasets/org/name[@rev]``."""
        if self.repo_id is None:
            return None
        base = f"datasets/{self.repo_id}" if self.kind is RepoKind.DATASET else self.repo_id
        return f"{base}@{self.revision}" if self.revision else base

    @property
    def identity(self) -> tuple[str, str, str, str, str]:
        """What a reference is, without its line: a pull request that only moves code keeps this."""
        return (
            self.file,
            self.kind.value,
            self.site,
            self.target or "",
            "" if self.repo_id else (self.value or self.unresolved or ""),
        )


class CodeProblem(BaseModel):
    """A file discovery could not read (or only partly): never a silent "declares nothing"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str
    line: int | None = None
    message: str


class Discovery(BaseModel):
    """Everything discovery found under one root."""

    model_config = ConfigDict(extra="forbid")

    root: str
    files_scanned: int = 0  # files of a kind discovery reads
    files_parsed: int = 0  # of those, files that could name a reference and were parsed
    references: list[CodeReference] = Field(default_factory=list)
    problems: list[CodeProblem] = Field(default_factory=list)


class AppLicense(BaseModel):
    """The application's own license and where it was read."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None  # license_db id or SPDX expression; None when none was found
    category: str = "unknown"  # LicenseCategory value
    sources: list[str] = Field(default_factory=list)  # "LICENSE", "pyproject.toml:project.license", ...


class ModelAudit(BaseModel):
    """The audit of one Hub repo (or committed weights folder) the application uses."""

    model_config = ConfigDict(extra="forbid")

    target: str  # org/name[@rev], datasets/..., or a folder path relative to the root
    verdict: str  # pass | fail | error
    license: str | None = None
    category: str | None = None
    commercial_use: str | None = None
    error: str | None = None
    failing: list[str] = Field(default_factory=list)  # rule slugs of the findings that fail it
    report: str | None = None  # the model's JSON report (what ``modelaudit scan -f json`` writes)


class AppReport(BaseModel):
    """The application audit: references, the audit of each repo they name, and the application's findings.

    ``findings`` are on the application: each names the referencing file and line in its evidence
    (``file:line``), where code scanning annotates it. With ``--base``, references unchanged since the base
    revision are marked ``baseline`` and their findings do not count toward the verdict.
    """

    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    kind: str = "application"
    tool: ToolInfo
    generated_at: str
    root: str
    location_root: str = (
        ""  # POSIX path from the working directory to ``root`` ("" when the same): SARIF URIs
    )
    application: str  # the application's name (folder or package name)
    base: str | None = None  # git revision of --base
    policy: PolicyInfo
    license: AppLicense = Field(default_factory=AppLicense)
    verdict: Verdict
    references: list[CodeReference] = Field(default_factory=list)
    baseline_references: list[CodeReference] = Field(default_factory=list)  # unchanged since --base
    models: list[ModelAudit] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    problems: list[CodeProblem] = Field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "note": 0}
        for f in self.findings:
            if not f.waived and not f.baseline:
                out[f.severity.value] += 1
        return out
