"""``modelaudit fix``: turn a scan's remediation plan into changes to a local model folder.

The folder is scanned (as its publisher, by default), the report's plan for it (``policy/remediation.py``)
becomes file contents, and those are shown as a unified diff or written:

* license texts and use policies come from the texts shipped in the package (``license_db/texts``, sources
  in its ``SOURCES.md``), never from the network; NOTICE lines from the licenses and from upstream NOTICE
  files the scan read;
* the card's front matter is edited key by key (other keys and the body are left as they are) and a marked
  "License and attribution" section is added to the card's text (replaced, not repeated, on a later run);
* only README.md and license-like files at the folder's root are ever written: never weights or code;
* nothing is overwritten or removed without a copy in ``.modelaudit-backup/<UTC time>/`` first;
* a Hub target, or a folder that cannot be written, is refused with a clear error (exit 2).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from modelaudit.errors import InputError, UsageError
from modelaudit.licenses.db import load_db
from modelaudit.licenses.schema import DocumentKind, LicenseRecord
from modelaudit.licenses.texts import shipped_text, texts_dir
from modelaudit.models import RemediationFile, RemediationPlan, Role, ScanReport, VerifyMode
from modelaudit.pipeline import ScanOptions, scan
from modelaudit.policy.obligations import norm
from modelaudit.policy.remediation import PLANNED_RULES, SECTION_END, SECTION_START
from modelaudit.sources.base import is_license_file
from modelaudit.targets import parse_target

BACKUP_DIR = ".modelaudit-backup"
CARD = "README.md"
_FRONT_MATTER = re.compile(r"^(\ufeff?\s*---[ \t]*\r?\n)([\s\S]*?)(\r?\n---[ \t]*(?:\r?\n|$))")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w\-]*)\s*:")
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/+ -]*$")


@dataclass
class FileEdit:
    """One file's content before and after the fix (None: absent)."""

    path: str
    before: str | None
    after: str | None
    why: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class FixResult:
    folder: Path
    report: ScanReport
    plan: RemediationPlan | None
    edits: list[FileEdit] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)
    backup: Path | None = None
    rescan: ScanReport | None = None

    def remaining(self) -> list[str]:
        """After ``--write``: the target's findings of the rules a plan addresses (license and obligation rules)
        that still reach the policy's threshold; empty when the fix did its job."""
        report = self.rescan
        if report is None:
            return []
        threshold = report.policy.fail_on.rank
        return [
            f"{f.name}: {f.message}"
            for f in report.findings
            if f.node == report.target.id
            and f.name in PLANNED_RULES
            and not f.waived
            and f.severity.rank >= threshold
        ]

    def diff(self) -> str:
        """The plan as a unified diff of the folder (``a/`` before, ``b/`` after)."""
        out: list[str] = []
        for e in self.edits:
            if not e.changed:
                continue
            before = _lines(e.before or "")
            after = _lines(e.after or "")
            for lines in (before, after):
                if lines and not lines[-1].endswith("\n"):
                    lines[-1] += "\n\\ No newline at end of file\n"
            out.extend(
                difflib.unified_diff(
                    before,
                    after,
                    fromfile="/dev/null" if e.before is None else f"a/{e.path}",
                    tofile="/dev/null" if e.after is None else f"b/{e.path}",
                )
            )
        return "".join(out)


def _lines(text: str) -> list[str]:
    """Lines split at "\\n" only, as patch(1) reads them (str.splitlines also splits at form feeds, U+2028...)."""
    return [line for line in re.split(r"(?<=\n)", text) if line]


# --------------------------------------------------------------------------------------------- texts


def license_text(rec: LicenseRecord, holders: list[str]) -> str | None:
    """The license text to write; for MIT / BSD the copyright lines are the holders the plan collected."""
    text = shipped_text(rec, DocumentKind.LICENSE)
    if text is None or not rec.obligations.copyright_notice:
        return text
    from modelaudit.policy.obligations import is_copyright_line

    kept = [line for line in text.splitlines() if not is_copyright_line(line)]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(kept).strip("\n"))
    if not holders:
        return body + "\n"
    title, _, rest = body.partition("\n")
    if len(title.strip()) < 60 and not title.rstrip().endswith(
        (".", ":", ",")
    ):  # a title line: keep it first
        return f"{title}\n\n" + "\n".join(holders) + "\n\n" + rest.lstrip("\n") + "\n"
    return "\n".join(holders) + "\n\n" + body + "\n"


# --------------------------------------------------------------------------------------------- the card


def _yaml_value(value: str) -> str:
    return value if _PLAIN.match(value) and ": " not in value else json.dumps(value)


def _blocks(front: str) -> list[tuple[str | None, list[str]]]:
    """Top-level keys of a front matter with their lines (continuations, list items and blanks included)."""
    blocks: list[tuple[str | None, list[str]]] = []
    for line in front.splitlines():
        m = _TOP_KEY.match(line)
        if m:
            blocks.append((m.group(1), [line]))
        elif blocks:
            blocks[-1][1].append(line)
        else:
            blocks.append((None, [line]))
    return blocks


