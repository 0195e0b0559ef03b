"""Obligations checked against each node's files: is the model compliant, and with what evidence.

Every license binding a node brings duties: the node's own license (each part of an ``AND``), the license of
every model upstream of it (flow-down: a fine-tune of a Llama model owes the Llama duties whatever it declares)
and, for credit, the licenses of its direct training data. Each duty gets a status for the node:

``met``             the node's files show the duty is done (the evidence names the file and what was found);
``unmet``           the files were read and show it is not (the evidence says what was looked for, and where);
``unknown``         it cannot be told from what could be read (a file unread, a gated repo, the card's text
                    not fetched, a text that cannot be identified): never counted as met;
``not_applicable``  the duty does not bind this node (the licensor's own release, an upstream that ships no
                    NOTICE), or it is a term of use, not something a repo ships.

The files are read by the sources (LICENSE-like files are in ``RepoRecord.license_files``, the model card in
``RepoRecord.card_text``); this module only reads what they hand over. ``docs/obligations.md`` lists the
checks; ``tests/data/real/obligations/README.md`` is the guide the hand labels of real repos follow.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from modelaudit.catalog import FILE_KINDS, LINEAGE_KINDS, TERM_KINDS, UNVERIFIED_KINDS
from modelaudit.licenses.identify import Identification, identify_text
from modelaudit.licenses.schema import DocumentKind, LicenseRecord, ShareAlike
from modelaudit.lineage.graph import GraphNode
from modelaudit.models import (
    CommercialUse,
    Evidence,
    LicenseFile,
    NodeKind,
    Obligation,
    ObligationCheck,
    ObligationStatus,
    Relation,
)

if TYPE_CHECKING:
    from modelaudit.cachefile import Cache
    from modelaudit.licenses.db import LicenseDB
    from modelaudit.policy.rules.base import RuleContext
    from modelaudit.policy.rules.terms import Terms
    from modelaudit.policy.rules.upstream import Upstream

MET = ObligationStatus.MET
UNMET = ObligationStatus.UNMET
UNKNOWN = ObligationStatus.UNKNOWN
NA = ObligationStatus.NOT_APPLICABLE

# The file each kind concerns, where the node has none of its own to name (SARIF locations, fix plans).
KIND_FILE = {
    "include-agreement": "LICENSE",
    "license-reference": "README.md",
    "notice-file": "NOTICE",
    "copyright-notice": "LICENSE",
    "upstream-notice": "NOTICE",
    "built-with": "README.md",
    "use-policy": "USE_POLICY.md",
    "mark-modifications": "README.md",
    "credit": "README.md",
    "flow-down-use-policy": "README.md",
    "naming-prefix": "README.md",
    "share-alike": "README.md",
    "non-commercial": "README.md",
    "research-only": "README.md",
}
UNREAD_ALL = "file:*"  # a problem with this source: none of the repo's files could be read

TERM_EVIDENCE = Evidence(
    source="obligation",
    value="a term of use: it binds how the model is used, not what the repo ships (the policy's intended use "
    "is checked by use-not-permitted)",
)
_CODE_FILE = re.compile(r"(^|[_\-.])code([_\-.]|$)", re.IGNORECASE)
_NORM_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_NORM_DROP = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_COPYRIGHT_LINE = re.compile(
    r"^[\s#>*_`|\-\"“]*copyright\s*(?:\(c\)|©|\[?\d{4})[\s\S]*$|^[\s#>*_`|\-\"“]*(?:\(c\)|©)\s*\d{4}[\s\S]*$",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(
    r"[<\[{]\s*(?:yyyy|year|years|name|owner|holder|holders|author|authors|copyright holders?|"
    r"name of (?:copyright )?(?:owner|author)|fullname|company)[^>\]}]*[>\]}]",
    re.IGNORECASE,
)
_STEWARDS = re.compile(r"free software foundation|creative commons|open data commons", re.IGNORECASE)
_URL = re.compile(r"^(?:https?://)?(?:www\.)?", re.IGNORECASE)


# --------------------------------------------------------------------------------------------- texts


@lru_cache(maxsize=4096)
def norm(text: str) -> str:
    """Words of a text, lower-cased, space-joined with a space at both ends; © and (c) are dropped, so a
    Notice line matches whichever copyright sign a copy uses."""
    if text.isascii():  # no curly quotes, no-break space or ©
        text = text.lower().replace("(c)", " ")
    else:
        text = text.translate(_NORM_DROP).lower().replace("©", " ").replace("(c)", " ")
    return " " + " ".join(_NORM_WORD.findall(text)) + " "


def contains(haystack: str, phrase: str) -> bool:
    """Whether the words of ``phrase`` occur contiguously in ``haystack`` (a :func:`norm` result)."""
    if phrase.isascii() and phrase.isalnum():  # one word: its norm is itself, lower-cased
        return f" {phrase.lower()} " in haystack
    p = norm(phrase).strip()
    return bool(p) and f" {p} " in haystack


@lru_cache(maxsize=512)
def identify(text: str, cache: Cache | None = None) -> Identification:
    """``identify_text``, once per distinct text in a run (the license stage identified the same files);
    ``cache`` is the scan's (``Cache.off()`` under --no-cache), None modelaudit's default cache."""
    return identify_text(text, cache=cache)


def is_copyright_line(line: str) -> bool:
    """Whether a line has the shape of a copyright notice (filled in or a template's placeholder)."""
    return len(line) <= 300 and bool(_COPYRIGHT_LINE.match(line))


def copyright_lines(text: str) -> list[str]:
    return list(_copyright_lines(text))


@lru_cache(maxsize=1024)
def _copyright_lines(text: str) -> tuple[str, ...]:
    """The copyright notices of a text: lines starting with ``Copyright (c)`` / ``Copyright ©`` /
    ``Copyright <year>`` / ``© <year>`` that name a holder (template placeholders and the license steward's
    own line, e.g. the FSF's in the GPL, are not notices)."""
    out: list[str] = []
    for line in text.splitlines():
        if len(line) > 300 or not _COPYRIGHT_LINE.match(line):
            continue
        clean = line.strip(' \t#>*_`|-"“”')
        if _PLACEHOLDER.search(clean) or _STEWARDS.search(clean):
            continue
        rest = re.sub(r"(?i)copyright|\(c\)|©|all rights reserved|[\d\s,.\-–]+", " ", clean)
        if re.search(r"[A-Za-z]{2}", rest):
            out.append(" ".join(clean.split()))
    return tuple(out)


def url_key(url: str) -> str:
    """A URL without scheme, ``www.`` and trailing slash, lower-cased (how policy links are compared)."""
    return _URL.sub("", url.strip()).rstrip("/").lower()


_UNSET = object()


@dataclass
class NodeFiles:
    """What a node ships, as the sources read it, sorted by role."""

    node: GraphNode
    licenses: list[LicenseFile] = field(default_factory=list)  # LICENSE, COPYING, ... (not code-only)
    notices: list[LicenseFile] = field(default_factory=list)  # NOTICE*
    policies: list[LicenseFile] = field(default_factory=list)  # USE_POLICY*, ACCEPTABLE_USE_POLICY*
    unread: set[str] = field(default_factory=set)  # files listed but not read ("*": none could be)
    _card: object = field(default=_UNSET, repr=False, compare=False)  # ``card``, once worked out

    @classmethod
    def of(cls, node: GraphNode) -> NodeFiles:
        out = cls(node)
        record = node.record
        if record is None:
            out.unread.add("*")
            return out
        for lf in record.license_files:
            name = lf.path.rsplit("/", 1)[-1]
            stem = (name.rsplit(".", 1)[0] if "." in name else name).upper().replace("-", "_")
            if stem == "NOTICE" or stem.startswith("NOTICE_"):
                out.notices.append(lf)
            elif stem.startswith(("USE_POLICY", "ACCEPTABLE_USE_POLICY")):
                out.policies.append(lf)
            elif not _CODE_FILE.search(stem):
                out.licenses.append(lf)
        for p in record.problems:
            if p.source == UNREAD_ALL:
                out.unread.add("*")
            elif p.source.startswith("file:") and re.search(
                r"not read|not readable|gated|only the first|not in the local cache", p.value
            ):
                out.unread.add(p.source.removeprefix("file:"))
        return out

    @property
    def all_unread(self) -> bool:
        return "*" in self.unread

    def unread_like(self, role: str) -> bool:
        """Whether a file of this role (license, notice, policy, card) was listed but could not be read."""
        if self.all_unread:
            return True
        for path in self.unread:
            stem = path.rsplit("/", 1)[-1].upper()
            if role == "card" and stem == "README.MD":
                return True
            if role == "notice" and stem.startswith("NOTICE"):
                return True
            if role == "policy" and ("USE_POLICY" in stem.replace("-", "_")):
                return True
            if role == "license" and stem.startswith(("LICENSE", "LICENCE", "COPYING")):
                return True
        return False

    @property
    def card(self) -> str | None:
        """The normalised words of the card's whole text; None when it was not read (worked out on first use:
        a plain attribute, not a cached_property, whose first look-up takes a lock on Python 3.11)."""
        words = self._card
        if words is _UNSET:
            record = self.node.record
            text = None if record is None else record.card_text
            words = self._card = None if text is None else norm(text)
        return words  # type: ignore[return-value]

    @property
    def card_raw(self) -> str | None:
        record = self.node.record
        return None if record is None else record.card_text

    @cached_property
    def has_card(self) -> bool:
        record = self.node.record
        return record is not None and any(f.path == "README.md" for f in record.files)

    @cached_property
    def texts(self) -> list[tuple[str, str]]:
        """(source, normalised words) of every text the node ships: card, license files, notices, policies."""
        out = [(f"file:{lf.path}", norm(lf.text)) for lf in (*self.licenses, *self.notices, *self.policies)]
        if self.card is not None:
            out.append(("file:README.md", self.card))
        return out

    def copyrights(self, notices_too: bool = True) -> list[tuple[str, str]]:
        """(file, line) of every copyright notice in the node's license files (and NOTICE files, and card)."""
        files: Iterable[LicenseFile] = (*self.licenses, *self.notices) if notices_too else self.licenses
        out = [(lf.path, line) for lf in files for line in copyright_lines(lf.text)]
        if notices_too and self.card_raw is not None:
            out += [("README.md", line) for line in copyright_lines(self.card_raw)]
        return out


MIN_TEXT_COVERAGE = 0.5  # share of the reference text a file must hold to be a copy of it


@lru_cache(maxsize=1024)
def reference_coverage(text: str, license_id: str) -> float | None:
    """The largest share of ``license_id``'s reference texts (license_db recognition data) whose shingles occur
    in ``text``; None when license_db holds no reference text for it."""
    from modelaudit.licenses.db import load_db
    from modelaudit.licenses.identify import _references, shingles, tokens

    refs = [r for r in _references(load_db()) if r.id == license_id and r.document is DocumentKind.LICENSE]
    if not refs:
        return None
    have = shingles(tokens(text))
    return max(len(have & r.hashes) / len(r.hashes) for r in refs if r.hashes)


def is_text_of(ident: Identification, rec: LicenseRecord, text: str) -> bool:
    """Whether an identified text is ``rec``'s license text itself, not a title line, a short "licensed
    under" notice or a fragment: it must hold at least half of the reference text where license_db has one."""
    from modelaudit.licenses.assess import _SAME_TEXT

    if ident.id is None or ident.document is DocumentKind.USE_POLICY:
        return False
    ids = set(ident.licenses or [ident.id])
    if rec.id not in ids and not any(rec.id in group and ids & group for group in _SAME_TEXT):
        return False
    if ident.method not in ("spdx", "fingerprint"):
        return False
    coverage = reference_coverage(text, rec.id)
    return coverage is None or coverage >= MIN_TEXT_COVERAGE


# --------------------------------------------------------------------------------------------- duties


@dataclass
class Binding:
    """One license binding one node: as its own license, through an upstream model, or as a direct dataset's."""

    rec: LicenseRecord
    own: bool = False
    upstream: list[Upstream] = field(default_factory=list)  # nearest paths to models under it (not via data)
    data: list[Upstream] = field(default_factory=list)  # direct training datasets under it

    @property
    def via(self) -> str | None:
        if self.own:
            return None
        ups = self.upstream or self.data
        return ups[0].key if ups else None


def duty_text(rec: LicenseRecord, kind: str) -> str:
    """The obligation in plain words (what the report's ``text`` says)."""
    ob = rec.obligations
    texts = {
        "include-agreement": "Give every recipient a copy of the license agreement (a LICENSE file with its text).",
        "license-reference": "Give recipients the license text or a link to it.",
        "notice-file": f'Ship a "Notice" file with: "{ob.notice_text}"',
        "copyright-notice": "Keep the copyright notice with every copy (a filled-in copyright line).",
        "upstream-notice": "Carry the attribution lines of the upstream's NOTICE file into a NOTICE file.",
        "built-with": f'Display "{ob.built_with}" prominently (the model card, website, documentation).',
        "use-policy": f"Ship the use policy (USE_POLICY.md) or link it: {ob.use_policy_url}.",
        "mark-modifications": "Say that the model was changed from its upstream, and from which one.",
        "credit": "Credit the upstream work in the model card and name its license.",
        "naming-prefix": f'Names of distributed derivative models must begin with "{ob.naming_prefix}".',
        "flow-down-use-policy": "The use restrictions must be passed on in the license the model is distributed "
        "under.",
        "source-disclosure": "Offer the corresponding source to recipients.",
    }
    if kind in texts:
        return texts[kind]
    from modelaudit.licenses.assess import describe_obligations

    return dict(describe_obligations(rec)).get(kind, kind)


_DUTIES: dict[tuple[int, bool, bool, bool, bool], tuple[LicenseRecord, tuple[str, ...]]] = {}


def duties(b: Binding) -> list[str]:
    """The obligation kinds a binding brings (in a stable order)."""
    return list(_duty_kinds(b))


def _duty_kinds(b: Binding) -> tuple[str, ...]:
    """:func:`duties`, worked out once per shape: they depend only on the license and on whether it binds as
    the node's own, through models, through data, and through a direct parent (a long lineage repeats the
    same few shapes)."""
    key = (id(b.rec), b.own, bool(b.upstream), bool(b.data), any(u.direct for u in b.upstream))
    found = _DUTIES.get(key)
    if found is not None and found[0] is b.rec:
        return found[1]
    kinds = tuple(_duties(b))
    _DUTIES[key] = (b.rec, kinds)
    return kinds


def _duties(b: Binding) -> list[str]:
    ob = b.rec.obligations
    rec = b.rec
    up = bool(b.upstream)
    out: list[str] = []
    if b.own or up:
        if rec.commercial_use is CommercialUse.NO:
            out.append("non-commercial")
        elif rec.commercial_use is CommercialUse.CONDITIONAL:
            out.append("commercial-condition")
        if ob.research_only:
            out.append("research-only")
        if ob.include_agreement:
            out.append("include-agreement")
        if ob.license_reference:
            out.append("license-reference")
        if ob.notice_text:
            out.append("notice-file")
        if (b.own and ob.copyright_notice) or (up and ob.attribution and not ob.notice_text):
            out.append("copyright-notice")
        if up and ob.propagate_notice:
            out.append("upstream-notice")
        if ob.mark_modifications:
            out.append("mark-modifications")
        if ob.source_disclosure:
            out.append("source-disclosure")
        if ob.naming_prefix:
            out.append("naming-prefix")
        if ob.built_with:
            out.append("built-with")
        if ob.share_alike is not ShareAlike.NONE:
            out.append("share-alike")
        if ob.flow_down_use_restrictions:
            out.append("flow-down-use-policy")
        if ob.use_policy_url:
            out.append("use-policy")
        if ob.output_use_restrictions or ob.output_use_note:
            out.append("output-use")
        if ob.derivatives_include_outputs:
            out.append("distillation")
        if ob.user_cap:
            out.append("user-cap")
        if ob.revenue_cap_usd:
            out.append("revenue-cap")
        if ob.no_derivatives:
            out.append("no-derivatives")
        if ob.no_redistribution:
            out.append("no-redistribution")
        if ob.hosting_restricted:
            out.append("hosting-restricted")
        if rec.restricted_uses:
            out.append("restricted-uses")
        if ob.note:
            out.append("note")
    if ob.credit_upstream and (b.data or any(u.direct for u in b.upstream)):
        out.append("credit")
    if b.data and not b.own and not up:
        if rec.commercial_use is CommercialUse.NO:
            out.append("non-commercial")
        if ob.research_only:
            out.append("research-only")
        if ob.share_alike is not ShareAlike.NONE:
            out.append("share-alike")
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------------------------- checks


Result = tuple[ObligationStatus, list[Evidence], str | None]  # status, evidence, file it concerns


# pydantic-core's validators, called with a dict: validated, and quicker than the models' keyword
# constructors (and than model_construct) for the many small models a long lineage makes
_new_check = ObligationCheck.__pydantic_validator__.validate_python
_new_evidence = Evidence.__pydantic_validator__.validate_python


@lru_cache(maxsize=8192)
def _ev(source: str, value: str) -> Evidence:
    # shared: Evidence is frozen, and a long lineage repeats the same few (one check per node per duty)
    evidence: Evidence = _new_evidence({"source": source, "value": value})
    return evidence


# each kind's check method of NodeChecker, looked up once per kind
_METHODS: dict[str, Callable[[NodeChecker, Binding, bool], Result] | None] = {}


class NodeChecker:
    """Checks the duties binding one node against its files."""

    def __init__(
        self,
        node: GraphNode,
        ctx: RuleContext,
        files: NodeFiles,
        me: Terms,
        files_of: dict[str, NodeFiles] | None = None,
    ) -> None:
        self.node = node
        self.ctx = ctx
        self.files = files
        self.me = me
        # every node's NodeFiles, shared by the checkers of one run (a parent's files are read by its child)
        self.files_of = files_of if files_of is not None else {}

    def files_of_node(self, node: GraphNode) -> NodeFiles:
        found = self.files_of.get(node.key)
        if found is None or found.node is not node:
            found = self.files_of[node.key] = NodeFiles.of(node)
        return found

    # ------------------------------------------------------------------ helpers

    def _license_file_result(self, rec: LicenseRecord) -> Result:
        f = self.files
        if f.all_unread:
            return UNKNOWN, [_ev("files", "the repo's files could not be read")], None
        found: list[Evidence] = []
        unidentified: list[str] = []
        for lf in f.licenses:
            ident = identify(lf.text, self.ctx.cache)
            if is_text_of(ident, rec, lf.text):
                note = " (truncated copy)" if lf.truncated else ""
                return (
                    MET,
                    [_ev(f"file:{lf.path}", f"the text of {rec.id}{note} ({ident.confidence:.2f})")],
                    lf.path,
                )
            if ident.id is None:
                unidentified.append(lf.path)
                cand = f", closest {ident.candidate} ({ident.candidate_score:.2f})" if ident.candidate else ""
                found.append(_ev(f"file:{lf.path}", f"text not identified{cand}"))
            else:
                found.append(_ev(f"file:{lf.path}", f"the text of {ident.id}, not of {rec.id}"))
        if unidentified or f.unread_like("license"):
            return (
                UNKNOWN,
                found or [_ev("files", "a license file could not be read")],
                (unidentified[0] if unidentified else "LICENSE"),
            )
        if not f.licenses:
            return (
                UNMET,
                [_ev("looked-for", f"a LICENSE file with the text of {rec.id}: there is none")],
                "LICENSE",
            )
        return UNMET, found, f.licenses[0].path

    def _card_needed(self) -> Result | None:
        """The result when the card's text cannot be searched (not read, or no card), else None."""
        f = self.files
        if f.card is not None:
            return None
        if f.all_unread or f.unread_like("card") or (f.has_card and f.card_raw is None):
            return UNKNOWN, [_ev("file:README.md", "the model card's text was not read")], "README.md"
        return UNMET, [_ev("looked-for", "a model card (README.md): there is none")], "README.md"

    def _in_card(self, phrases: list[str], what: str) -> Result:
        missing = self._card_needed()
        if missing is not None:
            return missing
        assert self.files.card is not None
        for p in phrases:
            if contains(self.files.card, p):
                return MET, [_ev("file:README.md", f'states "{p}"')], "README.md"
        wanted = " or ".join(f'"{p}"' for p in phrases)
        return UNMET, [_ev("file:README.md", f"does not state {wanted} ({what})")], "README.md"

    def _card_names(self, parent: GraphNode) -> Evidence | None:
        """Evidence that the card names ``parent`` (front matter base_model / datasets, or its text)."""
        record = self.node.record
        if record is None:
            return None
        repo = parent.ref.repo_id
        data = record.card_data
        for key in ("base_model", "datasets"):
            value = data.get(key)
            if value is None:
                continue
            values = value if isinstance(value, list) else [value]
            for v in values:
                if isinstance(v, str) and v.strip().removeprefix("datasets/").lower() == repo.lower():
                    return _ev(f"card:{key}", v)
        card = self.files.card
        if card is not None:
            name = repo.rsplit("/", 1)[-1]
            one_word = name.isascii() and name.isalnum()
            if len(name) >= 3 and (one_word or norm(name) != "  ") and not contains(card, name):
                # the words of ``name`` end the words of ``repo`` ("/" separates words): a card without the
                # name's words cannot hold the repo's
                return None
            for candidate in (repo, name):
                if len(candidate) >= 3 and contains(card, candidate):
                    return _ev("file:README.md", f"names {candidate}")
        return None

    def _licensor(self, rec: LicenseRecord) -> bool:
        if not rec.licensor_orgs:
            return False
        from modelaudit.policy.rules.upstream import namespace

        org = namespace(self.node)
        return org is not None and org.lower() in {o.lower() for o in rec.licensor_orgs}

    # ------------------------------------------------------------------ one duty

    def check(self, b: Binding, kind: str) -> Result:
        if kind in TERM_KINDS:
            return NA, [TERM_EVIDENCE], None
        return self.check_kind(b, kind, self._licensor(b.rec))

    def check_kind(self, b: Binding, kind: str, licensor: bool) -> Result:
        """One duty that is not a term of use; ``licensor``: whether the node is a release of the license's own
        licensor (``_licensor``, worked out once per binding)."""
        if licensor:
            return NA, [_ev("licensor", f"{self.node.key} is a release of {b.rec.id}'s own licensor")], None
        method = _METHODS.get(kind)
        if method is None:
            method = _METHODS[kind] = getattr(NodeChecker, "_" + kind.replace("-", "_"), None)
        if method is None:  # pragma: no cover - every kind of duties() has a method or is a term
            return UNKNOWN, [_ev("obligation", f"no check for {kind}")], None
        result: Result = method(self, b, b.own)
        return result

    def _include_agreement(self, b: Binding, own: bool) -> Result:
        return self._license_file_result(b.rec)

    def _license_reference(self, b: Binding, own: bool) -> Result:
        rec = b.rec
        if (
            self.me.has(rec.id)
            and self.node.record is not None
            and any(e.source.startswith("card:license") for e in self.node.record.license_evidence)
        ):
            return MET, [_ev("card:license", f"the card declares {rec.id}")], "README.md"
        status, evidence, path = self._license_file_result(rec)
        if status is MET:
            return status, evidence, path
        texts = self.files.texts
        for url in rec.urls:
            key = url_key(url)
            for source, words in texts:
                if contains(words, key):
                    return MET, [_ev(source, f"links {url}")], source.removeprefix("file:")
        names = [n for n in (rec.name, rec.id, rec.hub_id) if n]
        for source, words in texts:
            for n in names:
                if contains(words, n):
                    return MET, [_ev(source, f"names {n}")], source.removeprefix("file:")
        if self.files.card is None and (self.files.has_card or self.files.all_unread):
            return UNKNOWN, [_ev("file:README.md", "the model card's text was not read")], "README.md"
        return (
            UNMET,
            [_ev("looked-for", f"{rec.id} named or linked in the card or a license file")],
            "README.md",
        )

    def _notice_file(self, b: Binding, own: bool) -> Result:
        line = b.rec.obligations.notice_text or ""
        f = self.files
        for nf in f.notices:
            if contains(norm(nf.text), line):
                return MET, [_ev(f"file:{nf.path}", f'contains "{line}"')], nf.path
        if f.all_unread or f.unread_like("notice"):
            return UNKNOWN, [_ev("files", "a NOTICE file could not be read")], "NOTICE"
        elsewhere = [s for s, words in f.texts if contains(words, line)]
        where = (
            f" (it appears in {', '.join(s.removeprefix('file:') for s in elsewhere)}, which is not a Notice file)"
            if elsewhere
            else ""
        )
        have = f"{', '.join(n.path for n in f.notices)} lacks it" if f.notices else "there is no NOTICE file"
        return (
            UNMET,
            [_ev("looked-for", f'a NOTICE file with "{line}": {have}{where}')],
            (f.notices[0].path if f.notices else "NOTICE"),
        )

    def _copyright_notice(self, b: Binding, own: bool) -> Result:
        f = self.files
        if own and b.rec.obligations.copyright_notice:
            lines = f.copyrights()
            if lines:
                path, line = lines[0]
                return MET, [_ev(f"file:{path}", line)], path
            if f.all_unread or f.unread_like("license"):
                return UNKNOWN, [_ev("files", "a license file could not be read")], "LICENSE"
            return (
                UNMET,
                [_ev("looked-for", "a copyright line naming the holder in a license file or the card")],
                (f.licenses[0].path if f.licenses else "LICENSE"),
            )
        return self._carried(
            b, "copyright", lambda up: up.copyrights(notices_too=not b.rec.obligations.propagate_notice)
        )

    def _upstream_notice(self, b: Binding, own: bool) -> Result:
        def lines(up: NodeFiles) -> list[tuple[str, str]]:
            out = []
            for nf in up.notices:
                for line in nf.text.splitlines():
                    clean = line.strip()
                    if len(norm(clean).split()) >= 2:
                        out.append((nf.path, clean))
            return out

        return self._carried(b, "NOTICE", lines, into_notice=True)

    def _carried(self, b: Binding, what: str, lines_of, into_notice: bool = False) -> Result:  # type: ignore[no-untyped-def]
        """The upstream's lines (copyright notices, NOTICE lines) found in this node's files."""
        f = self.files
        for up in b.upstream[:1] or b.data[:1]:
            up_key = up.key
            parent = self.ctx.graph.nodes.get(up_key)
            if parent is None:
                continue
            theirs = self.files_of.get(up_key)
            if theirs is None or theirs.node is not parent:
                theirs = self.files_of_node(parent)
            if theirs.all_unread:
                return (
                    UNKNOWN,
                    [
                        _ev(
                            f"upstream:{up_key}",
                            f"its files could not be read, so its {what} lines are unknown",
                        )
                    ],
                    ("NOTICE" if into_notice else "LICENSE"),
                )
            wanted = lines_of(theirs)
            if not wanted:
                unread = theirs.unread_like("notice" if into_notice else "license")
                if unread:
                    return (
                        UNKNOWN,
                        [_ev(f"upstream:{up_key}", f"a file holding its {what} lines could not be read")],
                        ("NOTICE" if into_notice else "LICENSE"),
                    )
                return NA, [_ev(f"upstream:{up_key}", f"ships no {what} lines to carry")], None
            pool = [norm(nf.text) for nf in f.notices] if into_notice else [w for _, w in f.texts]
            missing = [line for _, line in wanted if not any(contains(w, line) for w in pool)]
            target = (
                (f.notices[0].path if f.notices else "NOTICE")
                if into_notice
                else (f.licenses[0].path if f.licenses else "NOTICE")
            )
            if not missing:
                return (
                    MET,
                    [_ev(f"upstream:{up_key}", f"all {len(wanted)} of its {what} lines are carried")],
                    target,
                )
            if f.all_unread:
                return UNKNOWN, [_ev("files", "the repo's files could not be read")], target
            return (
                UNMET,
                [
                    _ev(
                        f"upstream:{up_key}",
                        f"{len(missing)} of its {what} lines are not carried, e.g. {missing[0]!r}",
                    )
                ],
                target,
            )
        return NA, [_ev("lineage", "no upstream node under this license")], None

    def _built_with(self, b: Binding, own: bool) -> Result:
        ob = b.rec.obligations
        phrases = [
            re.sub(r"^\[name\]\s*", "", p) for p in (ob.built_with or "", *ob.built_with_alternatives) if p
        ]
        return self._in_card(phrases, f"required by {b.rec.id}")

    def _use_policy(self, b: Binding, own: bool) -> Result:
        rec = b.rec
        f = self.files
        for pf in (*f.policies, *f.licenses):
            ident = identify(pf.text, self.ctx.cache)
            if ident.id == rec.id and ident.document is DocumentKind.USE_POLICY:
                return MET, [_ev(f"file:{pf.path}", f"the use policy of {rec.id}")], pf.path
        url = rec.obligations.use_policy_url or ""
        key = url_key(url)
        for source, words in f.texts:
            if key and contains(words, key):
                return MET, [_ev(source, f"links the use policy ({url})")], source.removeprefix("file:")
        if f.policies:
            return (
                UNKNOWN,
                [_ev(f"file:{f.policies[0].path}", f"not identified as the use policy of {rec.id}")],
                (f.policies[0].path),
            )
        if f.all_unread or f.unread_like("policy") or (f.card is None and f.has_card):
            return UNKNOWN, [_ev("files", "the card or a policy file could not be read")], "USE_POLICY.md"
        return (
            UNMET,
            [_ev("looked-for", f"a USE_POLICY file, or a link to {url} in the card or a license file")],
            ("USE_POLICY.md"),
        )

    def _mark_modifications(self, b: Binding, own: bool) -> Result:
        if own and not b.upstream:
            return NA, [_ev("obligation", "applies to modified copies; no upstream under this license")], None
        nodes = self.ctx.graph.nodes
        for up in b.upstream:
            parent = nodes.get(up.path[1])
            if parent is None:
                continue
            named = self._card_names(parent)
            if named is not None:
                return MET, [named], "README.md"
        missing = self._card_needed()
        if missing is not None and missing[0] is UNKNOWN:
            return missing
        first = b.upstream[0].path[1] if b.upstream else "its upstream"
        return (
            UNMET,
            [_ev("looked-for", f"the card naming {first}, the model it was changed from")],
            "README.md",
        )

    def _credit(self, b: Binding, own: bool) -> Result:
        rec = b.rec
        nodes = self.ctx.graph.nodes
        direct = [u for u in (*b.upstream, *b.data) if u.direct]
        if not direct:
            return NA, [_ev("lineage", "no direct parent under this license")], None
        missing = self._card_needed()
        if missing is not None:
            return missing
        assert self.files.card is not None
        names = [n for n in (rec.id, rec.hub_id, rec.name, *rec.aliases, *rec.license_names) if n]
        urls = [url_key(u) for u in rec.urls]
        stated = any(contains(self.files.card, n) for n in names) or any(
            contains(self.files.card, u) for u in urls
        )
        for up in direct:
            parent = nodes.get(up.key)
            named = self._card_names(parent) if parent is not None else None
            if named is None:
                return (
                    UNMET,
                    [_ev("looked-for", f"the card crediting {up.key}: it does not name it")],
                    "README.md",
                )
            if not stated:
                return (
                    UNMET,
                    [named, _ev("looked-for", f"the card naming {up.key}'s license ({rec.id}): it does not")],
                    ("README.md"),
                )
        return (
            MET,
            [_ev("file:README.md", f"credits {', '.join(u.key for u in direct)} and names {rec.id}")],
            "README.md",
        )

    def _source_disclosure(self, b: Binding, own: bool) -> Result:
        return (
            UNKNOWN,
            [_ev("obligation", "whether corresponding source is offered cannot be read from the files")],
            None,
        )

    # ------------------------------------------------------------------ lineage kinds

    def _own_unknown(self) -> Result | None:
        if not self.me.known:
            what = (
                "declares no license"
                if self.me.info is None or not self.me.info.id
                else "declares a license modelaudit does not know"
            )
            return UNKNOWN, [_ev(f"license:{self.node.key}", f"the node {what}")], "README.md"
        return None

    def _flow_down_use_policy(self, b: Binding, own: bool) -> Result:
        from modelaudit.policy.rules.license_rules import carries_use_restrictions

        if own:
            return MET, [_ev(f"license:{self.node.key}", f"its own license {b.rec.id} carries them")], None
        unknown = self._own_unknown()
        if unknown is not None:
            return unknown
        if carries_use_restrictions(self.me, b.rec):
            return (
                MET,
                [_ev(f"license:{self.node.key}", f"{self.me.label} carries {b.rec.id}'s use restrictions")],
                None,
            )
        return (
            UNMET,
            [
                _ev(
                    f"license:{self.node.key}",
                    f"{self.me.label} does not carry the use restrictions of {b.rec.id} (from {b.via})",
                )
            ],
            "README.md",
        )

    def _naming_prefix(self, b: Binding, own: bool) -> Result:
        from modelaudit.policy.rules.license_rules import node_names
        from modelaudit.policy.rules.upstream import namespace

        prefix = b.rec.obligations.naming_prefix or ""
        names = node_names(self.node)
        for n in names:
            if n.lower().startswith(prefix.lower()):
                return MET, [_ev("name", n)], None
        if not b.upstream:
            return (
                UNKNOWN,
                [
                    _ev(
                        "name",
                        f"{' / '.join(names)} does not begin with {prefix!r}; no base under {b.rec.id} is "
                        "declared, and the duty binds models created or trained with it",
                    )
                ],
                "README.md",
            )
        org = namespace(self.node)
        if (
            org
            and self.me.has(b.rec.id)
            and any(org == namespace(self.ctx.graph.nodes[u.key]) for u in b.upstream)
        ):
            return (
                NA,
                [_ev("name", f"a release of {org}, the organisation of its upstream under {b.rec.id}")],
                None,
            )
        return UNMET, [_ev("name", f"{' / '.join(names)} does not begin with {prefix!r}")], "README.md"

    def _share_alike(self, b: Binding, own: bool) -> Result:
        from modelaudit.policy.rules.license_rules import keeps_share_alike

        sa = b.rec.obligations.share_alike
        if own:
            return MET, [_ev(f"license:{self.node.key}", f"its own license is {b.rec.id}")], None
        if sa is ShareAlike.DATABASE and self.node.kind is not NodeKind.DATASET:
            return (
                NA,
                [_ev("obligation", "a model is a produced work of the database, not a derivative database")],
                None,
            )
        if sa in (ShareAlike.FILE, ShareAlike.LIBRARY) and all(
            u.relations[0] in (Relation.ADAPTER, Relation.TRAINED_ON) for u in (*b.upstream, *b.data)
        ):
            return NA, [_ev("obligation", "file-level copyleft binds modified files only")], None
        unknown = self._own_unknown()
        if unknown is not None:
            return unknown
        if keeps_share_alike(self.me, b.rec):
            return MET, [_ev(f"license:{self.node.key}", f"{self.me.label} keeps {b.rec.id}")], None
        return (
            UNMET,
            [_ev(f"license:{self.node.key}", f"{self.me.label} does not keep the share-alike {b.rec.id}")],
            ("README.md"),
        )

    def _commerce(self, b: Binding, own: bool, what: str) -> Result:
        from modelaudit.policy.rules.terms import forbids_commerce

        if own:
            return NA, [TERM_EVIDENCE], None
        unknown = self._own_unknown()
        if unknown is not None:
            return unknown
        why = forbids_commerce(self.me)
        if why:
            return MET, [_ev(f"license:{self.node.key}", why)], None
        return (
            UNMET,
            [
                _ev(
                    f"license:{self.node.key}",
                    f"{self.me.label} permits commercial use; {b.rec.id} ({what}) upstream does not",
                )
            ],
            "README.md",
        )

    def _non_commercial(self, b: Binding, own: bool) -> Result:
        return self._commerce(b, own, "non-commercial")

    def _research_only(self, b: Binding, own: bool) -> Result:
        return self._commerce(b, own, "research only")

    def _forbidden(self, b: Binding, own: bool, what: str) -> Result:
        if own:
            return NA, [TERM_EVIDENCE], None
        return UNMET, [_ev(f"upstream:{b.via}", f"{b.rec.id} {what}, and this node derives from it")], None

    def _no_derivatives(self, b: Binding, own: bool) -> Result:
        if b.upstream and all(u.quantized for u in b.upstream):
            return NA, [_ev("obligation", "a quantized copy is a format change, not an adaptation")], None
        return self._forbidden(b, own, "forbids sharing adapted material")

    def _no_redistribution(self, b: Binding, own: bool) -> Result:
        return self._forbidden(b, own, "grants no right to redistribute")


# --------------------------------------------------------------------------------------------- the lineage


def bindings(key: str, ctx: RuleContext, me: Terms, db: LicenseDB | None = None) -> list[Binding]:
    """Every license binding ``key``: its own, its upstream models', its direct datasets' (for credit)."""
    out: dict[str, Binding] = {}
    for rec in me.records:
        out[rec.id] = Binding(rec, own=True)
    records = ctx.facts(key).records
    if records:
        if db is None:
            from modelaudit.licenses.db import load_db

            db = load_db()
        for rec_id, ups in records.items():
            found = db.get(rec_id)
            if found is None:
                continue
            model_paths = [u for u in ups if not u.via_data]
            data_paths = [u for u in ups if u.via_data and u.direct]
            if not model_paths and not data_paths:
                continue
            b = out.get(rec_id)
            if b is None:
                b = out[rec_id] = Binding(found)
            b.upstream.extend(model_paths)
            b.data.extend(data_paths)
    return [out[k] for k in sorted(out)] if len(out) > 1 else list(out.values())


def _check(
    node: str, status: ObligationStatus, evidence: list[Evidence], via: str | None, file: str | None
) -> ObligationCheck:
    """An ObligationCheck (a long lineage makes one per node per duty)."""
    check: ObligationCheck = _new_check(
        {"node": node, "status": status, "evidence": evidence, "via": via, "file": file}
    )
    return check


def _node_duties(
    node: GraphNode, ctx: RuleContext, db: LicenseDB | None, files_of: dict[str, NodeFiles]
) -> list[tuple[LicenseRecord, str, ObligationCheck | None]]:
    """(license, kind, check) for every duty binding one node, in order; a term of use has no check."""
    key = node.key
    if node.record is None:
        return []
    if node.kind is NodeKind.DATASET and key != ctx.graph.root:
        return []  # a model does not redistribute its training data: the data binds it through credit only
    me = ctx.terms(key)
    files = files_of.get(key)
    if files is None or files.node is not node:
        files = files_of[key] = NodeFiles.of(node)
    checker = NodeChecker(node, ctx, files, me, files_of)
    out: list[tuple[LicenseRecord, str, ObligationCheck | None]] = []
    for b in bindings(key, ctx, me, db):
        rec = b.rec
        via = b.via
        licensor = bool(rec.licensor_orgs) and checker._licensor(rec)
        for kind in _duty_kinds(b):
            if kind in TERM_KINDS:
                out.append((rec, kind, None))
                continue
            status, evidence, path = checker.check_kind(b, kind, licensor)
            out.append((rec, kind, _check(key, status, evidence, via, path)))
    return out


def node_obligations(
    node: GraphNode,
    ctx: RuleContext,
    db: LicenseDB | None = None,
    files_of: dict[str, NodeFiles] | None = None,
) -> Iterator[tuple[LicenseRecord, str, ObligationCheck | None]]:
    """(license, kind, check) for every duty binding one node; a term of use has no check (it is
    not_applicable to every node, and a long lineage would repeat it once per node)."""
    yield from _node_duties(node, ctx, db, {} if files_of is None else files_of)


def check_obligations(ctx: RuleContext) -> list[Obligation]:
    """Every obligation of every resolved node, one entry per (license, kind) with a check per node."""
    from modelaudit.licenses.db import load_db

    db = load_db()
    by_key: dict[tuple[str, str], Obligation] = {}
    files_of: dict[str, NodeFiles] = {}  # each node's files, sorted once (a child reads its parent's)
    nodes = ctx.graph.nodes
    for key in sorted(nodes):
        for rec, kind, check in _node_duties(nodes[key], ctx, db, files_of):
            slot = (rec.id, kind)
            ob = by_key.get(slot)
            if ob is None:
                ob = by_key[slot] = Obligation(license=rec.id, kind=kind, text=duty_text(rec, kind))
            if check is not None:
                ob.checks.append(check)
            # the nodes come in order, each with its duties together: the last one named is the only repeat
            named = ob.nodes
            if not named or named[-1] != key:
                named.append(key)
    return [_aggregate(ob) for _, ob in sorted(by_key.items())]


def checked(ctx: RuleContext) -> list[Obligation]:
    """The context's obligations, checked once (``ctx.obligations``); none when ``ctx.check_obligations`` is off."""
    if ctx.obligations is None:
        ctx.obligations = check_obligations(ctx) if ctx.check_obligations else []
    return ctx.obligations


MAX_AGGREGATE_EVIDENCE = (
    5  # an entry's evidence: the first checks with its status (every check keeps its own)
)


# the statuses by ObligationStatus.rank, worst first (a list scan, not a set: hashing an enum member calls Python)
_WORST_FIRST = sorted(ObligationStatus, key=lambda s: -s.rank)


def _aggregate(ob: Obligation) -> Obligation:
    if not ob.checks:  # a term of use
        ob.status, ob.evidence = NA, [TERM_EVIDENCE]
        return ob
    statuses = [c.status for c in ob.checks]
    worst = next(s for s in _WORST_FIRST if s in statuses)
    same = [c for c in ob.checks if c.status is worst]
    ob.status = worst
    ob.evidence = [
        _ev(c.node, "; ".join(e.value for e in c.evidence[:1]) or c.status.value)
        for c in same[:MAX_AGGREGATE_EVIDENCE]
    ]
    if len(same) > MAX_AGGREGATE_EVIDENCE:
        ob.evidence.append(
            _ev("obligation", f"and {len(same) - MAX_AGGREGATE_EVIDENCE} more node(s) {worst.value}")
        )
    return ob


__all__ = [
    "FILE_KINDS",
    "LINEAGE_KINDS",
    "TERM_KINDS",
    "UNVERIFIED_KINDS",
    "Binding",
    "NodeFiles",
    "bindings",
    "check_obligations",
    "checked",
    "copyright_lines",
    "duties",
    "node_obligations",
    "norm",
]
