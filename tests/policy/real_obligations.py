"""Obligation checks against the hand labels of tests/data/real/obligations (see its README.md).

Each folder is read by the local source, scanned as the node ``owner/name`` (its GitHub publisher), and crawled
with a fetcher that serves its labelled parents as records that declare only their license (their files were not
collected: a ``file:*`` problem says so). The obligations of the target node are compared with the labels.

``python tests/policy/real_obligations.py`` prints the agreement figures (benchmarks/obligations.py uses it too).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from modelaudit.errors import RepoNotFoundError
from modelaudit.lineage.crawler import crawl
from modelaudit.models import Evidence, ObligationStatus, RepoRecord, RepoRef, SourceKind
from modelaudit.policy.model import Policy
from modelaudit.policy.obligations import TERM_KINDS
from modelaudit.policy.rules import RuleContext
from modelaudit.sources.local import LocalSource

# kinds that are not_applicable by definition on the node's own license, so not labelled (README.md)
OWN_TERMS = frozenset(
    {"mark-modifications", "non-commercial", "research-only", "no-derivatives", "no-redistribution"}
)
DATA = Path(__file__).resolve().parents[1] / "data" / "real" / "obligations"


def manifest() -> dict[str, Any]:
    data = yaml.safe_load((DATA / "MANIFEST.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


class _Fetcher:
    """The target read from its folder under its Hub-style id; labelled parents as license-only records."""

    def __init__(self, target: RepoRef, record: RepoRecord, upstream: dict[str, str]) -> None:
        self.target = target
        self.record = record
        self.upstream = upstream

    def fetch(self, ref: RepoRef) -> RepoRecord:
        if ref.repo_id == self.target.repo_id:
            return self.record
        lic = self.upstream.get(ref.repo_id)
        if lic is None:
            raise RepoNotFoundError(ref.repo_id, f"{ref.repo_id}: not among the labelled parents")
        return RepoRecord(
            ref=ref,
            source=SourceKind.HUB,
            license_evidence=[Evidence(source="card:license", value=lic)],
            problems=[Evidence(source="file:*", value="not collected for the labelled test")],
        )


def target_obligations(slug: str, upstream: dict[str, str]) -> dict[tuple[str, str], ObligationStatus]:
    """(license, kind) → status of every obligation modelaudit finds for the repo in ``slug``."""
    from modelaudit.pipeline import assess_licenses
    from modelaudit.policy.obligations import checked

    owner, name = slug.split("__", 1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / name
        shutil.copytree(DATA / slug, folder)
        local = LocalSource().fetch(RepoRef(repo_id=str(folder), local_path=str(folder)))
    ref = RepoRef(repo_id=f"{owner}/{name}")
    record = local.model_copy(update={"ref": ref, "source": SourceKind.HUB, "local_dir": None})
    graph = crawl(ref, _Fetcher(ref, record, upstream), max_depth=3, root_record=record)
    licenses, _findings, _obligations = assess_licenses(graph)
    ctx = RuleContext(graph=graph, policy=Policy(name="labels"), licenses=licenses)
    out: dict[tuple[str, str], ObligationStatus] = {}
    for ob in checked(ctx):
        for check in ob.checks:
            if check.node == graph.root:
                out[(ob.license, ob.kind)] = check.status
        if not ob.checks and graph.root in ob.nodes and ob.status is not None:  # a term of use
            out[(ob.license, ob.kind)] = ob.status
    return out


@dataclass
class Figures:
    compared: int = 0
    agreed: int = 0
    met_but_unmet: list[str] = field(default_factory=list)  # the tool says met where the label says unmet
    disagreements: list[str] = field(default_factory=list)
    terms_not_na: list[str] = field(default_factory=list)
    repos: int = 0
    labelled_repos: int = 0
    by_status: Counter[str] = field(default_factory=Counter)

    @property
    def agreement(self) -> float:
        return self.agreed / self.compared if self.compared else 0.0


def figures() -> Figures:
    fig = Figures()
    for slug, entry in sorted(manifest().items()):
        fig.repos += 1
        labels: dict[str, dict[str, str]] = entry.get("obligations") or {}
        if labels:
            fig.labelled_repos += 1
        got = target_obligations(slug, entry.get("upstream") or {})
        wanted = {
            (lic, kind): ObligationStatus(s) for lic, kinds in labels.items() for kind, s in kinds.items()
        }
        for key, status in got.items():
            lic, kind = key
            if kind in TERM_KINDS:
                if status is not ObligationStatus.NOT_APPLICABLE:
                    fig.terms_not_na.append(f"{slug}: {lic} {kind} = {status.value}")
                continue
            if key not in wanted and status is ObligationStatus.NOT_APPLICABLE and kind in OWN_TERMS:
                continue  # the own license's terms and mark-modifications: not applicable by definition
            if key not in wanted:
                fig.compared += 1
                fig.disagreements.append(f"{slug}: {lic} {kind}: tool {status.value}, not labelled")
        for key, label in wanted.items():
            fig.compared += 1
            fig.by_status[label.value] += 1
            status = got.get(key)
            if status is label:
                fig.agreed += 1
                continue
            shown = status.value if status else "absent"
            fig.disagreements.append(f"{slug}: {key[0]} {key[1]}: tool {shown}, label {label.value}")
            if status is ObligationStatus.MET and label is ObligationStatus.UNMET:
                fig.met_but_unmet.append(f"{slug}: {key[0]} {key[1]}")
    return fig


def report(fig: Figures) -> str:
    lines = [
        f"real repos: {fig.repos} ({fig.labelled_repos} with obligations), statuses compared: {fig.compared} "
        f"(labels: {dict(sorted(fig.by_status.items()))})",
        f"agreement with the hand labels: {fig.agreed}/{fig.compared} = {fig.agreement:.1%} (target >= 95%)",
        f"called met where the label says unmet: {len(fig.met_but_unmet)} (target 0)",
        f"terms of use not reported not_applicable: {len(fig.terms_not_na)}",
    ]
    lines += [f"  disagreement: {d}" for d in fig.disagreements]
    return "\n".join(lines)


if __name__ == "__main__":
    result = figures()
    print(report(result))
    sys.exit(0 if result.agreement >= 0.95 and not result.met_but_unmet else 1)