def edit_front_matter(card: str | None, set_keys: dict[str, str | list[str]], drop: list[str]) -> str:
    """``card`` with top-level front-matter keys set (a string or a list) or dropped; other lines untouched."""
    text = card or ""
    m = _FRONT_MATTER.match(text)
    if m:
        head, front, tail, body = m.group(1), m.group(2), m.group(3), text[m.end() :]
    else:
        head, front, tail, body = "---\n", "", "\n---\n", ("\n" + text if text else "")
    blocks = _blocks(front)
    done: set[str] = set()
    out: list[str] = []
    for key, lines in blocks:
        if key in drop:
            continue
        if key is not None and key in set_keys:
            out += _render_key(key, set_keys[key])
            done.add(key)
            continue
        out += lines
    for key, value in set_keys.items():
        if key not in done:
            out += _render_key(key, value)
    front_out = "\n".join(out)
    return f"{head}{front_out}{tail if tail.endswith(chr(10)) or body else tail + chr(10)}{body}"


def _render_key(key: str, value: str | list[str]) -> list[str]:
    if isinstance(value, list):
        return [f"{key}:"] + [f"- {_yaml_value(v)}" for v in value]
    return [f"{key}: {_yaml_value(value)}"]


def _section(plan: RemediationPlan, report: ScanReport) -> str | None:
    """The card's "License and attribution" section for the plan's statements, or None when there are none."""
    db = load_db()
    built = [c.value for c in plan.card if c.field == "built-with"]
    credits = [c.value for c in plan.card if c.field == "credit"]
    refs = [c.value for c in plan.card if c.field == "license-reference"]
    policies = [c.value for c in plan.card if c.field == "use-policy-link"]
    if not (built or credits or refs or policies):
        return None
    lines = [SECTION_START, "## License and attribution", ""]
    for lic in refs:
        rec = db.get(lic)
        url = rec.urls[0] if rec and rec.urls else ""
        lines.append(
            f"This model is licensed under {rec.display_name if rec else lic}"
            + (f" ({url})." if url else ".")
        )
    for phrase in built:
        lines.append(f"{phrase}.")
    for url in policies:
        lines.append(f"Use of this model is subject to the use policy at {url}.")
    if credits:
        lines += ["", "Credits:", ""]
        for c in credits:
            who, _, lic = c.rpartition(" (")
            lic = lic.rstrip(")")
            rec = db.get(lic)
            name = rec.display_name if rec else lic
            link = f"https://huggingface.co/{who}"
            lines.append(f"- [{who}]({link}), licensed under {name} ({lic}).")
    lines += ["", SECTION_END]
    return "\n".join(lines) + "\n"


def edit_card(card: str | None, plan: RemediationPlan, report: ScanReport) -> str | None:
    """The card after the plan's changes (None when the plan changes nothing in it)."""
    fields = {
        c.field: c.value
        for c in plan.card
        if c.field in ("license", "license_name", "license_link", "model_name")
    }
    bases = [c.value for c in plan.card if c.field == "base_model"]
    section = _section(plan, report)
    if not fields and not bases and section is None:
        return None
    set_keys: dict[str, str | list[str]] = dict(fields)
    drop: list[str] = []
    if "license" in fields and "license_name" not in fields:
        drop += ["license_name", "license_link"]
    if bases:
        from modelaudit.bounded import parse_front_matter

        current = parse_front_matter(card or "", CARD).get("base_model")
        have = current if isinstance(current, list) else ([current] if isinstance(current, str) else [])
        merged = [str(v) for v in have] + [b for b in bases if b not in have]
        set_keys["base_model"] = merged if len(merged) > 1 else merged[0]
    text = edit_front_matter(card, set_keys, drop) if set_keys or drop else (card or "")
    if section is not None:
        start, end = text.find(SECTION_START), text.find(SECTION_END)
        if start != -1 and end > start:
            text = text[:start] + section + text[end + len(SECTION_END) :].lstrip("\n")
        else:
            text = text.rstrip("\n") + "\n\n" + section
    return text


# --------------------------------------------------------------------------------------------- the plan


def _read(folder: Path, path: str) -> str | None:
    full = folder / path
    if not full.is_file():
        return None
    return full.read_text(encoding="utf-8", errors="replace")


def _file_edit(folder: Path, f: RemediationFile, manual: list[str]) -> FileEdit | None:
    db = load_db()
    before = _read(folder, f.path)
    if f.action == "remove":
        return FileEdit(f.path, before, None, [f.reason])
    kind, _, license_id = f.content.partition(":")
    if kind == "notice":
        have = norm(before or "")
        missing = [line for line in f.lines if f" {norm(line).strip()} " not in have]
        if not missing:
            return None
        base = (before or "").rstrip("\n")
        after = (base + "\n\n" if base else "") + "\n".join(missing) + "\n"
        return FileEdit(f.path, before, after, [f.reason])
    rec = db.get(license_id)
    if rec is None:
        manual.append(f"{f.path}: {license_id} is not in license_db; add its text by hand.")
        return None
    text = (
        license_text(rec, f.lines) if kind == "license-text" else shipped_text(rec, DocumentKind.USE_POLICY)
    )
    if text is None:
        where = (
            rec.obligations.use_policy_url
            if kind == "use-policy"
            else (rec.urls[0] if rec.urls else "its publisher")
        )
        manual.append(
            f"{f.path}: modelaudit ships no text of {rec.id}'s {kind.replace('-', ' ')}; save it from {where}."
        )
        return None
    return FileEdit(f.path, before, text, [f.reason])


