"""License spellings seen on real cards (issue 20): each resolves to the license it names, and the spellings
next to them that do not name one license stay unknown (an alias is never a guess).

The cards are in tests/data/real (SOURCES.tsv says where each came from); ``test_real_cards.py`` reads them
whole. Here the declared values themselves are checked, with the card that carries each.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from modelaudit.licenses.normalize import normalize

REAL = Path(__file__).resolve().parents[1] / "data" / "real"


def _declared(rel: str) -> list[str]:
    text = (REAL / rel).read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---", 2)[1])
    values = front.get("license") or front.get("licenses")
    return values if isinstance(values, list) else [values]


@pytest.mark.parametrize(
    ("card", "value", "want"),
    [
        # the old Hub form for a license outside its list: other-NAME
        (
            "dataset_cards/huggingface__datasets__code_x_glue_cc_clone_detection_big_clone_bench.md",
            "other-C-UDA",
            "C-UDA-1.0",
        ),
        # a GNU license written out with its version and no "or later"
        ("dataset_cards/huggingface__datasets__turk.md", "gnu-gpl-v3.0", "GPL-3.0-only"),
        # the deprecated SPDX "+": this version or any later one
        ("dataset_cards/huggingface__datasets__pec.md", "gpl-3.0+", "GPL-3.0-or-later"),
    ],
)
def test_a_spelling_on_a_real_card_names_its_license(card: str, value: str, want: str) -> None:
    assert value in _declared(card)
    result = normalize(value)
    assert result.id == want and result.method == "alias", result


@pytest.mark.parametrize(
    "card",
    [
        "model_cards/fs-20006766104.md",  # google's own Gemma 2B card
        "model_cards/fs-69375707258.md",  # a Gemma 2B fine-tune
        "model_cards/fs-56266831248.md",  # a Gemma 4 LoRA whose card keeps the Gemma terms
    ],
)
def test_the_gemma_terms_as_real_cards_name_them_are_the_gemma_license(card: str) -> None:
    """Real cards name the Gemma terms as ``license: other`` with ``license_name: gemma-terms-of-use``."""
    text = (REAL / card).read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---", 2)[1])
    assert front["license"] == "other" and front["license_name"] == "gemma-terms-of-use"
    result = normalize(
        front["license"], license_name=front["license_name"], license_link=front["license_link"]
    )
    assert (result.id, result.via) == ("gemma", "license_name"), result


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("other-cc0", "CC0-1.0"),  # huggingface/datasets: datasets/cord19/README.md (2021)
        ("CC0", "CC0-1.0"),  # CC0 has one version
        ("BSD-3", "BSD-3-Clause"),  # package metadata `License: BSD-3`, and issue 20's report of real cards
        ("google-gemma-terms-of-use", "gemma"),  # issue 20's report of real cards
        ("LGPL-2.1+", "LGPL-2.1-or-later"),  # was a fuzzy match to LGPL-2.1-only: the other license
        ("GPL-2.0+", "GPL-2.0-or-later"),
    ],
)
def test_known_spellings(value: str, want: str) -> None:
    assert normalize(value).id == want


@pytest.mark.parametrize(
    "value",
    [
        "other-my-license",  # hippocorpus: a license of its own, not one we know
        "other-public-domain",  # lj_speech: not a license text
        "other-Creative Commons Attribution 2.5 South Africa License",  # a CC port we hold no record of
        "Creative Commons 3.0",  # yoruba_gv_ner: which of the six CC 3.0 licenses?
        "cc-by-2.1",  # muchocine: the Japan port, not in license_db
        "gemma2",  # Gemma 2 and 3 use the Gemma terms, Gemma 4 Apache-2.0: a version is not a license
        "mit+",  # MIT has no later versions
        "unkown",
    ],
)
def test_spellings_that_do_not_name_one_license_stay_unknown(value: str) -> None:
    assert normalize(value).id is None
