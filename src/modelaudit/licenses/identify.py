"""Identify a license (or a license's use policy) from its text.

How it works
------------
1. The text is normalised (:func:`tokens`): CRLF, HTML tags, markdown markup and link targets, quotes
   and dashes are unified, copyright lines are dropped, and what is left is lower-cased words
   (``3.1`` and ``don't`` stay one word). So reflowed lines, markdown wrapping, CRLF and a changed
   copyright holder do not change the result.
2. Every run of :data:`SHINGLE` consecutive words is hashed (CRC-32). The reference texts of the corpus
   were reduced the same way by ``scripts/build_license_recognition.py`` into ``license_db/_recognition.json``
   (hashes only; the package never reads the corpus). A license that has a use policy is also compared as
   the two texts together, since LICENSE files often hold the agreement with its policy appended.
3. *Containment*: the share of the file's shingles found in a reference text. The best reference must
   reach :data:`MIN_CONTAINMENT` to be compared, and :data:`FINGERPRINT_MIN` to be named (between the two it
   is only the best candidate: a modified copy, or another license built from the same wording); below
   :data:`MIN_CONTAINMENT` the text is not identified from its body (a title line can still name a
   candidate, see :data:`TITLE_CONFIDENCE`).
4. Near-twins (Llama 3.1 / 3.2 / 3.3 / 4, CreativeML OpenRAIL-M / OpenRAIL++-M, Qwen / Qwen Research,
   CC BY-NC / BY-NC-SA, ...) share most shingles. Every reference within :data:`TWIN_MARGIN` of the best
   is a candidate; each candidate is scored by the shingles of the file that occur in it and in no other
   candidate (its *distinguishing* shingles: version numbers, titles, extra clauses). The candidate with
   the most distinguishing shingles wins; when two candidates cannot be told apart the confidence is halved
   and both are reported.
5. SPDX license texts are recognised by :mod:`modelaudit.licenses.spdx_text` (the whole SPDX list, by
   pattern matching). When recognised SPDX texts cover at least :data:`SPDX_MIN_COVERAGE` of the words, they
   are the answer: one license, or an ``A AND B`` expression when the file holds several (a project license
   followed by bundled ones). Our fingerprints (above) answer for what SPDX does not list (Llama, Gemma,
   OpenRAIL, Qwen, ... and use policies) and for altered or truncated copies; when the two disagree the answer
   is unknown. A file that opens with one whole SPDX license text (after at most a short preamble) and goes on
   with notes is named by that license (:func:`_primary_with_notes`): ``A AND B`` when the notes put part of
   the same work under another recognised license (a documentation license, a CC0 waiver for sample code),
   ``A`` with the notes as evidence when they are about other works (bundled components, forked code); never
   when the surrounding text restricts or makes exceptions, or is much longer than the license.
6. An answer below :data:`HIGH_CONFIDENCE` is not given: the result is unknown (``id=None``) and carries the
   best candidate and its score (``candidate``, ``candidate_score``) as evidence. A title line alone
   (:data:`TITLE_CONFIDENCE`) therefore only names a candidate.
"""


import base64
import re
import zlib
from array import array
from functools import cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from modelaudit.cachefile import Cache
from modelaudit.licenses.db import LicenseDB, load_db, read_recognition_data
from modelaudit.licenses.schema import DocumentKind
from modelaudit.licenses.spdx_text import SpdxScan, scan_spdx
from modelaudit.models import empty_list

SHINGLE = 5  # words per shingle
MIN_CONTAINMENT = 0.5  # share of the file's shingles that must come from one reference text to compare
FINGERPRINT_MIN = 0.9  # ... and to name it (every corpus text in all six forms: >= 0.95)
TWIN_MARGIN = 0.15  # references this close to the best containment are near-twin candidates
TITLE_CONFIDENCE = 0.6  # score of a title line alone (below HIGH_CONFIDENCE: a candidate, not an answer)
HIGH_CONFIDENCE = 0.75  # below this score the answer is unknown, with the best candidate as evidence
SPDX_MIN_COVERAGE = 0.75  # share of the words recognised SPDX texts must cover (licensecheck's default)
SPDX_CONFLICT = 0.5  # an SPDX text covering this much of a file vetoes a different fingerprint answer
MIN_SHINGLES = 8  # fewer shingles than this: too short to identify from the body
PREAMBLE_MAX_WORDS = 100  # words a license may be preceded by (title, "X is licensed under:") to be named
NOTES_LEAD_CHARS = 800  # how far into the notes a "bundles" / "forked from" line is looked for
NOTES_CONFIDENCE = 0.8  # a license named with notes after it (above HIGH_CONFIDENCE)
WHOLE_MIN_SHARE = 0.8  # share of our reference text a region must hold to count as the whole license
WHOLE_MIN_WORDS = 80  # ... or, for a license we hold no text of, its length in words
RECOGNITION_FORMAT = 1

