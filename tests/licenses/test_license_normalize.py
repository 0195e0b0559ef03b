"""Normalising declared license values: Hub ids, SPDX ids and expressions, spellings, other + license_name."""

from __future__ import annotations

import csv

import pytest
from license_corpus import DATA

from modelaudit.licenses.keys import key
from modelaudit.licenses.normalize import FUZZY_THRESHOLD, normalize

HUB = list(csv.DictReader((DATA / "hub-licenses.tsv").open(), delimiter="\t"))


@pytest.mark.parametrize("row", HUB, ids=lambda r: r["hub_id"])
def test_every_hub_license_id_normalises(row: dict[str, str]) -> None:
    n = normalize(row["hub_id"])
    if row["hub_id"] in {"unknown", "other"}:
        assert n.id is None and n.method == "unknown"
        return
    assert n.id is not None and n.method == "exact" and n.confidence == 1.0
    if row["spdx_id"]:  # the SPDX id from the Hub list resolves to the same license
        assert normalize(row["spdx_id"]).id == n.id


# (license, license_name, license_link) as written on real Hub cards → expected id
CARDS = [
    (("llama3.1", None, None), "llama3.1"),  # meta-llama/Llama-3.1-8B-Instruct
    (("llama3.2", None, None), "llama3.2"),
    (("llama3.3", None, None), "llama3.3"),
    (("llama4", None, None), "llama4"),
    (("llama2", None, None), "llama2"),
    (("llama3", None, None), "llama3"),
    (("gemma", None, None), "gemma"),
    (("other", "gemma-terms-of-use", "https://ai.google.dev/gemma/terms"), "gemma"),  # early Gemma repos
    (("other", "tongyi-qianwen-license-agreement", "https://github.com/QwenLM/Qwen/blob/main/Tongyi%20Qianwen%20LICENSE%20AGREEMENT"), "tongyi-qianwen"),
    (("other", "tongyi-qianwen", None), "tongyi-qianwen"),
    (("other", "tongyi-qianwen-research", None), "tongyi-qianwen-research"),
    (("other", "qwen", "https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE"), "qwen"),
    (("other", "qwen-research", "https://huggingface.co/Qwen/Qwen2.5-3B-Instruct/blob/main/LICENSE"), "qwen-research"),
    (("other", "deepseek", "LICENSE"), "deepseek"),
    (("other", "deepseek-license", "https://github.com/deepseek-ai/DeepSeek-LLM/blob/main/LICENSE-MODEL"), "deepseek"),
    (("other", "mrl", "https://mistral.ai/licenses/MRL-0.1.md"), "mrl"),
    (("other", "mnpl", "https://mistral.ai/licenses/MNPL-0.1.md"), "mnpl"),
    (("other", "stabilityai-ai-community", "LICENSE.md"), "stabilityai-ai-community"),
    (("other", "sai-nc-community", None), "sai-nc-community"),
    (("other", "falcon-llm-license", "https://falconllm.tii.ae/falcon-terms-and-conditions.html"), "falcon-3-tii"),
    (("other", "nvidia-open-model-license", "https://www.nvidia.com/en-us/agreements/enterprise-software/nvidia-open-model-license/"), "nvidia-open-model-license"),
    (("other", None, "https://mistral.ai/licenses/MRL-0.1.md"), "mrl"),  # only a link
    (("apple-amlr", None, None), "apple-amlr"),
    (("openrail++", None, None), "openrail++"),
    (("creativeml-openrail-m", None, None), "creativeml-openrail-m"),
    (("bigscience-bloom-rail-1.0", None, None), "bigscience-bloom-rail-1.0"),
    (("cc-by-nc-4.0", None, None), "CC-BY-NC-4.0"),
    (("odc-by", None, None), "ODC-By-1.0"),
    (("gpl-3.0", None, None), "GPL-3.0-only"),
    (("apache-2.0", None, None), "Apache-2.0"),
    (("mit", None, None), "MIT"),
]  # fmt: skip


@pytest.mark.parametrize(("decl", "want"), CARDS, ids=lambda x: str(x))
def test_real_card_declarations(decl: tuple[str, str | None, str | None], want: str) -> None:
    value, name, link = decl
    n = normalize(value, license_name=name, license_link=link)
    assert n.id == want
    if value == "other":
        assert n.via in {"license_name", "license_link"}