def build_edits(folder: Path, report: ScanReport) -> tuple[RemediationPlan | None, list[FileEdit], list[str]]:
    """The file edits of the report's plan for the folder, and the steps no edit can make."""
    plan = next((p for p in report.remediation if p.node == report.target.id), None)
    if plan is None:
        return None, [], []
    manual = list(plan.manual)
    edits: list[FileEdit] = []
    for f in plan.files:
        _allowed(f.path)
        e = _file_edit(folder, f, manual)
        if e is not None and e.changed:
            edits.append(e)
    card = _read(folder, CARD)
    after = edit_card(card, plan, report)
    if after is not None and after != card:
        edits.append(FileEdit(CARD, card, after, [c.reason for c in plan.card]))
    return plan, edits, manual


def _allowed(path: str) -> None:
    """Only README.md and license-like files at the folder's root are written (never weights or code)."""
    if "/" in path or "\\" in path or path.startswith("."):
        raise InputError(path, "refusing to write outside the folder's root")
    if path != CARD and not is_license_file(path):
        raise InputError(path, "refusing to write a file that is neither the card nor a license file")


# --------------------------------------------------------------------------------------------- the folder


def local_folder(target: str) -> Path:
    """The folder ``fix`` works on; a usage error for a Hub target or a missing folder."""
    ref = parse_target(target)
    if not ref.local_path:
        raise UsageError(
            f"{target}: modelaudit fix changes a local model folder, not a Hub repo",
            hint=f"clone it first (git clone https://huggingface.co/{ref.repo_id}) and run fix on the folder",
        )
    folder = Path(ref.local_path)
    if not folder.is_dir():
        raise UsageError(f"{target}: no such folder")
    return folder


def check_writable(folder: Path, edits: list[FileEdit]) -> None:
    """Refuse a folder (or a file in it) that cannot be written, before anything is touched."""
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(str(folder), "the folder is read-only: fix --write cannot change it")
    for e in edits:
        full = folder / e.path
        if full.exists() and not os.access(full, os.W_OK):
            raise InputError(str(full), "the file is read-only: fix --write cannot change it")


def apply(folder: Path, edits: list[FileEdit], *, now: datetime | None = None) -> Path | None:
    """Write the edits: every file changed or removed is first copied into the backup folder, every write is
    atomic (a temporary file renamed over the old one). Returns the backup folder (None: nothing backed up)."""
    check_writable(folder, edits)
    stamp = (now or datetime.now(tz=UTC)).strftime("%Y%m%dT%H%M%SZ")
    backup = folder / BACKUP_DIR / stamp
    n = 1
    while backup.exists():  # a second fix within the same second keeps the first one's backup
        n += 1
        backup = folder / BACKUP_DIR / f"{stamp}-{n}"
    backed = False
    for e in edits:
        if not e.changed:
            continue
        full = folder / e.path
        if e.before is not None and full.exists():
            backup.mkdir(parents=True, exist_ok=True)
            shutil.copy2(full, backup / e.path)
            backed = True
    for e in edits:
        if not e.changed:
            continue
        full = folder / e.path
        if e.after is None:
            full.unlink(missing_ok=True)
            continue
        mode = full.stat().st_mode & 0o777 if full.exists() else 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(prefix=".modelaudit-fix-", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(e.after)
            os.chmod(tmp, mode)
            os.replace(tmp, full)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return backup if backed else None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def fix(
    target: str, options: ScanOptions | None = None, *, write: bool = False, rescan: bool = True
) -> FixResult:
    """Plan (and with ``write``, apply) the changes that make a local folder meet its licenses."""
    folder = local_folder(target)
    opts = options or ScanOptions()
    updates: dict[str, Any] = {"obligations": True}
    if opts.role is None:
        updates["role"] = Role.PUBLISHER
    if opts.verify is None:
        updates["verify"] = (
            VerifyMode.NONE
        )  # the plan needs no hashes; the scan's other checks are not fix's job
    opts = opts.model_copy(update=updates)
    report = scan(str(folder), opts)
    plan, edits, manual = build_edits(folder, report)
    result = FixResult(folder=folder, report=report, plan=plan, edits=edits, manual=manual)
    if write and edits:
        result.backup = apply(folder, edits)
        if rescan:
            result.rescan = scan(str(folder), opts)
    elif write and rescan:
        result.rescan = report
    return result


__all__ = [
    "BACKUP_DIR",
    "FileEdit",
    "FixResult",
    "apply",
    "build_edits",
    "edit_card",
    "edit_front_matter",
    "fix",
    "license_text",
    "local_folder",
    "shipped_text",
    "texts_dir",
]