# wording that could change a license's terms: then a license followed by it is not named
_ALTERS = re.compile(
    r"\b(?:you (?:may|must|shall|will) not|may not be|shall not|must not|prohibit\w*|non-?commercial|"
    r"not for commercial|research (?:purposes? )?only|restrict\w*|notwithstanding|additional terms|exception)",
    re.IGNORECASE,
)
# notes about other works: bundled components, code taken from elsewhere
_OTHER_WORKS = re.compile(
    r"\b(?:bundl\w+|third[- ]party|vendored|includes? (?:code|software|files) from|incorporat\w+|"
    r"forked from|based on (?:source )?code from|ported from|derived from|adapted from)",
    re.IGNORECASE,
)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]{0,200}>")
_COPYRIGHT = re.compile(r"^[\s#>*_`|\-]*(copyright\b|©|\(c\)\s*(?:\d|[a-z]))", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*")
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "\u00ad": "",
        "\u200b": "",
        "\ufeff": "",
    }
)


def tokens(text: str) -> list[str]:
    """The normalised words of a text (see the module docstring)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TRANSLATE)
    kept = [line for line in text.split("\n") if not _COPYRIGHT.match(line)]
    body = "\n".join(kept)
    body = _TAG.sub(" ", _LINK.sub(r"\1", body))
    return _WORD.findall(body.lower())


def shingles(words: list[str]) -> set[int]:
    """CRC-32 hashes of every run of :data:`SHINGLE` consecutive words."""
    if len(words) < SHINGLE:
        return {zlib.crc32(" ".join(words).encode())} if words else set()
    return {zlib.crc32(" ".join(words[i : i + SHINGLE]).encode()) for i in range(len(words) - SHINGLE + 1)}


def encode_hashes(values: set[int]) -> str:
    """Sorted uint32 hashes → base64 (little-endian), the form stored in ``_recognition.json``."""
    arr = array("I", sorted(values))
    if arr.itemsize != 4:  # pragma: no cover - every platform we support has 4-byte unsigned int
        raise RuntimeError("array('I') is not 32-bit here")
    return base64.b64encode(arr.tobytes()).decode("ascii")


def decode_hashes(data: str) -> frozenset[int]:
    arr = array("I")
    arr.frombytes(base64.b64decode(data))
    return frozenset(arr)


def phrase_in(phrase: str, words_joined: str) -> bool:
    """True when the normalised words of ``phrase`` occur contiguously in ``words_joined``."""
    p = " ".join(tokens(phrase))
    return bool(p) and f" {p} " in words_joined


class Candidate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    document: DocumentKind
    reference: str  # the reference text (corpus file name) it was derived from
    containment: float  # share of the file's shingles found in the reference
    coverage: float  # share of the reference's shingles found in the file
    distinguishing: int = 0  # shingles of the file found in this reference and no other candidate


class Identification(BaseModel):
    """What a text is, how sure we are, and why."""

    model_config = ConfigDict(extra="forbid")

    id: str | None  # license_db id; None when not identified
    name: str | None = None
    document: DocumentKind | None = None  # license text, or its use policy
    confidence: float = 0.0
    method: Literal["spdx", "fingerprint", "title", "declared", "none"] = "none"
    licenses: list[str] = Field(default_factory=empty_list)  # every license the text holds (id is their AND)
    candidate: str | None = None  # when unknown: the best candidate ...
    candidate_score: float = 0.0  # ... and its score (0..1)
    evidence: list[str] = Field(default_factory=empty_list)
    alternatives: list[Candidate] = Field(default_factory=empty_list)

    @property
    def identified(self) -> bool:
        return self.id is not None


class FileIdentification(BaseModel):
    """The identification of one file (``modelaudit licenses identify FILE``)."""

    model_config = ConfigDict(extra="forbid")

    file: str  # as given ('-': stdin)
    result: Identification


class _Reference(NamedTuple):
    id: str
    document: DocumentKind
    file: str
    hashes: frozenset[int]


@cache
def _references_at(path: str) -> tuple[_Reference, ...]:
    return _references_from(read_recognition_data(Path(path)))


def _references(db: LicenseDB) -> tuple[_Reference, ...]:
    return _references_at(str(db.path)) if db.path is not None else ()


def _references_from(data: dict[str, Any]) -> tuple[_Reference, ...]:
    if not data:
        return ()
    if data.get("format") != RECOGNITION_FORMAT or data.get("shingle") != SHINGLE:
        return ()
    refs = [
        _Reference(d["id"], DocumentKind(d["document"]), d["file"], decode_hashes(d["hashes"]))
        for d in data.get("documents", [])
    ]
    # a license with its use policy appended (as many LICENSE files and the Hub's gated prompts hold them)
    # is one more reference: the union of the two texts, so neither half alone has to carry the file
    combined = []
    for lic in refs:
        if lic.document is not DocumentKind.LICENSE:
            continue
        for pol in refs:
            if pol.id == lic.id and pol.document is DocumentKind.USE_POLICY:
                combined.append(
                    _Reference(
                        lic.id, DocumentKind.LICENSE, f"{lic.file} + {pol.file}", lic.hashes | pol.hashes
                    )
                )
    return (*refs, *combined)


def _title_matches(db: LicenseDB, joined: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for rec in db.all(include_spdx=False):
        for title in rec.recognition.titles:
            if phrase_in(title, joined):
                out.append((rec.id, title))
    return out


def _by_title(db: LicenseDB, words: list[str]) -> Identification | None:
    head = " " + " ".join(words[:400]) + " "
    hits = _title_matches(db, head)
    if not hits:
        return None
    # the longest title wins ("Qwen RESEARCH LICENSE AGREEMENT" over "Qwen LICENSE AGREEMENT" is not an
    # issue because they are different word sequences; longer titles are simply more specific)
    hits.sort(key=lambda h: (-len(tokens(h[1])), h[0]))
    best_id, title = hits[0]
    rival = [h for h in hits[1:] if h[0] != best_id and len(tokens(h[1])) == len(tokens(title))]
    conf = TITLE_CONFIDENCE / (2 if rival else 1)
    rec = db.get(best_id)
    return Identification(
        id=best_id,
        name=rec.display_name if rec else None,
        document=DocumentKind.LICENSE,
        confidence=conf,
        method="title",
        evidence=[f"title line: {title!r}"] + [f"also matches title {t!r} of {i}" for i, t in rival],
    )


def _by_declaration(text: str) -> Identification | None:
    """A file that holds only a license id or name (e.g. a LICENSE file reading ``Apache-2.0``)."""
    from modelaudit.licenses.normalize import normalize

    line = text.strip()
    if not line or "\n" in line or len(line) > 120:
        return None
    n = normalize(line)
    if n.id is None:
        return None
    return Identification(
        id=n.id,
        name=n.name,
        document=DocumentKind.LICENSE,
        confidence=round(n.confidence * 0.9, 3),
        method="declared",
        licenses=list(n.ids) or [n.id],
        evidence=[f"the file only names a license: {line!r} ({n.method})"],
    )


def identify_text(text: str, *, db: LicenseDB | None = None, cache: Cache | None = None) -> Identification:
    """Identify the license a text is (or whose use policy it is). Never guesses: unknown is ``id=None``,
    with the best candidate and its score in ``candidate`` / ``candidate_score``. ``cache`` keeps the SPDX
    matcher's results (default: modelaudit's cache; ``Cache.off()`` for none)."""
    db = db or load_db()
    return _settle(_combine(_identify_own(text, db), scan_spdx(text, cache=cache), db, text))


def _spdx_db_id(spdx_id: str, db: LicenseDB) -> str:
    """Our id for an id the SPDX matcher names (deprecated ``GPL-3.0`` → ``GPL-3.0-only``, ...)."""
    rec = db.get(spdx_id) or db.get(f"{spdx_id}-only")
    if rec is not None:
        return rec.id
    return spdx_id if spdx_id.startswith("LicenseRef-") else f"LicenseRef-{spdx_id}"


def _spdx_part(ident: Identification, db: LicenseDB) -> str | None:
    """The SPDX id of an identification of ours, when the license is on the SPDX list."""
    rec = db.get(ident.id) if ident.id else None
    return rec.spdx_id if rec is not None else None


def _combine(own: Identification, spdx: SpdxScan, db: LicenseDB, text: str = "") -> Identification:
    found = list(dict.fromkeys(_spdx_db_id(i, db) for i in spdx.ids()))
    if found and spdx.coverage >= SPDX_MIN_COVERAGE:
        where = "; ".join(
            f"{_spdx_db_id(r.id, db)}{' (URL)' if r.url else ''} at characters {r.start}-{r.end}"
            for r in spdx.regions
        )
        ev = [f"{spdx.coverage:.0%} of the text's words are SPDX license text: {where}"]
        if (
            own.id is not None
            and own.id not in found
            and own.method == "fingerprint"
            and _spdx_part(own, db) is None
        ):
            # our recognition names a license SPDX does not list, the SPDX matcher another: neither is sure
            return Identification(
                id=None,
                evidence=[
                    f"the text matches {own.id} ({own.confidence:.2f}) and SPDX texts of {', '.join(found)}",
                    *ev,
                    *own.evidence,
                ],
                candidate=own.id if own.confidence >= spdx.coverage else found[0],
                candidate_score=max(own.confidence, spdx.coverage),
                alternatives=own.alternatives,
            )
        agree = own.id is not None and own.id in found
        if own.id is not None and not agree:
            ev.append(
                f"word fingerprints alone suggested {own.id} ({own.confidence:.2f}); the SPDX text match is exact"
            )
        if len(found) == 1:
            rec = db.get(found[0])
            return Identification(
                id=found[0],
                name=rec.display_name if rec else None,
                document=DocumentKind.LICENSE,
                confidence=round(max(spdx.coverage, own.confidence if agree else 0.0), 3),
                method="spdx",
                licenses=found,
                evidence=ev + (own.evidence if agree else []),
                alternatives=own.alternatives,
            )
        ids = sorted(found)
        return Identification(
            id=" AND ".join(ids),
            name="several licenses",
            document=DocumentKind.LICENSE,
            confidence=round(spdx.coverage, 3),
            method="spdx",
            licenses=ids,
            evidence=[f"the text holds {len(ids)} licenses: {', '.join(ids)}", *ev],
        )
    primary = _primary_with_notes(text, own, spdx, db)
    if primary is not None:
        return primary
    best = spdx.best()
    if best is not None:
        best_id, share = _spdx_db_id(best[0], db), best[1]
        note = f"SPDX license text of {best_id} covers {share:.0%} of the words"
        if own.id is not None and share >= SPDX_CONFLICT and own.id != best_id:
            return Identification(
                id=None,
                evidence=[
                    f"the text resembles {own.id} ({own.confidence:.2f}) but holds {note}",
                    *own.evidence,
                ],
                candidate=best_id if share >= own.confidence else own.id,
                candidate_score=round(max(share, own.confidence), 3),
                alternatives=own.alternatives,
            )
        if own.id is None and share > own.candidate_score:
            return own.model_copy(
                update={
                    "candidate": best_id,
                    "candidate_score": round(share, 3),
                    "evidence": [*own.evidence, note],
                }
            )
        return own.model_copy(update={"evidence": [*own.evidence, note]})
    return own


def _words(text: str) -> int:
    return len(tokens(text))


def _primary_with_notes(
    text: str, own: Identification, spdx: SpdxScan, db: LicenseDB
) -> Identification | None:
    """A file that opens with one whole SPDX license text and goes on with notes: the license is named.

    Real LICENSE files often hold the project's license followed by notes that are not license text for the
    project: a documentation license or a CC0 waiver for sample code (a part of the same work under another
    license: the answer is ``A AND B``), a list of bundled third-party components with their licenses, a
    "forked from" credit or a contributor list (other works, or no license at all: the answer is ``A``, the
    rest is evidence). The notes alone never name the answer, and nothing is named when the text around the
    license could change its terms: a long preamble, wording that restricts or adds exceptions, notes much
    longer than the license that are not about other works, or our own fingerprints naming another license.
    """
    texts = [r for r in spdx.regions if not r.url]
    if not text or not texts:
        return None
    first = texts[0]
    preamble = text[: first.start]
    if _words(preamble) > PREAMBLE_MAX_WORDS or _ALTERS.search(preamble):
        return None
    primary = _spdx_db_id(first.id, db)
    if not _whole(text[first.start : first.end], primary, db):
        return None  # a license notice ("subject to the terms of the MPL ...") is not the license
    if own.id is not None and own.id != primary and own.method == "fingerprint":
        return None  # our recognition names another license: neither is sure
    notes = text[first.end :]
    note_words = _words(notes)
    later = [r for r in spdx.regions if r.start >= first.end]
    covered = sum(_words(text[r.start : r.end]) for r in later)
    others = list(dict.fromkeys(i for i in (_spdx_db_id(r.id, db) for r in later) if i != primary))
    lead = notes[: later[0].start - first.end] if later else notes
    other_works = _OTHER_WORKS.search(lead[:NOTES_LEAD_CHARS])
    if not other_works:
        if _ALTERS.search(notes):
            return None
        if note_words - covered > 1.5 * _words(text[first.start : first.end]) + 100:
            return None  # more unexplained text than license: not notes
    ids = [primary] if other_works or not others else sorted({primary, *others})
    evidence = [
        f"the text opens with the whole {primary} license (characters {first.start}-{first.end}) "
        f"followed by {note_words} words of notes"
    ]
    if other_works:
        evidence.append(
            f"the notes are about other works ({other_works.group(0)!r})"
            + (f"; licenses named there: {', '.join(others)}" if others else "")
        )
    elif others:
        evidence.append(f"the notes put part of the same work under {', '.join(others)}")
    rec = db.get(ids[0]) if len(ids) == 1 else None
    return Identification(
        id=" AND ".join(ids),
        name=rec.display_name if rec else ("several licenses" if len(ids) > 1 else None),
        document=DocumentKind.LICENSE,
        confidence=NOTES_CONFIDENCE,
        method="spdx",
        licenses=ids,
        evidence=evidence,
        alternatives=own.alternatives,
    )


def _whole(region: str, license_id: str, db: LicenseDB) -> bool:
    """Whether a recognised region is the license's whole text: it holds most of our reference text of it, or,
    for a license we hold no text of, is at least :data:`WHOLE_MIN_WORDS` long (a notice is shorter)."""
    refs = [
        r.hashes
        for r in _references(db)
        if r.id == license_id and r.document is DocumentKind.LICENSE and " + " not in r.file
    ]
    if not refs:
        return _words(region) >= WHOLE_MIN_WORDS
    have = shingles(tokens(region))
    return any(len(have & ref) >= WHOLE_MIN_SHARE * len(ref) for ref in refs)


def _settle(ident: Identification) -> Identification:
    """An answer below :data:`HIGH_CONFIDENCE` becomes unknown, keeping the answer as the best candidate."""
    if ident.id is None or ident.confidence >= HIGH_CONFIDENCE:
        if ident.id is not None and not ident.licenses:
            return ident.model_copy(update={"licenses": [ident.id]})
        return ident
    return Identification(
        id=None,
        candidate=ident.id,
        candidate_score=ident.confidence,
        evidence=[
            f"best candidate {ident.id} ({ident.method}) scores {ident.confidence:.2f}, below the "
            f"{HIGH_CONFIDENCE:.2f} needed to name it",
            *ident.evidence,
        ],
        alternatives=ident.alternatives,
    )


def _identify_own(text: str, db: LicenseDB) -> Identification:
    """Our own recognition: fingerprints of the reference texts, title lines, a file naming a license."""
    refs = _references(db)
    words = tokens(text)
    q = shingles(words)
    if len(q) < MIN_SHINGLES:
        return (
            _by_declaration(text)
            or _by_title(db, words)
            or Identification(id=None, evidence=[f"too short to identify ({len(words)} words)"])
        )
    scored: list[Candidate] = []
    for ref in refs:
        common = len(q & ref.hashes)
        if common:
            scored.append(
                Candidate(
                    id=ref.id,
                    document=ref.document,
                    reference=ref.file,
                    containment=round(common / len(q), 4),
                    coverage=round(common / max(1, len(ref.hashes)), 4),
                )
            )
    scored.sort(key=lambda c: (-c.containment, c.id, c.document.value))
    best = scored[0].containment if scored else 0.0
    if best < MIN_CONTAINMENT:
        by_title = _by_title(db, words)
        if by_title:
            by_title.evidence.append(
                f"body matches no reference text (best containment {best:.0%} < {MIN_CONTAINMENT:.0%})"
            )
            by_title.alternatives = scored[:3]
            return by_title
        return Identification(
            id=None,
            evidence=[
                f"no reference text contains at least {MIN_CONTAINMENT:.0%} of this text (best {best:.0%})"
            ],
            candidate=scored[0].id if scored else None,
            candidate_score=best,
            alternatives=scored[:3],
        )
    pool = [c for c in scored if c.containment >= best - TWIN_MARGIN]
    by_ref = {(r.id, r.document, r.file): r.hashes for r in refs}
    ranked: list[Candidate] = []
    for c in pool:
        # the file's shingles in this reference less those in any rival's: taken off one rival at a time, so
        # each step walks the few shared shingles, not a union of whole reference texts
        only = q & by_ref[(c.id, c.document, c.reference)]
        for o in pool:
            if o.id != c.id:  # a license's own texts (alone, with its policy) are no rivals of each other
                only -= by_ref[(o.id, o.document, o.reference)]
        ranked.append(c.model_copy(update={"distinguishing": len(only)}))
    # the smallest reference that explains the text wins among a license's own (higher coverage)
    ranked.sort(key=lambda c: (-c.distinguishing, -c.containment, -c.coverage, c.id))
    win = ranked[0]
    rival = next((c for c in ranked[1:] if c.id != win.id), None)
    tie = rival is not None and rival.distinguishing == win.distinguishing
    conf = win.containment * (0.85 + 0.15 * min(1.0, win.coverage / 0.5))
    if tie:
        conf /= 2
    rec = db.get(win.id)
    joined = " " + " ".join(words) + " "
    evidence = [
        f"{win.containment:.0%} of the text's {SHINGLE}-word shingles occur in the reference text {win.reference}"
        f" ({win.coverage:.0%} of the reference is present)"
    ]
    twins = [c for c in ranked[1:] if c.id != win.id]
    if twins:
        rivals = ", ".join(dict.fromkeys(f"{c.id}/{c.document.value}" for c in twins))
        evidence.append(
            f"{win.distinguishing} shingles occur only in {win.id} among the near-twins ({rivals})"
            + (f"; it cannot be told apart from {rival.id}" if tie and rival else "")
        )
    alternatives = twins + [c for c in scored if c not in pool and c.id != win.id][:2]
    if rec:
        evidence += [f"title line: {t!r}" for t in rec.recognition.titles if phrase_in(t, joined)]
        evidence += [f"distinctive phrase: {t!r}" for t in rec.recognition.phrases if phrase_in(t, joined)]
    if win.containment < FINGERPRINT_MIN:
        # a quarter of the text is not in the reference: a modified copy or another license built from it
        # (e.g. AI Pubs Open RAIL-M shares 75 % of its wording with BigScience Open RAIL-M)
        return Identification(
            id=None,
            candidate=win.id,
            candidate_score=round(min(1.0, conf), 3),
            evidence=[
                f"best candidate {win.id}: only {win.containment:.0%} of the text's shingles occur in its reference"
                f" text, {FINGERPRINT_MIN:.0%} are needed to name it (a modified copy, or another license)",
                *evidence,
            ],
            alternatives=alternatives,
        )
    return Identification(
        id=win.id,
        name=rec.display_name if rec else None,
        document=win.document,
        confidence=round(min(1.0, conf), 3),
        method="fingerprint",
        evidence=evidence,
        alternatives=alternatives,
    )


__all__ = [
    "FINGERPRINT_MIN",
    "HIGH_CONFIDENCE",
    "MIN_CONTAINMENT",
    "SHINGLE",
    "SPDX_MIN_COVERAGE",
    "TITLE_CONFIDENCE",
    "TWIN_MARGIN",
    "Candidate",
    "Identification",
    "identify_text",
    "tokens",
]
