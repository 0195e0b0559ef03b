"""Discovery on 273 real files written by others, against hand labels: recall ≥ 95 %, precision ≥ 98 %.

Over every set, and over the held-out sets alone (labelled and committed before discovery first ran on them).
The files and labels are in tests/data/real/code_refs (README.md there); ``benchmarks/code_refs.py`` prints the
same measurement per set and per kind of file, and ``--verbose`` lists every disagreement.
"""

from __future__ import annotations

from collections import Counter

import pytest
from code_refs_corpus import HELD_OUT, SETS, Key, Measurement, measure

RECALL, PRECISION = 0.95, 0.98


@pytest.fixture(scope="module")
def every_set() -> Measurement:
    return measure(list(SETS))


def _only(m: Measurement, names: tuple[str, ...]) -> Measurement:
    def keep(c: Counter[Key]) -> Counter[Key]:
        return Counter({k: v for k, v in c.items() if k[0].split(":", 1)[0] in names})

    fams = {k: v for k, v in m.family_of.items() if k.split(":", 1)[0] in names}
    return Measurement(truth=keep(m.truth), found=keep(m.found), family_of=fams)


def _misses(m: Measurement) -> list[str]:
    return [f"missed {k}" for k in sorted(m.truth - m.found)] + [
        f"extra {k}" for k in sorted(m.found - m.truth)
    ]


def test_every_set_meets_the_floors(every_set: Measurement) -> None:
    assert len(every_set.family_of) >= 150
    assert sum(every_set.truth.values()) >= 300
    assert every_set.recall >= RECALL, _misses(every_set)
    assert every_set.precision >= PRECISION, _misses(every_set)


def test_the_held_out_sets_meet_the_floors_on_their_own(every_set: Measurement) -> None:
    held = _only(every_set, HELD_OUT)
    assert len(held.family_of) >= 100
    assert held.recall >= RECALL, _misses(held)
    assert held.precision >= PRECISION, _misses(held)


def test_every_kind_of_file_is_measured(every_set: Measurement) -> None:
    kinds = Counter(every_set.family_of.values())
    assert set(kinds) == {"python", "notebook", "config", "js/ts", "dockerfile", "shell"}, kinds
    # files with no reference test precision; they must be there too
    empty = {k for k in every_set.family_of if not any(t[0] == k for t in every_set.truth)}
    assert len(empty) >= 20


def test_the_measure_notices_a_miss_and_an_extra(every_set: Measurement) -> None:
    key = next(iter(sorted(every_set.truth)))
    dropped = Measurement(
        truth=every_set.truth, found=every_set.found - Counter({key: 1}), family_of=every_set.family_of
    )
    assert dropped.recall < every_set.recall
    extra = Measurement(
        truth=every_set.truth,
        found=every_set.found + Counter({(key[0], 10_000, "model", "acme/nothing", ""): 1}),
        family_of=every_set.family_of,
    )
    assert extra.precision < every_set.precision
