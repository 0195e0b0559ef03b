"""Obligation statuses against the hand labels of 71 real model repos (tests/data/real/obligations).

The labels were written from each repo's files before the checker existed (its README.md is the guide); the
issue's bar: agreement on >= 95% of statuses and no status called met that the labels call unmet.
"""

from __future__ import annotations

import csv

import yaml
from real_obligations import DATA, figures, manifest


def test_every_folder_is_labelled_and_every_file_has_its_source() -> None:
    labels = manifest()
    folders = {p.name for p in DATA.iterdir() if p.is_dir()}
    assert folders == set(labels) and len(folders) >= 60
    with (DATA / "SOURCES.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    recorded = {r["file"] for r in rows}
    on_disk = {f"{p.parent.name}/{p.name}" for p in DATA.glob("*/*")}
    assert recorded == on_disk
    assert all(r["repository"] and len(r["commit"]) == 40 and r["blob"] for r in rows)
    statuses = {s for v in labels.values() for k in (v["obligations"] or {}).values() for s in k.values()}
    assert statuses <= {"met", "unmet", "unknown", "not_applicable"}
    assert yaml.safe_load((DATA / "MANIFEST.yaml").read_text(encoding="utf-8"))


def test_the_checks_agree_with_the_hand_labels() -> None:
    fig = figures()
    assert fig.labelled_repos >= 60
    assert fig.compared >= 150
    assert fig.met_but_unmet == [], fig.met_but_unmet
    assert fig.terms_not_na == [], fig.terms_not_na
    assert fig.agreement >= 0.95, fig.disagreements
