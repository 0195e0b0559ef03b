"""The comparison keys of license names and URLs, and the look-up tables built from them.

The normaliser (licenses/normalize.py) compares a declared value with every known name as a *key*: lower-case
words with ``license``/``licence``/``agreement``/``version``/``the``/``terms of use``/``community`` dropped,
letters split from digits and ``.0`` dropped from versions. The compiled license database
(licenses/db.py) keeps the tables, so this module depends on the records only, not on the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from modelaudit.licenses.schema import LicenseRecord

_STOP = frozenset(
    {"the", "license", "licence", "licensed", "agreement", "version", "v", "terms", "of", "use", "community"}
)
_KEY_SPLIT = re.compile(r"[^a-z0-9.+]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")


def key(value: str) -> str:
    """The comparison key of a license name or id (see the module docstring)."""
    s = value.lower().replace("licence", "license").replace("_", " ")
    s = _LETTER_DIGIT.sub(" ", s)
    words: list[str] = []
    for w in _KEY_SPLIT.split(s):
        w = w.strip(".")
        if not w or w in _STOP:
            continue
        if re.fullmatch(r"\d+(\.\d+)*", w):
            while w.endswith(".0"):
                w = w[:-2]
        words.append(w)
    return " ".join(words)


def url_key(url: str) -> str:
    u = url.strip().lower()
    u = re.sub(r"^[a-z]+://", "", u)
    u = re.sub(r"^www\.", "", u)
    u = re.sub(r"[?#].*$", "", u)
    u = re.sub(r"/(legalcode|deed(\.[a-z-]+)?)(\.[a-z]+)?$", "", u)
    u = re.sub(r"\.(html?|txt|md)$", "", u)
    u = u.replace("/blob/master/", "/blob/main/").replace("/raw/main/", "/blob/main/")
    return u.rstrip("/")


def index_data(records: Iterable[LicenseRecord]) -> dict[str, dict[str, str]]:
    """The normaliser's look-up tables of a database's records: name keys and URL keys → license id. A key
    two licenses share is ambiguous and dropped (never guess). Kept in the compiled database
    (licenses/db.py), so a run reads them instead of computing 1700 keys."""
    keys: dict[str, set[str]] = {}
    urls: dict[str, set[str]] = {}
    for rec in records:
        names = [*rec.all_ids(), *rec.license_names]
        if rec.name:
            names.append(rec.name)
        for n in names:
            k = key(n)
            if k:
                keys.setdefault(k, set()).add(rec.id)
        for u in rec.urls:
            urls.setdefault(url_key(u), set()).add(rec.id)
    return {
        "keys": {k: next(iter(v)) for k, v in sorted(keys.items()) if len(v) == 1},
        "urls": {k: next(iter(v)) for k, v in sorted(urls.items()) if len(v) == 1},
    }


__all__ = ["index_data", "key", "url_key"]