@pytest.mark.parametrize(
    ("value", "want", "method"),
    [
        ("Apache 2.0", "Apache-2.0", "alias"),
        ("Apache License 2.0", "Apache-2.0", "alias"),
        ("Apache License, Version 2.0", "Apache-2.0", "alias"),
        ("APACHE-2.0", "Apache-2.0", "alias"),
        ("MIT License", "MIT", "alias"),
        ("The MIT License", "MIT", "alias"),
        ("llama-3.1", "llama3.1", "alias"),
        ("Llama 3.1 Community License", "llama3.1", "alias"),
        ("Llama 3.1 Community License Agreement", "llama3.1", "alias"),
        ("LLAMA 3.2 COMMUNITY LICENSE AGREEMENT", "llama3.2", "alias"),
        ("Meta Llama 3 Community License Agreement", "llama3", "alias"),
        ("Gemma Terms of Use", "gemma", "alias"),
        ("CC BY-NC-SA 4.0", "CC-BY-NC-SA-4.0", "alias"),
        ("BSD 3-Clause", "BSD-3-Clause", "alias"),
        ("GPL-3.0", "GPL-3.0-only", "alias"),
        ("MRL-0.1", "mrl", "alias"),
        ("https://www.apache.org/licenses/LICENSE-2.0", "Apache-2.0", "url"),
        ("https://creativecommons.org/licenses/by-nc-sa/4.0/legalcode", "CC-BY-NC-SA-4.0", "url"),
        ("https://spdx.org/licenses/MIT.html", "MIT", "url"),
        ("https://llama.meta.com/llama3_1/license", "llama3.1", "url"),
    ],
)
def test_common_spellings_and_urls(value: str, want: str, method: str) -> None:
    n = normalize(value)
    assert (n.id, n.method) == (want, method)


@pytest.mark.parametrize(
    ("value", "want", "ids"),
    [
        ("MIT OR Apache-2.0", "MIT OR Apache-2.0", ["Apache-2.0", "MIT"]),
        ("apache-2.0 AND llama3.1", "Apache-2.0 AND llama3.1", ["Apache-2.0", "llama3.1"]),
        ("(MIT OR Apache-2.0) AND CC-BY-4.0", "(MIT OR Apache-2.0) AND CC-BY-4.0", ["Apache-2.0", "CC-BY-4.0", "MIT"]),
        ("GPL-2.0-or-later WITH Classpath-exception-2.0", "GPL-2.0-or-later WITH Classpath-exception-2.0", ["GPL-2.0-or-later"]),
        ("MIT / Apache 2.0", "MIT OR Apache-2.0", ["Apache-2.0", "MIT"]),
    ],
)  # fmt: skip
def test_spdx_expressions(value: str, want: str, ids: list[str]) -> None:
    n = normalize(value)
    assert n.id == want and n.ids == ids


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("other", None),
        ("other", "my-company-internal-license"),
        ("unknown", None),
        ("", None),
        ("llama 3.4", None),  # no such version: never the nearest Llama
        ("cc-by-nc-5.0", None),  # no such version: never CC-BY-NC-4.0
        ("MIT AND totally-made-up", None),  # a part is unknown: the whole expression is
        ("Proprietary", None),
        ("WITH", None),
    ],
)
def test_unknown_is_never_a_guess(value: str, name: str | None) -> None:
    n = normalize(value, license_name=name)
    assert n.id is None and n.method == "unknown" and n.confidence == 0.0 and n.note


def test_fuzzy_only_above_threshold_and_at_lower_confidence() -> None:
    n = normalize("Apach License 2.0")
    assert n.id == "Apache-2.0" and n.method == "fuzzy" and n.confidence <= 0.7
    assert FUZZY_THRESHOLD >= 90
    assert normalize("Apple Licence 2.0").id is None  # close to nothing specific enough


@pytest.mark.parametrize(
    ("a", "b"),
    [("qwen", "qwen-research"), ("llama3.2", "llama3.3"), ("cc-by-nc-4.0", "cc-by-nc-sa-4.0"),
     ("creativeml-openrail-m", "openrail++"), ("openmdw-1.0", "openmdw-1.1"), ("tongyi-qianwen", "tongyi-qianwen-research")],
)  # fmt: skip
def test_near_twin_names_stay_apart(a: str, b: str) -> None:
    assert normalize(a).id != normalize(b).id
    assert key(a) != key(b)


def test_key_normalisation() -> None:
    assert key("Apache License, Version 2.0") == key("apache-2") == "apache 2"
    assert key("llama3.1") == key("Llama 3.1 Community License Agreement") == "llama 3.1"
