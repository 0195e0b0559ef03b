"""Every obligation kind the license database can produce has plain words in the reports."""

from __future__ import annotations

from modelaudit.formats._view import OBLIGATION_WORDS
from modelaudit.licenses.assess import obligations_for
from modelaudit.licenses.db import load_db


def test_every_obligation_kind_has_words() -> None:
    kinds = {ob.kind for record in load_db().all() for ob in obligations_for(record.id)}
    assert kinds, "the license database produced no obligations"
    missing = sorted(kinds - set(OBLIGATION_WORDS))
    assert missing == [], f"add plain words for {missing} to formats/_view.py OBLIGATION_WORDS"
